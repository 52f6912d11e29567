//! One-time codes: TOTP (RFC 6238), HOTP (RFC 4226) and Steam Guard.
//!
//! Every time-dependent function comes in a pair: `*_at(unix_seconds)` for an explicit
//! instant (what tests, batch calls and server-synchronized clocks use) and `*_now()`.
//!
//! Two engines compute the HMAC. totp-rs, the engine chosen for the project, serves plain
//! TOTP with 1 to 9 digits; ring's HMAC serves what totp-rs does not reach: HOTP, 10-digit
//! codes (totp-rs panics on them) and Steam. [`Engine::for_params`] is the one place that
//! decides. Both keep their prepared key inside the [`Generator`], so the next code costs one
//! HMAC and no allocation.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use ring::hmac;

use crate::account::{Account, Algorithm, OtpKind, OtpParams, ParamsError};
use crate::secret::Secret;

/// Steam Guard's alphabet: digits and consonants that cannot be confused with each other.
const STEAM_ALPHABET: &[u8; 26] = b"23456789BCDFGHJKMNPQRTVWXY";

/// The longest code Tessera produces.
pub const MAX_CODE_LEN: usize = 10;

/// A generated code, held on the stack. `Display` shows it; `Debug` does not.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Code {
    buf: [u8; MAX_CODE_LEN],
    len: u8,
}

impl Code {
    const EMPTY: Code = Code {
        buf: [b'0'; MAX_CODE_LEN],
        len: 0,
    };

    /// The code as text (ASCII digits, or Steam's letters and digits).
    pub fn as_str(&self) -> &str {
        // Only ASCII from `from_number`/`from_steam` is ever written into `buf`.
        std::str::from_utf8(&self.buf[..self.len as usize]).unwrap_or("")
    }

    /// Zero-padded decimal rendering of `value` on `digits` places (RFC 4226 §5.3).
    fn from_number(mut value: u32, digits: u8) -> Code {
        let mut code = Code {
            buf: [b'0'; MAX_CODE_LEN],
            len: digits,
        };
        for slot in code.buf[..digits as usize].iter_mut().rev() {
            *slot = b'0' + (value % 10) as u8;
            value /= 10;
        }
        code
    }

    fn from_steam(mut value: u32) -> Code {
        let mut code = Code {
            buf: [b'0'; MAX_CODE_LEN],
            len: crate::account::STEAM_DIGITS,
        };
        for slot in code.buf[..code.len as usize].iter_mut() {
            *slot = STEAM_ALPHABET[(value % 26) as usize];
            value /= 26;
        }
        code
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Code(<{} chars redacted>)", self.len)
    }
}

/// Why a generator could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OtpError {
    /// Parameters Tessera cannot generate codes for.
    #[error(transparent)]
    Params(#[from] ParamsError),
    /// A secret of zero bytes.
    #[error("the secret is empty")]
    EmptySecret,
}

/// Which HMAC implementation serves an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// totp-rs (plain TOTP, 1–9 digits).
    TotpRs,
    /// ring's HMAC (HOTP, 10-digit TOTP, Steam).
    Ring,
}

impl Engine {
    /// The single rule that routes an account to an engine.
    pub fn for_params(params: &OtpParams) -> Engine {
        // totp-rs's Token panics on 10 digits and only knows Steam behind a feature;
        // it has no HOTP at all.
        if params.kind == OtpKind::Totp && params.digits <= 9 {
            Engine::TotpRs
        } else {
            Engine::Ring
        }
    }
}

enum Prepared {
    TotpRs(totp_rs::Totp),
    Ring(hmac::Key),
}

/// Produces the codes of one account. Cheap to call repeatedly: the HMAC key is prepared once.
pub struct Generator {
    prepared: Prepared,
    params: OtpParams,
}

impl fmt::Debug for Generator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Generator")
            .field("engine", &Engine::for_params(&self.params))
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

fn ring_algorithm(algorithm: Algorithm) -> hmac::Algorithm {
    match algorithm {
        Algorithm::Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        Algorithm::Sha256 => hmac::HMAC_SHA256,
        Algorithm::Sha512 => hmac::HMAC_SHA512,
    }
}

fn totp_rs_algorithm(algorithm: Algorithm) -> totp_rs::Algorithm {
    match algorithm {
        Algorithm::Sha1 => totp_rs::Algorithm::SHA1,
        Algorithm::Sha256 => totp_rs::Algorithm::SHA256,
        Algorithm::Sha512 => totp_rs::Algorithm::SHA512,
    }
}

/// The current Unix time in seconds (0 if the clock is set before 1970, rather than panicking).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// RFC 4226 §5.3 dynamic truncation to a 31-bit number.
fn truncate(tag: &[u8]) -> u32 {
    let offset = (tag[tag.len() - 1] & 0x0f) as usize;
    u32::from_be_bytes([
        tag[offset],
        tag[offset + 1],
        tag[offset + 2],
        tag[offset + 3],
    ]) & 0x7fff_ffff
}

impl Generator {
    /// Prepares the HMAC key for `secret` under `params`.
    pub fn new(secret: &Secret, params: &OtpParams) -> Result<Self, OtpError> {
        params.validate()?;
        if secret.is_empty() {
            return Err(OtpError::EmptySecret);
        }
        let prepared = match Engine::for_params(params) {
            Engine::TotpRs => Prepared::TotpRs(
                totp_rs::Builder::new()
                    .with_algorithm(totp_rs_algorithm(params.algorithm))
                    .with_digits(params.digits)
                    .with_step_duration(u64::from(params.period))
                    .with_secret(secret.as_bytes().to_vec())
                    // Real services hand out 80-bit secrets and 1–9 digit codes, which RFC
                    // checks refuse; `OtpParams::validate` above already rules out what would
                    // make totp-rs panic (zero period, 10+ digits).
                    .build_noncompliant(),
            ),
            Engine::Ring => Prepared::Ring(hmac::Key::new(
                ring_algorithm(params.algorithm),
                secret.as_bytes(),
            )),
        };
        Ok(Generator {
            prepared,
            params: *params,
        })
    }

    /// Prepares the generator of an account.
    pub fn for_account(account: &Account) -> Result<Self, OtpError> {
        Generator::new(&account.secret, &account.params)
    }

    /// The parameters this generator was built with.
    pub fn params(&self) -> &OtpParams {
        &self.params
    }

    /// The engine serving this account.
    pub fn engine(&self) -> Engine {
        Engine::for_params(&self.params)
    }

    /// The moving factor at `unix`: the time step for time-based kinds, the stored counter for HOTP.
    pub fn counter_at(&self, unix: u64) -> u64 {
        if self.params.kind.is_time_based() {
            unix / u64::from(self.params.period)
        } else {
            self.params.counter
        }
    }

    /// The code shown at `unix` (for HOTP: the code of the stored counter, whatever the time).
    pub fn code_at(&self, unix: u64) -> Code {
        match &self.prepared {
            Prepared::TotpRs(totp) => {
                let token = totp.generate(unix);
                let mut code = Code::EMPTY;
                let mut writer = CodeWriter(&mut code);
                // Token's Display only writes zero-padded digits; it cannot fail or overflow.
                let _ = fmt::write(&mut writer, format_args!("{token}"));
                code
            }
            Prepared::Ring(_) => self.code_for_counter(self.counter_at(unix)),
        }
    }

    /// The code shown now.
    pub fn code_now(&self) -> Code {
        self.code_at(unix_now())
    }

    /// The code for an explicit moving factor (HOTP counter, or TOTP time step).
    pub fn code_for_counter(&self, counter: u64) -> Code {
        let value = match &self.prepared {
            Prepared::Ring(key) => truncate(hmac::sign(key, &counter.to_be_bytes()).as_ref()),
            Prepared::TotpRs(totp) => {
                // Reached only through `next_code_at`/explicit counters on TOTP accounts.
                // Saturating: only a step within one period of u64::MAX seconds could overflow,
                // and a wrong code there beats a panic.
                return self_code(totp, counter.saturating_mul(u64::from(self.params.period)));
            }
        };
        match self.params.kind {
            OtpKind::Steam => Code::from_steam(value),
            OtpKind::Totp | OtpKind::Hotp => {
                let modulus = 10u64.pow(u32::from(self.params.digits));
                // 10 digits: the 31-bit value is below 10^10, so it is only zero-padded.
                Code::from_number((u64::from(value) % modulus) as u32, self.params.digits)
            }
        }
    }

    /// The code after the one shown at `unix`: the next time step, or the next counter value.
    pub fn next_code_at(&self, unix: u64) -> Code {
        self.code_for_counter(self.counter_at(unix).saturating_add(1))
    }

    /// Seconds until the code shown at `unix` changes (1..=period); 0 for HOTP, which does not expire.
    pub fn remaining_at(&self, unix: u64) -> u32 {
        if !self.params.kind.is_time_based() {
            return 0;
        }
        let period = u64::from(self.params.period);
        (period - unix % period) as u32
    }

    /// Seconds until the current code changes.
    pub fn remaining_now(&self) -> u32 {
        self.remaining_at(unix_now())
    }
}

fn self_code(totp: &totp_rs::Totp, unix: u64) -> Code {
    let mut code = Code::EMPTY;
    let _ = fmt::write(
        &mut CodeWriter(&mut code),
        format_args!("{}", totp.generate(unix)),
    );
    code
}

/// Appends formatted ASCII into a `Code` without allocating.
struct CodeWriter<'a>(&'a mut Code);

impl fmt::Write for CodeWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let start = self.0.len as usize;
        let end = start + s.len();
        if end > MAX_CODE_LEN {
            return Err(fmt::Error);
        }
        self.0.buf[start..end].copy_from_slice(s.as_bytes());
        self.0.len = end as u8;
        Ok(())
    }
}

/// Computes the codes of many accounts at one instant into `out` (cleared first).
/// Allocates nothing when `out` already has the capacity.
pub fn codes_at(generators: &[Generator], unix: u64, out: &mut Vec<Code>) {
    out.clear();
    out.extend(generators.iter().map(|g| g.code_at(unix)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(ascii: &[u8]) -> Secret {
        Secret::from_bytes(ascii.to_vec())
    }

    #[test]
    fn rfc4226_appendix_d_hotp_values() {
        // RFC 4226 Appendix D: secret "12345678901234567890", counters 0..9.
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        let g = Generator::new(&secret(b"12345678901234567890"), &OtpParams::hotp(0)).unwrap();
        for (counter, want) in expected.iter().enumerate() {
            assert_eq!(
                g.code_for_counter(counter as u64).as_str(),
                *want,
                "RFC 4226 counter {counter}"
            );
        }
    }

    #[test]
    fn rfc6238_appendix_b_totp_values() {
        // RFC 6238 Appendix B; seeds per algorithm as in the RFC's reference code.
        let seed1 = b"12345678901234567890".as_slice();
        let seed256 = b"12345678901234567890123456789012".as_slice();
        let seed512 =
            b"1234567890123456789012345678901234567890123456789012345678901234".as_slice();
        let rows: [(u64, &str, &str, &str); 6] = [
            (59, "94287082", "46119246", "90693936"),
            (1111111109, "07081804", "68084774", "25091201"),
            (1111111111, "14050471", "67062674", "99943326"),
            (1234567890, "89005924", "91819424", "93441116"),
            (2000000000, "69279037", "90698825", "38618901"),
            (20000000000, "65353130", "77737706", "47863826"),
        ];
        for (time, sha1, sha256, sha512) in rows {
            for (algorithm, seed, want) in [
                (Algorithm::Sha1, seed1, sha1),
                (Algorithm::Sha256, seed256, sha256),
                (Algorithm::Sha512, seed512, sha512),
            ] {
                let params = OtpParams {
                    algorithm,
                    digits: 8,
                    ..OtpParams::totp()
                };
                let g = Generator::new(&secret(seed), &params).unwrap();
                assert_eq!(
                    g.code_at(time).as_str(),
                    want,
                    "RFC 6238 T={time} {algorithm:?}"
                );
                // The ring path must agree with totp-rs on every row.
                assert_eq!(
                    g.code_for_counter(time / 30).as_str(),
                    want,
                    "explicit step T={time} {algorithm:?}"
                );
            }
        }
    }

    #[test]
    fn ten_digit_codes_are_zero_padded_truncations() {
        let params = OtpParams {
            digits: 10,
            ..OtpParams::totp()
        };
        let g = Generator::new(&secret(b"12345678901234567890"), &params).unwrap();
        assert_eq!(g.engine(), Engine::Ring);
        let nine = Generator::new(
            &secret(b"12345678901234567890"),
            &OtpParams {
                digits: 9,
                ..params
            },
        )
        .unwrap();
        let ten = g.code_at(59);
        assert_eq!(ten.as_str().len(), 10);
        // The 31-bit value is below 10^10, so the 10-digit code is the whole number, zero-padded,
        // and its last nine digits are the 9-digit code.
        assert_eq!(&ten.as_str()[1..], nine.code_at(59).as_str());
    }

    #[test]
    fn steam_codes_use_steam_alphabet() {
        let g = Generator::new(&secret(b"12345678901234567890"), &OtpParams::steam()).unwrap();
        let code = g.code_at(1_700_000_000);
        assert_eq!(code.as_str().len(), 5);
        assert!(
            code.as_str().bytes().all(|b| STEAM_ALPHABET.contains(&b)),
            "{code}"
        );
    }

    #[test]
    fn steam_and_ten_digit_codes_match_independent_values() {
        // Computed outside Tessera (Python's hmac module, RFC 4226 truncation, Steam's
        // base-26 rendering least significant character first) for RFC 4226's key.
        let rows = [
            (59, "PV9M4", "1094287082"),
            (1_111_111_109, "PY4YB", "0907081804"),
            (1_700_000_000, "R87JJ", "1681921300"),
        ];
        let key = secret(b"12345678901234567890");
        let steam = Generator::new(&key, &OtpParams::steam()).unwrap();
        let ten = Generator::new(
            &key,
            &OtpParams {
                digits: 10,
                ..OtpParams::totp()
            },
        )
        .unwrap();
        for (time, steam_code, ten_digits) in rows {
            assert_eq!(steam.code_at(time).as_str(), steam_code, "Steam T={time}");
            assert_eq!(ten.code_at(time).as_str(), ten_digits, "10 digits T={time}");
        }
    }

    #[test]
    fn remaining_and_next() {
        let g = Generator::new(&secret(b"12345678901234567890"), &OtpParams::totp()).unwrap();
        assert_eq!(g.remaining_at(59), 1);
        assert_eq!(g.remaining_at(60), 30);
        assert_eq!(g.next_code_at(59), g.code_at(60));
        let h = Generator::new(&secret(b"12345678901234567890"), &OtpParams::hotp(3)).unwrap();
        assert_eq!(h.code_at(0).as_str(), "969429");
        assert_eq!(h.next_code_at(0).as_str(), "338314");
        assert_eq!(h.remaining_at(0), 0);
    }

    #[test]
    fn refuses_what_would_panic() {
        let s = secret(b"x");
        assert!(
            Generator::new(
                &s,
                &OtpParams {
                    digits: 11,
                    ..OtpParams::totp()
                }
            )
            .is_err()
        );
        assert!(
            Generator::new(
                &s,
                &OtpParams {
                    digits: 0,
                    ..OtpParams::totp()
                }
            )
            .is_err()
        );
        assert!(
            Generator::new(
                &s,
                &OtpParams {
                    period: 0,
                    ..OtpParams::totp()
                }
            )
            .is_err()
        );
        assert!(Generator::new(&Secret::from_bytes(vec![]), &OtpParams::totp()).is_err());
    }

    #[test]
    fn debug_hides_codes() {
        let g = Generator::new(&secret(b"12345678901234567890"), &OtpParams::totp()).unwrap();
        let code = g.code_at(59);
        assert!(!format!("{code:?}").contains(code.as_str()));
        assert!(!format!("{g:?}").contains("1234"));
    }
}
