//! Push's tables in the vault file. The vault calls [`migrate`] for every schema version it
//! reaches; push creates and upgrades its own tables.

use rusqlite::Transaction;

use crate::vault::VaultError;

/// Creates or upgrades push's tables for vault schema version `version` (called once per
/// version, in order, inside the vault's migrating transaction).
pub(crate) fn migrate(tx: &Transaction<'_>, version: i64) -> Result<(), VaultError> {
    match version {
        2 => create_v2(tx),
        3 => add_row_tags_v3(tx),
        4 => inbox_and_replays_v4(tx),
        _ => Ok(()),
    }
}

/// Version 2: push tokens (privacyIDEA), their software device keys, pending push requests
/// and answered nonces (see [`super::store`]).
fn create_v2(tx: &Transaction<'_>) -> Result<(), VaultError> {
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

/// Version 3: push token rows carry `row_mac`, an HMAC under the vault key of the serial,
/// issuer, label, URL, TLS flag, server key, key alias and enrollment time (see
/// `super::store`); written at the first unlock after this step.
fn add_row_tags_v3(tx: &Transaction<'_>) -> Result<(), VaultError> {
    tx.execute_batch("ALTER TABLE push_tokens ADD COLUMN row_mac BLOB;")?;
    Ok(())
}

/// Version 4: the push inbox and dead replays.
/// - `push_tokens.force_unlock`: the server's `app_force_unlock` demand, covered by the row's
///   tag when present (tokens enrolled before have none, and their tags stay valid).
/// - `push_seen` replaces `push_answered`: every nonce received, answered, denied or expired
///   is remembered for `SEEN_NONCE_KEEP_SECS`, so the same signed request delivered again is
///   refused as a replay. Answered nonces and pending requests carry over.
/// - `push_pending.poll_round` and `push_state`: which requests arrived in the latest poll
///   (the inbox's "new" mark).
///
/// Written to run on a file whose version number was edited back (see `vault_tamper`): what
/// exists already is kept, so such a file opens, and its rows are then judged by their tags.
fn inbox_and_replays_v4(tx: &Transaction<'_>) -> Result<(), VaultError> {
    add_column(tx, "push_tokens", "force_unlock", "TEXT")?;
    add_column(
        tx,
        "push_pending",
        "poll_round",
        "INTEGER NOT NULL DEFAULT 0",
    )?;
    tx.execute_batch(
        "
        CREATE TABLE IF NOT EXISTS push_seen (
            nonce   TEXT PRIMARY KEY NOT NULL,
            seen_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX IF NOT EXISTS push_seen_age ON push_seen (seen_at);
        INSERT OR IGNORE INTO push_seen (nonce, seen_at)
            SELECT nonce, received_at FROM push_pending;

        -- Named counters of push (today: 'poll_round', the number of the latest poll).
        CREATE TABLE IF NOT EXISTS push_state (
            name  TEXT PRIMARY KEY NOT NULL,
            value INTEGER NOT NULL
        ) STRICT;
        ",
    )?;
    if table_exists(tx, "push_answered")? {
        tx.execute_batch(
            "INSERT OR IGNORE INTO push_seen (nonce, seen_at)
                 SELECT nonce, answered_at FROM push_answered;
             DROP TABLE push_answered;",
        )?;
    }
    Ok(())
}

fn table_exists(tx: &Transaction<'_>, table: &str) -> Result<bool, VaultError> {
    Ok(tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
        [table],
        |r| r.get(0),
    )?)
}

/// `ALTER TABLE … ADD COLUMN` unless the column is there already.
fn add_column(
    tx: &Transaction<'_>,
    table: &str,
    column: &str,
    declaration: &str,
) -> Result<(), VaultError> {
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)",
        [table, column],
        |r| r.get(0),
    )?;
    if !exists {
        tx.execute_batch(&format!(
            "ALTER TABLE {table} ADD COLUMN {column} {declaration};"
        ))?;
    }
    Ok(())
}
