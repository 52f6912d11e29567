# Sourced by tests/sspr/run.sh and tests/sspr/reset-demo.sh (after tests/lib.sh), with one
# argument, the name of the temporary directory. Installs what the browser scenarios need
# (Debian's chromium and chromium-driver, Selenium from PyPI in its own cached venv), points
# TESSERA_PI_* at a privacyIDEA (the one of ./tests/run-all.sh, else our own), builds the CLI
# and defines `browser_test ARGS…`, which runs tests/sspr/browser_test.py in its own process
# group; that group (the portal, chromedriver and Chromium with it) is ended on any exit.

# 4.52.0 needs a certifi newer than some PyPI mirrors carry; 4.51.0 drives Chromium 156 fine.
SELENIUM_VERSION=4.51.0
SELENIUM_VENV="$TESSERA_CACHE/selenium-$SELENIUM_VERSION"

step "sspr: prerequisites (chromium, chromium-driver, selenium $SELENIUM_VERSION)"
apt_need chromium chromium-driver
if ! "$SELENIUM_VENV/bin/python" -c 'import selenium' 2>/dev/null; then
    apt_need python3-venv
    rm -rf "$SELENIUM_VENV"
    python3 -m venv "$SELENIUM_VENV"
    "$SELENIUM_VENV/bin/python" -m pip install -q --disable-pip-version-check "selenium==$SELENIUM_VERSION"
fi

. tests/privacyidea/use-server.sh "$1" "sspr: starting a local privacyIDEA (first run installs it: ~1-2 min)"

step "sspr: building the tessera CLI"
cargo build -q -p tessera-cli

BROWSER_PGID=
_sspr_cleanup() {
    if [ -n "$BROWSER_PGID" ]; then kill -- "-$BROWSER_PGID" 2>/dev/null || true; fi
    _pi_cleanup
}
trap _sspr_cleanup EXIT
trap 'exit 130' INT TERM

# the test and the portal import modules from tests/sspr: no bytecode caches in the tree
export PYTHONDONTWRITEBYTECODE=1

browser_test() {
    # setsid: the test, the portal it starts, chromedriver and Chromium share one process
    # group, which the EXIT trap ends whatever happens (the portal also exits when the test
    # process is gone)
    local rc=0
    setsid "$SELENIUM_VENV/bin/python" tests/sspr/browser_test.py --tessera ./target/debug/tessera \
        --work "$WORK" --pi-python "$PY" "$@" </dev/null &
    BROWSER_PGID=$!
    wait "$BROWSER_PGID" || rc=$?
    kill -- "-$BROWSER_PGID" 2>/dev/null || true
    BROWSER_PGID=
    return "$rc"
}
