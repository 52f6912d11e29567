#!/usr/bin/env bash
# Server-time suite: `tessera time` and `codes` with this machine's clock genuinely wrong
# (libfaketime from Debian shifts the clock of the tessera process by an hour) against the real
# privacyIDEA: before a sync `codes` prints the code of the wrong time; after `time sync` it
# prints the code of the true time, as oathtool (an independent implementation) computes it at
# the true time, and privacyIDEA's /validate/check accepts it. Needs TESSERA_PI_*
# (./tests/run-all.sh starts the server); without them it starts its own.
# Ends with `servertime: N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh

step "servertime: prerequisites (faketime, oathtool)"
apt_need faketime oathtool

. tests/privacyidea/use-server.sh servertime "servertime: starting a local server"
json() { "$PY" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

step "servertime: building the tessera CLI"
cargo build -q -p tessera-cli
TESSERA=$PWD/target/debug/tessera
tessera() { "$TESSERA" --vault "$WORK/vault.sqlite" "$@"; }
# The same command with the clock an hour behind (only this process's clock: the server, the
# checks and oathtool keep the true time).
late() { faketime -f -3600s "$TESSERA" --vault "$WORK/vault.sqlite" "$@"; }

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "  ok   $1"; }
bad() { failed=$((failed + 1)); echo "  FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
run() { RC=0; OUT=$("$@" 2>"$WORK/err") || RC=$?; ERR=$(cat "$WORK/err"); }

step "servertime: a TOTP token of privacyIDEA in a vault whose machine clock is an hour late"
tessera init >/dev/null
U=time-$(date +%s%N | tail -c 7)
pi user "$U"
URI=$(pi token "$U" totp time-pin)
tessera add - <<<"$URI" >/dev/null
SECRET=$("$PY" -c "import sys,urllib.parse as u; print(u.parse_qs(u.urlparse(sys.argv[1]).query)['secret'][0])" "$URI")
true_codes() { oathtool --totp -b "$SECRET" -w 1 --now "$(date -u -d "@$(( $(date +%s) - 30 ))" '+%Y-%m-%d %H:%M:%S UTC')"; }

# the clock really is wrong for tessera: its own notion of now is an hour behind
run late time show --json
check "time show --json before any sync prints null" '[ "$RC" = 0 ] && [ "$OUT" = null ]'
run late time sync
check "no URL and no push token to ask: a usage error naming what to give, nothing stored" \
    '[ "$RC" = 2 ] && [[ $ERR == *"push token"* ]] && [ "$(late time show --json)" = null ]'
LATE_NOW=$(faketime -f -3600s date +%s)
check "faketime puts the tessera process an hour behind" '[ $(( $(date +%s) - LATE_NOW )) -ge 3590 ]'
run late codes --json
LATE_NOW=$(faketime -f -3600s date +%s)
CODE=$(json 'd[0]["code"]' <<<"$OUT")
TRUE=$(true_codes | tr '\n' ' ')
check "without a sync, codes prints a code that is not the true time's ($CODE vs $TRUE)" '[[ " $TRUE" != *" $CODE "* ]]'
LATE=$(oathtool --totp -b "$SECRET" -w 1 --now "$(date -u -d "@$((LATE_NOW - 30))" '+%Y-%m-%d %H:%M:%S UTC')" | tr '\n' ' ')
check "…but the code of the wrong clock's time (oathtool agrees: $LATE)" '[[ " $LATE" == *" $CODE "* ]]'

step "servertime: sync with privacyIDEA's clock"
run late time sync "$TESSERA_PI_URL/" --json
check "time sync exits 0" '[ "$RC" = 0 ]'
OFFSET=$(json 'd["offset_seconds"]' <<<"$OUT")
check "the offset is the hour the clock lags (got $OFFSET)" '[ "$OFFSET" -ge 3598 ] && [ "$OFFSET" -le 3602 ]'
check "an hour is reported as a warning" '[ "$(json "d[\"warning\"]" <<<"$OUT")" = True ]'
check "the source names the server's host, not its URL" '[ "$(json "d[\"source\"]" <<<"$OUT")" = "${TESSERA_PI_URL#http://}" ]'
run late time sync "$TESSERA_PI_URL/"
check "human output states the offset and warns on stderr" '[[ $OUT == "clock offset +"* ]] && [[ $ERR == *"warning"* ]]'
run late time show --json
check "time show --json gives the stored offset" '[ "$(json "d[\"offset_seconds\"]" <<<"$OUT")" = "$OFFSET" ] || [ "$(json "abs(d[\"offset_seconds\"] - $OFFSET) <= 1" <<<"$OUT")" = True ]'

step "servertime: codes at the corrected time"
run late codes --json
CODE=$(json 'd[0]["code"]' <<<"$OUT")
TRUE=$(true_codes | tr '\n' ' ')
check "after the sync, codes prints the true time's code ($CODE in $TRUE)" '[[ " $TRUE" == *" $CODE "* ]]'
read -r AUTH _ < <(pi check "$U" "time-pin$CODE")
check "privacyIDEA's /validate/check accepts it" '[ "$AUTH" = ACCEPT ]'

step "servertime: refusals and reset"
run late time sync "http://pi.example.invalid/"
check "plain http to a remote host is refused before anything is sent" '[ "$RC" = 1 ] && [[ $ERR == *"http"* ]]'
CLOSED=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run late time sync "http://127.0.0.1:$CLOSED/"
check "no server: a network error, exit 1, the stored offset kept" '[ "$RC" = 1 ] && [ "$(late time show --json | json "d[\"offset_seconds\"] >= 3598")" = True ]'
run late time reset
check "time reset exits 0" '[ "$RC" = 0 ]'
run late time show --json
check "after the reset nothing is stored" '[ "$OUT" = null ]'
run late codes --json
CODE=$(json 'd[0]["code"]' <<<"$OUT")
TRUE=$(true_codes | tr '\n' ' ')
check "after the reset, codes follow the wrong clock again" '[[ " $TRUE" != *" $CODE "* ]]'

echo "servertime: $passed passed, $failed failed"
[ "$failed" = 0 ]
