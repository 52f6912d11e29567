//! What a transfer holds once decrypted: one JSON document.
//!
//! ```json
//! {"format": "tessera-move", "version": 1,
//!  "accounts": { …the payload of a backup file, exactly as `docs/vault.md` describes it… },
//!  "push_tokens": [{"serial", "issuer", "label", "url", "sslverify", "server_key",
//!                   "private_key", "enrolled_at", "force_unlock"}],
//!  "left_behind": [{"serial", "issuer", "label", "reason"}]}
//! ```
//!
//! `accounts` is a backup's payload as it is (the vault writes and reads it), so whatever a
//! backup carries, a move carries. `server_key` is the server's public key (PKCS#1 DER) and
//! `private_key` the device key (PKCS#8 DER), both standard base64; `force_unlock` is
//! privacyIDEA's `app_force_unlock` value or absent. `reason` is `platform-key` or `damaged`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::value::RawValue;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::{HandoverError, LeftBehindReason, TokenLeftBehind, TokenMoved};
use crate::account::Account;
use crate::push::enrollment::ForceUnlock;
use crate::push::protocol::ServerKey;
use crate::push::service::PushToken;
use crate::secret_buf::SecretBuf;
use crate::vault::VaultError;

const FORMAT: &str = "tessera-move";
const VERSION: u32 = 1;

/// A push token on its way, with its software device key (wiped on drop).
pub(crate) struct MovingToken {
    /// The token as the old vault keeps it; its key alias is the new vault's to choose.
    pub(crate) token: PushToken,
    /// The device key, PKCS#8 DER.
    pub(crate) pkcs8: Zeroizing<Vec<u8>>,
}

impl MovingToken {
    pub(crate) fn moved(&self) -> TokenMoved {
        TokenMoved {
            serial: self.token.serial.clone(),
            issuer: self.token.issuer.clone(),
            label: self.token.label.clone(),
        }
    }
}

/// One push token in the JSON. Wiped on drop: it holds the private key in base64.
#[derive(serde::Serialize, serde::Deserialize, Zeroize, ZeroizeOnDrop)]
struct TokenEntry {
    serial: String,
    issuer: String,
    label: String,
    url: String,
    sslverify: bool,
    server_key: String,
    private_key: String,
    enrolled_at: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    force_unlock: Option<String>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct LeftEntry {
    serial: String,
    issuer: String,
    label: String,
    reason: String,
}

#[derive(serde::Serialize)]
struct ContentOut<'a> {
    format: &'static str,
    version: u32,
    accounts: &'a RawValue,
    push_tokens: Vec<TokenEntry>,
    left_behind: Vec<LeftEntry>,
}

#[derive(serde::Deserialize)]
struct ContentIn<'a> {
    format: String,
    version: u32,
    #[serde(borrow)]
    accounts: &'a RawValue,
    #[serde(default)]
    push_tokens: Vec<TokenEntry>,
    #[serde(default)]
    left_behind: Vec<LeftEntry>,
}

/// A transfer's content, read.
pub(crate) struct Content {
    pub(crate) accounts: Vec<Account>,
    pub(crate) tokens: Vec<MovingToken>,
    pub(crate) left_behind: Vec<TokenLeftBehind>,
}

/// The JSON of a transfer: `accounts_json` is a backup payload (the vault's to write).
pub(crate) fn write(
    accounts_json: &[u8],
    tokens: &[MovingToken],
    left_behind: &[TokenLeftBehind],
) -> Result<Zeroizing<Vec<u8>>, HandoverError> {
    let storage = |e: serde_json::Error| HandoverError::Vault(VaultError::Storage(e.to_string()));
    let accounts: &RawValue = serde_json::from_slice(accounts_json).map_err(storage)?;
    let content = ContentOut {
        format: FORMAT,
        version: VERSION,
        accounts,
        push_tokens: tokens
            .iter()
            .map(|moving| {
                let t = &moving.token;
                TokenEntry {
                    serial: t.serial.clone(),
                    issuer: t.issuer.clone(),
                    label: t.label.clone(),
                    url: t.url.clone(),
                    sslverify: t.sslverify,
                    server_key: STANDARD.encode(&t.server_key.0),
                    private_key: STANDARD.encode(&moving.pkcs8[..]),
                    enrolled_at: t.enrolled_at,
                    force_unlock: t.force_unlock.map(|f| f.as_str().to_owned()),
                }
            })
            .collect(),
        left_behind: left_behind
            .iter()
            .map(|left| LeftEntry {
                serial: left.serial.clone(),
                issuer: left.issuer.clone(),
                label: left.label.clone(),
                reason: left.reason.as_str().to_owned(),
            })
            .collect(),
    };
    // Secrets in base32 and base64: written into a buffer that wipes what it outgrows.
    let mut out = SecretBuf::new();
    serde_json::to_writer(&mut out, &content).map_err(storage)?;
    Ok(out.into_bytes())
}

/// Reads a decrypted transfer. Nothing is returned unless every part of it is readable.
pub(crate) fn read(plain: &[u8]) -> Result<Content, HandoverError> {
    let damaged = |why: &str| HandoverError::Damaged(why.to_owned());
    let content: ContentIn<'_> =
        serde_json::from_slice(plain).map_err(|_| damaged("it is not a move's JSON"))?;
    if content.format != FORMAT {
        return Err(damaged("it is not a Tessera move"));
    }
    if content.version > VERSION {
        return Err(HandoverError::NewerVersion {
            found: content.version,
            supported: VERSION,
        });
    }
    let accounts =
        crate::vault::parse_backup_payload(content.accounts.get().as_bytes()).map_err(|error| {
            match error {
                VaultError::BackupDamaged(why) => {
                    HandoverError::Damaged(format!("its accounts: {why}"))
                }
                other => HandoverError::Vault(other),
            }
        })?;
    let tokens = content
        .push_tokens
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            token(entry)
                .map_err(|why| HandoverError::Damaged(format!("push token {}: {why}", i + 1)))
        })
        .collect::<Result<_, _>>()?;
    let left_behind = content
        .left_behind
        .iter()
        .map(|left| TokenLeftBehind {
            serial: left.serial.clone(),
            issuer: left.issuer.clone(),
            label: left.label.clone(),
            reason: LeftBehindReason::from_name(&left.reason),
        })
        .collect();
    Ok(Content {
        accounts,
        tokens,
        left_behind,
    })
}

fn token(entry: &TokenEntry) -> Result<MovingToken, &'static str> {
    if entry.serial.is_empty() || entry.url.is_empty() {
        return Err("it has no serial or no URL");
    }
    let server_key = STANDARD
        .decode(&entry.server_key)
        .map_err(|_| "its server key is not base64")?;
    let pkcs8 = Zeroizing::new(
        STANDARD
            .decode(&entry.private_key)
            .map_err(|_| "its device key is not base64")?,
    );
    // A key that cannot sign would make a token that fails every poll: refused here.
    crate::push::keys::SoftwareKey::from_pkcs8(pkcs8.clone())
        .map_err(|_| "its device key is not an RSA private key")?;
    Ok(MovingToken {
        token: PushToken {
            serial: entry.serial.clone(),
            issuer: entry.issuer.clone(),
            label: entry.label.clone(),
            url: entry.url.clone(),
            sslverify: entry.sslverify,
            server_key: ServerKey(server_key),
            key_alias: crate::push::service::key_alias(&entry.serial),
            enrolled_at: entry.enrolled_at,
            force_unlock: entry.force_unlock.as_deref().map(ForceUnlock::from_param),
        },
        pkcs8,
    })
}
