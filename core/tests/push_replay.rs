//! Replays stay dead, with time injected: a request signed by a server key made here (so no
//! server is needed to reach any point in time), received, left to expire, and delivered
//! again long after. The same scenario against the real privacyIDEA is in
//! `privacyidea_push.rs` (`an_expired_request_delivered_again_later_is_never_shown_nor_approvable`).

use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use tessera_core::push::{
    Challenge, DeviceKeys, HttpRequest, HttpResponse, NoProgress, Push, PushError, PushStore,
    PushToken, Rejection, SEEN_NONCE_KEEP_SECS, ServerKey, SoftwareKeys, Transport, TransportError,
    protocol,
};
use tessera_core::vault::{KeyFile, Vault};

/// No network at all: every test here stays on the phone (a poll then fails, as offline).
struct Offline;

impl Transport for Offline {
    fn send(&self, _: &HttpRequest) -> Result<HttpResponse, TransportError> {
        Err(TransportError {
            message: "offline".into(),
        })
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    phone: Vault,
    server: Vault,
}

const SERIAL: &str = "PIPU0REPLAY";
const T: u64 = 1_800_000_000;

fn vault(dir: &std::path::Path, name: &str) -> Vault {
    let key = KeyFile::create(&dir.join(format!("{name}.key"))).unwrap();
    Vault::create(&dir.join(format!("{name}.sqlite")), &key).unwrap()
}

/// A phone vault with one push token whose server key is a key generated here.
fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let phone = vault(dir.path(), "phone");
    let server = vault(dir.path(), "server");
    let spki = SoftwareKeys::new(&server)
        .generate("server", 2048, &NoProgress)
        .unwrap();
    let pkcs1 = rsa::PublicKey::from_public_key_der(&spki)
        .unwrap()
        .to_pkcs1_der()
        .unwrap()
        .as_bytes()
        .to_vec();
    phone
        .add_push_token(&PushToken {
            serial: SERIAL.into(),
            issuer: "privacyIDEA".into(),
            label: "alice".into(),
            url: "https://pi.example/ttype/push".into(),
            sslverify: true,
            server_key: ServerKey(pkcs1),
            key_alias: "tessera-push-PIPU0REPLAY".into(),
            enrolled_at: T - 100,
            force_unlock: None,
        })
        .unwrap();
    Setup {
        _dir: dir,
        phone,
        server,
    }
}

impl Setup {
    /// A request as the server signs it.
    fn request(&self, nonce: &str) -> Challenge {
        let mut challenge = Challenge::from_payload([
            ("nonce", nonce),
            ("url", "https://pi.example/ttype/push"),
            ("serial", SERIAL),
            ("question", "Reset your password?"),
            ("title", "privacyIDEA"),
            ("sslverify", "1"),
            ("signature", "AEBAG==="),
        ])
        .unwrap();
        let signature = SoftwareKeys::new(&self.server)
            .sign("server", challenge.signed_message().as_bytes())
            .unwrap();
        challenge.signature = protocol::encode_signature(&signature);
        challenge
    }

    fn with<R>(&self, f: impl FnOnce(&Push) -> R) -> R {
        let keys = SoftwareKeys::new(&self.phone);
        f(&Push::new(&self.phone, &keys, &Offline))
    }
}

#[test]
fn an_expired_request_delivered_again_is_refused_as_a_replay() {
    let s = setup();
    let request = s.request("NONCE0000000000000000000000000AA");
    let pending = s.with(|p| p.receive(request.clone(), T)).unwrap();
    assert_eq!(pending.expires_at(), T + 120);
    assert_eq!(pending.label, "alice");
    // expired at t+1,130 s (the observation in issue 9): dropped from the inbox
    assert!(s.with(|p| p.pending(T + 1_130)).unwrap().is_empty());
    // delivered again at t+5,000 s: refused, not shown
    let again = s.with(|p| p.receive(request.clone(), T + 5_000));
    assert!(
        matches!(again, Err(PushError::Rejected(Rejection::Replayed))),
        "{again:?}"
    );
    assert!(s.with(|p| p.pending(T + 5_000)).unwrap().is_empty());
    // and still a day before the kept window ends
    let much_later = T + SEEN_NONCE_KEEP_SECS - 86_400;
    assert!(matches!(
        s.with(|p| p.receive(request.clone(), much_later)),
        Err(PushError::Rejected(Rejection::Replayed))
    ));
}

#[test]
fn a_request_arriving_already_expired_is_remembered_too() {
    let s = setup();
    let request = s.request("NONCE0000000000000000000000000BB");
    // a server ttl of 0 s: expired on arrival, refused, yet its nonce is remembered
    let mut instant = request.clone();
    instant.ttl = Some(0);
    assert!(matches!(
        s.with(|p| p.receive(instant, T)),
        Err(PushError::Rejected(Rejection::Expired))
    ));
    assert!(matches!(
        s.with(|p| p.receive(request, T + 10)),
        Err(PushError::Rejected(Rejection::Replayed))
    ));
}

#[test]
fn seen_nonces_are_forgotten_after_the_kept_window_only() {
    let s = setup();
    let old = s.request("NONCE0000000000000000000000000CC");
    s.with(|p| p.receive(old.clone(), T)).unwrap();
    assert!(s.with(|p| p.pending(T + 200)).unwrap().is_empty());
    // another request, past the window: the old nonce is let go (the server closed it long ago)
    let later = T + SEEN_NONCE_KEEP_SECS + 1;
    s.with(|p| p.receive(s.request("NONCE0000000000000000000000000DD"), later))
        .unwrap();
    assert!(!s.phone.is_seen(&old.nonce).unwrap());
    assert!(s.phone.is_seen("NONCE0000000000000000000000000DD").unwrap());
}

#[test]
fn a_request_is_new_until_the_next_poll_and_keeps_its_first_receipt() {
    let s = setup();
    let request = s.request("NONCE0000000000000000000000000EE");
    let first = s.with(|p| p.receive(request.clone(), T)).unwrap();
    assert!(first.is_new);
    // the same request delivered again while open: same receipt time, still new
    let again = s.with(|p| p.receive(request.clone(), T + 5)).unwrap();
    assert_eq!(again.received_at, T);
    assert!(again.is_new);
    // a poll (offline here: it fails, but it was a poll) starts a new round
    let report = s.with(|p| p.poll(((T + 10) * 1_000_000) as i64)).unwrap();
    assert_eq!(report.failed.len(), 1);
    let inbox = s.with(|p| p.pending(T + 10)).unwrap();
    assert_eq!(inbox.len(), 1);
    assert!(!inbox[0].is_new, "open from before the latest poll");
    assert_eq!(
        (inbox[0].issuer.as_str(), inbox[0].label.as_str()),
        ("privacyIDEA", "alice")
    );
}

#[test]
fn answering_an_unknown_request_polls_once_and_then_says_it_is_unknown() {
    let s = setup();
    // offline: the poll fails, and the request is still unknown
    let answer = s.with(|p| {
        p.answer(
            "NONCE0000000000000000000000000FF",
            &tessera_core::push::Answer::Approve,
            T,
        )
    });
    assert!(
        matches!(answer, Err(PushError::UnknownRequest(_))),
        "{answer:?}"
    );
}
