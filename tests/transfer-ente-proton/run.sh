#!/usr/bin/env bash
# Ente Auth and Proton Authenticator interop suite: Tessera's exports opened by independent
# implementations - libsodium through Debian's PyNaCl (Argon2id + secretstream) for Ente,
# argon2-cffi + cryptography (Argon2id + AES-256-GCM) for Proton - which must not skip here.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh

step "transfer-ente-proton: prerequisites (python3-nacl, python3-argon2, python3-cryptography)"
apt_need python3-nacl python3-argon2 python3-cryptography

step "transfer-ente-proton: Ente and Proton exports opened by libsodium / argon2-cffi + cryptography"
TESSERA_PYTHON=/usr/bin/python3 TESSERA_REQUIRE_PYTHON=1 cargo test -q --locked -p tessera-core --test ente_proton_interop
