//! The two timers every shell runs: when the app locks itself after being left alone, and
//! when a copied code leaves the clipboard. The shells only run the timers; the decisions are
//! here.

/// How long the app may be left alone before it locks the vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LockTimeout {
    /// Lock as soon as the app is left (it goes to the background).
    Immediately,
    /// Lock once it has been left this many seconds (0 locks at once, like `Immediately`).
    After(u32),
    /// Never lock by itself (the user locks by hand, or the app process ends).
    Never,
}

/// The timeout of a new installation: one minute, long enough to fetch a code from another app
/// and come back, short enough that a phone left on a table locks soon.
pub const DEFAULT_LOCK_TIMEOUT: LockTimeout = LockTimeout::After(60);

/// What a settings screen offers, shortest first.
pub const LOCK_TIMEOUT_CHOICES: [LockTimeout; 6] = [
    LockTimeout::Immediately,
    LockTimeout::After(30),
    LockTimeout::After(60),
    LockTimeout::After(5 * 60),
    LockTimeout::After(15 * 60),
    LockTimeout::Never,
];

/// Whether the vault must be locked now: the app was left at `left_at_millis` (it went to the
/// background, or its last use) and it is `now_millis`, both read from one clock — a monotonic
/// one (Android's `SystemClock.elapsedRealtime`, iOS's `systemUptime`/`ContinuousClock`), so
/// setting the wall clock neither locks the vault nor keeps it open.
///
/// A `now` before `left_at` (a clock that went back) locks: when the elapsed time is not
/// known, the safe answer is to ask for the unlock again.
pub fn should_lock(timeout: LockTimeout, left_at_millis: u64, now_millis: u64) -> bool {
    match timeout {
        LockTimeout::Immediately => true,
        LockTimeout::Never => false,
        LockTimeout::After(seconds) => match now_millis.checked_sub(left_at_millis) {
            Some(elapsed) => elapsed >= u64::from(seconds) * 1000,
            None => true,
        },
    }
}

/// A copied code leaves the clipboard at the latest this long after it was copied (seconds):
/// a code is typed within seconds, and clipboards are read by other apps and synced to other
/// devices.
pub const CLIPBOARD_MAX_SECS: u64 = 60;

/// …but not sooner than this (seconds), even when the code changes sooner: a code copied in
/// its last seconds must still reach the login form, and servers accept the previous
/// period's code for about one period (RFC 6238 §5.2 recommends allowing one step of delay).
pub const CLIPBOARD_MIN_SECS: u64 = 10;

/// How many seconds after `now` to clear the clipboard of a code copied at `now` that stops
/// being valid at `valid_until` (`None`: HOTP codes, which do not expire). The rule: when the
/// code changes (it is useless after that) or after [`CLIPBOARD_MAX_SECS`], whichever is
/// sooner, but never sooner than [`CLIPBOARD_MIN_SECS`]. `valid_until` and `now` are on the
/// vault's (server-corrected) clock, as `DisplayCode::valid_until` is; the result is a
/// duration, so the shell runs it on its own clock.
pub fn clipboard_clear_after(valid_until: Option<u64>, now: u64) -> u64 {
    let until_change = valid_until.map_or(CLIPBOARD_MAX_SECS, |at| at.saturating_sub(now));
    until_change.clamp(CLIPBOARD_MIN_SECS, CLIPBOARD_MAX_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_follows_the_chosen_timeout() {
        use LockTimeout::*;
        // (timeout, left at, now, lock?), written from the rule in the docs
        let cases: [(LockTimeout, u64, u64, bool); 10] = [
            (Immediately, 1_000, 1_000, true),
            (Never, 0, u64::MAX, false),
            (After(60), 1_000, 60_999, false),
            (After(60), 1_000, 61_000, true),
            (After(60), 1_000, 500_000, true),
            (After(0), 1_000, 1_000, true),
            (After(30), 50_000, 10_000, true), // the clock went back
            (Never, 50_000, 10_000, false),
            (After(u32::MAX), 0, u64::MAX, true),
            (After(u32::MAX), 0, 1_000, false),
        ];
        for (timeout, left, now, want) in cases {
            assert_eq!(
                should_lock(timeout, left, now),
                want,
                "{timeout:?} {left} {now}"
            );
        }
    }

    #[test]
    fn choices_run_from_immediately_to_never_and_hold_the_default() {
        assert_eq!(
            LOCK_TIMEOUT_CHOICES.first(),
            Some(&LockTimeout::Immediately)
        );
        assert_eq!(LOCK_TIMEOUT_CHOICES.last(), Some(&LockTimeout::Never));
        assert!(LOCK_TIMEOUT_CHOICES.contains(&DEFAULT_LOCK_TIMEOUT));
    }

    #[test]
    fn clipboard_clears_at_the_change_within_bounds() {
        // (valid until, now, seconds), written from the rule in the docs
        let cases: [(Option<u64>, u64, u64); 7] = [
            (Some(1_030), 1_000, 30), // the code changes in 30 s
            (Some(1_030), 1_025, 10), // 5 s left: still 10 s to paste it
            (Some(1_030), 1_040, 10), // already changed (a list drawn a moment ago)
            (Some(1_300), 1_000, 60), // a long period: the maximum
            (None, 1_000, 60),        // HOTP
            (Some(u64::MAX), 0, 60),
            (Some(0), u64::MAX, 10),
        ];
        for (valid_until, now, want) in cases {
            assert_eq!(
                clipboard_clear_after(valid_until, now),
                want,
                "{valid_until:?} {now}"
            );
        }
    }
}
