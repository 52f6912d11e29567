//! Automatic backups through the FFI: the app's folder as a foreign `BackupDestination`, and
//! the vault's calls around it. Every rule (key, coalescing, verification, rotation, reminder)
//! is core's (`tessera_core::vault`, `docs/vault.md`, *Automatic backups*).

use std::sync::Arc;

use tessera_core::vault as core;

use crate::error::{Result, TesseraError};
use crate::platform::now;
use crate::vault::{KdfParams, Vault};

/// Where automatic backups go: a Storage Access Framework folder (Android), a document-picker
/// folder (iOS). Names are plain file names Tessera chooses. Throw `Platform` with a reason
/// for the user when the folder cannot be used; anything thrown is reported, never a crash.
#[uniffi::export(foreign)]
pub trait BackupDestination: Send + Sync {
    /// Writes (or replaces) the file `name`.
    fn write(&self, name: String, bytes: Vec<u8>) -> Result<()>;
    /// Reads the file `name`.
    fn read(&self, name: String) -> Result<Vec<u8>>;
    /// The names of the files in the folder.
    fn list(&self) -> Result<Vec<String>>;
    /// Deletes the file `name`.
    fn delete(&self, name: String) -> Result<()>;
}

/// Core's view of a foreign destination.
struct Foreign(Arc<dyn BackupDestination>);

fn reason(error: TesseraError) -> String {
    match error {
        TesseraError::Platform { reason } => reason,
        other => other.to_string(),
    }
}

impl core::BackupDestination for Foreign {
    fn write(&self, name: &str, bytes: &[u8]) -> std::result::Result<(), String> {
        self.0
            .write(name.to_owned(), bytes.to_vec())
            .map_err(reason)
    }
    fn read(&self, name: &str) -> std::result::Result<Vec<u8>, String> {
        self.0.read(name.to_owned()).map_err(reason)
    }
    fn list(&self) -> std::result::Result<Vec<String>, String> {
        self.0.list().map_err(reason)
    }
    fn delete(&self, name: &str) -> std::result::Result<(), String> {
        self.0.delete(name.to_owned()).map_err(reason)
    }
}

/// What one automatic backup call did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum AutoBackupOutcome {
    /// Nothing changed since the last verified backup.
    UpToDate,
    /// Changes wait to be coalesced: call `backupIfDue` again at `dueAt` (Unix seconds).
    Waiting {
        /// When the backup is due.
        due_at: u64,
    },
    /// A backup was written, read back and verified.
    Written {
        /// Its file name.
        name: String,
    },
    /// The backup failed (recorded in the status); tell the user.
    Failed {
        /// Why.
        reason: String,
    },
}

impl From<core::AutoBackupOutcome> for AutoBackupOutcome {
    fn from(o: core::AutoBackupOutcome) -> Self {
        match o {
            core::AutoBackupOutcome::UpToDate => AutoBackupOutcome::UpToDate,
            core::AutoBackupOutcome::Waiting { due_at } => AutoBackupOutcome::Waiting { due_at },
            core::AutoBackupOutcome::Written { name } => AutoBackupOutcome::Written { name },
            core::AutoBackupOutcome::Failed { reason } => AutoBackupOutcome::Failed { reason },
        }
    }
}

/// The one status a shell turns into a backup reminder.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AutoBackupStatus {
    /// Automatic backups are on.
    pub enabled: bool,
    /// The destination as the app described it when switching them on.
    pub destination: String,
    /// How many backups are kept.
    pub keep: u32,
    /// When the last verified backup was written (Unix seconds).
    pub last_verified_at: Option<u64>,
    /// Why the last attempt failed, if it did.
    pub last_failure: Option<String>,
    /// Changes that no verified backup holds yet.
    pub unbacked_changes: bool,
    /// When the user last proved to know the backup password.
    pub password_tested_at: Option<u64>,
    /// Time to ask the user to re-enter the backup password (`testBackupPassword`).
    pub ask_for_password: bool,
}

impl From<core::AutoBackupStatus> for AutoBackupStatus {
    fn from(s: core::AutoBackupStatus) -> Self {
        AutoBackupStatus {
            enabled: s.enabled,
            destination: s.destination,
            keep: s.keep,
            last_verified_at: s.last_verified_at,
            last_failure: s.last_failure,
            unbacked_changes: s.unbacked_changes,
            password_tested_at: s.password_tested_at,
            ask_for_password: s.ask_for_password,
        }
    }
}

#[uniffi::export]
impl Vault {
    /// Switches automatic backups on: the backup key is derived from `password` now (slow by
    /// design) and kept sealed in the vault, so backups never ask for it; it is needed again
    /// only to restore. `destination` describes the folder for the status; `keep` ≥ 1.
    #[uniffi::method(default(kdf = None))]
    pub fn enable_auto_backup(
        &self,
        password: String,
        keep: u32,
        destination: String,
        kdf: Option<KdfParams>,
    ) -> Result<()> {
        let password = zeroize::Zeroizing::new(password);
        let now = now(self.clock())?;
        Ok(self.unlocked()?.enable_auto_backup(
            &password,
            crate::vault::kdf(kdf)?,
            keep,
            &destination,
            now,
        )?)
    }

    /// Switches automatic backups off and forgets the backup key (the files stay).
    pub fn disable_auto_backup(&self) -> Result<()> {
        Ok(self.unlocked()?.disable_auto_backup()?)
    }

    /// Call after every change and at the `dueAt` it returns: writes a verified backup once
    /// the changes have been quiet for a few seconds.
    pub fn backup_if_due(
        &self,
        destination: Arc<dyn BackupDestination>,
    ) -> Result<AutoBackupOutcome> {
        let now = now(self.clock())?;
        Ok(self
            .unlocked()?
            .backup_if_due(now, &Foreign(destination))?
            .into())
    }

    /// Writes a backup now if anything changed (the app going to the background).
    pub fn flush_auto_backup(
        &self,
        destination: Arc<dyn BackupDestination>,
    ) -> Result<AutoBackupOutcome> {
        let now = now(self.clock())?;
        Ok(self
            .unlocked()?
            .flush_auto_backup(now, &Foreign(destination))?
            .into())
    }

    /// The reminder status.
    pub fn auto_backup_status(&self) -> Result<AutoBackupStatus> {
        let now = now(self.clock())?;
        Ok(self.unlocked()?.auto_backup_status(now)?.into())
    }

    /// True (and recorded) when `password` is the backup password.
    pub fn test_backup_password(&self, password: String) -> Result<bool> {
        let password = zeroize::Zeroizing::new(password);
        let now = now(self.clock())?;
        Ok(self.unlocked()?.test_backup_password(&password, now)?)
    }
}

/// How many automatic backups to keep when the user has not chosen (core's default), for
/// `Vault.enableAutoBackup`; rotation never deletes the last verified backup whatever it is.
#[uniffi::export]
pub fn default_auto_backup_keep() -> u32 {
    tessera_core::vault::DEFAULT_KEEP
}

/// The accounts of the newest intact automatic backup in `destination`, to restore into a
/// fresh vault with `Vault.addMany` (half-written and damaged files are skipped).
/// `WrongPassword` for a wrong backup password; nothing is changed anywhere.
#[uniffi::export]
pub fn read_latest_backup(
    destination: Arc<dyn BackupDestination>,
    password: String,
) -> Result<Vec<crate::account::OtpAccount>> {
    let password = zeroize::Zeroizing::new(password);
    let found = core::read_latest_backup(&Foreign(destination), &password)?;
    Ok(found.accounts.iter().map(Into::into).collect())
}
