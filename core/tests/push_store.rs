//! Push data in the vault: the schema-2 migration from a shipped v1 vault, sealed device
//! keys, and pending requests and answered nonces that survive a restart.

mod common;

use std::path::{Path, PathBuf};

use common::push_token as token;

use tessera_core::push::{
    Challenge, DeviceKeys, KeyStorage, NoProgress, PendingRequest, PushError, PushStore,
    SoftwareKeys,
};
use tessera_core::vault::{KeyFile, Vault};

fn fixture(version: i64, dir: &Path) -> (PathBuf, KeyFile) {
    fixture_named(&format!("vault-v{version}"), dir)
}

fn fixture_named(name: &str, dir: &Path) -> (PathBuf, KeyFile) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let db = dir.join("vault.sqlite");
    std::fs::copy(fixtures.join(format!("{name}.sqlite")), &db).unwrap();
    let key_path = dir.join("vault.key");
    std::fs::copy(fixtures.join(format!("{name}.key")), &key_path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    (db, KeyFile::open(&key_path).unwrap())
}

fn request(serial: &str, nonce: &str, received_at: u64) -> PendingRequest {
    let challenge = Challenge::from_payload([
        ("nonce", nonce),
        ("url", "https://pi.example/ttype/push"),
        ("serial", serial),
        ("question", "Reset your password?"),
        ("title", "privacyIDEA"),
        ("sslverify", "1"),
        ("signature", "AEBAG==="),
        ("require_presence", "12,34,56"),
        ("version", "2"),
    ])
    .unwrap();
    PendingRequest::new(challenge, received_at, true)
}

#[test]
fn a_v1_vault_upgrades_and_keeps_push_tokens_requests_and_keys() {
    let dir = tempfile::tempdir().unwrap();
    let (db, key) = fixture(1, dir.path());
    let vault = Vault::open_with_device(&db, &key).unwrap();
    assert!(
        vault.push_tokens().unwrap().is_empty(),
        "an upgraded v1 vault has no push tokens"
    );
    assert_eq!(
        vault.export_accounts().unwrap().len(),
        4,
        "accounts are untouched"
    );

    vault.add_push_token(&token("PIPU0001")).unwrap();
    vault
        .add_pending_request(&request("PIPU0001", "NONCEAAAA", 100))
        .unwrap();
    let keys = SoftwareKeys::new(&vault);
    let spki = keys
        .generate("tessera-push-PIPU0001", 2048, &NoProgress)
        .unwrap();
    drop(vault);

    let vault = Vault::open_with_device(&db, &key).unwrap();
    assert_eq!(vault.push_tokens().unwrap(), vec![token("PIPU0001")]);
    assert_eq!(
        vault.pending_requests().unwrap(),
        vec![request("PIPU0001", "NONCEAAAA", 100)]
    );
    let keys = SoftwareKeys::new(&vault);
    let signature = keys
        .sign(
            "tessera-push-PIPU0001",
            b"PIPU0001|2026-01-01T00:00:00.000000Z",
        )
        .unwrap();
    assert_eq!(signature.len(), 256, "RSA-2048 signature after a restart");
    assert!(!spki.is_empty());
}

#[test]
fn device_private_key_is_sealed_at_rest_and_bound_to_its_alias() {
    let dir = tempfile::tempdir().unwrap();
    let key = KeyFile::create(&dir.path().join("vault.key")).unwrap();
    let path = dir.path().join("vault.sqlite");
    let vault = Vault::create(&path, &key).unwrap();
    let pkcs8 = tessera_core::push::SoftwareKey::generate(2048, &NoProgress).unwrap();
    vault.store_key("alias-a", pkcs8.pkcs8()).unwrap();
    assert!(matches!(
        vault.store_key("alias-a", pkcs8.pkcs8()),
        Err(PushError::KeyExists)
    ));
    drop(vault);

    // no 32-byte window of the PKCS#8 appears anywhere in the file
    let bytes = std::fs::read(&path).unwrap();
    let secret = pkcs8.pkcs8();
    let leaked = secret
        .windows(32)
        .step_by(32)
        .any(|w| bytes.windows(32).any(|b| b == w));
    assert!(!leaked, "private key bytes found in the vault file");

    // a sealed key copied to another alias does not open
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO push_device_keys (alias, private_key, created_at) SELECT 'alias-b', private_key, 0 FROM push_device_keys WHERE alias = 'alias-a'",
        [],
    )
    .unwrap();
    drop(conn);
    let vault = Vault::open_with_device(&path, &key).unwrap();
    assert!(vault.load_key("alias-a").unwrap().is_some());
    assert!(matches!(
        vault.load_key("alias-b"),
        Err(PushError::KeyUnreadable)
    ));
}

#[test]
fn a_closed_nonce_drops_its_request_and_stays_seen_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let key = KeyFile::create(&dir.path().join("vault.key")).unwrap();
    let path = dir.path().join("vault.sqlite");
    let vault = Vault::create(&path, &key).unwrap();
    vault.add_push_token(&token("PIPU0002")).unwrap();
    vault
        .add_pending_request(&request("PIPU0002", "NONCEBBBB", 10))
        .unwrap();
    // adding the same request again keeps its first receipt time
    vault
        .add_pending_request(&request("PIPU0002", "NONCEBBBB", 99))
        .unwrap();
    assert_eq!(vault.pending_requests().unwrap()[0].received_at, 10);
    vault.close_request("NONCEBBBB", 20).unwrap();
    assert!(vault.pending_requests().unwrap().is_empty());
    drop(vault);
    let vault = Vault::open_with_device(&path, &key).unwrap();
    assert!(vault.is_seen("NONCEBBBB").unwrap());
    assert!(!vault.is_seen("NONCECCCC").unwrap());
}

#[test]
fn duplicate_serial_is_refused_and_removal_takes_requests_and_key_along() {
    let dir = tempfile::tempdir().unwrap();
    let key = KeyFile::create(&dir.path().join("vault.key")).unwrap();
    let vault = Vault::create(&dir.path().join("vault.sqlite"), &key).unwrap();
    vault.add_push_token(&token("PIPU0003")).unwrap();
    assert!(
        matches!(vault.add_push_token(&token("PIPU0003")), Err(PushError::DuplicateToken(s)) if s == "PIPU0003")
    );
    vault
        .add_pending_request(&request("PIPU0003", "NONCEDDDD", 10))
        .unwrap();
    vault
        .store_key("tessera-push-PIPU0003", b"not-a-real-key")
        .unwrap();
    assert!(vault.remove_push_token("PIPU0003").unwrap());
    assert!(vault.push_tokens().unwrap().is_empty());
    assert!(vault.pending_requests().unwrap().is_empty());
    assert!(vault.load_key("tessera-push-PIPU0003").unwrap().is_none());
    assert!(!vault.remove_push_token("PIPU0003").unwrap());
}

/// `vault-v3-push` was written by the schema-3 `tessera` (before the push inbox) against a
/// real privacyIDEA: one TOTP account (RFC 6238's secret), push token PIPU000074AE enrolled
/// with a 2048-bit software key, one request approved (nonce 7KGUPB6U…) and one left pending
/// (RW67SY72…). Upgraded to schema 4 it keeps all of it, and both nonces count as seen.
#[test]
fn a_v3_vault_with_a_push_token_upgrades_with_its_token_key_and_nonces() {
    let dir = tempfile::tempdir().unwrap();
    let (db, key) = fixture_named("vault-v3-push", dir.path());
    let vault = Vault::open_with_device(&db, &key).unwrap();
    vault.check_storage().unwrap();
    assert!(
        vault.damaged_push_tokens().unwrap().is_empty(),
        "its v3 tag still holds"
    );
    let tokens = vault.push_tokens().unwrap();
    assert_eq!(tokens.len(), 1);
    let enrolled = &tokens[0];
    assert_eq!(enrolled.serial, "PIPU000074AE");
    assert_eq!(enrolled.issuer, "privacyIDEA");
    assert_eq!(
        enrolled.force_unlock, None,
        "schema 3 never stored a demand"
    );
    assert!(
        vault.load_key(&enrolled.key_alias).unwrap().is_some(),
        "the sealed device key opens"
    );
    assert!(
        vault.is_seen("7KGUPB6UPUIIXPPH55VAZBZSVKIBCX4G").unwrap(),
        "answered"
    );
    assert!(
        vault.is_seen("RW67SY72J4GYTE2G3ROXQUZBKLWNXNBC").unwrap(),
        "pending"
    );
    let pending = vault.pending_requests().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].id(), "RW67SY72J4GYTE2G3ROXQUZBKLWNXNBC");
    assert!(pending[0].is_new, "no poll since the upgrade");
    // RFC 6238's SHA1 vector at t=59 is 94287082: six digits of it
    let codes = vault.codes_at(59).unwrap();
    assert_eq!(codes[0].code.as_ref().unwrap().text().as_str(), "287082");
    // a token enrolled after the upgrade keeps its unlock demand, authenticated
    let mut demanding = token("PIPU0009");
    demanding.force_unlock = Some(tessera_core::push::ForceUnlock::Pin);
    vault.add_push_token(&demanding).unwrap();
    assert_eq!(vault.push_token("PIPU0009").unwrap(), Some(demanding));
}
