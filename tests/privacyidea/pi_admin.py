#!/usr/bin/env python3
"""The server side of Tessera's privacyIDEA scenarios: what an administrator and a
password-reset portal send to privacyIDEA. Reads TESSERA_PI_* (pi.env of server.sh).
Runs with the privacyIDEA venv's Python (it has `requests`).

  pi_admin.py user NAME                      create a user (no-op when it exists)
  pi_admin.py token USER TYPE PIN [k=v...]   /token/init genkey=1; prints the enrollment URI
  pi_admin.py policy NAME USER ACTION [SCOPE]
                                             a policy for USER only (SCOPE: authentication
                                             unless given, e.g. enrollment)
  pi_admin.py check USER PASS [TXID]         /validate/check; prints AUTH [TXID [PRESENCE]]
  pi_admin.py status TXID                    /validate/polltransaction; prints the status
"""
import os
import sys

import requests

base = os.environ["TESSERA_PI_URL"].rstrip("/")
realm = os.environ["TESSERA_PI_REALM"]


def ok(r):
    j = r.json()
    if not j.get("result", {}).get("status"):
        sys.exit(f"privacyIDEA refused {r.request.method} {r.request.path_url.split('?')[0]}: "
                 f"HTTP {r.status_code} {j.get('result', {}).get('error', {}).get('message', '')}")
    return j


def admin():
    r = requests.post(base + "/auth", data={"username": os.environ["TESSERA_PI_ADMIN"],
                                            "password": os.environ["TESSERA_PI_ADMIN_PASS"]})
    return {"Authorization": ok(r)["result"]["value"]["token"]}


def main(cmd, *args):
    if cmd == "user":
        h = admin()
        if not ok(requests.get(base + "/user/", headers=h, params={"realm": realm, "username": args[0]}))["result"]["value"]:
            ok(requests.post(base + "/user/", headers=h, data={
                "resolver": os.environ["TESSERA_PI_RESOLVER"], "user": args[0], "password": "unused"}))
    elif cmd == "token":
        user, ttype, pin, *extra = args
        data = {"genkey": 1, "user": user, "realm": realm, "type": ttype, "pin": pin}
        data.update(kv.split("=", 1) for kv in extra)
        detail = ok(requests.post(base + "/token/init", headers=admin(), data=data))["detail"]
        print(detail["pushurl" if ttype == "push" else "googleurl"]["value"])
    elif cmd == "policy":
        name, user, action, *scope = args
        ok(requests.post(f"{base}/policy/{name}", headers=admin(), json={
            "scope": scope[0] if scope else "authentication", "active": True, "action": action,
            "user": user, "realm": realm}))
    elif cmd == "check":
        user, pw, *tid = args
        data = {"user": user, "realm": realm, "pass": pw}
        if tid:
            data["transaction_id"] = tid[0]
        j = requests.post(base + "/validate/check", data=data).json()
        detail = j.get("detail") or {}
        print(" ".join(str(x) for x in (j["result"].get("authentication", "ERROR"),
                                         detail.get("transaction_id", ""), detail.get("presence_answer", ""))).strip())
    elif cmd == "status":
        j = requests.get(base + "/validate/polltransaction", params={"transaction_id": args[0]}).json()
        print(j["detail"].get("challenge_status", "unknown"))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(*sys.argv[1:]) if len(sys.argv) > 1 else sys.exit(__doc__)
