//! privacyIDEA token containers: the registration QR code (`pia://container/…`) and the
//! server's answers to finalize, challenge, sync, rollover and terminate. The first byte picks
//! the reader (low three bits) and the HTTP status (200 unless the high bit is set); the rest
//! is the URI or the body. The sync answer's sealed payload is only read here, not opened:
//! opening it needs the phone's one-time key, and what it holds is applied to a vault.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_core::container::RegistrationQr;
use tessera_core::container::protocol;

/// A well-formed registration QR, for the finalize reader, which checks the answer against it.
const QR: &str = "pia://container/SMPH0001?issuer=privacyIDEA&ttl=10&nonce=abc&time=2026-11-30T12%3A00%3A00.000000%2B00%3A00&url=https%3A%2F%2Fpi.example%2F&serial=SMPH0001&key_algorithm=secp384r1&hash_algorithm=SHA256&ssl_verify=True&passphrase=";

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let status = if selector & 0x80 == 0 {
        200
    } else {
        400 + u16::from(selector & 0x3f)
    };
    match selector & 7 {
        0 => {
            if let Ok(text) = std::str::from_utf8(body) {
                if let Ok(qr) = RegistrationQr::parse(text) {
                    let _ = qr.expires_at();
                    let _ = qr.needs_passphrase();
                    let _ = format!("{qr:?}");
                }
            }
        }
        1 => {
            if let Ok(qr) = RegistrationQr::parse(QR) {
                let _ = protocol::read_finalize(status, body, &qr, selector & 0x40 != 0);
            }
        }
        2 => {
            let _ = protocol::read_challenge(status, body, "SMPH0001");
        }
        3 => {
            let _ = protocol::read_sync(status, body, "SMPH0001");
        }
        4 => {
            let _ = protocol::read_rollover(status, body, "SMPH0001");
        }
        _ => {
            let _ = protocol::read_terminate(status, body, "SMPH0001");
        }
    }
});
