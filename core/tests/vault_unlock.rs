//! The unlock policy (`Unlocker`): device key first, the password when the device key is lost,
//! cancelled or unavailable and the vault has one, and a lost device key registered again
//! after a password unlock. Also `Vault::status`, read before unlocking.

mod common;

use common::{CHEAP, Scratch, rfc6238_sha1};
use tessera_core::vault::{
    DeviceKeyFailure, DeviceKeyRenewal, KeyFile, KeyProvider, KeyProviderError, UnlockMethod,
    Unlocker, Vault, VaultError, VaultStatus,
};
use zeroize::Zeroizing;

/// A keystore that fails every call the same way (a dismissed prompt, a locked keystore…):
/// the faults a real key file cannot produce on demand.
struct Failing(KeyProviderError);

impl KeyProvider for Failing {
    fn wrap(&self, _key: &[u8]) -> Result<Vec<u8>, KeyProviderError> {
        Err(self.0.clone())
    }
    fn unwrap(&self, _wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyProviderError> {
        Err(self.0.clone())
    }
}

fn unlocker(scratch: &Scratch, device: impl KeyProvider + 'static) -> Unlocker {
    Unlocker::new(&scratch.path, Box::new(device))
}

fn same_key(scratch: &Scratch) -> KeyFile {
    KeyFile::open(&scratch.dir().join("vault.key")).unwrap()
}

/// A vault with one account and the password "pw".
fn with_password() -> Scratch {
    let (scratch, vault) = Scratch::new();
    vault.add(&rfc6238_sha1()).unwrap();
    vault.set_password("pw", CHEAP).unwrap();
    scratch
}

#[test]
fn the_device_key_unlocks_without_a_password() {
    let scratch = with_password();
    let unlocked = unlocker(&scratch, same_key(&scratch)).unlock(None).unwrap();
    assert_eq!(unlocked.method, UnlockMethod::DeviceKey);
    assert_eq!(unlocked.device_key, DeviceKeyRenewal::NotNeeded);
    assert_eq!(unlocked.vault.codes_at(59).unwrap().len(), 1);
}

#[test]
fn a_cancelled_prompt_falls_back_to_the_password_and_keeps_the_device_key() {
    let scratch = with_password();
    let unlocker = unlocker(&scratch, Failing(KeyProviderError::Cancelled));
    assert_eq!(
        unlocker.unlock(None).unwrap_err(),
        VaultError::PasswordRequired(DeviceKeyFailure::Cancelled)
    );
    assert_eq!(unlocker.device_failure(), Some(DeviceKeyFailure::Cancelled));
    assert_eq!(
        unlocker.unlock(Some("wrong")).unwrap_err(),
        VaultError::WrongPassword
    );
    let unlocked = unlocker.unlock(Some("pw")).unwrap();
    assert_eq!(unlocked.method, UnlockMethod::Password);
    // Cancelling says nothing about the key: it is not replaced (the cancelling provider's
    // wrap would fail anyway, which would show as Failed).
    assert_eq!(unlocked.device_key, DeviceKeyRenewal::NotNeeded);
    drop(unlocked);
    scratch.reopen();
}

#[test]
fn a_cancelled_prompt_without_a_password_stays_cancelled() {
    let (scratch, vault) = Scratch::new();
    drop(vault);
    let unlocker = unlocker(&scratch, Failing(KeyProviderError::Cancelled));
    assert_eq!(
        unlocker.unlock(None).unwrap_err(),
        VaultError::KeyProvider(KeyProviderError::Cancelled)
    );
    assert_eq!(
        unlocker.unlock(Some("pw")).unwrap_err(),
        VaultError::NoPassword
    );
}

#[test]
fn a_lost_device_key_is_replaced_after_the_password_unlock() {
    let scratch = with_password();
    let new_key = scratch.dir().join("new.key");
    let unlocker = Unlocker::new(&scratch.path, Box::new(KeyFile::create(&new_key).unwrap()));
    assert_eq!(
        unlocker.unlock(None).unwrap_err(),
        VaultError::PasswordRequired(DeviceKeyFailure::Lost)
    );
    // A wrong password registers nothing: the old key still opens the vault.
    assert_eq!(
        unlocker.unlock(Some("nope")).unwrap_err(),
        VaultError::WrongPassword
    );
    scratch.reopen();
    let unlocked = unlocker.unlock(Some("pw")).unwrap();
    assert_eq!(unlocked.device_key, DeviceKeyRenewal::Renewed);
    assert_eq!(unlocker.device_failure(), None);
    drop(unlocked);
    // The new key opens it now, without a password; the old one no longer does.
    let again = Unlocker::new(&scratch.path, Box::new(KeyFile::open(&new_key).unwrap()));
    assert_eq!(again.unlock(None).unwrap().method, UnlockMethod::DeviceKey);
    assert_eq!(
        Vault::open_with_device(&scratch.path, &scratch.key).unwrap_err(),
        VaultError::WrongDeviceKey
    );
}

#[test]
fn a_lost_device_key_without_a_password_is_key_lost() {
    let (scratch, vault) = Scratch::new();
    drop(vault);
    let before = std::fs::read(&scratch.path).unwrap();
    for lost in [
        Failing(KeyProviderError::Invalidated),
        Failing(KeyProviderError::WrongKey),
    ] {
        let unlocker = unlocker(&scratch, lost);
        assert_eq!(unlocker.unlock(None).unwrap_err(), VaultError::KeyLost);
    }
    let stranger = KeyFile::create(&scratch.dir().join("stranger.key")).unwrap();
    assert_eq!(
        unlocker(&scratch, stranger).unlock(None).unwrap_err(),
        VaultError::KeyLost
    );
    assert_eq!(std::fs::read(&scratch.path).unwrap(), before);
    // KeyLost gives no command-line advice: phone users read it too.
    assert!(!VaultError::KeyLost.to_string().contains('`'));
}

#[test]
fn an_unavailable_keystore_falls_back_to_the_password_and_keeps_the_key() {
    let scratch = with_password();
    let unlocker = unlocker(
        &scratch,
        Failing(KeyProviderError::Unavailable("device locked".into())),
    );
    assert_eq!(
        unlocker.unlock(None).unwrap_err(),
        VaultError::PasswordRequired(DeviceKeyFailure::Unavailable("device locked".into()))
    );
    let unlocked = unlocker.unlock(Some("pw")).unwrap();
    assert_eq!(unlocked.device_key, DeviceKeyRenewal::NotNeeded);
    drop(unlocked);
    scratch.reopen();
}

#[test]
fn a_failed_registration_leaves_the_vault_open_and_says_why() {
    let scratch = with_password();
    // Lost on unwrap, and the keystore cannot make a new key either.
    let unlocker = unlocker(&scratch, Failing(KeyProviderError::Invalidated));
    assert_eq!(
        unlocker.unlock(None).unwrap_err(),
        VaultError::PasswordRequired(DeviceKeyFailure::Lost)
    );
    let unlocked = unlocker.unlock(Some("pw")).unwrap();
    assert!(matches!(
        unlocked.device_key,
        DeviceKeyRenewal::Failed(VaultError::KeyProvider(KeyProviderError::Invalidated))
    ));
    assert_eq!(unlocked.vault.codes_at(59).unwrap().len(), 1);
    drop(unlocked);
    // The old device slot is untouched.
    scratch.reopen();
}

#[test]
fn status_tells_the_first_screen_without_unlocking() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        Vault::status(&dir.path().join("none.sqlite")).unwrap(),
        VaultStatus::default()
    );
    let (scratch, vault) = Scratch::new();
    assert_eq!(
        Vault::status(&scratch.path).unwrap(),
        VaultStatus {
            exists: true,
            has_password: false,
            has_device_key: true,
            has_recovery_key: false,
            newer_version: false,
        }
    );
    vault.set_password("pw", CHEAP).unwrap();
    drop(vault);
    let before = std::fs::read(&scratch.path).unwrap();
    assert!(Vault::status(&scratch.path).unwrap().has_password);
    assert_eq!(
        std::fs::read(&scratch.path).unwrap(),
        before,
        "status wrote"
    );

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, b"not a vault at all, just some text").unwrap();
    assert!(matches!(
        Vault::status(&text),
        Err(VaultError::NotAVault { .. })
    ));
}

#[test]
fn a_vault_from_a_newer_version_says_so_before_and_at_unlock() {
    let scratch = with_password();
    let conn = rusqlite::Connection::open(&scratch.path).unwrap();
    let newer = tessera_core::vault::SCHEMA_VERSION + 1;
    conn.pragma_update(None, "user_version", newer).unwrap();
    drop(conn);
    let status = Vault::status(&scratch.path).unwrap();
    assert!(status.exists && status.newer_version, "{status:?}");
    let unlocker = unlocker(&scratch, same_key(&scratch));
    for attempt in [unlocker.unlock(None), unlocker.unlock(Some("pw"))] {
        assert!(
            matches!(
                attempt,
                Err(VaultError::NewerSchema { found, .. }) if found == newer
            ),
            "{attempt:?}"
        );
    }
    // No device failure was recorded: the key was never the problem.
    assert_eq!(unlocker.device_failure(), None);
}

#[test]
fn no_vault_is_not_found_and_gives_no_command_advice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing.sqlite");
    let key = KeyFile::create(&dir.path().join("k")).unwrap();
    let error = Unlocker::new(&path, Box::new(key))
        .unlock(None)
        .unwrap_err();
    assert!(matches!(error, VaultError::NoVault { .. }), "{error:?}");
    assert!(!error.to_string().contains("tessera "), "{error}");
    assert!(!path.exists(), "unlocking created the file");
}
