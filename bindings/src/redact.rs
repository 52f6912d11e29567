//! How records that carry secrets print in Kotlin and Swift.
//!
//! uniffi turns a record into a Kotlin `data class` and a Swift `struct`, whose generated
//! `toString()` and reflection-based `description` print every field — an account's secret,
//! a note, an HTTP form with the enrollment credential. A record that carries any of these
//! therefore has a hand-written `Debug` that redacts them and `#[uniffi::export(Debug)]`, which
//! makes Kotlin's `toString()` and Swift's `description`/`debugDescription` call that `Debug`.
//! One rendering, written and tested once in Rust, for all three languages. The Rust test
//! `bindings/src/tests/redaction.rs` and the Kotlin and Swift `Redaction` tests check each record.

use std::fmt;

/// What a redacted field prints.
pub(crate) const REDACTED: Redacted = Redacted;

/// Prints `<redacted>`.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A text shown as its length only (`<12 chars redacted>`; `""` when empty, since an empty
/// note tells nothing).
pub(crate) fn redacted_text(text: &str) -> impl fmt::Debug + '_ {
    RedactedText(text)
}

struct RedactedText<'a>(&'a str);

impl fmt::Debug for RedactedText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.chars().count() {
            0 => f.write_str("\"\""),
            n => write!(f, "<{n} chars redacted>"),
        }
    }
}

/// Bytes shown as their length only.
pub(crate) fn redacted_bytes(bytes: &[u8]) -> impl fmt::Debug + '_ {
    RedactedBytes(bytes.len())
}

struct RedactedBytes(usize);

impl fmt::Debug for RedactedBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes redacted>", self.0)
    }
}
