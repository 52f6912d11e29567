//! Push approvals against a real privacyIDEA 3.14 on 127.0.0.1 (started by
//! tests/privacyidea/server.sh; ./tests/run-all.sh exports TESSERA_PI_*). Without a server
//! each test prints why it is skipped.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;
use support::{PhoneVault, Pi, server, ticket_from_uri, unix_micros, unix_now};
use tessera_core::clock::{Clock, SystemClock};
use tessera_core::push::{
    Answer, Challenge, DenyReason, DeviceKeys, HttpRequest, HttpResponse, Method, NoProgress,
    PendingRequest, Push, PushError, PushStore, Rejection, SoftwareKeys, Transport, TransportError,
    UreqTransport, Verdict, protocol,
};

const PIN: &str = "push-pin";

/// Makes the server unreachable on demand: requests then go to a closed port on loopback,
/// so the failure is a real refused connection through the real HTTP stack.
struct Switchable {
    inner: UreqTransport,
    down: AtomicBool,
    closed_port: u16,
}

impl Transport for Switchable {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        if self.down.load(Ordering::SeqCst) {
            let mut redirected = request.clone();
            redirected.url = format!("http://127.0.0.1:{}/ttype/push", self.closed_port);
            return self.inner.send(&redirected);
        }
        self.inner.send(request)
    }
}

fn switchable() -> Switchable {
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    Switchable {
        inner: UreqTransport::new(),
        down: AtomicBool::new(false),
        closed_port,
    }
}

/// A phone: its store (tokens, requests, answered nonces, device keys) and transport.
struct Phone {
    store: PhoneVault,
    transport: Switchable,
}

impl Phone {
    fn new() -> Self {
        Phone {
            store: PhoneVault::new(),
            transport: switchable(),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&Push) -> R) -> R {
        let keys = SoftwareKeys::new(&self.store.vault);
        let push = Push::new(&self.store.vault, &keys, &self.transport);
        f(&push)
    }

    /// Enrolls a new push token of `user` (admin side: /token/init type=push).
    fn enroll(&self, pi: &Pi, user: &str, bits: u32) -> String {
        let detail = pi.init_token(user, &[("type", "push"), ("pin", PIN)]);
        let uri = detail["pushurl"]["value"]
            .as_str()
            .expect("pushurl")
            .to_string();
        let ticket = ticket_from_uri(&uri);
        let token = self
            .with(|p| p.enroll(&ticket, bits, &NoProgress, unix_now()))
            .expect("enrollment");
        assert_eq!(token.serial, ticket.serial);
        token.serial
    }

    /// Polls once and returns what arrived; fails the test on any rejection or failure.
    fn poll_one(&self) -> PendingRequest {
        let report = self.with(|p| p.poll(unix_micros())).expect("poll");
        assert!(
            report.rejected.is_empty(),
            "rejected: {:?}",
            report.rejected
        );
        assert!(report.failed.is_empty(), "failed: {:?}", report.failed);
        assert_eq!(report.received.len(), 1, "one open request");
        report.received.into_iter().next().unwrap()
    }

    /// Push whose responses are measured against `clock` (the server time is learned).
    fn with_clock<R>(&self, clock: &dyn Clock, f: impl FnOnce(&Push) -> R) -> R {
        let keys = SoftwareKeys::new(&self.store.vault);
        let push = Push::new(&self.store.vault, &keys, &self.transport).with_device_clock(clock);
        f(&push)
    }

    fn answer(&self, id: &str, answer: Answer) -> Result<Verdict, PushError> {
        self.with(|p| p.answer(id, &answer, unix_now()))
    }

    fn receive(&self, challenge: Challenge) -> Result<PendingRequest, PushError> {
        self.with(|p| p.receive(challenge, unix_now()))
    }
}

/// The login side starts an authentication: returns the transaction id.
fn trigger(pi: &Pi, user: &str) -> String {
    let r = pi.validate_check(user, PIN, None);
    assert_eq!(r["result"]["authentication"], "CHALLENGE", "{r}");
    r["detail"]["transaction_id"]
        .as_str()
        .expect("transaction_id")
        .to_string()
}

fn still_pending(pi: &Pi, tid: &str) -> bool {
    let r = pi.polltransaction(tid);
    r["result"]["value"] == Value::Bool(false) && r["result"]["authentication"] != "DECLINED"
}

fn final_check(pi: &Pi, user: &str, pass: &str, tid: &str) -> String {
    let r = pi.validate_check(user, pass, Some(tid));
    r["result"]["authentication"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[test]
fn approved_push_with_rsa4096_key_is_accepted_by_privacyidea() {
    let Some(pi) = server("approved_push_with_rsa4096_key_is_accepted_by_privacyidea") else {
        return;
    };
    let user = pi.create_user("approve");
    let phone = Phone::new();
    let serial = phone.enroll(&pi, &user, 4096);
    let tid = trigger(&pi, &user);

    let request = phone.poll_one();
    assert_eq!(request.challenge.serial, serial);
    assert!(request.choices().is_empty());
    assert!(still_pending(&pi, &tid), "nothing answered yet");

    let verdict = phone.answer(request.id(), Answer::Approve).unwrap();
    assert_eq!(verdict, Verdict::Accepted { display_code: None });
    assert_eq!(
        pi.polltransaction(&tid)["result"]["value"],
        Value::Bool(true)
    );
    assert_eq!(final_check(&pi, &user, "", &tid), "ACCEPT");
    assert!(
        phone.with(|p| p.pending(unix_now())).unwrap().is_empty(),
        "answered request is gone"
    );
}

#[test]
fn denied_push_not_me_makes_the_login_fail() {
    let Some(pi) = server("denied_push_not_me_makes_the_login_fail") else {
        return;
    };
    let user = pi.create_user("deny");
    let phone = Phone::new();
    phone.enroll(&pi, &user, 2048);
    let tid = trigger(&pi, &user);
    let request = phone.poll_one();
    let verdict = phone
        .answer(request.id(), Answer::Deny(DenyReason::NotMe))
        .unwrap();
    assert_eq!(
        verdict,
        Verdict::Accepted { display_code: None },
        "the server took the decline"
    );
    let status = pi.polltransaction(&tid);
    assert_eq!(status["result"]["authentication"], "DECLINED", "{status}");
    assert_eq!(final_check(&pi, &user, "", &tid), "REJECT");
}

#[test]
fn cancelled_push_makes_the_login_fail() {
    let Some(pi) = server("cancelled_push_makes_the_login_fail") else {
        return;
    };
    let user = pi.create_user("cancel");
    let phone = Phone::new();
    phone.enroll(&pi, &user, 2048);
    let tid = trigger(&pi, &user);
    let request = phone.poll_one();
    let verdict = phone
        .answer(request.id(), Answer::Deny(DenyReason::Cancel))
        .unwrap();
    assert_eq!(verdict, Verdict::Accepted { display_code: None });
    assert_eq!(final_check(&pi, &user, "", &tid), "REJECT");
}

#[test]
fn number_matching_refuses_a_wrong_choice_and_accepts_the_right_one() {
    let Some(pi) = server("number_matching_refuses_a_wrong_choice_and_accepts_the_right_one")
    else {
        return;
    };
    let user = pi.create_user("match");
    let policy = format!("tessera-nm-{user}");
    pi.user_policy(
        &policy,
        &user,
        "push_require_presence, push_presence_options=NUMERIC, push_presence_num_options=4",
    );
    let phone = Phone::new();
    phone.enroll(&pi, &user, 2048);
    let r = pi.validate_check(&user, PIN, None);
    let tid = r["detail"]["transaction_id"].as_str().unwrap().to_string();
    let shown = r["detail"]["presence_answer"]
        .as_str()
        .expect("login screen shows a number")
        .to_string();

    let request = phone.poll_one();
    let choices = request.choices();
    assert_eq!(choices.len(), 4, "{choices:?}");
    assert!(choices.contains(&shown));
    assert!(matches!(
        phone.answer(request.id(), Answer::Approve),
        Err(PushError::ChoiceRequired)
    ));
    assert!(matches!(
        phone.answer(request.id(), Answer::Choose("not-offered".into())),
        Err(PushError::ChoiceNotOffered)
    ));

    let wrong = choices.iter().find(|c| **c != shown).unwrap().clone();
    assert_eq!(
        phone.answer(request.id(), Answer::Choose(wrong)).unwrap(),
        Verdict::Refused
    );
    assert!(still_pending(&pi, &tid));
    // a wrong number leaves the request open: the user may try again
    assert_eq!(
        phone.answer(request.id(), Answer::Choose(shown)).unwrap(),
        Verdict::Accepted { display_code: None }
    );
    assert_eq!(final_check(&pi, &user, "", &tid), "ACCEPT");
    pi.delete_policy(&policy);
}

#[test]
fn code_to_phone_shows_the_code_the_login_page_accepts() {
    let Some(pi) = server("code_to_phone_shows_the_code_the_login_page_accepts") else {
        return;
    };
    let user = pi.create_user("c2p");
    let policy = format!("tessera-c2p-{user}");
    pi.user_policy(&policy, &user, "push_code_to_phone");
    let phone = Phone::new();
    phone.enroll(&pi, &user, 2048);
    let tid = trigger(&pi, &user);
    let request = phone.poll_one();
    let Verdict::Accepted {
        display_code: Some(code),
    } = phone.answer(request.id(), Answer::Approve).unwrap()
    else {
        panic!("code-to-phone answer must carry a display code");
    };
    assert!(
        !code.is_empty() && code.chars().all(|c| c.is_ascii_digit()),
        "display code is digits"
    );
    assert_eq!(final_check(&pi, &user, &code, &tid), "ACCEPT");
    pi.delete_policy(&policy);
}

/// Triggers a request and fetches it from the server the way a poll does, without the phone
/// receiving it (as a push payload would bring it): the phone has never seen its nonce.
fn fresh_request(pi: &Pi, phone: &Phone, user: &str) -> (String, Challenge) {
    let tid = trigger(pi, user);
    let token = phone.store.vault.push_tokens().unwrap().remove(0);
    let keys = SoftwareKeys::new(&phone.store.vault);
    let timestamp = protocol::iso8601_micros(unix_micros());
    let signature = keys
        .sign(
            &token.key_alias,
            protocol::poll_message(&token.serial, &timestamp).as_bytes(),
        )
        .unwrap();
    let response = UreqTransport::new()
        .send(&HttpRequest {
            method: Method::Get,
            url: token.url.clone(),
            query: protocol::poll_query(&token.serial, &timestamp, &signature),
            form: vec![],
            verify_tls: token.sslverify,
        })
        .unwrap();
    let mut open = protocol::read_poll_response(response.status, &response.body).unwrap();
    assert_eq!(open.len(), 1, "one open request");
    (tid, open.remove(0))
}

#[test]
fn tampered_signature_or_question_is_rejected_and_never_answered() {
    let Some(pi) = server("tampered_signature_or_question_is_rejected_and_never_answered") else {
        return;
    };
    let user = pi.create_user("tamper");
    let phone = Phone::new();
    phone.enroll(&pi, &user, 2048);
    let (tid, challenge) = fresh_request(&pi, &phone, &user);

    let mut bad_signature = challenge.clone();
    let mut chars: Vec<char> = bad_signature.signature.chars().collect();
    chars[10] = if chars[10] == 'A' { 'B' } else { 'A' };
    bad_signature.signature = chars.into_iter().collect();
    assert!(matches!(
        phone.receive(bad_signature),
        Err(PushError::Rejected(Rejection::BadSignature))
    ));

    let mut bad_question = challenge.clone();
    bad_question.question = "Approve a payment of 1000 EUR?".into();
    assert!(matches!(
        phone.receive(bad_question),
        Err(PushError::Rejected(Rejection::BadSignature))
    ));

    let mut bad_presence = challenge.clone();
    bad_presence.require_presence = Some("11,22".into());
    assert!(matches!(
        phone.receive(bad_presence),
        Err(PushError::Rejected(Rejection::BadSignature))
    ));

    assert!(
        phone.store.vault.pending_requests().unwrap().is_empty(),
        "nothing rejected is kept"
    );
    assert!(still_pending(&pi, &tid), "nothing was answered");
    // the genuine request is still good
    let genuine = phone.receive(challenge).unwrap();
    assert_eq!(
        phone.answer(genuine.id(), Answer::Approve).unwrap(),
        Verdict::Accepted { display_code: None }
    );
}

#[test]
fn expired_request_is_rejected_without_answering() {
    let Some(pi) = server("expired_request_is_rejected_without_answering") else {
        return;
    };
    let user = pi.create_user("expired");
    let phone = Phone::new();
    phone.enroll(&pi, &user, 2048);
    let (tid, challenge) = fresh_request(&pi, &phone, &user);
    let now = unix_now();
    let pending = phone.with(|p| p.receive(challenge.clone(), now)).unwrap();
    // two minutes after receipt the request can no longer be answered ...
    let late = phone.with(|p| p.answer(pending.id(), &Answer::Approve, now + 120));
    assert!(
        matches!(late, Err(PushError::Rejected(Rejection::Expired))),
        "{late:?}"
    );
    assert!(
        phone.store.vault.pending_requests().unwrap().is_empty(),
        "the expired request is dropped"
    );
    assert!(still_pending(&pi, &tid), "nothing was answered");
    // ... and a request first seen 2 minutes ago is refused on arrival
    let stale = PendingRequest::new(challenge.clone(), now - 120, false);
    phone.store.vault.add_pending_request(&stale).unwrap();
    assert!(matches!(
        phone.receive(challenge),
        Err(PushError::Rejected(Rejection::Expired))
    ));
    assert!(still_pending(&pi, &tid));
}

#[test]
fn replayed_nonce_is_rejected_without_answering() {
    let Some(pi) = server("replayed_nonce_is_rejected_without_answering") else {
        return;
    };
    let user = pi.create_user("replay");
    let phone = Phone::new();
    phone.enroll(&pi, &user, 2048);
    let tid = trigger(&pi, &user);
    let request = phone.poll_one();
    assert_eq!(
        phone.answer(request.id(), Answer::Approve).unwrap(),
        Verdict::Accepted { display_code: None }
    );
    assert!(matches!(
        phone.receive(request.challenge.clone()),
        Err(PushError::Rejected(Rejection::Replayed))
    ));
    assert!(matches!(
        phone.answer(request.id(), Answer::Approve),
        Err(PushError::Rejected(Rejection::Replayed))
    ));
    assert_eq!(final_check(&pi, &user, "", &tid), "ACCEPT");
}

#[test]
fn request_for_an_unknown_serial_is_rejected_without_answering() {
    let Some(pi) = server("request_for_an_unknown_serial_is_rejected_without_answering") else {
        return;
    };
    let user = pi.create_user("unknown");
    let phone = Phone::new();
    phone.enroll(&pi, &user, 2048);
    let (tid, challenge) = fresh_request(&pi, &phone, &user);
    // another phone, which never enrolled this token, receives the genuine request
    let other = Phone::new();
    assert!(matches!(
        other.receive(challenge.clone()),
        Err(PushError::Rejected(Rejection::UnknownSerial))
    ));
    let mut renamed = challenge;
    renamed.serial = "PIPU-NOT-MINE".into();
    assert!(matches!(
        phone.receive(renamed),
        Err(PushError::Rejected(Rejection::UnknownSerial))
    ));
    assert!(still_pending(&pi, &tid));
}

#[test]
fn server_down_is_a_clear_network_error_and_nothing_is_lost_across_a_restart() {
    let Some(pi) = server("server_down_is_a_clear_network_error_and_nothing_is_lost") else {
        return;
    };
    let user = pi.create_user("down");
    let mut phone = Phone::new();
    let serial = phone.enroll(&pi, &user, 2048);
    let tid = trigger(&pi, &user);
    let request = phone.poll_one();

    phone.transport.down.store(true, Ordering::SeqCst);
    let report = phone.with(|p| p.poll(unix_micros())).unwrap();
    assert_eq!(report.failed.len(), 1);
    let (failed_serial, error) = &report.failed[0];
    assert_eq!(failed_serial, &serial);
    let message = error.to_string();
    assert!(message.starts_with("network failure: "), "{message}");
    assert!(!message.contains("signature="), "{message}");
    let verdict = phone.answer(request.id(), Answer::Approve).unwrap();
    assert!(matches!(verdict, Verdict::NetworkFailure(_)), "{verdict:?}");
    assert_eq!(
        phone.store.vault.push_tokens().unwrap().len(),
        1,
        "token kept"
    );
    assert_eq!(
        phone.store.vault.pending_requests().unwrap().len(),
        1,
        "request kept for a retry"
    );
    assert!(still_pending(&pi, &tid));

    // the app restarts: token, device key and request come back from the vault
    phone.store.reopen();
    assert_eq!(phone.with(|p| p.pending(unix_now())).unwrap().len(), 1);
    phone.transport.down.store(false, Ordering::SeqCst);
    assert_eq!(
        phone.answer(request.id(), Answer::Approve).unwrap(),
        Verdict::Accepted { display_code: None }
    );
    assert_eq!(final_check(&pi, &user, "", &tid), "ACCEPT");
}

#[test]
fn enrolling_twice_with_the_same_qr_is_refused_by_the_server() {
    let Some(pi) = server("enrolling_twice_with_the_same_qr_is_refused_by_the_server") else {
        return;
    };
    let user = pi.create_user("twice");
    let detail = pi.init_token(&user, &[("type", "push"), ("pin", PIN)]);
    let ticket = ticket_from_uri(detail["pushurl"]["value"].as_str().unwrap());
    let first = Phone::new();
    first
        .with(|p| p.enroll(&ticket, 2048, &NoProgress, unix_now()))
        .unwrap();
    let second = Phone::new();
    let err = second
        .with(|p| p.enroll(&ticket, 2048, &NoProgress, unix_now()))
        .unwrap_err();
    assert!(
        matches!(
            err,
            PushError::AlreadyEnrolled | PushError::WrongEnrollmentCredential
        ),
        "{err:?}"
    );
    assert!(
        second.store.vault.push_tokens().unwrap().is_empty(),
        "a failed enrollment keeps nothing"
    );
}

/// Issue 9 item 8, as observed: a request expired at t+1,130 s was accepted again at
/// t+5,000 s and was approvable. Now its nonce stays seen: delivered again (push payload or
/// poll), it is refused as a replay, never shown, never answered.
#[test]
fn an_expired_request_delivered_again_later_is_never_shown_nor_approvable() {
    let Some(pi) = server("an_expired_request_delivered_again_later_is_never_shown") else {
        return;
    };
    let user = pi.create_user("replaylate");
    let phone = Phone::new();
    phone.enroll(&pi, &user, 2048);
    let (tid, challenge) = fresh_request(&pi, &phone, &user);
    let t = unix_now();
    let id = phone
        .with(|p| p.receive(challenge.clone(), t))
        .unwrap()
        .id()
        .to_string();
    assert!(
        phone.with(|p| p.pending(t + 1_130)).unwrap().is_empty(),
        "expired and dropped"
    );
    let again = phone.with(|p| p.receive(challenge.clone(), t + 5_000));
    assert!(
        matches!(again, Err(PushError::Rejected(Rejection::Replayed))),
        "{again:?}"
    );
    assert!(phone.with(|p| p.pending(t + 5_000)).unwrap().is_empty());
    let late = phone.with(|p| p.answer(&id, &Answer::Approve, t + 5_000));
    assert!(
        matches!(late, Err(PushError::Rejected(Rejection::Replayed))),
        "{late:?}"
    );
    // the server still lists the open challenge: a poll now refuses it as well
    let report = phone.with(|p| p.poll(unix_micros())).unwrap();
    assert!(report.received.is_empty(), "{:?}", report.received);
    assert!(
        report
            .rejected
            .iter()
            .any(|(_, why)| *why == Rejection::Replayed),
        "{:?}",
        report.rejected
    );
    assert!(still_pending(&pi, &tid), "nothing was answered");
}

/// The push inbox: a request carries its token's issuer and label, its "new" mark and when
/// it expires; answering a request the phone has not polled yet polls once and answers.
#[test]
fn the_inbox_describes_each_request_and_answering_an_unseen_one_polls_first() {
    let Some(pi) = server("the_inbox_describes_each_request") else {
        return;
    };
    let user = pi.create_user("inbox");
    let phone = Phone::new();
    let serial = phone.enroll(&pi, &user, 2048);
    let token = phone.store.vault.push_token(&serial).unwrap().unwrap();
    assert!(!token.issuer.is_empty() && !token.label.is_empty());
    assert_eq!(
        token.force_unlock, None,
        "the server sent no app_force_unlock"
    );

    let tid = trigger(&pi, &user);
    let before = unix_now();
    let first = phone.poll_one();
    assert!(first.is_new, "arrived in this poll");
    assert_eq!(
        (first.issuer.as_str(), first.label.as_str()),
        (token.issuer.as_str(), token.label.as_str())
    );
    // 120 s after receipt (privacyIDEA's default challenge validity)
    assert!(first.expires_at() >= before + 120 && first.expires_at() <= unix_now() + 120);
    let again = phone.poll_one();
    assert!(!again.is_new, "still open from the previous poll: not new");
    let inbox = phone.with(|p| p.pending(unix_now())).unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].label, token.label);
    assert!(!inbox[0].is_new);
    assert_eq!(
        phone.answer(first.id(), Answer::Approve).unwrap(),
        Verdict::Accepted { display_code: None }
    );
    assert_eq!(final_check(&pi, &user, "", &tid), "ACCEPT");

    // a notification's id answered before any poll brought the request
    let (tid, challenge) = fresh_request(&pi, &phone, &user);
    assert!(phone.store.vault.pending_requests().unwrap().is_empty());
    assert_eq!(
        phone.answer(&challenge.nonce, Answer::Approve).unwrap(),
        Verdict::Accepted { display_code: None }
    );
    assert_eq!(final_check(&pi, &user, "", &tid), "ACCEPT");

    // removing the token is one call: token, requests and device key go
    let removed = phone.with(|p| p.remove_token(&serial)).unwrap();
    assert!(removed);
    assert!(phone.store.vault.push_tokens().unwrap().is_empty());
    use tessera_core::push::KeyStorage;
    assert!(
        phone
            .store
            .vault
            .load_key(&token.key_alias)
            .unwrap()
            .is_none()
    );
}

/// A device clock 1,000 s behind: every push response's Date header teaches the vault the
/// offset, so the corrected time is the server's (measured against the real server).
#[test]
fn every_push_response_teaches_the_vault_the_server_time() {
    let Some(pi) = server("every_push_response_teaches_the_vault_the_server_time") else {
        return;
    };
    struct Behind;
    impl Clock for Behind {
        fn now_millis(&self) -> i64 {
            SystemClock.now_millis() - 1_000_000
        }
    }
    let user = pi.create_user("clock");
    let phone = Phone::new();
    phone.enroll(&pi, &user, 2048);
    assert_eq!(phone.store.vault.server_time().unwrap(), None);
    let report = phone
        .with_clock(&Behind, |p| p.poll(unix_micros()))
        .unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let time = phone.store.vault.server_time().unwrap().expect("learned");
    // the server's clock is this machine's: the offset is the 1,000 s the fake clock lags,
    // give or take the Date header's second
    assert!((999..=1001).contains(&time.offset_secs), "{time:?}");
    assert!(time.warning());
    assert!(pi.base.contains(&time.source), "{time:?}");
    let device = unix_now() - 1000;
    let corrected = phone.store.vault.corrected_now(device).unwrap();
    assert!(corrected.abs_diff(unix_now()) <= 2);
}
