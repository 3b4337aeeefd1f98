"""What the compat scripts share: the mock's address and CA, the admin API, and the checks.

Each script imports this (compat/run runs them from this folder's path), registers checks with
`@check(name)`, and ends with `sys.exit(summary())`, which prints "N passed, N failed".
"""

import json
import os
import ssl
import traceback
import urllib.request

BASE = os.environ["MOCK_URL"].rstrip("/")
CTX = ssl.create_default_context(cafile=os.environ["MOCK_CA"])

results = []


def check(name):
    """Runs the decorated function now as the check `name`; a failure is printed, not raised."""

    def wrap(fn):
        try:
            fn()
            results.append((name, None))
            print(f"ok   {name}")
        except Exception as e:  # noqa: BLE001 - report every failure, keep going
            results.append((name, e))
            print(f"FAIL {name}: {e!r}")
            traceback.print_exc()
        return fn

    return wrap


def admin(method, path, body=None):
    """Calls the mock's admin API at /__admin{path}; answers the JSON body (None when empty)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{BASE}/__admin{path}", data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, context=CTX) as r:
        raw = r.read()
        return json.loads(raw) if raw else None


def summary():
    """Prints the pass/fail line; answers the exit status (1 on any failure)."""
    failed = sum(1 for _, e in results if e is not None)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0
