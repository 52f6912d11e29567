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
