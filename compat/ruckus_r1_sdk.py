"""Drive the mock's RUCKUS One with a real, unmodified third-party client: neuralconfig-r1-sdk.

neuralconfig-r1-sdk (PyPI, import name `r1_sdk`) is an MIT-licensed Python SDK for RUCKUS One.
Its `Auth` gets tokens from `POST /oauth2/token/{tenantId}` with form client credentials, and its
`R1Client.request` sends every call with the bearer token (refreshing it once on a 401), any
extra headers the caller passes (here `x-rks-tenantid`) and maps error statuses to its own
exceptions. It has no MSP module, so the MSP calls go through its generic `get`/`post`, as its
documentation shows for endpoints it does not wrap.

Run by compat/run, which starts msp-mock with TLS and points the client at it. The only
configuration is what a user would change: the SDK picks its host from its region table
`r1_sdk.auth.RUCKUS_REGIONS` (`na`, `eu`, `asia`), so this adds a region naming the mock and
passes it as `region=`. The CA bundle comes from REQUESTS_CA_BUNDLE (set by compat/run).

Prints one line per check and a final "N passed, N failed" line; exits 1 on any failure.
"""

import logging
import sys
import urllib.parse

from harness import BASE, admin, check, summary



creds = admin("GET", "/credentials")["ruckus"]["msps"]
MSP, OTHER = creds[0], creds[1]
ECS = {t["name"]: t["id"] for t in MSP["tenants"] if t["type"] == "MSP_EC"}
ACME = ECS["Acme Sales"]
FOREIGN = OTHER["tenants"][0]["id"]  # Umbrella Wireless, a customer of the other MSP

# The SDK logs every refused call at ERROR with a traceback; the checks below expect some
# refusals, and a failing check prints its own exception, so its log goes nowhere.
logging.getLogger("r1_sdk").addHandler(logging.NullHandler())
logging.getLogger("r1_sdk").propagate = False

import r1_sdk  # noqa: E402
from r1_sdk import R1Client  # noqa: E402
from r1_sdk.auth import RUCKUS_REGIONS  # noqa: E402
from r1_sdk.exceptions import (  # noqa: E402
    APIError,
    AuthenticationError,
    ResourceNotFoundError,
    ValidationError,
)

# The SDK builds https://{host} from its region table; the mock is one more region.
RUCKUS_REGIONS["mock"] = urllib.parse.urlsplit(BASE).netloc


def client(account, secret=None):
    return R1Client(
        client_id=account["client_id"],
        client_secret=secret or account["client_secret"],
        tenant_id=account["tenant_id"],
        region="mock",
    )


r1 = client(MSP)


@check(f"r1-sdk {r1_sdk.__version__}: token from POST /oauth2/token/{{tenantId}} (form client credentials)")
def _():
    token = r1.auth.get_token()
    assert token.count(".") == 2, token  # a JWT
    assert r1.auth.base_url == BASE, r1.auth.base_url


@check("r1-sdk: a wrong secret is refused with AuthenticationError")
def _():
    try:
        client(MSP, secret="wrong").auth.get_token()
    except AuthenticationError:
        return
    raise AssertionError("a wrong secret was accepted")


@check("r1-sdk: POST /mspecs/query lists the default world's customers")
def _():
    r = r1.post(
        "/mspecs/query",
        data={"fields": ["id", "name", "tenantType"], "page": 1, "pageSize": 100, "sortField": "name", "sortOrder": "ASC"},
    )
    names = [row["name"] for row in r["data"]]
    assert {"Acme Sales", "Globex Retail", "Initech"} <= set(names), names
    assert names == sorted(names), names
    assert r["totalCount"] == len(r["data"]), r


@check("r1-sdk: POST /tenants/query searches and filters")
def _():
    r = r1.post(
        "/tenants/query",
        data={"fields": ["id", "name"], "searchString": "acme", "filters": {"tenantType": ["MSP_EC"]}},
    )
    assert [row["id"] for row in r["data"]] == [ACME], r


created = {}


@check("r1-sdk: POST /tenants creates a customer (202), its activity polled to SUCCESS with the mock clock moved")
def _():
    r = r1.post(
        "/tenants",
        data={
            "data": [
                {
                    "name": "Compat R1 SDK Customer",
                    "tenant_type": "MSP_EC",
                    "service_effective_date": "2026-01-01 00:00:00Z",
                    "service_expiration_date": "2027-01-01 00:00:00Z",
                    "admin_email": "it@compat-r1.example",
                    "admin_firstname": "Rita",
                    "admin_lastname": "One",
                }
            ]
        },
    )
    accepted = r["data"][0]
    request_id, tenant_id = accepted["requestId"], accepted["tenantId"]
    seen, activity = [], None
    for _ in range(20):
        try:
            activity = r1.get(f"/activities/{request_id}")
            status = activity["status"]
        except ResourceNotFoundError:  # RUCKUS may 404 an activity for a moment after the 202
            status = "(404)"
        seen.append(status)
        if status in ("SUCCESS", "FAIL"):
            break
        admin("POST", "/clock/advance", {"seconds": 1})
    assert seen[-1] == "SUCCESS", (seen, activity)
    assert "PENDING" in seen or "INPROGRESS" in seen, seen  # it was polled, not already done
    created["id"] = tenant_id
    assert r1.get(f"/tenants/{tenant_id}")["name"] == "Compat R1 SDK Customer"


@check("r1-sdk: the created customer appears in POST /mspecs/query")
def _():
    r = r1.post("/mspecs/query", data={"fields": ["id", "name"], "searchString": "Compat R1"})
    assert [row["id"] for row in r["data"]] == [created["id"]], r


@check("r1-sdk: GET /venues inside a customer (x-rks-tenantid)")
def _():
    venues = r1.get("/venues", headers={"x-rks-tenantid": ACME})
    assert [v["name"] for v in venues] == ["Acme HQ", "Acme Warehouse"], venues


@check("r1-sdk Venues module: venues.list(page=1) answers the MSP's own venues (none)")
def _():
    # The SDK's modules send no x-rks-tenantid, so with an MSP token they act in the MSP itself.
    r = r1.venues.list(page=1, sort_field="name")
    assert r["data"] == [] and r["totalCount"] == 0, r


@check("r1-sdk: its default page=0 is a ValidationError naming `page` (the specs' pages are 1-based)")
def _():
    try:
        r1.venues.list()
    except ValidationError as e:
        assert "page" in e.detail["errors"], e.detail
        return
    raise AssertionError("page 0 was accepted")


@check("r1-sdk: a foreign customer in x-rks-tenantid is refused (403)")
def _():
    try:
        r1.get("/venues", headers={"x-rks-tenantid": FOREIGN})
    except APIError as e:
        assert e.status_code == 403, e.status_code
        return
    raise AssertionError("another MSP's customer was reachable")


@check("r1-sdk: the other MSP cannot read this MSP's customer (404) but reads its own")
def _():
    other = client(OTHER)
    try:
        other.get(f"/tenants/{ACME}")
        raise AssertionError("another MSP's customer was readable")
    except ResourceNotFoundError:
        pass
    assert other.get(f"/tenants/{FOREIGN}")["name"] == "Umbrella Wireless"


def token_calls():
    entries = admin("GET", "/requests")
    items = entries["requests"] if isinstance(entries, dict) else entries
    return sum(1 for e in items if e["path"].startswith("/oauth2/token/"))


@check("r1-sdk: an expired token (mock clock +61 min) is renewed on the 401 and the call succeeds")
def _():
    before = token_calls()
    admin("POST", "/clock/advance", {"seconds": 61 * 60})
    venues = r1.get("/venues", headers={"x-rks-tenantid": ACME})
    assert len(venues) == 2, venues
    assert token_calls() == before + 1, "exactly one token renewal"


sys.exit(summary())
