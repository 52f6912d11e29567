//! Every import format behind `transfer::read`. The first byte picks the format: its index in
//! `Format::ALL`, or detection for any larger value; the rest is the file. 2FAS files get a
//! password (its key derivation is fixed and cheap, so its decryption and reference logic are
//! reached); the other encrypted formats are read up to the point where a key would be derived,
//! so that one execution stays fast (their KDF caps are tested in core/tests/hostile_inputs.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_core::transfer::{self, Format};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let format = Format::ALL.get(usize::from(selector)).copied();
    let password = (format == Some(Format::TwoFas)).then_some("fuzz");
    if let Ok(items) = transfer::read(bytes, format, password) {
        for item in &items {
            // Names and errors are shown to the user: building them must not panic either.
            let _ = item.name.len();
            if let Err(e) = &item.result {
                let _ = e.to_string();
            }
        }
    }
});
