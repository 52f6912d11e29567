//! Codes of 10,000 TOTP accounts at one instant: Tessera's batch call (for a new time step, and
//! again for the same step) beside totp-rs's own `Totp::generate` over the same 10,000 prebuilt
//! `Totp` objects, in the same run.
//!
//! `cargo bench -p tessera-core --bench codes` — criterion reports the time per batch of 10,000
//! and the throughput; ns per code = batch time / 10,000.
//!
//! Time is the benchmark thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), not wall-clock time:
//! the build machine is shared, and time spent preempted by other processes is not the cost of
//! a code. Cache pollution by other processes still shows, so compare the rows of one run.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
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

/// A code's text on the stack, for rendering totp-rs tokens without allocating.
#[derive(Default)]
struct StackText {
    buf: [u8; 16],
    len: usize,
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(std::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// CPU time consumed by the calling thread.
struct ThreadCpuTime;

fn thread_cpu_now() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant Linux supports.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

impl Measurement for ThreadCpuTime {
    type Intermediate = Duration;
    type Value = Duration;

    fn start(&self) -> Duration {
        thread_cpu_now()
    }
    fn end(&self, start: Duration) -> Duration {
        thread_cpu_now().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        // Durations print the same whatever clock measured them.
        static WALL: WallTime = WallTime;
        WALL.formatter()
    }
}

fn bench_codes(c: &mut Criterion<ThreadCpuTime>) {
    let keys = keys();
    let params = OtpParams::totp();
    // Secrets first, kept alive, so that both sides' key copies end up packed alike on the heap.
    let secrets: Vec<Secret> = keys.iter().map(|k| Secret::from_bytes(k.clone())).collect();
    let generators: Vec<Generator> = secrets
        .iter()
        .map(|s| Generator::new(s, &params).expect("valid"))
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
    // What an app has to do with a Token to show it: render it as text (into a stack buffer).
    let mut now = START;
    group.bench_function("totp_rs_generate_and_render", |b| {
        b.iter(|| {
            now += 30;
            for totp in &raw {
                let mut text = StackText::default();
                let _ = write!(text, "{}", totp.generate(black_box(now)));
                black_box(&text);
            }
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpuTime);
    targets = bench_codes
}
criterion_main!(benches);
