//! privacyIDEA server responses and push payloads. The first byte picks the reader (low two
//! bits) and the HTTP status (200 unless the high bit is set); the rest is the body, or for a
//! push payload `key=value` lines (a push service's data map).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_core::push::Challenge;
use tessera_core::push::protocol;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let status = if selector & 0x80 == 0 {
        200
    } else {
        400 + u16::from(selector & 0x3f)
    };
    match selector & 3 {
        0 => {
            let _ = protocol::read_enrollment_response(status, body);
        }
        1 => {
            let _ = protocol::read_poll_response(status, body);
        }
        2 => {
            let _ = protocol::read_answer_response(status, body);
        }
        _ => {
            let Ok(text) = std::str::from_utf8(body) else {
                return;
            };
            let pairs = text.lines().filter_map(|l| l.split_once('='));
            if let Ok(challenge) = Challenge::from_payload(pairs) {
                let _ = challenge.signed_message();
                let _ = challenge.choices();
            }
        }
    }
});
