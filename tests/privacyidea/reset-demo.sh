#!/usr/bin/env bash
# The password-reset scenario, end to end on this machine:
#  1. starts a local privacyIDEA 3.14 (tests/privacyidea/server.sh; installed on first use),
#  2. enrolls a TOTP account and a push token for user "alice" into a fresh Tessera vault,
#  3. shows a verification code, which the server ACCEPTs,
#  4. a script standing for the reset page triggers a push; the user approves it in the
#     `tessera` CLI; the reset page prints the server's ACCEPT.
# Uses the server of ./tests/run-all.sh when TESSERA_PI_URL is set; else starts (and stops) one.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh

. tests/privacyidea/use-server.sh reset "starting a local privacyIDEA (first run installs it: ~1-2 min)"

step "building the tessera CLI"
cargo build -q -p tessera-cli
tessera() { ./target/debug/tessera --vault "$WORK/vault.sqlite" "$@"; }
tessera init >/dev/null

USER_NAME=alice-$(date +%s%N | tail -c 7)
pi user "$USER_NAME"
echo "privacyIDEA at $TESSERA_PI_URL, user $USER_NAME"

step "1. enroll a TOTP account (admin: /token/init type=totp) into the Tessera vault"
tessera add "$(pi token "$USER_NAME" totp otp-pin hashlib=sha256)" >/dev/null
CODE=$(tessera codes --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["code"])')
echo "Tessera shows the verification code $CODE"
RESULT=$(pi check "$USER_NAME" "otp-pin$CODE")
echo "reset page: /validate/check with PIN + code -> $RESULT"
[ "${RESULT%% *}" = ACCEPT ] || { echo "the server did not accept the code" >&2; exit 1; }

step "2. enroll a push token (admin: /token/init type=push) with tessera push enroll"
tessera push enroll --bits 2048 "$(pi token "$USER_NAME" push push-pin)"

step "3. the reset page asks for a push approval"
read -r AUTH TXID _ < <(pi check "$USER_NAME" push-pin)
echo "reset page: /validate/check -> $AUTH (transaction $TXID); waiting for the phone"

step "4. the user sees the request in Tessera and approves it"
tessera push poll
ID=$(tessera push poll --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
tessera push approve "$ID"

step "5. the reset page checks the answer"
echo "reset page: polltransaction -> $(pi status "$TXID")"
FINAL=$(pi check "$USER_NAME" "" "$TXID")
echo "reset page: final /validate/check -> $FINAL"
[ "${FINAL%% *}" = ACCEPT ] || { echo "the server did not accept the push approval" >&2; exit 1; }
echo "password reset allowed: the server said ${FINAL%% *}"
