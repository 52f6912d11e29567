//! Bitwarden's password-protected JSON export ("encrypted export", file password):
//!
//! ```json
//! { "encrypted": true, "passwordProtected": true, "salt": "<base64 text>",
//!   "kdfType": 0 | 1, "kdfIterations": n, "kdfMemory": MiB, "kdfParallelism": p,
//!   "encKeyValidation_DO_NOT_EDIT": "<EncString>", "data": "<EncString>" }
//! ```
//!
//! The key: PBKDF2-HMAC-SHA256 (`kdfType` 0) of the password over the UTF-8 bytes of the salt
//! text, or Argon2id (`kdfType` 1) over the SHA-256 of the salt text with `kdfMemory` MiB,
//! `kdfIterations` passes and `kdfParallelism` lanes; then stretched by HKDF-SHA256's expand
//! step into a 32-byte encryption key (info `enc`) and a 32-byte MAC key (info `mac`). An
//! `EncString` of type 2 is `2.` base64(IV) `|` base64(ciphertext) `|` base64(MAC):
//! AES-256-CBC with PKCS#7 padding, and HMAC-SHA256 over IV ‖ ciphertext, checked first.
//! `encKeyValidation_DO_NOT_EDIT` tells a wrong password (its MAC fails) from a damaged
//! `data`; `data` holds the unencrypted export's JSON.
//!
//! Exports encrypted with the account's own key (`encrypted: true` without
//! `passwordProtected`) can only be opened by that Bitwarden account: refused as unsupported.
//!
//! KDF costs are capped at Bitwarden's own settings range (PBKDF2 ≤ 2,000,000 iterations;
//! Argon2id ≤ 1024 MiB, ≤ 10 passes, ≤ 16 lanes) and, like Ente's, memory × passes ≤ 4 GiB.

use base64::Engine as _;
use serde_json::Value;
use zeroize::Zeroizing;

use super::{TransferError, str_field, uint_field};
use crate::crypto::{cbc, ct_eq, kdf, mac};

/// Bitwarden's largest PBKDF2 iteration count.
const MAX_PBKDF2_ITERATIONS: u64 = 2_000_000;
/// Bitwarden's largest Argon2id memory (MiB), passes and lanes.
const MAX_ARGON2_MIB: u64 = 1024;
const MAX_ARGON2_PASSES: u64 = 10;
const MAX_ARGON2_LANES: u64 = 16;
/// Memory × passes, in MiB: what Ente's cap also allows (1 GiB × 4).
const MAX_ARGON2_WORK_MIB: u64 = 4096;

/// The JSON text of a password-protected export, decrypted.
pub(crate) fn decrypt(
    root: &Value,
    password: Option<&str>,
) -> Result<Zeroizing<String>, TransferError> {
    let password = password.ok_or(TransferError::PasswordRequired)?;
    let damaged = |why: &str| TransferError::Damaged(why.into());
    let salt = str_field(root, "salt").ok_or_else(|| damaged("the export has no `salt`"))?;
    let number = |key: &str| {
        uint_field(root, key)
            .map_err(|_| TransferError::Damaged(format!("`{key}` is not a number")))
    };
    let key = match number("kdfType")? {
        Some(0) | None => {
            let iterations = number("kdfIterations")?.unwrap_or(600_000);
            if iterations == 0 || iterations > MAX_PBKDF2_ITERATIONS {
                return Err(TransferError::Unsupported(format!(
                    "the export asks PBKDF2 for {iterations} iterations; Bitwarden writes 1 to \
                     {MAX_PBKDF2_ITERATIONS}"
                )));
            }
            kdf::pbkdf2_sha256(password.as_bytes(), salt.as_bytes(), iterations as u32)
        }
        Some(1) => {
            let (mib, passes, lanes) = (
                number("kdfMemory")?.unwrap_or(64),
                number("kdfIterations")?.unwrap_or(3),
                number("kdfParallelism")?.unwrap_or(4),
            );
            if !(1..=MAX_ARGON2_MIB).contains(&mib)
                || !(1..=MAX_ARGON2_PASSES).contains(&passes)
                || !(1..=MAX_ARGON2_LANES).contains(&lanes)
                || mib * passes > MAX_ARGON2_WORK_MIB
            {
                return Err(TransferError::Unsupported(format!(
                    "the export asks Argon2id for {mib} MiB, {passes} passes, {lanes} lanes; \
                     Bitwarden writes at most {MAX_ARGON2_MIB} MiB, {MAX_ARGON2_PASSES} passes, \
                     {MAX_ARGON2_LANES} lanes (and Tessera reads up to {MAX_ARGON2_WORK_MIB} \
                     MiB × passes)"
                )));
            }
            let salt_hash = mac::sha256(salt.as_bytes());
            kdf::argon2id(
                password.as_bytes(),
                &salt_hash,
                kdf::Argon2Cost {
                    memory_kib: (mib * 1024) as u32,
                    iterations: passes as u32,
                    parallelism: lanes as u32,
                },
            )?
        }
        Some(other) => {
            return Err(TransferError::Unsupported(format!(
                "Bitwarden key derivation type {other}"
            )));
        }
    };
    let mut enc = Zeroizing::new([0u8; 32]);
    let mut mac_key = Zeroizing::new([0u8; 32]);
    kdf::hkdf_expand_sha256(key.as_ref(), b"enc", enc.as_mut())?;
    kdf::hkdf_expand_sha256(key.as_ref(), b"mac", mac_key.as_mut())?;
    let keys = Keys { enc, mac: mac_key };

    let validation = str_field(root, "encKeyValidation_DO_NOT_EDIT")
        .ok_or_else(|| damaged("the export has no `encKeyValidation_DO_NOT_EDIT`"))?;
    match keys.open(validation)? {
        Some(_) => {}
        None => return Err(TransferError::WrongPassword),
    }
    let data = str_field(root, "data").ok_or_else(|| damaged("the export has no `data`"))?;
    let plain = keys
        .open(data)?
        .ok_or_else(|| damaged("the export's data does not match its key check"))?;
    let text = String::from_utf8(plain.to_vec())
        .map_err(|_| damaged("the export's data is not UTF-8 text"))?;
    Ok(Zeroizing::new(text))
}

struct Keys {
    enc: Zeroizing<[u8; 32]>,
    mac: Zeroizing<[u8; 32]>,
}

impl Keys {
    /// Opens a type-2 `EncString`: `Ok(None)` when its MAC does not match (a wrong key),
    /// `Err` when it is not an `EncString` at all.
    fn open(&self, enc_string: &str) -> Result<Option<Zeroizing<Vec<u8>>>, TransferError> {
        let damaged =
            || TransferError::Damaged("an encrypted field is not a Bitwarden EncString".into());
        let body = enc_string.trim().strip_prefix("2.").ok_or_else(damaged)?;
        let mut parts = body.split('|');
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut next = || -> Result<Vec<u8>, TransferError> {
            b64.decode(parts.next().ok_or_else(damaged)?)
                .map_err(|_| damaged())
        };
        let (iv, ciphertext, tag) = (next()?, next()?, next()?);
        let mut check = mac::MacKey::new(self.mac.as_ref()).start();
        check.update(&iv);
        check.update(&ciphertext);
        if !ct_eq(&check.finish(), &tag) {
            return Ok(None);
        }
        // Authenticated: a padding failure now is damage, not a wrong password.
        cbc::decrypt(self.enc.as_ref(), &iv, &ciphertext)
            .map(Some)
            .ok_or_else(|| TransferError::Damaged("an encrypted field does not decrypt".into()))
    }
}
