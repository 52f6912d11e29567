//! Authenticator Pro (now named Stratum) backups and its app database.
//!
//! **Backup (`.authpro`, `.stratum`)**: JSON `{ "Authenticators": [ … ], "Categories": [ { "Id",
//! "Name" } ], "AuthenticatorCategories": [ { "CategoryId", "AuthenticatorSecret" } ],
//! "CustomIcons": [ … ] }`. An authenticator has `Type` (1 HOTP, 2 TOTP, 3 mOTP, 4 Steam,
//! 5 Yandex), `Issuer`, `Username`, `Secret` (base32), `Pin` (mOTP/Yandex), `Algorithm`
//! (0 SHA1, 1 SHA256, 2 SHA512), `Digits`, `Period`, `Counter`, `Icon`. Categories become
//! Tessera groups, matched by the authenticator's secret as the app matches them; icons are
//! the app's own icon names (or its custom icons), which Tessera does not carry.
//!
//! **Encrypted backups** are the JSON behind a 16-byte ASCII header:
//! - current (`AUTHENTICATORPRO`): 16-byte salt, 12-byte IV, then AES-256-GCM ciphertext and
//!   tag; key = Argon2id (64 MiB, 3 passes, 4 lanes) of the password. The cost is fixed by the
//!   app and nothing in the file sets it, so there is nothing to cap.
//! - legacy (`AuthenticatorPro`): 20-byte salt, 16-byte IV, then AES-256-CBC with PKCS#7
//!   padding; key = PBKDF2-HMAC-SHA1, 64,000 iterations (fixed too). CBC carries no integrity:
//!   a padding or JSON failure after decryption is reported as a wrong password, the likelier
//!   cause.
//!
//! **App database** (`proauth.db3`, in `/data/data/me.jmh.authenticatorpro/files/` on a rooted
//! phone; plain SQLite unless the app's database encryption is on, which makes it SQLCipher and
//! unreadable here): table `authenticator` with the same fields in lowercase (`type`, `issuer`,
//! `username`, `secret`, `algorithm`, `digits`, `period`, `counter`); its categories are the
//! tables `category` (`id`, `name`) and `authenticatorcategory` (`categoryId`,
//! `authenticatorSecret`), linked by secret as in the backup. A database from before the app
//! had categories has neither table, and its accounts come without groups.

use std::collections::HashMap;

use serde_json::Value;

use super::appdb::{self, Row};
use super::{
    EntryError, ImportItem, Scrubbed, TransferError, entry_name, params_for, parse_json,
    parse_secret, str_field, uint_field,
};
use crate::account::{Account, Algorithm, OtpKind};
use crate::crypto::{aead, cbc, kdf};

/// The header of a backup encrypted with the current scheme.
pub(crate) const HEADER: &[u8; 16] = b"AUTHENTICATORPRO";
/// The header of a backup encrypted with the legacy scheme.
pub(crate) const LEGACY_HEADER: &[u8; 16] = b"AuthenticatorPro";
/// The app's fixed Argon2id cost for the current scheme.
const ARGON2: kdf::Argon2Cost = kdf::Argon2Cost {
    memory_kib: 65_536,
    iterations: 3,
    parallelism: 4,
};
const SALT_LEN: usize = 16;
const LEGACY_SALT_LEN: usize = 20;
const LEGACY_ITERATIONS: u32 = 64_000;

/// True for the bytes of an encrypted backup (either scheme).
pub(crate) fn is_encrypted(bytes: &[u8]) -> bool {
    bytes.starts_with(HEADER) || bytes.starts_with(LEGACY_HEADER)
}

/// Reads a backup (plain or encrypted) or the app's database.
pub(crate) fn read(bytes: &[u8], password: Option<&str>) -> Result<Vec<ImportItem>, TransferError> {
    if bytes.starts_with(super::SQLITE_MAGIC) {
        return read_db(bytes);
    }
    if is_encrypted(bytes) {
        let password = password.ok_or(TransferError::PasswordRequired)?;
        let plain = decrypt(bytes, password)?;
        return match serde_json::from_slice::<Value>(&plain) {
            Ok(json) => read_json(&Scrubbed(json)),
            // A legacy file decrypts to padding-valid garbage under a wrong key now and then.
            Err(_) => Err(TransferError::WrongPassword),
        };
    }
    read_json(&parse_json(bytes)?)
}

fn decrypt(bytes: &[u8], password: &str) -> Result<zeroize::Zeroizing<Vec<u8>>, TransferError> {
    let short = || TransferError::Damaged("the encrypted backup is truncated".into());
    let body = &bytes[HEADER.len()..];
    if bytes.starts_with(HEADER) {
        if body.len() < SALT_LEN + aead::NONCE_LEN + aead::TAG_LEN {
            return Err(short());
        }
        let (salt, rest) = body.split_at(SALT_LEN);
        let (iv, sealed) = rest.split_at(aead::NONCE_LEN);
        let key = kdf::argon2id(password.as_bytes(), salt, ARGON2)?;
        // GCM authenticates: a failure is a wrong password (or a damaged file, which the
        // format cannot tell apart; the password is by far the likelier).
        aead::open(key.as_ref(), iv, sealed, b"").ok_or(TransferError::WrongPassword)
    } else {
        if body.len() < LEGACY_SALT_LEN + cbc::BLOCK_LEN * 2 {
            return Err(short());
        }
        let (salt, rest) = body.split_at(LEGACY_SALT_LEN);
        let (iv, ciphertext) = rest.split_at(cbc::BLOCK_LEN);
        if !ciphertext.len().is_multiple_of(cbc::BLOCK_LEN) {
            return Err(TransferError::Damaged(
                "the encrypted backup is not a whole number of AES blocks".into(),
            ));
        }
        let key = kdf::pbkdf2_sha1(password.as_bytes(), salt, LEGACY_ITERATIONS);
        cbc::decrypt(key.as_ref(), iv, ciphertext).ok_or(TransferError::WrongPassword)
    }
}

fn read_json(doc: &Scrubbed) -> Result<Vec<ImportItem>, TransferError> {
    let list = doc
        .0
        .get("Authenticators")
        .and_then(Value::as_array)
        .ok_or_else(|| TransferError::Damaged("the backup has no `Authenticators` list".into()))?;
    let groups = groups_by_secret(
        array(&doc.0, "Categories")
            .filter_map(|c| Some((str_field(c, "Id")?, str_field(c, "Name")?))),
        array(&doc.0, "AuthenticatorCategories").filter_map(|link| {
            Some((
                str_field(link, "AuthenticatorSecret")?,
                str_field(link, "CategoryId")?,
            ))
        }),
    );
    Ok(list
        .iter()
        .map(|a| {
            let issuer = str_field(a, "Issuer").unwrap_or("");
            let label = str_field(a, "Username").unwrap_or("");
            let result = json_account(a, issuer, label).map(|mut account| {
                let secret = str_field(a, "Secret").unwrap_or("");
                account.meta.groups = groups.get(secret).cloned().unwrap_or_default();
                account
            });
            ImportItem {
                name: entry_name(issuer, label),
                result,
            }
        })
        .collect())
}

/// Each authenticator's category names, by its secret: the app links an authenticator to a
/// category by the authenticator's secret (its primary key), in the backup and the database
/// alike. `categories` gives `(id, name)`, `links` `(secret, category id)`; a link to a
/// category that does not exist is ignored, as the app ignores it.
fn groups_by_secret<'a>(
    categories: impl Iterator<Item = (&'a str, &'a str)>,
    links: impl Iterator<Item = (&'a str, &'a str)>,
) -> HashMap<&'a str, Vec<String>> {
    let names: HashMap<&str, &str> = categories.collect();
    let mut groups: HashMap<&str, Vec<String>> = HashMap::new();
    for (secret, id) in links {
        if let Some(name) = names.get(id) {
            groups.entry(secret).or_default().push((*name).to_owned());
        }
    }
    groups
}

/// Reads `proauth.db3`: the authenticators, and their categories when the database has them.
fn read_db(bytes: &[u8]) -> Result<Vec<ImportItem>, TransferError> {
    let conn = appdb::open(bytes)?;
    let rows = appdb::read_rows(
        &conn,
        "authenticator",
        &["type", "issuer", "secret"],
        &["username", "algorithm", "digits", "period", "counter"],
    )?;
    // Both category tables or none: a link table alone names nothing.
    let with_categories = appdb::table_columns(&conn, "category").is_some()
        && appdb::table_columns(&conn, "authenticatorcategory").is_some();
    let (categories, links) = if with_categories {
        (
            appdb::read_rows(&conn, "category", &["id", "name"], &[])?,
            appdb::read_rows(
                &conn,
                "authenticatorcategory",
                &["categoryId", "authenticatorSecret"],
                &[],
            )?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let groups = groups_by_secret(
        categories.iter().map(|c| (c.text("id"), c.text("name"))),
        links
            .iter()
            .map(|l| (l.text("authenticatorSecret"), l.text("categoryId"))),
    );
    Ok(rows
        .iter()
        .map(|row| {
            let mut item = read_row(row);
            if let Ok(account) = &mut item.result {
                account.meta.groups = groups.get(row.text("secret")).cloned().unwrap_or_default();
            }
            item
        })
        .collect())
}

fn array<'a>(doc: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    doc.get(key).and_then(Value::as_array).into_iter().flatten()
}

/// The fields of one authenticator, as the app stores them (JSON or database).
struct Fields<'a> {
    kind: Option<u64>,
    secret: &'a str,
    algorithm: Option<u64>,
    digits: Option<u64>,
    period: Option<u64>,
    counter: Option<u64>,
}

fn json_account(a: &Value, issuer: &str, label: &str) -> Result<Account, EntryError> {
    let number = |key: &str| uint_field(a, key);
    to_account(
        issuer,
        label,
        Fields {
            kind: number("Type")?,
            secret: str_field(a, "Secret").unwrap_or(""),
            algorithm: number("Algorithm")?,
            digits: number("Digits")?,
            period: number("Period")?,
            counter: number("Counter")?,
        },
    )
}

fn read_row(row: &Row) -> ImportItem {
    let (issuer, label) = (row.text("issuer"), row.text("username"));
    let number = |column: &str| -> Result<Option<u64>, EntryError> {
        match (row.text(column), row.get(column).int) {
            ("", _) => Ok(None),
            (_, Some(n)) => u64::try_from(n)
                .map(Some)
                .map_err(|_| EntryError::Invalid(format!("`{column}` is negative"))),
            _ => Err(EntryError::Invalid(format!("`{column}` is not a number"))),
        }
    };
    let fields = || -> Result<Fields<'_>, EntryError> {
        Ok(Fields {
            kind: number("type")?,
            secret: row.text("secret"),
            algorithm: number("algorithm")?,
            digits: number("digits")?,
            period: number("period")?,
            counter: number("counter")?,
        })
    };
    ImportItem {
        name: entry_name(issuer, label),
        result: fields().and_then(|f| to_account(issuer, label, f)),
    }
}

fn to_account(issuer: &str, label: &str, f: Fields<'_>) -> Result<Account, EntryError> {
    let kind = match f.kind {
        Some(1) => OtpKind::Hotp,
        Some(2) => OtpKind::Totp,
        Some(4) => OtpKind::Steam,
        Some(3) => return Err(EntryError::Unsupported("mOTP entries".into())),
        Some(5) => return Err(EntryError::Unsupported("Yandex entries".into())),
        Some(other) => {
            return Err(EntryError::Unsupported(format!(
                "Authenticator Pro entry type {other}"
            )));
        }
        None => return Err(EntryError::Invalid("the entry has no `Type`".into())),
    };
    let algorithm = match f.algorithm {
        None | Some(0) => Algorithm::Sha1,
        Some(1) => Algorithm::Sha256,
        Some(2) => Algorithm::Sha512,
        Some(other) => {
            return Err(EntryError::Unsupported(format!(
                "Authenticator Pro algorithm {other}"
            )));
        }
    };
    let params = params_for(kind, algorithm, f.digits, f.period, f.counter)?;
    Ok(Account::new(issuer, label, parse_secret(f.secret)?, params))
}
