//! Records and enums shared by every domain module, each with its conversions to and from core.

use tessera_core::account as core;

use crate::error::{Result, TesseraError};

/// The HMAC hash of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Algorithm {
    /// HMAC-SHA1, what nearly every service uses.
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

impl From<core::Algorithm> for Algorithm {
    fn from(value: core::Algorithm) -> Self {
        match value {
            core::Algorithm::Sha1 => Algorithm::Sha1,
            core::Algorithm::Sha256 => Algorithm::Sha256,
            core::Algorithm::Sha512 => Algorithm::Sha512,
        }
    }
}

impl From<Algorithm> for core::Algorithm {
    fn from(value: Algorithm) -> Self {
        match value {
            Algorithm::Sha1 => core::Algorithm::Sha1,
            Algorithm::Sha256 => core::Algorithm::Sha256,
            Algorithm::Sha512 => core::Algorithm::Sha512,
        }
    }
}

/// How an account's codes move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum OtpKind {
    /// Time-based (RFC 6238): a new code every period.
    Totp,
    /// Counter-based (RFC 4226): a new code each time the user asks for one.
    Hotp,
    /// Steam Guard: time-based, 5 characters from Steam's alphabet.
    Steam,
}

impl From<core::OtpKind> for OtpKind {
    fn from(value: core::OtpKind) -> Self {
        match value {
            core::OtpKind::Totp => OtpKind::Totp,
            core::OtpKind::Hotp => OtpKind::Hotp,
            core::OtpKind::Steam => OtpKind::Steam,
        }
    }
}

impl From<OtpKind> for core::OtpKind {
    fn from(value: OtpKind) -> Self {
        match value {
            OtpKind::Totp => core::OtpKind::Totp,
            OtpKind::Hotp => core::OtpKind::Hotp,
            OtpKind::Steam => core::OtpKind::Steam,
        }
    }
}

/// How an account's codes are computed. The defaults are the usual TOTP: 6 digits, 30 seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct OtpParams {
    /// Time-based, counter-based or Steam.
    pub kind: OtpKind,
    /// The HMAC hash.
    pub algorithm: Algorithm,
    /// Code length, 1 to 10 (Steam: 5).
    #[uniffi(default = 6)]
    pub digits: u8,
    /// Seconds per code for time-based kinds (ignored for HOTP), at least 1.
    #[uniffi(default = 30)]
    pub period: u32,
    /// HOTP: the counter of the next code (ignored for time-based kinds).
    #[uniffi(default = 0)]
    pub counter: u64,
}

impl From<core::OtpParams> for OtpParams {
    fn from(value: core::OtpParams) -> Self {
        OtpParams {
            kind: value.kind.into(),
            algorithm: value.algorithm.into(),
            digits: value.digits,
            period: value.period,
            counter: value.counter,
        }
    }
}

impl TryFrom<OtpParams> for core::OtpParams {
    type Error = TesseraError;

    /// Checked: parameters core cannot generate codes for are refused here, at the boundary.
    fn try_from(value: OtpParams) -> Result<Self> {
        let params = core::OtpParams {
            kind: value.kind.into(),
            algorithm: value.algorithm.into(),
            digits: value.digits,
            period: value.period,
            counter: value.counter,
        };
        params.validate()?;
        Ok(params)
    }
}
