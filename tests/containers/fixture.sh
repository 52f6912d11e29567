#!/usr/bin/env bash
# fixture.sh PREFIX NAME... : for each NAME, a fresh privacyIDEA user with a smartphone
# container holding one TOTP token (PIN "totp-pin"), and that container's registration QR URI,
# printed as shell assignments for the binding suites:
#   TESSERA_PI_CONTAINER_USER_<NAME>=…  TESSERA_PI_CONTAINER_QR_<NAME>=…
# Needs TESSERA_PI_* (the server of tests/run-all.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
PY=$TESSERA_CACHE/privacyidea-3.14/bin/python
pc() { "$PY" tests/containers/pi_container.py "$@"; }
prefix=$1; shift
pc setup
for name in "$@"; do
    user=$prefix-$name-$(date +%s%N | tail -c 7)
    "$PY" tests/privacyidea/pi_admin.py user "$user"
    cs=$(pc create "$user")
    pc token "$user" "$cs" totp totp-pin >/dev/null
    printf 'export TESSERA_PI_CONTAINER_USER_%s=%q TESSERA_PI_CONTAINER_QR_%s=%q\n' "$name" "$user" "$name" "$(pc qr "$cs")"
done
