//! FreeOTP 2's encrypted backup, learned from FreeOTP's own source (Apache-2.0:
//! `TokenPersistence`, `MasterKey`, `EncryptedKey`, `Token`).
//!
//! The app keeps a SharedPreferences map `tokenBackup` and its *Backup* writes that map to a
//! file with Java's `ObjectOutputStream` (a serialized `HashMap<String, String>`, read by
//! `javaser`); on a rooted phone the same map is `shared_prefs/tokenBackup.xml`, read here
//! too. Its entries:
//!
//! - `masterKey`: JSON (Gson) of `{ "mEncryptedKey": K, "mAlgorithm": "PBKDF2withHmacSHA512",
//!   "mIterations": 100000, "mSalt": [32 signed bytes] }`: the master key, wrapped by the key
//!   PBKDF2 derives from the password (as many bytes as the salt has: 32, an AES-256 key).
//! - `UUID`: JSON `{ "key": "<K as JSON text>" }`, the token's secret wrapped by the master key.
//! - `UUID-token`: the token's JSON (`algo`, `issuerExt`, `label`, `digits`, `period`, `type`,
//!   `counter`…, as in FreeOTP's other files, without the secret).
//!
//! A wrapped key K is `{ "mCipherText": [bytes], "mParameters": [bytes], "mCipher":
//! "AES/GCM/NoPadding", "mToken": "AES" | "HmacSHA1" … }`: AES-GCM ciphertext with its tag
//! appended, the DER `GCMParameters` (IV and tag length) and the key's algorithm name, which
//! is also the associated data.
//!
//! **Errors.** The master key opening or not is the password test: GCM authenticates, so a
//! wrong password is told apart from a file whose structure is damaged. Once the master key
//! opened, a token key that does not open is that entry's damage, reported with the entry.
//! The iteration count is read from the file and capped at the app's own 100,000.

use serde_json::Value;
use zeroize::Zeroizing;

use super::freeotp::{read_token_with, signed_bytes};
use super::{EntryError, ImportItem, Scrubbed, TransferError, javaser, prefs_xml, printable};
use crate::crypto::{aead, kdf};
use crate::secret::Secret;

/// The entry of the map that holds the password-wrapped master key.
pub(crate) const MASTER_KEY: &str = "masterKey";
/// The suffix of the entry holding a token's JSON.
const TOKEN_SUFFIX: &str = "-token";
/// FreeOTP's PBKDF2 iteration count (`MasterKey.ITERATIONS`), the most this reader derives.
pub(crate) const MAX_ITERATIONS: u64 = 100_000;
/// The only cipher FreeOTP wraps keys with.
const CIPHER: &str = "AES/GCM/NoPadding";

/// Reads the backup file (a serialized map).
pub(crate) fn read_serialized(
    bytes: &[u8],
    password: Option<&str>,
) -> Result<Vec<ImportItem>, TransferError> {
    let map = javaser::read_string_map(bytes)?
        .into_iter()
        .map(|e| (e.key, e.value))
        .collect();
    read_map(map, password)
}

/// Reads the app's `tokenBackup.xml` (the same map as SharedPreferences).
pub(crate) fn read_prefs(
    strings: Vec<prefs_xml::PrefString>,
    password: Option<&str>,
) -> Result<Vec<ImportItem>, TransferError> {
    read_map(
        strings.into_iter().map(|s| (s.name, s.value)).collect(),
        password,
    )
}

fn read_map(
    map: Vec<(String, Zeroizing<String>)>,
    password: Option<&str>,
) -> Result<Vec<ImportItem>, TransferError> {
    let get = |key: &str| map.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let master = get(MASTER_KEY)
        .ok_or_else(|| TransferError::Damaged("the FreeOTP backup has no master key".into()))?;
    let master = json(master)
        .ok_or_else(|| TransferError::Damaged("the FreeOTP master key is not JSON".into()))?;
    // Everything about the master key is checked before the password is needed or used.
    let kdf = Kdf::read(&master.0)?;
    let wrapped = Wrapped::read(master.0.get("mEncryptedKey"))
        .map_err(|why| TransferError::Damaged(format!("the FreeOTP master key: {why}")))?;
    let password = password.ok_or(TransferError::PasswordRequired)?;
    let master_key = kdf.unwrap(password, &wrapped)?;

    // In the order of the entries' names: a `HashMap` has no order of its own, and the name
    // keeps a report of the same backup the same.
    let mut entries: Vec<&(String, Zeroizing<String>)> = map.iter().collect();
    crate::order::sort_stable_by(&mut entries, |a, b| a.0.cmp(&b.0));
    let mut items = Vec::new();
    for (key, value) in entries {
        if key == MASTER_KEY {
            continue;
        }
        if let Some(uuid) = key.strip_suffix(TOKEN_SUFFIX) {
            // A token whose key entry is gone: reported, not dropped.
            if get(uuid).is_none() {
                items.push(ImportItem {
                    name: token_name(value, uuid),
                    result: Err(EntryError::Missing(
                        "the backup holds this token but not its key".into(),
                    )),
                });
            }
            continue;
        }
        let Some(token_text) = get(&format!("{key}{TOKEN_SUFFIX}")) else {
            items.push(ImportItem {
                name: printable(key, 64),
                result: Err(EntryError::Missing(
                    "the backup holds this key but not its token".into(),
                )),
            });
            continue;
        };
        let Some(token) = json(token_text) else {
            items.push(ImportItem {
                name: printable(key, 64),
                result: Err(EntryError::Invalid("the token is not valid JSON".into())),
            });
            continue;
        };
        items.push(read_token_with(&token.0, || {
            token_secret(value, &master_key)
        }));
    }
    Ok(items)
}

/// How the report names a token it has no key for.
fn token_name(token_text: &str, uuid: &str) -> String {
    json(token_text)
        .map(|t| read_token_with(&t.0, || Err(EntryError::Missing(String::new()))).name)
        .unwrap_or_else(|| printable(uuid, 64))
}

/// A token's secret: its key entry `{ "key": "<wrapped key JSON>" }` opened by the master key.
fn token_secret(entry: &str, master_key: &[u8]) -> Result<Secret, EntryError> {
    let invalid = |why: &str| EntryError::Invalid(format!("its key entry {why}"));
    let outer = json(entry).ok_or_else(|| invalid("is not JSON"))?;
    let inner = outer
        .0
        .get("key")
        .and_then(Value::as_str)
        .and_then(json)
        .ok_or_else(|| invalid("has no wrapped key"))?;
    let wrapped = Wrapped::read(Some(&inner.0)).map_err(|why| invalid(&why))?;
    let secret = wrapped
        .open(master_key)
        .ok_or_else(|| invalid("does not open with the master key: the entry is damaged"))?;
    if secret.is_empty() {
        return Err(EntryError::Invalid("the secret is empty".into()));
    }
    Ok(Secret::from_bytes(secret.to_vec()))
}

fn json(text: &str) -> Option<Scrubbed> {
    serde_json::from_str(text).ok().map(Scrubbed)
}

/// The master key's derivation: PBKDF2 with SHA-512 (or SHA-1 on old Android), its
/// iterations and salt.
struct Kdf {
    sha512: bool,
    iterations: u32,
    salt: Zeroizing<Vec<u8>>,
}

impl Kdf {
    fn read(master: &Value) -> Result<Kdf, TransferError> {
        let damaged = |why: &str| TransferError::Damaged(format!("the FreeOTP master key {why}"));
        let algorithm = master
            .get("mAlgorithm")
            .and_then(Value::as_str)
            .ok_or_else(|| damaged("names no key derivation"))?;
        let sha512 = match algorithm.to_ascii_lowercase().as_str() {
            "pbkdf2withhmacsha512" => true,
            "pbkdf2withhmacsha1" => false,
            _ => {
                return Err(TransferError::Unsupported(format!(
                    "the FreeOTP master key is derived with {}, which FreeOTP does not write",
                    printable(algorithm, 32)
                )));
            }
        };
        let iterations = master
            .get("mIterations")
            .and_then(Value::as_u64)
            .filter(|i| *i > 0)
            .ok_or_else(|| damaged("has no iteration count"))?;
        if iterations > MAX_ITERATIONS {
            return Err(TransferError::Unsupported(format!(
                "the FreeOTP backup asks for {iterations} PBKDF2 iterations; FreeOTP writes \
                 {MAX_ITERATIONS} and more are not derived"
            )));
        }
        let salt = signed_bytes(master.get("mSalt")).map_err(|_| damaged("has no salt"))?;
        // The derived key is as long as the salt (FreeOTP: 32 bytes, an AES-256 key).
        if salt.len() != aead::KEY_LEN {
            return Err(TransferError::Unsupported(format!(
                "the FreeOTP master key is protected by a {}-byte key; FreeOTP writes {}",
                salt.len(),
                aead::KEY_LEN
            )));
        }
        Ok(Kdf {
            sha512,
            iterations: u32::try_from(iterations).unwrap_or(u32::MAX),
            salt,
        })
    }

    /// The master key, opened with the key the password derives: a wrong password fails here.
    fn unwrap(
        &self,
        password: &str,
        wrapped: &Wrapped,
    ) -> Result<Zeroizing<Vec<u8>>, TransferError> {
        let derive = if self.sha512 {
            kdf::pbkdf2_sha512
        } else {
            kdf::pbkdf2_sha1
        };
        let key = derive(password.as_bytes(), &self.salt, self.iterations);
        let master = wrapped
            .open(key.as_ref())
            .ok_or(TransferError::WrongPassword)?;
        if master.len() != aead::KEY_LEN {
            return Err(TransferError::Damaged(
                "the FreeOTP master key is not an AES-256 key".into(),
            ));
        }
        Ok(master)
    }
}

/// A key wrapped with AES-GCM (FreeOTP's `EncryptedKey`).
struct Wrapped {
    sealed: Zeroizing<Vec<u8>>,
    iv: Vec<u8>,
    /// The wrapped key's algorithm name, bound in as associated data.
    token: String,
}

impl Wrapped {
    fn read(value: Option<&Value>) -> Result<Wrapped, String> {
        let value = value.ok_or("is missing")?;
        let field = |k: &str| value.get(k).and_then(Value::as_str);
        match field("mCipher") {
            Some(CIPHER) => {}
            Some(other) => return Err(format!("uses the cipher {}", printable(other, 32))),
            None => return Err("names no cipher".into()),
        }
        let token = field("mToken").ok_or("names no key algorithm")?.to_owned();
        let sealed = signed_bytes(value.get("mCipherText")).map_err(|_| "has no ciphertext")?;
        let parameters =
            signed_bytes(value.get("mParameters")).map_err(|_| "has no GCM parameters")?;
        let iv = gcm_iv(&parameters)?;
        if sealed.len() < aead::TAG_LEN {
            return Err("is truncated".into());
        }
        Ok(Wrapped { sealed, iv, token })
    }

    fn open(&self, key: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        aead::open(key, &self.iv, &self.sealed, self.token.as_bytes())
    }
}

/// The IV of a DER `GCMParameters ::= SEQUENCE { aes-nonce OCTET STRING, aes-ICVlen INTEGER }`
/// (RFC 5084), as Java's `AlgorithmParameters.getEncoded()` writes it; only a 12-byte IV and a
/// 16-byte tag, what Android and Java use, are read.
fn gcm_iv(der: &[u8]) -> Result<Vec<u8>, String> {
    let bad = || "has GCM parameters that are not valid DER".to_string();
    let [0x30, len, body @ ..] = der else {
        return Err(bad());
    };
    if usize::from(*len) != body.len() || *len >= 0x80 {
        return Err(bad());
    }
    let [0x04, iv_len, rest @ ..] = body else {
        return Err(bad());
    };
    let (iv, rest) = rest
        .split_at_checked(usize::from(*iv_len))
        .ok_or_else(bad)?;
    // The tag length is in bytes; left out, RFC 5084 makes it 12.
    let tag_len = match rest {
        [] => 12,
        [0x02, 0x01, n] => usize::from(*n),
        _ => return Err(bad()),
    };
    if iv.len() != aead::NONCE_LEN || tag_len != aead::TAG_LEN {
        return Err(format!(
            "uses a {}-byte IV and a {tag_len}-byte tag; FreeOTP writes {} and {}",
            iv.len(),
            aead::NONCE_LEN,
            aead::TAG_LEN
        ));
    }
    Ok(iv.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcm_parameters_are_read_as_java_encodes_them() {
        let mut der = vec![0x30, 0x11, 0x04, 0x0c];
        der.extend_from_slice(&[7; 12]);
        der.extend_from_slice(&[0x02, 0x01, 0x10]);
        assert_eq!(gcm_iv(&der).unwrap(), vec![7; 12]);
        der[18] = 0x0c; // a 12-byte tag
        assert!(gcm_iv(&der).unwrap_err().contains("12-byte tag"));
        assert!(gcm_iv(&der[..10]).is_err());
        assert!(gcm_iv(&[]).is_err());
    }
}
