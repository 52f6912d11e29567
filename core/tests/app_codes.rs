//! The app model's code list (issue 10, item 1): what a screen shows, the query that selects
//! it, and the watch that delivers it again when a code changes. Expected codes come from the
//! RFC tables or from values computed outside Tessera, never from the code under test.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{RFC_SEED, Scratch, rfc6238_sha1, seed, totp};
use tessera_core::app::{CodeList, CodesQuery, CodesSource, CodesWatch, UNNAMED};
use tessera_core::vault::{AccountUpdate, Vault, VaultError};
use tessera_core::{Account, OtpKind, OtpParams, Secret};

/// A guard against a broken watch hanging the test run; never reached when it works.
const HANG_GUARD: Duration = Duration::from_secs(60);

fn every() -> CodesQuery {
    CodesQuery::default()
}

fn names(list: &CodeList) -> Vec<&str> {
    list.items.iter().map(|i| i.display_name.as_str()).collect()
}

fn hotp_rfc(counter: u64) -> Account {
    Account::new(
        "Bank",
        "hotp",
        Secret::from_bytes(RFC_SEED.to_vec()),
        OtpParams::hotp(counter),
    )
}

#[test]
fn totp_rows_carry_grouped_code_validity_and_fraction_left() {
    let (_scratch, vault) = Scratch::new();
    vault.add(&rfc6238_sha1()).unwrap();
    // 59.5 s: RFC 6238's T = 59 row (94287082); the step ends at 60 s, half a second away.
    let list = vault.code_list_at(&every(), 59_500).unwrap();
    let row = &list.items[0];
    assert_eq!(row.code.as_ref().unwrap().text().as_str(), "94287082");
    assert_eq!(row.display_code().unwrap().as_str(), "9428 7082");
    assert_eq!(row.display_name, "RFC (6238)");
    assert_eq!(row.kind, OtpKind::Totp);
    assert_eq!(row.period, Some(30));
    assert_eq!(row.valid_until, Some(60));
    assert_eq!(row.remaining_seconds, Some(1));
    assert_eq!(row.fraction_left, Some(0.5 / 30.0));
    assert_eq!(list.next_change_at, Some(60));
    assert_eq!(list.next_change_in_millis, Some(500));

    // At the boundary the next step's code is valid for the whole period.
    let list = vault.code_list_at(&every(), 60_000).unwrap();
    assert_eq!(list.items[0].valid_until, Some(90));
    assert_eq!(list.items[0].remaining_seconds, Some(30));
    assert_eq!(list.items[0].fraction_left, Some(1.0));
    assert_eq!(list.next_change_in_millis, Some(30_000));
}

#[test]
fn hotp_rows_have_no_period_and_do_not_schedule_a_change() {
    let (_scratch, vault) = Scratch::new();
    vault.add(&hotp_rfc(0)).unwrap();
    let list = vault.code_list_at(&every(), 1_234_567).unwrap();
    let row = &list.items[0];
    assert_eq!(
        row.code.as_ref().unwrap().text().as_str(),
        "755224",
        "RFC 4226 counter 0"
    );
    assert_eq!(row.display_code().unwrap().as_str(), "755 224");
    assert_eq!(row.kind, OtpKind::Hotp);
    assert_eq!(row.period, None);
    assert_eq!(row.valid_until, None);
    assert_eq!(row.remaining_seconds, None);
    assert_eq!(row.fraction_left, None);
    assert_eq!(
        list.next_change_at, None,
        "only HOTP: nothing changes by itself"
    );
    assert_eq!(list.next_change_in_millis, None);
    // The older call agrees: no period for HOTP.
    assert_eq!(vault.codes_at(1234).unwrap()[0].period, None);
}

#[test]
fn next_change_is_the_earliest_of_the_list() {
    let (_scratch, vault) = Scratch::new();
    let mut slow = totp("Slow", "60s", &seed(1));
    slow.params.period = 60;
    vault.add(&slow).unwrap();
    let mut fast = totp("Fast", "7s", &seed(2));
    fast.params.period = 7;
    vault.add(&fast).unwrap();
    vault.add(&hotp_rfc(0)).unwrap();
    // 100.25 s: the 60 s code runs to 120, the 7 s one to 105.
    let list = vault.code_list_at(&every(), 100_250).unwrap();
    let until: Vec<Option<u64>> = list.items.iter().map(|i| i.valid_until).collect();
    assert_eq!(until, [Some(120), Some(105), None]);
    assert_eq!(list.next_change_at, Some(105));
    assert_eq!(list.next_change_in_millis, Some(4_750));
}

#[test]
fn steam_account_from_the_kind_defaults_is_valid_and_shown_whole() {
    let (_scratch, vault) = Scratch::new();
    let steam = Account::new(
        "Steam",
        "gamer",
        Secret::from_bytes(RFC_SEED.to_vec()),
        OtpParams::for_kind(OtpKind::Steam),
    );
    vault.add(&steam).unwrap();
    let list = vault.code_list_at(&every(), 59_000).unwrap();
    let row = &list.items[0];
    // Computed outside Tessera (Python hmac, Steam's alphabet) for RFC 4226's key at T = 59.
    assert_eq!(row.code.as_ref().unwrap().text().as_str(), "PV9M4");
    assert_eq!(row.display_code().unwrap().as_str(), "PV9M4");
    assert_eq!(row.period, Some(30));
    // A Steam account cannot have another length, and the reason says so.
    let wrong = OtpParams {
        digits: 6,
        ..OtpParams::steam()
    };
    let error = wrong.validate().unwrap_err().to_string();
    assert!(
        error.contains("Steam Guard codes have 5 characters"),
        "{error}"
    );
}

#[test]
fn order_is_favorites_first_then_the_users_order() {
    let (_scratch, vault) = Scratch::new();
    vault.add(&totp("A", "one", &seed(1))).unwrap();
    let b = vault.add(&totp("B", "two", &seed(2))).unwrap();
    let c = vault.add(&totp("C", "three", &seed(3))).unwrap();
    assert_eq!(
        names(&vault.code_list_at(&every(), 0).unwrap()),
        ["A (one)", "B (two)", "C (three)"]
    );
    vault
        .update(
            &c,
            &AccountUpdate {
                position: Some(0),
                ..AccountUpdate::default()
            },
        )
        .unwrap();
    vault
        .update(
            &b,
            &AccountUpdate {
                favorite: Some(true),
                ..AccountUpdate::default()
            },
        )
        .unwrap();
    let list = vault.code_list_at(&every(), 0).unwrap();
    assert_eq!(names(&list), ["B (two)", "C (three)", "A (one)"]);
    assert!(list.items[0].favorite);
}

#[test]
fn query_searches_names_without_case_and_filters_group_and_favorites() {
    let (_scratch, vault) = Scratch::new();
    let mut school = totp("École", "élève@example.org", &seed(1));
    school.meta.groups = vec!["Études".into()];
    vault.add(&school).unwrap();
    let mut mail = totp("Mail", "ALICE", &seed(2));
    mail.meta.favorite = true;
    mail.meta.groups = vec!["Work".into()];
    vault.add(&mail).unwrap();
    vault.add(&totp("", "", &seed(3))).unwrap();

    let search = |text: &str| CodesQuery {
        search: Some(text.into()),
        ..CodesQuery::default()
    };
    let at = |query: &CodesQuery| {
        let list = vault.code_list_at(query, 0).unwrap();
        names(&list)
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        at(&search("ÉCOLE")),
        ["École (élève@example.org)"],
        "Unicode case"
    );
    assert_eq!(
        at(&search("ÉLÈVE@")),
        ["École (élève@example.org)"],
        "label"
    );
    assert_eq!(
        at(&search(" alice ")),
        ["Mail (ALICE)"],
        "trimmed, any case"
    );
    assert_eq!(at(&search("mail (al")), ["Mail (ALICE)"], "display name");
    assert_eq!(
        at(&search("unnamed")),
        [UNNAMED],
        "the placeholder is a name"
    );
    assert_eq!(at(&search("   ")).len(), 3, "blank search keeps everything");
    assert!(at(&search("nobody")).is_empty());
    let group = CodesQuery {
        group: Some("Études".into()),
        ..CodesQuery::default()
    };
    assert_eq!(at(&group), ["École (élève@example.org)"]);
    let favorites = CodesQuery {
        favorites_only: true,
        ..CodesQuery::default()
    };
    assert_eq!(at(&favorites), ["Mail (ALICE)"]);
    let both = CodesQuery {
        search: Some("école".into()),
        favorites_only: true,
        ..CodesQuery::default()
    };
    assert!(at(&both).is_empty(), "conditions combine");
    let row = &vault.code_list_at(&group, 0).unwrap().items[0];
    assert_eq!(row.groups, ["Études"]);
}

#[test]
fn a_damaged_row_shows_its_error_and_the_others_their_codes() {
    let (scratch, vault) = Scratch::new();
    let good = vault.add(&rfc6238_sha1()).unwrap();
    let bad = vault.add(&totp("B", "b", &seed(2))).unwrap();
    // Edited outside Tessera, as whoever can write the file but has no key would.
    let conn = rusqlite::Connection::open(&scratch.path).unwrap();
    conn.execute(
        "UPDATE accounts SET label = 'mallory' WHERE id = ?1",
        [bad.as_str()],
    )
    .unwrap();
    drop(conn);
    let list = vault.code_list_at(&every(), 59_000).unwrap();
    assert_eq!(list.items.len(), 2);
    let row = |id| list.items.iter().find(|i| &i.id == id).unwrap();
    assert_eq!(
        row(&good).code.as_ref().unwrap().text().as_str(),
        "94287082"
    );
    assert_eq!(
        row(&bad).code,
        Err(VaultError::Integrity {
            account: bad.clone()
        })
    );
    assert_eq!(row(&bad).display_code(), None);
    assert_eq!(row(&bad).valid_until, None, "no code, no validity");
    assert_eq!(
        list.next_change_at,
        Some(60),
        "the good row still schedules"
    );
}

/// A clock that answers each read from a script, then keeps its last answer: the watch reads
/// it once per list, so the test decides exactly which instant each list is made at.
struct ScriptedClock {
    millis: Vec<u64>,
    reads: AtomicUsize,
}

impl ScriptedClock {
    fn now(&self) -> u64 {
        let read = self.reads.fetch_add(1, Ordering::SeqCst);
        self.millis[read.min(self.millis.len() - 1)]
    }
}

/// The vault at the scripted time.
struct VaultSource {
    vault: Arc<Vault>,
    clock: Arc<ScriptedClock>,
}

impl CodesSource for VaultSource {
    type Error = VaultError;
    fn code_list(&self, query: &CodesQuery) -> Result<CodeList, VaultError> {
        self.vault.code_list_at(query, self.clock.now())
    }
}

fn watch_vault(
    vault: &Arc<Vault>,
    millis: Vec<u64>,
    query: CodesQuery,
) -> (CodesWatch, mpsc::Receiver<Result<CodeList, VaultError>>) {
    let (send, receive) = mpsc::channel();
    let source = VaultSource {
        vault: Arc::clone(vault),
        clock: Arc::new(ScriptedClock {
            millis,
            reads: AtomicUsize::new(0),
        }),
    };
    let watch = CodesWatch::start(source, query, move |list| {
        let _ = send.send(list);
    })
    .unwrap();
    (watch, receive)
}

#[test]
fn watch_delivers_again_after_the_period_boundary() {
    let (_scratch, vault) = Scratch::new();
    let vault = Arc::new(vault);
    vault.add(&rfc6238_sha1()).unwrap();
    // RFC 6238 Appendix B: T = 1111111109 gives 07081804 and T = 1111111111 (the next step,
    // which starts at 1111111110) gives 14050471. The first list is made 10 ms before the
    // boundary, so the watch sleeps 10 ms and makes the second at the boundary.
    let (watch, lists) = watch_vault(&vault, vec![1_111_111_109_990, 1_111_111_110_000], every());
    let first = lists.recv_timeout(HANG_GUARD).unwrap().unwrap();
    assert_eq!(
        first.items[0].code.as_ref().unwrap().text().as_str(),
        "07081804"
    );
    assert_eq!(first.next_change_at, Some(1_111_111_110));
    assert_eq!(first.next_change_in_millis, Some(10));
    let second = lists.recv_timeout(HANG_GUARD).unwrap().unwrap();
    assert_eq!(
        second.items[0].code.as_ref().unwrap().text().as_str(),
        "14050471"
    );
    assert_eq!(second.next_change_at, Some(1_111_111_140));
    assert!(watch.is_running());
    watch.stop();
    assert!(!watch.is_running());
    // The thread ends: the channel's sender, owned by the listener, is dropped.
    while lists.recv_timeout(HANG_GUARD).is_ok() {}
}

#[test]
fn watch_of_hotp_only_waits_for_refresh_and_follows_a_new_query() {
    let (_scratch, vault) = Scratch::new();
    let vault = Arc::new(vault);
    vault.add(&hotp_rfc(0)).unwrap();
    vault
        .add(&hotp_rfc(0).tap_label("second", &seed(9)))
        .unwrap();
    let (watch, lists) = watch_vault(&vault, vec![0], every());
    let first = lists.recv_timeout(HANG_GUARD).unwrap().unwrap();
    assert_eq!(first.items.len(), 2);
    assert_eq!(first.next_change_at, None);
    watch.set_query(CodesQuery {
        search: Some("SECOND".into()),
        ..CodesQuery::default()
    });
    let second = lists.recv_timeout(HANG_GUARD).unwrap().unwrap();
    assert_eq!(names(&second), ["Bank (second)"]);
    watch.refresh();
    let third = lists.recv_timeout(HANG_GUARD).unwrap().unwrap();
    assert_eq!(names(&third), ["Bank (second)"], "refresh keeps the query");
    drop(watch);
    while lists.recv_timeout(HANG_GUARD).is_ok() {}
}

#[test]
fn watch_that_follows_the_vault_delivers_after_each_change() {
    let (_scratch, vault) = Scratch::new();
    let vault = Arc::new(vault);
    let bank = vault.add(&hotp_rfc(0)).unwrap();
    let (watch, lists) = watch_vault(&vault, vec![0], every());
    watch.follow(&vault);
    let first = lists.recv_timeout(HANG_GUARD).unwrap().unwrap();
    assert_eq!(
        first.items[0].code.as_ref().unwrap().text().as_str(),
        "755224",
        "counter 0"
    );
    // Each change through the vault delivers the list again; no refresh() needed.
    vault.next_hotp(&bank).unwrap();
    let advanced = lists.recv_timeout(HANG_GUARD).unwrap().unwrap();
    assert_eq!(
        advanced.items[0].code.as_ref().unwrap().text().as_str(),
        "287082",
        "RFC 4226 counter 1"
    );
    vault.add(&totp("Mail", "alice", &seed(5))).unwrap();
    let added = lists.recv_timeout(HANG_GUARD).unwrap().unwrap();
    assert_eq!(names(&added), ["Bank (hotp)", "Mail (alice)"]);
    vault.delete(&bank).unwrap();
    let deleted = lists.recv_timeout(HANG_GUARD).unwrap().unwrap();
    assert_eq!(names(&deleted), ["Mail (alice)"]);
    drop(watch);
    while lists.recv_timeout(HANG_GUARD).is_ok() {}
    // A stopped watch is forgotten: later changes reach nobody and fail nothing.
    vault.restore(&bank).unwrap();
}

/// A source that fails: the listener gets the error and the watch ends.
struct Failing;

impl CodesSource for Failing {
    type Error = String;
    fn code_list(&self, _: &CodesQuery) -> Result<CodeList, String> {
        Err("the clock failed".into())
    }
}

#[test]
fn watch_reports_an_error_once_and_stops() {
    let (send, receive) = mpsc::channel();
    let watch = CodesWatch::start(Failing, every(), move |list| {
        let _ = send.send(list);
    })
    .unwrap();
    assert_eq!(
        receive.recv_timeout(HANG_GUARD).unwrap(),
        Err("the clock failed".to_owned())
    );
    // The sender is dropped with the thread: nothing more arrives.
    assert!(receive.recv_timeout(HANG_GUARD).is_err());
    assert!(!watch.is_running());
}

#[test]
fn stop_from_inside_the_listener_does_not_wait_for_itself() {
    let (_scratch, vault) = Scratch::new();
    let vault = Arc::new(vault);
    vault.add(&hotp_rfc(0)).unwrap();
    let handle: Arc<Mutex<Option<CodesWatch>>> = Arc::new(Mutex::new(None));
    let (send, receive) = mpsc::channel();
    let in_listener = Arc::clone(&handle);
    let deliveries = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&deliveries);
    let watch = CodesWatch::start(
        VaultSource {
            vault: Arc::clone(&vault),
            clock: Arc::new(ScriptedClock {
                millis: vec![0],
                reads: AtomicUsize::new(0),
            }),
        },
        every(),
        move |_list| {
            if counted.fetch_add(1, Ordering::SeqCst) == 1
                && let Some(watch) = in_listener.lock().unwrap().as_ref()
            {
                watch.stop();
            }
            let _ = send.send(());
        },
    )
    .unwrap();
    *handle.lock().unwrap() = Some(watch);
    receive.recv_timeout(HANG_GUARD).unwrap(); // the first list
    handle.lock().unwrap().as_ref().unwrap().refresh();
    receive.recv_timeout(HANG_GUARD).unwrap(); // the second, which stopped the watch
    assert!(!handle.lock().unwrap().as_ref().unwrap().is_running());
    // The thread ended after stopping itself: the listener (and its sender) are gone.
    assert!(receive.recv_timeout(HANG_GUARD).is_err());
    assert_eq!(deliveries.load(Ordering::SeqCst), 2);
}

trait TapLabel {
    fn tap_label(self, label: &str, seed: &[u8]) -> Self;
}

impl TapLabel for Account {
    /// The same account under another label and secret (so it is not a duplicate).
    fn tap_label(mut self, label: &str, seed: &[u8]) -> Self {
        self.label = label.into();
        self.secret = Secret::from_bytes(seed.to_vec());
        self
    }
}
