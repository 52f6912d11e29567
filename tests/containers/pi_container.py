#!/usr/bin/env python3
"""The administrator's side of Tessera's container CLI suite: what an admin sends to
privacyIDEA 3.14 to put a user's tokens in a smartphone container. Reads TESSERA_PI_*
(pi.env of tests/privacyidea/server.sh); runs with the privacyIDEA venv's Python.

  pi_container.py setup                       the container policy (server URL for the QRs)
  pi_container.py flag NAME USER ACTION       a container-scope client flag for USER only
  pi_container.py unflag NAME                 delete that policy
  pi_container.py create USER                 a smartphone container for USER; prints its serial
  pi_container.py token USER CS TYPE PIN      a token in container CS; prints its serial
  pi_container.py delete-token SERIAL         delete a token
  pi_container.py qr CS [PROMPT ANSWER]       register/initialize; prints the pia://container URI
  pi_container.py state CS                    the server's registration_state ('' when none)
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
    h = admin()
    if cmd == "setup":
        # the same value the Rust tests write: one server URL for the whole server
        ok(requests.post(base + "/policy/tessera-container", headers=h, json={
            "scope": "container", "active": True,
            "action": f"privacyIDEA_server_url={base}, container_registration_ttl=10, "
                      "container_challenge_ttl=2, container_ssl_verify=False"}))
    elif cmd == "flag":
        name, user, action = args
        ok(requests.post(f"{base}/policy/{name}", headers=h, json={
            "scope": "container", "active": True, "action": action, "user": user, "realm": realm}))
    elif cmd == "unflag":
        requests.delete(f"{base}/policy/{args[0]}", headers=h)
    elif cmd == "create":
        j = ok(requests.post(base + "/container/init", headers=h, json={
            "type": "smartphone", "user": args[0], "realm": realm, "description": "tessera cli test"}))
        print(j["result"]["value"]["container_serial"])
    elif cmd == "token":
        user, cs, ttype, pin = args
        j = ok(requests.post(base + "/token/init", headers=h, data={
            "genkey": 1, "user": user, "realm": realm, "type": ttype, "pin": pin, "container_serial": cs}))
        print(j["detail"]["serial"])
    elif cmd == "delete-token":
        ok(requests.delete(f"{base}/token/{args[0]}", headers=h))
    elif cmd == "qr":
        body = {"container_serial": args[0]}
        if len(args) == 3:
            body.update(passphrase_prompt=args[1], passphrase_response=args[2])
        j = ok(requests.post(base + "/container/register/initialize", headers=h, json=body))
        print(j["result"]["value"]["container_url"]["value"])
    elif cmd == "state":
        j = ok(requests.get(base + "/container/", headers=h, params={"container_serial": args[0]}))
        print(j["result"]["value"]["containers"][0]["info"].get("registration_state", ""))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(*sys.argv[1:]) if len(sys.argv) > 1 else sys.exit(__doc__)
