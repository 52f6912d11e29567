//! The vault's SQLite schema and its forward migrations.
//!
//! `PRAGMA user_version` is the schema version. Each step upgrades exactly one version inside
//! the caller's transaction, together with the version bump, so an interrupted upgrade leaves
//! the previous version intact. To add version N+1: write `migrate_to_vN+1`, add its arm to
//! [`migrate`], bump [`SCHEMA_VERSION`], and add a fixture of version N to
//! `core/tests/fixtures/` (see `core/tests/vault_migrations.rs`) before changing anything else.

use rusqlite::Transaction;

use super::VaultError;

/// The schema version this code writes. Every version that ever shipped must stay readable.
pub const SCHEMA_VERSION: i64 = 2;

/// `PRAGMA application_id` of a Tessera vault ("TSRA"), so `file(1)`-style checks and Tessera
/// itself can tell a vault from any other SQLite database.
pub(crate) const APPLICATION_ID: i64 = 0x5453_5241;

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
            1 => migrate_to_v2(tx)?,
            // Every version below SCHEMA_VERSION has an arm above; this one is unreachable
            // unless the constant is bumped without a step.
            other => {
                return Err(VaultError::Storage(format!(
                    "no migration from schema version {other}"
                )));
            }
        }
        version += 1;
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

/// Version 2: push tokens (privacyIDEA), their software device keys, pending push requests
/// and answered nonces (see `crate::push::store`).
fn migrate_to_v2(tx: &Transaction<'_>) -> Result<(), VaultError> {
    tx.execute_batch(
        "
        -- One row per enrolled push token. server_key is the server's public key (PKCS#1 DER)
        -- that signs its requests; key_alias names the device key in its holder (a platform
        -- keystore, or push_device_keys below).
        CREATE TABLE push_tokens (
            serial      TEXT PRIMARY KEY NOT NULL,
            position    INTEGER NOT NULL,
            issuer      TEXT NOT NULL,
            label       TEXT NOT NULL,
            url         TEXT NOT NULL,
            sslverify   INTEGER NOT NULL CHECK (sslverify IN (0, 1)),
            server_key  BLOB NOT NULL,
            key_alias   TEXT NOT NULL,
            enrolled_at INTEGER NOT NULL
        ) STRICT;

        -- Tessera's software device keys: PKCS#8 DER sealed with the vault key, bound to
        -- (push_device_keys, alias, private_key).
        CREATE TABLE push_device_keys (
            alias       TEXT PRIMARY KEY NOT NULL,
            private_key BLOB NOT NULL,
            created_at  INTEGER NOT NULL
        ) STRICT;

        -- Verified requests waiting for an answer (they survive a restart): the request as
        -- received (JSON) and when it first arrived.
        CREATE TABLE push_pending (
            nonce       TEXT PRIMARY KEY NOT NULL,
            serial      TEXT NOT NULL,
            request     TEXT NOT NULL,
            received_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX push_pending_serial ON push_pending (serial);

        -- Nonces already answered: a request repeating one is a replay.
        CREATE TABLE push_answered (
            nonce       TEXT PRIMARY KEY NOT NULL,
            answered_at INTEGER NOT NULL
        ) STRICT;
        ",
    )?;
    Ok(())
}
