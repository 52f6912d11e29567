//! Account icons in the vault (schema version 5): the `account_icons` table, one sealed row
//! per account that has a picture. Kept apart from `accounts` so that lists and codes never
//! read image bytes; a list learns only which accounts have one.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::db::{lock, now};
use super::integrity::AccountRow;
use super::{AccountId, Binding, Vault, VaultError, VaultKey};
use crate::icon::Icon;

fn icon_binding(id: &str) -> Binding<'_> {
    Binding {
        table: "account_icons",
        row: id,
        field: "icon",
    }
}

/// Replaces (or with `None` removes) the picture of account `id`, inside the caller's
/// transaction.
pub(super) fn write_icon(
    key: &VaultKey,
    conn: &Connection,
    id: &AccountId,
    icon: Option<&Icon>,
) -> Result<(), VaultError> {
    match icon {
        None => {
            conn.execute("DELETE FROM account_icons WHERE account_id = ?1", [&id.0])?;
        }
        Some(icon) => {
            let sealed = key.seal(icon_binding(&id.0), &icon.encode())?;
            conn.execute(
                "INSERT INTO account_icons (account_id, icon) VALUES (?1, ?2)
                 ON CONFLICT (account_id) DO UPDATE SET icon = excluded.icon",
                params![id.0, sealed],
            )?;
        }
    }
    Ok(())
}

/// The picture of account `id`, if it has one. A sealed value that does not open (edited,
/// or moved from another account) is [`VaultError::Integrity`].
pub(super) fn read_icon(
    key: &VaultKey,
    conn: &Connection,
    id: &AccountId,
) -> Result<Option<Icon>, VaultError> {
    let sealed: Option<Vec<u8>> = conn
        .query_row(
            "SELECT icon FROM account_icons WHERE account_id = ?1",
            [&id.0],
            |row| row.get(0),
        )
        .optional()?;
    let Some(sealed) = sealed else {
        return Ok(None);
    };
    let integrity = || VaultError::Integrity {
        account: id.clone(),
    };
    let plain = key
        .open(icon_binding(&id.0), &sealed)
        .ok_or_else(integrity)?;
    Icon::decode(&plain).map(Some).map_err(|_| integrity())
}

/// The ids of every account with a picture (read from the primary key's index alone: no
/// image is touched).
pub(super) fn ids_with_icons(conn: &Connection) -> Result<HashSet<String>, VaultError> {
    let mut stmt = conn.prepare_cached("SELECT account_id FROM account_icons")?;
    let ids = stmt
        .query_map([], |row| row.get(0))?
        .collect::<Result<HashSet<String>, _>>()?;
    Ok(ids)
}

impl Vault {
    /// The picture of an account (in the trash or not): its image or its reference; `None`
    /// when it has none. A damaged account is refused with [`VaultError::Integrity`], as its
    /// details are.
    pub fn icon(&self, id: &AccountId) -> Result<Option<Icon>, VaultError> {
        let inner = lock(&self.inner);
        let row = AccountRow::load(&inner.conn, id)?
            .ok_or_else(|| VaultError::NotFound { id: id.0.clone() })?;
        row.check(&inner.key)?;
        read_icon(&inner.key, &inner.conn, id)
    }

    /// Sets (or with `None` removes) an account's picture. A reference that fails
    /// [`IconRef::check`](crate::icon::IconRef::check) is refused with
    /// [`VaultError::InvalidAccount`]; a damaged account with [`VaultError::Integrity`].
    pub fn set_icon(&self, id: &AccountId, icon: Option<&Icon>) -> Result<(), VaultError> {
        if let Some(Icon::Reference(reference)) = icon {
            reference
                .check()
                .map_err(|e| VaultError::InvalidAccount(e.to_string()))?;
        }
        let mut inner = lock(&self.inner);
        let inner = &mut *inner;
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row =
            AccountRow::load(&tx, id)?.ok_or_else(|| VaultError::NotFound { id: id.0.clone() })?;
        row.check(&inner.key)?;
        write_icon(&inner.key, &tx, id, icon)?;
        tx.execute(
            "UPDATE accounts SET updated_at = ?2 WHERE id = ?1",
            params![id.0, now()],
        )?;
        tx.commit()?;
        inner.invalidate();
        Ok(())
    }
}
