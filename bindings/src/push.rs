//! Push approvals for Kotlin and Swift: a [`PushClient`] over an open [`Vault`], with the
//! platform's device-key store and HTTP stack optional (Tessera's software keys, sealed in the
//! vault, and its own HTTPS client otherwise). Every rule is core's (`tessera_core::push`);
//! this module converts types and forwards.

use std::collections::HashMap;
use std::sync::Arc;

use tessera_core::push::{self as core, Push};
use tessera_core::vault::Vault as CoreVault;

use crate::error::{Result, TesseraError};
use crate::redact::{REDACTED, redacted_bytes};
use crate::vault::Vault;

/// An enrolled push token.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PushTokenInfo {
    /// The server's serial.
    pub serial: String,
    /// Issuer to show.
    pub issuer: String,
    /// Account label to show.
    pub label: String,
    /// The name to show for the token (core's `display_name` of issuer and label).
    pub display_name: String,
    /// The server URL polls go to.
    pub url: String,
    /// Whether TLS certificates are verified.
    pub sslverify: bool,
    /// The server demands this unlock before the token's requests are shown or answered
    /// (`app_force_unlock` at enrollment); `None`: no demand.
    pub force_unlock: Option<ForceUnlock>,
}

impl From<&core::PushToken> for PushTokenInfo {
    fn from(t: &core::PushToken) -> Self {
        PushTokenInfo {
            serial: t.serial.clone(),
            issuer: t.issuer.clone(),
            label: t.label.clone(),
            display_name: tessera_core::app::display_name(&t.issuer, &t.label),
            url: t.url.clone(),
            sslverify: t.sslverify,
            force_unlock: t.force_unlock.map(Into::into),
        }
    }
}

/// How the app must be unlocked before it shows or answers a token's requests (the server's
/// `app_force_unlock`). Core reads the server's value; a value it does not know is `Any`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ForceUnlock {
    /// Any unlock the device offers.
    Any,
    /// A biometric unlock.
    Biometric,
    /// The device PIN or passcode.
    Pin,
}

impl From<core::ForceUnlock> for ForceUnlock {
    fn from(f: core::ForceUnlock) -> Self {
        match f {
            core::ForceUnlock::Any => ForceUnlock::Any,
            core::ForceUnlock::Biometric => ForceUnlock::Biometric,
            core::ForceUnlock::Pin => ForceUnlock::Pin,
        }
    }
}

/// A verified push request waiting for the user's answer: one row of the push inbox.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PushRequest {
    /// Its id (the server's nonce): pass it to `approve`, `choose` or `deny`.
    pub id: String,
    /// The push token it is for.
    pub serial: String,
    /// The token's issuer, as enrolled.
    pub issuer: String,
    /// The token's label, as enrolled.
    pub label: String,
    /// The name to show for the token it is for (core's `display_name`).
    pub display_name: String,
    /// True when it arrived in the latest poll (or after it, by a push notification); a
    /// request still open from an earlier poll is not new.
    pub is_new: bool,
    /// Unlock the app this way before showing or answering it (`None`: no demand).
    pub force_unlock: Option<ForceUnlock>,
    /// Title to show.
    pub title: String,
    /// Question to show.
    pub question: String,
    /// Number matching: the numbers to offer (the user picks the one on the login screen);
    /// empty without number matching.
    pub choices: Vec<String>,
    /// Unix second it arrived.
    pub received_at: u64,
    /// Unix second after which it can no longer be answered, on the vault's server-corrected
    /// clock (not the device's: compare it with nothing; show `seconds_left`).
    pub expires_at: u64,
    /// Whole seconds left to answer it when this record was made, judged by the vault's
    /// server-corrected clock as the answer will be. An inbox shows it and counts it down on
    /// a timer (or fetches `pending()` again); 0 once it can no longer be answered.
    pub seconds_left: u64,
}

impl PushRequest {
    /// The inbox row of `r` at `now` (Unix seconds, the corrected clock).
    pub(crate) fn at(r: &core::PendingRequest, now: u64) -> Self {
        PushRequest {
            id: r.id().to_string(),
            serial: r.challenge.serial.clone(),
            issuer: r.issuer.clone(),
            label: r.label.clone(),
            display_name: tessera_core::app::display_name(&r.issuer, &r.label),
            is_new: r.is_new,
            force_unlock: r.force_unlock.map(Into::into),
            title: r.challenge.title.clone(),
            question: r.challenge.question.clone(),
            choices: r.choices(),
            received_at: r.received_at,
            expires_at: r.expires_at(),
            seconds_left: r.seconds_left(now),
        }
    }
}

/// What became of the request a notification named (`PushClient.requestState`), so that
/// tapping an old notification says what happened instead of showing nothing.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
// uniffi enums cannot box a variant's record, and a value lives only until it is lowered
// into the foreign buffer: the size difference costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum RequestState {
    /// Still answerable: show it (with its token's issuer, label and unlock demand).
    Pending {
        /// The request.
        request: PushRequest,
    },
    /// Its time ran out before it was answered.
    Expired,
    /// It was answered (approved or denied) or expired earlier: nothing is left to do.
    Closed,
    /// This vault has no such request: it never arrived, or its push token was removed.
    Unknown,
}

/// A request that was refused without being shown or answered.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RejectedPush {
    /// The serial it named.
    pub serial: String,
    /// Why (bad signature, expired, replayed, unknown token).
    pub reason: String,
}

/// A token whose poll failed; nothing stored was lost.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FailedPoll {
    /// The token.
    pub serial: String,
    /// What went wrong (network, server refusal).
    pub reason: String,
}

/// What one poll of every token brought.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PollResult {
    /// Requests received and verified.
    pub received: Vec<PushRequest>,
    /// Requests refused.
    pub rejected: Vec<RejectedPush>,
    /// Tokens that could not be polled.
    pub failed: Vec<FailedPoll>,
}

impl PollResult {
    /// The result of `report`, its requests' time left at `now` (Unix seconds, corrected).
    pub(crate) fn at(report: core::PollReport, now: u64) -> Self {
        PollResult {
            received: report
                .received
                .iter()
                .map(|r| PushRequest::at(r, now))
                .collect(),
            rejected: report
                .rejected
                .into_iter()
                .map(|(serial, r)| RejectedPush {
                    serial,
                    reason: r.to_string(),
                })
                .collect(),
            failed: report
                .failed
                .into_iter()
                .map(|(serial, e)| FailedPoll {
                    serial,
                    reason: e.to_string(),
                })
                .collect(),
        }
    }
}

/// The server's verdict on an answer. Printing it does not show a display code.
#[derive(Clone, PartialEq, Eq, uniffi::Enum)]
#[uniffi::export(Debug)]
pub enum PushVerdict {
    /// The server took the answer; with code-to-phone, show `display_code` to the user.
    Accepted {
        /// Code the user types into the login page (code-to-phone), if any.
        display_code: Option<String>,
    },
    /// The server refused it (wrong number, expired, withdrawn). A wrong number may be retried.
    Refused,
    /// The answer may not have arrived; the request is kept and can be answered again.
    NetworkFailure {
        /// What failed.
        reason: String,
    },
}

impl std::fmt::Debug for PushVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PushVerdict::Accepted { display_code } => f
                .debug_struct("Accepted")
                .field("display_code", &display_code.as_ref().map(|_| REDACTED))
                .finish(),
            PushVerdict::Refused => f.write_str("Refused"),
            PushVerdict::NetworkFailure { reason } => f
                .debug_struct("NetworkFailure")
                .field("reason", reason)
                .finish(),
        }
    }
}

impl From<core::Verdict> for PushVerdict {
    fn from(v: core::Verdict) -> Self {
        match v {
            core::Verdict::Accepted { display_code } => PushVerdict::Accepted { display_code },
            core::Verdict::Refused => PushVerdict::Refused,
            core::Verdict::NetworkFailure(reason) => PushVerdict::NetworkFailure { reason },
        }
    }
}

/// Why the user declines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DenyReason {
    /// "I didn't ask for this."
    NotMe,
    /// "Cancel."
    Cancel,
}

/// A step of device-key generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum KeygenStep {
    /// Generation of a `bits`-long RSA key started.
    Started {
        /// Modulus size.
        bits: u32,
    },
    /// Still searching primes (`attempt` counts up; drive an indeterminate indicator).
    Searching {
        /// Attempts so far.
        attempt: u32,
    },
    /// Encoding and checking the new key.
    Finishing,
}

/// Receives device-key generation progress (on the calling thread: call `enroll` off the UI
/// thread). Return `false` to cancel the enrollment.
#[uniffi::export(foreign)]
pub trait KeygenListener: Send + Sync {
    /// One step of the generation.
    fn on_progress(&self, step: KeygenStep) -> bool;
}

struct Listener(Option<Arc<dyn KeygenListener>>);

impl core::KeygenProgress for Listener {
    fn report(&self, step: core::KeygenStep) -> bool {
        let Some(listener) = &self.0 else { return true };
        listener.on_progress(match step {
            core::KeygenStep::Started { bits } => KeygenStep::Started { bits },
            core::KeygenStep::Searching { attempt } => KeygenStep::Searching { attempt },
            core::KeygenStep::Finishing => KeygenStep::Finishing,
        })
    }
}

/// A platform keystore holding the push device keys (Android Keystore, iOS Keychain): RSA,
/// e = 65537, signing RSASSA-PKCS1-v1_5 with SHA-256. Throw `TesseraError.Platform` on failure.
#[uniffi::export(foreign)]
pub trait PushDeviceKeys: Send + Sync {
    /// Creates a key pair of `bits` under `alias`; returns the public key as
    /// SubjectPublicKeyInfo DER (Android's `PublicKey.encoded`) or PKCS#1 `RSAPublicKey` DER
    /// (iOS's `SecKeyCopyExternalRepresentation`, as it is): core detects which, and refuses
    /// anything but an RSA key of at least 2048 bits.
    fn generate(&self, alias: String, bits: u32) -> Result<Vec<u8>>;
    /// Signs `message` (PKCS#1 v1.5, SHA-256) with the key under `alias`.
    fn sign(&self, alias: String, message: Vec<u8>) -> Result<Vec<u8>>;
    /// Deletes the key under `alias` (no error when absent).
    fn delete(&self, alias: String) -> Result<()>;
}

/// A platform [`PushDeviceKeys`] as core's device-key holder (containers use it too).
pub(crate) struct ForeignDeviceKeys(pub(crate) Arc<dyn PushDeviceKeys>);

fn keystore_error(e: TesseraError) -> core::PushError {
    match e {
        TesseraError::Cancelled => core::PushError::Cancelled,
        other => core::PushError::KeyStore(other.to_string()),
    }
}

impl core::DeviceKeys for ForeignDeviceKeys {
    fn generate(
        &self,
        alias: &str,
        bits: u32,
        _progress: &dyn core::KeygenProgress,
    ) -> std::result::Result<Vec<u8>, core::PushError> {
        self.0.generate(alias.into(), bits).map_err(keystore_error)
    }
    fn sign(&self, alias: &str, message: &[u8]) -> std::result::Result<Vec<u8>, core::PushError> {
        self.0
            .sign(alias.into(), message.to_vec())
            .map_err(keystore_error)
    }
    fn delete(&self, alias: &str) -> std::result::Result<(), core::PushError> {
        self.0.delete(alias.into()).map_err(keystore_error)
    }
}

/// One form or query field. Printing it shows the name, not the value.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct HttpField {
    /// Name.
    pub name: String,
    /// Value (may be a signature or credential: never log it).
    pub value: String,
}

impl std::fmt::Debug for HttpField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpField")
            .field("name", &self.name)
            .field("value", &REDACTED)
            .finish()
    }
}

/// An HTTP request for a platform transport. Printing it shows the URL and the field names,
/// not their values (the enrollment credential, signatures).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct HttpRequest {
    /// `true` for POST (form-encoded `form`), `false` for GET.
    pub post: bool,
    /// URL without the query.
    pub url: String,
    /// Query parameters.
    pub query: Vec<HttpField>,
    /// Form fields (`application/x-www-form-urlencoded`).
    pub form: Vec<HttpField>,
    /// Verify the server certificate (false only when the token says sslverify=0).
    pub verify_tls: bool,
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRequest")
            .field("post", &self.post)
            .field("url", &self.url)
            .field("query", &self.query)
            .field("form", &self.form)
            .field("verify_tls", &self.verify_tls)
            .finish()
    }
}

/// The response: status, body and `Date` header, whatever the status. Printing it shows the
/// body's size.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct HttpResponse {
    /// HTTP status.
    pub status: u16,
    /// Body bytes.
    pub body: Vec<u8>,
    /// The response's `Date` header as received, if any: Tessera learns the server's clock
    /// from it (pass it whenever the platform stack gives it).
    #[uniffi(default = None)]
    pub date: Option<String>,
}

impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("body", &redacted_bytes(&self.body))
            .field("date", &self.date)
            .finish()
    }
}

/// The platform's HTTP stack. Return the response for any status; throw
/// `TesseraError.Network` only when no response arrived (its reason must not contain query
/// or form values).
#[uniffi::export(foreign)]
pub trait PushTransport: Send + Sync {
    /// Sends one request.
    fn send(&self, request: HttpRequest) -> Result<HttpResponse>;
}

/// A platform [`PushTransport`] as core's transport (containers use it too).
pub(crate) struct ForeignTransport(pub(crate) Arc<dyn PushTransport>);

fn fields(list: &[(String, String)]) -> Vec<HttpField> {
    list.iter()
        .map(|(n, v)| HttpField {
            name: n.clone(),
            value: v.clone(),
        })
        .collect()
}

impl core::Transport for ForeignTransport {
    fn send(
        &self,
        request: &core::HttpRequest,
    ) -> std::result::Result<core::HttpResponse, core::TransportError> {
        let response = self
            .0
            .send(HttpRequest {
                post: request.method == core::Method::Post,
                url: request.url.clone(),
                query: fields(&request.query),
                form: fields(&request.form),
                verify_tls: request.verify_tls,
            })
            .map_err(|e| core::TransportError {
                message: match e {
                    TesseraError::Network { reason } => reason,
                    other => other.to_string(),
                },
            })?;
        Ok(core::HttpResponse {
            status: response.status,
            body: response.body,
            date: response.date,
        })
    }
}

/// Tessera's own HTTPS client (desktop library); push and container clients share it.
#[cfg(feature = "desktop")]
pub(crate) fn default_transport() -> Box<dyn core::Transport> {
    Box::new(core::UreqTransport::new())
}

/// The mobile library has no HTTP client of its own: without a `PushTransport`, every call
/// that reaches the server fails with [`NO_TRANSPORT`] (as `Network`), naming what to pass.
/// Push and container clients share it.
#[cfg(not(feature = "desktop"))]
pub(crate) fn default_transport() -> Box<dyn core::Transport> {
    struct NoTransport;
    impl core::Transport for NoTransport {
        fn send(
            &self,
            _request: &core::HttpRequest,
        ) -> std::result::Result<core::HttpResponse, core::TransportError> {
            Err(core::TransportError {
                message: NO_TRANSPORT.into(),
            })
        }
    }
    Box::new(NoTransport)
}

/// Why a call that needs the server fails in the mobile library when a client was made
/// without a `PushTransport`.
#[cfg(not(feature = "desktop"))]
pub(crate) const NO_TRANSPORT: &str = "this build has no HTTP client of its own: \
     create the client (PushClient, ContainerClient) with a PushTransport (the platform's HTTP stack)";

/// Push approvals over an open vault. Safe to use from several threads; calls that reach the
/// server block, so make them off the UI thread.
#[derive(uniffi::Object)]
pub struct PushClient {
    vault: Arc<Vault>,
    keys: Option<ForeignDeviceKeys>,
    transport: Box<dyn core::Transport>,
}

impl PushClient {
    /// [`PushClient::with`] after taking in what background polls fetched through the poll
    /// slot (`Vault.enable_poll_slot`): the inbox, a tapped notification's request and the
    /// answers see those requests too. A slot that
    /// cannot be read never hides the inbox: its requests are still on the server, and this
    /// call's poll (or the next) fetches them.
    fn with_inbox<T>(
        &self,
        f: impl FnOnce(&Push, i64) -> std::result::Result<T, core::PushError>,
    ) -> Result<T> {
        self.with_vault(|vault, p, now| {
            let _ = core::slot::take_in(vault, p, secs(now));
            f(p, now)
        })
    }

    /// Runs `f` with push over the vault, at the vault's time: `f` gets the corrected time in
    /// microseconds (the vault's clock plus the server offset), and every server response
    /// refreshes the offset.
    fn with<T>(
        &self,
        f: impl FnOnce(&Push, i64) -> std::result::Result<T, core::PushError>,
    ) -> Result<T> {
        self.with_vault(|_, p, now| f(p, now))
    }

    /// [`PushClient::with`], `f` also getting the open core vault.
    fn with_vault<T>(
        &self,
        f: impl FnOnce(&CoreVault, &Push, i64) -> std::result::Result<T, core::PushError>,
    ) -> Result<T> {
        let vault: Arc<CoreVault> = self.vault.unlocked()?;
        let software = core::SoftwareKeys::new(vault.clone());
        let keys: &dyn core::DeviceKeys = match &self.keys {
            Some(foreign) => foreign,
            None => &software,
        };
        let device = self.vault.device_clock()?;
        let device_millis = device.now_millis();
        let offset = match vault.server_time() {
            Ok(Some(time)) => time.offset_secs,
            _ => 0,
        };
        let now_micros = device_millis
            .saturating_add(offset.saturating_mul(1000))
            .saturating_mul(1000);
        let push = Push::new(&*vault, keys, &*self.transport).with_device_clock(&*device);
        Ok(f(&vault, &push, now_micros)?)
    }
}

/// Whole seconds of a time in microseconds (never negative).
fn secs(micros: i64) -> u64 {
    u64::try_from(micros / 1_000_000).unwrap_or(0)
}

#[uniffi::export]
impl PushClient {
    /// Push over `vault`. `device_keys`: the platform keystore (Tessera's software keys,
    /// sealed in the vault, when absent). `transport`: the platform HTTP stack (Tessera's
    /// HTTPS client when absent). The mobile library has neither an HTTP client nor software
    /// key generation: pass both there (without them, calls that need them fail, naming the
    /// trait to pass).
    #[uniffi::constructor(default(device_keys = None, transport = None))]
    pub fn new(
        vault: Arc<Vault>,
        device_keys: Option<Arc<dyn PushDeviceKeys>>,
        transport: Option<Arc<dyn PushTransport>>,
    ) -> Arc<Self> {
        let transport: Box<dyn core::Transport> = match transport {
            Some(t) => Box::new(ForeignTransport(t)),
            None => default_transport(),
        };
        Arc::new(PushClient {
            vault,
            keys: device_keys.map(ForeignDeviceKeys),
            transport,
        })
    }

    /// Enrolls the push token of a scanned `otpauth://pipush/…` (or `pia://`) URI: creates a
    /// `key_bits` (2048 or 4096) device key, registers it with the server, stores the token.
    /// A plain http:// server or sslverify=0 (loopback hosts excepted) is refused with
    /// `InvalidInput` unless `allow_insecure_transport` is true: set it only after the user
    /// accepted that the enrollment credential and the server key can be read or replaced.
    #[uniffi::method(default(listener = None, allow_insecure_transport = false))]
    pub fn enroll(
        &self,
        uri: String,
        key_bits: u32,
        listener: Option<Arc<dyn KeygenListener>>,
        allow_insecure_transport: bool,
    ) -> Result<PushTokenInfo> {
        let ticket = core::PushEnrollment::from_uri(uri.trim())?;
        let policy = if allow_insecure_transport {
            tessera_core::net::TransportPolicy::AllowInsecure
        } else {
            tessera_core::net::TransportPolicy::Secure
        };
        self.with(|p, now| {
            p.enroll_with_policy(&ticket, key_bits, &Listener(listener), secs(now), policy)
        })
        .map(|t| PushTokenInfo::from(&t))
    }

    /// The enrolled push tokens.
    pub fn tokens(&self) -> Result<Vec<PushTokenInfo>> {
        self.with(|p, _| p.tokens())
            .map(|ts| ts.iter().map(PushTokenInfo::from).collect())
    }

    /// Polls every token's server for requests. `received` holds what this poll brought
    /// (those that arrived for the first time have `is_new`); `pending()` is the whole inbox.
    pub fn poll(&self) -> Result<PollResult> {
        let (report, now) = self.with_inbox(|p, now| Ok((p.poll(now)?, secs(now))))?;
        Ok(PollResult::at(report, now))
    }

    /// Takes in the data map a push service delivered. `Rejected` when it fails verification,
    /// expired, repeats an answered request or names an unknown token: never show it then.
    pub fn receive(&self, data: HashMap<String, String>) -> Result<PushRequest> {
        self.with(|p, now| {
            let now = secs(now);
            p.receive_payload(data.iter().map(|(k, v)| (k.as_str(), v.as_str())), now)
                .map(|r| PushRequest::at(&r, now))
        })
    }

    /// The push inbox: the requests still answerable, oldest first, each with its token's
    /// issuer and label, its "new" mark, its unlock demand and when it expires.
    pub fn pending(&self) -> Result<Vec<PushRequest>> {
        self.with_inbox(|p, now| {
            let now = secs(now);
            Ok(p.pending(now)?
                .iter()
                .map(|r| PushRequest::at(r, now))
                .collect())
        })
    }

    /// The state of request `id` (a notification's), without reaching the server: pending
    /// (show it), expired, closed (answered or expired earlier) or unknown. Poll first when
    /// the notification may be newer than this vault's inbox.
    pub fn request_state(&self, id: String) -> Result<RequestState> {
        let found = self.with_inbox(|p, now| match p.find(&id, secs(now)) {
            Ok(request) => Ok(RequestState::Pending {
                request: PushRequest::at(&request, secs(now)),
            }),
            Err(core::PushError::Rejected(core::Rejection::Expired)) => Ok(RequestState::Expired),
            Err(core::PushError::Rejected(core::Rejection::Replayed)) => Ok(RequestState::Closed),
            Err(
                core::PushError::UnknownRequest(_)
                | core::PushError::Rejected(core::Rejection::UnknownSerial),
            ) => Ok(RequestState::Unknown),
            Err(other) => Err(other),
        })?;
        Ok(found)
    }

    /// Approves request `id` (not for number matching: use `choose`). A request this vault
    /// has not received yet (the user tapped a notification) is fetched by one poll first.
    pub fn approve(&self, id: String) -> Result<PushVerdict> {
        self.with_inbox(|p, now| p.answer(&id, &core::Answer::Approve, secs(now)))
            .map(Into::into)
    }

    /// Number matching: approves request `id` with the number the user picked (polls once
    /// first when the request is not known yet, as `approve`).
    pub fn choose(&self, id: String, choice: String) -> Result<PushVerdict> {
        self.with_inbox(|p, now| p.answer(&id, &core::Answer::Choose(choice), secs(now)))
            .map(Into::into)
    }

    /// Denies request `id` (polls once first when the request is not known yet, as `approve`).
    pub fn deny(&self, id: String, reason: DenyReason) -> Result<PushVerdict> {
        let reason = match reason {
            DenyReason::NotMe => core::DenyReason::NotMe,
            DenyReason::Cancel => core::DenyReason::Cancel,
        };
        self.with_inbox(|p, now| p.answer(&id, &core::Answer::Deny(reason), secs(now)))
            .map(Into::into)
    }

    /// Removes a push token in one call: the token, its requests and its device key (from
    /// the platform keystore or the vault). A token that failed its integrity check is
    /// removed too. `false` when there was no such token.
    pub fn remove_token(&self, serial: String) -> Result<bool> {
        self.with(|p, _| p.remove_token(&serial))
    }

    /// Learns the server time from `url` (any HTTPS URL, or HTTP to a loopback host; other
    /// plain HTTP only with `allow_insecure_transport`) through this client's transport, and
    /// stores it: codes and push use the corrected time from then on. Every push call that
    /// reaches a server refreshes it as well. Without `url`, the first push token's server is
    /// asked (`InvalidInput` when there is none: ask the user for a URL).
    #[uniffi::method(default(url = None, allow_insecure_transport = false))]
    pub fn sync_time(
        &self,
        url: Option<String>,
        allow_insecure_transport: bool,
    ) -> Result<crate::time::ServerTimeStatus> {
        let vault = self.vault.unlocked()?;
        let device = self.vault.device_clock()?;
        let policy = if allow_insecure_transport {
            tessera_core::net::TransportPolicy::AllowInsecure
        } else {
            tessera_core::net::TransportPolicy::Secure
        };
        let time =
            tessera_core::clock::sync(&vault, &*self.transport, &*device, url.as_deref(), policy)?;
        Ok(crate::time::ServerTimeStatus::from(&time))
    }
}
