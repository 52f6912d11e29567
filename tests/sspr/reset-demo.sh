#!/usr/bin/env bash
# The self-service password reset, end to end in a real browser: a local privacyIDEA, the SSPR
# portal (tests/sspr/portal.py), Chromium and Tessera as the phone.
#  1. registration: the user signs in with the current password; the portal shows a TOTP and a
#     push QR code; Tessera reads both from the page's images (`tessera import`,
#     `tessera push enroll --image`) and its first code confirms;
#  2. reset with number matching: username, "approve on my phone", the page shows a number,
#     `tessera push approve ID --answer N` picks it, a new password, the final page.
#   tests/sspr/reset-demo.sh [--show]     --show: a visible browser window (needs a display)
# Screenshots of every page go to target/sspr/demo/ (or $SSPR_SHOTS); the script prints it.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
SHOW=()
case "${1:-}" in
    --show) SHOW=(--show) ;;
    "") ;;
    *) echo "usage: tests/sspr/reset-demo.sh [--show]" >&2; exit 2 ;;
esac
. tests/sspr/common.sh sspr-demo

SHOTS=${SSPR_SHOTS:-target/sspr/demo}
rm -rf "$SHOTS"
step "sspr: registration, then a password reset with number matching"
browser_test --demo --shots "$SHOTS" --push-timeout 60 "${SHOW[@]}"
