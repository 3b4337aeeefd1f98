"""Drive the mock with real, unmodified third-party clients: requests-oauthlib and PyCentral.

Run by compat/run, which starts msp-mock with TLS and points these clients at it. The only
configuration is what a user would change: base URLs, PyCentral's token-URL constant, and the CA
bundle the mock wrote (oauthlib refuses plain http, so this also proves the TLS mode).

Prints one line per check and a final "N passed, N failed" line; exits 1 on any failure.
"""

import sys

from harness import BASE, admin, check, summary



def journal(path_contains):
    entries = admin("GET", "/requests")
    items = entries["requests"] if isinstance(entries, dict) else entries
    return [e for e in items if path_contains in e["path"]]


creds = admin("GET", "/credentials")
MSP = creds["msps"][0]
TENANTS = MSP["tenants"]

from oauthlib.oauth2 import BackendApplicationClient  # noqa: E402
from requests.auth import HTTPBasicAuth  # noqa: E402
from requests_oauthlib import OAuth2Session  # noqa: E402


@check("requests-oauthlib: client_credentials on the legacy SSO endpoint (2 h token)")
def _():
    oauth = OAuth2Session(client=BackendApplicationClient(MSP["client_id"]))
    token = oauth.fetch_token(
        token_url=f"{BASE}/as/token.oauth2",
        auth=HTTPBasicAuth(MSP["client_id"], MSP["client_secret"]),
    )
    assert token["token_type"].lower() == "bearer", token
    assert 7000 < token["expires_in"] <= 7200, token


@check("requests-oauthlib: client_credentials with form-field client auth on the workspace issuer")
def _():
    oauth = OAuth2Session(client=BackendApplicationClient(MSP["client_id"]))
    token = oauth.fetch_token(
        token_url=f"{BASE}/authorization/v2/oauth2/{MSP['workspace_id']}/token",
        client_id=MSP["client_id"],
        client_secret=MSP["client_secret"],
        include_client_id=True,
    )
    assert 890 <= token["expires_in"] <= 900, token


@check("requests-oauthlib: wrong secret is an RFC 6749 invalid_client error")
def _():
    from oauthlib.oauth2.rfc6749.errors import InvalidClientError

    oauth = OAuth2Session(client=BackendApplicationClient(MSP["client_id"]))
    try:
        oauth.fetch_token(
            token_url=f"{BASE}/as/token.oauth2",
            auth=HTTPBasicAuth(MSP["client_id"], "wrong"),
        )
    except InvalidClientError:
        return
    raise AssertionError("a wrong secret was accepted")


# PyCentral hard-codes its token URL; pointing it at the mock is a configuration change only.
from pycentral.utils import constants  # noqa: E402

constants.AUTHENTICATION["OAUTH_GLOBAL"] = f"{BASE}/authorization/v2/oauth2"
constants.AUTHENTICATION["OAUTH"] = f"{BASE}/as/token.oauth2"
from pycentral import MSPBase  # noqa: E402

msp = None


@check("PyCentral MSPBase: connects with unified credentials")
def _():
    global msp
    msp = MSPBase(
        token_info={
            "unified": {
                "client_id": MSP["client_id"],
                "client_secret": MSP["client_secret"],
                "workspace_id": MSP["workspace_id"],
                "glp_base_url": BASE,
                "base_url": BASE,
            }
        },
        log_level="WARNING",
    )


@check("PyCentral MSPBase: GLP msp-tenants list")
def _():
    r = msp.command("GET", "workspaces/v1/msp-tenants", app_name="glp")
    assert r["code"] == 200, r
    names = {t["workspaceName"] for t in r["msg"]["items"]}
    assert {t["name"] for t in TENANTS} <= names, names


@check("PyCentral MSPBase: Central list-tenants")
def _():
    r = msp.command(
        "GET", "network-msp/v1/list-tenants", app_name="new_central", api_params={"limit": 100, "next": 1}
    )
    assert r["code"] == 200, r
    assert r["msg"]["total"] >= len(TENANTS), r


tenant = None


@check("PyCentral MSPBase: get_tenant_connection by name exchanges once and caches")
def _():
    global tenant
    before = len(journal("/token"))
    tenant = msp.get_tenant_connection(tenant_name=TENANTS[0]["name"])
    again = msp.get_tenant_connection(tenant_workspace_id=TENANTS[0]["id"])
    assert tenant is again
    assert len(journal("/token")) - before == 1, "exactly one token exchange"


def inventory(conn):
    from pycentral.new_monitoring.devices import MonitoringDevices

    return MonitoringDevices.get_all_device_inventory(conn)


@check("PyCentral: tenant device inventory (get_all_device_inventory terminates, own devices only)")
def _():
    devices = inventory(tenant)
    assert devices, "tenant has devices"
    other = msp.get_tenant_connection(tenant_workspace_id=TENANTS[1]["id"])
    other_serials = {d["serialNumber"] for d in inventory(other)}
    mine = {d["serialNumber"] for d in devices}
    assert mine and other_serials and not (mine & other_serials), (mine, other_serials)


@check("PyCentral: tenant token expiry (clock advanced 16 min) is renewed on 401 and the call succeeds")
def _():
    admin("POST", "/clock/advance", {"seconds": 16 * 60})
    r = tenant.command(
        "GET", "network-monitoring/v1/device-inventory", api_params={"limit": 10, "next": 1}
    )
    assert r["code"] == 200, r


@check("PyCentral GLP devices and audit log through the MSP token")
def _():
    r = msp.command("GET", "devices/v1/devices", app_name="glp")
    assert r["code"] == 200, r
    r = msp.command("GET", "audit-log/v1/logs", app_name="glp")
    assert r["code"] == 200, r


sys.exit(summary())
