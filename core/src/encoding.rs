//! Hex, base32 and base64 as core reads and writes them, each with the exact rules it had.
//!
//! Small per-alphabet crates instead of one runtime-generic engine (`data_encoding`, ~41 KB of
//! the mobile library): base16ct and base32ct (RustCrypto, constant-time, no lookup tables:
//! secrets go through them) and base64 (already used for everything else base64). Their
//! decoders are more lenient than the strict ones they replace in two ways, which the functions
//! here put back:
//! - a strict decoder accepts only what its encoder writes (no stray trailing bits, padding
//!   exactly where it belongs): decoded, then encoded again and compared;
//! - a padded decoder also accepts several padded encodings one after another (`QQ==QQ==`,
//!   which `data_encoding` read as two bytes): each padded block ends one encoding.
//!
//! Every decoder returns `None` for anything it refuses; callers say what was wrong.

use base32ct::{Base32Upper, Base32UpperUnpadded, Encoding as _};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};

/// Lowercase hex.
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    base16ct::lower::encode_string(bytes)
}

/// Hex in either case (or both), an even number of digits.
pub(crate) fn hex_decode(text: &[u8]) -> Option<Vec<u8>> {
    base16ct::mixed::decode_vec(text).ok()
}

/// RFC 4648 base32, uppercase, without padding.
pub(crate) fn base32(bytes: &[u8]) -> String {
    Base32UpperUnpadded::encode_string(bytes)
}

/// RFC 4648 base32, uppercase, without padding, exactly as [`base32`] writes it.
pub(crate) fn base32_decode(text: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(text).ok()?;
    let bytes = Base32UpperUnpadded::decode_vec(text).ok()?;
    (base32(&bytes) == text).then_some(bytes)
}

/// RFC 4648 base32, uppercase, with `=` padding.
pub(crate) fn base32_padded(bytes: &[u8]) -> String {
    Base32Upper::encode_string(bytes)
}

/// RFC 4648 base32, uppercase, each padded block as [`base32_padded`] writes it.
pub(crate) fn base32_padded_decode(text: &[u8]) -> Option<Vec<u8>> {
    padded_blocks(text, 8, |block| {
        let block = std::str::from_utf8(block).ok()?;
        let bytes = Base32Upper::decode_vec(block).ok()?;
        (base32_padded(&bytes) == block).then_some(bytes)
    })
}

/// Standard base64 with `=` padding.
pub(crate) fn base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Standard base64, each padded block as [`base64`] writes it (base64's standard engine
/// refuses stray trailing bits and misplaced padding itself).
pub(crate) fn base64_decode(text: &[u8]) -> Option<Vec<u8>> {
    padded_blocks(text, 4, |block| STANDARD.decode(block).ok())
}

/// Standard base64 without padding, no stray trailing bits.
pub(crate) fn base64_unpadded_decode(text: &[u8]) -> Option<Vec<u8>> {
    STANDARD_NO_PAD.decode(text).ok()
}

/// Decodes `text` (a whole number of `block`-character blocks) as one or more padded
/// encodings in a row: a block holding `=` ends an encoding, decoded by `decode` together
/// with the blocks before it. One call to `decode` for anything an encoder wrote.
fn padded_blocks(
    text: &[u8],
    block: usize,
    decode: impl Fn(&[u8]) -> Option<Vec<u8>>,
) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(block) {
        return None;
    }
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|&c| c == b'=')
            .map_or(rest.len(), |pad| (pad / block + 1) * block);
        let (encoding, after) = rest.split_at(end);
        out.extend_from_slice(&decode(encoding)?);
        rest = after;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_test_vectors() {
        // RFC 4648 §10, both ways.
        let cases = [
            ("", "", "", ""),
            ("f", "MY======", "Zg==", "66"),
            ("fo", "MZXQ====", "Zm8=", "666f"),
            ("foo", "MZXW6===", "Zm9v", "666f6f"),
            ("foob", "MZXW6YQ=", "Zm9vYg==", "666f6f62"),
            ("fooba", "MZXW6YTB", "Zm9vYmE=", "666f6f6261"),
            ("foobar", "MZXW6YTBOI======", "Zm9vYmFy", "666f6f626172"),
        ];
        for (plain, b32, b64, hex) in cases {
            let plain = plain.as_bytes();
            assert_eq!(base32_padded(plain), b32);
            assert_eq!(base32(plain), b32.trim_end_matches('='));
            assert_eq!(base64(plain), b64);
            assert_eq!(hex_lower(plain), hex);
            assert_eq!(base32_padded_decode(b32.as_bytes()).unwrap(), plain);
            assert_eq!(
                base32_decode(b32.trim_end_matches('=').as_bytes()).unwrap(),
                plain
            );
            assert_eq!(base64_decode(b64.as_bytes()).unwrap(), plain);
            assert_eq!(
                base64_unpadded_decode(b64.trim_end_matches('=').as_bytes()).unwrap(),
                plain
            );
            assert_eq!(hex_decode(hex.as_bytes()).unwrap(), plain);
            assert_eq!(hex_decode(hex.to_uppercase().as_bytes()).unwrap(), plain);
        }
    }

    #[test]
    fn strict_decoders_refuse_what_no_encoder_writes() {
        // Stray trailing bits ("MZ" would be "MY"), impossible lengths, lowercase, padding
        // where there should be none or missing where it should be.
        for bad in [
            "MZ", "M", "MZX", "MZXW6Y", "my", "MY==", "MY======", "MZXW6YT=",
        ] {
            assert_eq!(base32_decode(bad.as_bytes()), None, "{bad}");
        }
        for bad in [
            "MZ======", "MY", "MY=====", "my======", "M=======", "MZX=====", "MY=Y====",
        ] {
            assert_eq!(base32_padded_decode(bad.as_bytes()), None, "{bad}");
        }
        for bad in ["Zh==", "Zg", "Zg=", "Z===", "Zm9v=", "Zg=a"] {
            assert_eq!(base64_decode(bad.as_bytes()), None, "{bad}");
        }
        for bad in ["Zh", "Zg==", "Z"] {
            assert_eq!(base64_unpadded_decode(bad.as_bytes()), None, "{bad}");
        }
        for bad in ["6", "6g", "66 6f", "0x66"] {
            assert_eq!(hex_decode(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn padded_decoders_read_encodings_one_after_another() {
        assert_eq!(base64_decode(b"Zg==Zg==").unwrap(), b"ff");
        assert_eq!(base64_decode(b"Zg==Zm8=Zm9v").unwrap(), b"ffofoo");
        assert_eq!(base32_padded_decode(b"MY======MZXQ====").unwrap(), b"ffo");
        assert_eq!(
            base32_padded_decode(b"MZXW6YTBMY======").unwrap(),
            b"foobaf"
        );
        assert_eq!(base64_decode(b"Zg==Zh=="), None);
    }

    #[test]
    fn round_trips_every_length() {
        for len in 0..40u8 {
            let bytes: Vec<u8> = (0..len)
                .map(|i| i.wrapping_mul(151).wrapping_add(7))
                .collect();
            assert_eq!(base32_decode(base32(&bytes).as_bytes()).unwrap(), bytes);
            assert_eq!(
                base32_padded_decode(base32_padded(&bytes).as_bytes()).unwrap(),
                bytes
            );
            assert_eq!(base64_decode(base64(&bytes).as_bytes()).unwrap(), bytes);
            assert_eq!(hex_decode(hex_lower(&bytes).as_bytes()).unwrap(), bytes);
        }
    }

    /// A small generator for the differential test (no randomness crate needed).
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn accepts_and_refuses_exactly_what_data_encoding_did() {
        // Strings from alphabets rich in the cases that matter (padding anywhere, other case,
        // symbols with and without trailing bits, invalid characters), and concatenations of
        // real encodings, each decoded by the function here and by the data_encoding
        // constant it replaces: the same bytes or both refused.
        let alphabets: [&[u8]; 3] = [b"AMQYZ7=a ", b"AQgwZ+/=_-", b"0aAfF9g "];
        type Decoder = fn(&[u8]) -> Option<Vec<u8>>;
        let pairs: [(&str, Decoder, data_encoding::Encoding); 6] = [
            ("base32", base32_decode, data_encoding::BASE32_NOPAD),
            ("padded base32", base32_padded_decode, data_encoding::BASE32),
            ("base64", base64_decode, data_encoding::BASE64),
            (
                "unpadded base64",
                base64_unpadded_decode,
                data_encoding::BASE64_NOPAD,
            ),
            ("hex", hex_decode, data_encoding::HEXLOWER_PERMISSIVE),
            ("upper hex", hex_decode, data_encoding::HEXUPPER_PERMISSIVE),
        ];
        // How often each decoder accepted: both outcomes must be common.
        let mut accepted = [0usize; 6];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for round in 0..60_000 {
            let alphabet = alphabets[round % 3];
            let len = (next(&mut state) % 26) as usize;
            let mut text: Vec<u8> = (0..len)
                .map(|_| alphabet[(next(&mut state) % alphabet.len() as u64) as usize])
                .collect();
            if round % 7 == 0 {
                // Two real encodings in a row.
                let a: Vec<u8> = (0..next(&mut state) % 9)
                    .map(|i| (i as u8).wrapping_mul(37))
                    .collect();
                let b: Vec<u8> = (0..next(&mut state) % 9)
                    .map(|i| (i as u8).wrapping_mul(91))
                    .collect();
                text = match round % 3 {
                    0 => [
                        data_encoding::BASE32.encode(&a),
                        data_encoding::BASE32.encode(&b),
                    ],
                    1 => [
                        data_encoding::BASE64.encode(&a),
                        data_encoding::BASE64.encode(&b),
                    ],
                    _ => [
                        data_encoding::HEXLOWER.encode(&a),
                        data_encoding::HEXUPPER.encode(&b),
                    ],
                }
                .concat()
                .into_bytes();
            }
            for ((name, ours, reference), count) in pairs.iter().zip(&mut accepted) {
                let got = ours(&text);
                let shown = String::from_utf8_lossy(&text);
                assert_eq!(got, reference.decode(&text).ok(), "{name} {shown:?}");
                *count += usize::from(got.is_some());
            }
        }
        for count in accepted {
            assert!((1_000..59_000).contains(&count), "{accepted:?}");
        }
    }
}
