//! TOTP Authenticator (Binary Boxes, Android package `com.authenticator.authservice2`): its
//! backup file and its app storage. Learned from the public descriptions of the format (the
//! readers of Aegis and Authenticator Pro); nothing is copied.
//!
//! **App storage**: `shared_prefs/TOTP_Authenticator_Preferences.xml` (rooted phone), a
//! SharedPreferences file whose string `STATIC_TOTP_CODES_LIST` is a JSON list of accounts.
//!
//! **Backup** (*Backup → Backup to file*, a `.bin` file): base64 text of AES-256-CBC with
//! PKCS#7 padding, key = SHA-256 of the password, IV = 16 zero bytes. The user may set a
//! backup password; without one the app uses the fixed password `TotpAuthenticator`, so a
//! backup read without a password is tried with that one first. Decrypted, it is a JSON object
//! whose first *key* (not its value) is the JSON list of accounts as text; the value is not
//! read. There is no key derivation cost to cap (one SHA-256), and CBC has no integrity: a
//! padding or JSON failure is reported as a wrong password, the likelier cause.
//!
//! **An account**: `{ "issuer", "name", "key", "base", "digits", "period" }`, as an object or
//! as text holding one. `base` says how `key` is written (16 hex, 32 base32, 64 base64);
//! `digits` and `period` are decimal text, empty for the defaults (6 digits, 30 s). The app
//! makes TOTP codes with SHA1 only. It writes the issuer `Unknown` when the account has none,
//! which is read as no issuer.

use base64::Engine as _;
use serde_json::Value;
use zeroize::Zeroizing;

use super::{
    EntryError, ImportItem, Scrubbed, TransferError, entry_name, params_for, parse_secret,
    prefs_xml, str_field, uint_field,
};
use crate::account::{Account, Algorithm, OtpKind};
use crate::crypto::{cbc, mac};
use crate::secret::Secret;

/// The preference of the app storage that holds the accounts.
pub(crate) const PREF_KEY: &str = "STATIC_TOTP_CODES_LIST";
/// The password the app encrypts a backup with when the user sets none.
const DEFAULT_PASSWORD: &str = "TotpAuthenticator";
/// The issuer the app writes for an account without one.
const NO_ISSUER: &str = "Unknown";

/// True when `text` has the shape of a backup: base64 only (lines wrapped or not) of whole
/// AES blocks. Only this format is base64 text from end to end, so the check is cheap and
/// does not decrypt.
pub(crate) fn looks_like_backup(text: &str) -> bool {
    let body = text.trim();
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\r' | b'\n'))
        && decode_backup(body).is_ok_and(|c| c.len() >= cbc::BLOCK_LEN)
}

/// Reads the app storage or a backup.
pub(crate) fn read(bytes: &[u8], password: Option<&str>) -> Result<Vec<ImportItem>, TransferError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| TransferError::Damaged("the file is not text".into()))?;
    if prefs_xml::looks_like(text) {
        let strings = prefs_xml::strings(bytes)?;
        let list = strings
            .iter()
            .find(|s| s.name == PREF_KEY)
            .ok_or_else(|| TransferError::Damaged(format!("the file holds no `{PREF_KEY}`")))?;
        return read_list(&list.value);
    }
    let ciphertext = decode_backup(text.trim())?;
    let document = match password {
        // No password: the app's own, which it uses when the user set none.
        None => decrypt(&ciphertext, DEFAULT_PASSWORD).ok_or(TransferError::PasswordRequired)?,
        // A password given for a backup made without one still opens it.
        Some(p) => decrypt(&ciphertext, p)
            .or_else(|| decrypt(&ciphertext, DEFAULT_PASSWORD))
            .ok_or(TransferError::WrongPassword)?,
    };
    let Value::Object(map) = &document.0 else {
        return Err(TransferError::Damaged(
            "the decrypted backup is not a JSON object".into(),
        ));
    };
    // The list is the object's first key; serde_json orders keys, so take every key that is a
    // list (the app writes one).
    let mut items = Vec::new();
    let mut found = false;
    for key in map.keys() {
        if key.trim_start().starts_with('[') {
            items.extend(read_list(key)?);
            found = true;
        }
    }
    if !found {
        return Err(TransferError::Damaged(
            "the decrypted backup holds no list of accounts".into(),
        ));
    }
    Ok(items)
}

/// The base64 text of a backup, decoded; whole AES blocks or the file is damaged.
fn decode_backup(text: &str) -> Result<Zeroizing<Vec<u8>>, TransferError> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|_| TransferError::Damaged("the backup is not base64 text".into()))?;
    if bytes.is_empty() || !bytes.len().is_multiple_of(cbc::BLOCK_LEN) {
        return Err(TransferError::Damaged(
            "the backup is not a whole number of AES blocks".into(),
        ));
    }
    Ok(Zeroizing::new(bytes))
}

/// The decrypted JSON document, or `None` when the password does not open it.
fn decrypt(ciphertext: &[u8], password: &str) -> Option<Scrubbed> {
    let key = mac::sha256_key(password.as_bytes());
    let plain = cbc::decrypt(key.as_ref(), &[0; cbc::BLOCK_LEN], ciphertext)?;
    serde_json::from_slice(&plain).ok().map(Scrubbed)
}

/// Reads the JSON list of accounts (objects, or text holding an object each).
fn read_list(text: &str) -> Result<Vec<ImportItem>, TransferError> {
    let list = serde_json::from_str::<Value>(text)
        .map(Scrubbed)
        .map_err(|_| TransferError::Damaged("the list of accounts is not valid JSON".into()))?;
    let Value::Array(entries) = &list.0 else {
        return Err(TransferError::Damaged(
            "the list of accounts is not a JSON list".into(),
        ));
    };
    Ok(entries
        .iter()
        .enumerate()
        .map(|(i, entry)| match entry {
            Value::String(s) => match serde_json::from_str::<Value>(s) {
                Ok(obj) => read_entry(&Scrubbed(obj).0),
                Err(_) => ImportItem {
                    name: format!("entry {}", i + 1),
                    result: Err(EntryError::Invalid("the entry is not valid JSON".into())),
                },
            },
            other => read_entry(other),
        })
        .collect())
}

fn read_entry(entry: &Value) -> ImportItem {
    let issuer = str_field(entry, "issuer")
        .map(str::trim)
        .filter(|i| *i != NO_ISSUER)
        .unwrap_or("");
    let label = str_field(entry, "name").map_or("", str::trim);
    ImportItem {
        name: entry_name(issuer, label),
        result: to_account(entry, issuer, label),
    }
}

fn to_account(entry: &Value, issuer: &str, label: &str) -> Result<Account, EntryError> {
    if !entry.is_object() {
        return Err(EntryError::Invalid("the entry is not a JSON object".into()));
    }
    let key = str_field(entry, "key")
        .map(str::trim)
        .ok_or_else(|| EntryError::Invalid("the entry has no `key`".into()))?;
    let secret = match number(entry, "base")? {
        Some(16) => Secret::from_bytes(
            crate::encoding::hex_decode(key.as_bytes())
                .ok_or_else(|| EntryError::Invalid("the key is not hex (base 16)".into()))?,
        ),
        Some(32) => parse_secret(key)?,
        Some(64) => Secret::from_bytes(
            base64::engine::general_purpose::STANDARD
                .decode(key.as_bytes())
                .map_err(|_| EntryError::Invalid("the key is not base64 (base 64)".into()))?,
        ),
        Some(other) => {
            return Err(EntryError::Unsupported(format!(
                "a key written in base {other}"
            )));
        }
        None => return Err(EntryError::Invalid("the entry has no `base`".into())),
    };
    if secret.is_empty() {
        return Err(EntryError::Invalid("the key is empty".into()));
    }
    let params = params_for(
        OtpKind::Totp,
        Algorithm::Sha1,
        number(entry, "digits")?,
        number(entry, "period")?,
        None,
    )?;
    Ok(Account::new(issuer, label, secret, params))
}

/// A number field, written as a number or as decimal text; empty text is the default.
fn number(entry: &Value, key: &str) -> Result<Option<u64>, EntryError> {
    match entry.get(key) {
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        _ => uint_field(entry, key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shape_of_a_backup_is_base64_of_whole_blocks() {
        assert!(looks_like_backup("AAAAAAAAAAAAAAAAAAAAAA==\n"));
        assert!(!looks_like_backup("AAAAAAAAAAAAAAAAAAAA")); // 15 bytes
        assert!(!looks_like_backup("hello world"));
        assert!(!looks_like_backup(""));
    }

    #[test]
    fn a_key_in_an_unknown_base_is_unsupported_and_unknown_is_no_issuer() {
        let list = r#"[{"issuer":"Unknown","name":"me","key":"3132","base":10,"digits":"","period":""},
                      "{\"issuer\":\"X\",\"name\":\"\",\"key\":\"3132\",\"base\":16,\"digits\":\"8\",\"period\":\"\"}"]"#;
        let items = read_list(list).unwrap();
        assert_eq!(items[0].name, "me");
        assert!(matches!(items[0].result, Err(EntryError::Unsupported(_))));
        let account = items[1].result.as_ref().unwrap();
        assert_eq!((account.params.digits, account.params.period), (8, 30));
        assert_eq!(account.secret.as_bytes(), b"12");
    }
}
