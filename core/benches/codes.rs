//! Codes of 10,000 TOTP accounts at one instant: Tessera's batch call (for a new time step, and
//! again for the same step) beside totp-rs's own `Totp::generate` over the same 10,000 prebuilt
//! `Totp` objects, in the same run; then the peers outside Rust, measured by this same program
//! as external processes: oathtool (liboath, C) and pyotp (Python).
//!
//! `cargo bench -p tessera-core --bench codes` — criterion reports the time per batch of 10,000
//! and the throughput; ns per code = batch time / 10,000. `tests/bench.sh codes` runs it and
//! prints the summary line. The peers print one line each (`peer oathtool: … ns/code`) and are
//! skipped, saying so, when not installed (`oathtool` on PATH; pyotp in `$TESSERA_BENCH_PYTHON`,
//! else `python3`).
//!
//! Rows: `tessera_codes_at_new_step` (a cold time step: every code costs an HMAC through
//! totp-rs), `tessera_codes_at_new_step_and_render` (the same, each code then rendered as text),
//! `tessera_codes_at_same_step` (within the step: the generator's remembered code),
//! `tessera_prepared_hmac_new_step` (10-digit TOTP, served by the prepared-HMAC engine that
//! also serves HOTP and Steam), `totp_rs_generate` (raw totp-rs, the goal's yardstick) and
//! `totp_rs_generate_and_render` (what an app must add to show a totp-rs `Token`). Like
//! totp-rs 6's `Token`, Tessera's `Code` holds the truncated value and makes its text on
//! demand, so the first and fourth rows do the same work (HMAC and truncation), and so do the
//! second and the last (plus the text).
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

    let ten_digits = OtpParams {
        digits: 10,
        ..OtpParams::totp()
    };
    let prepared: Vec<Generator> = secrets
        .iter()
        .map(|s| Generator::new(s, &ten_digits).expect("valid"))
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

    // The same, then each code rendered as text (into a stack buffer): the counterpart of
    // `totp_rs_generate_and_render`, what a list shows.
    let mut now = START;
    group.bench_function("tessera_codes_at_new_step_and_render", |b| {
        b.iter(|| {
            now += 30;
            otp::codes_at(black_box(&generators), black_box(now), &mut out);
            for code in &out {
                black_box(code.text());
            }
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

    // The other engine (HOTP, Steam, 10 digits): its HMAC key is prepared once per account.
    let mut now = START;
    group.bench_function("tessera_prepared_hmac_new_step", |b| {
        b.iter(|| {
            now += 30;
            otp::codes_at(black_box(&prepared), black_box(now), &mut out);
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

/// CPU time (user + system) of a finished child process.
fn child_cpu(child: std::process::Child) -> Option<(Duration, std::process::Output)> {
    let pid = child.id() as libc::pid_t;
    let mut child = child;
    // Read the output first (the child may block on a full pipe), then reap it with wait4,
    // which reports its own rusage rather than the sum over all children.
    let mut stdout = Vec::new();
    std::io::Read::read_to_end(child.stdout.as_mut()?, &mut stdout).ok()?;
    let mut status = 0;
    // SAFETY: `usage` is a valid, writable rusage; `pid` is our own unreaped child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if rc != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return None;
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Some((
        tv(usage.ru_utime) + tv(usage.ru_stime),
        std::process::Output {
            status: std::os::unix::process::ExitStatusExt::from_raw(status),
            stdout,
            stderr: Vec::new(),
        },
    ))
}

/// oathtool computes `window + 1` codes of consecutive time steps for one key in one process
/// (`--window`): the CPU time of a run with 10,000 codes minus that of a run with one, over
/// 9,999, is its cost per cold-step code without the process start. liboath keys its HMAC for
/// every code, as totp-rs does.
fn peer_oathtool() {
    let run = |window: u32| {
        let child = std::process::Command::new("oathtool")
            .args(["--totp", "--digits=6", "--time-step-size=30s"])
            .arg(format!("--now=@{START}"))
            .arg(format!("--window={window}"))
            // A fixed 20-byte test key (hex): not an account's secret.
            .arg("3132333435363738393031323334353637383930")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .ok()?;
        child_cpu(child)
    };
    // Best of three of each: process start-up dominates the small run and varies.
    let best = |window: u32| (0..3).filter_map(|_| run(window)).map(|(t, _)| t).min();
    match (best(0), best(ACCOUNTS as u32 - 1)) {
        (Some(one), Some(many)) if many > one => println!(
            "peer oathtool: {:.1} ns/code (cold step, {} codes in one process)",
            (many - one).as_nanos() as f64 / (ACCOUNTS - 1) as f64,
            ACCOUNTS
        ),
        _ => println!("peer oathtool: skipped (oathtool is not installed or failed)"),
    }
}

/// pyotp in its own interpreter: 10,000 `TOTP` objects, each asked for the code at a new time
/// step (cold) and again at the same instant (pyotp has no cache: the same cost), timed with the
/// process's CPU clock inside Python.
fn peer_pyotp() {
    const SCRIPT: &str = r#"
import base64, time, pyotp
keys = [bytes(((i * 2654435761 + j * 97) & 0xff) for j in range(20)) for i in range(10000)]
otps = [pyotp.TOTP(base64.b32encode(k).decode()) for k in keys]
best = None
for batch in range(5):
    at = 1795000000 + 30 * (batch + 1)
    start = time.process_time_ns()
    for t in otps:
        t.at(at)
    spent = time.process_time_ns() - start
    best = spent if best is None else min(best, spent)
print(best / len(otps))
"#;
    let python = std::env::var("TESSERA_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(&python)
        .args(["-c", SCRIPT])
        .stderr(std::process::Stdio::null())
        .output();
    match out
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse::<f64>().ok())
    {
        Some(ns) => {
            println!("peer pyotp: {ns:.1} ns/code (cold step, best of 5 batches of 10,000)")
        }
        None => println!("peer pyotp: skipped (no pyotp for {python})"),
    }
}

fn peers(_: &mut Criterion<ThreadCpuTime>) {
    peer_oathtool();
    peer_pyotp();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpuTime);
    targets = bench_codes, peers
}
criterion_main!(benches);
