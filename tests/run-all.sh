#!/usr/bin/env bash
# Every test of Tessera, as CI runs it (.ci/run calls exactly this). Installs what it needs on a
# fresh Debian 12 machine and starts (and stops) every server its tests use.
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/lib.sh

step "prerequisites (apt)"
# oathtool: the independent OTP implementation the cross-check test compares against.
apt_need oathtool

# privacyIDEA (OTP + push interop tests) starts in the background now (~35 s cold, more on
# a first install) and is stopped on any exit; cargo test and the suites get TESSERA_PI_*.
step "privacyIDEA: starting in the background"
PI_STATE=$(mktemp -d "${TMPDIR:-/tmp}/tessera-pi.XXXXXX")
bash tests/privacyidea/server.sh start "$PI_STATE/server" >"$PI_STATE/start.log" 2>&1 &
PI_STARTER=$!
pi_stop() {
    kill "$PI_STARTER" 2>/dev/null || true
    bash tests/privacyidea/server.sh stop "$PI_STATE/server" >/dev/null 2>&1 || true
    rm -rf "$PI_STATE"
}
trap pi_stop EXIT

step "rust: formatting"
cargo fmt --all -- --check

step "rust: clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "privacyIDEA: waiting until it is ready"
if ! wait "$PI_STARTER"; then
    cat "$PI_STATE/start.log" >&2
    echo "privacyIDEA did not start" >&2
    exit 1
fi
set -a; . "$PI_STATE/server/pi.env"; set +a
echo "privacyIDEA ready at $TESSERA_PI_URL"

step "rust: tests"
cargo test --workspace --locked

# Cross-language and interop suites, each a tests/<suite>/run.sh that sets up what it needs.
for suite in tests/*/run.sh; do
    [ -e "$suite" ] || continue
    step "suite ${suite%/run.sh}"
    bash "$suite"
done
step "all tests passed"
