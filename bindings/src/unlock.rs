//! Unlocking a vault by core's policy (`tessera_core::vault::Unlocker`): the device key first,
//! the password when core says it is required, and a lost device key registered again after.
//!
//! A shell's unlock screen is one loop:
//!
//! ```text
//! status = vaultStatus(path)            // first run? newer version? (nothing unlocked)
//! unlocker = Unlocker(path, keys)
//! try unlocker.unlock(null)              // the device key (may show a biometric prompt)
//! catch PasswordRequired                 // ask for the password, then
//!     unlocker.unlock(password)          // WrongPassword: ask again
//! ```

use std::sync::Arc;

use tessera_core::vault as core;

use crate::error::Result;
use crate::platform::{Clock, ForeignKeys, KeyProvider};
use crate::vault::{Vault, vault_path};

/// What a shell needs to know about a vault file before unlocking it: which screen to show
/// first. Reading it needs no key and changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct VaultStatus {
    /// A vault file is there (false: show the first-run screen and `Vault.create`).
    pub exists: bool,
    /// A password can unlock the vault when the device key cannot.
    pub has_password: bool,
    /// A device key is registered.
    pub has_device_key: bool,
    /// A recovery key can unlock the vault: offer it beside the password ("forgot your
    /// password?") and instead of it when there is none.
    pub has_recovery_key: bool,
    /// Written by a newer Tessera: unlocking fails with `NewerVersion`; ask the user to
    /// update the app.
    pub newer_version: bool,
}

impl From<core::VaultStatus> for VaultStatus {
    fn from(s: core::VaultStatus) -> Self {
        VaultStatus {
            exists: s.exists,
            has_password: s.has_password,
            has_device_key: s.has_device_key,
            has_recovery_key: s.has_recovery_key,
            newer_version: s.newer_version,
        }
    }
}

/// The [`VaultStatus`] of the file at `path`. `InvalidInput` when the file is not a Tessera
/// vault.
#[uniffi::export]
pub fn vault_status(path: String) -> Result<VaultStatus> {
    Ok(core::Vault::status(vault_path(&path)?)?.into())
}

/// Why the device key did not open the vault at the last device unlock.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum DeviceKeyFailure {
    /// The key is gone, was invalidated (e.g. the biometrics changed) or is not this vault's.
    /// After a password unlock a new device key is registered (`KeyProvider.wrap`).
    Lost,
    /// The user dismissed the authentication prompt.
    Cancelled,
    /// The keystore could not be used this time; the key may still be good.
    Unavailable {
        /// What the platform reported.
        reason: String,
    },
}

impl From<core::DeviceKeyFailure> for DeviceKeyFailure {
    fn from(f: core::DeviceKeyFailure) -> Self {
        match f {
            core::DeviceKeyFailure::Lost => DeviceKeyFailure::Lost,
            core::DeviceKeyFailure::Cancelled => DeviceKeyFailure::Cancelled,
            core::DeviceKeyFailure::Unavailable(reason) => DeviceKeyFailure::Unavailable { reason },
        }
    }
}

/// The way into the vault that worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum UnlockMethod {
    /// The device key.
    DeviceKey,
    /// The vault password.
    Password,
    /// The recovery key.
    RecoveryKey,
}

/// An unlocked vault and how it was unlocked.
#[derive(uniffi::Record)]
pub struct UnlockResult {
    /// The open vault.
    pub vault: Arc<Vault>,
    /// The way in that worked.
    pub method: UnlockMethod,
    /// True when the device key had been lost and a new one was registered: the next unlock
    /// needs no password.
    pub device_key_renewed: bool,
    /// Why registering a new device key failed (the vault is open all the same; the next
    /// unlock will need the password again).
    pub device_key_problem: Option<String>,
}

/// Unlocks the vault at one path by Tessera's policy; make one per unlock screen. Remembers
/// why the device key failed, so the password unlock that follows knows whether to register
/// the device key again.
#[derive(uniffi::Object)]
pub struct Unlocker {
    inner: core::Unlocker,
    clock: Option<Arc<dyn Clock>>,
}

#[uniffi::export]
impl Unlocker {
    /// An unlocker for the vault at `path` with the device's `keys`. A `keys` whose key is gone
    /// should throw `WrongKey` from `unwrap` and make a new key in `wrap`. `clock` is handed
    /// to the unlocked `Vault` (the system clock when absent).
    #[uniffi::constructor(default(clock = None))]
    pub fn new(
        path: String,
        keys: Arc<dyn KeyProvider>,
        clock: Option<Arc<dyn Clock>>,
    ) -> Result<Arc<Self>> {
        let path = vault_path(&path)?.to_path_buf();
        Ok(Arc::new(Unlocker {
            inner: core::Unlocker::new(path, Box::new(ForeignKeys(keys))),
            clock,
        }))
    }

    /// The vault's status (see `vault_status`).
    pub fn status(&self) -> Result<VaultStatus> {
        Ok(self.inner.status()?.into())
    }

    /// Without a password: tries the device key. `PasswordRequired` when it did not work and
    /// the vault has a password (ask for it and call again with it); `KeyLost` when the key is
    /// lost and there is no password; `Cancelled` when the user dismissed the prompt and
    /// there is no password (offer to try again).
    /// With a password: unlocks with it (`WrongPassword`: ask again) and registers a new
    /// device key when the old one was lost.
    #[uniffi::method(default(password = None))]
    pub fn unlock(&self, password: Option<String>) -> Result<UnlockResult> {
        let password = password.map(zeroize::Zeroizing::new);
        let unlocked = self.inner.unlock(password.as_deref().map(|p| p.as_str()))?;
        Ok(self.result(unlocked))
    }

    /// Unlocks with the recovery key (as the user types it: case, spaces and dashes do not
    /// matter) when the device key is gone and the password forgotten, and registers a new
    /// device key as after a password. `InvalidInput` for a typing error (its check symbols
    /// catch any one wrong symbol and any two neighbours swapped; the file is not touched),
    /// `WrongPassword` for a key that does not open this vault.
    pub fn unlock_with_recovery_key(&self, recovery_key: String) -> Result<UnlockResult> {
        let recovery_key = zeroize::Zeroizing::new(recovery_key);
        Ok(self.result(self.inner.unlock_with_recovery_key(&recovery_key)?))
    }

    /// Why the device key failed at the last `unlock()` without a password, if it did: to
    /// explain the password screen ("your biometrics changed" vs "cancelled").
    pub fn device_key_failure(&self) -> Option<DeviceKeyFailure> {
        self.inner.device_failure().map(Into::into)
    }
}

impl Unlocker {
    fn result(&self, unlocked: core::Unlocked) -> UnlockResult {
        let (device_key_renewed, device_key_problem) = match unlocked.device_key {
            core::DeviceKeyRenewal::NotNeeded => (false, None),
            core::DeviceKeyRenewal::Renewed => (true, None),
            core::DeviceKeyRenewal::Failed(e) => {
                (false, Some(crate::TesseraError::from(e).to_string()))
            }
        };
        UnlockResult {
            vault: Vault::wrap(unlocked.vault, self.clock.clone()),
            method: match unlocked.method {
                core::UnlockMethod::DeviceKey => UnlockMethod::DeviceKey,
                core::UnlockMethod::Password => UnlockMethod::Password,
                core::UnlockMethod::RecoveryKey => UnlockMethod::RecoveryKey,
            },
            device_key_renewed,
            device_key_problem,
        }
    }
}
