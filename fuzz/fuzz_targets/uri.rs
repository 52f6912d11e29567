//! otpauth and push-enrollment URIs: `uri::parse` (both kinds), the push enrollment ticket, and
//! the round trip of every account read: its canonical URI must read back to the same codes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_core::push::PushEnrollment;
use tessera_core::uri;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = uri::parse(text);
    let _ = PushEnrollment::from_uri(text);
    if let Ok(account) = uri::parse_otp(text) {
        let canonical = uri::format(&account);
        let again = uri::parse_otp(&canonical).expect("a canonical URI reads back");
        assert!(
            again.same_codes_as(&account),
            "the canonical URI gives other codes"
        );
        assert_eq!(
            (&again.issuer, &again.label),
            (&account.issuer, &account.label),
            "the canonical URI changes the names"
        );
    }
});
