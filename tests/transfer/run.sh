#!/usr/bin/env bash
# Transfer interop suite: Tessera's Aegis exports opened by an independent Python implementation
# of Aegis's documented vault format (tests/fixtures/transfer/check_aegis_export.py), which
# also computes the codes; and the move to a new phone both ways with an implementation of
# docs/move.md (tests/fixtures/move/move_peer.py). Installs python3-cryptography; the tests may
# not skip here.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh

step "transfer: prerequisites (python3-cryptography)"
apt_need python3-cryptography

step "transfer: Aegis export opened by an independent implementation"
TESSERA_PYTHON=/usr/bin/python3 TESSERA_REQUIRE_PYTHON=1 cargo test -q --locked -p tessera-core --test transfer_interop

step "transfer: the move to a new phone, both ways, with an independent implementation"
TESSERA_PYTHON=/usr/bin/python3 TESSERA_REQUIRE_PYTHON=1 cargo test -q --locked -p tessera-core --test handover_interop
