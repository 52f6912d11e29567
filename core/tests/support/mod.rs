//! Test support for the real-server tests: the privacyIDEA admin and login side (what an
//! admin and a password-reset portal do), driven over HTTP.
#![allow(dead_code)]

use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

/// privacyIDEA's SQLite backend dislikes concurrent writers: real-server tests run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// The server started by tests/privacyidea/server.sh (run-all.sh exports its pi.env).
pub struct Pi {
    pub base: String,
    pub realm: String,
    pub resolver: String,
    auth: String,
    agent: ureq::Agent,
    _turn: MutexGuard<'static, ()>,
}

/// The server, or `None` with the reason printed when the tests run without one.
pub fn server(test: &str) -> Option<Pi> {
    let Ok(base) = std::env::var("TESSERA_PI_URL") else {
        eprintln!(
            "SKIPPED {test}: no privacyIDEA server (TESSERA_PI_URL unset); \
             ./tests/run-all.sh starts one, or: tests/privacyidea/server.sh start DIR && set -a && . DIR/pi.env"
        );
        return None;
    };
    let turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let env = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} missing from pi.env"));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut pi = Pi {
        base,
        realm: env("TESSERA_PI_REALM"),
        resolver: env("TESSERA_PI_RESOLVER"),
        auth: String::new(),
        agent,
        _turn: turn,
    };
    // the server hashes the admin password slowly (~2 s): log in once per test binary
    static AUTH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let auth = AUTH.get_or_init(|| {
        let admin = env("TESSERA_PI_ADMIN");
        let pass = env("TESSERA_PI_ADMIN_PASS");
        let r = pi.post(
            "/auth",
            &[("username", admin.as_str()), ("password", pass.as_str())],
        );
        r["result"]["value"]["token"]
            .as_str()
            .expect("admin login")
            .to_string()
    });
    pi.auth = auth.clone();
    Some(pi)
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub fn unix_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64
}

/// A user name no other test (or earlier run) uses.
pub fn unique(prefix: &str) -> String {
    let n = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}{:x}", n & 0xffff_ffff_ffff)
}

impl Pi {
    fn read(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Value {
        let mut response = response.expect("privacyIDEA reachable");
        let text = response
            .body_mut()
            .read_to_string()
            .expect("privacyIDEA answers");
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("privacyIDEA answers JSON: {text}"))
    }

    pub fn post(&self, path: &str, form: &[(&str, &str)]) -> Value {
        let mut request = self.agent.post(format!("{}{path}", self.base));
        if !self.auth.is_empty() {
            request = request.header("Authorization", &self.auth);
        }
        Self::read(request.send_form(form.iter().copied()))
    }

    /// Deletes a token (admin).
    pub fn delete_token(&self, serial: &str) {
        self.delete(&format!("/token/{serial}"));
    }

    pub fn post_json(&self, path: &str, body: &Value) -> Value {
        Self::read(
            self.agent
                .post(format!("{}{path}", self.base))
                .header("Authorization", &self.auth)
                .header("Content-Type", "application/json")
                .send(body.to_string()),
        )
    }

    pub fn get(&self, path: &str, query: &[(&str, &str)]) -> Value {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        if !self.auth.is_empty() {
            request = request.header("Authorization", &self.auth);
        }
        Self::read(request.query_pairs(query.iter().copied()).call())
    }

    pub fn delete(&self, path: &str) -> Value {
        Self::read(
            self.agent
                .delete(format!("{}{path}", self.base))
                .header("Authorization", &self.auth)
                .call(),
        )
    }

    fn ok(value: Value, what: &str) -> Value {
        assert_eq!(
            value["result"]["status"],
            Value::Bool(true),
            "{what}: {value}"
        );
        value
    }

    /// Creates a user of its own for one test.
    pub fn create_user(&self, prefix: &str) -> String {
        let name = unique(prefix);
        let r = self.post(
            "/user/",
            &[
                ("resolver", &self.resolver),
                ("user", &name),
                ("password", "unused-pw"),
            ],
        );
        Self::ok(r, "create user");
        name
    }

    /// `POST /token/init genkey=1` for `user`; returns `detail`.
    pub fn init_token(&self, user: &str, params: &[(&str, &str)]) -> Value {
        let mut form = vec![
            ("genkey", "1"),
            ("user", user),
            ("realm", self.realm.as_str()),
        ];
        form.extend_from_slice(params);
        Self::ok(self.post("/token/init", &form), "token init")["detail"].clone()
    }

    /// An authentication policy that applies to `user` only.
    pub fn user_policy(&self, name: &str, user: &str, action: &str) {
        let body = serde_json::json!({
            "scope": "authentication", "active": true, "action": action,
            "user": user, "realm": self.realm,
        });
        Self::ok(self.post_json(&format!("/policy/{name}"), &body), "policy");
    }

    pub fn delete_policy(&self, name: &str) {
        self.delete(&format!("/policy/{name}"));
    }

    /// What the login side (a password-reset portal) sends: `/validate/check` (no admin token).
    pub fn validate_check(&self, user: &str, pass: &str, transaction_id: Option<&str>) -> Value {
        let mut form = vec![
            ("user", user),
            ("realm", self.realm.as_str()),
            ("pass", pass),
        ];
        if let Some(t) = transaction_id {
            form.push(("transaction_id", t));
        }
        Self::read(
            self.agent
                .post(format!("{}/validate/check", self.base))
                .send_form(form.iter().copied()),
        )
    }

    /// `/validate/polltransaction` as the login side asks it.
    pub fn polltransaction(&self, transaction_id: &str) -> Value {
        Self::read(
            self.agent
                .get(format!("{}/validate/polltransaction", self.base))
                .query("transaction_id", transaction_id)
                .call(),
        )
    }
}

/// A phone's vault in a fresh directory (the real store: SQLite, sealed device keys).
pub struct PhoneVault {
    pub dir: tempfile::TempDir,
    pub key: tessera_core::vault::KeyFile,
    pub path: std::path::PathBuf,
    pub vault: tessera_core::vault::Vault,
}

impl PhoneVault {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let key = tessera_core::vault::KeyFile::create(&dir.path().join("vault.key")).unwrap();
        let path = dir.path().join("vault.sqlite");
        let vault = tessera_core::vault::Vault::create(&path, &key).unwrap();
        PhoneVault {
            dir,
            key,
            path,
            vault,
        }
    }

    /// Closes and opens the vault again, as after a restart of the app.
    pub fn reopen(&mut self) {
        self.vault = tessera_core::vault::Vault::open_with_device(&self.path, &self.key).unwrap();
    }
}

/// Reads the enrollment fields of an `otpauth://pipush/…` URI with Tessera's parser.
pub fn ticket_from_uri(uri: &str) -> tessera_core::push::PushEnrollment {
    tessera_core::push::PushEnrollment::from_uri(uri)
        .expect("Tessera reads the server's pipush URI")
}
