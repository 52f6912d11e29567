//! Exports to the apps people move to — 2FAS, Ente Auth, Proton Authenticator, Bitwarden —
//! checked three ways over one canonical set of accounts (SHA1/256/512, 5 to 10 digits,
//! periods other than 30 s, HOTP with a small and a very large counter, Steam, non-ASCII
//! names, empty issuer and empty label):
//!
//! 1. what each target cannot hold is reported per account, with the reason, never dropped;
//! 2. the file reads back through Tessera's own importer with the same secrets, parameters and
//!    codes;
//! 3. an independent implementation (tests/fixtures/transfer/check_app_export.py: Python's
//!    hashlib and `cryptography`, libsodium through PyNaCl, argon2-cffi) opens it as the app
//!    does, checks it against the rules of the app's published importer, and computes the
//!    codes with its own OTP implementation; they must equal Tessera's codes of the original
//!    accounts. The suite tests/transfer-apps/run.sh installs the Python packages and sets
//!    TESSERA_REQUIRE_PYTHON=1, so there these tests cannot skip; elsewhere they skip, saying why.

mod common;

use std::process::Command;

use serde_json::Value;
use tessera_core::transfer::export::{self, ExportFormat, Exported};
use tessera_core::transfer::{self, Format, TransferError};
use tessera_core::{Account, Algorithm, Generator, OtpKind, OtpParams, Secret};

const T: u64 = 1_700_000_000;

fn account(issuer: &str, label: &str, seed: u8, len: usize, params: OtpParams) -> Account {
    let bytes = (0..len)
        .map(|i| {
            seed.wrapping_mul(37)
                .wrapping_add((i as u8).wrapping_mul(11))
        })
        .collect();
    Account::new(issuer, label, Secret::from_bytes(bytes), params)
}

fn totp(algorithm: Algorithm, digits: u8, period: u32) -> OtpParams {
    OtpParams {
        algorithm,
        digits,
        period,
        ..OtpParams::totp()
    }
}

/// The canonical accounts. Names are unique, so a report entry names one account.
fn canonical() -> Vec<Account> {
    let mut github = account("GitHub", "alice@example.org", 1, 20, OtpParams::totp());
    github.meta.note = "recovery: 1111 ✓".into();
    github.meta.favorite = true;
    github.meta.groups = vec!["Work".into(), "Dev".into()];
    let mut zurich = account(
        "Zürich ✓",
        "日本語 ユーザー",
        2,
        32,
        totp(Algorithm::Sha256, 8, 60),
    );
    zurich.meta.groups = vec!["Work".into()];
    let mut big_counter = OtpParams::hotp((1 << 33) + 5);
    big_counter.algorithm = Algorithm::Sha512;
    big_counter.digits = 7;
    vec![
        github,
        zurich,
        account("Bank", "bob", 3, 20, OtpParams::hotp(42)),
        account("Big counter", "hotp", 4, 20, big_counter),
        account("Steam", "gamer", 5, 20, OtpParams::steam()),
        account("Seven", "x", 6, 64, totp(Algorithm::Sha512, 7, 90)),
        account("Five", "short", 7, 20, totp(Algorithm::Sha1, 5, 45)),
        account("TenDigits", "ten", 8, 64, totp(Algorithm::Sha512, 10, 15)),
        account("", "no issuer: colon", 9, 10, OtpParams::totp()),
        account("Only issuer", "", 10, 20, OtpParams::totp()),
    ]
}

fn name(a: &Account) -> String {
    match (a.issuer.as_str(), a.label.as_str()) {
        ("", l) => l.to_owned(),
        (i, "") => i.to_owned(),
        (i, l) => format!("{i} ({l})"),
    }
}

/// The accounts each target cannot hold, by report name, as the targets' importers define them
/// (see the writers' comments): 2FAS shows 6–8 digits, periods of 30/60/90 s and 32-bit HOTP
/// counters; Proton has no HOTP and reads 1 to 9 digits; Bitwarden has no HOTP; Ente holds
/// everything.
fn expected_skips(format: ExportFormat) -> Vec<&'static str> {
    match format {
        ExportFormat::TwoFas => vec!["Big counter (hotp)", "Five (short)", "TenDigits (ten)"],
        ExportFormat::Proton => vec!["Bank (bob)", "Big counter (hotp)", "TenDigits (ten)"],
        ExportFormat::Bitwarden => vec!["Bank (bob)", "Big counter (hotp)"],
        _ => vec![],
    }
}

fn code(a: &Account) -> String {
    let g = Generator::for_account(a).unwrap();
    if a.params.kind.is_time_based() {
        g.code_at(T).to_string()
    } else {
        g.code_for_counter(a.params.counter).to_string()
    }
}

/// Exports the canonical set, checks the skipped list, and returns the export with the
/// accounts it holds.
fn export_checked(format: ExportFormat, password: Option<&str>) -> (Exported, Vec<Account>) {
    let accounts = canonical();
    let out = export::export(&accounts, format, password).unwrap();
    let skipped: Vec<&str> = out.skipped.iter().map(|s| s.name.as_str()).collect();
    let expected = expected_skips(format);
    assert_eq!(skipped, expected, "{format:?}");
    for s in &out.skipped {
        assert!(!s.reason.is_empty(), "{}: a reason is given", s.name);
    }
    let kept = accounts
        .into_iter()
        .filter(|a| !expected.contains(&name(a).as_str()))
        .collect();
    (out, kept)
}

/// What the target keeps of an account's names: 2FAS and Bitwarden name every entry, so an
/// account without an issuer comes back named after its label.
fn expected_issuer(format: ExportFormat, a: &Account) -> String {
    let named = matches!(format, ExportFormat::TwoFas | ExportFormat::Bitwarden);
    if named && a.issuer.is_empty() {
        a.label.clone()
    } else {
        a.issuer.clone()
    }
}

const ALL_WITH_PASSWORDS: [(ExportFormat, Option<&str>); 7] = [
    (ExportFormat::TwoFas, None),
    (ExportFormat::TwoFas, Some("pässword ⚓ 2fas")),
    (ExportFormat::Ente, None),
    (ExportFormat::Ente, Some("pässword ⚓ ente")),
    (ExportFormat::Proton, None),
    (ExportFormat::Proton, Some("pässwörd 🔑 proton")),
    (ExportFormat::Bitwarden, None),
];

fn import_format(format: ExportFormat) -> Format {
    match format {
        ExportFormat::TwoFas => Format::TwoFas,
        ExportFormat::Ente => Format::Ente,
        ExportFormat::Proton => Format::Proton,
        ExportFormat::Bitwarden => Format::BitwardenJson,
        other => panic!("{other:?} is not an app export"),
    }
}

#[test]
fn app_exports_round_trip_through_tesseras_readers() {
    for (format, password) in ALL_WITH_PASSWORDS {
        let what = format!(
            "{format:?} {}",
            if password.is_some() {
                "encrypted"
            } else {
                "plain"
            }
        );
        let (out, kept) = export_checked(format, password);
        assert_eq!(
            transfer::detect(&out.data),
            Some(import_format(format)),
            "{what}"
        );
        if password.is_some() {
            assert_eq!(
                transfer::read(&out.data, None, None).unwrap_err(),
                TransferError::PasswordRequired,
                "{what}"
            );
            assert_eq!(
                transfer::read(&out.data, None, Some("not the password")).unwrap_err(),
                TransferError::WrongPassword,
                "{what}"
            );
            let text = String::from_utf8_lossy(&out.data);
            assert!(
                !text.contains("GitHub"),
                "{what}: names are not in the clear"
            );
        }
        let back: Vec<Account> = transfer::read(&out.data, None, password)
            .unwrap()
            .into_iter()
            .map(|i| {
                i.result
                    .unwrap_or_else(|e| panic!("{what}: {} {e}", i.name))
            })
            .collect();
        assert_eq!(back.len(), kept.len(), "{what}");
        for (a, b) in kept.iter().zip(&back) {
            let who = format!("{what}: {}", name(a));
            assert_eq!(b.issuer, expected_issuer(format, a), "{who}");
            assert_eq!(b.label, a.label, "{who}");
            assert!(b.secret.ct_eq(&a.secret), "{who}: secret");
            assert_eq!(b.params, a.params, "{who}: params");
            assert_eq!(code(b), code(a), "{who}: code");
            match format {
                ExportFormat::Ente => assert_eq!(b.meta, a.meta, "{who}: everything Ente keeps"),
                ExportFormat::Proton => assert_eq!(b.meta.note, a.meta.note, "{who}: note"),
                ExportFormat::Bitwarden => {
                    assert_eq!(b.meta.note, a.meta.note, "{who}: note");
                    assert_eq!(b.meta.favorite, a.meta.favorite, "{who}: favorite");
                    assert_eq!(
                        b.meta.groups,
                        a.meta.groups.iter().take(1).cloned().collect::<Vec<_>>(),
                        "{who}: first group"
                    );
                }
                _ => {
                    assert_eq!(
                        b.meta.groups,
                        a.meta.groups.iter().take(1).cloned().collect::<Vec<_>>(),
                        "{who}: first group"
                    );
                }
            }
        }
    }
}

#[test]
fn app_export_rules_for_passwords() {
    use ExportFormat as F;
    for format in [F::TwoFas, F::Ente, F::Proton] {
        assert!(format.can_encrypt(), "{format:?}");
        assert_eq!(format.needs_password(false), Ok(true), "{format:?}");
        assert_eq!(format.needs_password(true), Ok(false), "{format:?}");
        assert_eq!(
            export::export(&canonical(), format, Some("")).unwrap_err(),
            TransferError::Export("the password is empty".into()),
            "{format:?}"
        );
    }
    assert!(matches!(
        F::Bitwarden.needs_password(false),
        Err(TransferError::UnencryptedNotChosen(_))
    ));
    assert!(matches!(
        export::export(&canonical(), F::Bitwarden, Some("pw")),
        Err(TransferError::Export(_))
    ));
    assert_eq!(F::parse("bitwarden-json"), Some(F::Bitwarden));
    assert_eq!(F::parse("2FAS"), Some(F::TwoFas));
}

#[test]
fn an_export_of_only_what_the_target_cannot_hold_is_empty_but_says_so() {
    let hotp = vec![account("Bank", "bob", 3, 20, OtpParams::hotp(42))];
    for format in [ExportFormat::Proton, ExportFormat::Bitwarden] {
        let out = export::export(&hotp, format, None).unwrap();
        assert_eq!(out.skipped.len(), 1, "{format:?}");
        assert!(out.skipped[0].reason.contains("HOTP"), "{format:?}");
        let items = transfer::read(&out.data, Some(import_format(format)), None).unwrap();
        assert!(items.is_empty(), "{format:?}");
    }
}

#[test]
fn a_vault_export_reports_push_tokens_and_keeps_the_plain_output_rule() {
    use tessera_core::push::{PushStore, PushToken, ServerKey};
    let (_scratch, vault) = common::Scratch::new();
    for a in canonical() {
        vault.add(&a).unwrap();
    }
    vault
        .add_push_token(&PushToken {
            serial: "PIPU0001".into(),
            issuer: "privacyIDEA".into(),
            label: "alice".into(),
            url: "https://pi.example/ttype/push".into(),
            sslverify: true,
            server_key: ServerKey(vec![0x30, 0x0a, 0x02, 0x03, 1, 0, 1]),
            key_alias: "tessera-push-PIPU0001".into(),
            enrolled_at: 1_700_000_000,
            force_unlock: None,
        })
        .unwrap();
    for (format, password) in [
        (ExportFormat::TwoFas, Some("pw 2fas")),
        (ExportFormat::Bitwarden, None),
    ] {
        let unencrypted = password.is_none();
        let out = export::export_vault(&vault, format, password, unencrypted).unwrap();
        let mut names: Vec<&str> = out.skipped.iter().map(|s| s.name.as_str()).collect();
        let push = names.pop();
        assert_eq!(
            push,
            Some("privacyIDEA (alice)"),
            "{format:?}: the push token is listed"
        );
        assert!(
            out.skipped
                .last()
                .unwrap()
                .reason
                .contains("enroll it again")
        );
        assert_eq!(names, expected_skips(format), "{format:?}");
    }
    // Plain output is an explicit choice, as for every format.
    assert!(matches!(
        export::export_vault(&vault, ExportFormat::Bitwarden, None, false),
        Err(tessera_core::Error::Transfer(
            TransferError::UnencryptedNotChosen(_)
        ))
    ));
    assert!(matches!(
        export::export_vault(&vault, ExportFormat::Ente, None, false),
        Err(tessera_core::Error::Transfer(
            TransferError::PasswordRequired
        ))
    ));
}

// ----------------------------------------------------------------------------------------------
// The independent implementation.

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
            "skipped: python3 with PyNaCl, argon2-cffi and cryptography is not available (tests/transfer-apps/run.sh installs them)"
        );
    }
    ready
}

fn open_with_python(kind: &str, data: &[u8], password: Option<&str>) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export");
    std::fs::write(&path, data).unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/transfer/check_app_export.py");
    let mut cmd = python();
    cmd.arg(script).arg(kind).arg(&path).arg(T.to_string());
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

#[test]
fn app_exports_open_in_an_independent_implementation_with_the_same_codes() {
    if !python_ready() {
        return;
    }
    for (format, password) in ALL_WITH_PASSWORDS {
        let what = format!("{format:?} {password:?}");
        let (out, kept) = export_checked(format, password);
        let opened = open_with_python(format.as_str(), &out.data, password);
        assert_eq!(opened.len(), kept.len(), "{what}");
        for (got, a) in opened.iter().zip(&kept) {
            let who = format!("{what}: {}", name(a));
            assert_eq!(got["code"], code(a).as_str(), "{who}: code");
            let hex = data_encoding::HEXLOWER.encode(a.secret.as_bytes());
            assert_eq!(got["secret_hex"], hex.as_str(), "{who}");
            assert_eq!(got["kind"], a.params.kind.as_str(), "{who}");
            assert_eq!(got["issuer"], expected_issuer(format, a).as_str(), "{who}");
            assert_eq!(got["label"], a.label.as_str(), "{who}");
            if a.params.kind != OtpKind::Steam {
                assert_eq!(got["algorithm"], a.params.algorithm.as_str(), "{who}");
                assert_eq!(got["digits"], a.params.digits, "{who}");
            }
            match format {
                ExportFormat::Ente => {
                    assert_eq!(got["note"], a.meta.note.as_str(), "{who}");
                    assert_eq!(got["favorite"], a.meta.favorite, "{who}");
                    assert_eq!(got["groups"], serde_json::json!(a.meta.groups), "{who}");
                }
                ExportFormat::Proton => assert_eq!(got["note"], a.meta.note.as_str(), "{who}"),
                ExportFormat::Bitwarden => {
                    assert_eq!(got["note"], a.meta.note.as_str(), "{who}");
                    assert_eq!(got["favorite"], a.meta.favorite, "{who}");
                    let first: Vec<&String> = a.meta.groups.iter().take(1).collect();
                    assert_eq!(got["groups"], serde_json::json!(first), "{who}");
                }
                _ => {
                    let first: Vec<&String> = a.meta.groups.iter().take(1).collect();
                    assert_eq!(got["groups"], serde_json::json!(first), "{who}");
                }
            }
        }
    }
}
