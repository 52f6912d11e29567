#!/usr/bin/env bash
# Every test of Tessera, as CI runs it (.ci/run calls exactly this). Installs what it needs on a
# fresh Debian 12 machine and starts (and stops) every server its tests use.
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/lib.sh

step "prerequisites (apt)"
# oathtool: the independent OTP implementation the cross-check test compares against.
apt_need oathtool

step "rust: formatting"
cargo fmt --all -- --check

step "rust: clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "rust: tests"
cargo test --workspace --locked

# Cross-language and interop suites, each a tests/<suite>/run.sh that sets up what it needs.
for suite in tests/*/run.sh; do
    [ -e "$suite" ] || continue
    step "suite ${suite%/run.sh}"
    bash "$suite"
done
step "all tests passed"
