//! Tessera's Ente Auth and Proton Authenticator exports opened by independent implementations:
//! libsodium (through Python's PyNaCl) for Ente's Argon2id + secretstream, argon2-cffi and
//! `cryptography` for Proton's Argon2id + AES-256-GCM (tests/fixtures/transfer/
//! check_ente_proton_export.py, which also reads the otpauth URIs with Python's URL parser).
//! The suite tests/transfer-ente-proton/run.sh installs the Debian packages and sets
//! TESSERA_REQUIRE_PYTHON=1, so there the test cannot skip; elsewhere it skips, saying why.

use std::process::Command;

use serde_json::Value;
use tessera_core::transfer::{ente, proton};
use tessera_core::{Account, Algorithm, OtpParams, Secret};

fn accounts() -> Vec<Account> {
    let mut first = Account::new(
        "GitHub",
        "alice@example.org",
        Secret::from_bytes(b"12345678901234567890".to_vec()),
        OtpParams::totp(),
    );
    first.meta.note = "recovery: 1111 ✓".into();
    first.meta.favorite = true;
    first.meta.groups = vec!["Work".into(), "Dev".into()];
    vec![
        first,
        Account::new(
            "Steam",
            "gamer",
            Secret::from_bytes(vec![0xfb; 20]),
            OtpParams::steam(),
        ),
        Account::new(
            "Zürich ✓",
            "日本語",
            Secret::from_bytes(vec![3; 32]),
            OtpParams {
                algorithm: Algorithm::Sha256,
                digits: 8,
                period: 60,
                ..OtpParams::totp()
            },
        ),
    ]
}

/// `$TESSERA_PYTHON` (the suite points it at Debian's), else `python3` from the PATH.
fn python() -> Command {
    Command::new(std::env::var_os("TESSERA_PYTHON").unwrap_or_else(|| "python3".into()))
}

fn python_ready() -> bool {
    let ready = python()
        .args([
            "-c",
            "import nacl.bindings, argon2.low_level, cryptography.hazmat.primitives.ciphers.aead",
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ready {
        assert!(
            std::env::var_os("TESSERA_REQUIRE_PYTHON").is_none(),
            "TESSERA_REQUIRE_PYTHON is set but python3-nacl/python3-argon2/python3-cryptography are missing"
        );
        eprintln!(
            "skipped: python3 with PyNaCl, argon2-cffi and cryptography is not available (tests/transfer-ente-proton/run.sh installs them)"
        );
    }
    ready
}

fn open_with_python(kind: &str, data: &[u8], password: Option<&str>) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export");
    std::fs::write(&path, data).unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/transfer/check_ente_proton_export.py");
    let mut cmd = python();
    cmd.arg(script).arg(kind).arg(&path);
    if let Some(password) = password {
        cmd.arg(password);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "python could not open the {kind} export: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn assert_same(kind: &str, opened: &[Value], expected: &[&Account]) {
    assert_eq!(opened.len(), expected.len(), "{kind}: {opened:?}");
    for (got, account) in opened.iter().zip(expected) {
        let what = format!("{kind}: {}", account.label);
        let hex = data_encoding::HEXLOWER.encode(account.secret.as_bytes());
        assert_eq!(got["secret_hex"], hex.as_str(), "{what}");
        assert_eq!(got["issuer"], account.issuer.as_str(), "{what}");
        assert_eq!(got["label"], account.label.as_str(), "{what}");
        assert_eq!(got["note"], account.meta.note.as_str(), "{what}");
        assert_eq!(got["kind"], account.params.kind.as_str(), "{what}");
        if kind.starts_with("ente") {
            assert_eq!(got["pinned"], account.meta.favorite, "{what}");
            assert_eq!(
                got["tags"],
                serde_json::json!(account.meta.groups),
                "{what}"
            );
        }
    }
}

#[test]
fn ente_exports_open_with_libsodium() {
    if !python_ready() {
        return;
    }
    let accounts = accounts();
    let all: Vec<&Account> = accounts.iter().collect();
    let plain = ente::write(&accounts, None).unwrap();
    assert_same(
        "ente plain",
        &open_with_python("ente", plain.as_bytes(), None),
        &all,
    );
    let encrypted = ente::write(&accounts, Some("pässword ⚓")).unwrap();
    assert_same(
        "ente encrypted",
        &open_with_python("ente", encrypted.as_bytes(), Some("pässword ⚓")),
        &all,
    );
}

#[test]
fn proton_exports_open_with_argon2_cffi_and_cryptography() {
    if !python_ready() {
        return;
    }
    let accounts = accounts();
    let all: Vec<&Account> = accounts.iter().collect();
    for password in [None, Some("pässwörd 🔑")] {
        let export = proton::write(&accounts, password).unwrap();
        assert!(export.skipped.is_empty());
        assert_same(
            "proton",
            &open_with_python("proton", export.json.as_bytes(), password),
            &all,
        );
    }
}
