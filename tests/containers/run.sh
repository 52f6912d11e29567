#!/usr/bin/env bash
# Container CLI suite: the `tessera container` contract against a real privacyIDEA 3.14
# (register from stdin and sync, list/sync JSON, a TOTP the server accepts, a push token that
# approves a login, code to phone through `push approve --json`, server add and delete,
# rollover to a second vault with the first locked out, unregister, a passphrase, an expired
# and a foreign URI). Needs TESSERA_PI_* (./tests/run-all.sh starts the server); without them
# it starts its own. Ends with `containers-cli: N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh

. tests/privacyidea/use-server.sh containers "containers: starting a local server"
json() { "$PY" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
pc() { "$PY" tests/containers/pi_container.py "$@"; }

step "containers: building the tessera CLI"
cargo build -q -p tessera-cli
A="$WORK/a.sqlite" B="$WORK/b.sqlite"
tessera() { ./target/debug/tessera --vault "$V" "$@"; }
V=$A tessera init >/dev/null
V=$B tessera init >/dev/null

passed=0 failed=0
check() { if eval "$2"; then passed=$((passed + 1)); echo "  ok   $1"; else failed=$((failed + 1)); echo "  FAIL $1"; echo "       out: ${OUT:0:300}"; echo "       err: ${ERR:0:300}"; fi; }
run() { RC=0; OUT=$("$@" 2>"$WORK/err") || RC=$?; ERR=$(cat "$WORK/err"); }

step "containers: register, sync, list"
pc setup
U=cc-$(date +%s%N | tail -c 7)
pi user "$U"
CS=$(pc create "$U")
TOTP=$(pc token "$U" "$CS" totp totp-pin)
PUSH=$(pc token "$U" "$CS" push push-pin)
V=$A
run tessera container register - <<<"$(pc qr "$CS")"
check "register from stdin exits 0, then syncs" '[ "$RC" = 0 ] && [[ $OUT == "registered container $CS"* ]] && [[ $OUT == *"2 added"* ]]'
run tessera container list --json
GOT=$(json '" ".join(map(str, (len(d), d[0]["serial"], d[0]["state"], len(d[0]["tokens"]))))' <<<"$OUT")
check "list --json: the container, registered, with its 2 tokens" '[ "$GOT" = "1 $CS registered 2" ]'
GOT=$(json '" ".join(sorted(d[0]["policies"]))' <<<"$OUT")
check "list --json: the policy flags are exposed" '[ "$GOT" = "client_rollover disable_client_token_deletion disable_client_unregister initially_add_tokens" ]'
CODE=$(tessera codes --json | json '[c["code"] for c in d if c["label"] == "'"$TOTP"'"][0]')
check "the synced TOTP's code logs in" '[ "$(pi check "$U" "totp-pin$CODE" | cut -d" " -f1)" = ACCEPT ]'

read -r _ TXID _ < <(pi check "$U" push-pin)
ID=$(tessera push poll --json | json 'd[0]["id"]')
run tessera push approve "$ID" --json
GOT=$(json 'd["accepted"], d["display_code"]' <<<"$OUT")
check "push approve --json: accepted, display_code null" '[ "$RC" = 0 ] && [ "$GOT" = "True None" ]'
check "the synced push token approved the login" '[ "$(pi check "$U" "" "$TXID" | cut -d" " -f1)" = ACCEPT ]'

pi policy "tessera-cc2p-$U" "$U" push_code_to_phone
read -r _ TXID _ < <(pi check "$U" push-pin)
ID=$(tessera push poll --json | json 'd[0]["id"]')
run tessera push approve "$ID" --json
C2P=$(json 'd["display_code"] or ""' <<<"$OUT")
check "code to phone: approve --json carries display_code" '[ "$RC" = 0 ] && [[ $C2P =~ ^[0-9]+$ ]]'
check "code to phone: the login accepts the display code" '[ "$(pi check "$U" "$C2P" "$TXID" | cut -d" " -f1)" = ACCEPT ]'
pc unflag "tessera-cc2p-$U"

step "containers: the server adds and deletes tokens"
TOTP2=$(pc token "$U" "$CS" totp totp-pin)
run tessera container sync --json
GOT=$(json '" ".join(a["serial"] for a in d[0]["added"]), d[0]["error"]' <<<"$OUT")
check "sync --json: the server-added token arrives" '[ "$RC" = 0 ] && [ "$GOT" = "$TOTP2 None" ]'
pc delete-token "$TOTP"
run tessera container sync --json
GOT=$(json '" ".join(a["serial"] for a in d[0]["removed"])' <<<"$OUT")
check "sync --json: the server-deleted token leaves" '[ "$RC" = 0 ] && [ "$GOT" = "$TOTP" ]'
GOT=$(tessera trash --json | json "len([a for a in d if a['label'] == '$TOTP'])")
check "the removed account is in the trash" '[ "$GOT" = 1 ]'

pc flag "tessera-ccdel-$U" "$U" disable_client_token_deletion
tessera container sync >/dev/null
ID2=$(tessera list --json | json "[a['id'] for a in d if a['label'] == '$TOTP2'][0]")
run tessera rm "$ID2"
check "rm of a container token is refused under disable_client_token_deletion" '[ "$RC" = 1 ] && [[ $ERR == *"does not allow deleting"* ]]'
pc unflag "tessera-ccdel-$U"
tessera container sync >/dev/null

step "containers: rollover to a second vault"
run tessera container rollover --qr "$WORK/new.png"
check "rollover without container_client_rollover exits 1, naming the policy" '[ "$RC" = 1 ] && [[ $ERR == *container_client_rollover* ]]'
pc flag "tessera-ccroll-$U" "$U" container_client_rollover
tessera container sync >/dev/null
run tessera container rollover --qr "$WORK/new.png"
NEW_URI=$(head -1 <<<"$OUT")
check "rollover prints the new registration URI first" '[ "$RC" = 0 ] && [[ $NEW_URI == "pia://container/$CS?"* ]]'
check "rollover --qr writes a PNG" '[ "$(head -c 8 "$WORK/new.png" | od -An -tx1 | tr -d " \n")" = 89504e470d0a1a0a ]'
V=$B
run tessera container register - <<<"$NEW_URI"
check "the second vault registers with it and gets every token" '[ "$RC" = 0 ] && [[ $OUT == *"registered container $CS"* ]] && [[ $OUT == *"2 added"* ]]'
V=$A
run tessera container sync
check "the first vault is locked out and says so (exit 1)" '[ "$RC" = 1 ] && [[ $ERR == *"locked out"* ]]'
GOT=$(tessera container list --json | json 'd[0]["state"]')
check "list shows it locked_out" '[ "$GOT" = locked_out ]'
GOT=$(tessera codes --json | json "len([c for c in d if c['label'] == '$TOTP2' and c['code']])")
check "its accounts stay readable" '[ "$GOT" = 1 ]'
pc unflag "tessera-ccroll-$U"

step "containers: unregister"
V=$B
run tessera container unregister "$CS"
check "unregister exits 0" '[ "$RC" = 0 ] && [[ $OUT == "unregistered container $CS"* ]]'
check "the server no longer has it registered" '[ -z "$(pc state "$CS")" ]'
GOT=$(tessera codes --json | json "len([c for c in d if c['label'] == '$TOTP2'])")
check "the accounts stay" '[ "$GOT" = 1 ]'

step "containers: passphrase, expired and foreign URIs"
U2=cp-$(date +%s%N | tail -c 7)
pi user "$U2"
CS2=$(pc create "$U2")
QR=$(pc qr "$CS2" "Staff number?" "4711")
V="$WORK/c.sqlite"
tessera init >/dev/null
run tessera container register - <<<"$QR"
check "a passphrase QR without --passphrase-file (no terminal) exits 1 with the question" '[ "$RC" = 1 ] && [[ $ERR == *"Staff number?"* ]]'
printf 'wrong\n' >"$WORK/pp"
run tessera container register - --passphrase-file "$WORK/pp" <<<"$QR"
check "a wrong passphrase exits 1, saying so" '[ "$RC" = 1 ] && [[ $ERR == *"wrong passphrase"* ]]'
printf '4711\n' >"$WORK/pp"
run tessera container register - --passphrase-file "$WORK/pp" <<<"$QR"
check "the right passphrase registers" '[ "$RC" = 0 ]'
OLD=$(sed -E 's/time=[^&]*/time=2020-01-01T00%3A00%3A00%2B00%3A00/' <<<"$(pc qr "$CS")")
run tessera container register - <<<"$OLD"
check "an expired QR exits 1 before contacting the server" '[ "$RC" = 1 ] && [[ $ERR == *"expired"* ]]'
run tessera container register "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"
check "a foreign URI exits 1 without repeating it" '[ "$RC" = 1 ] && [[ $ERR == *"not a privacyIDEA container"* ]] && [[ $ERR != *JBSWY3DP* ]]'

echo "containers-cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
