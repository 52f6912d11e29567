//! The SQLite file: opening a connection with the vault's settings, checking that a file is
//! a Tessera vault and migrating its schema (the SQL itself is in `schema`), and the lock.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use super::{Inner, SCHEMA_VERSION, Vault, VaultError, VaultKey, schema};

pub(super) fn path_text(path: &Path) -> String {
    path.display().to_string()
}

/// Opens the SQLite file and applies the connection settings every vault connection uses.
pub(super) fn open_connection(path: &Path, create: bool) -> Result<Connection, VaultError> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    } else if !path.exists() {
        return Err(VaultError::NoVault {
            path: path_text(path),
        });
    }
    let not_a_vault = |e: VaultError| match e {
        VaultError::Corrupt(_) => VaultError::NotAVault {
            path: path_text(path),
        },
        other => other,
    };
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // WAL: readers never block the writer, and a crash never corrupts committed data.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(|e| not_a_vault(e.into()))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(VaultError::Storage(format!(
            "cannot switch the vault to WAL mode (got {mode})"
        )));
    }
    conn.execute_batch(
        // FULL: a transaction that returned is on disk, even after a power cut.
        // temp_store MEMORY: SQLite never writes temporary files.
        // secure_delete: purged rows are overwritten, not left in free pages.
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA secure_delete = ON;",
    )?;
    Ok(conn)
}

pub(super) fn user_version(conn: &Connection) -> Result<i64, VaultError> {
    Ok(conn.query_row("PRAGMA user_version", [], |row| row.get(0))?)
}

/// Checks that the file is a Tessera vault and upgrades its schema if it is older.
pub(super) fn check_and_migrate(conn: &mut Connection, path: &Path) -> Result<(), VaultError> {
    let app_id: i64 = conn.query_row("PRAGMA application_id", [], |row| row.get(0))?;
    let version = user_version(conn)?;
    if app_id != schema::APPLICATION_ID || version == 0 {
        return Err(VaultError::NotAVault {
            path: path_text(path),
        });
    }
    if version > SCHEMA_VERSION {
        return Err(VaultError::NewerSchema {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    if version < SCHEMA_VERSION {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Re-read under the write lock: another process may have migrated meanwhile.
        let version = user_version(&tx)?;
        schema::migrate(&tx, version)?;
        tx.commit()?;
    }
    Ok(())
}

pub(super) fn now() -> i64 {
    crate::otp::unix_now() as i64
}

pub(super) fn lock(inner: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    // A panic while holding the lock cannot leave SQLite half-written (transactions roll back
    // on drop), so a poisoned lock is safe to keep using.
    inner
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Inner {
    pub(super) fn invalidate(&mut self) {
        self.cache = None;
    }

    pub(super) fn data_version(&self) -> Result<i64, VaultError> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |row| row.get(0))?)
    }
}

impl Vault {
    pub(super) fn from_parts(
        path: &Path,
        conn: Connection,
        key: VaultKey,
        device_verified: bool,
    ) -> Vault {
        Vault {
            path: path.to_path_buf(),
            inner: Mutex::new(Inner {
                conn,
                key,
                device_verified,
                cache: None,
                cache_data_version: 0,
            }),
        }
    }

    /// The vault's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on the writer connection and the vault key, for other core modules that keep
    /// their own sealed tables in the vault (see [`VaultKey::seal`]). Invalidates the code
    /// cache afterwards.
    #[allow(dead_code)] // used by modules that land after the vault
    pub(crate) fn with_storage<T>(
        &self,
        f: impl FnOnce(&mut Connection, &VaultKey) -> Result<T, VaultError>,
    ) -> Result<T, VaultError> {
        let mut inner = lock(&self.inner);
        let inner = &mut *inner;
        let result = f(&mut inner.conn, &inner.key);
        inner.cache = None;
        result
    }

    /// `PRAGMA integrity_check` of the file: `Ok` when SQLite finds nothing wrong.
    pub fn check_storage(&self) -> Result<(), VaultError> {
        let inner = lock(&self.inner);
        let result: String = inner
            .conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
        if result == "ok" {
            Ok(())
        } else {
            Err(VaultError::Corrupt(result))
        }
    }
}
