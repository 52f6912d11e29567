//! The unlock policy, in one place for every shell: which way into a vault to try first, when
//! the password is the next step, and what happens to the device key afterwards.
//!
//! 1. The device key (the platform's [`KeyProvider`]) first: it needs no typing.
//! 2. If it is lost, cancelled or unavailable and the vault has a password slot, the shell is
//!    told [`VaultError::PasswordRequired`] (with why the device key failed), asks the user and
//!    calls [`Unlocker::unlock_with_password`]. Without a password slot the failure stands:
//!    [`VaultError::KeyLost`] for a key that will never work again, the provider's own error
//!    (cancelled, unavailable) for one that may work on the next try.
//! 3. After a password unlock, a device key that was lost (or a vault without a device slot)
//!    is registered again with the same provider, so the next unlock needs no password. A key
//!    that was only cancelled or unavailable is left as it is.
//!
//! The recovery key (`vault::recovery`) is the third way in: a vault without a password but
//! with a recovery key answers step 2 with [`VaultError::RecoveryKeyRequired`], and
//! [`Unlocker::unlock_with_recovery_key`] ends in step 3 like the password. A shell may offer
//! the recovery key beside the password whenever [`VaultStatus::has_recovery_key`] is true
//! (the user who forgot the password).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::db::path_text;
use super::{KeyProvider, KeyProviderError, SCHEMA_VERSION, Vault, VaultError, schema};

/// What a shell needs to know about a vault file before unlocking it (which screen to show
/// first). Reading it changes nothing and needs no key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VaultStatus {
    /// A vault file is there (false: show the first-run screen).
    pub exists: bool,
    /// The vault has a password slot: a password can unlock it when the device key cannot.
    pub has_password: bool,
    /// The vault has a device slot (a key registered with a platform keystore).
    pub has_device_key: bool,
    /// The vault has a recovery key: offer it beside the password ("forgot your password?").
    pub has_recovery_key: bool,
    /// The vault was written by a newer Tessera: it cannot be opened until the app is updated.
    pub newer_version: bool,
}

/// Why the device key did not open a vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceKeyFailure {
    /// The key does not open this vault and never will: it is gone, was invalidated (e.g. the
    /// device's biometrics changed), belongs to another vault, or the vault has no device slot.
    Lost,
    /// The user cancelled the platform's authentication prompt.
    Cancelled,
    /// The keystore could not be used this time (locked, no permission, a failure); the key
    /// itself may still be good.
    Unavailable(String),
}

impl DeviceKeyFailure {
    /// How a failed device unlock reads to the policy; `None` for a failure that has nothing
    /// to do with the device key (no vault, a damaged file, a newer schema…).
    fn of(error: &VaultError) -> Option<DeviceKeyFailure> {
        match error {
            VaultError::WrongDeviceKey => Some(DeviceKeyFailure::Lost),
            VaultError::KeyProvider(e) => Some(match e {
                KeyProviderError::WrongKey | KeyProviderError::Invalidated => {
                    DeviceKeyFailure::Lost
                }
                KeyProviderError::Cancelled => DeviceKeyFailure::Cancelled,
                KeyProviderError::Unavailable(why) | KeyProviderError::Failed(why) => {
                    DeviceKeyFailure::Unavailable(why.clone())
                }
            }),
            _ => None,
        }
    }
}

impl fmt::Display for DeviceKeyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceKeyFailure::Lost => f.write_str("the device key does not open this vault"),
            DeviceKeyFailure::Cancelled => {
                f.write_str("unlocking with the device key was cancelled")
            }
            DeviceKeyFailure::Unavailable(why) => {
                write!(f, "the device key is unavailable ({why})")
            }
        }
    }
}

/// Which way into the vault was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnlockMethod {
    /// The device key.
    DeviceKey,
    /// The vault password.
    Password,
    /// The recovery key.
    RecoveryKey,
}

/// What happened to the device key after a fallback unlock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceKeyRenewal {
    /// Nothing to do: the device key opened the vault, or it was only cancelled or unavailable.
    NotNeeded,
    /// The device key was lost; the provider's current key is now registered, so the next
    /// unlock needs no password.
    Renewed,
    /// The device key was lost and registering the provider's key failed; the vault is open,
    /// and the next unlock will need the password again.
    Failed(VaultError),
}

/// An unlocked vault and how it was unlocked.
#[derive(Debug)]
pub struct Unlocked {
    /// The open vault.
    pub vault: Vault,
    /// The way in that worked.
    pub method: UnlockMethod,
    /// What happened to the device key.
    pub device_key: DeviceKeyRenewal,
}

/// Unlocks one vault file by the policy of this module. Keeps why the device key failed, so
/// that a password unlock that follows knows whether to register the key again. Cheap; make
/// one per unlock attempt (per app start or lock screen).
pub struct Unlocker {
    path: PathBuf,
    device: Box<dyn KeyProvider>,
    device_failure: Mutex<Option<DeviceKeyFailure>>,
}

impl fmt::Debug for Unlocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unlocker")
            .field("path", &self.path)
            .field("device_failure", &self.device_failure())
            .finish_non_exhaustive()
    }
}

impl Unlocker {
    /// An unlocker for the vault at `path` whose device key is `device`. A provider whose key
    /// is gone should report it from `unwrap` (`WrongKey`/`Invalidated`) and make a new key in
    /// `wrap`: that is how the key is registered again after a password unlock.
    pub fn new(path: impl Into<PathBuf>, device: Box<dyn KeyProvider>) -> Unlocker {
        Unlocker {
            path: path.into(),
            device,
            device_failure: Mutex::new(None),
        }
    }

    /// The vault file this unlocker opens.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The vault's [`VaultStatus`].
    pub fn status(&self) -> Result<VaultStatus, VaultError> {
        Vault::status(&self.path)
    }

    /// Why the device key failed at the last [`Unlocker::unlock_with_device`], if it did.
    pub fn device_failure(&self) -> Option<DeviceKeyFailure> {
        self.device_failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn remember(&self, failure: Option<DeviceKeyFailure>) {
        *self
            .device_failure
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = failure;
    }

    /// `None` tries the device key, a password tries the password: the one call a shell makes
    /// in its unlock loop ("try the key; if the password is required, ask and call again").
    pub fn unlock(&self, password: Option<&str>) -> Result<Unlocked, VaultError> {
        match password {
            None => self.unlock_with_device(),
            Some(password) => self.unlock_with_password(password),
        }
    }

    /// Step 1 of the policy: the device key. Fails with [`VaultError::PasswordRequired`] when
    /// the key did not open the vault and the vault has a password; with
    /// [`VaultError::KeyLost`] when the key is lost and there is no other way in; with the
    /// provider's error (cancelled, unavailable) when trying again later may work.
    pub fn unlock_with_device(&self) -> Result<Unlocked, VaultError> {
        let error = match Vault::open_with_device(&self.path, &*self.device) {
            Ok(vault) => {
                self.remember(None);
                return Ok(Unlocked {
                    vault,
                    method: UnlockMethod::DeviceKey,
                    device_key: DeviceKeyRenewal::NotNeeded,
                });
            }
            Err(error) => error,
        };
        let Some(failure) = DeviceKeyFailure::of(&error) else {
            return Err(error);
        };
        self.remember(Some(failure.clone()));
        let status = Vault::status(&self.path)?;
        if status.has_password {
            return Err(VaultError::PasswordRequired(failure));
        }
        if status.has_recovery_key {
            return Err(VaultError::RecoveryKeyRequired(failure));
        }
        Err(match failure {
            DeviceKeyFailure::Lost => VaultError::KeyLost,
            DeviceKeyFailure::Cancelled | DeviceKeyFailure::Unavailable(_) => error,
        })
    }

    /// Step 2: the password (Argon2id; slow by design), then step 3 for the device key.
    pub fn unlock_with_password(&self, password: &str) -> Result<Unlocked, VaultError> {
        let vault = Vault::open_with_password(&self.path, password)?;
        Ok(self.after_fallback(vault, UnlockMethod::Password))
    }

    /// Step 2 with the recovery key instead of the password (typed as printed; case, spaces
    /// and dashes do not matter), then step 3 for the device key.
    pub fn unlock_with_recovery_key(&self, recovery_key: &str) -> Result<Unlocked, VaultError> {
        let vault = Vault::open_with_recovery_key(&self.path, recovery_key)?;
        Ok(self.after_fallback(vault, UnlockMethod::RecoveryKey))
    }

    /// Step 3, after any way in other than the device key: register the device key again when
    /// it was lost or the vault has none. A failure to register leaves the vault open.
    fn after_fallback(&self, vault: Vault, method: UnlockMethod) -> Unlocked {
        let lost = matches!(self.device_failure(), Some(DeviceKeyFailure::Lost))
            || !matches!(vault.has_device_slot(), Ok(true));
        let device_key = if lost {
            match vault.set_device_key(&*self.device) {
                Ok(()) => {
                    self.remember(None);
                    DeviceKeyRenewal::Renewed
                }
                Err(error) => DeviceKeyRenewal::Failed(error),
            }
        } else {
            DeviceKeyRenewal::NotNeeded
        };
        Unlocked {
            vault,
            method,
            device_key,
        }
    }
}

impl Vault {
    /// The [`VaultStatus`] of the file at `path`, read without a key and without changing
    /// anything (the file is opened read-only and never migrated). A file that is not a
    /// Tessera vault is [`VaultError::NotAVault`].
    pub fn status(path: &Path) -> Result<VaultStatus, VaultError> {
        if !path.exists() {
            return Ok(VaultStatus::default());
        }
        let not_a_vault = || VaultError::NotAVault {
            path: path_text(path),
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let header = |conn: &Connection| -> rusqlite::Result<(i64, i64)> {
            Ok((
                conn.query_row("PRAGMA application_id", [], |row| row.get(0))?,
                conn.query_row("PRAGMA user_version", [], |row| row.get(0))?,
            ))
        };
        let (app_id, version) = header(&conn).map_err(|e| match VaultError::from(e) {
            VaultError::Corrupt(_) => not_a_vault(),
            other => other,
        })?;
        if app_id != schema::APPLICATION_ID || version == 0 {
            return Err(not_a_vault());
        }
        let newer_version = version > SCHEMA_VERSION;
        const KEY_SLOT: &str = "SELECT 1 FROM key_slots WHERE kind = ?1";
        const META: &str = "SELECT 1 FROM vault_meta WHERE name = ?1";
        let slot = |sql: &str, name: &str| -> Result<bool, VaultError> {
            let found = conn.query_row(sql, [name], |_| Ok(())).optional();
            match found {
                Ok(found) => Ok(found.is_some()),
                // A newer schema may keep its slots differently: not knowing is not an error,
                // since that vault cannot be opened here anyway.
                Err(_) if newer_version => Ok(false),
                Err(e) => Err(e.into()),
            }
        };
        Ok(VaultStatus {
            exists: true,
            has_password: slot(KEY_SLOT, "password")?,
            has_device_key: slot(KEY_SLOT, "device")?,
            has_recovery_key: slot(META, super::recovery::RECOVERY_SLOT)?,
            newer_version,
        })
    }
}
