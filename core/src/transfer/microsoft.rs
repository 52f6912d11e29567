//! Microsoft Authenticator's app database: the SQLite file `PhoneFactor`, in
//! `/data/data/com.azure.authenticator/databases/` on a rooted Android phone (or in an
//! unencrypted device backup). The app has no export of its own.
//!
//! Its `accounts` table holds one row per account; the columns read are `name` (the issuer as
//! the app shows it), `username`, `account_type`, `oath_secret_key` and, when present,
//! `encrypted_oath_secret_key`. The kind of account decides how the secret is written:
//!
//! | `account_type` | account | secret | codes |
//! |---|---|---|---|
//! | 0 | another service's TOTP ("other account") | base32, as the QR code gave it | 6 digits, SHA1, 30 s |
//! | 1 | personal Microsoft account | standard base64 of the key | 8 digits, SHA1, 30 s |
//! | 2 and others | work or school (Entra ID) | bound to the Microsoft sign-in | not read |
//!
//! Work or school accounts are reported as unsupported: their codes come with the Microsoft
//! sign-in of that account (push approval and registration), which only the Authenticator
//! app can do; the user adds the account again from the organisation's security-info page.
//! Newer app versions may keep the secret only encrypted, with a key held in the phone's
//! Android Keystore (`encrypted_oath_secret_key` set, `oath_secret_key` empty): such entries
//! cannot be read off the device and are reported as unsupported with that reason, as are
//! accounts with no code secret at all (push-only sign-in).

use base64::Engine as _;

use super::appdb::{self, Row};
use super::{EntryError, ImportItem, TransferError, entry_name, parse_secret};
use crate::account::{Account, OtpParams};
use crate::secret::Secret;

/// The longest secret read: Microsoft's keys are 10 to 32 bytes.
const MAX_SECRET_CHARS: usize = 1024;

/// Reads every account row of a `PhoneFactor` database (never encrypted as a whole).
pub(crate) fn read(
    bytes: &[u8],
    _password: Option<&str>,
) -> Result<Vec<ImportItem>, TransferError> {
    appdb::read_table(
        bytes,
        "accounts",
        &["name", "oath_secret_key", "account_type"],
        &["username", "encrypted_oath_secret_key"],
        read_row,
    )
}

fn read_row(row: &Row) -> ImportItem {
    let issuer = row.text("name");
    let label = row.text("username");
    ImportItem {
        name: entry_name(issuer, label),
        result: to_account(row, issuer, label),
    }
}

fn to_account(row: &Row, issuer: &str, label: &str) -> Result<Account, EntryError> {
    let secret = row.text("oath_secret_key");
    let kind = row.get("account_type").int;
    if matches!(kind, Some(0) | Some(1)) && secret.is_empty() {
        return Err(EntryError::Unsupported(
            if row.text("encrypted_oath_secret_key").is_empty() {
                "the account has no code secret (it signs in by notification only)"
            } else {
                "the app keeps this secret encrypted with a key held in the phone's Android \
                 Keystore, which cannot be read off the device: add the account again from \
                 its service"
            }
            .into(),
        ));
    }
    if secret.len() > MAX_SECRET_CHARS {
        return Err(EntryError::Invalid(format!(
            "the secret is longer than {MAX_SECRET_CHARS} characters"
        )));
    }
    match kind {
        Some(0) => Ok(Account::new(
            issuer,
            label,
            parse_secret(secret)?,
            OtpParams::default(),
        )),
        Some(1) => {
            let key = zeroize::Zeroizing::new(
                base64::engine::general_purpose::STANDARD
                    .decode(secret)
                    .map_err(|_| EntryError::Invalid("the secret is not base64".into()))?,
            );
            if key.is_empty() {
                return Err(EntryError::Invalid("the secret is empty".into()));
            }
            Ok(Account::new(
                issuer,
                label,
                Secret::from_bytes(key.to_vec()),
                OtpParams {
                    digits: 8,
                    ..OtpParams::default()
                },
            ))
        }
        Some(2) => Err(EntryError::Unsupported(
            "a work or school (Entra ID) account: its codes belong to the Microsoft sign-in; \
             add it again from the organisation's security info page"
                .into(),
        )),
        Some(other) => Err(EntryError::Unsupported(format!(
            "Microsoft Authenticator account type {other}"
        ))),
        None => Err(EntryError::Invalid("`account_type` is not a number".into())),
    }
}
