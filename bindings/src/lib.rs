//! tessera-ffi: Tessera for Kotlin and Swift, through uniffi proc-macros.
//!
//! Thin by design: every rule lives in `tessera-core`; this crate converts types (the `From`/
//! `TryFrom` impls sit next to each FFI type) and forwards. One module per domain; the push and
//! import/export modules plug in the same way. [`TesseraError`] is the one public error and
//! `error.rs` the one place core's errors are mapped to it.
//!
//! Generated names: Kotlin package `org.tessera`, Swift module `Tessera` over the C module
//! `TesseraFFI` (see the workspace's `uniffi.toml`).
//!
//! Adding a domain (push, transfer, …):
//! 1. `bindings/src/<domain>.rs` with its records, enums and objects, each with the
//!    `From`/`TryFrom` conversions from core next to it, every item documented;
//! 2. `pub mod <domain>;` below;
//! 3. in `error.rs`, an arm for the core module's error in `From<tessera_core::Error>` (until
//!    then it maps to `Other`) and its type in `via_core_error!` so `?` works on it;
//! 4. tests in `tests/kotlin/src/<Domain>Test.kt` and
//!    `tests/swift/Tests/TesseraTests/<Domain>Tests.swift`: both runners pick up every file.
//!
//! A record or enum that carries a secret (a key, a note, a code, a credential, a signature)
//! gets a redacting `Debug` and `#[uniffi::export(Debug)]`, so Kotlin's `toString()` and
//! Swift's `description` print that `Debug` instead of every field (see `redact.rs`), and a
//! case in `bindings/src/tests/redaction.rs` and in the Kotlin and Swift redaction tests.

//! From Rust (the tests' view; Kotlin and Swift call the same functions, generated). The
//! crate builds no Rust library (see `Cargo.toml`), so rustdoc cannot run this example; the
//! unit test `tests::crate_doc_example_gives_the_rfc_6238_code` runs it instead:
//!
//! ```ignore
//! use tessera_ffi::otp::otp_code_at;
//! use tessera_ffi::types::{Algorithm, OtpKind, OtpParams};
//!
//! let params = OtpParams {
//!     kind: OtpKind::Totp,
//!     algorithm: Algorithm::Sha1,
//!     digits: 8,
//!     period: 30,
//!     counter: 0,
//! };
//! // RFC 6238's SHA-1 test secret: its table gives 94287082 at T = 59 s.
//! let code = otp_code_at("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".into(), params, 59)?;
//! assert_eq!(code.code, "94287082");
//! # Ok::<(), tessera_ffi::error::TesseraError>(())
//! ```

#![warn(missing_docs)]

uniffi::setup_scaffolding!("tessera");

pub mod account;
pub mod app;
pub mod autobackup;
pub mod codes;
pub mod container;
pub mod error;
pub mod handover;
pub mod icon;
pub mod otp;
pub mod platform;
pub mod poll_slot;
pub mod push;
mod redact;
pub mod time;
pub mod transfer;
pub mod types;
pub mod unlock;
pub mod uri;
pub mod vault;

#[cfg(test)]
mod tests;

pub use account::{OtpAccount, UriParameter};
pub use app::{LockTimeout, default_lock_timeout, display_name, lock_timeout_choices, should_lock};
pub use codes::{CodeList, CodesListener, CodesQuery, CodesWatch, DisplayCode, otp_defaults};
pub use container::{
    ContainerClient, ContainerCurve, ContainerHash, ContainerInfo, ContainerKeys,
    ContainerPolicies, ContainerQr, ContainerState, ContainerSyncFailure, ContainerSyncReport,
    ContainerToken, read_container_qr,
};
pub use error::{Result, TesseraError};
pub use handover::{
    LeftBehindReason, MoveOffer, MoveOfferInfo, MoveReport, MoveScanProgress, MoveTransfer,
    MovedPushToken, PushTokenLeftBehind, move_scan_progress, read_move_offer,
};
pub use otp::{OtpCode, otp_code_at, otp_code_now};
pub use platform::{Clock, KeyProvider};
pub use poll_slot::PollSlot;
pub use push::{
    DenyReason, FailedPoll, ForceUnlock, HttpField, HttpRequest, HttpResponse, KeygenListener,
    KeygenStep, PollResult, PushClient, PushDeviceKeys, PushRequest, PushTokenInfo, PushTransport,
    PushVerdict, RejectedPush,
};
pub use time::{ServerTimeStatus, offset_warning_seconds};
pub use transfer::{
    ExportFile, ExportFormat, ExportResult, ImportEntry, ImportFormat, ImportOutcome, ImportReport,
    QrMatrix, SkippedAccount, detect_import_format, export_file, export_from_vault,
    import_into_vault, import_qr_luma, qr_code_matrix, qr_code_png, scan_qr_luma,
};
pub use types::{Algorithm, OtpKind, OtpParams};
pub use unlock::{
    DeviceKeyFailure, UnlockMethod, UnlockResult, Unlocker, VaultStatus, vault_status,
};
pub use uri::{UriKind, format_otp_uri, otp_code_for_uri_at, parse_otp_uri, uri_kind};
pub use vault::{
    AccountChange, AccountCode, AccountInfo, AddOutcome, KdfParams, ListFilter, Vault,
};
