//! The crate-wide error. Each module has its own specific error enum; this one wraps them so
//! callers that do not care which module failed can use `?` everywhere.
//! No variant ever carries secret material (secrets, URIs, codes, passwords, keys).

/// Any failure of tessera-core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A textual secret could not be read.
    #[error(transparent)]
    Secret(#[from] crate::secret::SecretError),
    /// OTP parameters outside what Tessera generates.
    #[error(transparent)]
    Params(#[from] crate::account::ParamsError),
    /// A code generator could not be built.
    #[error(transparent)]
    Otp(#[from] crate::otp::OtpError),
    /// An import source failed as a whole.
    #[error(transparent)]
    Transfer(#[from] crate::transfer::TransferError),
    /// An import into the vault failed as a whole (nothing was written).
    #[error(transparent)]
    Import(#[from] crate::transfer::ImportError),
    /// An otpauth or push enrollment URI was refused.
    #[error(transparent)]
    Uri(#[from] crate::uri::UriError),
    /// The account vault failed.
    #[error(transparent)]
    Vault(#[from] crate::vault::VaultError),
    /// A push enrollment, request or answer failed.
    #[error(transparent)]
    Push(#[from] crate::push::PushError),
    /// A move to a new phone failed (nothing changed).
    #[error(transparent)]
    Handover(#[from] crate::handover::HandoverError),
    /// The server time could not be learned or read.
    #[error(transparent)]
    Time(#[from] crate::clock::TimeError),
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
