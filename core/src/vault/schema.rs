//! The vault's SQLite schema and its forward migrations.
//!
//! `PRAGMA user_version` is the schema version. Each step upgrades exactly one version inside
//! the caller's transaction, together with the version bump, so an interrupted upgrade leaves
//! the previous version intact. To add version N+1: write `migrate_to_vN+1`, add its arm to
//! [`migrate`] (or to the owning module's migration, e.g. `crate::push::schema`), bump
//! [`SCHEMA_VERSION`], and add a fixture of version N to
//! `core/tests/fixtures/` (see `core/tests/vault_migrations.rs`) before changing anything else.

use rusqlite::Transaction;

use super::VaultError;

/// The schema version this code writes. Every version that ever shipped must stay readable.
pub const SCHEMA_VERSION: i64 = 5;

/// `PRAGMA application_id` of a Tessera vault ("TSRA"), so `file(1)`-style checks and Tessera
/// itself can tell a vault from any other SQLite database.
pub(crate) const APPLICATION_ID: i64 = 0x5453_5241;

/// A core module that keeps its own tables in the vault file: called with each schema version
/// the vault reaches (in order, inside the migrating transaction), it creates or upgrades its
/// tables for that version and does nothing for versions that do not concern it. The vault
/// knows the list, not the tables.
pub(crate) type TableOwner = fn(&Transaction<'_>, i64) -> Result<(), VaultError>;

/// Every module with tables in the vault, besides the vault's own.
const TABLE_OWNERS: &[TableOwner] = &[crate::push::schema::migrate, crate::clock::migrate];

/// Brings a database at `from` up to [`SCHEMA_VERSION`], inside `tx`.
pub(crate) fn migrate(tx: &Transaction<'_>, from: i64) -> Result<(), VaultError> {
    if from > SCHEMA_VERSION {
        return Err(VaultError::NewerSchema {
            found: from,
            supported: SCHEMA_VERSION,
        });
    }
    let mut version = from;
    while version < SCHEMA_VERSION {
        match version {
            0 => migrate_to_v1(tx)?,
            // Version 2 added only other modules' tables (push).
            1 => {}
            2 => migrate_to_v3(tx)?,
            // Version 4 added only other modules' tables (push inbox, server time).
            3 => {}
            4 => migrate_to_v5(tx)?,
            // Every version below SCHEMA_VERSION has an arm above; this one is unreachable
            // unless the constant is bumped without a step.
            other => {
                return Err(VaultError::Storage(format!(
                    "no migration from schema version {other}"
                )));
            }
        }
        version += 1;
        for owner in TABLE_OWNERS {
            owner(tx, version)?;
        }
        tx.pragma_update(None, "user_version", version)?;
    }
    Ok(())
}

/// Version 1, the first released schema.
fn migrate_to_v1(tx: &Transaction<'_>) -> Result<(), VaultError> {
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.execute_batch(
        "
        -- Named values of the vault itself (e.g. the key check).
        CREATE TABLE vault_meta (
            name  TEXT PRIMARY KEY NOT NULL,
            value BLOB NOT NULL
        ) STRICT;

        -- The vault key, wrapped once per way of unlocking: 'device' (a KeyProvider) and
        -- 'password' (Argon2id, parameters stored here).
        CREATE TABLE key_slots (
            kind            TEXT PRIMARY KEY NOT NULL CHECK (kind IN ('device', 'password')),
            wrapped         BLOB NOT NULL,
            kdf_salt        BLOB,
            kdf_memory_kib  INTEGER,
            kdf_iterations  INTEGER,
            kdf_parallelism INTEGER,
            updated_at      INTEGER NOT NULL
        ) STRICT;

        -- One row per account. issuer and label are in clear for sorting and search; secret,
        -- note and extra are AES-256-GCM sealed (nonce || ciphertext || tag) and bound to
        -- (accounts, id, column). fingerprint is an HMAC keyed by the vault key, for finding
        -- duplicates without decrypting.
        CREATE TABLE accounts (
            id          TEXT PRIMARY KEY NOT NULL,
            position    INTEGER NOT NULL,
            issuer      TEXT NOT NULL,
            label       TEXT NOT NULL,
            kind        TEXT NOT NULL,
            algorithm   TEXT NOT NULL,
            digits      INTEGER NOT NULL,
            period      INTEGER NOT NULL,
            counter     INTEGER NOT NULL,
            secret      BLOB NOT NULL,
            note        BLOB NOT NULL,
            extra       BLOB NOT NULL,
            icon        TEXT,
            favorite    INTEGER NOT NULL DEFAULT 0,
            fingerprint BLOB NOT NULL,
            created_at  INTEGER NOT NULL,
            updated_at  INTEGER NOT NULL,
            trashed_at  INTEGER
        ) STRICT;
        CREATE INDEX accounts_fingerprint ON accounts (fingerprint);
        CREATE INDEX accounts_order ON accounts (trashed_at, favorite, position);

        CREATE TABLE groups (
            id   INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        ) STRICT;

        CREATE TABLE account_groups (
            account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            group_id   INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
            PRIMARY KEY (account_id, group_id)
        ) STRICT;
        CREATE INDEX account_groups_group ON account_groups (group_id);
        ",
    )?;
    Ok(())
}

/// Version 3: every account row carries `row_mac`, an HMAC under the vault key of the fields
/// that matter (see `vault::integrity`). The tags themselves need the key, so they are written
/// at the first unlock after this step, not here.
fn migrate_to_v3(tx: &Transaction<'_>) -> Result<(), VaultError> {
    tx.execute_batch("ALTER TABLE accounts ADD COLUMN row_mac BLOB;")?;
    Ok(())
}

/// Version 5: account icons (`crate::icon`), one row per account that has one, in their own
/// table so that lists and codes never read image bytes. `icon` is the icon's stored form
/// sealed like the note (AES-256-GCM bound to `(account_icons, account id, icon)`), which also
/// authenticates it: an icon cannot be forged or moved to another account without the key.
/// Sealed rather than in clear although issuers are in clear: an icon may be a picture the user
/// chose, and nothing needs to search it.
fn migrate_to_v5(tx: &Transaction<'_>) -> Result<(), VaultError> {
    // IF NOT EXISTS: a file whose version number was edited back down still has the table,
    // and must open (its rows then fail their checks; the pictures stay bound to their ids).
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS account_icons (
            account_id TEXT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            icon       BLOB NOT NULL
        ) STRICT;",
    )?;
    Ok(())
}
