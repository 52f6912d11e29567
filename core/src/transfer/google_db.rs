//! Google Authenticator's app database: the SQLite file `databases`, in
//! `/data/data/com.google.android.apps.authenticator2/databases/` on a rooted Android phone (or
//! in an unencrypted device backup). The app's own export is the transfer QR codes
//! (`google.rs`); the database is for a phone that no longer starts the app, or accounts the
//! transfer leaves out.
//!
//! Its `accounts` table has one row per account: `email` (the name the user sees, often
//! `Issuer:account` as the QR code's label gave it), `secret` (base32, as scanned or typed),
//! `type` (0 TOTP, 1 HOTP), `counter` (HOTP) and, in versions since 2013, `issuer`. The app
//! only makes SHA1, 6-digit, 30-second codes, so nothing else is stored and nothing else is
//! read. When `issuer` is empty, an `Issuer:account` name is split as in an otpauth label.

use super::appdb::{self, Row};
use super::{EntryError, ImportItem, TransferError, entry_name, parse_secret};
use crate::account::{Account, OtpKind, OtpParams};

/// The longest secret read (Google's accounts hold 10 to 64 bytes, 16 to 103 characters).
const MAX_SECRET_CHARS: usize = 1024;

/// Reads every account row of a Google Authenticator database (never encrypted as a whole).
pub(crate) fn read(
    bytes: &[u8],
    _password: Option<&str>,
) -> Result<Vec<ImportItem>, TransferError> {
    appdb::read_table(
        bytes,
        "accounts",
        &["email", "secret"],
        &["type", "counter", "issuer"],
        read_row,
    )
}

fn read_row(row: &Row) -> ImportItem {
    let email = row.text("email");
    let (issuer, label) = match row.text("issuer") {
        "" => match email.split_once(':') {
            Some((issuer, label)) => (issuer.trim(), label.trim()),
            None => ("", email),
        },
        issuer => {
            // The name still carries the issuer when the app kept the QR code's label.
            let label = email
                .strip_prefix(issuer)
                .and_then(|rest| rest.strip_prefix(':'))
                .map_or(email, str::trim);
            (issuer, label)
        }
    };
    ImportItem {
        name: entry_name(issuer, label),
        result: to_account(row, issuer, label),
    }
}

fn to_account(row: &Row, issuer: &str, label: &str) -> Result<Account, EntryError> {
    let secret = row.text("secret");
    if secret.len() > MAX_SECRET_CHARS {
        return Err(EntryError::Invalid(format!(
            "the secret is longer than {MAX_SECRET_CHARS} characters"
        )));
    }
    let kind = match row.get("type").int {
        None | Some(0) => OtpKind::Totp,
        Some(1) => OtpKind::Hotp,
        Some(other) => {
            return Err(EntryError::Unsupported(format!(
                "Google Authenticator account type {other}"
            )));
        }
    };
    // The app stores the counter of the code it showed last and adds one before showing the
    // next, so the next code to use is one on. Were that off by one, being a code ahead is
    // what an HOTP server's look-ahead window accepts; a code behind would be refused as used.
    let counter = match row.get("counter").int {
        Some(c) if kind == OtpKind::Hotp => u64::try_from(c)
            .ok()
            .and_then(|c| c.checked_add(1))
            .ok_or_else(|| EntryError::Invalid("the HOTP counter is out of range".into()))?,
        _ => 0,
    };
    Ok(Account::new(
        issuer,
        label,
        parse_secret(secret)?,
        OtpParams {
            counter,
            ..OtpParams::for_kind(kind)
        },
    ))
}
