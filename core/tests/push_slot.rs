//! The poll slot: background polling while the vault stays locked. The first tests need no
//! server; the last polls a real privacyIDEA 3.14 on 127.0.0.1 through the slot with the vault
//! closed, and approves from the vault afterwards (skipped, saying why, without a server).

mod support;

use std::collections::HashMap;
use std::sync::Mutex;

use support::{PhoneVault, server, ticket_from_uri, unix_now};
use tessera_core::account::{Account, OtpParams};
use tessera_core::clock::SystemClock;
use tessera_core::push::protocol::ServerKey;
use tessera_core::push::slot::{self, slot_path};
use tessera_core::push::{
    Answer, DeviceKeys, KeygenProgress, NoProgress, PollSlot, Push, PushError, PushStore,
    PushToken, SoftwareKey, UreqTransport, Verdict,
};
use tessera_core::secret::Secret;
use tessera_core::vault::{KeyFile, KeyProviderError, VaultError};

/// A platform keystore as the apps have one (Android Keystore, iOS Keychain): keys live
/// outside the vault, so a background task can sign with them while the vault is locked.
#[derive(Default)]
struct PlatformKeys(Mutex<HashMap<String, SoftwareKey>>);

impl DeviceKeys for PlatformKeys {
    fn generate(
        &self,
        alias: &str,
        bits: u32,
        progress: &dyn KeygenProgress,
    ) -> Result<Vec<u8>, PushError> {
        let key = SoftwareKey::generate(bits, progress)?;
        let public = key.public_spki().to_vec();
        self.0.lock().unwrap().insert(alias.into(), key);
        Ok(public)
    }
    fn sign(&self, alias: &str, message: &[u8]) -> Result<Vec<u8>, PushError> {
        self.0
            .lock()
            .unwrap()
            .get(alias)
            .ok_or(PushError::KeyNotFound)?
            .sign(message)
    }
    fn delete(&self, alias: &str) -> Result<(), PushError> {
        self.0.lock().unwrap().remove(alias);
        Ok(())
    }
}

/// A token as enrollment stores it (the server's key is any RSA key: nothing here verifies).
fn token(serial: &str) -> PushToken {
    PushToken {
        serial: serial.into(),
        issuer: "Example Corp".into(),
        label: "alice".into(),
        url: "https://pi.example/ttype/push".into(),
        sslverify: true,
        server_key: ServerKey(include_bytes!("fixtures/push/rsa2048.pkcs1.der").to_vec()),
        key_alias: format!("tessera-push-{serial}"),
        enrolled_at: 1_700_000_000,
        force_unlock: None,
    }
}

/// A keystore that cannot tell a wrong key: it XORs with a pad, so the wrong pad unwraps to
/// 32 bytes of garbage instead of failing.
struct Pad(u8);

impl tessera_core::vault::KeyProvider for Pad {
    fn wrap(&self, key: &[u8]) -> Result<Vec<u8>, KeyProviderError> {
        Ok(key.iter().map(|b| b ^ self.0).collect())
    }
    fn unwrap(&self, wrapped: &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>, KeyProviderError> {
        Ok(zeroize::Zeroizing::new(
            wrapped.iter().map(|b| b ^ self.0).collect(),
        ))
    }
}

#[test]
fn a_keystore_that_unwraps_garbage_is_told_it_has_the_wrong_key() {
    let phone = PhoneVault::new();
    phone.vault.enable_poll_slot(&Pad(0x5a)).unwrap();
    assert!(PollSlot::open(&phone.path, &Pad(0x5a)).is_ok());
    assert!(matches!(
        PollSlot::open(&phone.path, &Pad(0xa5)),
        Err(PushError::Vault(VaultError::KeyProvider(
            KeyProviderError::WrongKey
        )))
    ));
}

/// The second, non-biometric device key that wraps the slot key.
fn background_key(phone: &PhoneVault) -> KeyFile {
    KeyFile::create(&phone.dir.path().join("background.key")).unwrap()
}

#[test]
fn the_slot_holds_the_tokens_and_no_secret_and_opens_only_with_its_key() {
    let phone = PhoneVault::new();
    let secret = b"slot-test-secret-0123456789";
    let account = Account::new(
        "Bank",
        "alice",
        Secret::from_bytes(secret.to_vec()),
        OtpParams::totp(),
    );
    phone.vault.add(&account).unwrap();
    phone.vault.add_push_token(&token("PIPU0001")).unwrap();
    assert!(!phone.vault.has_poll_slot().unwrap());
    let background = background_key(&phone);
    phone.vault.enable_poll_slot(&background).unwrap();
    assert!(phone.vault.has_poll_slot().unwrap());

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(slot_path(&phone.path))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the slot is private to its owner");
    }
    let bytes = std::fs::read(slot_path(&phone.path)).unwrap();
    let base32 = data_encoding::BASE32_NOPAD.encode(secret);
    for (what, needle) in [
        ("the OTP secret", &secret[..]),
        ("the OTP secret in base32", base32.as_bytes()),
        ("the serial", b"PIPU0001"),
        ("the issuer", b"Example Corp"),
        ("the server URL", b"pi.example"),
    ] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "{what} is in the slot file in the clear"
        );
    }

    // the vault is closed: the slot opens with the background key alone
    let PhoneVault {
        dir,
        key,
        path,
        vault,
    } = phone;
    drop(vault);
    let slot = PollSlot::open(&path, &background).unwrap();
    assert_eq!(slot.tokens(), &[token("PIPU0001")]);
    assert!(slot.pending(&SystemClock).unwrap().is_empty());

    // the vault's own device key is not the slot's
    assert!(matches!(
        PollSlot::open(&path, &key),
        Err(PushError::Vault(VaultError::KeyProvider(
            KeyProviderError::WrongKey
        )))
    ));
    drop(dir);
}

#[test]
fn the_slot_follows_token_changes_and_is_gone_when_turned_off() {
    let phone = PhoneVault::new();
    let background = background_key(&phone);
    // turning it off when it is off changes nothing
    assert!(!phone.vault.disable_poll_slot().unwrap());
    assert!(matches!(
        PollSlot::open(&phone.path, &background),
        Err(PushError::NoPollSlot)
    ));
    phone.vault.enable_poll_slot(&background).unwrap();
    assert!(
        PollSlot::open(&phone.path, &background)
            .unwrap()
            .tokens()
            .is_empty()
    );

    phone.vault.add_push_token(&token("PIPU0001")).unwrap();
    phone.vault.add_push_token(&token("PIPU0002")).unwrap();
    let serials = |slot: PollSlot| -> Vec<String> {
        slot.tokens().iter().map(|t| t.serial.clone()).collect()
    };
    assert_eq!(
        serials(PollSlot::open(&phone.path, &background).unwrap()),
        ["PIPU0001", "PIPU0002"]
    );
    phone.vault.remove_push_token("PIPU0001").unwrap();
    assert_eq!(
        serials(PollSlot::open(&phone.path, &background).unwrap()),
        ["PIPU0002"]
    );

    assert!(phone.vault.disable_poll_slot().unwrap());
    assert!(!phone.vault.has_poll_slot().unwrap());
    assert!(!slot_path(&phone.path).exists());
    assert!(matches!(
        PollSlot::open(&phone.path, &background),
        Err(PushError::NoPollSlot)
    ));
    // off stays off: token changes do not bring a slot back
    phone.vault.add_push_token(&token("PIPU0003")).unwrap();
    assert!(!slot_path(&phone.path).exists());
}

#[test]
fn a_renewed_slot_has_a_new_key_and_a_modified_slot_is_refused() {
    let phone = PhoneVault::new();
    phone.vault.add_push_token(&token("PIPU0001")).unwrap();
    let first = background_key(&phone);
    phone.vault.enable_poll_slot(&first).unwrap();
    let second = KeyFile::create(&phone.dir.path().join("second.key")).unwrap();
    phone.vault.enable_poll_slot(&second).unwrap();
    assert!(PollSlot::open(&phone.path, &second).is_ok());
    assert!(
        PollSlot::open(&phone.path, &first).is_err(),
        "the old background key opens nothing"
    );

    // a byte of the sealed tokens changed outside Tessera
    let conn = rusqlite::Connection::open(slot_path(&phone.path)).unwrap();
    let mut sealed: Vec<u8> = conn
        .query_row("SELECT value FROM slot WHERE name = 'contents'", [], |r| {
            r.get(0)
        })
        .unwrap();
    sealed[20] ^= 1;
    conn.execute(
        "UPDATE slot SET value = ?1 WHERE name = 'contents'",
        [&sealed],
    )
    .unwrap();
    drop(conn);
    assert!(matches!(
        PollSlot::open(&phone.path, &second),
        Err(PushError::Vault(VaultError::Corrupt(_)))
    ));
    // the vault repairs it by writing it again
    phone.vault.refresh_poll_slot().unwrap();
    assert_eq!(
        PollSlot::open(&phone.path, &second).unwrap().tokens().len(),
        1
    );
}

/// The whole story against a real privacyIDEA: enroll with platform keys, turn background
/// polling on, close the vault, a sign-in starts, the background poll fetches and verifies
/// the request through the slot alone; the app opens the vault, takes the request in (its
/// receipt time kept) and approves it; the login succeeds.
#[test]
fn a_background_poll_through_the_slot_fetches_what_the_unlocked_vault_then_approves() {
    let Some(pi) = server("a_background_poll_through_the_slot") else {
        return;
    };
    let user = pi.create_user("slot");
    let mut phone = PhoneVault::new();
    let keys = PlatformKeys::default();
    let transport = UreqTransport::new();
    let detail = pi.init_token(&user, &[("type", "push"), ("pin", "push-pin")]);
    let ticket = ticket_from_uri(detail["pushurl"]["value"].as_str().unwrap());
    let serial = Push::new(&phone.vault, &keys, &transport)
        .enroll(&ticket, 2048, &NoProgress, unix_now())
        .unwrap()
        .serial;
    let background = background_key(&phone);
    phone.vault.enable_poll_slot(&background).unwrap();

    // the app goes to the background: nothing of the vault is open any more
    drop(std::mem::replace(
        &mut phone.vault,
        tessera_core::vault::Vault::open_with_device(&phone.path, &phone.key).unwrap(),
    ));
    let path = phone.path.clone();
    let r = pi.validate_check(&user, "push-pin", None);
    assert_eq!(r["result"]["authentication"], "CHALLENGE", "{r}");
    let tid = r["detail"]["transaction_id"].as_str().unwrap().to_owned();

    let slot = PollSlot::open(&path, &background).unwrap();
    let (report, polled_at) = slot.poll(&keys, &transport, &SystemClock).unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    let fetched = report.received.into_iter().next().expect("one request");
    assert!(fetched.is_new);
    assert_eq!(
        fetched.seconds_left(polled_at),
        120,
        "received in this very poll"
    );
    assert_eq!(fetched.challenge.serial, serial);
    assert_eq!(
        fetched.issuer, ticket.issuer,
        "the notification can name the issuer"
    );
    let listed = slot.pending(&SystemClock).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id(), fetched.id());
    // polling again announces it no more
    let (again, _) = slot.poll(&keys, &transport, &SystemClock).unwrap();
    assert!(again.received.iter().all(|r| !r.is_new));
    drop(slot);

    // the user opens the app: the vault takes the request in and answers it
    let push = Push::new(&phone.vault, &keys, &transport);
    let taken = slot::take_in(&phone.vault, &push, unix_now()).unwrap();
    assert_eq!(taken, 1);
    let inbox = push.pending(unix_now()).unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].id(), fetched.id());
    assert_eq!(
        inbox[0].received_at, fetched.received_at,
        "taking it in does not extend its time"
    );
    assert_eq!(
        push.answer(fetched.id(), &Answer::Approve, unix_now())
            .unwrap(),
        Verdict::Accepted { display_code: None }
    );
    let r = pi.validate_check(&user, "", Some(&tid));
    assert_eq!(r["result"]["authentication"], "ACCEPT", "{r}");
    // taken in once: the slot's inbox is empty, and the answered request does not come back
    assert_eq!(slot::take_in(&phone.vault, &push, unix_now()).unwrap(), 0);
    assert!(push.pending(unix_now()).unwrap().is_empty());
}
