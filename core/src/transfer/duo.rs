//! Duo Mobile's account store: `files/duokit/accounts.json` in
//! `/data/data/com.duosecurity.duomobile/` on a rooted Android phone (Duo has no export). A
//! JSON array of accounts, each `{ "name", "otpGenerator": { "otpSecret": base32,
//! "counter"? }, … }`: with a `counter` the account is HOTP at that counter, without it TOTP;
//! codes are SHA1, 6 digits, 30 s. Duo's own push-only accounts (Duo-protected logins) have no
//! `otpGenerator` and are reported as unsupported.

use serde_json::Value;

use super::{
    EntryError, ImportItem, TransferError, entry_name, params_for, parse_json, parse_secret,
    str_field, uint_field,
};
use crate::account::{Account, Algorithm, OtpKind};

/// True for a JSON array that is Duo's account list (its objects carry `otpGenerator`).
pub(crate) fn looks_like(items: &[Value]) -> bool {
    !items.is_empty()
        && items
            .iter()
            .any(|i| i.get("otpGenerator").is_some_and(Value::is_object))
}

/// Reads Duo's `accounts.json` (never encrypted).
pub(crate) fn read(
    bytes: &[u8],
    _password: Option<&str>,
) -> Result<Vec<ImportItem>, TransferError> {
    let doc = parse_json(bytes)?;
    let list = doc
        .0
        .as_array()
        .ok_or_else(|| TransferError::Damaged("Duo's accounts.json is a JSON list".into()))?;
    Ok(list
        .iter()
        .map(|a| {
            let label = str_field(a, "name").unwrap_or("");
            ImportItem {
                name: entry_name("", label),
                result: to_account(a, label),
            }
        })
        .collect())
}

fn to_account(a: &Value, label: &str) -> Result<Account, EntryError> {
    let generator = a
        .get("otpGenerator")
        .filter(|g| g.is_object())
        .ok_or_else(|| {
            EntryError::Unsupported(
                "a Duo account without a code generator (Duo push sign-in only)".into(),
            )
        })?;
    let secret = str_field(generator, "otpSecret")
        .ok_or_else(|| EntryError::Invalid("the account has no `otpSecret`".into()))?;
    let counter = uint_field(generator, "counter")?;
    let kind = if counter.is_some() {
        OtpKind::Hotp
    } else {
        OtpKind::Totp
    };
    let params = params_for(kind, Algorithm::Sha1, None, None, counter)?;
    Ok(Account::new("", label, parse_secret(secret)?, params))
}
