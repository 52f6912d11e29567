//! The vault key and everything that guards it: key providers (device slot), the Argon2id
//! password slot, and sealing of individual fields with AES-256-GCM.
//!
//! Naming follows the crypto habit of the project: `make_*` creates a random key, `derive_*`
//! computes one deterministically. Key types print nothing in `Debug` and wipe what they can
//! on drop (ring's prepared keys live inside ring and cannot be wiped from here).

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::VaultError;
use crate::crypto::aead::AeadKey;
use crate::crypto::kdf::{self, Argon2Cost};
use crate::crypto::mac::MacKey;
use crate::crypto::{CryptoError, random};

/// Length of the vault key and of every AES-256 key, in bytes.
pub const KEY_LEN: usize = crate::crypto::aead::KEY_LEN;
pub(crate) use crate::crypto::aead::{NONCE_LEN, TAG_LEN};

/// Why a platform keystore could not wrap or unwrap the vault key. Never carries key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyProviderError {
    /// The keystore cannot be reached right now (missing key file, locked device, no permission).
    #[error("the device key is unavailable: {0}")]
    Unavailable(String),
    /// The device key is gone or was invalidated (e.g. biometrics changed): unlock with the
    /// password, after which a new device key is registered.
    #[error("the device key is gone or was invalidated")]
    Invalidated,
    /// The user cancelled an authentication prompt.
    #[error("unlocking was cancelled")]
    Cancelled,
    /// The wrapped key was not made by this device key.
    #[error("the device key does not match this vault")]
    WrongKey,
    /// Anything else the keystore reported.
    #[error("device keystore failure: {0}")]
    Failed(String),
}

/// A platform keystore that wraps and unwraps the 256-bit vault key (Android Keystore, iOS
/// Keychain, or the CLI's [`KeyFile`]). The vault stores only what `wrap` returns.
pub trait KeyProvider: Send + Sync {
    /// Encrypts the vault key under the device key.
    fn wrap(&self, key: &[u8]) -> Result<Vec<u8>, KeyProviderError>;
    /// Decrypts what [`KeyProvider::wrap`] returned. A wrong device key should give
    /// [`KeyProviderError::WrongKey`]; the vault also checks the result itself.
    fn unwrap(&self, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyProviderError>;
}

/// The CLI's and desktop's [`KeyProvider`]: a random 256-bit key in a file only its owner can
/// read (mode 0600), used to wrap the vault key with AES-256-GCM.
///
/// File format: the line `tessera-keyfile-v1`, then the key as 64 lowercase hex digits.
pub struct KeyFile {
    path: PathBuf,
    key: AeadKey,
}

impl fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyFile")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

const KEY_FILE_HEADER: &str = "tessera-keyfile-v1";
const KEY_FILE_AAD: &[u8] = b"tessera/v1/keyfile-wrap";

impl KeyFile {
    /// Creates a new key file with a fresh random key. Fails if the file already exists, so an
    /// existing key (and the vault it opens) is never overwritten.
    pub fn create(path: &Path) -> Result<KeyFile, KeyProviderError> {
        let key = make_key().map_err(|_| KeyProviderError::Failed("no randomness".into()))?;
        let mut text = Zeroizing::new(format!("{KEY_FILE_HEADER}\n"));
        for byte in key.iter() {
            text.push_str(&format!("{byte:02x}"));
        }
        text.push('\n');
        crate::files::write_private(path, text.as_bytes(), crate::files::Existing::Keep).map_err(
            |e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    KeyProviderError::Failed(format!("key file {} already exists", path.display()))
                } else {
                    KeyProviderError::Unavailable(format!(
                        "cannot write key file {}: {e}",
                        path.display()
                    ))
                }
            },
        )?;
        Ok(KeyFile {
            path: path.to_path_buf(),
            key: AeadKey::new(&key[..]).map_err(|e| KeyProviderError::Failed(e.to_string()))?,
        })
    }

    /// Reads an existing key file. Refuses a file that others can read or write.
    pub fn open(path: &Path) -> Result<KeyFile, KeyProviderError> {
        let shown = path.display();
        let text = Zeroizing::new(fs::read_to_string(path).map_err(|e| {
            KeyProviderError::Unavailable(format!("cannot read key file {shown}: {e}"))
        })?);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(path)
                .map_err(|e| KeyProviderError::Unavailable(format!("{shown}: {e}")))?
                .permissions()
                .mode();
            // Like ssh with its private keys: a key others can read is no longer a device key.
            if mode & 0o077 != 0 {
                return Err(KeyProviderError::Unavailable(format!(
                    "key file {shown} is accessible by other users (mode {:o}); it must be readable by its owner only (mode 600)",
                    mode & 0o777
                )));
            }
        }
        let mut lines = text.lines();
        let damaged =
            || KeyProviderError::Unavailable(format!("{shown} is not a Tessera key file"));
        if lines.next() != Some(KEY_FILE_HEADER) {
            return Err(damaged());
        }
        let hex = lines.next().ok_or_else(damaged)?.trim();
        if hex.len() != KEY_LEN * 2 {
            return Err(damaged());
        }
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2).ok_or_else(damaged)?, 16)
                .map_err(|_| damaged())?;
        }
        Ok(KeyFile {
            path: path.to_path_buf(),
            key: AeadKey::new(&key[..]).map_err(|_| damaged())?,
        })
    }

    /// Opens the key file, creating it first when it does not exist.
    pub fn open_or_create(path: &Path) -> Result<KeyFile, KeyProviderError> {
        if path.exists() {
            KeyFile::open(path)
        } else {
            KeyFile::create(path)
        }
    }

    /// Where the key lives.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl KeyProvider for KeyFile {
    fn wrap(&self, key: &[u8]) -> Result<Vec<u8>, KeyProviderError> {
        self.key
            .seal_with_random_nonce(key, KEY_FILE_AAD)
            .map_err(|e| KeyProviderError::Failed(e.to_string()))
    }

    fn unwrap(&self, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyProviderError> {
        self.key
            .open_nonce_prefixed(wrapped, KEY_FILE_AAD)
            .ok_or(KeyProviderError::WrongKey)
    }
}

/// Argon2id parameters of a password slot or a backup file, stored beside what they protect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Number of passes.
    pub iterations: u32,
    /// Degree of parallelism (lanes).
    pub parallelism: u32,
}

impl Default for KdfParams {
    fn default() -> Self {
        KdfParams::DEFAULT
    }
}

/// Largest memory a stored parameter set may ask for (1 GiB): a damaged or hostile file must
/// not make Tessera allocate without bound.
const MAX_MEMORY_KIB: u32 = 1 << 20;
const MAX_ITERATIONS: u32 = 64;
const MAX_PARALLELISM: u32 = 16;
/// Length of Argon2 salts written by Tessera.
pub(crate) const SALT_LEN: usize = 16;

impl KdfParams {
    /// The default for new passwords and backups: 64 MiB, 3 passes, 1 lane (OWASP's Argon2id
    /// guidance; about half a second on a phone).
    pub const DEFAULT: KdfParams = KdfParams {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 1,
    };

    /// Checks that the parameters are within what Tessera computes (8×lanes KiB … 1 GiB,
    /// 1 … 64 passes, 1 … 16 lanes).
    pub fn validate(&self) -> Result<(), VaultError> {
        let bad = |what: String| Err(VaultError::InvalidKdfParams(what));
        if self.parallelism == 0 || self.parallelism > MAX_PARALLELISM {
            return bad(format!("parallelism must be 1..={MAX_PARALLELISM}"));
        }
        if self.memory_kib < 8 * self.parallelism || self.memory_kib > MAX_MEMORY_KIB {
            return bad(format!(
                "memory must be {}..={MAX_MEMORY_KIB} KiB",
                8 * self.parallelism
            ));
        }
        if self.iterations == 0 || self.iterations > MAX_ITERATIONS {
            return bad(format!("iterations must be 1..={MAX_ITERATIONS}"));
        }
        Ok(())
    }

    /// Checks that parameters an app *chose* for a new password or backup are at least OWASP's
    /// Argon2id minimums ([`crate::crypto::kdf::ARGON2ID_FLOOR`]: 46 MiB × 1 pass, 19 MiB × 2,
    /// 12 MiB × 3, 9 MiB × 4 or 7 MiB × 5), besides [`KdfParams::validate`]. The FFI applies
    /// it to every cost an app passes; reading a stored slot or backup does not (what was
    /// written stays readable), and Rust callers (tests, benchmarks) may go lower.
    pub fn check_floor(&self) -> Result<(), VaultError> {
        self.validate()?;
        if self.cost().meets_floor() {
            Ok(())
        } else {
            Err(VaultError::InvalidKdfParams(format!(
                "{} KiB × {} passes is weaker than OWASP's Argon2id minimum (at least 46 MiB × 1, 19 MiB × 2, 12 MiB × 3, 9 MiB × 4 or 7 MiB × 5)",
                self.memory_kib, self.iterations
            )))
        }
    }

    /// Derives a 256-bit key from `password` and `salt` with Argon2id v1.3.
    pub(crate) fn derive_key(
        &self,
        password: &str,
        salt: &[u8],
    ) -> Result<Zeroizing<[u8; KEY_LEN]>, VaultError> {
        self.validate()?;
        Ok(kdf::argon2id(password.as_bytes(), salt, self.cost())?)
    }

    fn cost(&self) -> Argon2Cost {
        Argon2Cost {
            memory_kib: self.memory_kib,
            iterations: self.iterations,
            parallelism: self.parallelism,
        }
    }
}

/// Refuses passwords that cannot protect anything.
pub(crate) fn check_new_password(password: &str) -> Result<(), VaultError> {
    if password.is_empty() {
        return Err(VaultError::InvalidPassword("the password is empty".into()));
    }
    Ok(())
}

/// Fills `out` with random bytes from the operating system.
pub(crate) fn fill_random(out: &mut [u8]) -> Result<(), VaultError> {
    Ok(random::fill(out)?)
}

/// A fresh random 256-bit key.
pub(crate) fn make_key() -> Result<Zeroizing<[u8; KEY_LEN]>, VaultError> {
    Ok(random::make_key()?)
}

/// Prepares an AES-256-GCM key from raw bytes.
pub(crate) fn aes_key(raw: &[u8]) -> Result<AeadKey, VaultError> {
    Ok(AeadKey::new(raw)?)
}

/// Derives a named subkey of `raw` with HKDF-SHA256 (salt `tessera`) into `out`.
pub(crate) fn derive_subkey(raw: &[u8], label: &[u8], out: &mut [u8]) -> Result<(), VaultError> {
    Ok(kdf::hkdf_sha256(raw, b"tessera", label, out)?)
}

impl From<CryptoError> for VaultError {
    fn from(e: CryptoError) -> Self {
        match e {
            CryptoError::Random => VaultError::Random,
            CryptoError::InvalidKdfParams(why) => VaultError::InvalidKdfParams(why),
            CryptoError::OutOfMemory { .. } => VaultError::InvalidKdfParams(e.to_string()),
            // A key of the wrong length comes from a key provider returning garbage.
            CryptoError::KeyLength => VaultError::WrongDeviceKey,
            CryptoError::TooLong => VaultError::Storage(e.to_string()),
        }
    }
}

/// Where a sealed value lives: its table, row and field. The three are bound into the AEAD's
/// additional data, so a ciphertext copied to another row or field fails to open.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Binding<'a> {
    /// Table name.
    pub table: &'a str,
    /// Row identifier (an account id, a slot name…).
    pub row: &'a str,
    /// Column name.
    pub field: &'a str,
}

impl Binding<'_> {
    /// `tessera/v1/<table>/<row>/<field>`, written into `buf` when it fits (the usual case:
    /// no allocation per sealed field), else into a new vector.
    fn aad<'b>(&self, buf: &'b mut [u8; 128], spill: &'b mut Vec<u8>) -> &'b [u8] {
        let parts: [&[u8]; 6] = [
            b"tessera/v1/",
            self.table.as_bytes(),
            b"/",
            self.row.as_bytes(),
            b"/",
            self.field.as_bytes(),
        ];
        let len: usize = parts.iter().map(|p| p.len()).sum();
        if len <= buf.len() {
            let mut at = 0;
            for part in parts {
                buf[at..at + part.len()].copy_from_slice(part);
                at += part.len();
            }
            &buf[..len]
        } else {
            spill.clear();
            for part in parts {
                spill.extend_from_slice(part);
            }
            spill
        }
    }
}

/// The unlocked vault key and the subkeys derived from it. Other core modules (push) use
/// [`VaultKey::seal`] and [`VaultKey::open`] for their own tables.
pub(crate) struct VaultKey {
    raw: Zeroizing<[u8; KEY_LEN]>,
    seal: AeadKey,
    fingerprint: MacKey,
    row_mac: MacKey,
}

impl fmt::Debug for VaultKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VaultKey(<redacted>)")
    }
}

impl VaultKey {
    /// Prepares the subkeys of a raw 256-bit vault key.
    pub(crate) fn from_raw(raw: &[u8]) -> Result<VaultKey, VaultError> {
        let raw: [u8; KEY_LEN] = raw.try_into().map_err(|_| VaultError::WrongDeviceKey)?;
        let raw = Zeroizing::new(raw);
        let mut seal = Zeroizing::new([0u8; KEY_LEN]);
        derive_subkey(&raw[..], b"tessera/v1/seal", &mut seal[..])?;
        let mut fingerprint = Zeroizing::new([0u8; KEY_LEN]);
        derive_subkey(&raw[..], b"tessera/v1/fingerprint", &mut fingerprint[..])?;
        let mut row_mac = Zeroizing::new([0u8; KEY_LEN]);
        derive_subkey(&raw[..], b"tessera/v3/row-mac", &mut row_mac[..])?;
        Ok(VaultKey {
            seal: AeadKey::new(&seal[..])?,
            fingerprint: MacKey::new(&fingerprint[..]),
            row_mac: MacKey::new(&row_mac[..]),
            raw,
        })
    }

    /// The key of row tags (see `vault::integrity`).
    pub(crate) fn row_mac_key(&self) -> &MacKey {
        &self.row_mac
    }

    /// The raw key, for wrapping it into a slot.
    pub(crate) fn raw(&self) -> &[u8] {
        &self.raw[..]
    }

    /// Encrypts one field with a fresh nonce, bound to where it is stored.
    pub(crate) fn seal(&self, at: Binding<'_>, plaintext: &[u8]) -> Result<Vec<u8>, VaultError> {
        let (mut buf, mut spill) = ([0u8; 128], Vec::new());
        Ok(self
            .seal
            .seal_with_random_nonce(plaintext, at.aad(&mut buf, &mut spill))?)
    }

    /// Decrypts one field; `None` when it was modified, moved or sealed under another key.
    pub(crate) fn open(&self, at: Binding<'_>, sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let (mut buf, mut spill) = ([0u8; 128], Vec::new());
        self.seal
            .open_nonce_prefixed(sealed, at.aad(&mut buf, &mut spill))
    }

    /// A keyed fingerprint of what makes two accounts produce the same codes; lets the vault
    /// find duplicates with an index instead of decrypting every secret.
    pub(crate) fn fingerprint(&self, account: &crate::account::Account) -> Vec<u8> {
        let p = &account.params;
        let mut ctx = self.fingerprint.start();
        ctx.update(p.kind.as_str().as_bytes());
        ctx.update(b"\0");
        ctx.update(p.algorithm.as_str().as_bytes());
        ctx.update(&[0, p.digits]);
        // Mirrors `Account::same_codes_as`: the HOTP counter is state and the period means
        // nothing for HOTP, so neither is part of an account's identity.
        let period = if p.kind.is_time_based() { p.period } else { 0 };
        ctx.update(&period.to_be_bytes());
        ctx.update(account.secret.as_bytes());
        ctx.finish().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_field_opens_only_at_its_binding() {
        let key = VaultKey::from_raw(&[7u8; KEY_LEN]).unwrap();
        let here = Binding {
            table: "accounts",
            row: "a",
            field: "secret",
        };
        let sealed = key.seal(here, b"hello").unwrap();
        assert_eq!(&key.open(here, &sealed).unwrap()[..], b"hello");
        let other_row = Binding { row: "b", ..here };
        let other_field = Binding {
            field: "note",
            ..here
        };
        assert!(
            key.open(other_row, &sealed).is_none(),
            "moved to another row"
        );
        assert!(
            key.open(other_field, &sealed).is_none(),
            "moved to another field"
        );
        let other_key = VaultKey::from_raw(&[8u8; KEY_LEN]).unwrap();
        assert!(other_key.open(here, &sealed).is_none(), "another vault key");
        assert!(key.open(here, &sealed[..10]).is_none(), "truncated");
    }

    #[test]
    fn long_bindings_are_bound_too() {
        let key = VaultKey::from_raw(&[7u8; KEY_LEN]).unwrap();
        let long_row = "r".repeat(300);
        let at = Binding {
            table: "push_tokens",
            row: &long_row,
            field: "token",
        };
        let sealed = key.seal(at, b"x").unwrap();
        assert_eq!(&key.open(at, &sealed).unwrap()[..], b"x");
        let shorter = "r".repeat(299);
        assert!(
            key.open(
                Binding {
                    row: &shorter,
                    ..at
                },
                &sealed
            )
            .is_none()
        );
    }

    #[test]
    fn every_seal_uses_a_fresh_nonce() {
        let key = VaultKey::from_raw(&[7u8; KEY_LEN]).unwrap();
        let at = Binding {
            table: "t",
            row: "r",
            field: "f",
        };
        let a = key.seal(at, b"same").unwrap();
        let b = key.seal(at, b"same").unwrap();
        assert_ne!(a[..NONCE_LEN], b[..NONCE_LEN]);
        assert_ne!(a, b);
    }

    #[test]
    fn kdf_params_out_of_range_are_refused() {
        for bad in [
            KdfParams {
                memory_kib: 4,
                iterations: 1,
                parallelism: 1,
            },
            KdfParams {
                memory_kib: MAX_MEMORY_KIB + 1,
                iterations: 1,
                parallelism: 1,
            },
            KdfParams {
                memory_kib: 64,
                iterations: 0,
                parallelism: 1,
            },
            KdfParams {
                memory_kib: 64,
                iterations: 1,
                parallelism: 0,
            },
        ] {
            assert!(
                matches!(bad.validate(), Err(VaultError::InvalidKdfParams(_))),
                "{bad:?}"
            );
        }
        KdfParams::DEFAULT.validate().unwrap();
    }

    #[test]
    fn floor_refuses_test_costs_and_accepts_the_default_and_owasp_rows() {
        KdfParams::DEFAULT.check_floor().unwrap();
        for (memory_kib, iterations) in crate::crypto::kdf::ARGON2ID_FLOOR {
            let row = KdfParams {
                memory_kib,
                iterations,
                parallelism: 1,
            };
            row.check_floor().unwrap();
        }
        let weak = KdfParams {
            memory_kib: 19 * 1024,
            iterations: 1,
            parallelism: 1,
        };
        assert!(matches!(
            weak.check_floor(),
            Err(VaultError::InvalidKdfParams(m)) if m.contains("OWASP")
        ));
    }

    #[test]
    fn argon2id_matches_rfc9106_shape() {
        // Same password and salt give the same key; another salt gives another key.
        let params = KdfParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        };
        let a = params.derive_key("pw", b"saltsaltsaltsalt").unwrap();
        let b = params.derive_key("pw", b"saltsaltsaltsalt").unwrap();
        let c = params.derive_key("pw", b"saltsaltsaltsal2").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn key_file_round_trip_and_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.key");
        let file = KeyFile::create(&path).unwrap();
        let wrapped = file.wrap(&[1u8; KEY_LEN]).unwrap();
        let again = KeyFile::open(&path).unwrap();
        assert_eq!(&again.unwrap(&wrapped).unwrap()[..], &[1u8; KEY_LEN]);
        assert!(matches!(
            KeyFile::create(&path),
            Err(KeyProviderError::Failed(_))
        ));
        let other = KeyFile::create(&dir.path().join("other.key")).unwrap();
        assert_eq!(other.unwrap(&wrapped), Err(KeyProviderError::WrongKey));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
            assert!(matches!(
                KeyFile::open(&path),
                Err(KeyProviderError::Unavailable(m)) if m.contains("owner only (mode 600)")
            ));
        }
        assert!(format!("{file:?}").contains("vault.key"));
    }
}
