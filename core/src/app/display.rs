//! How a code and an account's name read on screen.

use std::fmt;

use crate::account::OtpKind;
use crate::otp::{Code, MAX_CODE_LEN};

/// What [`display_name`] shows for an account with neither issuer nor label. Shells that
/// translate their interface may compare against it to show their own word.
pub const UNNAMED: &str = "(unnamed)";

/// The name a list shows for an account: `Issuer (label)`; the issuer or the label alone when
/// the other is empty (or both are the same text, ignoring case: `GitHub (GitHub)` reads as
/// `GitHub`); [`UNNAMED`] when both are empty. Surrounding spaces are not shown.
pub fn display_name(issuer: &str, label: &str) -> String {
    let (issuer, label) = (issuer.trim(), label.trim());
    match (issuer.is_empty(), label.is_empty()) {
        (false, false) if issuer.to_lowercase() == label.to_lowercase() => issuer.to_owned(),
        (false, false) => format!("{issuer} ({label})"),
        (false, true) => issuer.to_owned(),
        (true, false) => label.to_owned(),
        (true, true) => UNNAMED.to_owned(),
    }
}

/// How far the device clock is off, in words, for the clock warning of the codes screen and
/// the settings: `offset_secs` is server time minus device time (positive: the device is
/// behind), `source` the server it was measured against. "45 s behind pi.example", "2 min 5 s
/// ahead of pi.example", "2 h 1 min behind pi.example" (seconds are left out beside hours).
pub fn describe_clock_offset(offset_secs: i64, source: &str) -> String {
    let size = offset_secs.unsigned_abs();
    let amount = match size {
        0..60 => format!("{size} s"),
        60..3600 if size.is_multiple_of(60) => format!("{} min", size / 60),
        60..3600 => format!("{} min {} s", size / 60, size % 60),
        _ if size % 3600 < 60 => format!("{} h", size / 3600),
        _ => format!("{} h {} min", size / 3600, size % 3600 / 60),
    };
    if offset_secs >= 0 {
        format!("{amount} behind {source}")
    } else {
        format!("{amount} ahead of {source}")
    }
}

/// A code as a screen reader should say it (VoiceOver, TalkBack): one character at a time,
/// never as a number ("one hundred twenty-three thousand…"), with a pause between the groups
/// the eye sees. Takes the grouped code (or the code as typed): "123 456" → "1 2 3, 4 5 6";
/// Steam's "2BC4F" → "2 B C 4 F".
pub fn spoken_code(code: &str) -> String {
    code.split_whitespace()
        .map(|group| {
            let mut spoken = String::with_capacity(group.len() * 2);
            for (i, c) in group.chars().enumerate() {
                if i > 0 {
                    spoken.push(' ');
                }
                spoken.push(c);
            }
            spoken
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The longest grouped code: ten digits and two spaces.
const MAX_GROUPED_LEN: usize = MAX_CODE_LEN + 2;

/// A code grouped for reading, held on the stack like [`Code`]. `Display` shows it; `Debug`
/// does not.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct GroupedCode {
    buf: [u8; MAX_GROUPED_LEN],
    len: u8,
}

impl GroupedCode {
    /// The grouped text (ASCII).
    pub fn as_str(&self) -> &str {
        // Only ASCII from a `Code` and spaces are ever written into `buf`.
        std::str::from_utf8(&self.buf[..usize::from(self.len)]).unwrap_or("")
    }
}

impl fmt::Display for GroupedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for GroupedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GroupedCode(<{} chars redacted>)", self.len)
    }
}

/// The sizes of the groups a code of `len` digits is read in. Groups of three or four, the
/// way people read phone numbers: never a lone digit or pair at the end, and the longer group
/// last (`123 4567`, `123 456 7890`). Five digits or fewer stay whole.
fn groups(len: usize) -> &'static [usize] {
    match len {
        6 => &[3, 3],
        7 => &[3, 4],
        8 => &[4, 4],
        9 => &[3, 3, 3],
        10 => &[3, 3, 4],
        _ => &[],
    }
}

/// The code as a list shows it: digits in groups separated by one space (6 → `123 456`,
/// 7 → `123 4567`, 8 → `1234 5678`, 9 → `123 456 789`, 10 → `123 456 7890`); codes of five
/// digits or fewer and Steam Guard codes (five letters and digits, read as one word) as they
/// are. What a user copies or a shell types for them is the [`Code`] itself, never this.
pub fn display_code(code: &Code, kind: OtpKind) -> GroupedCode {
    let text = code.text();
    let text = text.as_str().as_bytes();
    let mut out = GroupedCode {
        buf: [b' '; MAX_GROUPED_LEN],
        len: 0,
    };
    let sizes = if kind == OtpKind::Steam {
        &[]
    } else {
        groups(text.len())
    };
    let mut at = 0;
    let mut written = 0;
    for (i, size) in sizes.iter().enumerate() {
        if i > 0 {
            written += 1; // the buffer is pre-filled with spaces
        }
        out.buf[written..written + size].copy_from_slice(&text[at..at + size]);
        written += size;
        at += size;
    }
    if sizes.is_empty() {
        let len = text.len().min(MAX_GROUPED_LEN);
        out.buf[..len].copy_from_slice(&text[..len]);
        written = len;
    }
    out.len = written as u8;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::OtpParams;
    use crate::otp::Generator;
    use crate::secret::Secret;

    #[test]
    fn a_screen_reader_says_a_code_symbol_by_symbol_pausing_between_groups() {
        assert_eq!(spoken_code("123 456"), "1 2 3, 4 5 6");
        assert_eq!(spoken_code("9428 7082"), "9 4 2 8, 7 0 8 2");
        assert_eq!(spoken_code("1234 567 890"), "1 2 3 4, 5 6 7, 8 9 0");
        assert_eq!(spoken_code("2BC4F"), "2 B C 4 F");
        assert_eq!(spoken_code(" 12  34 "), "1 2, 3 4");
        assert_eq!(spoken_code(""), "");
    }

    #[test]
    fn a_clock_offset_reads_in_words_with_its_direction() {
        let say = |secs| describe_clock_offset(secs, "pi.example");
        assert_eq!(say(0), "0 s behind pi.example");
        assert_eq!(say(45), "45 s behind pi.example");
        assert_eq!(say(-59), "59 s ahead of pi.example");
        assert_eq!(say(60), "1 min behind pi.example");
        assert_eq!(say(95), "1 min 35 s behind pi.example");
        assert_eq!(say(-125), "2 min 5 s ahead of pi.example");
        assert_eq!(say(-3600), "1 h ahead of pi.example");
        // seconds are noise beside hours
        assert_eq!(say(7265), "2 h 1 min behind pi.example");
        assert_eq!(say(3659), "1 h behind pi.example");
        assert_eq!(
            say(i64::MIN),
            "2562047788015215 h 30 min ahead of pi.example"
        );
    }

    /// The code of `digits` digits at T = 59 for RFC 6238's SHA-1 secret.
    fn code(params: OtpParams) -> Code {
        let secret = Secret::from_bytes(b"12345678901234567890".to_vec());
        Generator::new(&secret, &params).unwrap().code_at(59)
    }

    #[test]
    fn groups_every_digit_count() {
        // Written out by hand from the rule in the docs, one row per length: the code's digits
        // and the grouping a person reads.
        let expected: [(u8, &str); 10] = [
            (1, "2"),
            (2, "82"),
            (3, "082"),
            (4, "7082"),
            (5, "87082"),
            (6, "287 082"),
            (7, "428 7082"),
            (8, "9428 7082"),
            (9, "094 287 082"),
            (10, "109 428 7082"),
        ];
        for (digits, want) in expected {
            let params = OtpParams {
                digits,
                ..OtpParams::totp()
            };
            let code = code(params);
            let grouped = display_code(&code, OtpKind::Totp);
            assert_eq!(grouped.as_str(), want, "{digits} digits");
            assert_eq!(
                grouped.as_str().replace(' ', ""),
                code.text().as_str(),
                "{digits} digits: grouping only adds spaces"
            );
        }
    }

    #[test]
    fn steam_codes_stay_whole() {
        let params = OtpParams::steam();
        let code = code(params);
        assert_eq!(
            code.text().as_str(),
            "PV9M4",
            "RFC key at T = 59, computed outside Tessera"
        );
        assert_eq!(display_code(&code, OtpKind::Steam).as_str(), "PV9M4");
    }

    #[test]
    fn hotp_codes_group_like_totp() {
        let code = code(OtpParams::hotp(0));
        assert_eq!(code.text().as_str(), "755224", "RFC 4226 counter 0");
        assert_eq!(display_code(&code, OtpKind::Hotp).as_str(), "755 224");
    }

    #[test]
    fn debug_hides_the_grouped_code() {
        let grouped = display_code(&code(OtpParams::totp()), OtpKind::Totp);
        let shown = format!("{grouped:?}");
        assert!(!shown.contains("287"), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
    }

    #[test]
    fn names_follow_the_list_rule() {
        assert_eq!(display_name("GitHub", "alice"), "GitHub (alice)");
        assert_eq!(display_name("GitHub", ""), "GitHub");
        assert_eq!(display_name("", "alice@example.org"), "alice@example.org");
        assert_eq!(display_name("", ""), UNNAMED);
        assert_eq!(display_name("  ", "\t"), UNNAMED, "blank is empty");
        assert_eq!(display_name(" ACME ", " bob "), "ACME (bob)");
        assert_eq!(display_name("GitHub", "github"), "GitHub", "same text once");
        assert_eq!(display_name("Ünï", "ünï"), "Ünï", "Unicode case");
    }
}
