//! Drives every exported function and method with bad arguments: each must return the specific
//! `TesseraError` variant — never panic (a panic fails the test), never change the vault.

use std::sync::Arc;

use super::XorKeys;
use crate::*;

const SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
/// The cheapest cost the FFI accepts: OWASP's last Argon2id row (7 MiB, 5 passes).
const CHEAP: KdfParams = KdfParams {
    memory_kib: 7 * 1024,
    iterations: 5,
    parallelism: 1,
};

fn totp(digits: u8, period: u32) -> OtpParams {
    OtpParams {
        kind: OtpKind::Totp,
        algorithm: Algorithm::Sha1,
        digits,
        period,
        counter: 0,
    }
}

fn account(secret: &str, params: OtpParams) -> OtpAccount {
    OtpAccount {
        issuer: "ACME".into(),
        label: "alice".into(),
        secret_base32: secret.into(),
        params,
        note: String::new(),
        groups: vec![],
        favorite: false,
        icon: None,
        extra: vec![],
    }
}

/// A device key that fails the way a foreign exception arrives.
struct FailingKeys;

impl KeyProvider for FailingKeys {
    fn wrap(&self, _: Vec<u8>) -> Result<Vec<u8>> {
        Err(uniffi::UnexpectedUniFFICallbackError::new("keystore exploded").into())
    }
    fn unwrap(&self, _: Vec<u8>) -> Result<Vec<u8>> {
        Err(uniffi::UnexpectedUniFFICallbackError::new("keystore exploded").into())
    }
}

/// A device key returning garbage of the wrong length instead of failing.
struct GarbageKeys;

impl KeyProvider for GarbageKeys {
    fn wrap(&self, _: Vec<u8>) -> Result<Vec<u8>> {
        Ok(vec![1, 2, 3])
    }
    fn unwrap(&self, _: Vec<u8>) -> Result<Vec<u8>> {
        Ok(vec![7; 5])
    }
}

struct FailingClock;

impl Clock for FailingClock {
    fn now_unix(&self) -> Result<u64> {
        Err(uniffi::UnexpectedUniFFICallbackError::new("no time").into())
    }
}

fn is_invalid(result: Result<impl Sized>) -> bool {
    matches!(result, Err(TesseraError::InvalidInput { .. }))
}

fn is_not_found(result: Result<impl Sized>) -> bool {
    matches!(result, Err(TesseraError::NotFound { .. }))
}

#[test]
fn otp_functions_reject_bad_secrets_and_parameters() {
    for secret in ["", "   ", "not base32!", "A", "ABC1", "=====", "\u{0}"] {
        assert!(
            is_invalid(otp_code_at(secret.into(), totp(6, 30), 0)),
            "{secret:?}"
        );
    }
    for (digits, period) in [(0, 30), (11, 30), (255, 30), (6, 0)] {
        assert!(is_invalid(otp_code_at(
            SECRET.into(),
            totp(digits, period),
            0
        )));
    }
    let steam6 = OtpParams {
        kind: OtpKind::Steam,
        ..totp(6, 30)
    };
    assert!(is_invalid(otp_code_at(SECRET.into(), steam6, 0)));
    // Extreme but valid values produce a code rather than overflowing.
    let hotp_max = OtpParams {
        kind: OtpKind::Hotp,
        counter: u64::MAX,
        ..totp(10, 30)
    };
    assert_eq!(
        otp_code_at(SECRET.into(), hotp_max, u64::MAX)
            .unwrap()
            .code
            .len(),
        10
    );
    assert!(otp_code_at(SECRET.into(), totp(6, u32::MAX), u64::MAX).is_ok());
    assert!(matches!(
        otp_code_now(SECRET.into(), totp(6, 30), Some(Arc::new(FailingClock))),
        Err(TesseraError::Platform { .. })
    ));
}

#[test]
fn uri_functions_reject_garbage() {
    let long = "otpauth://totp/".to_string() + &"%".repeat(100_000);
    let garbage = [
        "",
        "otpauth://",
        "otpauth://totp",
        "otpauth://totp/?secret=",
        "otpauth://totp/a?secret=JBSW&secret=JBSW",
        "otpauth://totp/%FF%FE?secret=JBSWY3DPEHPK3PXP",
        "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=99999999999999999999",
        "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=-1",
        "otpauth://yotp/a?secret=JBSWY3DPEHPK3PXP",
        "http://x",
        "\u{0}\u{1}",
        long.as_str(),
    ];
    for uri in garbage {
        let shown: String = uri.chars().take(40).collect();
        assert!(is_invalid(uri_kind(uri.into())), "{shown}");
        assert!(is_invalid(parse_otp_uri(uri.into())), "{shown}");
        assert!(is_invalid(otp_code_for_uri_at(uri.into(), 0)), "{shown}");
    }
    assert!(is_invalid(format_otp_uri(account("!!", totp(6, 30)))));
    assert!(is_invalid(format_otp_uri(account(SECRET, totp(0, 30)))));
}

#[test]
fn vault_constructors_reject_bad_paths_keys_and_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db").to_string_lossy().into_owned();
    let keys = || -> Arc<dyn KeyProvider> { Arc::new(XorKeys(0x5a)) };

    assert!(is_invalid(Vault::create("".into(), keys(), None)));
    assert!(is_not_found(Vault::open(path.clone(), keys(), None)));
    assert!(is_not_found(Vault::open_with_password(
        path.clone(),
        "pw".into(),
        None
    )));
    let missing_dir = dir
        .path()
        .join("no/such/dir/v.db")
        .to_string_lossy()
        .into_owned();
    assert!(matches!(
        Vault::create(missing_dir, keys(), None),
        Err(TesseraError::Storage { .. })
    ));
    let a_directory = dir.path().to_string_lossy().into_owned();
    assert!(Vault::create(a_directory.clone(), keys(), None).is_err());
    assert!(Vault::open(a_directory, keys(), None).is_err());
    let not_a_vault = dir.path().join("text.db");
    std::fs::write(&not_a_vault, b"just some text, not SQLite").unwrap();
    let not_a_vault = not_a_vault.to_string_lossy().into_owned();
    assert!(Vault::open(not_a_vault.clone(), keys(), None).is_err());
    assert!(Vault::create(not_a_vault, keys(), None).is_err());

    // A failing keystore fails creation cleanly, and leaves no vault behind to trip over.
    assert!(matches!(
        Vault::create(path.clone(), Arc::new(FailingKeys), None),
        Err(TesseraError::Platform { .. })
    ));

    let vault = Vault::create(path.clone(), keys(), None).unwrap();
    vault.add(account(SECRET, totp(6, 30))).unwrap();
    drop(vault);
    assert!(matches!(
        Vault::create(path.clone(), keys(), None),
        Err(TesseraError::InvalidInput { .. })
    ));
    assert!(matches!(
        Vault::open(path.clone(), Arc::new(XorKeys(0x11)), None),
        Err(TesseraError::WrongKey)
    ));
    assert!(matches!(
        Vault::open(path.clone(), Arc::new(GarbageKeys), None),
        Err(TesseraError::WrongKey)
    ));
    assert!(matches!(
        Vault::open(path.clone(), Arc::new(FailingKeys), None),
        Err(TesseraError::Platform { .. })
    ));
    assert!(matches!(
        Vault::open_with_password(path.clone(), "pw".into(), None),
        Err(TesseraError::InvalidInput { .. })
    ));
    let vault = Vault::open(path.clone(), keys(), None).unwrap();
    vault.set_password("right".into(), Some(CHEAP)).unwrap();
    drop(vault);
    assert!(matches!(
        Vault::open_with_password(path.clone(), "wrong".into(), None),
        Err(TesseraError::WrongPassword)
    ));
    // Nothing above changed the vault.
    let vault = Vault::open_with_password(path, "right".into(), None).unwrap();
    assert_eq!(vault.list(None).unwrap().len(), 1);
}

#[test]
fn vault_methods_reject_bad_arguments_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db").to_string_lossy().into_owned();
    let vault = Vault::create(
        path.clone(),
        Arc::new(XorKeys(0x5a)),
        Some(Arc::new(FailingClock)),
    )
    .unwrap();
    let id = vault.add(account(SECRET, totp(6, 30))).unwrap();
    let before = vault.list(None).unwrap();

    assert!(is_invalid(vault.add(account("!!", totp(6, 30)))));
    assert!(is_invalid(vault.add(account(SECRET, totp(0, 30)))));
    assert!(matches!(
        vault.add(account(SECRET, totp(6, 30))),
        Err(TesseraError::Duplicate { .. })
    ));
    assert!(is_invalid(vault.add_uri("otpauth://totp/x".into())));
    assert!(is_invalid(vault.add_uri(String::new())));
    let outcomes = vault
        .add_many(vec![
            account("!!", totp(6, 30)),
            account(SECRET, totp(6, 30)),
        ])
        .unwrap();
    assert!(
        matches!(outcomes[0], AddOutcome::Rejected { .. }),
        "{outcomes:?}"
    );
    assert!(
        matches!(outcomes[1], AddOutcome::Duplicate { .. }),
        "{outcomes:?}"
    );

    let unknown = "8c5a1a8e-3f6b-4c1e-9a51-7d2f00000000".to_string();
    for bad_id in ["", "not-an-id", "\u{0}", unknown.as_str()] {
        let bad = || bad_id.to_string();
        assert!(is_not_found(vault.account_info(bad())), "{bad_id:?}");
        assert!(is_not_found(vault.account_with_secret(bad())), "{bad_id:?}");
        assert!(is_not_found(vault.update(bad(), AccountChange::default())));
        assert!(is_not_found(vault.delete(bad())), "{bad_id:?}");
        assert!(is_not_found(vault.restore(bad())), "{bad_id:?}");
        assert!(is_not_found(vault.purge(bad())), "{bad_id:?}");
        assert!(is_not_found(vault.next_hotp(bad())), "{bad_id:?}");
    }
    assert!(
        is_invalid(vault.next_hotp(id.clone())),
        "TOTP has no counter"
    );
    assert!(
        vault.purge(id.clone()).is_err(),
        "only trashed accounts are purged"
    );

    let zero_memory = KdfParams {
        memory_kib: 0,
        ..CHEAP
    };
    assert!(is_invalid(vault.export_backup(String::new(), Some(CHEAP))));
    assert!(is_invalid(
        vault.export_backup("pw".into(), Some(zero_memory))
    ));
    // Below OWASP's Argon2id floor: 19 MiB needs two passes, and 256 KiB is a test-only cost.
    for weak in [
        KdfParams {
            memory_kib: 19 * 1024,
            iterations: 1,
            parallelism: 1,
        },
        KdfParams {
            memory_kib: 256,
            iterations: 64,
            parallelism: 1,
        },
    ] {
        assert!(is_invalid(vault.export_backup("pw".into(), Some(weak))));
        assert!(is_invalid(vault.set_password("pw".into(), Some(weak))));
    }
    assert!(
        !vault.has_password().unwrap(),
        "a refused password is not set"
    );
    assert!(is_invalid(vault.set_password(String::new(), Some(CHEAP))));
    assert!(is_invalid(
        vault.set_password("pw".into(), Some(zero_memory))
    ));
    let restore = |data: Vec<u8>, password: Option<&str>| {
        import_into_vault(
            vault.clone(),
            data,
            Some(ImportFormat::TesseraBackup),
            password.map(Into::into),
            false,
            None,
        )
    };
    assert!(restore(vec![], Some("pw")).is_err());
    assert!(restore(vec![0xff; 4096], Some("pw")).is_err());
    let backup = vault.export_backup("pw".into(), Some(CHEAP)).unwrap();
    assert!(matches!(
        restore(backup.clone(), Some("wrong")),
        Err(TesseraError::WrongPassword)
    ));
    assert!(matches!(
        restore(backup.clone(), None),
        Err(TesseraError::PasswordRequired { .. })
    ));
    let mut flipped = backup;
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    assert!(matches!(
        restore(flipped, Some("pw")),
        Err(TesseraError::InvalidInput { .. })
    ));
    assert!(
        vault.remove_password().is_err(),
        "there is no password to remove"
    );
    assert!(matches!(
        vault.set_key_provider(Arc::new(FailingKeys)),
        Err(TesseraError::Platform { .. })
    ));
    assert!(matches!(vault.codes(), Err(TesseraError::Platform { .. })));
    assert_eq!(vault.codes_at(u64::MAX).unwrap().len(), 1);

    assert_eq!(vault.list(None).unwrap(), before);
    assert!(vault.trash().unwrap().is_empty());
    drop(vault);
    // The failed set_key_provider kept the old device key.
    let reopened = Vault::open(path, Arc::new(XorKeys(0x5a)), None).unwrap();
    assert_eq!(reopened.list(None).unwrap(), before);
}

#[test]
fn locked_vault_refuses_every_call() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db").to_string_lossy().into_owned();
    let vault = Vault::create(path.clone(), Arc::new(XorKeys(0x5a)), None).unwrap();
    let id = vault.add(account(SECRET, totp(6, 30))).unwrap();
    vault.lock();
    vault.lock();
    assert!(vault.is_locked());
    let locked = |r: Result<()>| matches!(r, Err(TesseraError::Locked { .. }));
    assert!(locked(vault.add(account(SECRET, totp(8, 30))).map(drop)));
    assert!(locked(vault.add_uri(GOOD_URI.into()).map(drop)));
    assert!(locked(vault.add_many(vec![]).map(drop)));
    assert!(locked(vault.list(None).map(drop)));
    assert!(locked(vault.trash().map(drop)));
    assert!(locked(vault.groups().map(drop)));
    assert!(locked(vault.account_info(id.clone()).map(drop)));
    assert!(locked(vault.account_with_secret(id.clone()).map(drop)));
    assert!(locked(vault.update(id.clone(), AccountChange::default())));
    assert!(locked(vault.delete(id.clone())));
    assert!(locked(vault.restore(id.clone())));
    assert!(locked(vault.purge(id.clone())));
    assert!(locked(vault.codes().map(drop)));
    assert!(locked(vault.codes_at(0).map(drop)));
    assert!(locked(vault.code_list(None).map(drop)));
    assert!(locked(vault.code_list_at(None, 0).map(drop)));
    assert!(locked(vault.next_hotp(id.clone()).map(drop)));
    assert!(locked(
        vault.export_backup("pw".into(), Some(CHEAP)).map(drop)
    ));
    assert!(locked(vault.set_password("pw".into(), Some(CHEAP))));
    assert!(locked(vault.remove_password()));
    assert!(locked(vault.has_password().map(drop)));
    assert!(locked(vault.set_key_provider(Arc::new(XorKeys(1)))));
    drop(vault);
    let reopened = Vault::open(path, Arc::new(XorKeys(0x5a)), None).unwrap();
    assert_eq!(reopened.list(None).unwrap().len(), 1);
}

const GOOD_URI: &str = "otpauth://totp/ACME:bob?secret=JBSWY3DPEHPK3PXP&issuer=ACME";

#[test]
fn transfer_functions_reject_garbage_and_import_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db").to_string_lossy().into_owned();
    let vault = Vault::create(path, Arc::new(XorKeys(0x5a)), None).unwrap();
    vault.add(account(SECRET, totp(6, 30))).unwrap();
    let before = vault.list(None).unwrap();

    let long_garbage: Vec<u8> = (0..100_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    let inputs: [&[u8]; 6] = [
        b"",
        b"\xff\xfe\x00garbage",
        b"{\"db\": 1}",
        b"otpauth-migration://offline?data=%%%",
        b"\x89PNG\r\n\x1a\nnot really",
        &long_garbage,
    ];
    let formats = [
        None,
        Some(ImportFormat::OtpauthList),
        Some(ImportFormat::GoogleMigration),
        Some(ImportFormat::Aegis),
        Some(ImportFormat::TwoFas),
        Some(ImportFormat::AndOtp),
        Some(ImportFormat::FreeOtpPlus),
        Some(ImportFormat::BitwardenJson),
        Some(ImportFormat::BitwardenCsv),
        Some(ImportFormat::Ente),
        Some(ImportFormat::Proton),
        Some(ImportFormat::QrImage),
        Some(ImportFormat::TesseraBackup),
        Some(ImportFormat::SteamMaFile),
        Some(ImportFormat::WinAuth),
        Some(ImportFormat::MicrosoftAuthenticator),
        Some(ImportFormat::GoogleAuthenticatorDb),
        Some(ImportFormat::AuthenticatorPro),
        Some(ImportFormat::Authy),
        Some(ImportFormat::Duo),
        Some(ImportFormat::BattleNet),
        Some(ImportFormat::TotpAuthenticator),
    ];
    for (i, data) in inputs.iter().enumerate() {
        let _ = detect_import_format(data.to_vec());
        for format in formats {
            for password in [None, Some("pw".to_string())] {
                // Errors or a report of failed entries are both fine; a panic fails the test.
                if let Ok(report) =
                    import_into_vault(vault.clone(), data.to_vec(), format, password, false, None)
                {
                    assert!(
                        report
                            .entries
                            .iter()
                            .all(|e| !matches!(e.outcome, ImportOutcome::Imported { .. })),
                        "input {i} as {format:?} imported something"
                    );
                }
            }
        }
    }
    assert_eq!(
        vault.list(None).unwrap(),
        before,
        "garbage imported nothing"
    );

    assert!(is_invalid(export_from_vault(
        vault.clone(),
        ExportFormat::OtpauthList,
        Some("pw".into()),
        false
    )));
    // A plain format without the explicit choice, an encrypted one without a password, and a
    // password together with the choice are all refused.
    assert!(is_invalid(export_from_vault(
        vault.clone(),
        ExportFormat::OtpauthList,
        None,
        false
    )));
    assert!(matches!(
        export_from_vault(vault.clone(), ExportFormat::TesseraBackup, None, false),
        Err(TesseraError::PasswordRequired { .. })
    ));
    assert!(is_invalid(export_from_vault(
        vault.clone(),
        ExportFormat::TesseraBackup,
        None,
        true
    )));
    assert!(is_invalid(export_from_vault(
        vault.clone(),
        ExportFormat::Aegis,
        Some("pw".into()),
        true
    )));
    // Out-of-range scales are clamped to 1..=64 rather than refused.
    for scale in [0, 65, u32::MAX] {
        let png = qr_code_png("x".into(), scale).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "scale {scale}");
    }
    assert!(
        qr_code_png("x".repeat(100_000), 4).is_err(),
        "too long for a QR code"
    );
    assert!(is_invalid(qr_code_matrix("x".repeat(100_000))));

    vault.lock();
    let locked = |r: Result<()>| matches!(r, Err(TesseraError::Locked { .. }));
    assert!(locked(
        import_into_vault(vault.clone(), b"".to_vec(), None, None, true, None).map(drop)
    ));
    assert!(locked(
        export_from_vault(vault.clone(), ExportFormat::Aegis, None, true).map(drop)
    ));
}
