"""Schemathesis hooks for `server/tests/api/schemathesis.rs` (loaded through the
SCHEMATHESIS_HOOKS environment variable, with this folder on PYTHONPATH).

The test writes a fixture (COPLAN_ST_FIXTURE, JSON) for one caller: their session, and
for each operation ("METHOD /path/{template}") the requests that are valid for them
against the server's state (a plan they may read, a key envelope the person signed, a
sync body, ...). Every request goes with the caller's session and `X-Coplan: 1`; every
other request of an operation (its first included) is one of its valid ones, so that
each operation is reached past its checks, while schemathesis's own data probes the
rest. Each answer's status is written, one line per call, to COPLAN_ST_COUNTS, for the
test to count 2xx answers per operation.

An operation that would end the caller's session or account (signing out, deleting the
account, a new passphrase) goes, every time, with the session the fixture names for it
(a throwaway one), so the caller's own lasts the run. Each request comes from an
address of its own (`X-Forwarded-For`, which the test's server trusts from its proxy):
the limits on tries per address have their own tests, and here they would answer 429
to the valid requests after schemathesis's own.
"""

import base64
import json
import os

import schemathesis

with open(os.environ["COPLAN_ST_FIXTURE"], encoding="utf-8") as f:
    FIXTURE = json.load(f)

CALLS = {}


def _key(case):
    return f"{case.method.upper()} {case.operation.path}"


@schemathesis.hook
def before_call(context, case, kwargs):
    key = _key(case)
    n = CALLS.get(key, 0)
    CALLS[key] = n + 1
    headers = dict(case.headers or {})
    cookie = FIXTURE["own_session"].get(key, FIXTURE["session"])
    valid = FIXTURE["valid"].get(key, [])
    if valid and n % 2 == 0:
        chosen = valid[(n // 2) % len(valid)]
        if "path" in chosen:
            case.path_parameters = {**(case.path_parameters or {}), **chosen["path"]}
        if "query" in chosen:
            case.query = dict(chosen["query"])
        if "json" in chosen:
            case.body = chosen["json"]
            case.media_type = "application/json"
        if "bytes" in chosen:
            case.body = base64.b64decode(chosen["bytes"])
            case.media_type = "application/octet-stream"
        cookie = chosen.get("session", cookie)
    if key == "DELETE /api/v1/phones/{id}" and (case.path_parameters or {}).get("id") in FIXTURE["kept_phones"]:
        # The stateful phase learns phone ids from GET /api/v1/account: the phone whose
        # session the run goes on with is not signed out from under it.
        case.path_parameters = {**case.path_parameters, "id": "0" * 32}
    if key == "DELETE /api/v1/plans/{plan}/membership" and (case.path_parameters or {}).get("plan") in FIXTURE["kept_plans"]:
        # Nor does the caller leave the plan whose reads the run goes on with.
        case.path_parameters = {**case.path_parameters, "plan": "0" * 32}
    if key == "POST /api/v1/sync/wait" and isinstance((case.query or {}).get("seconds"), int):
        # A wait with nothing new parks for as long as it asks: never, here.
        case.query = {**case.query, "seconds": 0}
    total = sum(CALLS.values())
    headers["Cookie"] = f"__Host-coplan_session={cookie}"
    headers["X-Coplan"] = "1"
    headers["X-Forwarded-For"] = f"10.{total // 65536 % 256}.{total // 256 % 256}.{total % 256}"
    case.headers = headers


@schemathesis.hook
def after_call(context, case, response):
    with open(os.environ["COPLAN_ST_COUNTS"], "a", encoding="utf-8") as f:
        f.write(f"{_key(case)}\t{response.status_code}\n")
