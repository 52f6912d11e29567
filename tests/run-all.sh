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
    kill "${FUZZ_BUILDER:-}" 2>/dev/null || true
    bash tests/privacyidea/server.sh stop "$PI_STATE/server" >/dev/null 2>&1 || true
    rm -rf "$PI_STATE"
}
trap pi_stop EXIT

# The fuzz targets (fuzz/, nightly) build in the background too: a cold build is ~4 min of CPU
# that overlaps the steps that wait on the network; they run briefly at the end.
step "fuzz: building the targets in the background"
FUZZ_LOG="$PI_STATE/fuzz-build.log"
bash fuzz/run-brief.sh --build-only >"$FUZZ_LOG" 2>&1 &
FUZZ_BUILDER=$!

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
# The mobile library (what the apps ship: `--no-default-features`) under the Kotlin and Swift
# suites too, where push and containers go through the platform's HTTP stack and keys and the
# calls the mobile library leaves out must say what replaces them (tests/android-app runs
# against it already). Only tessera-core and tessera-ffi build a second time.
for suite in kotlin swift; do
    step "suite tests/$suite against the mobile library"
    TESSERA_FFI_BUILD=mobile bash "tests/$suite/run.sh"
done
step "fuzz: waiting for the targets' build"
if ! wait "$FUZZ_BUILDER"; then
    cat "$FUZZ_LOG" >&2
    echo "the fuzz targets did not build" >&2
    exit 1
fi
bash fuzz/run-brief.sh

step "all tests passed"
