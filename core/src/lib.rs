//! tessera-core: the whole domain of the Tessera authenticator.
//!
//! No platform code and no FFI here: the shells (CLI, Android, iOS through `tessera-ffi`)
//! only render and reach platform services through traits defined in this crate.
//! `ARCHITECTURE.md` at the repository root is the map; start with [`vault::Vault`],
//! [`otp::Generator`], [`push::Push`] and [`transfer::read`].
//!
//! A code from an otpauth URI, at an explicit time (every time-dependent call takes one, so
//! tests and shells with a corrected clock get the same answer):
//!
//! ```
//! use tessera_core::{Generator, uri};
//!
//! // RFC 6238's SHA-1 test secret, 8 digits: the RFC's table gives 94287082 at T = 59 s.
//! let account = uri::parse_otp(
//!     "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=8",
//! )?;
//! let generator = Generator::for_account(&account)?;
//! assert_eq!(generator.code_at(59).text().as_str(), "94287082");
//! assert_eq!(generator.remaining_at(59), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `core/examples/` has small programs: a code, a vault's codes, an import, a push answer.

#![warn(missing_docs)]

pub mod account;
pub mod app;
pub mod clock;
pub mod container;
pub mod crypto;
mod encoding;
pub mod error;
pub mod files;
pub mod handover;
pub mod icon;
pub mod net;
mod order;
pub mod otp;
pub mod push;
pub mod secret;
pub mod secret_buf;
pub mod transfer;
pub mod uri;
pub mod vault;

pub use account::{Account, AccountMeta, Algorithm, OtpKind, OtpParams, ParamsError};
pub use error::{Error, Result};
pub use otp::{Code, CodeText, Engine, Generator, OtpError};
pub use secret::{Secret, SecretError};
pub use secret_buf::SecretBuf;
pub use uri::{ParsedUri, PushEnrollment, UriError};
