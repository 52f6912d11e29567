//! Row authentication (schema version 3): every field of an account row that decides what the
//! user sees or which code is computed is covered by an HMAC-SHA256 under a subkey of the vault
//! key, stored in the row's `row_mac` column. Someone who can write the file but has no key
//! cannot swap labels, change an issuer, roll a single field back, re-point a push token at
//! another server, or take an account out of the trash: the row then reads as damaged
//! ([`VaultError::Integrity`]) and the other rows keep working.
//!
//! Vaults from before version 3 have no tags. The schema step only adds the column (it runs
//! before unlocking); the first unlock after it tags every row in one transaction and re-seals
//! the key check with [`KEY_CHECK_ROWS_AUTHENTICATED`], so a later file whose rows lack tags —
//! or that was edited back to version 2 — is recognised: under that key check a missing tag is
//! damage, never "not yet migrated".
//!
//! What this cannot see: a *whole* row (or the whole file) replaced by an older copy of itself
//! carries a valid old tag. For HOTP that means a counter can be rolled back to a value it had;
//! the codes it then shows were already used, and servers refuse a counter they have seen.
//! Detecting it would need a monotonic counter outside the file (a platform keystore).

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::keys::{Binding, VaultKey};
use super::{AccountId, VaultError};

/// Key check plaintext of vaults created before rows were authenticated (versions 1 and 2).
pub(super) const KEY_CHECK_V1: &[u8] = b"tessera vault key check v1";
/// Key check plaintext once every row carries a tag (version 3 onwards).
pub(super) const KEY_CHECK_ROWS_AUTHENTICATED: &[u8] =
    b"tessera vault key check v3: rows authenticated";

/// Where the key check is sealed.
pub(super) const KEY_CHECK: Binding<'static> = Binding {
    table: "vault_meta",
    row: "key_check",
    field: "value",
};

/// One authenticated value. Each is written as a type byte and a length, so no two different
/// rows encode to the same bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Field<'a> {
    /// Text.
    Text(&'a str),
    /// An integer.
    Int(i64),
    /// Bytes (a sealed value, a key).
    Bytes(&'a [u8]),
    /// SQL NULL.
    Null,
}

impl Field<'_> {
    /// Appends the field's unambiguous encoding: a kind byte, then the length (big-endian
    /// u64) and bytes, or the integer's eight big-endian bytes.
    fn encode(&self, out: &mut Cursor<'_>) {
        let (kind, bytes): (u8, &[u8]) = match self {
            Field::Text(t) => (1, t.as_bytes()),
            Field::Bytes(b) => (3, b),
            Field::Null => (0, &[]),
            Field::Int(i) => {
                out.put(&[2]);
                out.put(&i.to_be_bytes());
                return;
            }
        };
        out.put(&[kind]);
        out.put(&(bytes.len() as u64).to_be_bytes());
        out.put(bytes);
    }

    /// The length of what [`Field::encode`] appends.
    fn encoded_len(&self) -> usize {
        match self {
            Field::Text(t) => 9 + t.len(),
            Field::Bytes(b) => 9 + b.len(),
            Field::Int(_) | Field::Null => 9,
        }
    }
}

/// Fills a buffer sized beforehand (see [`VaultKey::row_tag_array`]).
struct Cursor<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl Cursor<'_> {
    fn put(&mut self, bytes: &[u8]) {
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }
}

/// Rows whose encoding fits are MACed from a buffer on the stack (an account row with the
/// usual lengths takes about 400 bytes); longer ones allocate.
const STACK_ROW: usize = 1024;

const ROW_TAG_PREFIX: &[u8] = b"tessera/v3/row";

impl VaultKey {
    /// The tag of row `row` of `table` holding `fields` (in the table's fixed order).
    pub(crate) fn row_tag(&self, table: &str, row: &str, fields: &[Field<'_>]) -> Vec<u8> {
        self.row_tag_array(table, row, fields).to_vec()
    }

    fn row_tag_array(
        &self,
        table: &str,
        row: &str,
        fields: &[Field<'_>],
    ) -> [u8; crate::crypto::mac::DIGEST_LEN] {
        // The MACed bytes are encoded into one buffer and handed to HMAC in one call: the
        // same bytes as field-by-field updates, but an update costs far more than the copy
        // (rows are MACed for every account when a vault's codes are first shown). The
        // buffer holds only what the row stores (secrets as ciphertext), on the stack for
        // the usual row: a cold start checks 10,000 of them.
        let (table, row) = (Field::Text(table), Field::Text(row));
        let len = ROW_TAG_PREFIX.len()
            + table.encoded_len()
            + row.encoded_len()
            + fields.iter().map(Field::encoded_len).sum::<usize>();
        let mut stack = [0u8; STACK_ROW];
        let mut heap = Vec::new();
        let buf = if len <= STACK_ROW {
            &mut stack[..len]
        } else {
            heap.resize(len, 0);
            &mut heap[..]
        };
        let mut out = Cursor { buf, len: 0 };
        out.put(ROW_TAG_PREFIX);
        table.encode(&mut out);
        row.encode(&mut out);
        for field in fields {
            field.encode(&mut out);
        }
        let mut mac = self.row_mac_key().start();
        mac.update(out.buf);
        mac.finish()
    }

    pub(crate) fn row_tag_matches(
        &self,
        table: &str,
        row: &str,
        fields: &[Field<'_>],
        tag: Option<&[u8]>,
    ) -> bool {
        tag.is_some_and(|tag| crate::crypto::ct_eq(&self.row_tag_array(table, row, fields), tag))
    }
}

/// The columns of an account row, in the order [`AccountRow::read`] expects.
pub(super) const ACCOUNT_COLUMNS: &str = "id, issuer, label, kind, algorithm, digits, period, \
     counter, secret, note, extra, icon, favorite, fingerprint, created_at, trashed_at, \
     position, row_mac";

/// An account row's columns borrowed from where they were read: SQLite's current row, a
/// [`RowBatch`], or an [`AccountRow`]. Tags, parameters and the secret are checked and opened
/// from it, so a cold start copies nothing it does not keep.
#[derive(Clone, Copy)]
pub(super) struct RowView<'a> {
    pub id: &'a str,
    pub issuer: &'a str,
    pub label: &'a str,
    pub kind: &'a str,
    pub algorithm: &'a str,
    pub digits: i64,
    pub period: i64,
    pub counter: i64,
    pub secret: &'a [u8],
    pub note: &'a [u8],
    pub extra: &'a [u8],
    pub icon: Option<&'a str>,
    pub favorite: bool,
    pub fingerprint: &'a [u8],
    pub created_at: i64,
    pub trashed_at: Option<i64>,
    pub position: i64,
    pub row_mac: Option<&'a [u8]>,
}

impl<'a> RowView<'a> {
    /// Reads a row selected with [`ACCOUNT_COLUMNS`] without copying it. Columns of the wrong
    /// type (an edited file) read as values that fail the tag check rather than as an error
    /// for the query.
    pub(super) fn read(row: &'a Row<'_>) -> rusqlite::Result<RowView<'a>> {
        let text =
            |i: usize| -> rusqlite::Result<&'a str> { Ok(row.get_ref(i)?.as_str().unwrap_or("")) };
        let int =
            |i: usize| -> rusqlite::Result<i64> { Ok(row.get_ref(i)?.as_i64().unwrap_or(-1)) };
        let blob = |i: usize| -> rusqlite::Result<&'a [u8]> {
            Ok(row.get_ref(i)?.as_blob().unwrap_or(&[]))
        };
        Ok(RowView {
            id: text(0)?,
            issuer: text(1)?,
            label: text(2)?,
            kind: text(3)?,
            algorithm: text(4)?,
            digits: int(5)?,
            period: int(6)?,
            counter: int(7)?,
            secret: blob(8)?,
            note: blob(9)?,
            extra: blob(10)?,
            icon: row.get_ref(11)?.as_str().ok(),
            favorite: int(12)? != 0,
            fingerprint: blob(13)?,
            created_at: int(14)?,
            trashed_at: row.get_ref(15)?.as_i64().ok(),
            position: int(16)?,
            row_mac: row.get_ref(17)?.as_blob().ok(),
        })
    }

    /// An owned copy.
    pub(super) fn to_row(self) -> AccountRow {
        AccountRow {
            id: AccountId(self.id.to_owned()),
            issuer: self.issuer.to_owned(),
            label: self.label.to_owned(),
            kind: self.kind.to_owned(),
            algorithm: self.algorithm.to_owned(),
            digits: self.digits,
            period: self.period,
            counter: self.counter,
            secret: self.secret.to_vec(),
            note: self.note.to_vec(),
            extra: self.extra.to_vec(),
            icon: self.icon.map(str::to_owned),
            favorite: self.favorite,
            fingerprint: self.fingerprint.to_vec(),
            created_at: self.created_at,
            trashed_at: self.trashed_at,
            position: self.position,
            row_mac: self.row_mac.map(<[u8]>::to_vec),
        }
    }

    fn fields(&self) -> [Field<'a>; 15] {
        [
            Field::Text(self.issuer),
            Field::Text(self.label),
            Field::Text(self.kind),
            Field::Text(self.algorithm),
            Field::Int(self.digits),
            Field::Int(self.period),
            Field::Int(self.counter),
            Field::Bytes(self.secret),
            Field::Bytes(self.note),
            Field::Bytes(self.extra),
            self.icon.map_or(Field::Null, Field::Text),
            Field::Int(i64::from(self.favorite)),
            Field::Bytes(self.fingerprint),
            Field::Int(self.created_at),
            self.trashed_at.map_or(Field::Null, Field::Int),
        ]
    }

    /// The tag this row should carry.
    fn tag(&self, key: &VaultKey) -> Vec<u8> {
        key.row_tag("accounts", self.id, &self.fields())
    }

    /// True when the stored tag matches every authenticated field.
    pub(super) fn is_intact(&self, key: &VaultKey) -> bool {
        key.row_tag_matches("accounts", self.id, &self.fields(), self.row_mac)
    }
}

/// Account rows copied out of SQLite a batch at a time into three buffers (text, bytes and
/// fixed-size records) instead of a dozen allocations per row, so that they can be checked and
/// prepared on other threads while this one reads on. [`RowBatch::view`] gives them back.
#[derive(Default)]
pub(super) struct RowBatch {
    text: String,
    bytes: Vec<u8>,
    rows: Vec<StoredRow>,
}

/// Where a value lies in a [`RowBatch`]'s buffer (start and end).
type Span = (usize, usize);

/// One row of a [`RowBatch`]: spans of its text (id, issuer, label, kind, algorithm, icon)
/// and bytes (secret, note, extra, fingerprint, row_mac), and its integers.
struct StoredRow {
    text: [Span; 6],
    bytes: [Span; 5],
    ints: [i64; 6],
    icon: bool,
    trashed: bool,
    row_mac: bool,
    favorite: bool,
}

impl RowBatch {
    /// An empty batch with room for `rows` rows of about `bytes_per_row` bytes.
    pub(super) fn with_capacity(rows: usize, bytes_per_row: usize) -> RowBatch {
        RowBatch {
            text: String::with_capacity(rows * bytes_per_row / 2),
            bytes: Vec::with_capacity(rows * bytes_per_row / 2),
            rows: Vec::with_capacity(rows),
        }
    }

    /// Rows held.
    pub(super) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Copies `row` in.
    pub(super) fn push(&mut self, row: &RowView<'_>) {
        fn put_text(buf: &mut String, value: &str) -> Span {
            let start = buf.len();
            buf.push_str(value);
            (start, buf.len())
        }
        fn put_bytes(buf: &mut Vec<u8>, value: &[u8]) -> Span {
            let start = buf.len();
            buf.extend_from_slice(value);
            (start, buf.len())
        }
        let text = &mut self.text;
        let bytes = &mut self.bytes;
        self.rows.push(StoredRow {
            text: [
                put_text(text, row.id),
                put_text(text, row.issuer),
                put_text(text, row.label),
                put_text(text, row.kind),
                put_text(text, row.algorithm),
                put_text(text, row.icon.unwrap_or("")),
            ],
            bytes: [
                put_bytes(bytes, row.secret),
                put_bytes(bytes, row.note),
                put_bytes(bytes, row.extra),
                put_bytes(bytes, row.fingerprint),
                put_bytes(bytes, row.row_mac.unwrap_or(&[])),
            ],
            ints: [
                row.digits,
                row.period,
                row.counter,
                row.created_at,
                row.trashed_at.unwrap_or(0),
                row.position,
            ],
            icon: row.icon.is_some(),
            trashed: row.trashed_at.is_some(),
            row_mac: row.row_mac.is_some(),
            favorite: row.favorite,
        });
    }

    /// Row `i` as it was pushed.
    pub(super) fn view(&self, i: usize) -> RowView<'_> {
        let row = &self.rows[i];
        let text = |k: usize| {
            let (start, end) = row.text[k];
            &self.text[start..end]
        };
        let bytes = |k: usize| {
            let (start, end) = row.bytes[k];
            &self.bytes[start..end]
        };
        RowView {
            id: text(0),
            issuer: text(1),
            label: text(2),
            kind: text(3),
            algorithm: text(4),
            icon: row.icon.then(|| text(5)),
            secret: bytes(0),
            note: bytes(1),
            extra: bytes(2),
            fingerprint: bytes(3),
            row_mac: row.row_mac.then(|| bytes(4)),
            digits: row.ints[0],
            period: row.ints[1],
            counter: row.ints[2],
            created_at: row.ints[3],
            trashed_at: row.trashed.then_some(row.ints[4]),
            position: row.ints[5],
            favorite: row.favorite,
        }
    }
}

/// An account row as stored, every column that matters, before anything is trusted.
#[derive(Debug, Clone)]
pub(super) struct AccountRow {
    pub id: AccountId,
    pub issuer: String,
    pub label: String,
    pub kind: String,
    pub algorithm: String,
    pub digits: i64,
    pub period: i64,
    pub counter: i64,
    pub secret: Vec<u8>,
    pub note: Vec<u8>,
    pub extra: Vec<u8>,
    pub icon: Option<String>,
    pub favorite: bool,
    pub fingerprint: Vec<u8>,
    pub created_at: i64,
    pub trashed_at: Option<i64>,
    /// The user's order: not authenticated (reordering renumbers every row, and a changed
    /// order misleads no one about which code belongs to which account).
    pub position: i64,
    pub row_mac: Option<Vec<u8>>,
}

impl AccountRow {
    /// Reads a row selected with [`ACCOUNT_COLUMNS`] (see [`RowView::read`]).
    pub(super) fn read(row: &Row<'_>) -> rusqlite::Result<AccountRow> {
        Ok(RowView::read(row)?.to_row())
    }

    /// The row borrowed.
    pub(super) fn view(&self) -> RowView<'_> {
        RowView {
            id: &self.id.0,
            issuer: &self.issuer,
            label: &self.label,
            kind: &self.kind,
            algorithm: &self.algorithm,
            digits: self.digits,
            period: self.period,
            counter: self.counter,
            secret: &self.secret,
            note: &self.note,
            extra: &self.extra,
            icon: self.icon.as_deref(),
            favorite: self.favorite,
            fingerprint: &self.fingerprint,
            created_at: self.created_at,
            trashed_at: self.trashed_at,
            position: self.position,
            row_mac: self.row_mac.as_deref(),
        }
    }

    /// The row with `id`, or `None`.
    pub(super) fn load(
        conn: &Connection,
        id: &AccountId,
    ) -> Result<Option<AccountRow>, VaultError> {
        Ok(conn
            .query_row(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1"),
                [&id.0],
                AccountRow::read,
            )
            .optional()?)
    }

    /// The tag this row should carry.
    pub(super) fn tag(&self, key: &VaultKey) -> Vec<u8> {
        self.view().tag(key)
    }

    /// True when the stored tag matches every authenticated field.
    pub(super) fn is_intact(&self, key: &VaultKey) -> bool {
        self.view().is_intact(key)
    }

    /// [`VaultError::Integrity`] for this row unless it is intact.
    pub(super) fn check(&self, key: &VaultKey) -> Result<(), VaultError> {
        if self.is_intact(key) {
            Ok(())
        } else {
            Err(VaultError::Integrity {
                account: self.id.clone(),
            })
        }
    }

    /// Writes every authenticated column and a fresh tag (the row must exist).
    pub(super) fn store(
        &self,
        conn: &Connection,
        key: &VaultKey,
        at: i64,
    ) -> Result<(), VaultError> {
        conn.execute(
            "UPDATE accounts SET issuer = ?2, label = ?3, kind = ?4, algorithm = ?5, digits = ?6,
                 period = ?7, counter = ?8, secret = ?9, note = ?10, extra = ?11, icon = ?12,
                 favorite = ?13, fingerprint = ?14, created_at = ?15, trashed_at = ?16,
                 row_mac = ?17, updated_at = ?18
             WHERE id = ?1",
            params![
                self.id.0,
                self.issuer,
                self.label,
                self.kind,
                self.algorithm,
                self.digits,
                self.period,
                self.counter,
                self.secret,
                self.note,
                self.extra,
                self.icon,
                self.favorite,
                self.fingerprint,
                self.created_at,
                self.trashed_at,
                self.tag(key),
                at
            ],
        )?;
        Ok(())
    }
}

/// Other core modules whose rows are tagged too: called once when a vault's rows are first
/// authenticated, each tags its own table's rows.
type RowOwner = fn(&Transaction<'_>, &VaultKey) -> Result<(), VaultError>;
const ROW_OWNERS: &[RowOwner] = &[crate::push::store::authenticate_rows];

/// After an unlock: when the vault's rows are not authenticated yet (a vault from before
/// version 3), tags every row and re-seals the key check, in one transaction.
pub(super) fn authenticate_rows_once(
    conn: &mut Connection,
    key: &VaultKey,
) -> Result<(), VaultError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    // Re-read under the write lock: another process may have done it meanwhile.
    let check: Vec<u8> = tx.query_row(
        "SELECT value FROM vault_meta WHERE name = 'key_check'",
        [],
        |row| row.get(0),
    )?;
    let plain = key
        .open(KEY_CHECK, &check)
        .ok_or(VaultError::WrongDeviceKey)?;
    if plain.as_slice() != KEY_CHECK_V1 {
        return Ok(());
    }
    let rows: Vec<AccountRow> = {
        let mut stmt = tx.prepare(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts"))?;
        stmt.query_map([], AccountRow::read)?
            .collect::<Result<_, _>>()?
    };
    for row in &rows {
        tx.execute(
            "UPDATE accounts SET row_mac = ?2 WHERE id = ?1",
            params![row.id.0, row.tag(key)],
        )?;
    }
    for owner in ROW_OWNERS {
        owner(&tx, key)?;
    }
    tx.execute(
        "UPDATE vault_meta SET value = ?1 WHERE name = 'key_check'",
        [key.seal(KEY_CHECK, KEY_CHECK_ROWS_AUTHENTICATED)?],
    )?;
    tx.commit()?;
    Ok(())
}

/// Recomputes the `row_mac` of account `id` after a module outside the vault changed its
/// columns in place (containers replace a re-secreted token's secret this way).
pub(crate) fn retag_account(
    conn: &Connection,
    key: &VaultKey,
    id: &AccountId,
) -> Result<(), VaultError> {
    if let Some(row) = AccountRow::load(conn, id)? {
        conn.execute(
            "UPDATE accounts SET row_mac = ?2 WHERE id = ?1",
            params![id.0, row.tag(key)],
        )?;
    }
    Ok(())
}
