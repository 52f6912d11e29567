//! Other authenticators' own SQLite databases (Microsoft Authenticator's `PhoneFactor`,
//! Google Authenticator's `databases`, Authenticator Pro's `proauth.db3`), read from a rooted
//! or backed-up phone.
//!
//! **Never altered, never on disk again.** The bytes handed to [`crate::transfer::read`] are
//! copied into memory that SQLite owns and opened there read-only (`sqlite3_deserialize` with
//! `SQLITE_DESERIALIZE_READONLY`): the user's file is not opened by SQLite at all, no journal,
//! WAL or lock file is created next to it, and no temporary file holding secrets is left behind
//! if the process dies (a temporary file would also need a writable directory, which a phone
//! app's `TMPDIR` does not always give). Only the private copy's header is changed: both apps
//! run their databases in WAL mode, which an in-memory database cannot open, so the copy's
//! two "file format version" bytes are set back to the rollback-journal value. Rows still in a
//! `-wal` file that was not checkpointed into the database are not in these bytes (documented
//! for the user in the README).
//!
//! **Bounded.** A database is as hostile as any other input: a view or a generated column can
//! make a `SELECT` run forever or build gigabyte values. So the table read must be a real
//! table (not a view), every value is limited to [`MAX_VALUE_BYTES`], a statement is stopped
//! after [`MAX_VM_STEPS`] virtual-machine steps, and at most [`MAX_ROWS`] rows are read.

use std::collections::HashMap;
use std::io::Read;

use rusqlite::limits::Limit;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, MAIN_DB, OpenFlags};
use zeroize::Zeroizing;

use super::{Format, ImportItem, TransferError};

/// The most rows read from one table: a phone holds tens of accounts, a few hundred at most.
/// More is refused as a damaged file rather than turned into thousands of report entries.
pub(crate) const MAX_ROWS: usize = 10_000;
/// The longest value SQLite may build or return (a secret, a name): 64 KiB.
const MAX_VALUE_BYTES: i32 = 64 << 10;
/// Virtual-machine steps one statement may take before it is interrupted: far more than
/// reading 10,000 short rows needs (a few hundred steps per row), and a fraction of a second.
const MAX_VM_STEPS: u64 = 50_000_000;
/// How often (in steps) SQLite asks the progress handler whether to go on.
const STEP_CHECK: i32 = 10_000;

/// Offset of the two "file format" bytes of an SQLite header (1 = rollback journal, 2 = WAL).
const FORMAT_BYTES: usize = 18;

/// Opens a private, read-only, in-memory copy of an SQLite database.
pub(crate) fn open(bytes: &[u8]) -> Result<Connection, TransferError> {
    if bytes.len() < 100 || !bytes.starts_with(super::SQLITE_MAGIC) {
        return Err(TransferError::Damaged("not an SQLite database".into()));
    }
    let damaged = |_| TransferError::Damaged("the database cannot be opened".into());
    let mut conn = Connection::open_in_memory_with_flags(
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(damaged)?;
    conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        .map_err(damaged)?;
    conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0)
        .map_err(damaged)?;
    // The copy: the header up to the format bytes, rollback-journal mode, then the rest.
    let copy = bytes[..FORMAT_BYTES]
        .chain(&[1u8, 1][..])
        .chain(&bytes[FORMAT_BYTES + 2..]);
    conn.deserialize_read_exact(MAIN_DB, copy, bytes.len(), true)
        .map_err(damaged)?;
    // Nothing from the file may run as trusted code; a damaged page is an error, not a guess.
    conn.execute_batch(
        "PRAGMA trusted_schema = OFF; PRAGMA cell_size_check = ON; PRAGMA query_only = ON;",
    )
    .map_err(damaged)?;
    let mut steps = 0u64;
    conn.progress_handler(
        STEP_CHECK,
        Some(move || {
            steps += STEP_CHECK as u64;
            steps > MAX_VM_STEPS
        }),
    )
    .map_err(damaged)?;
    Ok(conn)
}

/// Reads every row of `table` of an app's database into an entry each: the one shape of every
/// database reader (`required` columns must exist, `optional` ones may).
pub(crate) fn read_table(
    bytes: &[u8],
    table: &str,
    required: &[&str],
    optional: &[&str],
    entry: fn(&Row) -> ImportItem,
) -> Result<Vec<ImportItem>, TransferError> {
    let conn = open(bytes)?;
    let rows = read_rows(&conn, table, required, optional)?;
    Ok(rows.iter().map(entry).collect())
}

/// The columns of `table` when it is a real table of the database (`None` for a view, a
/// virtual table or no such table).
pub(crate) fn table_columns(conn: &Connection, table: &str) -> Option<Vec<String>> {
    let sql: String = conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1",
            [table],
            |row| row.get(0),
        )
        .ok()?;
    // A virtual table runs a module's code on every read; none of the apps uses one.
    if sql
        .trim_start()
        .to_ascii_uppercase()
        .starts_with("CREATE VIRTUAL")
    {
        return None;
    }
    let mut stmt = conn
        .prepare("SELECT name FROM pragma_table_xinfo(?1)")
        .ok()?;
    let names = stmt
        .query_map([table], |row| row.get::<_, String>(0))
        .ok()?
        .collect::<Result<Vec<_>, _>>()
        .ok()?;
    Some(names)
}

/// Which app wrote this SQLite database, from its tables (`None`: none Tessera reads).
pub(crate) fn identify(bytes: &[u8]) -> Option<Format> {
    let conn = open(bytes).ok()?;
    if let Some(columns) = table_columns(&conn, "authenticator") {
        let has = |c: &str| columns.iter().any(|n| n == c);
        return (has("secret") && has("issuer") && has("type")).then_some(Format::AuthenticatorPro);
    }
    let columns = table_columns(&conn, "accounts")?;
    let has = |c: &str| columns.iter().any(|n| n == c);
    if has("oath_secret_key") && has("account_type") {
        Some(Format::MicrosoftAuthenticator)
    } else if has("secret") && has("email") {
        Some(Format::GoogleAuthenticatorDb)
    } else {
        None
    }
}

/// One value of a row, as the reader needs it. Text is wiped when the row is dropped.
#[derive(Default)]
pub(crate) struct Cell {
    /// The value as text (integers and blobs too, blobs as UTF-8 when they are), empty for NULL.
    pub(crate) text: Zeroizing<String>,
    /// The value as an integer, when it is one (or text that reads as one).
    pub(crate) int: Option<i64>,
}

/// One row: its cells by column name.
pub(crate) struct Row(HashMap<String, Cell>);

impl Row {
    /// The cell of `column` (an empty one when the table has no such column).
    pub(crate) fn get(&self, column: &str) -> &Cell {
        static EMPTY: std::sync::OnceLock<Cell> = std::sync::OnceLock::new();
        self.0
            .get(column)
            .unwrap_or_else(|| EMPTY.get_or_init(Cell::default))
    }

    /// The text of `column`, trimmed.
    pub(crate) fn text(&self, column: &str) -> &str {
        self.get(column).text.trim()
    }
}

/// Every row of `table` (ordered by rowid, the order the app added them), with the named
/// columns that exist; `required` columns must all exist or the file is damaged.
pub(crate) fn read_rows(
    conn: &Connection,
    table: &str,
    required: &[&str],
    optional: &[&str],
) -> Result<Vec<Row>, TransferError> {
    let columns = table_columns(conn, table)
        .ok_or_else(|| TransferError::Damaged(format!("the database has no `{table}` table")))?;
    if let Some(missing) = required.iter().find(|c| !columns.iter().any(|n| n == *c)) {
        return Err(TransferError::Damaged(format!(
            "the `{table}` table has no `{missing}` column"
        )));
    }
    let wanted: Vec<&str> = required
        .iter()
        .chain(optional)
        .copied()
        .filter(|c| columns.iter().any(|n| n == c))
        .collect();
    // Names come from the lists above, never from the file, and are quoted anyway.
    let list = wanted
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT {list} FROM \"{table}\" LIMIT {}", MAX_ROWS + 1);
    let damaged = |e: rusqlite::Error| {
        TransferError::Damaged(match e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::OperationInterrupted =>
            {
                "reading the database took too long".into()
            }
            _ => "the database cannot be read".into(),
        })
    };
    let mut stmt = conn.prepare(&sql).map_err(damaged)?;
    let mut rows = stmt.query([]).map_err(damaged)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(damaged)? {
        if out.len() == MAX_ROWS {
            return Err(TransferError::Damaged(format!(
                "the `{table}` table has more than {MAX_ROWS} rows"
            )));
        }
        let mut cells = HashMap::with_capacity(wanted.len());
        for (i, name) in wanted.iter().enumerate() {
            cells.insert((*name).to_owned(), cell(row.get_ref(i).map_err(damaged)?));
        }
        out.push(Row(cells));
    }
    Ok(out)
}

fn cell(value: ValueRef<'_>) -> Cell {
    match value {
        ValueRef::Null => Cell::default(),
        ValueRef::Integer(i) => Cell {
            text: Zeroizing::new(i.to_string()),
            int: Some(i),
        },
        ValueRef::Real(f) => Cell {
            text: Zeroizing::new(f.to_string()),
            int: None,
        },
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            let text = Zeroizing::new(String::from_utf8_lossy(t).into_owned());
            let int = text.trim().parse().ok();
            Cell { text, int }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database written by SQLite itself, in WAL mode as both apps keep theirs.
    fn wal_database(sql: &str) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA journal_mode = WAL;").unwrap();
        conn.execute_batch(sql).unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
        drop(conn);
        std::fs::read(&path).unwrap()
    }

    #[test]
    fn a_wal_mode_database_is_read_from_its_copy_and_the_bytes_stay_as_they_were() {
        let bytes = wal_database(
            "CREATE TABLE accounts (secret TEXT, email TEXT); INSERT INTO accounts VALUES ('A', 'me');",
        );
        assert_eq!(bytes[FORMAT_BYTES], 2, "the generator wrote a WAL database");
        let before = bytes.clone();
        let conn = open(&bytes).unwrap();
        let rows = read_rows(&conn, "accounts", &["secret", "email"], &["issuer"]).unwrap();
        assert_eq!(rows[0].text("email"), "me");
        assert_eq!(rows[0].text("issuer"), "");
        assert!(
            conn.execute("DELETE FROM accounts", []).is_err(),
            "read-only"
        );
        assert_eq!(bytes, before);
    }

    #[test]
    fn views_and_endless_queries_are_refused() {
        let view = wal_database(
            "CREATE VIEW accounts AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) \
             SELECT x AS secret, x AS email FROM n;",
        );
        assert_eq!(identify(&view), None);
        let conn = open(&view).unwrap();
        assert!(read_rows(&conn, "accounts", &["secret"], &[]).is_err());
        // A query that never ends is interrupted.
        let err = conn
            .query_row(
                "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap_err();
        assert_eq!(
            err.sqlite_error_code(),
            Some(rusqlite::ErrorCode::OperationInterrupted)
        );
    }

    #[test]
    fn huge_generated_values_are_refused() {
        let bytes = wal_database(
            "CREATE TABLE accounts (email TEXT, secret TEXT GENERATED ALWAYS AS (hex(zeroblob(100000000))) VIRTUAL); \
             INSERT INTO accounts (email) VALUES ('me');",
        );
        let conn = open(&bytes).unwrap();
        assert!(read_rows(&conn, "accounts", &["secret", "email"], &[]).is_err());
    }
}
