#!/usr/bin/env python3
"""Writes the seed corpora of Tessera's fuzz targets into fuzz/corpus/<target>/.

Every seed comes from this project: the import fixtures of tests/fixtures/transfer (written by
their own generators), the otpauth and push-enrollment URIs quoted in core/tests/*.rs, and
privacyIDEA responses written below from docs of the protocol (the shapes core/src/push reads).
Nothing is taken from another project. The corpora are generated, not committed
(fuzz/.gitignore); re-running replaces the seeds and keeps what the fuzzer added.

Usage: python3 fuzz/make_corpus.py [--backup FILE]   (FILE: a Tessera backup to seed with)
"""

import base64
import hashlib
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "transfer")
CORPUS = os.path.join(ROOT, "fuzz", "corpus")

# The import target's first byte is the index of a format in transfer::Format::ALL, read from
# the source so that a new format cannot shift the seeds onto the wrong reader; DETECT is any
# larger value: the format is detected.
VARIANT_PREFIX = {"OtpauthList": "otpauth", "GoogleMigration": "google", "Aegis": "aegis",
                  "TwoFas": "twofas", "AndOtp": "andotp", "FreeOtpPlus": "freeotp",
                  "BitwardenJson": "bitwarden-json", "BitwardenCsv": "bitwarden-csv",
                  "Ente": "ente", "Proton": "proton", "SteamMaFile": "steam",
                  "WinAuth": "winauth", "QrImage": "qr", "TesseraBackup": "tessera",
                  "MicrosoftAuthenticator": "microsoft", "GoogleAuthenticatorDb": "google-db",
                  "AuthenticatorPro": "authpro", "Authy": "authy",
                  "Duo": "duo", "BattleNet": "battlenet",
                  "TotpAuthenticator": "totpauth"}


def format_order():
    with open(os.path.join(ROOT, "core", "src", "transfer", "mod.rs"), encoding="utf-8") as f:
        block = re.search(r"pub const ALL: \[Format; \d+\] = \[(.*?)\];", f.read(), re.S).group(1)
    return [VARIANT_PREFIX.get(v, v) for v in re.findall(r"Format::(\w+)", block)]


FORMATS = format_order()
DETECT = 0xFF
# Images above this are left out: the fuzzer's inputs stay small so each run is fast.
MAX_SEED = 40_000


def seed(target, data):
    """Writes one seed, named by its hash as libFuzzer does."""
    if isinstance(data, str):
        data = data.encode()
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def format_of(name):
    prefix = re.split(r"[_.]", name)[0]
    if prefix == "bitwarden":
        return "bitwarden-csv" if name.endswith(".csv") else "bitwarden-json"
    if prefix in ("otpauth", "google", "aegis", "twofas", "andotp", "ente", "proton", "steam",
                  "winauth"):
        return prefix
    if prefix == "microsoft":
        return "microsoft"
    if prefix == "googleauth":
        return "google-db"
    if prefix in ("authpro", "authy", "duo", "battlenet", "totpauth"):
        return prefix
    if prefix == "freeotp":
        return "freeotp"
    if prefix == "qr":
        return "qr"
    return None


def import_seeds():
    count = 0
    for name in sorted(os.listdir(FIXTURES)):
        fmt = format_of(name)
        if fmt is None or fmt not in FORMATS:
            continue
        with open(os.path.join(FIXTURES, name), "rb") as f:
            data = f.read()
        if len(data) > MAX_SEED:
            continue
        seed("import", bytes([FORMATS.index(fmt)]) + data)
        seed("import", bytes([DETECT]) + data)
        count += 2
    return count


def uri_seeds():
    uris = set()
    for name in os.listdir(os.path.join(ROOT, "core", "tests")):
        if name.endswith(".rs"):
            with open(os.path.join(ROOT, "core", "tests", name), encoding="utf-8") as f:
                uris.update(re.findall(r'"((?:otpauth|pia)://[^"\\]{5,400})"', f.read()))
    for name in ("otpauth_list.txt", "ente_plain.txt", "google_migration.txt"):
        with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
            uris.update(line.strip() for line in f if "://" in line)
    for uri in sorted(uris):
        seed("uri", uri)
    return len(uris)


def pi_seeds():
    """privacyIDEA's envelope: {"result": {"status", "value", "error": {"code"}}, "detail"}."""
    challenge = {
        "nonce": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "url": "https://127.0.0.1:5000/ttype/push",
        "serial": "PIPU0001", "question": "Do you want to reset your password?",
        "title": "privacyIDEA", "sslverify": "1", "signature": "A" * 64 + "====",
        "require_presence": "12,34,56", "version": "2",
        "capabilities": json.dumps({"decline_reason": True}),
        "capabilities_signature": "B" * 56,
    }
    bodies = {
        0: [{"result": {"status": True, "value": True},
             "detail": {"public_key": "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" + "A" * 300}},
            {"result": {"status": False, "error": {"code": 905, "message": "wrong credential"}}},
            {"result": {"status": False, "error": {"code": 601}}}],
        1: [{"result": {"status": True, "value": [challenge]}},
            {"result": {"status": True, "value": []}},
            {"result": {"status": False, "error": {"code": 10}}}],
        2: [{"result": {"status": True, "value": True}, "detail": {"display_code": "123456"}},
            {"result": {"status": True, "value": False}}],
    }
    count = 0
    for selector, docs in bodies.items():
        for doc in docs:
            seed("pi_response", bytes([selector]) + json.dumps(doc).encode())
            seed("pi_response", bytes([selector | 0x80]) + json.dumps(doc).encode())
            count += 2
    payload = "\n".join(f"{k}={v}" for k, v in challenge.items())
    seed("pi_response", bytes([3]) + payload.encode())
    return count + 1


def container_seeds():
    """Token containers: registration QR codes and the server's envelopes per call."""
    qr = ("pia://container/SMPH0001?issuer=privacyIDEA&ttl=10&nonce=abc"
          "&time=2026-11-30T12%3A00%3A00.000000%2B00%3A00&url=https%3A%2F%2Fpi.example%2F"
          "&serial=SMPH0001&key_algorithm=secp384r1&hash_algorithm=SHA256&ssl_verify=True")
    seeds = [bytes([0]) + qr.encode(), bytes([0]) + (qr + "&passphrase=Your+PIN%3F").encode()]
    bodies = {
        1: [{"result": {"status": True, "value": {"success": True, "policies": {
                "container_client_rollover": True, "initially_add_tokens_to_container": False,
                "disable_client_token_deletion": True,
                "disable_client_container_unregister": False}}}},
            {"result": {"status": False, "error": {"code": 3002, "message": "invalid signature"}}}],
        2: [{"result": {"status": True, "value": {"nonce": "n0nce", "time_stamp":
                "2026-11-30T12:00:00.000000+00:00", "enc_key_algorithm": "x25519"}}}],
        3: [{"result": {"status": True, "value": {"encryption_algorithm": "AES",
                "encryption_params": {"mode": "GCM", "init_vector": "A" * 22, "tag": "B" * 22},
                "public_server_key": "C" * 44, "container_dict_server": "D" * 64,
                "policies": {}}}},
            {"result": {"status": False, "error": {"code": 3001}}}],
        4: [{"result": {"status": True, "value": {"container_url": {"value": qr}}}}],
        5: [{"result": {"status": True, "value": {"success": True}}}],
    }
    for selector, docs in bodies.items():
        for doc in docs:
            seeds.append(bytes([selector]) + json.dumps(doc).encode())
            seeds.append(bytes([selector | 0x80]) + json.dumps(doc).encode())
    for data in seeds:
        seed("container", data)
    return len(seeds)


def move_seeds():
    """Move codes in the shapes docs/move.md gives: an offer, a transfer's codes (one per line,
    in and out of order), and codes of a newer version."""
    b32 = lambda data: base64.b32encode(data).decode().rstrip("=")
    offer = f"TESSERA-MOVE:1:OFFER:{b32(bytes(range(10)))}:1800000000:{b32(bytes(range(1, 33)))}"
    tid = b32(bytes(range(20, 30)))
    parts = [f"TESSERA-MOVE:1:PART:{tid}:{i}:3:{b32(bytes([i]) * 440)}" for i in (1, 2, 3)]
    seeds = [offer, "\n".join(parts), "\n".join(reversed(parts)), parts[1],
             offer.replace(":1:", ":2:", 1), parts[0].replace(":3:", ":255:")]
    for data in seeds:
        seed("move_codes", data)
    return len(seeds)


def qr_luma_seeds():
    """Camera frames for the qr_luma target: codes drawn by the target itself (mode byte with
    the high bit set: pixels per module, light on dark) from the URIs of a Google transfer, an
    enrollment and a push enrollment of the fixtures, whole and with a few damaged pixels; and
    raw frames without a code (blank, a gradient, a single row, a size that fills no row)."""
    with open(os.path.join(FIXTURES, "otpauth_list.txt"), encoding="utf-8") as f:
        texts = [line.strip().encode() for line in f if "://" in line][:2]
    with open(os.path.join(FIXTURES, "google_migration.txt"), encoding="utf-8") as f:
        texts += [line.strip().encode() for line in f if "://" in line][:1]
    texts += [b"otpauth://pipush/PIPU0001?url=https%3A%2F%2F127.0.0.1%2Fttype%2Fpush&ttl=10"
              b"&enrollment_credential=00&v=1&serial=PIPU0001&sslverify=0"]
    seeds = []
    for text in (t for t in texts if len(t) < 256):
        for mode in (0x80, 0x81, 0x83, 0x85):
            seeds.append(bytes([mode, len(text)]) + text)
        # Three damaged pixels at a scale of two pixels a module.
        seeds.append(bytes([0x81, len(text)]) + text + bytes([0x10, 0x02, 0x00, 0x40, 0x05, 0xFF,
                                                              0x77, 0x03, 0x80]))
    le = lambda width: (width - 1).to_bytes(2, "little")
    seeds += [bytes([0]) + le(64) + bytes([255]) * 64 * 64,
              bytes([0]) + le(96) + bytes(x + y for y in range(64) for x in range(96)),
              bytes([0]) + le(300) + bytes(range(256)) + bytes(44),
              bytes([0]) + le(1000) + bytes(10)]
    for data in seeds:
        seed("qr_luma", data)
    return len(seeds)


def backup_seeds(path):
    if path and os.path.exists(path):
        with open(path, "rb") as f:
            seed("backup", f.read())
        return 1
    # Without a real backup: the header alone, with the cheapest cost and an empty payload.
    header = (b"TSRBACKP" + (1).to_bytes(2, "big") + (8).to_bytes(4, "big") + (1).to_bytes(4, "big")
              + (1).to_bytes(4, "big") + bytes(16 + 32 + 12 + 16))
    seed("backup", header + hashlib.sha256(header).digest())
    return 1


def main():
    backup = None
    if len(sys.argv) == 3 and sys.argv[1] == "--backup":
        backup = sys.argv[2]
    counts = {"import": import_seeds(), "uri": uri_seeds(), "pi_response": pi_seeds(),
              "backup": backup_seeds(backup), "container": container_seeds(),
              "move_codes": move_seeds(), "qr_luma": qr_luma_seeds()}
    print("seeds: " + ", ".join(f"{t} {n}" for t, n in counts.items()))


if __name__ == "__main__":
    main()
