#!/usr/bin/env bash
# Interop suite of the exports to other apps (2FAS, Ente Auth, Proton Authenticator, Bitwarden):
# Tessera's exports opened by independent implementations - hashlib + cryptography (PBKDF2 +
# AES-GCM) for 2FAS, libsodium through Debian's PyNaCl (Argon2id + secretstream) for Ente,
# argon2-cffi + cryptography (Argon2id + AES-256-GCM) for Proton, Python's json for Bitwarden -
# checked against the apps' importers' rules, with codes from an independent OTP
# implementation (core/tests/app_exports.rs, tests/fixtures/transfer/check_app_export.py).
# The test must not skip here.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh

step "transfer-apps: prerequisites (python3-nacl, python3-argon2, python3-cryptography)"
apt_need python3-nacl python3-argon2 python3-cryptography

step "transfer-apps: 2FAS, Ente, Proton and Bitwarden exports opened by independent implementations"
TESSERA_PYTHON=/usr/bin/python3 TESSERA_REQUIRE_PYTHON=1 cargo test -q --locked -p tessera-core --test app_exports
