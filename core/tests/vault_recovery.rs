//! The recovery key: created once and shown once, the third way into a vault when the device
//! key is gone and the password forgotten, revocable and replaceable. The typing-error rules
//! of its printed form are unit tests beside the code (`vault::recovery`).

mod common;

use common::{CHEAP, Scratch, rfc6238_sha1};
use tessera_core::vault::{
    DeviceKeyFailure, DeviceKeyRenewal, KeyFile, KeyProvider, KeyProviderError, UnlockMethod,
    Unlocker, Vault, VaultError,
};
use zeroize::Zeroizing;

/// A keystore whose key is gone (a wiped keystore, changed biometrics): unwrapping reports it
/// lost, wrapping makes a new key file. A real `KeyFile` cannot be "gone" on demand.
struct Wiped(std::path::PathBuf);

impl KeyProvider for Wiped {
    fn wrap(&self, key: &[u8]) -> Result<Vec<u8>, KeyProviderError> {
        KeyFile::open_or_create(&self.0)?.wrap(key)
    }
    fn unwrap(&self, _wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyProviderError> {
        Err(KeyProviderError::Invalidated)
    }
}

#[test]
fn the_recovery_key_opens_a_vault_whose_device_key_is_gone_and_password_forgotten() {
    let (scratch, vault) = Scratch::new();
    vault.add(&rfc6238_sha1()).unwrap();
    vault.set_password("forgotten", CHEAP).unwrap();
    let printed = vault.create_recovery_key().unwrap();
    assert!(vault.has_recovery_key().unwrap());
    drop(vault);
    assert!(Vault::status(&scratch.path).unwrap().has_recovery_key);

    let new_key = scratch.dir().join("new-phone.key");
    let unlocker = Unlocker::new(&scratch.path, Box::new(Wiped(new_key.clone())));
    assert_eq!(
        unlocker.unlock(None).unwrap_err(),
        VaultError::PasswordRequired(DeviceKeyFailure::Lost)
    );
    // Typed sloppily: lowercase, spaces for dashes.
    let typed = printed.to_lowercase().replace('-', " ");
    let unlocked = unlocker.unlock_with_recovery_key(&typed).unwrap();
    assert_eq!(unlocked.method, UnlockMethod::RecoveryKey);
    assert_eq!(unlocked.device_key, DeviceKeyRenewal::Renewed);
    // RFC 6238, appendix B: T = 59 s, SHA-1.
    let codes = unlocked.vault.codes_at(59).unwrap();
    assert_eq!(codes[0].code.as_ref().unwrap().text().as_str(), "94287082");
    // A new password can be set now that the old one is forgotten.
    unlocked.vault.set_password("new", CHEAP).unwrap();
    drop(unlocked);
    // The newly registered key opens the vault without anything typed.
    let vault = Vault::open_with_device(&scratch.path, &KeyFile::open(&new_key).unwrap()).unwrap();
    assert_eq!(vault.list(&Default::default()).unwrap().len(), 1);
    // The recovery key keeps working until it is replaced or revoked.
    assert!(vault.has_recovery_key().unwrap());
    drop(vault);
    Vault::open_with_password(&scratch.path, "new").unwrap();
}

#[test]
fn a_vault_with_only_a_recovery_key_asks_for_it() {
    let (scratch, vault) = Scratch::new();
    let printed = vault.create_recovery_key().unwrap();
    drop(vault);
    let unlocker = Unlocker::new(
        &scratch.path,
        Box::new(Wiped(scratch.dir().join("new.key"))),
    );
    assert_eq!(
        unlocker.unlock(None).unwrap_err(),
        VaultError::RecoveryKeyRequired(DeviceKeyFailure::Lost)
    );
    let unlocked = unlocker.unlock_with_recovery_key(&printed).unwrap();
    assert_eq!(unlocked.device_key, DeviceKeyRenewal::Renewed);
}

#[test]
fn wrong_typo_and_revoked_recovery_keys_change_nothing() {
    let (scratch, vault) = Scratch::new();
    vault.add(&rfc6238_sha1()).unwrap();
    let old = vault.create_recovery_key().unwrap();
    let current = vault.create_recovery_key().unwrap();
    assert_ne!(*old, *current, "two keys are never the same");
    let (other_scratch, other) = Scratch::new();
    let foreign = other.create_recovery_key().unwrap();
    drop((vault, other, other_scratch));
    let before = std::fs::read(&scratch.path).unwrap();

    // A replaced key and another vault's key are well formed but open nothing.
    for (case, key) in [("replaced", &old), ("another vault's", &foreign)] {
        assert_eq!(
            Vault::open_with_recovery_key(&scratch.path, key).unwrap_err(),
            VaultError::WrongRecoveryKey,
            "{case}"
        );
    }
    // One symbol mistyped: caught by the check symbols, the file not even opened.
    let mut typo: Vec<char> = current.chars().collect();
    typo[0] = if typo[0] == 'A' { 'B' } else { 'A' };
    let typo: String = typo.into_iter().collect();
    let error = Vault::open_with_recovery_key(&scratch.path, &typo).unwrap_err();
    assert!(
        matches!(&error, VaultError::InvalidRecoveryKey(m) if m.contains("typing error")),
        "{error}"
    );
    assert!(
        !error.to_string().contains(&typo[5..]),
        "the error repeats the key"
    );
    assert_eq!(std::fs::read(&scratch.path).unwrap(), before);
    Vault::open_with_recovery_key(&scratch.path, &current).unwrap();
}

#[test]
fn a_revoked_recovery_key_no_longer_opens_the_vault() {
    let (scratch, vault) = Scratch::new();
    let printed = vault.create_recovery_key().unwrap();
    vault.revoke_recovery_key().unwrap();
    assert!(!vault.has_recovery_key().unwrap());
    assert_eq!(
        vault.revoke_recovery_key().unwrap_err(),
        VaultError::NoRecoveryKey
    );
    drop(vault);
    assert_eq!(
        Vault::open_with_recovery_key(&scratch.path, &printed).unwrap_err(),
        VaultError::NoRecoveryKey
    );
    assert!(!Vault::status(&scratch.path).unwrap().has_recovery_key);
}

#[test]
fn revoking_the_only_proven_way_in_is_refused() {
    let (scratch, vault) = Scratch::new();
    let printed = vault.create_recovery_key().unwrap();
    drop(vault);
    // Opened by the recovery key itself, with no password and no device key proven in this
    // session: revoking could leave no working way in.
    let vault = Vault::open_with_recovery_key(&scratch.path, &printed).unwrap();
    assert_eq!(
        vault.revoke_recovery_key().unwrap_err(),
        VaultError::DeviceKeyUnverified
    );
    vault.set_device_key(&scratch.key).unwrap();
    vault.revoke_recovery_key().unwrap();
}
