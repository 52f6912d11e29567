//! Tessera's backup reader. The target rewrites the header's Argon2 cost to the cheapest
//! (8 KiB, 1 pass, 1 lane) and recomputes the trailing SHA-256, so that the fuzzer spends its
//! time on the reader's checks and not on key derivation or on guessing checksums (the cost
//! caps themselves are tested in core/tests/hostile_inputs.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Header layout: magic (8), version (2), memory KiB (4), passes (4), lanes (4), …
const COST: std::ops::Range<usize> = 10..22;
const CHECKSUM_LEN: usize = 32;

fuzz_target!(|data: &[u8]| {
    let mut bytes = data.to_vec();
    if bytes.len() >= COST.end + CHECKSUM_LEN {
        let mut cheap = Vec::with_capacity(12);
        cheap.extend(8u32.to_be_bytes());
        cheap.extend(1u32.to_be_bytes());
        cheap.extend(1u32.to_be_bytes());
        bytes[COST].copy_from_slice(&cheap);
        let body = bytes.len() - CHECKSUM_LEN;
        let sum = ring::digest::digest(&ring::digest::SHA256, &bytes[..body]);
        bytes[body..].copy_from_slice(sum.as_ref());
    }
    let _ = tessera_core::vault::read_backup(&bytes, "fuzz");
});
