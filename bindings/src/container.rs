//! privacyIDEA token containers for Kotlin and Swift: a [`ContainerClient`] over an open
//! [`Vault`], with the platform's container-key store, push device keys and HTTP stack
//! optional (Tessera's software keys sealed in the vault and its own HTTPS client otherwise).
//! Every rule is core's (`tessera_core::container`); this module converts types and forwards.
//!
//! A platform [`ContainerKeys`] may answer with a P-256 key whatever curve is asked for: the
//! iOS Secure Enclave and Android StrongBox only have P-256, and privacyIDEA 3.14 does not
//! check the curve (see `docs/containers.md`).

use std::sync::Arc;

use tessera_core::container::{self as core, ContainerError};

use crate::error::{Result, TesseraError};
use crate::push::{ForeignDeviceKeys, ForeignTransport, PushDeviceKeys, PushTransport};
use crate::vault::Vault;

/// The curve of a container registration key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ContainerCurve {
    /// NIST P-256 (secp256r1): Secure Enclave, StrongBox.
    P256,
    /// NIST P-384 (secp384r1): what the server's QR asks for by default.
    P384,
}

/// The hash a container signature is made over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ContainerHash {
    /// SHA-256 (`SHA256withECDSA`, `ecdsaSignatureMessageX962SHA256`).
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// A platform keystore holding container registration keys (ECDSA). Throw
/// `TesseraError.Platform` on failure.
#[uniffi::export(foreign)]
pub trait ContainerKeys: Send + Sync {
    /// Creates a key pair under `alias` (`wanted` is the QR's curve; P-256 is accepted by the
    /// server whatever it asked) and returns the public key as SubjectPublicKeyInfo DER.
    fn generate(&self, alias: String, wanted: ContainerCurve) -> Result<Vec<u8>>;
    /// Signs `message` with ECDSA over `hash` and returns the ASN.1 DER signature.
    fn sign(&self, alias: String, message: Vec<u8>, hash: ContainerHash) -> Result<Vec<u8>>;
    /// Deletes the key under `alias` (no error when absent).
    fn delete(&self, alias: String) -> Result<()>;
}

struct ForeignContainerKeys(Arc<dyn ContainerKeys>);

fn key_error(e: TesseraError) -> ContainerError {
    ContainerError::Key(e.to_string())
}

impl core::ContainerKeys for ForeignContainerKeys {
    fn generate(
        &self,
        alias: &str,
        wanted: core::Curve,
    ) -> std::result::Result<Vec<u8>, ContainerError> {
        let curve = match wanted {
            core::Curve::P256 => ContainerCurve::P256,
            core::Curve::P384 => ContainerCurve::P384,
        };
        self.0.generate(alias.into(), curve).map_err(key_error)
    }
    fn sign(
        &self,
        alias: &str,
        message: &[u8],
        hash: core::HashAlgorithm,
    ) -> std::result::Result<Vec<u8>, ContainerError> {
        let hash = match hash {
            core::HashAlgorithm::Sha256 => ContainerHash::Sha256,
            core::HashAlgorithm::Sha384 => ContainerHash::Sha384,
            core::HashAlgorithm::Sha512 => ContainerHash::Sha512,
        };
        self.0
            .sign(alias.into(), message.to_vec(), hash)
            .map_err(key_error)
    }
    fn delete(&self, alias: &str) -> std::result::Result<(), ContainerError> {
        self.0.delete(alias.into()).map_err(key_error)
    }
}

/// The server's client flags for a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct ContainerPolicies {
    /// `container_client_rollover`: this device may start a rollover.
    pub client_rollover: bool,
    /// `initially_add_tokens_to_container`.
    pub initially_add_tokens: bool,
    /// `disable_client_token_deletion`: do not let the user delete the container's tokens.
    pub disable_client_token_deletion: bool,
    /// `disable_client_container_unregister`: do not offer unregistering.
    pub disable_client_unregister: bool,
}

impl From<core::Policies> for ContainerPolicies {
    fn from(p: core::Policies) -> Self {
        ContainerPolicies {
            client_rollover: p.client_rollover,
            initially_add_tokens: p.initially_add_tokens,
            disable_client_token_deletion: p.disable_client_token_deletion,
            disable_client_unregister: p.disable_client_unregister,
        }
    }
}

/// Where a container stands on this device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ContainerState {
    /// Registered: syncs work.
    Registered,
    /// A rollover QR was issued; syncs work until the new device registers.
    RolloverStarted,
    /// Another device took the container over: show it, keep the accounts readable.
    LockedOut,
    /// The server no longer has it registered.
    Unregistered,
}

impl From<core::ContainerState> for ContainerState {
    fn from(s: core::ContainerState) -> Self {
        match s {
            core::ContainerState::Registered => ContainerState::Registered,
            core::ContainerState::RolloverStarted => ContainerState::RolloverStarted,
            core::ContainerState::LockedOut => ContainerState::LockedOut,
            core::ContainerState::Unregistered => ContainerState::Unregistered,
        }
    }
}

/// A server token the container put on this device.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ContainerToken {
    /// The server's token serial.
    pub serial: String,
    /// `totp`, `hotp` or `push`.
    pub kind: String,
    /// The vault account (TOTP/HOTP); none for push tokens.
    pub account_id: Option<String>,
}

impl From<&core::ManagedToken> for ContainerToken {
    fn from(t: &core::ManagedToken) -> Self {
        ContainerToken {
            serial: t.serial.clone(),
            kind: t.kind.as_str().into(),
            account_id: t.account_id.clone(),
        }
    }
}

impl From<&core::SyncChange> for ContainerToken {
    fn from(c: &core::SyncChange) -> Self {
        ContainerToken {
            serial: c.serial.clone(),
            kind: c.kind.as_str().into(),
            account_id: c.account_id.clone(),
        }
    }
}

/// A container on this device.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ContainerInfo {
    /// The container serial.
    pub serial: String,
    /// Issuer from the QR.
    pub issuer: String,
    /// The server's base URL.
    pub url: String,
    /// Where it stands.
    pub state: ContainerState,
    /// The server's client flags as of the last registration or sync.
    pub policies: ContainerPolicies,
    /// Unix second of the registration.
    pub registered_at: u64,
    /// Unix second of the last sync.
    pub last_sync_at: Option<u64>,
    /// The tokens it manages here.
    pub tokens: Vec<ContainerToken>,
}

impl From<&core::ContainerInfo> for ContainerInfo {
    fn from(c: &core::ContainerInfo) -> Self {
        ContainerInfo {
            serial: c.serial.clone(),
            issuer: c.issuer.clone(),
            url: c.url.clone(),
            state: c.state.into(),
            policies: c.policies.into(),
            registered_at: c.registered_at,
            last_sync_at: c.last_sync_at,
            tokens: c.tokens.iter().map(Into::into).collect(),
        }
    }
}

/// A token a sync could not apply (the server sends it again next time).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ContainerSyncFailure {
    /// The serial (or `#n`, its place in the list, when the URI named none).
    pub serial: String,
    /// Why, for the user (never a secret).
    pub reason: String,
}

/// What one sync changed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ContainerSyncReport {
    /// The container.
    pub container: String,
    /// New accounts and push tokens.
    pub added: Vec<ContainerToken>,
    /// Tokens given a new secret (replaced in place).
    pub resecreted: Vec<ContainerToken>,
    /// Tokens the server removed (accounts to the trash, push tokens deleted).
    pub removed: Vec<ContainerToken>,
    /// Serials of unchanged tokens.
    pub unchanged: Vec<String>,
    /// Tokens not applied.
    pub failed: Vec<ContainerSyncFailure>,
    /// Things to tell the user.
    pub warnings: Vec<String>,
    /// The server's flags now.
    pub policies: ContainerPolicies,
}

impl From<core::SyncReport> for ContainerSyncReport {
    fn from(r: core::SyncReport) -> Self {
        ContainerSyncReport {
            container: r.container,
            added: r.added.iter().map(Into::into).collect(),
            resecreted: r.resecreted.iter().map(Into::into).collect(),
            removed: r.removed.iter().map(Into::into).collect(),
            unchanged: r.unchanged,
            failed: r
                .failed
                .into_iter()
                .map(|(serial, reason)| ContainerSyncFailure { serial, reason })
                .collect(),
            warnings: r.warnings,
            policies: r.policies.into(),
        }
    }
}

/// What a registration QR asks, read before registering (so the app can ask for a
/// passphrase first).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ContainerQr {
    /// The container serial.
    pub serial: String,
    /// The server's base URL.
    pub url: String,
    /// Issuer.
    pub issuer: String,
    /// The admin's passphrase question; empty when none.
    pub passphrase_prompt: String,
    /// The user's own account password is asked (it is sent to the server, over TLS).
    pub needs_user_password: bool,
    /// Unix second the QR stops being valid.
    pub expires_at: u64,
}

/// Reads a `pia://container/…` registration URI.
#[uniffi::export]
pub fn read_container_qr(uri: String) -> Result<ContainerQr> {
    let qr = core::RegistrationQr::parse(&uri)?;
    Ok(ContainerQr {
        serial: qr.serial.clone(),
        url: qr.url.clone(),
        issuer: qr.issuer.clone(),
        passphrase_prompt: qr.passphrase_prompt.clone(),
        needs_user_password: qr.send_passphrase,
        expires_at: qr.expires_at(),
    })
}

fn now() -> u64 {
    tessera_core::otp::unix_now()
}

/// Token containers over an open vault. Calls that reach the server block: make them off the
/// UI thread (a shell syncs on app start and on pull-to-refresh).
#[derive(uniffi::Object)]
pub struct ContainerClient {
    vault: Arc<Vault>,
    keys: Option<ForeignContainerKeys>,
    push_keys: Option<ForeignDeviceKeys>,
    transport: Box<dyn tessera_core::push::Transport>,
}

impl ContainerClient {
    fn with<T>(
        &self,
        f: impl FnOnce(&core::Containers) -> std::result::Result<T, ContainerError>,
    ) -> Result<T> {
        let vault = self.vault.unlocked()?;
        let software = core::SoftwareContainerKeys::new(vault.clone());
        let keys: &dyn core::ContainerKeys = match &self.keys {
            Some(foreign) => foreign,
            None => &software,
        };
        let software_push = tessera_core::push::SoftwareKeys::new(vault.clone());
        let push_keys: &dyn tessera_core::push::DeviceKeys = match &self.push_keys {
            Some(foreign) => foreign,
            None => &software_push,
        };
        let containers = core::Containers::new(&vault, keys, push_keys, &*self.transport);
        Ok(f(&containers)?)
    }
}

#[uniffi::export]
impl ContainerClient {
    /// Containers over `vault`. `container_keys`, `push_keys`, `transport`: the platform's
    /// (Tessera's software keys and HTTPS client when absent).
    #[uniffi::constructor(default(container_keys = None, push_keys = None, transport = None))]
    pub fn new(
        vault: Arc<Vault>,
        container_keys: Option<Arc<dyn ContainerKeys>>,
        push_keys: Option<Arc<dyn PushDeviceKeys>>,
        transport: Option<Arc<dyn PushTransport>>,
    ) -> Arc<Self> {
        let transport: Box<dyn tessera_core::push::Transport> = match transport {
            Some(t) => Box::new(ForeignTransport(t)),
            None => crate::push::default_transport(),
        };
        Arc::new(ContainerClient {
            vault,
            keys: container_keys.map(ForeignContainerKeys),
            push_keys: push_keys.map(ForeignDeviceKeys),
            transport,
        })
    }

    /// Registers the container of a scanned `pia://container/…` URI. `passphrase`: the answer
    /// to the QR's question, or the user's password when the QR asks for it (see
    /// [`read_container_qr`]). Does not sync: call [`ContainerClient::sync`] next.
    #[uniffi::method(default(passphrase = None, device_brand = None, device_model = None))]
    pub fn register(
        &self,
        uri: String,
        passphrase: Option<String>,
        device_brand: Option<String>,
        device_model: Option<String>,
    ) -> Result<ContainerInfo> {
        let qr = core::RegistrationQr::parse(&uri)?;
        let device = core::Device {
            brand: device_brand,
            model: device_model,
        };
        self.with(|c| c.register(&qr, passphrase.as_deref(), &device, now()))
            .map(|i| ContainerInfo::from(&i))
    }

    /// Synchronizes container `serial` and applies what the server sent.
    pub fn sync(&self, serial: String) -> Result<ContainerSyncReport> {
        self.with(|c| c.sync(&serial, now())).map(Into::into)
    }

    /// The containers on this device.
    pub fn list(&self) -> Result<Vec<ContainerInfo>> {
        self.with(|c| c.list())
            .map(|l| l.iter().map(ContainerInfo::from).collect())
    }

    /// Asks for a rollover QR for a new device; returns its `pia://container/…` URI.
    pub fn rollover(&self, serial: String) -> Result<String> {
        self.with(|c| c.rollover(&serial)).map(|t| t.uri)
    }

    /// Unregisters container `serial` from this device; its accounts stay.
    pub fn unregister(&self, serial: String) -> Result<()> {
        self.with(|c| c.unregister(&serial))
    }

    /// Removes a locked-out or unregistered container from this device (accounts stay).
    pub fn forget(&self, serial: String) -> Result<()> {
        self.with(|c| c.forget(&serial))
    }

    /// The container managing account `account_id`, if any.
    pub fn manager_of(&self, account_id: String) -> Result<Option<String>> {
        self.with(|c| c.manager_of(&account_id))
    }

    /// Fails when the user may not delete account `account_id` (its container's
    /// `disable_client_token_deletion`).
    pub fn check_deletable(&self, account_id: String) -> Result<()> {
        self.with(|c| c.check_deletable(&account_id))
    }
}

impl From<ContainerError> for TesseraError {
    fn from(error: ContainerError) -> Self {
        let reason = error.to_string();
        match error {
            ContainerError::Network(e) => TesseraError::Network { reason: e.message },
            ContainerError::Vault(e) => e.into(),
            ContainerError::Push(e) => e.into(),
            ContainerError::WrongPassphrase => TesseraError::WrongPassword,
            ContainerError::Key(_) => TesseraError::Platform { reason },
            ContainerError::UnknownContainer(_) => TesseraError::NotFound { reason },
            ContainerError::DuplicateContainer(_) | ContainerError::AlreadyRegistered(_) => {
                TesseraError::Duplicate { reason }
            }
            ContainerError::LockedOut(_) | ContainerError::NotRegistered(_) => {
                TesseraError::Locked { reason }
            }
            ContainerError::NotContainerUri
            | ContainerError::BadQr(_)
            | ContainerError::QrExpired { .. }
            | ContainerError::PassphraseRequired { .. }
            | ContainerError::UserPasswordRequired
            | ContainerError::InsecureTransport { .. }
            | ContainerError::UnsupportedAlgorithm(_) => TesseraError::InvalidInput { reason },
            ContainerError::RegistrationRefused
            | ContainerError::PolicyForbids(_)
            | ContainerError::DeletionForbidden(_)
            | ContainerError::ServerRefused { .. }
            | ContainerError::Malformed(_)
            | ContainerError::Decryption
            | ContainerError::Random => TesseraError::Other { reason },
        }
    }
}
