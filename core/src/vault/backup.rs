//! The encrypted backup file: one self-contained, versioned file holding every account.
//!
//! Layout (all integers big-endian; `docs/vault.md` has the same table):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `TSRBACKP` |
//! | 8 | 2 | format version (1) |
//! | 10 | 4 | Argon2id memory in KiB |
//! | 14 | 4 | Argon2id passes |
//! | 18 | 4 | Argon2id lanes |
//! | 22 | 16 | salt |
//! | 38 | 32 | password verifier: HKDF-SHA256(kek, "tessera/backup/v1/verifier") |
//! | 70 | 12 | AES-GCM nonce |
//! | 82 | n+16 | AES-256-GCM ciphertext and tag of the JSON payload; AAD = bytes 0..82 |
//! | end−32 | 32 | SHA-256 of every byte before it |
//!
//! kek = Argon2id(password, salt); the payload key is HKDF-SHA256(kek, "tessera/backup/v1/payload").
//! The trailing checksum tells a damaged file from a wrong password: a file whose checksum
//! fails is damaged whatever the password; a verifier mismatch then means a wrong password.
//!
//! # Bounds
//! The checksum is a plain SHA-256, not keyed: anyone can write a file whose header asks Argon2
//! for anything [`KdfParams::validate`] allows (1 GiB × 64 passes from 130 bytes). So backups
//! have their own, lower ceiling, [`BACKUP_KDF_MAX`]: Tessera refuses to write a backup above
//! it and refuses to read one before deriving any key. A file larger than
//! [`MAX_BACKUP_BYTES`] is refused before it is hashed.

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::keys::{self, KEY_LEN, KdfParams, NONCE_LEN, SALT_LEN, TAG_LEN};
use super::{AddOutcome, Vault, VaultError};
use crate::account::{Account, AccountMeta, Algorithm, OtpKind, OtpParams};
use crate::crypto;
use crate::icon::{Icon, IconWire};
use crate::secret::Secret;
use crate::secret_buf::SecretBuf;

/// First bytes of every Tessera backup file.
pub const BACKUP_MAGIC: &[u8; 8] = b"TSRBACKP";
/// The file extension (without the dot) of Tessera backup files, written by hand or
/// automatically.
pub const BACKUP_EXTENSION: &str = "tsrbackup";
/// The backup format version this code writes and the highest it reads.
pub const BACKUP_FORMAT_VERSION: u16 = 1;

/// The most a backup's key derivation may cost, written or read: 256 MiB of memory, 8 passes,
/// 4 lanes, and at most 1 GiB × 1 pass of work in all (memory × passes). Tessera's default,
/// [`KdfParams::DEFAULT`] (64 MiB × 3), is well inside; so is anything an app picks within
/// it. A forged header cannot make a restore take more than a few seconds or more memory than
/// a phone can give.
pub const BACKUP_KDF_MAX: KdfParams = KdfParams {
    memory_kib: 256 * 1024,
    iterations: 8,
    parallelism: 4,
};
/// The most Argon2 work (KiB × passes) a backup may ask for: 1 GiB × 1 pass.
const BACKUP_KDF_MAX_WORK: u64 = 1 << 20;
/// The largest backup file written or read (32 MiB: some 100,000 accounts without icons, or
/// a few thousand with icons of ordinary size; an icon takes up to 4/3 of its bytes). Its
/// JSON is read into typed entries, which take at most a few times its size.
pub const MAX_BACKUP_BYTES: usize = 32 << 20;

/// Checks that `params` are within [`BACKUP_KDF_MAX`]; `Err` says which bound is passed.
fn check_backup_kdf(params: &KdfParams) -> Result<(), String> {
    let max = BACKUP_KDF_MAX;
    let work = u64::from(params.memory_kib) * u64::from(params.iterations);
    if params.memory_kib > max.memory_kib
        || params.iterations > max.iterations
        || params.parallelism > max.parallelism
        || work > BACKUP_KDF_MAX_WORK
    {
        return Err(format!(
            "Argon2id with {} MiB, {} passes, {} lanes, more than a backup may use \
             (at most {} MiB, {} passes, {} lanes, and {} MiB × passes)",
            params.memory_kib / 1024,
            params.iterations,
            params.parallelism,
            max.memory_kib / 1024,
            max.iterations,
            max.parallelism,
            BACKUP_KDF_MAX_WORK / 1024
        ));
    }
    Ok(())
}

const VERIFIER_LEN: usize = 32;
const HEADER_LEN: usize = 8 + 2 + 12 + SALT_LEN + VERIFIER_LEN + NONCE_LEN;
const CHECKSUM_LEN: usize = 32;

/// One account inside the payload. Wiped on drop: it holds the secret in base32.
#[derive(serde::Serialize, serde::Deserialize, Zeroize, ZeroizeOnDrop)]
struct Entry {
    issuer: String,
    label: String,
    secret: String,
    #[serde(rename = "type")]
    kind: String,
    algorithm: String,
    digits: u8,
    period: u32,
    counter: u64,
    #[serde(default)]
    note: String,
    #[serde(default)]
    icon: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    favorite: bool,
    #[serde(default)]
    extra: Vec<(String, String)>,
    /// The account's picture (`crate::icon`), since schema version 5. Left out when there is
    /// none; older Tessera versions skip it (unknown fields are ignored), so the backup format
    /// version stays 1 and their restores keep working, without the pictures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[zeroize(skip)]
    picture: Option<IconWire>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    format: String,
    version: u16,
    created_at: u64,
    accounts: Vec<Entry>,
}

const PAYLOAD_FORMAT: &str = "tessera-backup";

impl Entry {
    fn from_account(account: &Account) -> Entry {
        let p = &account.params;
        Entry {
            issuer: account.issuer.clone(),
            label: account.label.clone(),
            secret: account.secret.to_base32().to_string(),
            kind: p.kind.as_str().to_owned(),
            algorithm: p.algorithm.as_str().to_owned(),
            digits: p.digits,
            period: p.period,
            counter: p.counter,
            note: account.meta.note.clone(),
            icon: account.meta.icon.clone(),
            groups: account.meta.groups.clone(),
            favorite: account.meta.favorite,
            extra: account.extra.clone(),
            picture: account.meta.picture.as_ref().map(Icon::to_wire),
        }
    }

    /// The account, or `None` when the entry cannot be one (reported as damage).
    fn to_account(&self) -> Option<Account> {
        let kind = OtpKind::from_name(&self.kind)?;
        Some(Account {
            issuer: self.issuer.clone(),
            label: self.label.clone(),
            secret: Secret::from_base32(&self.secret).ok()?,
            params: OtpParams {
                kind,
                algorithm: Algorithm::parse(&self.algorithm)?,
                digits: self.digits,
                period: self.period,
                counter: self.counter,
            },
            meta: AccountMeta {
                note: self.note.clone(),
                icon: self.icon.clone(),
                // A picture that fails the checks (one of a kind a later Tessera keeps) is
                // left behind rather than costing the account: the codes matter more.
                picture: self
                    .picture
                    .clone()
                    .and_then(|wire| Icon::from_wire(wire).ok()),
                groups: self.groups.clone(),
                favorite: self.favorite,
            },
            extra: self.extra.clone(),
        })
    }
}

fn subkeys(kek: &[u8]) -> Result<(Zeroizing<[u8; KEY_LEN]>, [u8; VERIFIER_LEN]), VaultError> {
    let mut payload = Zeroizing::new([0u8; KEY_LEN]);
    keys::derive_subkey(kek, b"tessera/backup/v1/payload", &mut payload[..])?;
    let mut verifier = [0u8; VERIFIER_LEN];
    keys::derive_subkey(kek, b"tessera/backup/v1/verifier", &mut verifier)?;
    Ok((payload, verifier))
}

/// Encrypts `accounts` into a backup file.
pub(super) fn encode<'a>(
    accounts: impl Iterator<Item = &'a Account>,
    password: &str,
    params: KdfParams,
) -> Result<Vec<u8>, VaultError> {
    // Checks the password and the cost first: never write a backup the reader would refuse.
    let kek = BackupKek::derive(password, params)?;
    let plain = payload_json(accounts)?;
    seal_payload(&plain, &kek)
}

/// The payload of a backup: every account as JSON, in a buffer wiped when dropped. A move to
/// a new phone (`crate::handover`) carries the same JSON.
pub(crate) fn payload_json<'a>(
    accounts: impl Iterator<Item = &'a Account>,
) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    let payload = Payload {
        format: PAYLOAD_FORMAT.into(),
        version: BACKUP_FORMAT_VERSION,
        created_at: crate::otp::unix_now(),
        accounts: accounts.map(Entry::from_account).collect(),
    };
    // The JSON holds every secret in base32: written into a buffer that wipes each block it
    // outgrows, not a `Vec` that would free them unwiped.
    let mut plain = SecretBuf::new();
    serde_json::to_writer(&mut plain, &payload).map_err(|e| VaultError::Storage(e.to_string()))?;
    Ok(plain.into_bytes())
}

/// The Argon2id output a backup's keys come from, with the salt and parameters that made it:
/// what automatic backups keep (sealed in the vault) so that they need no password.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(super) struct BackupKek {
    pub(super) kek: [u8; KEY_LEN],
    pub(super) salt: [u8; SALT_LEN],
    #[zeroize(skip)]
    pub(super) params: KdfParams,
}

impl BackupKek {
    /// Derives a new backup key from `password` with a fresh salt (Argon2id; slow by design).
    pub(super) fn derive(password: &str, params: KdfParams) -> Result<BackupKek, VaultError> {
        keys::check_new_password(password)?;
        params.validate()?;
        // Never write a backup that the reader would refuse.
        check_backup_kdf(&params).map_err(VaultError::InvalidKdfParams)?;
        let mut salt = [0u8; SALT_LEN];
        keys::fill_random(&mut salt)?;
        let kek = params.derive_key(password, &salt)?;
        Ok(BackupKek {
            kek: *kek,
            salt,
            params,
        })
    }

    /// True when `password` derives this key (constant-time comparison).
    pub(super) fn matches(&self, password: &str) -> Result<bool, VaultError> {
        let kek = self.params.derive_key(password, &self.salt)?;
        Ok(crypto::ct_eq(&kek[..], &self.kek))
    }
}

/// Encrypts a JSON payload into a whole backup file under `kek`.
pub(super) fn seal_payload(plain: &[u8], kek: &BackupKek) -> Result<Vec<u8>, VaultError> {
    let (params, salt) = (kek.params, kek.salt);
    let (payload_key, verifier) = subkeys(&kek.kek)?;

    let mut out = Vec::with_capacity(HEADER_LEN + plain.len() + TAG_LEN + CHECKSUM_LEN);
    out.extend_from_slice(BACKUP_MAGIC);
    out.extend_from_slice(&BACKUP_FORMAT_VERSION.to_be_bytes());
    out.extend_from_slice(&params.memory_kib.to_be_bytes());
    out.extend_from_slice(&params.iterations.to_be_bytes());
    out.extend_from_slice(&params.parallelism.to_be_bytes());
    out.extend_from_slice(&salt);
    out.extend_from_slice(&verifier);
    let sealed = seal_header_bound(&payload_key[..], &out, plain)?;
    out.extend_from_slice(&sealed);
    let checksum = crypto::mac::sha256(&out);
    out.extend_from_slice(&checksum);
    // Never write a backup that the reader would refuse.
    if out.len() > MAX_BACKUP_BYTES {
        return Err(VaultError::BackupTooLarge {
            size_mib: out.len().div_ceil(1 << 20),
            max_mib: MAX_BACKUP_BYTES >> 20,
        });
    }
    Ok(out)
}

/// AES-256-GCM with AAD = the header bytes before the nonce followed by the nonce; returns
/// `nonce ‖ ciphertext ‖ tag`.
fn seal_header_bound(key: &[u8], header: &[u8], plain: &[u8]) -> Result<Vec<u8>, VaultError> {
    let nonce = crypto::random::array::<NONCE_LEN>()?;
    let mut aad = header.to_vec();
    aad.extend_from_slice(&nonce);
    let mut out = Vec::with_capacity(NONCE_LEN + plain.len() + TAG_LEN);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&keys::aes_key(key)?.seal(&nonce, plain, &aad)?);
    Ok(out)
}

fn be_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// Decrypts a backup file into its accounts without a vault (to look inside one, and for the
/// fuzz targets); [`super::Vault::import_backup`] restores one. Nothing is returned unless the
/// whole file is intact and the password right; the bounds in the module docs apply.
pub fn read_backup(bytes: &[u8], password: &str) -> Result<Vec<Account>, VaultError> {
    decode(bytes, password)
}

/// Decrypts a backup file into accounts. Nothing is returned unless the whole file is intact
/// and the password right.
pub(super) fn decode(bytes: &[u8], password: &str) -> Result<Vec<Account>, VaultError> {
    let params = check_file(bytes)?;
    let salt = &bytes[22..22 + SALT_LEN];
    let kek = params.derive_key(password, salt)?;
    open_payload(bytes, &kek[..])
}

/// Every check that needs no key: magic, version, length, checksum, parameter bounds. Returns
/// the file's key derivation parameters.
fn check_file(bytes: &[u8]) -> Result<KdfParams, VaultError> {
    let damaged = |why: &str| VaultError::BackupDamaged(why.to_owned());
    if bytes.len() < 8 || &bytes[..8] != BACKUP_MAGIC {
        return Err(damaged("not a Tessera backup file"));
    }
    if bytes.len() > MAX_BACKUP_BYTES {
        return Err(VaultError::BackupDamaged(format!(
            "the file is {} MiB; backups over {} MiB are not read",
            bytes.len() >> 20,
            MAX_BACKUP_BYTES >> 20
        )));
    }
    if bytes.len() < 10 {
        return Err(damaged("the file is truncated"));
    }
    let version = u16::from_be_bytes([bytes[8], bytes[9]]);
    if version > BACKUP_FORMAT_VERSION {
        return Err(VaultError::BackupNewerVersion {
            found: version,
            supported: BACKUP_FORMAT_VERSION,
        });
    }
    if version == 0 {
        return Err(damaged("unknown format version 0"));
    }
    if bytes.len() < HEADER_LEN + TAG_LEN + CHECKSUM_LEN {
        return Err(damaged("the file is truncated"));
    }
    let (body, checksum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
    if crypto::mac::sha256(body)[..] != *checksum {
        return Err(damaged(
            "its checksum does not match (truncated or modified)",
        ));
    }
    let params = KdfParams {
        memory_kib: be_u32(bytes, 10),
        iterations: be_u32(bytes, 14),
        parallelism: be_u32(bytes, 18),
    };
    params
        .validate()
        .map_err(|_| damaged("its key derivation parameters are out of range"))?;
    check_backup_kdf(&params)
        .map_err(|why| VaultError::BackupDamaged(format!("its header asks for {why}")))?;
    Ok(params)
}

/// Decrypts a backup file with the key its password derives (the Argon2id output), checking
/// the file's integrity first: what an automatic backup's verification does with the key kept
/// in the vault.
pub(super) fn decode_with_kek(bytes: &[u8], kek: &[u8]) -> Result<Vec<Account>, VaultError> {
    check_file(bytes)?;
    open_payload(bytes, kek)
}

/// Steps after the key derivation: the verifier, the AEAD, the JSON. The file was checked.
fn open_payload(bytes: &[u8], kek: &[u8]) -> Result<Vec<Account>, VaultError> {
    let damaged = |why: &str| VaultError::BackupDamaged(why.to_owned());
    let body = &bytes[..bytes.len() - CHECKSUM_LEN];
    let stored_verifier = &bytes[22 + SALT_LEN..22 + SALT_LEN + VERIFIER_LEN];
    let (payload_key, verifier) = subkeys(kek)?;
    if !crypto::ct_eq(&verifier, stored_verifier) {
        return Err(VaultError::BackupWrongPassword);
    }
    // The AAD is the whole header, which ends with the nonce that also starts the sealed part.
    let plain = keys::aes_key(&payload_key[..])?
        .open_nonce_prefixed(&body[HEADER_LEN - NONCE_LEN..], &body[..HEADER_LEN])
        .ok_or_else(|| damaged("it does not decrypt (modified after it was written)"))?;
    parse_payload(&plain)
}

/// The accounts of a decrypted payload (what [`payload_json`] wrote): a backup's, and the
/// account part of a move to a new phone (`crate::handover`), which carries the same JSON so
/// that whatever a backup holds, a move holds too.
pub(crate) fn parse_payload(plain: &[u8]) -> Result<Vec<Account>, VaultError> {
    let damaged = |why: &str| VaultError::BackupDamaged(why.to_owned());
    let payload: Payload =
        serde_json::from_slice(plain).map_err(|_| damaged("its content is not readable"))?;
    if payload.format != PAYLOAD_FORMAT {
        return Err(damaged("its content is not a Tessera backup"));
    }
    payload
        .accounts
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            entry
                .to_account()
                .ok_or_else(|| VaultError::BackupDamaged(format!("entry {} is invalid", i + 1)))
        })
        .collect()
}

impl Vault {
    /// Writes every account not in the trash into one encrypted backup file (see
    /// `docs/vault.md`), protected by `password` with the default Argon2id parameters.
    pub fn export_backup(&self, password: &str) -> Result<Vec<u8>, VaultError> {
        self.export_backup_with(password, KdfParams::DEFAULT)
    }

    /// [`Vault::export_backup`] with explicit Argon2id parameters.
    pub fn export_backup_with(
        &self,
        password: &str,
        params: KdfParams,
    ) -> Result<Vec<u8>, VaultError> {
        keys::check_new_password(password)?;
        let accounts = self.export_accounts()?;
        encode(accounts.iter().map(|(_, a)| a), password, params)
    }

    /// Reads a backup file and adds its accounts in one transaction. Duplicates of accounts
    /// already in the vault are reported, not doubled. A wrong password or a damaged file
    /// imports nothing.
    pub fn import_backup(
        &self,
        bytes: &[u8],
        password: &str,
    ) -> Result<Vec<AddOutcome>, VaultError> {
        let accounts = decode(bytes, password)?;
        self.add_many(accounts)
    }
}
