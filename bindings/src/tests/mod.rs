//! The FFI seen from Rust: what Kotlin and Swift call, driven with good and bad arguments.
//!
//! These are unit tests of the crate rather than integration tests in `bindings/tests/`: an
//! integration test needs an rlib, and with `lib` among tessera-ffi's crate types cargo does
//! not run LTO for the library at all (a Rust library cannot be LTO'd), which made the shipped
//! library ~630 KB larger (docs/performance.md, Size). The tests reach the same public items
//! (`use crate::*`), nothing private.

mod bad_input;
mod codes;
mod error_docs;
mod redaction;

use crate::{KeyProvider, Result};

/// A device key that XORs with a constant: enough to tell right from wrong, and a second
/// constant is a wrong key. Shared by the FFI tests.
struct XorKeys(u8);

impl KeyProvider for XorKeys {
    fn wrap(&self, key: Vec<u8>) -> Result<Vec<u8>> {
        Ok(key.iter().map(|b| b ^ self.0).collect())
    }
    fn unwrap(&self, wrapped: Vec<u8>) -> Result<Vec<u8>> {
        Ok(wrapped.iter().map(|b| b ^ self.0).collect())
    }
}

/// The example of the crate documentation (lib.rs), which rustdoc cannot run without an rlib.
#[test]
fn crate_doc_example_gives_the_rfc_6238_code() {
    use crate::otp::otp_code_at;
    use crate::types::{Algorithm, OtpKind, OtpParams};

    let params = OtpParams {
        kind: OtpKind::Totp,
        algorithm: Algorithm::Sha1,
        digits: 8,
        period: 30,
        counter: 0,
    };
    // RFC 6238's SHA-1 test secret: its table gives 94287082 at T = 59 s.
    let code = otp_code_at("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".into(), params, 59).unwrap();
    assert_eq!(code.code, "94287082");
}
