//! tessera-core: the whole domain of the Tessera authenticator.
//!
//! No platform code and no FFI here: the shells (CLI, Android, iOS through `tessera-ffi`)
//! only render and reach platform services through traits defined in this crate.

pub mod account;
pub mod container;
pub mod crypto;
pub mod error;
pub mod files;
pub mod net;
pub mod otp;
pub mod push;
pub mod secret;
pub mod secret_buf;
pub mod transfer;
pub mod uri;
pub mod vault;

pub use account::{Account, AccountMeta, Algorithm, OtpKind, OtpParams, ParamsError};
pub use error::{Error, Result};
pub use otp::{Code, Engine, Generator, OtpError};
pub use secret::{Secret, SecretError};
pub use secret_buf::SecretBuf;
pub use uri::{ParsedUri, PushEnrollment, UriError};
