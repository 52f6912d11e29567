//! Every schema version that ever shipped must open with the current code, with every account
//! intact. `core/tests/fixtures/vault-vN.sqlite` (+ `vault-vN.key`) is a vault written by the
//! code of version N, committed when N shipped and never regenerated afterwards.
//!
//! To add the fixture of the current version (only when bumping `SCHEMA_VERSION`, *before*
//! changing the schema code), run on the old code:
//!
//! ```text
//! TESSERA_WRITE_FIXTURE=1 cargo test -p tessera-core --test vault_migrations \
//!     write_fixture_of_current_schema -- --ignored
//! ```

mod common;

use std::path::{Path, PathBuf};

use common::{CHEAP, RFC_SEED};
use tessera_core::vault::{AccountUpdate, KeyFile, ListFilter, SCHEMA_VERSION, Vault};
use tessera_core::{Account, Algorithm, OtpKind, OtpParams, Secret};

const FIXTURE_PASSWORD: &str = "fixture-password";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The accounts every fixture holds. Codes are checked against the RFCs' published values.
fn fixture_accounts() -> Vec<Account> {
    let mut totp = Account::new(
        "RFC 6238",
        "sha1@example.org",
        Secret::from_bytes(RFC_SEED.to_vec()),
        OtpParams {
            digits: 8,
            ..OtpParams::totp()
        },
    );
    totp.meta.favorite = true;
    totp.meta.groups = vec!["Standards".into()];
    let mut sha256 = Account::new(
        "RFC 6238",
        "sha256@example.org",
        Secret::from_bytes(b"12345678901234567890123456789012".to_vec()),
        OtpParams {
            algorithm: Algorithm::Sha256,
            digits: 8,
            ..OtpParams::totp()
        },
    );
    sha256.extra = vec![("serial".into(), "TOTP0002".into())];
    let mut hotp = Account::new(
        "RFC 4226",
        "hotp@example.org",
        Secret::from_bytes(RFC_SEED.to_vec()),
        OtpParams::hotp(3),
    );
    hotp.meta.note = "note kept across upgrades".into();
    hotp.meta.icon = Some("rfc.png".into());
    let steam = Account::new(
        "Steam",
        "gamer",
        Secret::from_bytes(b"steam-fixture-secret".to_vec()),
        OtpParams::steam(),
    );
    vec![totp, sha256, hotp, steam]
}

#[test]
#[ignore = "writes a fixture; run by hand when a schema version ships (see module docs)"]
fn write_fixture_of_current_schema() {
    if std::env::var_os("TESSERA_WRITE_FIXTURE").is_none() {
        eprintln!("skipped: set TESSERA_WRITE_FIXTURE=1 to write the fixture");
        return;
    }
    let db = fixtures().join(format!("vault-v{SCHEMA_VERSION}.sqlite"));
    let key_path = fixtures().join(format!("vault-v{SCHEMA_VERSION}.key"));
    assert!(
        !db.exists(),
        "fixtures are never regenerated: {}",
        db.display()
    );
    std::fs::create_dir_all(fixtures()).unwrap();
    let key = KeyFile::create(&key_path).unwrap();
    let vault = Vault::create(&db, &key).unwrap();
    for account in fixture_accounts() {
        vault.add(&account).unwrap();
    }
    let trashed = vault
        .add(&Account::new(
            "Old",
            "trashed",
            Secret::from_bytes(b"trashed-fixture-secret".to_vec()),
            OtpParams::totp(),
        ))
        .unwrap();
    vault.delete(&trashed).unwrap();
    vault.set_password(FIXTURE_PASSWORD, CHEAP).unwrap();
    drop(vault); // checkpoints and removes the WAL, so the fixture is one file
}

/// Copies fixture `version` into a scratch directory (git does not keep mode 0600).
fn copy_fixture(version: i64, dir: &Path) -> (PathBuf, KeyFile) {
    let db = dir.join("vault.sqlite");
    std::fs::copy(fixtures().join(format!("vault-v{version}.sqlite")), &db).unwrap();
    let key_path = dir.join("vault.key");
    std::fs::copy(fixtures().join(format!("vault-v{version}.key")), &key_path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    (db, KeyFile::open(&key_path).unwrap())
}

#[test]
fn every_shipped_schema_version_has_a_fixture() {
    for version in 1..=SCHEMA_VERSION {
        for ext in ["sqlite", "key"] {
            let file = fixtures().join(format!("vault-v{version}.{ext}"));
            assert!(file.exists(), "missing fixture {}", file.display());
        }
    }
}

#[test]
fn opens_every_shipped_schema_version_with_all_accounts() {
    for version in 1..=SCHEMA_VERSION {
        let dir = tempfile::tempdir().unwrap();
        let (db, key) = copy_fixture(version, dir.path());
        let vault = Vault::open_with_device(&db, &key)
            .unwrap_or_else(|e| panic!("v{version} fixture does not open: {e}"));
        vault.check_storage().unwrap();

        let mut stored: Vec<Account> = vault
            .export_accounts()
            .unwrap()
            .into_iter()
            .map(|(_, a)| a)
            .collect();
        let mut expected = fixture_accounts();
        stored.sort_by(|a, b| a.label.cmp(&b.label));
        expected.sort_by(|a, b| a.label.cmp(&b.label));
        assert_eq!(stored, expected, "v{version}: accounts");
        assert_eq!(vault.trash().unwrap().len(), 1, "v{version}: trash");

        // Codes from the RFCs' tables, not from this code.
        let codes = vault.codes_at(59).unwrap();
        let code_of = |label: &str| {
            codes
                .iter()
                .find(|c| c.label == label)
                .and_then(|c| c.code.as_ref().ok())
                .map(|c| c.text().as_str().to_owned())
                .unwrap_or_default()
        };
        assert_eq!(
            code_of("sha1@example.org"),
            "94287082",
            "v{version} RFC 6238 SHA1"
        );
        assert_eq!(
            code_of("sha256@example.org"),
            "46119246",
            "v{version} RFC 6238 SHA256"
        );
        assert_eq!(
            code_of("hotp@example.org"),
            "969429",
            "v{version} RFC 4226 counter 3"
        );
        assert_eq!(
            codes[0].label, "sha1@example.org",
            "v{version}: favorite first"
        );
        assert_eq!(codes[0].kind, OtpKind::Totp);

        // The upgraded vault is fully usable: it writes, and its password slot still opens.
        let hotp = vault
            .list(&ListFilter {
                text: Some("hotp@".into()),
                ..Default::default()
            })
            .unwrap()[0]
            .id
            .clone();
        assert_eq!(
            vault.next_hotp(&hotp).unwrap().text().as_str(),
            "338314",
            "RFC 4226 counter 4"
        );
        vault
            .update(
                &hotp,
                &AccountUpdate {
                    note: Some("edited".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        drop(vault);
        let by_password = Vault::open_with_password(&db, FIXTURE_PASSWORD).unwrap();
        assert_eq!(by_password.get(&hotp).unwrap().meta.note, "edited");
        let conn = rusqlite::Connection::open(&db).unwrap();
        let now: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(now, SCHEMA_VERSION, "v{version} upgraded");
    }
}
