//! privacyIDEA token containers (3.10+, verified against 3.14): the server groups a user's
//! tokens in a *smartphone container*; the phone registers the container once from a
//! `pia://container/…` QR code and then synchronizes, receiving new tokens, re-secreted
//! tokens and deletions without a QR code per token. Moving to a new phone is a *rollover*
//! that locks the old one out.
//!
//! - [`qr`]: the registration QR (`pia://container/…`), its expiry.
//! - [`keys`]: the registration key pair ([`ContainerKeys`], a platform trait so a hardware
//!   key can be used; [`SoftwareContainerKeys`] keeps it sealed in the vault).
//! - [`crypto`]: the per-sync X25519 key and the AES-256-GCM (16-byte IV) answer.
//! - [`protocol`]: sans-I/O endpoints, signed strings, forms and response reading.
//! - [`store`]: the containers and their token links in the vault (tables of this module).
//! - [`service`]: [`Containers`], which registers, synchronizes, rolls over and unregisters.
//!
//! Protocol facts and the server's deviations from its own documentation are written up in
//! `docs/containers.md`.
//!
//! Keys on phones: the server never checks the curve of the registration key, only that
//! the signature verifies with the QR's hash. An iOS Secure Enclave key (P-256 only) can
//! therefore register even when the QR asks for secp384r1: the shell's [`ContainerKeys`]
//! answers [`Curve::P256`] from `generate` and signs with
//! `ecdsaSignatureMessageX962SHA256`. Android StrongBox is likewise P-256. This relies on
//! 3.14 not checking the curve; a stricter server could refuse it.

pub mod crypto;
pub mod keys;
pub mod protocol;
pub mod qr;
pub mod service;
pub mod store;
mod sync;

pub use keys::{ContainerKeys, Curve, HashAlgorithm, SoftwareContainerKeys};
pub use protocol::Device;
pub use qr::RegistrationQr;
pub use service::{
    ContainerInfo, ContainerState, Containers, ManagedToken, RolloverTicket, TokenKind,
    check_deletable, delete_account,
};
pub use sync::{SyncChange, SyncOutcome, SyncReport};

use crate::push::{PushError, TransportError};
use crate::vault::VaultError;

/// The client policy flags a server sends with every registration and synchronization.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Policies {
    /// `container_client_rollover`: this device may start a rollover to a new device.
    pub client_rollover: bool,
    /// `initially_add_tokens_to_container`: on the first sync the server adopts tokens the
    /// device reports that belong to the user and to no other container.
    pub initially_add_tokens: bool,
    /// `disable_client_token_deletion`: the user may not delete the container's tokens on
    /// this device (the server does not enforce it; Tessera does).
    pub disable_client_token_deletion: bool,
    /// `disable_client_container_unregister`: the user may not unregister the container
    /// from this device (enforced by the server too).
    pub disable_client_unregister: bool,
}

/// Everything that can go wrong with containers. No variant carries a key, signature,
/// passphrase, secret or URI.
#[derive(Debug, thiserror::Error)]
pub enum ContainerError {
    /// The text is not a `pia://container/…` registration URI.
    #[error("this is not a privacyIDEA container registration URI (pia://container/…)")]
    NotContainerUri,
    /// A registration QR field is missing or unreadable (the field's name).
    #[error("the container QR code is malformed: {0}")]
    BadQr(String),
    /// The QR code's registration window is over.
    #[error(
        "the container QR code expired {minutes} minute(s) ago; ask for a new one (it is valid for {ttl} minutes)"
    )]
    QrExpired {
        /// Minutes since it expired (0 when less than a minute).
        minutes: u64,
        /// Its lifetime in minutes.
        ttl: u64,
    },
    /// The QR asks for a passphrase (the prompt is the server's text).
    #[error("this container needs a passphrase: {prompt}")]
    PassphraseRequired {
        /// The question to show the user.
        prompt: String,
    },
    /// The QR asks for the user's password in the user store.
    #[error("this container needs your account password (the one of the user store)")]
    UserPasswordRequired,
    /// Plain HTTP to a host other than loopback.
    #[error(
        "refusing plain HTTP to {host}: container registration and sync need TLS (https://) except on loopback"
    )]
    InsecureTransport {
        /// The server host.
        host: String,
    },
    /// The QR names a curve or hash Tessera cannot sign with.
    #[error("unsupported container algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// ERR3002 at registration with a passphrase: the answer was wrong (or the QR expired by
    /// the server's clock).
    #[error("the server refused the registration: wrong passphrase (or the QR code expired)")]
    WrongPassphrase,
    /// ERR3002 at registration without a passphrase.
    #[error(
        "the server refused the registration signature (QR code expired or replaced by a newer one?)"
    )]
    RegistrationRefused,
    /// ERR3000: the container is registered already.
    #[error("the server says container {0} is registered already (ask for a rollover QR code)")]
    AlreadyRegistered(String),
    /// ERR3001/601: the server no longer has this container registered.
    #[error("the server no longer has container {0} registered (it was unregistered)")]
    NotRegistered(String),
    /// ERR3002 on a signed call: this device's key is no longer the container's.
    #[error(
        "container {0} was moved to another device (rollover) or re-registered: this device is locked out; its accounts stay readable here until you remove them"
    )]
    LockedOut(String),
    /// A policy forbids the operation (403 ERR303, or the flag known locally).
    #[error("the server's policy does not allow {0} from this device")]
    PolicyForbids(&'static str),
    /// The container's token may not be deleted on this device.
    #[error(
        "this account is managed by container {0}, whose policy does not allow deleting its tokens on the device"
    )]
    DeletionForbidden(String),
    /// Any other refusal, with the HTTP status and privacyIDEA error code.
    #[error("the server refused the request (HTTP {status}, code {code:?})")]
    ServerRefused {
        /// HTTP status.
        status: u16,
        /// privacyIDEA's `result.error.code`.
        code: Option<i64>,
    },
    /// A response does not have the expected shape.
    #[error("malformed server data: {0}")]
    Malformed(String),
    /// The synchronization answer does not decrypt.
    #[error("the synchronization answer does not decrypt (tampered with, or not for this key)")]
    Decryption,
    /// No container with that serial on this device.
    #[error("no container {0} on this device")]
    UnknownContainer(String),
    /// A container with that serial is registered on this device already.
    #[error("container {0} is registered on this device already")]
    DuplicateContainer(String),
    /// The key holder (a platform keystore or the vault) failed; its message names no key.
    #[error("container key failure: {0}")]
    Key(String),
    /// A random number could not be drawn.
    #[error("the system random generator failed")]
    Random,
    /// No response from the server.
    #[error(transparent)]
    Network(#[from] TransportError),
    /// The vault failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// Push enrollment of a container's push token failed.
    #[error(transparent)]
    Push(#[from] PushError),
}
