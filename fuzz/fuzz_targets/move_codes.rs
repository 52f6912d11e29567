//! The texts of the move to a new phone's QR codes, as a camera hands them over: the offer
//! (`handover::read_offer`) and a transfer's codes (`handover::scan_progress`, one per line).
//! Accepting goes through the same reader before anything is decrypted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_core::handover::{read_offer, scan_progress};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(offer) = read_offer(text) {
        assert_eq!(offer.check_code.len(), 7, "the check code is `ddd ddd`");
    }
    let lines: Vec<&str> = text.lines().collect();
    if let Ok(progress) = scan_progress(&lines) {
        assert_eq!(
            progress.complete,
            progress.count > 0 && progress.missing.is_empty(),
            "complete means every code is there"
        );
        assert!(progress.scanned <= progress.count, "more codes than the transfer has");
    }
});
