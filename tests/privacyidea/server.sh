#!/usr/bin/env bash
# A throw-away privacyIDEA 3.14 (PyPI) on 127.0.0.1 for Tessera's OTP and push tests.
#
#   tests/privacyidea/server.sh start DIR   install (cached), configure, start on a free port;
#                                           writes DIR/pi.env and prints its lines
#   tests/privacyidea/server.sh stop DIR    stop the server started from DIR (by its pid)
#
# The venv is cached in $TESSERA_CACHE/privacyidea-$PI_VERSION (pip install with the wheel's own
# hash-pinned requirements.txt); the server's state (SQLite, keys, logs) lives in DIR, so a
# fresh DIR gives a fresh server. Policies: poll-only push (no Firebase), polling allowed, no
# TLS (loopback). Number matching and code-to-phone are enabled by the tests themselves with
# policies scoped to their own users, so tests never change each other's behaviour.
#
# pi.env: TESSERA_PI_URL, TESSERA_PI_ADMIN, TESSERA_PI_ADMIN_PASS, TESSERA_PI_REALM,
#         TESSERA_PI_RESOLVER, TESSERA_PI_USER, TESSERA_PI_USER_PASS, TESSERA_PI_PID.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"

CMD=${1:?usage: server.sh start|stop DIR}
PI_DIR=$(realpath -m "${2:?usage: server.sh start|stop DIR}")
PI_VERSION=${PI_VERSION:-3.14}
VENV="$TESSERA_CACHE/privacyidea-$PI_VERSION"
HOST=127.0.0.1
PIDFILE="$PI_DIR/server.pid"

running() { [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

if [[ $CMD == stop ]]; then
    if running; then
        pid=$(cat "$PIDFILE")
        # the server runs in its own session (setsid): end its process group, then wait
        kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        echo "privacyIDEA stopped (pid $pid)"
    fi
    # a start interrupted between launching the server and writing its pid leaves no pid file:
    # find this directory's server by its configuration file (exact path, not by name)
    for environ in /proc/[0-9]*/environ; do
        if { tr '\0' '\n' <"$environ"; } 2>/dev/null | grep -qxF "PRIVACYIDEA_CONFIGFILE=$PI_DIR/pi.cfg"; then
            pid=${environ#/proc/}; pid=${pid%/environ}
            if [ "$pid" != $$ ] && kill "$pid" 2>/dev/null; then
                for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
                echo "privacyIDEA stopped (pid $pid)"
            fi
        fi
    done
    rm -f "$PIDFILE"
    exit 0
fi
[[ $CMD == start ]] || { echo "usage: server.sh start|stop DIR" >&2; exit 2; }

# ---------------------------------------------------------------- install (cached)
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    apt_need python3 python3-venv
fi
installed() { "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("privacyidea"))' 2>/dev/null || true; }
if [[ "$(installed)" != "$PI_VERSION" ]] || ! "$VENV/bin/python" -c 'import privacyidea.app, requests' 2>/dev/null; then
    echo "installing privacyidea==$PI_VERSION into $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps "privacyidea==$PI_VERSION"
    # the wheel ships its own hash-pinned lock file as data: <venv>/lib/privacyidea/requirements.txt
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$VENV/lib/privacyidea/requirements.txt"
fi

# ---------------------------------------------------------------- configure
mkdir -p "$PI_DIR"/{data,keys,log}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://$HOST:$PORT"
CFG="$PI_DIR/pi.cfg"
if [[ ! -f "$CFG" ]]; then
    secret() { python3 -c 'import secrets; print(secrets.token_hex(32))'; }
    (umask 077; cat > "$CFG" <<CFGEOF
SQLALCHEMY_DATABASE_URI = 'sqlite:///$PI_DIR/data/privacyidea.sqlite'
SECRET_KEY = '$(secret)'
PI_PEPPER = '$(secret)'
PI_ENCFILE = '$PI_DIR/keys/enckey'
PI_AUDIT_KEY_PRIVATE = '$PI_DIR/keys/audit-private.pem'
PI_AUDIT_KEY_PUBLIC = '$PI_DIR/keys/audit-public.pem'
PI_AUDIT_SQL_TRUNCATE = True
PI_LOGFILE = '$PI_DIR/log/privacyidea.log'
PI_LOGLEVEL = 30
PI_BASE_URL = '$BASE'
# A throw-away test server on loopback: cheap PIN/password hashes (privacyIDEA's own test
# settings; production argon2 costs ~2 s per check on a busy 2-core machine) and no repeated
# validation of the audit/response signing keys it generated itself.
PI_HASH_ALGO_PARAMS = {"argon2__rounds": 1, "argon2__memory_cost": 8, "argon2__parallelism": 1}
PI_AUDIT_NO_PRIVATE_KEY_CHECK = True
PI_RESPONSE_NO_PRIVATE_KEY_CHECK = True
CFGEOF
    )
fi
sed -i "s#^PI_BASE_URL = .*#PI_BASE_URL = '$BASE'#" "$CFG"
export PRIVACYIDEA_CONFIGFILE="$CFG"
PIM="$VENV/bin/pi-manage"
ADMIN=admin
# a fresh random admin password per server directory; it only ever lives on loopback
ADMIN_PASS_FILE="$PI_DIR/admin.pass"
[[ -f "$ADMIN_PASS_FILE" ]] || (umask 077; python3 -c 'import secrets; print(secrets.token_urlsafe(18))' > "$ADMIN_PASS_FILE")
ADMIN_PASS=$(cat "$ADMIN_PASS_FILE")
REALM=tessera
RESOLVER=tessera-users
USER_NAME=alice
USER_PASS=alice-pw

# each pi-manage call loads the whole application (seconds on a busy machine): a fresh
# directory gets exactly the calls it needs, a re-used one only the upgrade and the password
if [[ ! -f "$PI_DIR/configured" ]]; then
    "$PIM" setup create_enckey >/dev/null
    "$PIM" setup create_audit_keys >/dev/null
    "$PIM" setup create_tables >/dev/null 2>&1
    "$PIM" admin add "$ADMIN" -p "$ADMIN_PASS" -e "$ADMIN@localhost" >/dev/null
    "$PIM" config resolver create_internal "$RESOLVER" >/dev/null
    touch "$PI_DIR/configured"
else
    "$PIM" setup create_tables >/dev/null 2>&1
    # `admin add` on an existing admin would silently reset it; change keeps what we advertise
    "$PIM" admin change "$ADMIN" --password "$ADMIN_PASS" >/dev/null
fi

# ---------------------------------------------------------------- start
healthy() {
    "$VENV/bin/python" - "$BASE" <<'PYEOF' >/dev/null 2>&1
import sys, requests
r = requests.get(sys.argv[1] + "/healthz/", timeout=2)
sys.exit(0 if r.ok and r.json()["result"]["value"]["status"] == "ready" else 1)
PYEOF
}
if running; then "$0" stop "$PI_DIR" >/dev/null; fi
# setsid: its own process group, so that stop ends the server and anything it spawned, and
# $! is the server's own pid (a non-interactive shell's child is no group leader: no fork)
cd "$PI_DIR"
setsid "$PIM" run -h "$HOST" -p "$PORT" >"$PI_DIR/log/server.out" 2>&1 </dev/null &
echo $! > "$PIDFILE"
cd - >/dev/null
for _ in $(seq 1 240); do
    healthy && break
    running || { echo "privacyIDEA died; $PI_DIR/log/server.out:" >&2; tail -20 "$PI_DIR/log/server.out" >&2; exit 1; }
    sleep 0.25
done
healthy || { echo "privacyIDEA did not become ready; see $PI_DIR/log/server.out" >&2; "$0" stop "$PI_DIR"; exit 1; }

# ---------------------------------------------------------------- realm, user, policies
"$VENV/bin/python" - "$BASE" "$ADMIN" "$ADMIN_PASS" "$REALM" "$RESOLVER" "$USER_NAME" "$USER_PASS" <<'PYEOF'
import sys, requests
base, au, ap, realm, resolver, user, upw = sys.argv[1:]
def ok(r):
    j = r.json()
    if not j.get("result", {}).get("status"):
        raise SystemExit(f"{r.request.method} {r.url}: HTTP {r.status_code} {r.text[:300]}")
    return j["result"].get("value")
H = {"Authorization": ok(requests.post(base + "/auth", data={"username": au, "password": ap}))["token"]}
ok(requests.post(f"{base}/realm/{realm}", headers=H, data={"resolvers": resolver}))
ok(requests.post(f"{base}/defaultrealm/{realm}", headers=H))
if not ok(requests.get(base + "/user/", headers=H, params={"realm": realm, "username": user})):
    ok(requests.post(base + "/user/", headers=H, data={"resolver": resolver, "user": user, "password": upw,
                                                       "givenname": "Alice", "surname": "Test"}))
# poll-only push: both enrollment actions are required; the challenge's sslverify comes from
# the authentication scope. Exactly one authentication policy sets push_allow_polling.
ok(requests.post(base + "/policy/tessera-push-enroll", headers=H, json={
    "scope": "enrollment", "active": True,
    "action": f"push_firebase_configuration=poll only, push_registration_url={base}/ttype/push, "
              "push_ttl=10, push_ssl_verify=0"}))
ok(requests.post(base + "/policy/tessera-push-auth", headers=H, json={
    "scope": "authentication", "active": True,
    "action": "push_allow_polling=allow, push_ssl_verify=0"}))
PYEOF

cat > "$PI_DIR/pi.env" <<ENVEOF
TESSERA_PI_URL=$BASE
TESSERA_PI_ADMIN=$ADMIN
TESSERA_PI_ADMIN_PASS=$ADMIN_PASS
TESSERA_PI_REALM=$REALM
TESSERA_PI_RESOLVER=$RESOLVER
TESSERA_PI_USER=$USER_NAME
TESSERA_PI_USER_PASS=$USER_PASS
TESSERA_PI_PID=$(cat "$PIDFILE")
ENVEOF
cat "$PI_DIR/pi.env"
