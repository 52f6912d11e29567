//! Automatic backups: every change to the vault ends up, encrypted and verified, in a
//! destination the user chose (a folder; on phones possibly a cloud provider's).
//!
//! - **No prompt.** The backup key is set up once from a backup password: the Argon2id output
//!   (with its salt and cost) is sealed in the vault (`vault_meta` row `backup_key`, under the
//!   vault key). Each backup is an ordinary backup file (format version 1, `docs/vault.md`)
//!   under that key, so it restores with the backup password like any other.
//! - **Coalesced.** The shell calls [`Vault::backup_if_due`] after each change and when the
//!   returned time comes; a backup is written once the vault has been quiet for
//!   [`QUIET_SECONDS`], or at the latest [`MAX_WAIT_SECONDS`] after the first unbacked change.
//!   Time is passed in (the vault's clock), so tests never sleep. [`Vault::flush_auto_backup`]
//!   writes at once (an app going to the background, the CLI after a command).
//! - **Verified.** Each file is read back from the destination, decrypted and compared with the
//!   vault (count and fingerprints of the accounts); the result is recorded. Only a verified
//!   backup counts as the last good one.
//! - **Rotated.** The newest `keep` backups stay, and the last verified one is never deleted.
//!
//! The state (settings, times, digests) is sealed JSON in the `vault_meta` row `auto_backup`:
//! no schema change, and a vault with it still opens in an older Tessera.

use rusqlite::OptionalExtension;
use zeroize::Zeroizing;

use super::backup::{self, BackupKek};
use super::db::lock;
use super::keys::{KEY_LEN, KdfParams, SALT_LEN};
use super::{Binding, Inner, Vault, VaultError};
use crate::account::Account;
use crate::crypto;

/// Where automatic backups go, implemented by the platform: a directory (CLI), a Storage
/// Access Framework folder (Android), a document-picker folder (iOS). Names are plain file
/// names chosen by Tessera (`tessera-auto-…​.tsrbackup`). Errors are reasons for the user.
pub trait BackupDestination: Send + Sync {
    /// Writes (or replaces) the file `name`. Should write atomically where it can; a torn
    /// write is caught by the read-back all the same.
    fn write(&self, name: &str, bytes: &[u8]) -> Result<(), String>;
    /// Reads the file `name` back.
    fn read(&self, name: &str) -> Result<Vec<u8>, String>;
    /// Names of the files in the destination (others than Tessera's are ignored).
    fn list(&self) -> Result<Vec<String>, String>;
    /// Deletes the file `name`.
    fn delete(&self, name: &str) -> Result<(), String>;
}

/// The desktop's [`BackupDestination`]: a directory. Files are written atomically and for
/// the owner only (`crate::files`), so an interrupted write leaves no half file under a
/// backup's name.
#[derive(Debug, Clone)]
pub struct DirDestination {
    dir: std::path::PathBuf,
}

impl DirDestination {
    /// A destination writing into `dir`, which must exist.
    pub fn new(dir: impl Into<std::path::PathBuf>) -> DirDestination {
        DirDestination { dir: dir.into() }
    }

    fn path(&self, name: &str) -> Result<std::path::PathBuf, String> {
        // Tessera names its files itself; anything with a separator is refused all the same.
        if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
            return Err(format!("{name:?} is not a plain file name"));
        }
        Ok(self.dir.join(name))
    }
}

impl BackupDestination for DirDestination {
    fn write(&self, name: &str, bytes: &[u8]) -> Result<(), String> {
        let path = self.path(name)?;
        crate::files::write_private(&path, bytes, crate::files::Existing::Replace)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    fn read(&self, name: &str) -> Result<Vec<u8>, String> {
        let path = self.path(name)?;
        std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    }

    fn list(&self) -> Result<Vec<String>, String> {
        let entries = std::fs::read_dir(&self.dir)
            .map_err(|e| format!("cannot list {}: {e}", self.dir.display()))?;
        Ok(entries
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .collect())
    }

    fn delete(&self, name: &str) -> Result<(), String> {
        let path = self.path(name)?;
        std::fs::remove_file(&path).map_err(|e| format!("cannot delete {}: {e}", path.display()))
    }
}

/// A backup is written once the vault has been unchanged this long (seconds).
pub const QUIET_SECONDS: u64 = 10;
/// …or at the latest this long after the first change not yet backed up (seconds).
pub const MAX_WAIT_SECONDS: u64 = 120;
/// The status asks the user to re-enter the backup password after this long (30 days).
pub const PASSWORD_CHECK_SECONDS: u64 = 30 * 24 * 3600;
/// Backups kept when the shell does not say.
pub const DEFAULT_KEEP: u32 = 10;

const PREFIX: &str = "tessera-auto-";
const STATE_ROW: &str = "auto_backup";
const KEY_ROW: &str = "backup_key";

/// Settings and history of automatic backups (sealed in the vault; holds no secret).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct State {
    keep: u32,
    destination: String,
    set_up_at: u64,
    password_tested_at: u64,
    sequence: u64,
    /// Digest of the vault's content at the last verified backup.
    backed_up: Option<String>,
    /// Digest, first and last time seen of a content not backed up yet.
    pending: Option<(String, u64, u64)>,
    last_verified_at: Option<u64>,
    last_verified_name: Option<String>,
    last_failure: Option<(u64, String)>,
}

/// What one call to [`Vault::backup_if_due`] or [`Vault::flush_auto_backup`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutoBackupOutcome {
    /// Nothing changed since the last verified backup.
    UpToDate,
    /// Changes wait to be coalesced; call again at `due_at` (unix seconds).
    Waiting {
        /// When the backup will be due.
        due_at: u64,
    },
    /// A backup was written, read back and verified.
    Written {
        /// Its file name in the destination.
        name: String,
    },
    /// The backup failed (writing, reading back or verifying); recorded in the status.
    Failed {
        /// Why, for the user.
        reason: String,
    },
}

/// Everything a shell needs to remind the user about backups, in one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoBackupStatus {
    /// Automatic backups are on.
    pub enabled: bool,
    /// The destination as the shell described it when switching them on.
    pub destination: String,
    /// How many backups are kept.
    pub keep: u32,
    /// When the last verified backup was written (unix seconds).
    pub last_verified_at: Option<u64>,
    /// Why the last attempt failed, when it did (cleared by the next verified backup).
    pub last_failure: Option<String>,
    /// The vault has changes that no verified backup holds.
    pub unbacked_changes: bool,
    /// When the user last proved to know the backup password (set-up or a test).
    pub password_tested_at: Option<u64>,
    /// Time to ask the user to re-enter the backup password ([`PASSWORD_CHECK_SECONDS`]).
    pub ask_for_password: bool,
}

impl Inner {
    fn meta(&self, row: &str) -> Result<Option<Zeroizing<Vec<u8>>>, VaultError> {
        let sealed: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT value FROM vault_meta WHERE name = ?1", [row], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(sealed) = sealed else {
            return Ok(None);
        };
        self.key
            .open(meta_binding(row), &sealed)
            .map(Some)
            .ok_or_else(|| VaultError::Corrupt(format!("the vault's {row} setting")))
    }

    fn set_meta(&self, row: &str, plain: &[u8]) -> Result<(), VaultError> {
        let sealed = self.key.seal(meta_binding(row), plain)?;
        self.conn.execute(
            "INSERT INTO vault_meta (name, value) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            rusqlite::params![row, sealed],
        )?;
        Ok(())
    }

    fn state(&self) -> Result<Option<State>, VaultError> {
        self.meta(STATE_ROW)?
            .map(|plain| {
                serde_json::from_slice(&plain)
                    .map_err(|_| VaultError::Corrupt("the automatic backup settings".into()))
            })
            .transpose()
    }

    fn set_state(&self, state: &State) -> Result<(), VaultError> {
        let json = serde_json::to_vec(state).map_err(|e| VaultError::Storage(e.to_string()))?;
        self.set_meta(STATE_ROW, &json)
    }

    fn backup_kek(&self) -> Result<BackupKek, VaultError> {
        let plain = self.meta(KEY_ROW)?.ok_or(VaultError::AutoBackupOff)?;
        let damaged = || VaultError::Corrupt("the vault's backup key".into());
        if plain.len() != KEY_LEN + SALT_LEN + 12 {
            return Err(damaged());
        }
        let word = |at: usize| u32::from_be_bytes(plain[at..at + 4].try_into().unwrap_or([0; 4]));
        let at = KEY_LEN + SALT_LEN;
        let mut kek = BackupKek {
            kek: [0; KEY_LEN],
            salt: [0; SALT_LEN],
            params: KdfParams {
                memory_kib: word(at),
                iterations: word(at + 4),
                parallelism: word(at + 8),
            },
        };
        kek.kek.copy_from_slice(&plain[..KEY_LEN]);
        kek.salt.copy_from_slice(&plain[KEY_LEN..at]);
        Ok(kek)
    }

    /// A digest of everything a backup holds or depends on, read without decrypting: every
    /// column of every account (sealed fields change with every write, fresh nonce), the
    /// groups and the pictures. Equal digests mean nothing to back up.
    fn content_digest(&self) -> Result<String, VaultError> {
        let mut hash = crypto::mac::Sha256::default();
        for sql in [
            "SELECT * FROM accounts ORDER BY id",
            "SELECT account_id, group_id FROM account_groups ORDER BY account_id, group_id",
            "SELECT id, name FROM groups ORDER BY id",
            "SELECT account_id, icon FROM account_icons ORDER BY account_id",
        ] {
            let mut stmt = self.conn.prepare(sql)?;
            let columns = stmt.column_count();
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                for i in 0..columns {
                    use rusqlite::types::ValueRef;
                    // A type tag and a length before each value keep the encoding unambiguous.
                    let (tag, bytes): (u8, Vec<u8>) = match row.get_ref(i)? {
                        ValueRef::Null => (0, Vec::new()),
                        ValueRef::Integer(v) => (1, v.to_be_bytes().to_vec()),
                        ValueRef::Real(v) => (2, v.to_be_bytes().to_vec()),
                        ValueRef::Text(v) => (3, v.to_vec()),
                        ValueRef::Blob(v) => (4, v.to_vec()),
                    };
                    hash.update(&[tag]);
                    hash.update(&(bytes.len() as u64).to_be_bytes());
                    hash.update(&bytes);
                }
            }
            hash.update(b"\0table");
        }
        Ok(crate::encoding::hex_lower(&hash.finish()))
    }
}

fn meta_binding(row: &str) -> Binding<'_> {
    Binding {
        table: "vault_meta",
        row,
        field: "value",
    }
}

/// True for the names of Tessera's automatic backups.
fn is_ours(name: &str) -> bool {
    name.starts_with(PREFIX)
        && name
            .strip_suffix(super::BACKUP_EXTENSION)
            .is_some_and(|stem| stem.ends_with('.'))
}

impl Vault {
    /// Switches automatic backups on (or changes their password, destination or count): the
    /// backup key is derived from `password` now (Argon2id with `params`; slow by design) and
    /// kept sealed in the vault, so no backup asks for it again. `destination` describes where
    /// they go, for the status (a path, a folder's name). `keep` ≥ 1.
    pub fn enable_auto_backup(
        &self,
        password: &str,
        params: KdfParams,
        keep: u32,
        destination: &str,
        now: u64,
    ) -> Result<(), VaultError> {
        if keep == 0 {
            return Err(VaultError::InvalidBackupSetting(
                "keep at least one automatic backup".into(),
            ));
        }
        let kek = BackupKek::derive(password, params)?;
        let mut plain = Zeroizing::new(Vec::with_capacity(KEY_LEN + SALT_LEN + 12));
        plain.extend_from_slice(&kek.kek);
        plain.extend_from_slice(&kek.salt);
        for word in [params.memory_kib, params.iterations, params.parallelism] {
            plain.extend_from_slice(&word.to_be_bytes());
        }
        let inner = lock(&self.inner);
        // The key and the settings change together or not at all.
        let tx = inner.conn.unchecked_transaction()?;
        let previous = inner.state()?.unwrap_or_default();
        let state = State {
            keep,
            destination: destination.to_owned(),
            set_up_at: now,
            password_tested_at: now,
            sequence: previous.sequence,
            // A new key: what was backed up under the old one does not count as backed up.
            backed_up: None,
            pending: None,
            last_verified_at: None,
            last_verified_name: previous.last_verified_name,
            last_failure: None,
        };
        inner.set_meta(KEY_ROW, &plain)?;
        inner.set_state(&state)?;
        tx.commit()?;
        Ok(())
    }

    /// Switches automatic backups off and forgets the backup key (the files stay where they
    /// are; switching on again asks for a password).
    pub fn disable_auto_backup(&self) -> Result<(), VaultError> {
        let inner = lock(&self.inner);
        inner.conn.execute(
            "DELETE FROM vault_meta WHERE name IN (?1, ?2)",
            [STATE_ROW, KEY_ROW],
        )?;
        Ok(())
    }

    /// The one status a shell turns into a reminder (see [`AutoBackupStatus`]).
    pub fn auto_backup_status(&self, now: u64) -> Result<AutoBackupStatus, VaultError> {
        let inner = lock(&self.inner);
        let Some(state) = inner.state()? else {
            return Ok(AutoBackupStatus {
                enabled: false,
                destination: String::new(),
                keep: 0,
                last_verified_at: None,
                last_failure: None,
                unbacked_changes: false,
                password_tested_at: None,
                ask_for_password: false,
            });
        };
        let digest = inner.content_digest()?;
        Ok(AutoBackupStatus {
            enabled: true,
            destination: state.destination.clone(),
            keep: state.keep,
            last_verified_at: state.last_verified_at,
            last_failure: state.last_failure.map(|(_, why)| why),
            unbacked_changes: state.backed_up.as_deref() != Some(digest.as_str()),
            password_tested_at: Some(state.password_tested_at),
            ask_for_password: now.saturating_sub(state.password_tested_at)
                >= PASSWORD_CHECK_SECONDS,
        })
    }

    /// Checks that the user still knows the backup password (Argon2id; slow by design).
    /// `Ok(true)` and recorded when right; `Ok(false)` when wrong (nothing changes).
    pub fn test_backup_password(&self, password: &str, now: u64) -> Result<bool, VaultError> {
        let kek = lock(&self.inner).backup_kek()?;
        if !kek.matches(password)? {
            return Ok(false);
        }
        let inner = lock(&self.inner);
        let mut state = inner.state()?.ok_or(VaultError::AutoBackupOff)?;
        state.password_tested_at = now;
        inner.set_state(&state)?;
        Ok(true)
    }

    /// Call after every change and at the time it returns: writes a backup when changes have
    /// been quiet for [`QUIET_SECONDS`] (or waited [`MAX_WAIT_SECONDS`]). `AutoBackupOff` when
    /// automatic backups are off.
    pub fn backup_if_due(
        &self,
        now: u64,
        destination: &dyn BackupDestination,
    ) -> Result<AutoBackupOutcome, VaultError> {
        self.auto_backup(now, destination, false)
    }

    /// Writes a backup now if anything changed since the last verified one (an app going to
    /// the background; the CLI at the end of a command).
    pub fn flush_auto_backup(
        &self,
        now: u64,
        destination: &dyn BackupDestination,
    ) -> Result<AutoBackupOutcome, VaultError> {
        self.auto_backup(now, destination, true)
    }

    fn auto_backup(
        &self,
        now: u64,
        destination: &dyn BackupDestination,
        force: bool,
    ) -> Result<AutoBackupOutcome, VaultError> {
        let (mut state, digest, name) = {
            let inner = lock(&self.inner);
            let mut state = inner.state()?.ok_or(VaultError::AutoBackupOff)?;
            let digest = inner.content_digest()?;
            if state.backed_up.as_deref() == Some(digest.as_str()) {
                if state.pending.take().is_some() {
                    inner.set_state(&state)?;
                }
                return Ok(AutoBackupOutcome::UpToDate);
            }
            // `last` is when the content was last seen to change: the same digest as at the
            // previous call means no change since.
            let (first, last) = match &state.pending {
                Some((seen, first, last)) if *seen == digest => (*first, *last),
                Some((_, first, _)) => (*first, now),
                None => (now, now),
            };
            state.pending = Some((digest.clone(), first, last));
            let due_at = (last + QUIET_SECONDS).min(first + MAX_WAIT_SECONDS);
            if !force && now < due_at {
                inner.set_state(&state)?;
                return Ok(AutoBackupOutcome::Waiting { due_at });
            }
            state.sequence += 1;
            let name = format!(
                "{PREFIX}{now:012}-{:06}.{}",
                state.sequence,
                super::BACKUP_EXTENSION
            );
            (state, digest, name)
        };
        let result = self.write_and_verify(&name, destination);
        let inner = lock(&self.inner);
        let outcome = match result {
            Ok(()) => {
                state.backed_up = Some(digest);
                state.pending = None;
                state.last_verified_at = Some(now);
                state.last_verified_name = Some(name.clone());
                state.last_failure = None;
                AutoBackupOutcome::Written { name }
            }
            Err(error) => {
                // A file that did not verify must never be taken for a good one.
                let _ = destination.delete(&name);
                let reason = error.to_string();
                state.last_failure = Some((now, reason.clone()));
                AutoBackupOutcome::Failed { reason }
            }
        };
        inner.set_state(&state)?;
        drop(inner);
        if matches!(outcome, AutoBackupOutcome::Written { .. }) {
            rotate(destination, state.keep, state.last_verified_name.as_deref());
        }
        Ok(outcome)
    }

    /// Writes the backup `name`, reads it back and compares it with the vault.
    fn write_and_verify(
        &self,
        name: &str,
        destination: &dyn BackupDestination,
    ) -> Result<(), VaultError> {
        let accounts = self.export_accounts()?;
        let (bytes, kek, expected) = {
            let inner = lock(&self.inner);
            let kek = inner.backup_kek()?;
            let plain = backup::payload_json(accounts.iter().map(|(_, a)| a))?;
            let bytes = backup::seal_payload(&plain, &kek)?;
            let expected = fingerprints(&inner, accounts.iter().map(|(_, a)| a));
            (bytes, kek, expected)
        };
        destination
            .write(name, &bytes)
            .map_err(VaultError::BackupDestination)?;
        let read = destination
            .read(name)
            .map_err(VaultError::BackupDestination)?;
        let restored = backup::decode_with_kek(&read, &kek.kek)?;
        let inner = lock(&self.inner);
        if fingerprints(&inner, restored.iter()) != expected {
            return Err(VaultError::BackupDamaged(
                "the backup read back does not hold the vault's accounts".into(),
            ));
        }
        Ok(())
    }
}

/// The sorted fingerprints of `accounts` under this vault's key.
fn fingerprints<'a>(inner: &Inner, accounts: impl Iterator<Item = &'a Account>) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = accounts.map(|a| inner.key.fingerprint(a)).collect();
    crate::order::sort_stable_by(&mut out, Ord::cmp);
    out
}

/// Deletes Tessera's backups beyond the newest `keep`, never `last_verified`. Best effort: a
/// file that cannot be deleted now is deleted at a later rotation.
fn rotate(destination: &dyn BackupDestination, keep: u32, last_verified: Option<&str>) {
    let Ok(names) = destination.list() else {
        return;
    };
    let mut ours: Vec<String> = names.into_iter().filter(|n| is_ours(n)).collect();
    crate::order::sort_stable_by(&mut ours, Ord::cmp);
    let keep = usize::try_from(keep).unwrap_or(usize::MAX);
    let old = ours.len().saturating_sub(keep);
    for name in &ours[..old] {
        if Some(name.as_str()) != last_verified {
            let _ = destination.delete(name);
        }
    }
}

/// A backup found in a destination by [`read_latest_backup`].
#[derive(Debug)]
pub struct FoundBackup {
    /// The file it came from.
    pub name: String,
    /// Its accounts.
    pub accounts: Vec<Account>,
    /// Newer backups that were skipped, each with why (damaged, half-written).
    pub skipped: Vec<(String, String)>,
}

/// Reads the newest intact automatic backup in `destination` with the backup password (a
/// fresh install restoring). A damaged or half-written file is skipped (and reported) for the
/// next older one; a wrong password stops at once (`BackupWrongPassword`), changing nothing.
pub fn read_latest_backup(
    destination: &dyn BackupDestination,
    password: &str,
) -> Result<FoundBackup, VaultError> {
    let mut names: Vec<String> = destination
        .list()
        .map_err(VaultError::BackupDestination)?
        .into_iter()
        .filter(|n| is_ours(n))
        .collect();
    crate::order::sort_stable_by(&mut names, Ord::cmp);
    let mut skipped = Vec::new();
    for name in names.into_iter().rev() {
        let bytes = match destination.read(&name) {
            Ok(bytes) => bytes,
            Err(why) => {
                skipped.push((name, why));
                continue;
            }
        };
        match backup::decode(&bytes, password) {
            Ok(accounts) => {
                return Ok(FoundBackup {
                    name,
                    accounts,
                    skipped,
                });
            }
            Err(VaultError::BackupDamaged(why)) => skipped.push((name, why)),
            Err(other) => return Err(other),
        }
    }
    Err(VaultError::BackupDamaged(if skipped.is_empty() {
        "the destination holds no automatic backup".into()
    } else {
        format!("none of its {} automatic backups is intact", skipped.len())
    }))
}
