# Sourced by the privacyIDEA scripts (run.sh, reset-demo.sh) after tests/lib.sh, with two
# arguments: a name for the temporary directory and the message shown when a server must start.
# Makes $WORK (removed on exit) and points TESSERA_PI_* at a server: the one ./tests/run-all.sh
# started, else one of our own under $WORK, stopped on exit. Defines PY (the server's venv
# python) and pi (the admin API helper).
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tessera-$1.XXXXXX")
OWN_SERVER=
_pi_cleanup() {
    if [ -n "$OWN_SERVER" ]; then
        bash tests/privacyidea/server.sh stop "$WORK/pi" >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap _pi_cleanup EXIT
if [ -z "${TESSERA_PI_URL:-}" ]; then
    step "$2"
    OWN_SERVER=1
    bash tests/privacyidea/server.sh start "$WORK/pi" >"$WORK/pi-start.log" 2>&1 \
        || { cat "$WORK/pi-start.log" >&2; exit 1; }
    set -a; . "$WORK/pi/pi.env"; set +a
fi
PY=$TESSERA_CACHE/privacyidea-3.14/bin/python
pi() { "$PY" tests/privacyidea/pi_admin.py "$@"; }
