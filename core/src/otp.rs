//! One-time codes: TOTP (RFC 6238), HOTP (RFC 4226) and Steam Guard.
//!
//! Every time-dependent function comes in a pair: `*_at(unix_seconds)` for an explicit
//! instant (what tests, batch calls and server-synchronized clocks use) and `*_now()`.
//!
//! Two engines compute the HMAC. totp-rs, the engine chosen for the project, serves plain
//! TOTP with 1 to 9 digits; a prepared RustCrypto HMAC serves what totp-rs does not reach:
//! HOTP, 10-digit codes (totp-rs panics on them) and Steam. [`Engine::for_params`] is the one
//! place that decides. Either engine produces the HMAC; the RFC 4226 truncation and the
//! rendering (digits or Steam's alphabet) are shared, so both paths give identical text.
//!
//! Costs, and why the code is shaped this way (figures in `docs/performance.md`):
//! - totp-rs keys its HMAC for every code (it keeps the secret, not the keyed state), which is
//!   most of a code's cost and cannot be changed from outside. What Tessera adds around it is
//!   kept below what totp-rs's own `generate` adds: the time step is computed once, by a
//!   multiplication for the usual periods, and handed to totp-rs as the "time" of a
//!   one-second-step `Totp`, so its own division is by one; the truncated value is rendered
//!   from a two-digit table with constant divisors.
//! - The prepared HMAC keeps the inner and outer hash states after absorbing the key, so a
//!   code costs two compressions instead of four. Those states are key material: they are
//!   boxed, never copied except into the per-code working copy, and wiped on drop (the
//!   `zeroize` features of `hmac`, `sha1` and `sha2`).
//! - Each generator remembers the last code it computed: asking again within the same time
//!   step (an app redrawing every second) costs no HMAC at all. This is the only code cache in
//!   Tessera; the vault keeps generators, not codes.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};

use crate::account::{Account, Algorithm, OtpKind, OtpParams, ParamsError};
use crate::secret::Secret;

/// Steam Guard's alphabet: digits and consonants that cannot be confused with each other.
const STEAM_ALPHABET: &[u8; 26] = b"23456789BCDFGHJKMNPQRTVWXY";

/// "00", "01", … "99" back to back.
const DIGIT_PAIRS: [u8; 200] = {
    let mut table = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        table[2 * i] = b'0' + (i / 10) as u8;
        table[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    table
};

/// The longest code Tessera produces.
pub const MAX_CODE_LEN: usize = 10;

/// A generated code: the RFC 4226 truncated HMAC value and how to show it. Rendering to
/// text is deferred to [`Code::text`] (or `Display`), as totp-rs's own `Token` does: a batch
/// of codes costs the HMACs and nothing more, and text is made once, where it is shown.
/// `Debug` never shows the code.
#[derive(Clone, Copy)]
pub struct Code {
    /// The 31-bit dynamic truncation (RFC 4226 §5.3), not yet reduced to the code's length.
    value: u32,
    /// Number of characters shown (1–10 digits, or Steam's 5 characters).
    len: u8,
    steam: bool,
}

/// Steam Guard's code space: five characters of its 26-letter alphabet.
const STEAM_CODES: u32 = 26 * 26 * 26 * 26 * 26;

impl Code {
    /// The number the text shows: the value reduced to the code's length (10^digits, or 26^5
    /// for Steam). Two codes are equal when this and their form are.
    pub fn number(&self) -> u32 {
        if self.steam {
            self.value % STEAM_CODES
        } else {
            match self.len {
                // Constant divisors (a multiplication) for the usual lengths.
                6 => self.value % MODULUS[6],
                8 => self.value % MODULUS[8],
                len => self.value % MODULUS[usize::from(len).min(MAX_CODE_LEN)],
            }
        }
    }

    /// Number of characters of the text.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Always false: a code has at least one character. (For the `len`/`is_empty` pair.)
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The code as text (ASCII digits, or Steam's letters and digits), on the stack.
    pub fn text(&self) -> CodeText {
        if self.steam {
            CodeText::steam(self.value)
        } else {
            match self.len {
                // The usual lengths get their own copy of the rendering, with constant
                // divisors (multiplications) and a fully unrolled loop. Written as one loop
                // over a run-time length, LLVM merged the constants back into one hardware
                // division by a selected divisor (~25 cycles).
                6 => CodeText::decimal::<6>(self.value),
                8 => CodeText::decimal::<8>(self.value),
                len => CodeText::from_number(self.number(), len),
            }
        }
    }
}

impl PartialEq for Code {
    fn eq(&self, other: &Code) -> bool {
        self.len == other.len && self.steam == other.steam && self.number() == other.number()
    }
}

impl Eq for Code {}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text().as_str())
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Code(<{} chars redacted>)", self.len)
    }
}

/// The text of a [`Code`], held on the stack. `Display` shows it; `Debug` does not.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CodeText {
    buf: [u8; MAX_CODE_LEN],
    len: u8,
}

impl CodeText {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII from `from_number`/`steam` is ever written into `buf`.
        std::str::from_utf8(&self.buf[..self.len as usize]).unwrap_or("")
    }

    /// Zero-padded decimal rendering of `value` (already below 10^digits) on `digits` places.
    fn from_number(mut value: u32, digits: u8) -> CodeText {
        let mut text = CodeText {
            buf: [b'0'; MAX_CODE_LEN],
            len: digits,
        };
        // Two digits per step from a table: rendering was a visible share of a code's cost.
        let mut end = usize::from(digits).min(MAX_CODE_LEN);
        while end >= 2 {
            let pair = (value % 100) as usize * 2;
            value /= 100;
            text.buf[end - 2..end].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
            end -= 2;
        }
        if end == 1 {
            text.buf[0] = b'0' + (value % 10) as u8;
        }
        text
    }

    /// [`CodeText::from_number`] for a length known at compile time.
    #[inline(always)]
    fn decimal<const DIGITS: u8>(value: u32) -> CodeText {
        CodeText::from_number(value % MODULUS[DIGITS as usize], DIGITS)
    }

    /// Steam Guard: the value's five lowest base-26 digits, least significant first.
    fn steam(mut value: u32) -> CodeText {
        let mut text = CodeText {
            buf: [b'0'; MAX_CODE_LEN],
            len: crate::account::STEAM_DIGITS,
        };
        for slot in text.buf[..usize::from(text.len)].iter_mut() {
            *slot = STEAM_ALPHABET[(value % 26) as usize];
            value /= 26;
        }
        text
    }
}

impl fmt::Display for CodeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CodeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CodeText(<{} chars redacted>)", self.len)
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
    /// A prepared RustCrypto HMAC (HOTP, 10-digit TOTP, Steam).
    PreparedHmac,
}

impl Engine {
    /// The single rule that routes an account to an engine.
    pub fn for_params(params: &OtpParams) -> Engine {
        // totp-rs's Token panics on 10 digits and only knows Steam behind a feature;
        // it has no HOTP at all.
        if params.kind == OtpKind::Totp && params.digits <= 9 {
            Engine::TotpRs
        } else {
            Engine::PreparedHmac
        }
    }
}

enum Prepared {
    /// Built with a one-second step: it is handed the time step, not the time.
    TotpRs(totp_rs::Totp),
    // Boxed: the keyed states are 200 to 400 bytes and would multiply the size of every
    // generator, which costs cache misses when thousands of TOTP generators are walked.
    Keyed(Box<KeyedHmac>),
}

/// The HMAC state after absorbing the key (RFC 2104's inner and outer pads), per algorithm.
/// Wiped when dropped: the digest cores and buffers zeroize themselves (crate features).
#[derive(Clone)]
enum KeyedHmac {
    Sha1(Hmac<sha1::Sha1>),
    Sha256(Hmac<sha2::Sha256>),
    Sha512(Hmac<sha2::Sha512>),
}

impl KeyedHmac {
    fn new(algorithm: Algorithm, key: &[u8]) -> Self {
        // `new_from_slice` accepts any key length for HMAC (long keys are hashed first, as
        // RFC 2104 says), so these cannot fail.
        fn keyed<M: KeyInit>(key: &[u8]) -> M {
            match M::new_from_slice(key) {
                Ok(mac) => mac,
                Err(_) => unreachable!("HMAC accepts keys of any length"),
            }
        }
        match algorithm {
            Algorithm::Sha1 => KeyedHmac::Sha1(keyed(key)),
            Algorithm::Sha256 => KeyedHmac::Sha256(keyed(key)),
            Algorithm::Sha512 => KeyedHmac::Sha512(keyed(key)),
        }
    }

    /// RFC 4226 §5.3 truncated HMAC of the moving factor, from a working copy of the state.
    fn value(&self, counter: u64) -> u32 {
        fn sign<M: Mac + Clone>(prepared: &M, counter: u64) -> u32 {
            let mut mac = prepared.clone();
            mac.update(&counter.to_be_bytes());
            truncate(&mac.finalize().into_bytes())
        }
        match self {
            KeyedHmac::Sha1(mac) => sign(mac, counter),
            KeyedHmac::Sha256(mac) => sign(mac, counter),
            KeyedHmac::Sha512(mac) => sign(mac, counter),
        }
    }
}

/// Produces the codes of one account. Cheap to call repeatedly: the HMAC key is prepared once,
/// and the last code is remembered for its time step. `Send + Sync`.
///
/// Exactly one cache line (64 bytes, aligned), so walking thousands of them in a batch touches
/// one line per account.
#[repr(align(64))]
pub struct Generator {
    prepared: Prepared,
    params: OtpParams,
    /// The last value computed by [`Generator::code_at`], in one word so that threads never see
    /// a torn entry: the moving factor plus one in the high 33 bits, the 31-bit truncated
    /// HMAC value in the low 31 bits; 0 when empty. Moving factors of 2^33 − 1 and above
    /// (beyond the year 2242 even with 1-second periods) are simply not cached.
    last: AtomicU64,
}

/// 10^digits for 0..=9 digits; 10 digits take the whole 31-bit value (below 10^10), zero-padded.
const MODULUS: [u32; MAX_CODE_LEN + 1] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    u32::MAX,
];

const VALUE_BITS: u32 = 31;
const VALUE_MASK: u64 = (1 << VALUE_BITS) - 1;
const MAX_CACHED_COUNTER: u64 = (1 << (64 - VALUE_BITS)) - 2;

impl Drop for Generator {
    fn drop(&mut self) {
        // The cached value is the current code; do not leave it behind.
        self.last.store(0, Ordering::Relaxed);
    }
}

impl fmt::Debug for Generator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Generator")
            .field("engine", &Engine::for_params(&self.params))
            .field("params", &self.params)
            .finish_non_exhaustive()
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

/// The current Unix time in milliseconds (0 before 1970), for what needs more than whole
/// seconds: how much of a code's period is left, and how long to wait for the next one.
pub fn unix_now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// RFC 4226 §5.3 dynamic truncation to a 31-bit number.
// Inlined: at the release profile's opt-level "s" LLVM kept it (and `value_for_counter`)
// as calls, ~40 of the ~70 instructions per code Tessera added around totp-rs (callgrind).
#[inline(always)]
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
                    // Tessera computes the time step itself (see the module docs).
                    .with_step_duration(1)
                    .with_secret(secret.as_bytes().to_vec())
                    // Real services hand out 80-bit secrets and 1–9 digit codes, which RFC
                    // checks refuse; `OtpParams::validate` above already rules out what would
                    // make totp-rs panic (zero period, 10+ digits).
                    .build_noncompliant(),
            ),
            Engine::PreparedHmac => Prepared::Keyed(Box::new(KeyedHmac::new(
                params.algorithm,
                secret.as_bytes(),
            ))),
        };
        Ok(Generator {
            prepared,
            params: *params,
            last: AtomicU64::new(0),
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
            // The usual periods get a division by a constant (a multiplication); a division by
            // a run-time value is the costliest instruction on the cached-code path.
            match self.params.period {
                30 => unix / 30,
                60 => unix / 60,
                period => unix / u64::from(period),
            }
        } else {
            self.params.counter
        }
    }

    /// The code shown at `unix` (for HOTP: the code of the stored counter, whatever the time).
    pub fn code_at(&self, unix: u64) -> Code {
        let counter = self.counter_at(unix);
        if counter > MAX_CACHED_COUNTER {
            return self.render(self.value_for_counter(counter));
        }
        let tag = (counter + 1) << VALUE_BITS;
        let last = self.last.load(Ordering::Relaxed);
        if last & !VALUE_MASK == tag {
            return self.render((last & VALUE_MASK) as u32);
        }
        let value = self.value_for_counter(counter);
        self.last.store(tag | u64::from(value), Ordering::Relaxed);
        self.render(value)
    }

    /// The code shown now.
    pub fn code_now(&self) -> Code {
        self.code_at(unix_now())
    }

    /// The code for an explicit moving factor (HOTP counter, or TOTP time step).
    pub fn code_for_counter(&self, counter: u64) -> Code {
        self.render(self.value_for_counter(counter))
    }

    /// RFC 4226 §5.3: the 31-bit dynamic truncation of the HMAC of the moving factor.
    #[inline(always)]
    fn value_for_counter(&self, counter: u64) -> u32 {
        match &self.prepared {
            Prepared::Keyed(keyed) => keyed.value(counter),
            // A one-second step: totp-rs's "time" is the moving factor itself.
            Prepared::TotpRs(totp) => truncate(totp.sign(counter).as_ref()),
        }
    }

    /// The code of a truncated value; its text is made by [`Code::text`].
    #[inline(always)]
    fn render(&self, value: u32) -> Code {
        Code {
            value,
            len: self.params.digits,
            steam: self.params.kind == OtpKind::Steam,
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
                g.code_for_counter(counter as u64).text().as_str(),
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
                    g.code_at(time).text().as_str(),
                    want,
                    "RFC 6238 T={time} {algorithm:?}"
                );
                // An explicit time step gives the same code as the time inside it.
                assert_eq!(
                    g.code_for_counter(time / 30).text().as_str(),
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
        assert_eq!(g.engine(), Engine::PreparedHmac);
        let nine = Generator::new(
            &secret(b"12345678901234567890"),
            &OtpParams {
                digits: 9,
                ..params
            },
        )
        .unwrap();
        let ten = g.code_at(59);
        assert_eq!(ten.text().as_str().len(), 10);
        // The 31-bit value is below 10^10, so the 10-digit code is the whole number, zero-padded,
        // and its last nine digits are the 9-digit code.
        assert_eq!(&ten.text().as_str()[1..], nine.code_at(59).text().as_str());
    }

    #[test]
    fn steam_codes_use_steam_alphabet() {
        let g = Generator::new(&secret(b"12345678901234567890"), &OtpParams::steam()).unwrap();
        let code = g.code_at(1_700_000_000);
        assert_eq!(code.text().as_str().len(), 5);
        assert!(
            code.text()
                .as_str()
                .bytes()
                .all(|b| STEAM_ALPHABET.contains(&b)),
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
            assert_eq!(
                steam.code_at(time).text().as_str(),
                steam_code,
                "Steam T={time}"
            );
            assert_eq!(
                ten.code_at(time).text().as_str(),
                ten_digits,
                "10 digits T={time}"
            );
        }
    }

    #[test]
    fn remembered_code_is_only_reused_within_its_step() {
        let g = Generator::new(&secret(b"12345678901234567890"), &OtpParams::hotp(0)).unwrap();
        let t = Generator::new(
            &secret(b"12345678901234567890"),
            &OtpParams {
                digits: 8,
                ..OtpParams::totp()
            },
        )
        .unwrap();
        // Alternating instants of different steps, each asked twice: RFC 6238 values every time.
        for _ in 0..2 {
            for (time, want) in [
                (59, "94287082"),
                (1_111_111_109, "07081804"),
                (58, "94287082"),
            ] {
                assert_eq!(t.code_at(time).text().as_str(), want, "T={time}");
                assert_eq!(t.code_at(time).text().as_str(), want, "T={time} again");
            }
        }
        // Steps too large to remember are computed every time, and still right.
        let far = Generator::new(
            &secret(b"12345678901234567890"),
            &OtpParams {
                period: 1,
                ..OtpParams::totp()
            },
        )
        .unwrap();
        for step in [MAX_CACHED_COUNTER, MAX_CACHED_COUNTER + 1, u64::MAX] {
            assert_eq!(far.code_at(step), far.code_for_counter(step), "step {step}");
            assert_eq!(
                far.code_at(step),
                far.code_for_counter(step),
                "step {step} again"
            );
        }
        assert_eq!(g.code_at(12_345).text().as_str(), "755224");
    }

    #[test]
    fn prepared_hmac_states_are_wiped_on_drop() {
        // The keyed states live in these digest cores; this stops compiling if the `zeroize`
        // features that make them wipe themselves are ever dropped from the manifest.
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wiped_on_drop::<sha1::block_api::Sha1Core>();
        wiped_on_drop::<sha2::block_api::Sha256VarCore>();
        wiped_on_drop::<sha2::block_api::Sha512VarCore>();
        wiped_on_drop::<totp_rs::Totp>();
    }

    #[test]
    fn both_engines_agree_where_both_apply() {
        // The same TOTP account through each engine: same codes at several steps.
        let key = secret(b"12345678901234567890123456789012");
        for algorithm in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512] {
            let params = OtpParams {
                algorithm,
                digits: 8,
                ..OtpParams::totp()
            };
            let totp_rs = Generator::new(&key, &params).unwrap();
            assert_eq!(totp_rs.engine(), Engine::TotpRs);
            let prepared = Generator {
                prepared: Prepared::Keyed(Box::new(KeyedHmac::new(algorithm, key.as_bytes()))),
                params,
                last: AtomicU64::new(0),
            };
            for step in [0, 1, 37, 59_833_333, u64::MAX] {
                assert_eq!(
                    totp_rs.code_for_counter(step),
                    prepared.code_for_counter(step),
                    "{algorithm:?} step {step}"
                );
            }
        }
    }

    #[test]
    fn generators_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Generator>();
    }

    #[test]
    fn remaining_and_next() {
        let g = Generator::new(&secret(b"12345678901234567890"), &OtpParams::totp()).unwrap();
        assert_eq!(g.remaining_at(59), 1);
        assert_eq!(g.remaining_at(60), 30);
        assert_eq!(g.next_code_at(59), g.code_at(60));
        let h = Generator::new(&secret(b"12345678901234567890"), &OtpParams::hotp(3)).unwrap();
        assert_eq!(h.code_at(0).text().as_str(), "969429");
        assert_eq!(h.next_code_at(0).text().as_str(), "338314");
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
        assert!(!format!("{code:?}").contains(code.text().as_str()));
        assert!(!format!("{code:?}").contains(&code.number().to_string()));
        assert!(!format!("{:?}", code.text()).contains(code.text().as_str()));
        assert!(!format!("{g:?}").contains("1234"));
    }

    #[test]
    fn a_code_is_its_number_on_its_length() {
        // The text is made on demand from the 31-bit value: check it against the number the
        // RFC defines (value mod 10^digits, zero-padded), computed here with plain formatting.
        for digits in 1..=10u8 {
            for value in [0u32, 7, 123_456, 99_999_999, 1_234_567_890, 0x7fff_ffff] {
                let code = Code {
                    value,
                    len: digits,
                    steam: false,
                };
                let modulus = 10u64.pow(u32::from(digits));
                let expected = format!(
                    "{:0width$}",
                    u64::from(value) % modulus,
                    width = usize::from(digits)
                );
                assert_eq!(code.text().as_str(), expected, "{digits} digits of {value}");
                assert_eq!(code.to_string(), expected);
                assert_eq!(u64::from(code.number()), u64::from(value) % modulus);
                assert_eq!(code.len(), usize::from(digits));
            }
        }
    }

    #[test]
    fn codes_are_equal_when_their_text_is() {
        let code = |value, len, steam| Code { value, len, steam };
        // Values that differ by a multiple of 10^6 show the same six digits.
        assert_eq!(code(1_123_456, 6, false), code(123_456, 6, false));
        assert_ne!(code(123_456, 6, false), code(123_457, 6, false));
        assert_ne!(code(123_456, 6, false), code(123_456, 7, false));
        // Steam shows five base-26 characters: values 26^5 apart look the same.
        let steam = code(42, 5, true);
        assert_eq!(steam, code(42 + 26u32.pow(5), 5, true));
        assert_eq!(steam.text(), code(42 + 26u32.pow(5), 5, true).text());
        assert_ne!(steam, code(42, 5, false));
    }
}
