//! Token containers against a real privacyIDEA 3.14 on 127.0.0.1 (started by
//! tests/privacyidea/server.sh; ./tests/run-all.sh exports TESSERA_PI_*). Without a server
//! each test prints why it is skipped. Each test has a user and a container of its own.

mod support;

use serde_json::{Value, json};
use support::{PhoneVault, Pi, server, unix_micros, unix_now};
use tessera_core::container::{
    ContainerError, ContainerInfo, ContainerState, Containers, Device, RegistrationQr,
    SoftwareContainerKeys, SyncReport, TokenKind, protocol,
};
use tessera_core::push::{
    Answer, HttpRequest, Method, Push, SoftwareKeys, Transport, UreqTransport, Verdict,
};
use tessera_core::vault::{AccountId, ListFilter};

const TOTP_PIN: &str = "totp-pin";
const PUSH_PIN: &str = "push-pin";

/// The container policy every test needs (one server URL for the whole server: two
/// different values would conflict, so every test writes the same one).
fn container_policy(pi: &Pi) {
    let action = format!(
        "privacyIDEA_server_url={}, container_registration_ttl=10, container_challenge_ttl=2, container_ssl_verify=False",
        pi.base
    );
    let r = pi.post_json(
        "/policy/tessera-container",
        &json!({"scope": "container", "active": true, "action": action}),
    );
    assert_eq!(r["result"]["status"], true, "container policy: {r}");
}

/// A container-scope client flag for one user.
fn client_flag(pi: &Pi, user: &str, action: &str) -> String {
    let name = format!("tessera-cflag-{user}-{}", action.len());
    let r = pi.post_json(
        &format!("/policy/{name}"),
        &json!({"scope": "container", "active": true, "action": action, "user": user, "realm": pi.realm}),
    );
    assert_eq!(r["result"]["status"], true, "client flag: {r}");
    name
}

fn create_container(pi: &Pi, user: &str) -> String {
    let r = pi.post_json(
        "/container/init",
        &json!({"type": "smartphone", "user": user, "realm": pi.realm, "description": "tessera test"}),
    );
    r["result"]["value"]["container_serial"]
        .as_str()
        .unwrap_or_else(|| panic!("container init: {r}"))
        .to_string()
}

fn add_token(pi: &Pi, user: &str, container: &str, kind: &str, pin: &str) -> String {
    pi.init_token(
        user,
        &[
            ("type", kind),
            ("pin", pin),
            ("container_serial", container),
        ],
    )["serial"]
        .as_str()
        .expect("token serial")
        .to_string()
}

/// `register/initialize` (admin): the QR URI.
fn registration_uri(pi: &Pi, body: Value) -> String {
    let r = pi.post_json("/container/register/initialize", &body);
    r["result"]["value"]["container_url"]["value"]
        .as_str()
        .unwrap_or_else(|| panic!("register/initialize: {r}"))
        .to_string()
}

fn server_state(pi: &Pi, serial: &str) -> Value {
    let r = pi.get("/container/", &[("container_serial", serial)]);
    r["result"]["value"]["containers"][0].clone()
}

/// A phone: a vault, the software key holders, the real HTTP transport.
struct Phone {
    store: PhoneVault,
    transport: UreqTransport,
}

impl Phone {
    fn new() -> Self {
        Phone {
            store: PhoneVault::new(),
            transport: UreqTransport::new(),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&Containers) -> R) -> R {
        let keys = SoftwareContainerKeys::new(&self.store.vault);
        let push_keys = SoftwareKeys::new(&self.store.vault);
        let containers = Containers::new(&self.store.vault, &keys, &push_keys, &self.transport);
        f(&containers)
    }

    fn register(
        &self,
        uri: &str,
        passphrase: Option<&str>,
    ) -> Result<ContainerInfo, ContainerError> {
        let qr = RegistrationQr::parse(uri)?;
        self.with(|c| c.register(&qr, passphrase, &Device::default(), unix_now()))
    }

    fn sync(&self, serial: &str) -> Result<SyncReport, ContainerError> {
        self.with(|c| c.sync(serial, unix_now()))
    }

    fn push<R>(&self, f: impl FnOnce(&Push) -> R) -> R {
        let keys = SoftwareKeys::new(&self.store.vault);
        f(&Push::new(&self.store.vault, &keys, &self.transport))
    }

    /// The current code of the account a container token became.
    fn code(&self, account_id: &str) -> String {
        let id = AccountId::parse(account_id).unwrap();
        let entry = self
            .store
            .vault
            .codes_at(unix_now())
            .unwrap()
            .into_iter()
            .find(|e| e.id == id)
            .expect("the account has a code");
        entry.code.expect("code").to_string()
    }
}

fn serials(changes: &[tessera_core::container::SyncChange]) -> Vec<String> {
    let mut s: Vec<String> = changes.iter().map(|c| c.serial.clone()).collect();
    s.sort();
    s
}

fn account_of(report: &SyncReport, serial: &str) -> String {
    report
        .added
        .iter()
        .chain(&report.resecreted)
        .find(|c| c.serial == serial)
        .and_then(|c| c.account_id.clone())
        .unwrap_or_else(|| panic!("{serial} became an account: {report:?}"))
}

/// Login side: push PIN → challenge; the phone polls and approves; returns the verdict and
/// the transaction id.
fn approve_login(pi: &Pi, phone: &Phone, user: &str) -> (Verdict, String) {
    let r = pi.validate_check(user, PUSH_PIN, None);
    assert_eq!(r["result"]["authentication"], "CHALLENGE", "{r}");
    let tid = r["detail"]["transaction_id"].as_str().unwrap().to_string();
    let report = phone.push(|p| p.poll(unix_micros())).expect("poll");
    assert_eq!(report.received.len(), 1, "one push request: {report:?}");
    let id = report.received[0].id().to_string();
    let verdict = phone
        .push(|p| p.answer(&id, &Answer::Approve, unix_now()))
        .unwrap();
    (verdict, tid)
}

#[test]
fn register_and_sync_deliver_totp_and_push_then_follow_server_changes() {
    let Some(pi) = server("register_and_sync_deliver_totp_and_push_then_follow_server_changes")
    else {
        return;
    };
    container_policy(&pi);
    let user = pi.create_user("cont");
    let cs = create_container(&pi, &user);
    let totp = add_token(&pi, &user, &cs, "totp", TOTP_PIN);
    let push = add_token(&pi, &user, &cs, "push", PUSH_PIN);
    let uri = registration_uri(&pi, json!({"container_serial": cs}));

    let phone = Phone::new();
    let info = phone.register(&uri, None).expect("registration");
    assert_eq!(info.state, ContainerState::Registered);
    assert_eq!(
        server_state(&pi, &cs)["info"]["registration_state"],
        "registered"
    );

    // first sync: the TOTP becomes an account, the push token is enrolled
    let report = phone.sync(&cs).expect("first sync");
    assert_eq!(serials(&report.added), {
        let mut s = vec![totp.clone(), push.clone()];
        s.sort();
        s
    });
    assert!(
        report.removed.is_empty() && report.failed.is_empty(),
        "{report:?}"
    );
    let account = account_of(&report, &totp);
    let code = phone.code(&account);
    let r = pi.validate_check(&user, &format!("{TOTP_PIN}{code}"), None);
    assert_eq!(
        r["result"]["authentication"], "ACCEPT",
        "TOTP from the sync: {r}"
    );
    let (verdict, tid) = approve_login(&pi, &phone, &user);
    assert_eq!(verdict, Verdict::Accepted { display_code: None });
    let r = pi.validate_check(&user, "", Some(&tid));
    assert_eq!(
        r["result"]["authentication"], "ACCEPT",
        "push from the sync: {r}"
    );
    let listed = phone.with(|c| c.get(&cs)).unwrap();
    assert_eq!(
        listed.tokens.len(),
        2,
        "both tokens are managed: {listed:?}"
    );
    assert!(
        listed
            .tokens
            .iter()
            .any(|t| t.kind == TokenKind::Push && t.serial == push)
    );
    assert_eq!(
        phone.with(|c| c.manager_of(&account)).unwrap().as_deref(),
        Some(cs.as_str())
    );

    // nothing changed on the server: nothing changes here
    let report = phone.sync(&cs).expect("second sync");
    assert!(report.is_empty(), "{report:?}");
    assert_eq!(report.unchanged.len(), 2);

    // the server adds a token: it arrives
    let totp2 = add_token(&pi, &user, &cs, "totp", TOTP_PIN);
    let report = phone.sync(&cs).expect("sync after add");
    assert_eq!(serials(&report.added), vec![totp2.clone()]);
    let account2 = account_of(&report, &totp2);

    // the server deletes a token: it leaves (to the trash)
    pi.delete_token(&totp);
    let report = phone.sync(&cs).expect("sync after delete");
    assert_eq!(serials(&report.removed), vec![totp.clone()]);
    let trash = phone.store.vault.trash().unwrap();
    assert!(
        trash.iter().any(|s| s.id.as_str() == account),
        "deleted token is in the trash"
    );
    let remaining = phone.with(|c| c.get(&cs)).unwrap().tokens;
    assert!(remaining.iter().all(|t| t.serial != totp));
    assert!(
        remaining
            .iter()
            .any(|t| t.account_id.as_deref() == Some(account2.as_str()))
    );

    // code to phone: the approval's answer carries the code the login page accepts
    let policy = format!("tessera-cc2p-{user}");
    pi.user_policy(&policy, &user, "push_code_to_phone");
    let (verdict, tid) = approve_login(&pi, &phone, &user);
    pi.delete_policy(&policy);
    let Verdict::Accepted {
        display_code: Some(code),
    } = verdict
    else {
        panic!("code-to-phone answer carries a display code: {verdict:?}");
    };
    let r = pi.validate_check(&user, &code, Some(&tid));
    assert_eq!(
        r["result"]["authentication"], "ACCEPT",
        "display code typed in: {r}"
    );
}

#[test]
fn registration_with_an_admin_passphrase_signs_utf8_and_reports_a_wrong_answer() {
    let Some(pi) =
        server("registration_with_an_admin_passphrase_signs_utf8_and_reports_a_wrong_answer")
    else {
        return;
    };
    container_policy(&pi);
    let user = pi.create_user("cpass");
    let cs = create_container(&pi, &user);
    add_token(&pi, &user, &cs, "totp", TOTP_PIN);
    let uri = registration_uri(
        &pi,
        json!({"container_serial": cs, "passphrase_prompt": "Lieblingsgrüße?", "passphrase_response": "Grüße-Zoë"}),
    );
    let phone = Phone::new();
    match phone.register(&uri, None) {
        Err(ContainerError::PassphraseRequired { prompt }) => assert_eq!(prompt, "Lieblingsgrüße?"),
        other => panic!("expected PassphraseRequired, got {other:?}"),
    }
    assert!(matches!(
        phone.register(&uri, Some("Grusse-Zoe")),
        Err(ContainerError::WrongPassphrase)
    ));
    assert!(
        phone.with(|c| c.list()).unwrap().is_empty(),
        "a refusal keeps nothing"
    );
    // non-ASCII device names are signed as UTF-8 too
    let qr = RegistrationQr::parse(&uri).unwrap();
    let device = Device {
        brand: Some("Tessera".into()),
        model: Some("Zoë's Pixel – Test".into()),
    };
    phone
        .with(|c| c.register(&qr, Some("Grüße-Zoë"), &device, unix_now()))
        .expect("the right answer registers");
    assert_eq!(
        server_state(&pi, &cs)["info"]["device"],
        "Tessera Zoë's Pixel – Test"
    );
    let report = phone.sync(&cs).expect("sync");
    assert_eq!(report.added.len(), 1);
}

#[test]
fn registration_with_the_user_store_password() {
    let Some(pi) = server("registration_with_the_user_store_password") else {
        return;
    };
    container_policy(&pi);
    let user = pi.create_user("cuser");
    let cs = create_container(&pi, &user);
    let uri = registration_uri(
        &pi,
        json!({"container_serial": cs, "passphrase_user": true}),
    );
    let phone = Phone::new();
    assert!(RegistrationQr::parse(&uri).unwrap().send_passphrase);
    assert!(matches!(
        phone.register(&uri, None),
        Err(ContainerError::UserPasswordRequired)
    ));
    assert!(matches!(
        phone.register(&uri, Some("not-the-password")),
        Err(ContainerError::WrongPassphrase)
    ));
    // support::Pi::create_user gives every user this password
    phone
        .register(&uri, Some("unused-pw"))
        .expect("the user's password registers");
}

#[test]
fn rollover_moves_the_container_and_locks_the_old_device_out() {
    let Some(pi) = server("rollover_moves_the_container_and_locks_the_old_device_out") else {
        return;
    };
    container_policy(&pi);
    let user = pi.create_user("croll");
    let cs = create_container(&pi, &user);
    let totp = add_token(&pi, &user, &cs, "totp", TOTP_PIN);
    let old = Phone::new();
    old.register(
        &registration_uri(&pi, json!({"container_serial": cs})),
        None,
    )
    .unwrap();
    let first = old.sync(&cs).unwrap();
    let old_account = account_of(&first, &totp);

    // without the policy the device refuses before asking
    assert!(matches!(
        old.with(|c| c.rollover(&cs)),
        Err(ContainerError::PolicyForbids(_))
    ));
    let flag = client_flag(&pi, &user, "container_client_rollover");
    let report = old.sync(&cs).unwrap();
    assert!(
        report.policies.client_rollover,
        "the flag arrives with a sync"
    );
    let ticket = old.with(|c| c.rollover(&cs)).expect("rollover QR");
    assert!(ticket.uri.starts_with(&format!("pia://container/{cs}?")));
    assert_eq!(
        old.with(|c| c.get(&cs)).unwrap().state,
        ContainerState::RolloverStarted
    );

    let new = Phone::new();
    new.with(|c| c.register(&ticket.qr, None, &Device::default(), unix_now()))
        .expect("new device registers");
    let report = new.sync(&cs).expect("new device syncs");
    let new_account = account_of(&report, &totp);

    match old.sync(&cs) {
        Err(ContainerError::LockedOut(serial)) => assert_eq!(serial, cs),
        other => panic!("old device must be locked out, got {other:?}"),
    }
    assert_eq!(
        old.with(|c| c.get(&cs)).unwrap().state,
        ContainerState::LockedOut
    );
    // its accounts stay readable; their codes are dead on the server
    let old_code = old.code(&old_account);
    let new_code = new.code(&new_account);
    assert_ne!(old_code, new_code, "rollover renewed the secret");
    let r = pi.validate_check(&user, &format!("{TOTP_PIN}{old_code}"), None);
    assert_eq!(r["result"]["authentication"], "REJECT");
    let r = pi.validate_check(&user, &format!("{TOTP_PIN}{new_code}"), None);
    assert_eq!(r["result"]["authentication"], "ACCEPT", "{r}");
    // the locked-out container can be forgotten; its account stays
    old.with(|c| c.forget(&cs)).unwrap();
    assert!(
        old.store
            .vault
            .get(&AccountId::parse(&old_account).unwrap())
            .is_ok()
    );
    pi.delete_policy(&flag);
}

#[test]
fn unregister_from_the_device_keeps_the_accounts() {
    let Some(pi) = server("unregister_from_the_device_keeps_the_accounts") else {
        return;
    };
    container_policy(&pi);
    let user = pi.create_user("cunreg");
    let cs = create_container(&pi, &user);
    let totp = add_token(&pi, &user, &cs, "totp", TOTP_PIN);
    let phone = Phone::new();
    phone
        .register(
            &registration_uri(&pi, json!({"container_serial": cs})),
            None,
        )
        .unwrap();
    let account = account_of(&phone.sync(&cs).unwrap(), &totp);

    let flag = client_flag(&pi, &user, "disable_client_container_unregister");
    phone.sync(&cs).unwrap();
    assert!(matches!(
        phone.with(|c| c.unregister(&cs)),
        Err(ContainerError::PolicyForbids(_))
    ));
    pi.delete_policy(&flag);
    phone.sync(&cs).unwrap();
    phone.with(|c| c.unregister(&cs)).expect("unregister");
    assert!(phone.with(|c| c.list()).unwrap().is_empty());
    let state = server_state(&pi, &cs);
    assert!(state["info"].get("registration_state").is_none(), "{state}");
    assert!(
        phone
            .store
            .vault
            .get(&AccountId::parse(&account).unwrap())
            .is_ok()
    );
}

#[test]
fn expired_qr_is_refused_before_anything_is_sent() {
    let Some(pi) = server("expired_qr_is_refused_before_anything_is_sent") else {
        return;
    };
    container_policy(&pi);
    let user = pi.create_user("cexp");
    let cs = create_container(&pi, &user);
    let qr =
        RegistrationQr::parse(&registration_uri(&pi, json!({"container_serial": cs}))).unwrap();
    let phone = Phone::new();
    let later = qr.expires_at() + 120;
    match phone.with(|c| c.register(&qr, None, &Device::default(), later)) {
        Err(ContainerError::QrExpired {
            minutes: 2,
            ttl: 10,
        }) => {}
        other => panic!("expected QrExpired, got {other:?}"),
    }
    assert_eq!(
        server_state(&pi, &cs)["info"]["registration_state"],
        "client_wait",
        "nothing reached the server"
    );
}

/// Raw protocol calls with the registered key, for the negative cases.
fn raw_sync(
    phone: &Phone,
    info: &ContainerInfo,
    sign: impl FnOnce(&str) -> Vec<u8>,
    challenge: Option<(String, String)>,
    tamper: bool,
) -> (tessera_core::push::HttpResponse, (String, String)) {
    let (scope, prefix) = challenge.unwrap_or_else(|| {
        let scope = protocol::endpoint(&info.url, protocol::SYNCHRONIZE);
        let r = phone
            .transport
            .send(&HttpRequest {
                method: Method::Post,
                url: protocol::endpoint(&info.url, protocol::CHALLENGE),
                query: vec![],
                form: protocol::challenge_form(&info.serial, &scope),
                verify_tls: false,
            })
            .unwrap();
        let c = protocol::read_challenge(r.status, &r.body, &info.serial).unwrap();
        let prefix = protocol::signed_prefix(&c, &info.serial, &scope);
        (scope, prefix)
    });
    let key = tessera_core::container::crypto::SyncKey::new().unwrap();
    let dict = json!({"serial": info.serial, "type": "smartphone", "tokens": []}).to_string();
    let signature = sign(&protocol::sync_message(&prefix, key.public_base64(), &dict));
    let sent = if tamper {
        dict.replace("[]", "[{\"serial\":\"X\"}]")
    } else {
        dict
    };
    let r = phone
        .transport
        .send(&HttpRequest {
            method: Method::Post,
            url: scope.clone(),
            query: vec![],
            form: protocol::sync_form(&info.serial, key.public_base64(), &sent, &signature),
            verify_tls: false,
        })
        .unwrap();
    (r, (scope, prefix))
}

fn refused_with_3002(r: &tessera_core::push::HttpResponse, what: &str) {
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        (r.status, body["result"]["error"]["code"].as_i64()),
        (400, Some(3002)),
        "{what}: {body}"
    );
}

#[test]
fn server_refuses_a_wrong_signature_a_replayed_challenge_and_a_tampered_request() {
    let Some(pi) =
        server("server_refuses_a_wrong_signature_a_replayed_challenge_and_a_tampered_request")
    else {
        return;
    };
    container_policy(&pi);
    let user = pi.create_user("cneg");
    let cs = create_container(&pi, &user);
    let phone = Phone::new();
    let info = phone
        .register(
            &registration_uri(&pi, json!({"container_serial": cs})),
            None,
        )
        .unwrap();
    let keys = SoftwareContainerKeys::new(&phone.store.vault);
    use tessera_core::container::ContainerKeys;
    let sign = |m: &str| keys.sign(&info.key_alias, m.as_bytes(), info.hash).unwrap();

    // the genuine request works, once
    let (r, used) = raw_sync(&phone, &info, sign, None, false);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let (r, _) = raw_sync(&phone, &info, sign, Some(used), false);
    refused_with_3002(&r, "replayed challenge");
    let (r, _) = raw_sync(&phone, &info, sign, None, true);
    refused_with_3002(&r, "container dict changed after signing");
    // a key the server never saw
    let stranger = SoftwareContainerKeys::new(&phone.store.vault);
    stranger
        .generate("stranger", tessera_core::container::Curve::P384)
        .unwrap();
    let (r, _) = raw_sync(
        &phone,
        &info,
        |m| stranger.sign("stranger", m.as_bytes(), info.hash).unwrap(),
        None,
        false,
    );
    refused_with_3002(&r, "signature by another key");
    // and through the service, the genuine device still syncs
    phone
        .sync(&cs)
        .expect("the device is not locked out by others' failures");
}

/// A token this device holds gets a new secret from the server, and the device replaces it in
/// place: same account, new secret, the old secret's codes refused.
///
/// privacyIDEA 3.14 sends a token the device reports again (in `add`, with its secret) only in
/// the first sync after a rollover registration: an admin who re-inits the token with a new
/// `otpkey` changes the secret on the server, but the container lists the token as unchanged
/// (`update`, no secret), so no device learns it. The test shows that, then takes the path
/// 3.14 does deliver: the admin rolls the container over to a replacement phone (the first is
/// locked out), then, the phone being found, rolls it back to it; its first sync re-rolls
/// every token it reports.
#[test]
fn a_resecreted_token_is_replaced_in_place() {
    let Some(pi) = server("a_resecreted_token_is_replaced_in_place") else {
        return;
    };
    container_policy(&pi);
    let user = pi.create_user("cresec");
    let cs = create_container(&pi, &user);
    let totp = add_token(&pi, &user, &cs, "totp", TOTP_PIN);
    let phone = Phone::new();
    phone
        .register(
            &registration_uri(&pi, json!({"container_serial": cs})),
            None,
        )
        .expect("registration");
    let first = phone.sync(&cs).expect("first sync");
    let account = account_of(&first, &totp);

    // the admin re-inits the token with a new secret: 3.14 does not tell the container
    let r = pi.post(
        "/token/init",
        &[
            ("serial", totp.as_str()),
            ("type", "totp"),
            ("otpkey", "3132333435363738393031323334353637383930"),
            ("user", user.as_str()),
            ("realm", pi.realm.as_str()),
        ],
    );
    assert_eq!(r["result"]["status"], true, "re-init: {r}");
    let report = phone.sync(&cs).expect("sync after the re-init");
    assert_eq!(
        report.unchanged,
        vec![totp.clone()],
        "3.14 lists a re-inited token as unchanged: {report:?}"
    );
    assert!(report.resecreted.is_empty(), "{report:?}");

    // lost phone: the admin rolls the container over to a replacement, which registers
    let replacement = Phone::new();
    replacement
        .register(
            &registration_uri(&pi, json!({"container_serial": cs, "rollover": 1})),
            None,
        )
        .expect("the replacement registers");
    assert!(matches!(phone.sync(&cs), Err(ContainerError::LockedOut(_))));

    // found again: the admin rolls the container back over to it
    phone
        .register(
            &registration_uri(&pi, json!({"container_serial": cs, "rollover": 1})),
            None,
        )
        .expect("the found phone registers again");
    let old_code = phone.code(&account);
    let report = phone.sync(&cs).expect("first sync after the rollover");
    assert_eq!(
        serials(&report.resecreted),
        vec![totp.clone()],
        "{report:?}"
    );
    assert!(
        report.added.is_empty() && report.removed.is_empty() && report.failed.is_empty(),
        "{report:?}"
    );
    assert_eq!(
        report.resecreted[0].account_id.as_deref(),
        Some(account.as_str()),
        "the same account, replaced in place"
    );
    let accounts = phone.store.vault.list(&ListFilter::default()).unwrap();
    assert_eq!(accounts.len(), 1, "no second account: {accounts:?}");
    let container = phone.with(|c| c.get(&cs)).unwrap();
    assert_eq!(container.state, ContainerState::Registered);
    assert_eq!(
        container.tokens.len(),
        1,
        "one managed token: {container:?}"
    );
    assert_eq!(
        phone.with(|c| c.manager_of(&account)).unwrap().as_deref(),
        Some(cs.as_str())
    );

    let new_code = phone.code(&account);
    assert_ne!(old_code, new_code, "the sync replaced the secret");
    let r = pi.validate_check(&user, &format!("{TOTP_PIN}{old_code}"), None);
    assert_eq!(
        r["result"]["authentication"], "REJECT",
        "the old secret: {r}"
    );
    let r = pi.validate_check(&user, &format!("{TOTP_PIN}{new_code}"), None);
    assert_eq!(
        r["result"]["authentication"], "ACCEPT",
        "the new secret: {r}"
    );
}
