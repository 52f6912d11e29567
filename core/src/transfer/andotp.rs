//! andOTP backups: a plain JSON array, or one of two encrypted binary layouts.
//!
//! New layout: 4-byte big-endian PBKDF2-HMAC-SHA1 iteration count, 12-byte salt, 12-byte IV,
//! AES-256-GCM ciphertext and tag. Old layout: 12-byte IV then ciphertext and tag, with
//! SHA-256(password) as the key. Neither carries a check value, so a failure to decrypt with
//! both layouts is reported as a wrong password.

use serde_json::Value;
use zeroize::Zeroizing;

use super::{
    EntryError, ImportItem, TransferError, entry_name, kind_named, params_from, parse_json,
    parse_secret, str_field,
};
use crate::account::Account;
use crate::crypto::aead::{self, NONCE_LEN, TAG_LEN};
use crate::crypto::{kdf, mac};

const SALT_LEN: usize = 12;
/// The most PBKDF2 iterations read: andOTP writes a random count between 140,000 and 160,000
/// (`PBKDF2_MIN/MAX_BACKUP_ITERATIONS`). A larger count is not taken for the new layout (the
/// file is then tried as the old one), so a file cannot make a wrong password cost more than
/// one andOTP derivation (~0.1 s).
pub(crate) const MAX_ITERATIONS: u32 = 160_000;

/// Reads an andOTP backup; `password` opens an encrypted one.
pub(crate) fn read(bytes: &[u8], password: Option<&str>) -> Result<Vec<ImportItem>, TransferError> {
    let trimmed = bytes.trim_ascii_start();
    if trimmed.starts_with(b"[") {
        return read_plain(bytes);
    }
    if bytes.len() < NONCE_LEN + TAG_LEN {
        return Err(TransferError::Damaged(
            "too short for an andOTP backup".into(),
        ));
    }
    let password = password.ok_or(TransferError::PasswordRequired)?;
    let plain = decrypt_new(bytes, password)
        .or_else(|| decrypt_old(bytes, password))
        .ok_or(TransferError::WrongPassword)?;
    read_plain(&plain)
}

fn decrypt_new(bytes: &[u8], password: &str) -> Option<Zeroizing<Vec<u8>>> {
    let (head, rest) = bytes.split_first_chunk::<4>()?;
    let iterations = u32::from_be_bytes(*head);
    if iterations == 0 || iterations > MAX_ITERATIONS || rest.len() < SALT_LEN + NONCE_LEN + TAG_LEN
    {
        return None;
    }
    let (salt, rest) = rest.split_at(SALT_LEN);
    let (iv, sealed) = rest.split_at(NONCE_LEN);
    let key = kdf::pbkdf2_sha1(password.as_bytes(), salt, iterations);
    aead::open(key.as_ref(), iv, sealed, &[])
}

fn decrypt_old(bytes: &[u8], password: &str) -> Option<Zeroizing<Vec<u8>>> {
    let (iv, sealed) = bytes.split_at(NONCE_LEN);
    let key = mac::sha256_key(password.as_bytes());
    aead::open(key.as_ref(), iv, sealed, &[])
}

fn read_plain(bytes: &[u8]) -> Result<Vec<ImportItem>, TransferError> {
    let doc = parse_json(bytes)?;
    let entries = doc
        .0
        .as_array()
        .ok_or_else(|| TransferError::Damaged("an andOTP backup is a JSON list".into()))?;
    Ok(entries.iter().map(read_entry).collect())
}

fn read_entry(entry: &Value) -> ImportItem {
    let issuer = str_field(entry, "issuer").unwrap_or("");
    let mut label = str_field(entry, "label").unwrap_or("");
    // Older andOTP versions had no issuer field and wrote `Issuer - account` into the label.
    let derived;
    let issuer = if issuer.is_empty() {
        match label.split_once(" - ") {
            Some((i, l)) => {
                derived = i.to_owned();
                label = l;
                derived.as_str()
            }
            None => issuer,
        }
    } else {
        issuer
    };
    let name = entry_name(issuer, label);
    let result = to_account(entry, issuer, label);
    ImportItem { name, result }
}

fn to_account(entry: &Value, issuer: &str, label: &str) -> Result<Account, EntryError> {
    let kind = kind_named(str_field(entry, "type"))?;
    let secret = parse_secret(
        str_field(entry, "secret")
            .ok_or_else(|| EntryError::Invalid("the entry has no secret".into()))?,
    )?;
    let params = params_from(entry, kind, "algorithm")?;
    let mut account = Account::new(issuer, label, secret, params);
    if let Some(tags) = entry.get("tags").and_then(Value::as_array) {
        account.meta.groups = tags
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
    }
    Ok(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: &str = r#"[{"secret":"JBSWY3DPEHPK3PXP","issuer":"Site","label":"me","digits":6,"type":"TOTP","algorithm":"SHA1","period":30,"tags":["work"]}]"#;

    #[test]
    fn reads_new_and_old_encrypted_layouts() {
        let salt = [3u8; SALT_LEN];
        let iv = [4u8; NONCE_LEN];
        let key = kdf::pbkdf2_sha1(b"pw", &salt, 1000);
        let mut new = 1000u32.to_be_bytes().to_vec();
        new.extend_from_slice(&salt);
        new.extend_from_slice(&iv);
        new.extend(aead::seal(&key, &iv, PLAIN.as_bytes(), &[]).unwrap());
        let items = read(&new, Some("pw")).unwrap();
        assert_eq!(items[0].result.as_ref().unwrap().meta.groups, vec!["work"]);
        assert_eq!(
            read(&new, Some("wrong")).unwrap_err(),
            TransferError::WrongPassword
        );

        let mut old = iv.to_vec();
        old.extend(aead::seal(&mac::sha256_key(b"pw"), &iv, PLAIN.as_bytes(), &[]).unwrap());
        assert_eq!(read(&old, Some("pw")).unwrap().len(), 1);
        assert_eq!(
            read(&old, None).unwrap_err(),
            TransferError::PasswordRequired
        );
    }
}
