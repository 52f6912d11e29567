#!/usr/bin/env bash
# privacyIDEA suite: the `tessera push` CLI contract against the real server (JSON shape of
# `push poll --json`, exit codes of approve/deny, number matching, code-to-phone), then the
# password-reset scenario of the README. Needs TESSERA_PI_* (./tests/run-all.sh starts the
# server); without them it starts its own. Ends with `privacyidea-cli: N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh

. tests/privacyidea/use-server.sh pi-cli "privacyidea: starting a local server"
json() { "$PY" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

step "privacyidea: building the tessera CLI"
cargo build -q -p tessera-cli
tessera() { ./target/debug/tessera --vault "$WORK/vault.sqlite" "$@"; }
tessera init >/dev/null

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "  ok   $1"; }
bad() { failed=$((failed + 1)); echo "  FAIL $1"; }
# run CMD, keep stdout/stderr/exit code in OUT/ERR/RC
run() { RC=0; OUT=$("$@" 2>"$WORK/err") || RC=$?; ERR=$(cat "$WORK/err"); }

step "privacyidea: push CLI contract"
U=cli-$(date +%s%N | tail -c 7)
pi user "$U"
pi policy "tessera-cli-nm-$U" "$U" "push_require_presence, push_presence_options=NUMERIC, push_presence_num_options=3"
run tessera push enroll --bits 2048 "$(pi token "$U" push push-pin)"
if [ "$RC" = 0 ] && [[ $OUT == "enrolled push token PIPU"* ]]; then ok "enroll exits 0 and names the serial"; else bad "enroll exits 0 and names the serial"; fi
run tessera push list --json
if [ "$(json 'len(d)' <<<"$OUT")" = 1 ]; then ok "list --json has the token"; else bad "list --json has the token"; fi
run tessera push poll --json
if [ "$RC" = 0 ] && [ "$OUT" = "[]" ]; then ok "poll --json without requests prints []"; else bad "poll --json without requests prints []"; fi

read -r AUTH TXID SHOWN < <(pi check "$U" push-pin)
run tessera push poll --json
if [ "$(json 'len(d)' <<<"$OUT")" = 1 ]; then ok "poll --json lists the request"; else bad "poll --json lists the request"; fi
if [ "$(json '",".join(k for k in ("id","serial","title","question") if d[0].get(k))' <<<"$OUT")" = "id,serial,title,question" ]; then ok "request has id, serial, title, question"; else bad "request has id, serial, title, question"; fi
if [ "$(json '",".join(k for k in ("issuer","label","received_at","expires_at") if d[0].get(k)) + "," + str(d[0]["is_new"])' <<<"$OUT")" = "issuer,label,received_at,expires_at,True" ]; then ok "request has its token's issuer and label, expires_at, and is new"; else bad "request has its token's issuer and label, expires_at, and is new"; fi
if [ "$(json 'd[0]["expires_at"] - d[0]["received_at"]' <<<"$OUT")" = 120 ]; then ok "expires_at is 120 s after receipt"; else bad "expires_at is 120 s after receipt"; fi
if [ "$(json "len(d[0]['choices']) == 3 and '$SHOWN' in d[0]['choices']" <<<"$OUT")" = True ]; then ok "choices are the offered numbers, the login screen's among them"; else bad "choices are the offered numbers, the login screen's among them"; fi
ID=$(json 'd[0]["id"]' <<<"$OUT")
WRONG=$(json "[c for c in d[0]['choices'] if c != '$SHOWN'][0]" <<<"$OUT")
run tessera push approve "$ID"
if [ "$RC" = 1 ] && [[ $ERR == *"number"* ]]; then ok "approve without --answer on number matching exits 1"; else bad "approve without --answer on number matching exits 1"; fi
run tessera push approve "$ID" --answer "$WRONG"
if [ "$RC" = 1 ] && [[ $ERR == *"refused"* ]]; then ok "a wrong number: the server refuses, exit 1 with a clear message"; else bad "a wrong number: the server refuses, exit 1 with a clear message"; fi
run tessera push approve "${ID:0:8}" --answer "$SHOWN"
if [ "$RC" = 0 ] && [[ $OUT == *"accepted"* ]]; then ok "the right number (by id prefix): exit 0"; else bad "the right number (by id prefix): exit 0"; fi
if [ "$(pi check "$U" "" "$TXID" | cut -d' ' -f1)" = ACCEPT ]; then ok "the reset page gets ACCEPT"; else bad "the reset page gets ACCEPT"; fi
run tessera push approve "$ID" --answer "$SHOWN"
if [ "$RC" = 1 ]; then ok "answering again exits 1"; else bad "answering again exits 1"; fi

U2=cli-$(date +%s%N | tail -c 7)
pi user "$U2"
pi policy "tessera-cli-c2p-$U2" "$U2" "push_code_to_phone"
# The URI on stdin (`-`), as a careful user passes it: the credential stays out of `ps`.
URI2=$(pi token "$U2" push push-pin)
run tessera push enroll --bits 2048 - <<<"$URI2"
if [ "$RC" = 0 ] && [[ $OUT == "enrolled push token PIPU"* ]]; then ok "enroll - reads the URI from stdin"; else bad "enroll - reads the URI from stdin"; fi
read -r AUTH TXID _ < <(pi check "$U2" push-pin)
ID=$(tessera push poll --json | json '[r["id"] for r in d if r["serial"]][0]')
run tessera push deny "$ID" --reason cancel
if [ "$RC" = 0 ] && [[ $OUT == denied* ]]; then ok "deny --reason cancel exits 0"; else bad "deny --reason cancel exits 0"; fi
if [ "$(pi check "$U2" "" "$TXID" | cut -d' ' -f1)" = REJECT ]; then ok "after a deny the reset page gets REJECT"; else bad "after a deny the reset page gets REJECT"; fi
read -r AUTH TXID _ < <(pi check "$U2" push-pin)
ID=$(tessera push poll --json | json 'd[0]["id"]')
run tessera push approve "$ID"
CODE=$(sed -nE 's/.*login page: ([0-9]+)$/\1/p' <<<"$OUT")
if [ "$RC" = 0 ] && [ -n "$CODE" ]; then ok "code-to-phone: approve prints the code to type"; else bad "code-to-phone: approve prints the code to type"; fi
if [ "$(pi check "$U2" "$CODE" "$TXID" | cut -d' ' -f1)" = ACCEPT ]; then ok "code-to-phone: the reset page accepts that code"; else bad "code-to-phone: the reset page accepts that code"; fi
run tessera push deny NOSUCHREQUEST
if [ "$RC" = 1 ] && [[ $ERR == *"no pending push request"* ]]; then ok "deny of an unknown id exits 1"; else bad "deny of an unknown id exits 1"; fi
run tessera push enroll "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"
if [ "$RC" = 1 ] && [[ $ERR == *"not a push enrollment"* ]] && [[ $ERR != *JBSWY3DP* ]]; then ok "enroll of an otpauth TOTP URI exits 1, naming the problem"; else bad "enroll of an otpauth TOTP URI exits 1, naming the problem"; fi

step "privacyidea: core/examples/push_answer.rs, the push example of the API docs"
cargo build -q --locked -p tessera-core --example push_answer
example() { ./target/debug/examples/push_answer "$WORK/example.sqlite" "$@"; }
U3=ex-$(date +%s%N | tail -c 7)
pi user "$U3"
run example enroll <<<"$(pi token "$U3" push push-pin)"
if [ "$RC" = 0 ] && [[ $OUT == "enrolled PIPU"* ]]; then ok "the example enrolls a push token"; else bad "the example enrolls a push token ($ERR)"; fi
read -r AUTH TXID _ < <(pi check "$U3" push-pin)
run example approve
if [ "$RC" = 0 ] && [[ $OUT == *": accepted"* ]]; then ok "the example polls and approves"; else bad "the example polls and approves ($OUT $ERR)"; fi
if [ "$(pi check "$U3" "" "$TXID" | cut -d' ' -f1)" = ACCEPT ]; then ok "after the example's approval the login page gets ACCEPT"; else bad "after the example's approval the login page gets ACCEPT"; fi

step "privacyidea: the password-reset scenario (README)"
if bash tests/privacyidea/reset-demo.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "privacyidea-cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
