//! Codes of 10,000 TOTP accounts at one instant: Tessera's batch call (for a new time step, and
//! again for the same step) beside totp-rs's own `Totp::generate` over the same 10,000 prebuilt
//! `Totp` objects, in the same run.
//!
//! `cargo bench -p tessera-core --bench codes` — criterion reports the time per batch of 10,000
//! and the throughput; ns per code = batch time / 10,000.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tessera_core::account::OtpParams;
use tessera_core::otp::{self, Code, Generator};
use tessera_core::secret::Secret;

const ACCOUNTS: usize = 10_000;
/// An instant in 2026; the new-step benchmarks move on by one period per batch.
const START: u64 = 1_795_000_000;

fn keys() -> Vec<Vec<u8>> {
    // 20-byte (160-bit) keys, the size most services use; deterministic filler.
    (0..ACCOUNTS)
        .map(|i| {
            (0..20u32)
                .map(|j| (i as u32).wrapping_mul(2_654_435_761).wrapping_add(j * 97) as u8)
                .collect()
        })
        .collect()
}

fn bench_codes(c: &mut Criterion) {
    let keys = keys();
    let params = OtpParams::totp();
    let generators: Vec<Generator> = keys
        .iter()
        .map(|k| Generator::new(&Secret::from_bytes(k.clone()), &params).expect("valid"))
        .collect();
    let raw: Vec<totp_rs::Totp> = keys
        .iter()
        .map(|k| {
            totp_rs::Builder::new()
                .with_algorithm(totp_rs::Algorithm::SHA1)
                .with_digits(6)
                .with_step_duration(30)
                .with_secret(k.clone())
                .build_noncompliant()
        })
        .collect();

    let mut group = c.benchmark_group("10k_totp_codes");
    group.throughput(Throughput::Elements(ACCOUNTS as u64));
    group.sample_size(20);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(4));

    // A new time step for every batch: every code costs an HMAC (what totp-rs always pays).
    let mut out: Vec<Code> = Vec::with_capacity(ACCOUNTS);
    let mut now = START;
    group.bench_function("tessera_codes_at_new_step", |b| {
        b.iter(|| {
            now += 30;
            otp::codes_at(black_box(&generators), black_box(now), &mut out);
            black_box(&out);
        })
    });

    // The same instant again, as when an app redraws its list every second: each generator
    // serves the code it remembers for the step.
    group.bench_function("tessera_codes_at_same_step", |b| {
        b.iter(|| {
            otp::codes_at(black_box(&generators), black_box(START), &mut out);
            black_box(&out);
        })
    });

    let mut now = START;
    group.bench_function("totp_rs_generate", |b| {
        b.iter(|| {
            now += 30;
            for totp in &raw {
                black_box(totp.generate(black_box(now)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_codes);
criterion_main!(benches);
