//! tessera-ffi: Tessera for Kotlin and Swift, through uniffi proc-macros.
//!
//! Thin by design: every rule lives in `tessera-core`; this crate converts types (the `From`/
//! `TryFrom` impls sit next to each FFI type) and forwards. One module per domain; the push and
//! import/export modules plug in the same way. [`TesseraError`] is the one public error and
//! `error.rs` the one place core's errors are mapped to it.
//!
//! Generated names: Kotlin package `org.tessera`, Swift module `Tessera` over the C module
//! `TesseraFFI` (see the workspace's `uniffi.toml`).

uniffi::setup_scaffolding!("tessera");

pub mod account;
pub mod error;
pub mod otp;
pub mod platform;
pub mod push;
pub mod types;
pub mod uri;
pub mod vault;

pub use account::{OtpAccount, UriParameter};
pub use error::{Result, TesseraError};
pub use otp::{OtpCode, otp_code_at, otp_code_now};
pub use platform::{Clock, KeyProvider};
pub use push::{
    DenyReason, FailedPoll, HttpField, HttpRequest, HttpResponse, KeygenListener, KeygenStep,
    PollResult, PushClient, PushDeviceKeys, PushRequest, PushTokenInfo, PushTransport, PushVerdict,
    RejectedPush,
};
pub use types::{Algorithm, OtpKind, OtpParams};
pub use uri::{UriKind, format_otp_uri, otp_code_for_uri_at, parse_otp_uri, uri_kind};
pub use vault::{
    AccountChange, AccountCode, AccountInfo, AddOutcome, KdfParams, ListFilter, Vault,
};
