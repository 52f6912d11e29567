//! The code list, its watch and the per-kind defaults through the FFI, as Kotlin and Swift see
//! them (issue 10, items 1 and 3). Expected codes are RFC 4226/6238 values.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::XorKeys;
use crate::*;

/// RFC 6238's SHA-1 seed in base32.
const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
/// A guard against a broken watch hanging the run; never reached when it works.
const HANG_GUARD: Duration = Duration::from_secs(60);

fn account(issuer: &str, label: &str, params: OtpParams) -> OtpAccount {
    OtpAccount {
        issuer: issuer.into(),
        label: label.into(),
        secret_base32: RFC_SECRET.into(),
        params,
        note: String::new(),
        groups: vec![],
        favorite: false,
        icon: None,
        extra: vec![],
    }
}

fn vault(dir: &tempfile::TempDir, clock: Option<Arc<dyn Clock>>) -> Arc<Vault> {
    let path = dir.path().join("v.db").to_string_lossy().into_owned();
    Vault::create(path, Arc::new(XorKeys(0x5a)), clock).unwrap()
}

#[test]
fn defaults_per_kind_make_valid_accounts() {
    let totp = otp_defaults(OtpKind::Totp);
    assert_eq!(
        (totp.digits, totp.period, totp.algorithm),
        (6, 30, Algorithm::Sha1)
    );
    let hotp = otp_defaults(OtpKind::Hotp);
    assert_eq!(
        (hotp.kind, hotp.digits, hotp.counter),
        (OtpKind::Hotp, 6, 0)
    );
    let steam = otp_defaults(OtpKind::Steam);
    assert_eq!(
        (steam.kind, steam.digits, steam.period),
        (OtpKind::Steam, 5, 30)
    );

    let dir = tempfile::tempdir().unwrap();
    let vault = vault(&dir, None);
    for (kind, want) in [
        // RFC 6238 T = 59, 6 digits: the last six of 94287082.
        (OtpKind::Totp, "287082"),
        // RFC 4226 counter 0.
        (OtpKind::Hotp, "755224"),
        // Computed outside Tessera (Python hmac, Steam's alphabet) for this key at T = 59.
        (OtpKind::Steam, "PV9M4"),
    ] {
        let params = otp_defaults(kind);
        assert_eq!(
            otp_code_at(RFC_SECRET.into(), params, 59).unwrap().code,
            want
        );
        // Same secret, another kind: not a duplicate. Each is valid as it is.
        vault
            .add(account("K", &format!("{kind:?}"), params))
            .unwrap();
    }
    // The record's own defaults are TOTP's: a Steam account from them is refused, and says why.
    let wrong = OtpParams {
        kind: OtpKind::Steam,
        algorithm: Algorithm::Sha1,
        digits: 6,
        period: 30,
        counter: 0,
    };
    match vault.add(account("Steam", "x", wrong)) {
        Err(TesseraError::InvalidInput { reason }) => assert!(reason.contains("Steam"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn code_list_through_the_ffi() {
    let dir = tempfile::tempdir().unwrap();
    let vault = vault(&dir, None);
    let rfc = vault
        .add(account(
            "RFC",
            "sha1",
            OtpParams {
                digits: 8,
                ..otp_defaults(OtpKind::Totp)
            },
        ))
        .unwrap();
    let mut hotp = account("", "", otp_defaults(OtpKind::Hotp));
    hotp.favorite = true;
    vault.add(hotp).unwrap();

    let list = vault.code_list_at(None, 59_250).unwrap();
    assert_eq!(list.next_change_at, Some(60));
    assert_eq!(list.next_change_in_ms, Some(750));
    let [first, second] = &list.items[..] else {
        panic!("{list:?}")
    };
    assert_eq!(first.display_name, "(unnamed)", "favorite first");
    assert_eq!(first.kind, OtpKind::Hotp);
    assert_eq!(
        (first.period, first.valid_until, first.fraction_left),
        (None, None, None)
    );
    assert_eq!(second.id, rfc);
    assert_eq!(second.code.as_deref(), Some("94287082"));
    assert_eq!(second.display_code.as_deref(), Some("9428 7082"));
    assert_eq!(second.display_name, "RFC (sha1)");
    assert_eq!(second.valid_until, Some(60));
    assert_eq!(second.remaining_seconds, Some(1));
    assert_eq!(second.fraction_left, Some(0.75 / 30.0));
    assert_eq!(second.problem, None);

    let only = vault
        .code_list_at(
            Some(CodesQuery {
                search: Some("RFC (S".into()),
                ..CodesQuery::default()
            }),
            59_000,
        )
        .unwrap();
    assert_eq!(only.items.len(), 1);
    assert_eq!(only.items[0].id, rfc);

    // HOTP has no period anywhere now.
    let hotp_code = otp_code_at(RFC_SECRET.into(), otp_defaults(OtpKind::Hotp), 59).unwrap();
    assert_eq!(hotp_code.period, None);
    let entries = vault.codes_at(59).unwrap();
    assert_eq!(entries[0].period, None);
    assert_eq!(entries[1].period, Some(30));
}

/// The clock of the vault under test: each read answers the next time of a script.
struct ScriptedClock(Mutex<Vec<u64>>);

impl Clock for ScriptedClock {
    fn now_unix(&self) -> Result<u64> {
        let mut times = self.0.lock().unwrap();
        Ok(if times.len() > 1 {
            times.remove(0)
        } else {
            times[0]
        })
    }
}

/// A listener that forwards everything to the test thread.
struct Forward(Mutex<Sender<std::result::Result<CodeList, TesseraError>>>);

impl CodesListener for Forward {
    fn on_codes(&self, list: CodeList) -> Result<()> {
        let _ = self.0.lock().unwrap().send(Ok(list));
        Ok(())
    }
    fn on_error(&self, error: TesseraError) -> Result<()> {
        let _ = self.0.lock().unwrap().send(Err(error));
        Ok(())
    }
}

fn forward() -> (
    Arc<Forward>,
    Receiver<std::result::Result<CodeList, TesseraError>>,
) {
    let (send, receive) = mpsc::channel();
    (Arc::new(Forward(Mutex::new(send))), receive)
}

#[test]
fn watch_fires_after_the_boundary_and_ends_with_locked() {
    let dir = tempfile::tempdir().unwrap();
    // A Clock has whole seconds: 59 s, then 60 s, the start of the next 30 s step.
    let clock = Arc::new(ScriptedClock(Mutex::new(vec![59, 60])));
    let vault = vault(&dir, Some(clock));
    vault
        .add(account(
            "RFC",
            "sha1",
            OtpParams {
                digits: 8,
                ..otp_defaults(OtpKind::Totp)
            },
        ))
        .unwrap();
    let (listener, lists) = forward();
    let watch = vault.watch_codes(CodesQuery::default(), listener).unwrap();
    let first = lists.recv_timeout(HANG_GUARD).unwrap().unwrap();
    assert_eq!(
        first.items[0].code.as_deref(),
        Some("94287082"),
        "RFC 6238 T = 59"
    );
    assert_eq!(first.next_change_in_ms, Some(1000));
    let second = lists.recv_timeout(HANG_GUARD).unwrap().unwrap();
    assert_eq!(
        second.items[0].valid_until,
        Some(90),
        "the next step's code"
    );
    assert_ne!(second.items[0].code, first.items[0].code);
    assert!(watch.is_running());

    // Locking ends the watch: it held no reference that kept the key.
    vault.lock();
    watch.refresh();
    match lists.recv_timeout(HANG_GUARD).unwrap() {
        Err(TesseraError::Locked { .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(
        lists.recv_timeout(HANG_GUARD).is_err(),
        "nothing after the error"
    );
    assert!(!watch.is_running());
    watch.stop();
}

#[test]
fn changes_through_the_vault_are_delivered_without_refresh() {
    let dir = tempfile::tempdir().unwrap();
    let vault = vault(&dir, None);
    let bank = vault
        .add(account("Bank", "hotp", otp_defaults(OtpKind::Hotp)))
        .unwrap();
    let (listener, lists) = forward();
    let watch = vault.watch_codes(CodesQuery::default(), listener).unwrap();
    let first = lists.recv_timeout(HANG_GUARD).unwrap().unwrap();
    assert_eq!(
        first.items[0].code.as_deref(),
        Some("755224"),
        "RFC 4226 counter 0"
    );
    assert_eq!(vault.next_hotp(bank.clone()).unwrap().code, "287082");
    let advanced = lists.recv_timeout(HANG_GUARD).unwrap().unwrap();
    assert_eq!(
        advanced.items[0].code.as_deref(),
        Some("287082"),
        "counter 1, delivered"
    );
    vault
        .update(
            bank,
            AccountChange {
                label: Some("savings".into()),
                ..AccountChange::default()
            },
        )
        .unwrap();
    let renamed = lists.recv_timeout(HANG_GUARD).unwrap().unwrap();
    assert_eq!(renamed.items[0].display_name, "Bank (savings)");
    watch.stop();
}

/// A listener that throws, as a buggy app's would.
struct Throwing(Mutex<Sender<()>>);

impl CodesListener for Throwing {
    fn on_codes(&self, _: CodeList) -> Result<()> {
        let _ = self.0.lock().unwrap().send(());
        Err(uniffi::UnexpectedUniFFICallbackError::new("NullPointerException").into())
    }
    fn on_error(&self, _: TesseraError) -> Result<()> {
        Err(uniffi::UnexpectedUniFFICallbackError::new("NullPointerException").into())
    }
}

#[test]
fn a_throwing_listener_does_not_stop_the_watch() {
    let dir = tempfile::tempdir().unwrap();
    let vault = vault(&dir, None);
    vault
        .add(account("B", "hotp", otp_defaults(OtpKind::Hotp)))
        .unwrap();
    let (send, calls) = mpsc::channel();
    let watch = vault
        .watch_codes(CodesQuery::default(), Arc::new(Throwing(Mutex::new(send))))
        .unwrap();
    calls.recv_timeout(HANG_GUARD).unwrap();
    watch.set_query(CodesQuery {
        search: Some("hotp".into()),
        ..CodesQuery::default()
    });
    calls.recv_timeout(HANG_GUARD).unwrap();
    assert!(watch.is_running());
    watch.stop();
    assert!(!watch.is_running());
}
