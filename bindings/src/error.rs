//! The one public error of the bindings, and the one place where core's errors are mapped to it.
//!
//! Each variant is something an app can act on (show the reason, ask for the password again,
//! unlock, refresh the list, tell the user storage failed…). Messages never carry secret
//! material: core's errors carry none, and the variants below only add fixed text.

use tessera_core::transfer::TransferError;
use tessera_core::vault::{KeyProviderError, VaultError};

/// Everything that can go wrong in a Tessera call. Kotlin sees it as `TesseraException`
/// subclasses, Swift as the `TesseraError` enum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum TesseraError {
    /// The input cannot be used (bad secret, URI, parameter, file…); `reason` says which part
    /// and why, for the user. Nothing was changed.
    #[error("invalid input: {reason}")]
    InvalidInput {
        /// What is wrong, in words fit for the user. Never contains the input itself.
        reason: String,
    },
    /// The password (or the recovery key) does not open this vault or backup. Nothing was
    /// changed.
    #[error("wrong password")]
    WrongPassword,
    /// The device key (the `KeyProvider`) does not open this vault, or the platform invalidated
    /// it: unlock with the password, then register a new device key. Nothing was changed.
    #[error("the device key does not open this vault")]
    WrongKey,
    /// The user cancelled (e.g. dismissed an authentication prompt). Nothing was changed.
    #[error("cancelled")]
    Cancelled,
    /// A password is needed to go on: the file being imported is encrypted and none was given,
    /// or the device key did not open the vault and the vault has a password
    /// (`Unlocker.deviceKeyFailure` says why). Ask the user for it and call again with it.
    /// A vault with no password but a recovery key asks for that instead
    /// (`VaultStatus.hasPassword` false, `hasRecoveryKey` true): `Unlocker.unlockWithRecoveryKey`.
    #[error("password required: {reason}")]
    PasswordRequired {
        /// Why, for the user.
        reason: String,
    },
    /// The device key no longer opens the vault and the vault has no password: it cannot be
    /// unlocked on this device. Offer to start over and restore from a backup.
    #[error("the vault cannot be unlocked: {reason}")]
    KeyLost {
        /// What happened.
        reason: String,
    },
    /// The vault or backup was written by a newer Tessera: ask the user to update the app.
    /// Nothing was changed.
    #[error("written by a newer version: {reason}")]
    NewerVersion {
        /// Which file and which versions.
        reason: String,
    },
    /// The vault was locked (closed) or lacks the unlock this operation needs.
    #[error("locked: {reason}")]
    Locked {
        /// What has to be unlocked first.
        reason: String,
    },
    /// No account (or other item) with this id exists.
    #[error("not found: {reason}")]
    NotFound {
        /// What was looked for (an id, never a secret).
        reason: String,
    },
    /// The same account (same secret and parameters) is already there.
    #[error("duplicate: {reason}")]
    Duplicate {
        /// Which existing item it duplicates.
        reason: String,
    },
    /// Reading or writing storage failed (disk full, permissions, database error).
    #[error("storage failed: {reason}")]
    Storage {
        /// What failed.
        reason: String,
    },
    /// Stored data is damaged or was tampered with; other accounts may still work.
    #[error("integrity check failed: {reason}")]
    Integrity {
        /// What failed the check.
        reason: String,
    },
    /// A platform implementation (KeyProvider, Clock…) threw or failed.
    #[error("platform callback failed: {reason}")]
    Platform {
        /// What the platform reported.
        reason: String,
    },
    /// A push request was refused before being shown (bad server signature, expired, a replay,
    /// an unknown token): do not show it; nothing was answered.
    #[error("push request rejected: {reason}")]
    Rejected {
        /// Why.
        reason: String,
    },
    /// The server could not be reached (no response): retry later; nothing was lost.
    #[error("network failure: {reason}")]
    Network {
        /// What failed (never a query or form value).
        reason: String,
    },
    /// Anything else; nothing the app can do but report it.
    #[error("{reason}")]
    Other {
        /// What failed.
        reason: String,
    },
}

/// The result type of every fallible export.
pub type Result<T, E = TesseraError> = std::result::Result<T, E>;

impl TesseraError {
    /// Shorthand for [`TesseraError::InvalidInput`].
    pub(crate) fn invalid(reason: impl Into<String>) -> Self {
        TesseraError::InvalidInput {
            reason: reason.into(),
        }
    }

    /// Shorthand for [`TesseraError::Platform`].
    pub(crate) fn platform(reason: impl Into<String>) -> Self {
        TesseraError::Platform {
            reason: reason.into(),
        }
    }
}

// The one mapping from core's errors. Core's messages carry no secret material by contract,
// so the reason text is core's own Display.
impl From<tessera_core::Error> for TesseraError {
    fn from(error: tessera_core::Error) -> Self {
        use tessera_core::Error as E;
        let reason = error.to_string();
        match error {
            E::Secret(_) | E::Params(_) | E::Otp(_) | E::Uri(_) => {
                TesseraError::InvalidInput { reason }
            }
            E::Transfer(e) => e.into(),
            E::Import(tessera_core::transfer::ImportError::Source(e)) => e.into(),
            E::Import(tessera_core::transfer::ImportError::Vault(e)) => e.into(),
            E::Vault(e) => e.into(),
            E::Push(e) => e.into(),
            E::Handover(e) => e.into(),
            E::Time(e) => e.into(),
        }
    }
}

impl From<tessera_core::handover::HandoverError> for TesseraError {
    fn from(error: tessera_core::handover::HandoverError) -> Self {
        use tessera_core::handover::HandoverError as H;
        let reason = error.to_string();
        match error {
            H::Vault(e) => e.into(),
            H::Push(e) => e.into(),
            H::NewerVersion { .. } => TesseraError::NewerVersion { reason },
            // Modified codes, or content that does not read: the transfer cannot be trusted.
            H::Tampered | H::Damaged(_) => TesseraError::Integrity { reason },
            H::NoPendingOffer => TesseraError::NotFound { reason },
            H::AlreadyAccepted => TesseraError::Duplicate { reason },
            // What the user scanned or gave: the reason says what to do (scan the missing
            // codes, make a new offer, send again to this offer, use a backup file).
            H::NotAnOffer(_)
            | H::NotAPart { .. }
            | H::OfferExpired { .. }
            | H::WrongOffer
            | H::MixedTransfers { .. }
            | H::MissingParts { .. }
            | H::NoParts
            | H::ConflictingPart { .. }
            | H::TooLarge { .. } => TesseraError::InvalidInput { reason },
        }
    }
}

impl From<VaultError> for TesseraError {
    fn from(error: VaultError) -> Self {
        use VaultError as V;
        let reason = error.to_string();
        match error {
            V::WrongPassword | V::BackupWrongPassword | V::WrongRecoveryKey => {
                TesseraError::WrongPassword
            }
            V::WrongDeviceKey => TesseraError::WrongKey,
            V::KeyProvider(e) => e.into(),
            V::DeviceKeyUnverified => TesseraError::Locked { reason },
            V::PasswordRequired(_) | V::RecoveryKeyRequired(_) => {
                TesseraError::PasswordRequired { reason }
            }
            V::KeyLost => TesseraError::KeyLost { reason },
            V::NewerSchema { .. } | V::BackupNewerVersion { .. } => {
                TesseraError::NewerVersion { reason }
            }
            V::NoVault { .. } | V::NotFound { .. } | V::AmbiguousId { .. } => {
                TesseraError::NotFound { reason }
            }
            V::Duplicate { .. } => TesseraError::Duplicate { reason },
            V::Integrity { .. } | V::Corrupt(_) | V::BackupDamaged(_) => {
                TesseraError::Integrity { reason }
            }
            V::Busy | V::Storage(_) | V::BackupDestination(_) | V::BackupTooLarge { .. } => {
                TesseraError::Storage { reason }
            }
            V::AlreadyExists { .. }
            | V::NotAVault { .. }
            | V::NoPassword
            | V::NoRecoveryKey
            | V::AutoBackupOff
            | V::InvalidBackupSetting(_)
            | V::InvalidRecoveryKey(_)
            | V::InvalidPassword(_)
            | V::InvalidKdfParams(_)
            | V::InvalidAccount(_) => TesseraError::InvalidInput { reason },
            V::Random => TesseraError::Other { reason },
        }
    }
}

impl From<KeyProviderError> for TesseraError {
    fn from(error: KeyProviderError) -> Self {
        match error {
            KeyProviderError::WrongKey | KeyProviderError::Invalidated => TesseraError::WrongKey,
            KeyProviderError::Cancelled => TesseraError::Cancelled,
            KeyProviderError::Unavailable(_) | KeyProviderError::Failed(_) => {
                TesseraError::platform(error.to_string())
            }
        }
    }
}

impl From<TransferError> for TesseraError {
    fn from(error: TransferError) -> Self {
        let reason = error.to_string();
        match error {
            TransferError::WrongPassword => TesseraError::WrongPassword,
            TransferError::PasswordRequired => TesseraError::PasswordRequired { reason },
            // The rest is about the file or data the user chose (damaged, unknown,
            // unsupported, not exportable): its reason says why.
            TransferError::Damaged(_)
            | TransferError::UnknownFormat
            | TransferError::Unsupported(_)
            | TransferError::Export(_)
            | TransferError::UnencryptedNotChosen(_) => TesseraError::InvalidInput { reason },
        }
    }
}

// Each core module's own error goes through `tessera_core::Error`, so the mapping above
// stays the only one.
macro_rules! via_core_error {
    ($($error:ty),* $(,)?) => {$(
        impl From<$error> for TesseraError {
            fn from(error: $error) -> Self {
                tessera_core::Error::from(error).into()
            }
        }
    )*};
}

via_core_error!(
    tessera_core::SecretError,
    tessera_core::ParamsError,
    tessera_core::OtpError,
    tessera_core::UriError,
);

impl From<tessera_core::push::PushError> for TesseraError {
    fn from(error: tessera_core::push::PushError) -> Self {
        use tessera_core::push::PushError as P;
        let reason = error.to_string();
        match error {
            P::Rejected(r) => TesseraError::Rejected {
                reason: r.to_string(),
            },
            P::Network(e) => TesseraError::Network { reason: e.message },
            P::Vault(e) => e.into(),
            P::Cancelled => TesseraError::Cancelled,
            P::KeyStore(_) => TesseraError::Platform { reason },
            P::UnknownRequest(_) | P::UnknownToken(_) | P::KeyNotFound | P::NoPollSlot => {
                TesseraError::NotFound { reason }
            }
            P::DuplicateToken(_) | P::AlreadyEnrolled => TesseraError::Duplicate { reason },
            P::KeyUnreadable | P::TokenIntegrity(_) => TesseraError::Integrity { reason },
            P::KeySize(_)
            | P::Malformed(_)
            | P::ChoiceRequired
            | P::ChoiceNotOffered
            | P::Uri(_)
            | P::InsecureTransport(_)
            | P::NotPushUri
            | P::BadDevicePublicKey
            | P::WrongEnrollmentCredential => TesseraError::InvalidInput { reason },
            P::KeyGeneration
            | P::NotInThisBuild(_)
            | P::KeyExists
            | P::Signing
            | P::PollRejected
            | P::PollingNotAllowed
            | P::PollSlotReadOnly
            | P::ServerRefused { .. } => TesseraError::Other { reason },
        }
    }
}

impl From<tessera_core::clock::TimeError> for TesseraError {
    fn from(error: tessera_core::clock::TimeError) -> Self {
        use tessera_core::clock::TimeError as T;
        let reason = error.to_string();
        match error {
            T::Network(e) => TesseraError::Network { reason: e.message },
            T::Vault(e) => e.into(),
            T::Integrity => TesseraError::Integrity { reason },
            T::Push(e) => (*e).into(),
            T::NoDate | T::BadDate | T::InsecureTransport(_) | T::NoServer => {
                TesseraError::InvalidInput { reason }
            }
        }
    }
}

/// A foreign implementation (Kotlin/Swift) threw something other than a `TesseraError`: the
/// call fails with [`TesseraError::Platform`] instead of panicking.
impl From<uniffi::UnexpectedUniFFICallbackError> for TesseraError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        // The foreign exception's text is the platform's own; it never receives secrets from
        // Tessera, so it is safe to pass on.
        TesseraError::platform(error.reason)
    }
}
