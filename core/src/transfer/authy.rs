//! Authy's app storage: the SharedPreferences files in
//! `/data/data/com.authy.authy/shared_prefs/` on a rooted Android phone (Authy has no export).
//!
//! - `com.authy.storage.tokens.authenticator.xml`: other services' TOTP accounts, a JSON array
//!   in the string `com.authy.storage.tokens.authenticator.key`. Each object has `name`,
//!   `originalName`, `originalIssuer`, `accountType`, `digits` and the secret, either plain
//!   (`decryptedSecret`, base32) or encrypted with the backup password (`encryptedSecret`,
//!   base64, and `salt`): key = PBKDF2-HMAC-SHA1(password, UTF-8 of `salt`, 1000 iterations,
//!   256 bits), AES-256-CBC with PKCS#7 padding and an IV of 16 zero bytes (or, when present,
//!   the hex `unique_iv`), the plaintext being the base32 secret. Codes: SHA1, `digits`, 30 s.
//! - `com.authy.storage.tokens.authy.xml`: Authy's own tokens (key
//!   `com.authy.storage.tokens.authy.key`), whose `secretSeed` is hex; codes: SHA1, `digits`
//!   (7), 10 s.
//!
//! The issuer is `originalIssuer`; failing that the part of `originalName` before a colon; or
//! of `name` before " - "; or the `accountType` capitalized. The label is the name without that
//! issuer prefix. The cost is fixed by the app (1000 PBKDF2 rounds per seed); the number of
//! tokens is capped at [`MAX_TOKENS`], and the first seed that does not open (before one did)
//! ends the read as a wrong password.

use serde_json::Value;
use zeroize::Zeroizing;

use super::prefs_xml;
use super::{
    EntryError, ImportItem, Scrubbed, TransferError, entry_name, params_for, parse_secret,
    str_field, uint_field,
};
use crate::account::{Account, Algorithm, OtpKind};
use crate::crypto::{cbc, kdf};
use crate::secret::Secret;

/// The preference holding other services' accounts.
pub(crate) const AUTHENTICATOR_KEY: &str = "com.authy.storage.tokens.authenticator.key";
/// The preference holding Authy's own tokens.
pub(crate) const AUTHY_KEY: &str = "com.authy.storage.tokens.authy.key";
const ITERATIONS: u32 = 1000;
/// The most tokens read: a phone holds tens. Each encrypted one costs a key derivation, so a
/// file of short tokens would otherwise buy hundreds of thousands of them.
const MAX_TOKENS: usize = 10_000;

/// True when the preferences hold Authy's tokens.
pub(crate) fn is_authy(strings: &[prefs_xml::PrefString]) -> bool {
    strings
        .iter()
        .any(|s| s.name == AUTHENTICATOR_KEY || s.name == AUTHY_KEY)
}

/// Reads one of Authy's token files; `password` decrypts encrypted seeds.
pub(crate) fn read(bytes: &[u8], password: Option<&str>) -> Result<Vec<ImportItem>, TransferError> {
    let strings = prefs_xml::strings(bytes)?;
    let pref = strings
        .iter()
        .find(|s| s.name == AUTHENTICATOR_KEY || s.name == AUTHY_KEY)
        .ok_or_else(|| TransferError::Damaged("the file holds no Authy tokens".into()))?;
    let native = pref.name == AUTHY_KEY;
    let doc = Scrubbed(
        serde_json::from_str(&pref.value)
            .map_err(|_| TransferError::Damaged("Authy's token list is not valid JSON".into()))?,
    );
    let tokens = doc
        .0
        .as_array()
        .ok_or_else(|| TransferError::Damaged("Authy's token list is not a list".into()))?;
    if tokens.len() > MAX_TOKENS {
        return Err(TransferError::Damaged(format!(
            "the file holds {} tokens; Authy's files are read up to {MAX_TOKENS}",
            tokens.len()
        )));
    }
    let encrypted = tokens.iter().any(|t| {
        str_field(t, "decryptedSecret").is_none()
            && str_field(t, "secretSeed").is_none()
            && str_field(t, "encryptedSecret").is_some()
    });
    let key_of = |t: &Value| -> Option<Zeroizing<[u8; 32]>> {
        let salt = str_field(t, "salt")?;
        Some(kdf::pbkdf2_sha1(
            password?.as_bytes(),
            salt.as_bytes(),
            ITERATIONS,
        ))
    };
    if encrypted && password.is_none() {
        return Err(TransferError::PasswordRequired);
    }
    let mut items = Vec::with_capacity(tokens.len());
    let mut opened_one = false;
    for token in tokens {
        let (issuer, label) = names(token, native);
        let result = account(token, native, &issuer, &label, &key_of);
        match &result {
            // The first encrypted seed that does not open, before any did: every seed is
            // encrypted with the same password, so it is wrong — and the other seeds' key
            // derivations are not spent on finding that out again.
            Err(EntryError::Invalid(why)) if why == WRONG_KEY && !opened_one => {
                return Err(TransferError::WrongPassword);
            }
            Ok(_) if str_field(token, "encryptedSecret").is_some() => opened_one = true,
            _ => {}
        }
        items.push(ImportItem {
            name: entry_name(&issuer, &label),
            result,
        });
    }
    Ok(items)
}

const WRONG_KEY: &str = "the seed does not decrypt with this password";

fn account(
    token: &Value,
    native: bool,
    issuer: &str,
    label: &str,
    key_of: &dyn Fn(&Value) -> Option<Zeroizing<[u8; 32]>>,
) -> Result<Account, EntryError> {
    let digits = uint_field(token, "digits")?;
    let (secret, period) = if let Some(seed) = str_field(token, "secretSeed") {
        let bytes = Zeroizing::new(
            crate::encoding::hex_decode(seed.trim().as_bytes())
                .ok_or_else(|| EntryError::Invalid("`secretSeed` is not hex".into()))?,
        );
        if bytes.is_empty() {
            return Err(EntryError::Invalid("`secretSeed` is empty".into()));
        }
        (Secret::from_bytes(bytes.to_vec()), 10)
    } else if let Some(plain) = str_field(token, "decryptedSecret") {
        (parse_secret(plain)?, if native { 10 } else { 30 })
    } else if let Some(sealed) = str_field(token, "encryptedSecret") {
        (decrypt_seed(token, sealed, key_of)?, 30)
    } else {
        return Err(EntryError::Invalid("the token has no secret".into()));
    };
    let params = params_for(OtpKind::Totp, Algorithm::Sha1, digits, Some(period), None)?;
    Ok(Account::new(issuer, label, secret, params))
}

fn decrypt_seed(
    token: &Value,
    sealed: &str,
    key_of: &dyn Fn(&Value) -> Option<Zeroizing<[u8; 32]>>,
) -> Result<Secret, EntryError> {
    use base64::Engine as _;
    let key = key_of(token).ok_or_else(|| EntryError::Invalid("the token has no `salt`".into()))?;
    let ciphertext = base64::engine::general_purpose::STANDARD
        .decode(sealed.trim())
        .map_err(|_| EntryError::Invalid("`encryptedSecret` is not base64".into()))?;
    let iv = match str_field(token, "unique_iv") {
        Some(hex) => crate::encoding::hex_decode(hex.trim().as_bytes())
            .ok_or_else(|| EntryError::Invalid("`unique_iv` is not hex".into()))?,
        None => vec![0; cbc::BLOCK_LEN],
    };
    let plain = cbc::decrypt(key.as_ref(), &iv, &ciphertext)
        .ok_or_else(|| EntryError::Invalid(WRONG_KEY.into()))?;
    let text = std::str::from_utf8(&plain).map_err(|_| EntryError::Invalid(WRONG_KEY.into()))?;
    parse_secret(text).map_err(|_| EntryError::Invalid(WRONG_KEY.into()))
}

/// The issuer and label of a token, as described in the module notes.
fn names(token: &Value, native: bool) -> (String, String) {
    let name = str_field(token, "name").unwrap_or("").trim();
    if native {
        return (name.to_owned(), String::new());
    }
    let original = str_field(token, "originalName").unwrap_or("");
    let (issuer, separator) =
        if let Some(i) = str_field(token, "originalIssuer").filter(|i| !i.trim().is_empty()) {
            (i.trim().to_owned(), ":")
        } else if let Some((i, _)) = original.split_once(':') {
            (i.trim().to_owned(), ":")
        } else if let Some((i, _)) = name.split_once(" - ") {
            (i.trim().to_owned(), " - ")
        } else {
            let kind = str_field(token, "accountType").unwrap_or("");
            let mut chars = kind.chars();
            let capitalized = chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default();
            (capitalized, ":")
        };
    let label = name
        .strip_prefix(issuer.as_str())
        .and_then(|r| r.trim_start().strip_prefix(separator.trim()))
        .unwrap_or(name)
        .trim();
    (issuer, label.to_owned())
}
