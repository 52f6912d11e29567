//! The vault's error type.

use super::{AccountId, DeviceKeyFailure, KeyProviderError};

/// Why a vault operation failed. Every variant says what the user can do; none carries a
/// secret, a code, a password or key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// There is no vault file at the path.
    #[error("no vault at {path}")]
    NoVault {
        /// The path that was tried.
        path: String,
    },
    /// `create` found a vault already there; it is never overwritten.
    #[error("a vault already exists at {path}")]
    AlreadyExists {
        /// The existing vault.
        path: String,
    },
    /// The file exists but is not a Tessera vault (another database, or another kind of file).
    #[error("{path} is not a Tessera vault")]
    NotAVault {
        /// The file.
        path: String,
    },
    /// The vault was written by a newer Tessera.
    #[error(
        "this vault uses schema version {found}, newer than this Tessera understands ({supported}); update Tessera"
    )]
    NewerSchema {
        /// Version in the file.
        found: i64,
        /// Highest version this code reads.
        supported: i64,
    },
    /// The password does not open the password slot.
    #[error("wrong password")]
    WrongPassword,
    /// The vault has no password slot.
    #[error("this vault has no password; unlock it with the device key")]
    NoPassword,
    /// The device key unwrapped something that is not this vault's key.
    #[error("the device key does not open this vault; unlock it with its password")]
    WrongDeviceKey,
    /// The platform keystore failed.
    #[error(transparent)]
    KeyProvider(#[from] KeyProviderError),
    /// The device key did not open the vault (see why), and the vault has a password: ask for
    /// it and unlock with it (see [`super::Unlocker`]).
    #[error("{0}; the vault's password is needed")]
    PasswordRequired(DeviceKeyFailure),
    /// The device key no longer opens the vault and the vault has no password: there is no
    /// way in left on this device; its accounts can only come back from a backup.
    #[error(
        "the device key does not open this vault and the vault has no password, so it cannot be unlocked; restore its accounts from a backup"
    )]
    KeyLost,
    /// Removing the password would leave no working way to unlock.
    #[error(
        "the device key of this vault was not verified in this session; unlock with the device key (or re-register it) before removing the password"
    )]
    DeviceKeyUnverified,
    /// The device key did not open the vault (see why), and the vault has no password but a
    /// recovery key: ask for it and unlock with it (see [`super::Unlocker`]).
    #[error("{0}; the vault has no password: unlock it with its recovery key")]
    RecoveryKeyRequired(DeviceKeyFailure),
    /// A typed recovery key is malformed (a symbol outside the alphabet, the wrong length, or
    /// a typing error caught by its check symbols). Never repeats the input.
    #[error("this is not a valid recovery key: {0}")]
    InvalidRecoveryKey(String),
    /// A well-formed recovery key that does not open this vault (another vault's, or revoked).
    #[error(
        "this recovery key does not open this vault (it belongs to another vault or was replaced)"
    )]
    WrongRecoveryKey,
    /// The vault has no recovery key.
    #[error("this vault has no recovery key")]
    NoRecoveryKey,
    /// A new password that cannot be used (e.g. empty).
    #[error("unusable password: {0}")]
    InvalidPassword(String),
    /// Argon2id parameters outside what Tessera computes.
    #[error("invalid key derivation parameters: {0}")]
    InvalidKdfParams(String),
    /// No account has this id.
    #[error("no account with id {id}")]
    NotFound {
        /// The id asked for.
        id: String,
    },
    /// An id prefix matches more than one account.
    #[error("the id prefix {prefix} matches several accounts; give more characters")]
    AmbiguousId {
        /// The prefix given.
        prefix: String,
    },
    /// An account with the same secret and parameters already exists.
    #[error("{}", duplicate_message(existing, *in_trash))]
    Duplicate {
        /// The account already in the vault.
        existing: AccountId,
        /// True when that account is in the trash (restore it instead).
        in_trash: bool,
    },
    /// An account's encrypted data was modified or damaged; the other accounts still work.
    #[error(
        "account {account} failed its integrity check: its stored data was modified or damaged (restore it from a backup)"
    )]
    Integrity {
        /// The damaged account.
        account: AccountId,
    },
    /// An account that cannot be stored (bad parameters, empty secret).
    #[error("invalid account: {0}")]
    InvalidAccount(String),
    /// Another process holds the vault's write lock for too long.
    #[error("the vault is busy (another Tessera process is writing to it); try again")]
    Busy,
    /// The database file itself is damaged.
    #[error("the vault file is damaged ({0}); restore it from a backup")]
    Corrupt(String),
    /// Any other storage failure (disk full, permissions, I/O).
    #[error("vault storage error: {0}")]
    Storage(String),
    /// The backup password is wrong; nothing was imported.
    #[error("wrong backup password")]
    BackupWrongPassword,
    /// The backup file is truncated, modified or not a Tessera backup; nothing was imported.
    #[error("damaged backup: {0}")]
    BackupDamaged(String),
    /// The backup was written by a newer Tessera.
    #[error(
        "this backup uses format version {found}, newer than this Tessera reads ({supported}); update Tessera"
    )]
    BackupNewerVersion {
        /// Version in the file.
        found: u16,
        /// Highest version this code reads.
        supported: u16,
    },
    /// A backup would be larger than [`super::MAX_BACKUP_BYTES`], so no Tessera could read
    /// it back; nothing was written. Large icons are the likely cause.
    #[error(
        "the backup would be {size_mib} MiB, more than the {max_mib} MiB a backup may hold; remove some large icons"
    )]
    BackupTooLarge {
        /// Its size, in MiB (rounded up).
        size_mib: usize,
        /// The bound, in MiB.
        max_mib: usize,
    },
    /// An automatic backup's destination (a folder, a cloud provider) failed; its reason as
    /// the platform gave it.
    #[error("the backup destination failed: {0}")]
    BackupDestination(String),
    /// An automatic backup setting that cannot be used (e.g. keeping no backup at all).
    #[error("invalid automatic backup setting: {0}")]
    InvalidBackupSetting(String),
    /// Automatic backups are not switched on.
    #[error("automatic backups are off")]
    AutoBackupOff,
    /// The operating system's random number generator failed.
    #[error("the system random number generator failed")]
    Random,
}

pub(super) fn duplicate_message(existing: &AccountId, in_trash: bool) -> String {
    if in_trash {
        format!("this account is already in the vault's trash (id {existing}); restore it instead")
    } else {
        format!("this account is already in the vault (id {existing})")
    }
}

impl From<rusqlite::Error> for VaultError {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match error.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => VaultError::Busy,
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
                VaultError::Corrupt(error.to_string())
            }
            // rusqlite's messages name SQL and error codes, never bound values, and this module
            // binds no plaintext secret anyway.
            _ => VaultError::Storage(error.to_string()),
        }
    }
}
