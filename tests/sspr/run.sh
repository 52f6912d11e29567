#!/usr/bin/env bash
# Browser suite: the SSPR portal (tests/sspr/portal.py) driven in headless Chromium against
# privacyIDEA, with the `tessera` CLI as the phone: registration (both QR codes scanned from
# the page), push approve, number matching, a wrong number, "this wasn't me", a TOTP code
# (wrong and reused codes refused), a push nobody answers, and the portal's own hygiene.
# Screenshots of every page: target/sspr/screenshots/ (or $SSPR_SHOTS).
# Ends with `browser: N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/sspr/common.sh sspr

SHOTS=${SSPR_SHOTS:-target/sspr/screenshots}
rm -rf "$SHOTS"
step "sspr: browser scenarios"
# a short push timeout keeps the two scenarios that wait for it (wrong number, no answer) quick
browser_test --shots "$SHOTS" --push-timeout 12
