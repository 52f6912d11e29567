//! Accounts: adding (one or many, with duplicate detection), reading, listing, updating,
//! trashing and purging. Secret, note and extra parameters are sealed per field.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use zeroize::Zeroizing;

use super::db::{lock, now};
use super::integrity::{ACCOUNT_COLUMNS, AccountRow, RowView};
use super::{
    AccountId, AccountSummary, AccountUpdate, AddOutcome, Binding, Inner, ListFilter, Vault,
    VaultError, VaultKey,
};
use crate::account::{Account, AccountMeta, Algorithm, OtpKind, OtpParams};
use crate::secret::Secret;

/// Order of lists and codes: favorites first, then the user's order.
pub(super) const ORDER: &str = "ORDER BY favorite DESC, position, id";

pub(super) fn account_binding<'a>(id: &'a str, field: &'a str) -> Binding<'a> {
    Binding {
        table: "accounts",
        row: id,
        field,
    }
}

/// The parts of an account that are sealed together with the note: extra URI parameters can
/// hold PINs, so they are encrypted too.
pub(super) fn encode_extra(extra: &[(String, String)]) -> Zeroizing<Vec<u8>> {
    // A `pin` parameter is a secret: the JSON grows in a buffer that wipes what it outgrows.
    let mut out = crate::secret_buf::SecretBuf::new();
    match serde_json::to_writer(&mut out, extra) {
        Ok(()) => out.into_bytes(),
        Err(_) => Zeroizing::new(b"[]".to_vec()),
    }
}

fn params_from_columns(
    kind: &str,
    algorithm: &str,
    digits: i64,
    period: i64,
    counter: i64,
) -> Option<OtpParams> {
    let kind = OtpKind::from_name(kind)?;
    let params = OtpParams {
        kind,
        algorithm: Algorithm::parse(algorithm)?,
        digits: u8::try_from(digits).ok()?,
        period: u32::try_from(period).ok()?,
        // Counters are stored as the same 64 bits in SQLite's signed integer.
        counter: counter as u64,
    };
    params.validate().ok()?;
    Some(params)
}

impl RowView<'_> {
    /// The row's OTP parameters, `None` when its columns do not make valid ones.
    pub(super) fn params(&self) -> Option<OtpParams> {
        params_from_columns(
            self.kind,
            self.algorithm,
            self.digits,
            self.period,
            self.counter,
        )
    }
}

impl AccountRow {
    /// The row's OTP parameters, `None` when its columns do not make valid ones.
    pub(super) fn params(&self) -> Option<OtpParams> {
        self.view().params()
    }
}

/// Validates what `add` stores.
pub(super) fn check_account(account: &Account) -> Result<(), String> {
    account.params.validate().map_err(|e| e.to_string())?;
    if account.secret.is_empty() {
        return Err("the secret is empty".into());
    }
    if let Some(crate::icon::Icon::Reference(reference)) = &account.meta.picture {
        reference.check().map_err(|e| e.to_string())?;
    }
    Ok(())
}

impl Inner {
    pub(super) fn find_duplicate(
        tx: &Connection,
        fingerprint: &[u8],
    ) -> Result<Option<(AccountId, bool)>, VaultError> {
        Ok(tx
            .query_row(
                "SELECT id, trashed_at IS NOT NULL FROM accounts WHERE fingerprint = ?1
                 ORDER BY trashed_at IS NOT NULL, position LIMIT 1",
                [fingerprint],
                |row| Ok((AccountId(row.get(0)?), row.get(1)?)),
            )
            .optional()?)
    }

    /// Inserts one account inside `tx`; the caller commits.
    pub(super) fn insert(
        key: &VaultKey,
        tx: &Transaction<'_>,
        account: &Account,
        next_position: &mut i64,
    ) -> Result<AddOutcome, VaultError> {
        if let Err(reason) = check_account(account) {
            return Ok(AddOutcome::Rejected(reason));
        }
        let fingerprint = key.fingerprint(account);
        if let Some((existing, _)) = Inner::find_duplicate(tx, &fingerprint)? {
            return Ok(AddOutcome::Duplicate(existing));
        }
        let id = AccountId::make()?;
        let secret = key.seal(account_binding(&id.0, "secret"), account.secret.as_bytes())?;
        let note = key.seal(account_binding(&id.0, "note"), account.meta.note.as_bytes())?;
        let extra = key.seal(
            account_binding(&id.0, "extra"),
            &encode_extra(&account.extra),
        )?;
        let position = *next_position;
        *next_position += 1;
        let p = &account.params;
        let at = now();
        let row = AccountRow {
            id,
            issuer: account.issuer.clone(),
            label: account.label.clone(),
            kind: p.kind.as_str().to_owned(),
            algorithm: p.algorithm.as_str().to_owned(),
            digits: i64::from(p.digits),
            period: i64::from(p.period),
            // Counters are stored as the same 64 bits in SQLite's signed integer.
            counter: p.counter as i64,
            secret,
            note,
            extra,
            icon: account.meta.icon.clone(),
            favorite: account.meta.favorite,
            fingerprint,
            created_at: at,
            trashed_at: None,
            position,
            row_mac: None,
        };
        tx.execute(
            "INSERT INTO accounts (id, position, issuer, label, kind, algorithm, digits, period,
                 counter, secret, note, extra, icon, favorite, fingerprint, created_at, updated_at,
                 row_mac)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16,
                 ?17)",
            params![
                row.id.0,
                row.position,
                row.issuer,
                row.label,
                row.kind,
                row.algorithm,
                row.digits,
                row.period,
                row.counter,
                row.secret,
                row.note,
                row.extra,
                row.icon,
                row.favorite,
                row.fingerprint,
                at,
                row.tag(key)
            ],
        )?;
        let id = row.id;
        set_groups(tx, &id, &account.meta.groups)?;
        if let Some(picture) = &account.meta.picture {
            super::icons::write_icon(key, tx, &id, Some(picture))?;
        }
        Ok(AddOutcome::Added(id))
    }

    pub(super) fn read_account(
        &self,
        id: &AccountId,
    ) -> Result<(Account, Option<i64>), VaultError> {
        let row = AccountRow::load(&self.conn, id)?
            .ok_or_else(|| VaultError::NotFound { id: id.0.clone() })?;
        row.check(&self.key)?;
        let integrity = || VaultError::Integrity {
            account: id.clone(),
        };
        let params = row.params().ok_or_else(integrity)?;
        let secret = self
            .key
            .open(account_binding(&id.0, "secret"), &row.secret)
            .ok_or_else(integrity)?;
        let note = self
            .key
            .open(account_binding(&id.0, "note"), &row.note)
            .ok_or_else(integrity)?;
        let extra = self
            .key
            .open(account_binding(&id.0, "extra"), &row.extra)
            .ok_or_else(integrity)?;
        let note = String::from_utf8(note.to_vec()).map_err(|_| integrity())?;
        let extra: Vec<(String, String)> =
            serde_json::from_slice(&extra).map_err(|_| integrity())?;
        let (issuer, label, icon, favorite, trashed_at) = (
            row.issuer,
            row.label,
            row.icon,
            row.favorite,
            row.trashed_at,
        );
        let groups = groups_of(&self.conn, id)?;
        let picture = super::icons::read_icon(&self.key, &self.conn, id)?;
        let account = Account {
            issuer,
            label,
            secret: Secret::from_bytes(secret.to_vec()),
            params,
            meta: AccountMeta {
                note,
                icon,
                picture,
                groups,
                favorite,
            },
            extra,
        };
        Ok((account, trashed_at))
    }

    pub(super) fn exists(&self, id: &AccountId) -> Result<Option<bool>, VaultError> {
        Ok(self
            .conn
            .query_row(
                "SELECT trashed_at IS NOT NULL FROM accounts WHERE id = ?1",
                [&id.0],
                |row| row.get(0),
            )
            .optional()?)
    }
}

pub(super) fn groups_of(conn: &Connection, id: &AccountId) -> Result<Vec<String>, VaultError> {
    let mut stmt = conn.prepare_cached(
        "SELECT g.name FROM account_groups ag JOIN groups g ON g.id = ag.group_id
         WHERE ag.account_id = ?1 ORDER BY g.name",
    )?;
    let names = stmt
        .query_map([&id.0], |row| row.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(names)
}

pub(super) fn set_groups(
    conn: &Connection,
    id: &AccountId,
    groups: &[String],
) -> Result<(), VaultError> {
    conn.execute("DELETE FROM account_groups WHERE account_id = ?1", [&id.0])?;
    for name in groups {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        conn.execute("INSERT OR IGNORE INTO groups (name) VALUES (?1)", [name])?;
        conn.execute(
            "INSERT OR IGNORE INTO account_groups (account_id, group_id)
             SELECT ?1, id FROM groups WHERE name = ?2",
            params![id.0, name],
        )?;
    }
    conn.execute(
        "DELETE FROM groups WHERE id NOT IN (SELECT group_id FROM account_groups)",
        [],
    )?;
    Ok(())
}

impl Vault {
    /// Adds one account. A duplicate (same secret and parameters) is refused with
    /// [`VaultError::Duplicate`] naming the account already there.
    pub fn add(&self, account: &Account) -> Result<AccountId, VaultError> {
        match self
            .add_many_ref(std::slice::from_ref(account), &mut |_, _| {})?
            .pop()
        {
            Some(AddOutcome::Added(id)) => Ok(id),
            Some(AddOutcome::Duplicate(existing)) => {
                let in_trash = lock(&self.inner).exists(&existing)?.unwrap_or(false);
                Err(VaultError::Duplicate { existing, in_trash })
            }
            Some(AddOutcome::Rejected(reason)) => Err(VaultError::InvalidAccount(reason)),
            None => Err(VaultError::Storage("add returned no outcome".into())),
        }
    }

    /// Adds many accounts in ONE transaction: all outcomes are stored, or none (on a storage
    /// failure). One [`AddOutcome`] per input, in order; duplicates — of the vault or of an
    /// earlier input — are reported, not stored twice.
    pub fn add_many(&self, accounts: Vec<Account>) -> Result<Vec<AddOutcome>, VaultError> {
        self.add_many_ref(&accounts, &mut |_, _| {})
    }

    /// [`Vault::add_many`] that calls `progress(done, total)` after each account is written
    /// (inside the one transaction), so a shell can draw a progress bar for a large import.
    pub fn add_many_with_progress(
        &self,
        accounts: Vec<Account>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Vec<AddOutcome>, VaultError> {
        self.add_many_ref(&accounts, progress)
    }

    pub(super) fn add_many_ref(
        &self,
        accounts: &[Account],
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Vec<AddOutcome>, VaultError> {
        self.add_many_and(accounts, progress, |_, _| Ok::<(), VaultError>(()))
            .map(|(outcomes, ())| outcomes)
    }

    /// [`Vault::add_many_with_progress`] that also runs `more` inside the same transaction,
    /// after the accounts: a module that brings rows of its own with them (a move to a new
    /// phone brings push tokens and retires its offer) commits all of it or nothing. An error
    /// from `more` rolls everything back.
    pub(crate) fn add_many_and<T, E: From<VaultError>>(
        &self,
        accounts: &[Account],
        progress: &mut dyn FnMut(usize, usize),
        more: impl FnOnce(&Transaction<'_>, &VaultKey) -> Result<T, E>,
    ) -> Result<(Vec<AddOutcome>, T), E> {
        let mut inner = lock(&self.inner);
        let inner = &mut *inner;
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(VaultError::from)?;
        // Read once per batch: MAX(position) per insert would make large imports quadratic.
        let mut next_position: i64 = tx
            .query_row(
                "SELECT COALESCE(MAX(position) + 1, 0) FROM accounts",
                [],
                |row| row.get(0),
            )
            .map_err(VaultError::from)?;
        let mut outcomes = Vec::with_capacity(accounts.len());
        for account in accounts {
            outcomes.push(Inner::insert(&inner.key, &tx, account, &mut next_position)?);
            progress(outcomes.len(), accounts.len());
        }
        let extra = more(&tx, &inner.key)?;
        tx.commit().map_err(VaultError::from)?;
        inner.invalidate();
        Ok((outcomes, extra))
    }

    /// The accounts not in the trash that match `filter`, without secrets, favorites first
    /// and then in the user's order.
    pub fn list(&self, filter: &ListFilter) -> Result<Vec<AccountSummary>, VaultError> {
        let inner = lock(&self.inner);
        let mut all = summaries(&inner.conn, &inner.key, false)?;
        let needle = filter.text.as_ref().map(|t| t.to_lowercase());
        all.retain(|s| {
            (!filter.favorites_only || s.favorite)
                && filter
                    .group
                    .as_ref()
                    .is_none_or(|g| s.groups.iter().any(|have| have == g))
                && needle.as_ref().is_none_or(|n| {
                    s.issuer.to_lowercase().contains(n) || s.label.to_lowercase().contains(n)
                })
        });
        Ok(all)
    }

    /// The accounts in the trash, most recently deleted first.
    pub fn trash(&self) -> Result<Vec<AccountSummary>, VaultError> {
        let inner = lock(&self.inner);
        let mut all = summaries(&inner.conn, &inner.key, true)?;
        crate::order::sort_stable_by(&mut all, |a, b| b.trashed_at.cmp(&a.trashed_at));
        Ok(all)
    }

    /// Every group name in use, sorted.
    pub fn groups(&self) -> Result<Vec<String>, VaultError> {
        let inner = lock(&self.inner);
        let mut stmt = inner
            .conn
            .prepare("SELECT name FROM groups ORDER BY name")?;
        let names = stmt
            .query_map([], |row| row.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(names)
    }

    /// Finds the account whose id is `text` or starts with it (at least 4 characters), in
    /// the trash or not. Lets people type a short id the way they do with git commits.
    pub fn resolve_id(&self, text: &str) -> Result<AccountId, VaultError> {
        let text = text.trim().to_ascii_lowercase();
        let not_found = || VaultError::NotFound {
            id: text.chars().take(64).collect(),
        };
        if text.len() < 4 || !text.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(not_found());
        }
        let inner = lock(&self.inner);
        let mut stmt = inner
            .conn
            .prepare("SELECT id FROM accounts WHERE substr(id, 1, ?2) = ?1 LIMIT 2")?;
        let ids = stmt
            .query_map(params![text, text.len() as i64], |row| row.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        match ids.as_slice() {
            [one] => Ok(AccountId(one.clone())),
            [] => Err(not_found()),
            _ => Err(VaultError::AmbiguousId { prefix: text }),
        }
    }

    /// One account, decrypted (also when it is in the trash).
    pub fn get(&self, id: &AccountId) -> Result<Account, VaultError> {
        Ok(lock(&self.inner).read_account(id)?.0)
    }

    /// The summary of one account (no secret), in the trash or not.
    pub fn summary(&self, id: &AccountId) -> Result<AccountSummary, VaultError> {
        let inner = lock(&self.inner);
        let mut found = summaries_where(&inner.conn, &inner.key, "WHERE id = ?1", &[&id.0])?;
        found
            .pop()
            .ok_or_else(|| VaultError::NotFound { id: id.0.clone() })
    }

    /// Changes an account's metadata (never its secret or OTP parameters).
    pub fn update(&self, id: &AccountId, change: &AccountUpdate) -> Result<(), VaultError> {
        let mut inner = lock(&self.inner);
        let inner = &mut *inner;
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(mut row) = AccountRow::load(&tx, id)? else {
            return Err(VaultError::NotFound { id: id.0.clone() });
        };
        // A damaged row is not re-tagged: that would make whatever was edited into it look
        // genuine. It can still be trashed and purged.
        row.check(&inner.key)?;
        let trashed = row.trashed_at.is_some();
        if let Some(issuer) = &change.issuer {
            row.issuer.clone_from(issuer);
        }
        if let Some(label) = &change.label {
            row.label.clone_from(label);
        }
        if let Some(note) = &change.note {
            row.note = inner
                .key
                .seal(account_binding(&id.0, "note"), note.as_bytes())?;
        }
        if let Some(icon) = &change.icon {
            row.icon.clone_from(icon);
        }
        if let Some(favorite) = change.favorite {
            row.favorite = favorite;
        }
        row.store(&tx, &inner.key, now())?;
        if let Some(groups) = &change.groups {
            set_groups(&tx, id, groups)?;
        }
        if let Some(index) = change.position {
            if trashed {
                return Err(VaultError::NotFound { id: id.0.clone() });
            }
            let mut order = user_order(&tx)?;
            order.retain(|other| other != &id.0);
            let index = (index as usize).min(order.len());
            order.insert(index, id.0.clone());
            renumber(&tx, &order)?;
        }
        tx.commit()?;
        inner.invalidate();
        Ok(())
    }

    /// Moves account `id` to just before account `before` in the user's order, or to the end
    /// when `before` is `None`: what a drag in a list shows, whatever that list leaves out (a
    /// search, a group, the favorites drawn first). A drag names the row it was dropped on,
    /// not an index in the whole order, so both shells move through this one call.
    /// `NotFound` when either account is unknown or in the trash; moving an account before
    /// itself changes nothing.
    pub fn move_before(
        &self,
        id: &AccountId,
        before: Option<&AccountId>,
    ) -> Result<(), VaultError> {
        let mut inner = lock(&self.inner);
        let inner = &mut *inner;
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut order = user_order(&tx)?;
        let not_found = |id: &AccountId| VaultError::NotFound { id: id.0.clone() };
        if !order.contains(&id.0) {
            return Err(not_found(id));
        }
        if before.is_some_and(|b| b == id) {
            return Ok(());
        }
        order.retain(|other| other != &id.0);
        let index = match before {
            Some(before) => order
                .iter()
                .position(|other| other == &before.0)
                .ok_or_else(|| not_found(before))?,
            None => order.len(),
        };
        order.insert(index, id.0.clone());
        renumber(&tx, &order)?;
        tx.commit()?;
        inner.invalidate();
        Ok(())
    }

    /// Moves an account to the trash. It stops producing codes but keeps its secret until
    /// purged.
    pub fn delete(&self, id: &AccountId) -> Result<(), VaultError> {
        self.set_trashed(id, Some(now()))
    }

    /// Takes an account out of the trash.
    pub fn restore(&self, id: &AccountId) -> Result<(), VaultError> {
        self.set_trashed(id, None)
    }

    pub(super) fn set_trashed(&self, id: &AccountId, at: Option<i64>) -> Result<(), VaultError> {
        let mut inner = lock(&self.inner);
        let inner = &mut *inner;
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(mut row) = AccountRow::load(&tx, id)? else {
            return Err(VaultError::NotFound { id: id.0.clone() });
        };
        if row.is_intact(&inner.key) {
            row.trashed_at = at;
            row.store(&tx, &inner.key, now())?;
        } else {
            // A damaged row can be trashed (and then purged) but stays damaged.
            tx.execute(
                "UPDATE accounts SET trashed_at = ?2 WHERE id = ?1",
                params![id.0, at],
            )?;
        }
        tx.commit()?;
        inner.invalidate();
        Ok(())
    }

    /// Deletes an account for good (its rows are overwritten on disk). Only accounts in the
    /// trash can be purged, so nothing is destroyed by one mistaken call.
    pub fn purge(&self, id: &AccountId) -> Result<(), VaultError> {
        let mut inner = lock(&self.inner);
        let inner = &mut *inner;
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "DELETE FROM accounts WHERE id = ?1 AND trashed_at IS NOT NULL",
            [&id.0],
        )?;
        if changed == 0 {
            return Err(VaultError::NotFound { id: id.0.clone() });
        }
        tx.execute(
            "DELETE FROM groups WHERE id NOT IN (SELECT group_id FROM account_groups)",
            [],
        )?;
        tx.commit()?;
        inner.invalidate();
        Ok(())
    }

    /// Every account not in the trash, decrypted, in list order: what exporters need.
    pub fn export_accounts(&self) -> Result<Vec<(AccountId, Account)>, VaultError> {
        let inner = lock(&self.inner);
        let ids: Vec<String> = {
            let mut stmt = inner.conn.prepare(&format!(
                "SELECT id FROM accounts WHERE trashed_at IS NULL {ORDER}"
            ))?;
            stmt.query_map([], |row| row.get(0))?
                .collect::<Result<_, _>>()?
        };
        ids.into_iter()
            .map(|id| {
                let id = AccountId(id);
                inner.read_account(&id).map(|(account, _)| (id, account))
            })
            .collect()
    }
}

/// Every account's groups, sorted by name, keyed by account id (one query for all accounts).
pub(super) fn groups_by_account(
    conn: &Connection,
) -> Result<HashMap<String, Vec<String>>, VaultError> {
    let mut groups: HashMap<String, Vec<String>> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT ag.account_id, g.name FROM account_groups ag
         JOIN groups g ON g.id = ag.group_id ORDER BY g.name",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        groups.entry(row.get(0)?).or_default().push(row.get(1)?);
    }
    Ok(groups)
}

pub(super) fn summaries(
    conn: &Connection,
    key: &VaultKey,
    trashed: bool,
) -> Result<Vec<AccountSummary>, VaultError> {
    let clause = if trashed {
        "WHERE trashed_at IS NOT NULL"
    } else {
        "WHERE trashed_at IS NULL"
    };
    summaries_where(conn, key, clause, &[])
}

pub(super) fn summaries_where(
    conn: &Connection,
    key: &VaultKey,
    clause: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<AccountSummary>, VaultError> {
    let mut groups = groups_by_account(conn)?;
    let with_icons = super::icons::ids_with_icons(conn)?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts {clause} {ORDER}"
    ))?;
    let mut rows = stmt.query(args)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        // Borrowed from SQLite: only what the summary keeps is copied.
        let row = RowView::read(row)?;
        let params = row.params();
        // A damaged row is listed (so the user sees it and can delete it), marked, with
        // whatever the file says; its code and its details are refused.
        let damaged = params.is_none() || !row.is_intact(key);
        out.push(AccountSummary {
            groups: groups.remove(row.id).unwrap_or_default(),
            issuer: row.issuer.to_owned(),
            label: row.label.to_owned(),
            params: params.unwrap_or_default(),
            favorite: row.favorite,
            icon: row.icon.map(str::to_owned),
            has_picture: with_icons.contains(row.id),
            position: row.position,
            created_at: row.created_at.max(0) as u64,
            trashed_at: row.trashed_at.map(|t| t.max(0) as u64),
            damaged,
            id: AccountId(row.id.to_owned()),
        });
    }
    Ok(out)
}

/// The ids of the accounts outside the trash in the user's order (favorites not drawn first).
fn user_order(tx: &Transaction<'_>) -> Result<Vec<String>, VaultError> {
    let mut stmt =
        tx.prepare("SELECT id FROM accounts WHERE trashed_at IS NULL ORDER BY position, id")?;
    Ok(stmt
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Numbers `order` densely from 0. Trashed accounts keep their old numbers, which only matter
/// relative to each other after a restore.
fn renumber(tx: &Transaction<'_>, order: &[String]) -> Result<(), VaultError> {
    let mut stmt =
        tx.prepare("UPDATE accounts SET position = ?2 WHERE id = ?1 AND position != ?2")?;
    for (position, id) in order.iter().enumerate() {
        stmt.execute(params![id, position as i64])?;
    }
    Ok(())
}
