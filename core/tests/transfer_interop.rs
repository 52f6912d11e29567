//! Tessera's Aegis export opened by an independent implementation of Aegis's documented format
//! (tests/fixtures/transfer/check_aegis_export.py: Python hashlib scrypt + `cryptography`
//! AES-GCM), which also computes the codes itself. The suite tests/transfer/run.sh installs
//! python3-cryptography and sets TESSERA_REQUIRE_PYTHON=1, so there the test cannot skip.

use std::process::Command;

use serde_json::Value;
use tessera_core::icon::{Icon, IconImage};
use tessera_core::transfer::export::{ExportFormat, export};
use tessera_core::{Account, Algorithm, Generator, OtpParams, Secret};

const T: u64 = 1_700_000_000;
/// A hand-written SVG icon for the first account.
const ICON_SVG: &[u8] =
    b"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 2 2'><rect width='1' height='2'/></svg>";

fn accounts() -> Vec<Account> {
    let mut first = Account::new(
        "GitHub",
        "alice",
        Secret::from_bytes(b"12345678901234567890".to_vec()),
        OtpParams::totp(),
    );
    first.meta.note = "recovery: 1111".into();
    first.meta.favorite = true;
    first.meta.groups = vec!["Work".into()];
    first.meta.picture = Some(Icon::Image(
        IconImage::new(ICON_SVG.to_vec(), Some("image/svg+xml")).unwrap(),
    ));
    vec![
        first,
        Account::new(
            "Bank",
            "bob",
            Secret::from_bytes(vec![7; 20]),
            OtpParams::hotp(42),
        ),
        Account::new(
            "Steam",
            "gamer",
            Secret::from_bytes(vec![9; 20]),
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
        Account::new(
            "Ten",
            "digits",
            Secret::from_bytes(vec![5; 64]),
            OtpParams {
                algorithm: Algorithm::Sha512,
                digits: 10,
                ..OtpParams::totp()
            },
        ),
    ]
}

/// The interpreter: `$TESSERA_PYTHON` (the suite points it at Debian's, which has the
/// `cryptography` package it installed), else `python3` from the PATH.
fn python() -> Command {
    Command::new(std::env::var_os("TESSERA_PYTHON").unwrap_or_else(|| "python3".into()))
}

fn python_ready() -> bool {
    python()
        .args(["-c", "import cryptography.hazmat.primitives.ciphers.aead"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn open_with_python(data: &[u8], password: Option<&str>) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("aegis.json");
    std::fs::write(&path, data).unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/transfer/check_aegis_export.py");
    let mut cmd = python();
    cmd.arg(script).arg(&path).arg(T.to_string());
    if let Some(p) = password {
        cmd.arg(p);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn aegis_exports_open_with_an_independent_implementation_of_aegis_format() {
    if !python_ready() {
        assert!(
            std::env::var_os("TESSERA_REQUIRE_PYTHON").is_none(),
            "python3 with `cryptography` is required here"
        );
        eprintln!(
            "skipped: python3 with the `cryptography` module is not installed (tests/transfer/run.sh installs it)"
        );
        return;
    }
    let accounts = accounts();
    for password in [None, Some("pässword")] {
        let out = export(&accounts, ExportFormat::Aegis, password).unwrap();
        let opened = open_with_python(&out.data, password);
        assert_eq!(opened["db_version"], 3);
        let entries = opened["entries"].as_array().unwrap();
        assert_eq!(entries.len(), accounts.len());
        for (a, e) in accounts.iter().zip(entries) {
            let g = Generator::for_account(a).unwrap();
            let ours = if a.params.kind.is_time_based() {
                g.code_at(T)
            } else {
                g.code_for_counter(a.params.counter)
            };
            assert_eq!(
                e["code"].as_str().unwrap(),
                ours.text().as_str(),
                "{} {password:?}",
                a.issuer
            );
            assert_eq!(e["issuer"].as_str().unwrap(), a.issuer);
            assert_eq!(e["name"].as_str().unwrap(), a.label);
            assert_eq!(e["type"].as_str().unwrap(), a.params.kind.as_str());
        }
        assert_eq!(entries[0]["note"], "recovery: 1111");
        assert_eq!(entries[0]["favorite"], true);
        assert_eq!(entries[0]["groups"], serde_json::json!(["Work"]));
        // The icon as Aegis reads it: its type, its bytes, and a hash Aegis accepts.
        let icon = &entries[0]["icon"];
        assert_eq!(icon["mime"], "image/svg+xml");
        assert_eq!(icon["bytes_hex"], hex_of(ICON_SVG));
        assert_eq!(icon["hash_ok"], true);
        assert!(entries[1..].iter().all(|e| e["icon"].is_null()));
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
