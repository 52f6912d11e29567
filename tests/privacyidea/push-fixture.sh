#!/usr/bin/env bash
# push-fixture.sh PREFIX NAME... : for each NAME, a fresh privacyIDEA user with a push token
# (PIN "push-pin"), printed as shell assignments for the binding suites:
#   TESSERA_PI_PUSH_USER_<NAME>=…  TESSERA_PI_PUSH_URI_<NAME>=…
# Needs TESSERA_PI_* (the server of tests/run-all.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
PY=$TESSERA_CACHE/privacyidea-3.14/bin/python
prefix=$1; shift
for name in "$@"; do
    user=$prefix-$name-$(date +%s%N | tail -c 7)
    "$PY" tests/privacyidea/pi_admin.py user "$user"
    uri=$("$PY" tests/privacyidea/pi_admin.py token "$user" push push-pin)
    printf 'export TESSERA_PI_PUSH_USER_%s=%q TESSERA_PI_PUSH_URI_%s=%q\n' "$name" "$user" "$name" "$uri"
done
