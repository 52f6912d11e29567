//! Cross-check against an independent implementation: OATH Toolkit's `oathtool` (Debian package
//! `oathtool`; `tests/run-all.sh` installs it). Random combinations of key length, algorithm,
//! 6–8 digits, period, time and counter, TOTP and HOTP, each compared over a window of
//! consecutive codes. The RNG is seeded; the seed is printed and `TESSERA_OATH_SEED=<seed>`
//! replays a run.

use std::process::Command;

use tessera_core::account::{Algorithm, OtpParams};
use tessera_core::otp::Generator;
use tessera_core::secret::Secret;

/// Combinations to check (each is one oathtool call).
const COMBINATIONS: usize = 1200;
/// Extra consecutive codes per combination (`oathtool -w`).
const WINDOW: u64 = 4;
const THREADS: usize = 4;

/// SplitMix64: tiny, well-known and deterministic; all this test needs from an RNG.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Debug)]
struct Combination {
    key: Vec<u8>,
    algorithm: Algorithm,
    digits: u8,
    /// TOTP: Some((period, unix time)); HOTP: None.
    totp: Option<(u32, u64)>,
    counter: u64,
}

impl Combination {
    fn random(rng: &mut Rng, index: usize) -> Self {
        // Key lengths from 1 byte to past the HMAC block size (64, and 128 for SHA-512),
        // where the key is hashed first.
        let len = 1 + rng.below(140) as usize;
        let key = (0..len).map(|_| rng.next() as u8).collect();
        let algorithm =
            [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512][rng.below(3) as usize];
        let digits = 6 + rng.below(3) as u8;
        let totp = index.is_multiple_of(2).then(|| {
            let period = match rng.below(4) {
                0 => 30,
                1 => 60,
                2 => 1 + rng.below(10) as u32,
                _ => 1 + rng.below(86_400) as u32,
            };
            let time = match rng.below(3) {
                0 => rng.below(100_000),
                1 => 1_700_000_000 + rng.below(100_000_000),
                _ => rng.below(1 << 33),
            };
            (period, time)
        });
        let counter = match rng.below(3) {
            0 => rng.below(20),
            1 => rng.below(u64::from(u32::MAX)),
            _ => rng.below(1 << 50),
        };
        Combination {
            key,
            algorithm,
            digits,
            totp,
            counter,
        }
    }

    fn oathtool_args(&self) -> Vec<String> {
        let hex: String = self.key.iter().map(|b| format!("{b:02x}")).collect();
        let mut args = vec![
            format!("--digits={}", self.digits),
            format!("--window={WINDOW}"),
        ];
        match self.totp {
            Some((period, time)) => {
                args.push(format!("--totp={}", self.algorithm.as_str()));
                args.push(format!("--time-step-size={period}s"));
                args.push(format!("--now=@{time}"));
            }
            None if self.algorithm == Algorithm::Sha1 => {
                args.push("--hotp".into());
                args.push(format!("--counter={}", self.counter));
            }
            None => {
                // oathtool's --hotp is HMAC-SHA1 only. TOTP with a 1-second step at time C is
                // exactly HOTP at counter C (RFC 6238 §4), so that checks HOTP-SHA256/512.
                args.push(format!("--totp={}", self.algorithm.as_str()));
                args.push("--time-step-size=1s".into());
                args.push(format!("--now=@{}", self.counter));
            }
        }
        args.push(hex);
        args
    }

    fn ours(&self) -> Vec<String> {
        let secret = Secret::from_bytes(self.key.clone());
        match self.totp {
            Some((period, time)) => {
                let params = OtpParams {
                    algorithm: self.algorithm,
                    digits: self.digits,
                    period,
                    ..OtpParams::totp()
                };
                let g = Generator::new(&secret, &params).expect("valid parameters");
                (0..=WINDOW)
                    .map(|i| g.code_at(time + i * u64::from(period)).to_string())
                    .collect()
            }
            None => {
                let params = OtpParams {
                    algorithm: self.algorithm,
                    digits: self.digits,
                    ..OtpParams::hotp(self.counter)
                };
                let g = Generator::new(&secret, &params).expect("valid parameters");
                (0..=WINDOW)
                    .map(|i| g.code_for_counter(self.counter + i).to_string())
                    .collect()
            }
        }
    }
}

fn oathtool_available() -> bool {
    Command::new("oathtool")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn codes_match_oathtool_on_random_combinations() {
    assert!(
        oathtool_available(),
        "oathtool is not installed: install the Debian package `oathtool` \
         (apt-get install oathtool; ./tests/run-all.sh does it) — this cross-check must not be skipped"
    );
    let seed = std::env::var("TESSERA_OATH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64)
        });
    println!("oathtool cross-check seed: {seed} (replay with TESSERA_OATH_SEED={seed})");
    let mut rng = Rng(seed);
    let combinations: Vec<Combination> = (0..COMBINATIONS)
        .map(|i| Combination::random(&mut rng, i))
        .collect();

    let failures: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = combinations
            .chunks(COMBINATIONS.div_ceil(THREADS))
            .map(|chunk| {
                scope.spawn(move || {
                    let mut failures = Vec::new();
                    for c in chunk {
                        let out = Command::new("oathtool")
                            .args(c.oathtool_args())
                            .output()
                            .expect("run oathtool");
                        let theirs: Vec<String> = String::from_utf8_lossy(&out.stdout)
                            .lines()
                            .map(str::to_owned)
                            .collect();
                        if !out.status.success() || theirs != c.ours() {
                            // Test keys are random, not user secrets: printing them helps debugging.
                            failures
                                .push(format!("{c:?}: oathtool {theirs:?} ours {:?}", c.ours()));
                        }
                    }
                    failures
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("worker"))
            .collect()
    });
    let codes = COMBINATIONS * (WINDOW as usize + 1);
    println!(
        "oathtool cross-check: {COMBINATIONS} combinations, {codes} codes, {} mismatches",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "seed {seed}: {} mismatches, first: {}",
        failures.len(),
        failures[0]
    );
}
