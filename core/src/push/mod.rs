//! Push approvals: the phone side of privacyIDEA's push-token protocol.
//!
//! - [`enrollment`]: the enrollment URI, read once into [`PushEnrollment`].
//! - [`keys`]: the device key pair ([`DeviceKeys`]; Tessera's [`SoftwareKey`]).
//! - [`protocol`]: sans-I/O forms, signed strings, response parsing, signature checks.
//! - [`transport`]: the [`Transport`] trait and the ureq default (feature `http`).
//! - [`service`]: [`Push`], which enrolls, receives (poll or push payload), verifies before
//!   anything is shown, and answers, keeping tokens and requests in a [`PushStore`].
//! - [`store`]: the vault as [`PushStore`] and as the software holder's [`KeyStorage`].

pub mod enrollment;
pub mod keys;
pub mod protocol;
mod rsa_der;
pub(crate) mod schema;
pub mod service;
pub mod slot;
pub mod store;
pub mod transport;

pub use enrollment::{ForceUnlock, PushEnrollment};
pub use keys::{
    DeviceKeys, KeyStorage, KeygenProgress, KeygenStep, NoProgress, SoftwareKey, SoftwareKeys,
};
pub use protocol::{Answer, Challenge, DenyReason, ServerKey, Verdict};
pub use service::{
    PendingRequest, PollReport, Push, PushStore, PushToken, SEEN_NONCE_CAP, SEEN_NONCE_KEEP_SECS,
};
pub use slot::PollSlot;
#[cfg(feature = "http")]
pub use transport::UreqTransport;
pub use transport::{HttpRequest, HttpResponse, Method, Transport, TransportError};

/// Why a received push request is refused. It is never shown and never answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The server signature does not verify with the token's server key.
    #[error("its server signature does not verify")]
    BadSignature,
    /// It arrived more than 2 minutes ago (or past the server's shorter window).
    #[error("it has expired")]
    Expired,
    /// Its nonce was seen before (answered, denied or expired): the same signed request
    /// delivered again is never shown again.
    #[error("it repeats a request already answered or expired")]
    Replayed,
    /// It names a serial that no enrolled push token has.
    #[error("it names an unknown push token")]
    UnknownSerial,
}

/// Everything that can go wrong with push. No variant carries a key, signature, credential
/// or URI.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// Only 2048- and 4096-bit device keys are generated.
    #[error("unsupported device key size {0} (use 2048 or 4096)")]
    KeySize(u32),
    /// The progress listener cancelled the key generation.
    #[error("device key generation was cancelled")]
    Cancelled,
    /// The RSA key generation failed.
    #[error("device key generation failed")]
    KeyGeneration,
    /// A capability left out of this build (the mobile library): the message names the
    /// platform trait that provides it instead.
    #[error("{0}")]
    NotInThisBuild(&'static str),
    /// A stored device key could not be read.
    #[error("the device key is unreadable")]
    KeyUnreadable,
    /// No device key under that alias.
    #[error("no device key for this push token")]
    KeyNotFound,
    /// A device key with that alias exists already.
    #[error("a device key for this push token exists already")]
    KeyExists,
    /// Signing with the device key failed.
    #[error("signing with the device key failed")]
    Signing,
    /// A platform keystore reported a failure (its message, which names no key material).
    #[error("keystore failure: {0}")]
    KeyStore(String),
    /// The enrollment URI could not be read.
    #[error(transparent)]
    Uri(#[from] crate::uri::UriError),
    /// The enrollment URL is plain http:// or sslverify=0 to a host that is not loopback, and
    /// the caller did not accept that explicitly (see [`crate::net`]).
    #[error(transparent)]
    InsecureTransport(#[from] crate::net::InsecureTransport),
    /// The URI is an otpauth account, not a push enrollment.
    #[error("this is not a push enrollment URI (otpauth://pipush/…)")]
    NotPushUri,
    /// The device public key to enroll is not an RSA key of at least 2048 bits in
    /// SubjectPublicKeyInfo or PKCS#1 DER.
    #[error(
        "the device public key is not an RSA key of at least 2048 bits (SubjectPublicKeyInfo or PKCS#1 DER)"
    )]
    BadDevicePublicKey,
    /// Data from the server or a push payload does not have the expected shape.
    #[error("malformed data: {0}")]
    Malformed(String),
    /// A push request was refused (see [`Rejection`]).
    #[error("push request rejected: {0}")]
    Rejected(Rejection),
    /// Number matching: the user must pick one of the offered numbers.
    #[error("this request needs the number shown on the login screen")]
    ChoiceRequired,
    /// The chosen answer is not one of the offered options.
    #[error("that number was not offered")]
    ChoiceNotOffered,
    /// No pending request has that id (or the id prefix is ambiguous).
    #[error("no pending push request {0}")]
    UnknownRequest(String),
    /// No push token has that serial.
    #[error("no push token {0}")]
    UnknownToken(String),
    /// A push token with that serial is enrolled already.
    #[error("push token {0} is enrolled already")]
    DuplicateToken(String),
    /// A push token's stored data (server key, URL, TLS flag…) was modified outside Tessera
    /// or damaged: it is not used. Remove it and enroll again.
    #[error(
        "push token {0} failed its integrity check: its stored data was modified or damaged; remove it and enroll again"
    )]
    TokenIntegrity(String),
    /// The server rejected the enrollment credential (code 905).
    #[error("the server rejected the enrollment credential (QR code used or expired?)")]
    WrongEnrollmentCredential,
    /// The server says the token is enrolled already (code 601).
    #[error("the server says this push token is enrolled already")]
    AlreadyEnrolled,
    /// The server refused a poll (bad signature, clock off by more than a minute, or a
    /// token the server no longer knows: it does not say which).
    #[error(
        "the server refused the poll (token deleted on the server, or clock off by more than a minute)"
    )]
    PollRejected,
    /// The server's policy does not allow polling.
    #[error("the server does not allow polling for push requests")]
    PollingNotAllowed,
    /// Any other refusal, with the HTTP status and privacyIDEA error code.
    #[error("the server refused the request (HTTP {status}, code {code:?})")]
    ServerRefused {
        /// HTTP status.
        status: u16,
        /// privacyIDEA's `result.error.code`.
        code: Option<i64>,
    },
    /// No response from the server.
    #[error(transparent)]
    Network(#[from] TransportError),
    /// Background polling is off for this vault (no poll slot, or its file is gone).
    #[error("background polling is off: turn it on in the unlocked app")]
    NoPollSlot,
    /// The poll slot only polls: enrolling, removing and answering need the unlocked vault.
    #[error("the poll slot only fetches requests: unlock the app to do this")]
    PollSlotReadOnly,
    /// The vault failed.
    #[error(transparent)]
    Vault(crate::vault::VaultError),
}

impl From<Rejection> for PushError {
    fn from(rejection: Rejection) -> Self {
        PushError::Rejected(rejection)
    }
}
