//! [`Push`]: enrollment, receiving and answering, over a [`PushStore`], a [`DeviceKeys`]
//! holder and a [`Transport`]. Time is always passed in (`now`, Unix seconds; polls take
//! microseconds), so every rule about expiry is testable.

use super::enrollment::{ForceUnlock, PushEnrollment};
use super::keys::{DeviceKeys, KeygenProgress};
use super::protocol::{self, Answer, Challenge, ServerKey, Verdict};
use super::transport::{HttpRequest, HttpResponse, Method, Transport, TransportError};
use super::{PushError, Rejection};
use crate::clock::{Clock, ServerTime};
use crate::net::{TransportPolicy, check_url};

/// An enrolled push token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushToken {
    /// The server's serial (unique per token).
    pub serial: String,
    /// Issuer shown to the user.
    pub issuer: String,
    /// Account label shown to the user.
    pub label: String,
    /// Registration URL: polls go there.
    pub url: String,
    /// Verify TLS certificates when polling.
    pub sslverify: bool,
    /// The server's per-token key that signs requests.
    pub server_key: ServerKey,
    /// Alias of the device key in its [`DeviceKeys`] holder.
    pub key_alias: String,
    /// Unix second of the enrollment.
    pub enrolled_at: u64,
    /// The server's `app_force_unlock` at enrollment: the app must be unlocked this way
    /// before it shows or answers this token's requests. `None`: no such demand.
    pub force_unlock: Option<ForceUnlock>,
}

/// A verified request waiting for the user's answer, with what an inbox shows about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRequest {
    /// The request as received (verified against its token's server key).
    pub challenge: Challenge,
    /// Unix second it was first received.
    pub received_at: u64,
    /// True when it first arrived in the latest poll, or after it (a push payload): the
    /// inbox's "new" mark. A request still open from an earlier poll is not new.
    pub is_new: bool,
    /// Its token's issuer, as enrolled (empty until [`Push`] joins the token in).
    pub issuer: String,
    /// Its token's label, as enrolled (empty until [`Push`] joins the token in).
    pub label: String,
    /// Its token's `app_force_unlock`: unlock the app this way before showing it.
    pub force_unlock: Option<ForceUnlock>,
}

impl PendingRequest {
    /// A request first received at `received_at`, before its token is joined in.
    pub fn new(challenge: Challenge, received_at: u64, is_new: bool) -> Self {
        PendingRequest {
            challenge,
            received_at,
            is_new,
            issuer: String::new(),
            label: String::new(),
            force_unlock: None,
        }
    }

    fn with_token(mut self, token: &PushToken) -> Self {
        self.issuer = token.issuer.clone();
        self.label = token.label.clone();
        self.force_unlock = token.force_unlock;
        self
    }

    /// The request's id: its nonce.
    pub fn id(&self) -> &str {
        &self.challenge.nonce
    }

    /// Unix second after which it can no longer be answered.
    pub fn expires_at(&self) -> u64 {
        self.challenge.expires_at(self.received_at)
    }

    /// Whole seconds left to answer it at `now` (Unix seconds on the vault's server-corrected
    /// clock, the clock expiry is judged by); 0 once it can no longer be answered. An inbox
    /// shows this and counts it down with a timer, never subtracting clocks itself.
    pub fn seconds_left(&self, now: u64) -> u64 {
        self.expires_at().saturating_sub(now)
    }

    /// Number matching options (empty without number matching).
    pub fn choices(&self) -> Vec<String> {
        self.challenge.choices()
    }
}

/// How long a seen nonce is remembered (30 days). privacyIDEA keeps a push challenge open for
/// its challenge validity time (120 s by default; admins raise it to minutes, rarely hours):
/// a server, or anyone who recorded a request, can deliver the same signed request again only
/// within that window, so a month covers any configuration with a wide margin.
pub const SEEN_NONCE_KEEP_SECS: u64 = 30 * 24 * 3600;

/// At most this many seen nonces are kept (the oldest go first): a month of heavy use is a
/// few thousand requests; the cap bounds the table should a server send a flood.
pub const SEEN_NONCE_CAP: u64 = 20_000;

/// Where push tokens, pending requests and seen nonces are kept (the vault).
/// Each method is one complete write or none.
pub trait PushStore {
    /// Every push token, ordered by enrollment.
    fn push_tokens(&self) -> Result<Vec<PushToken>, PushError>;
    /// The token with `serial`.
    fn push_token(&self, serial: &str) -> Result<Option<PushToken>, PushError>;
    /// Adds a token; [`PushError::DuplicateToken`] when the serial exists.
    fn add_push_token(&self, token: &PushToken) -> Result<(), PushError>;
    /// Removes a token and its pending requests.
    fn remove_push_token(&self, serial: &str) -> Result<bool, PushError>;
    /// Every pending request, oldest first, with `is_new` set (tokens not joined in).
    fn pending_requests(&self) -> Result<Vec<PendingRequest>, PushError>;
    /// Keeps a request (no change when its nonce is pending already) and remembers its nonce
    /// as seen, in one transaction; seen nonces older than [`SEEN_NONCE_KEEP_SECS`] before
    /// its receipt, or beyond [`SEEN_NONCE_CAP`], are forgotten.
    fn add_pending_request(&self, request: &PendingRequest) -> Result<(), PushError>;
    /// Drops a pending request (answered or expired) and remembers its nonce as seen at
    /// `at`, in one transaction.
    fn close_request(&self, nonce: &str, at: u64) -> Result<(), PushError>;
    /// Whether the nonce was seen (received, answered or expired) within the kept window.
    fn is_seen(&self, nonce: &str) -> Result<bool, PushError>;
    /// Starts a poll: requests received from now on are `is_new`, earlier ones no longer.
    fn start_poll_round(&self) -> Result<(), PushError>;
    /// Keeps the server time measured from a response (the vault stores it authenticated;
    /// a store without a clock ignores it).
    fn record_server_time(&self, time: &ServerTime) -> Result<(), PushError>;
}

/// What one poll of every token brought.
#[derive(Debug, Default)]
pub struct PollReport {
    /// Requests received and verified by this poll (new or still open), tokens joined in.
    pub received: Vec<PendingRequest>,
    /// Requests refused, with the serial they named and the reason; never answered.
    pub rejected: Vec<(String, Rejection)>,
    /// Tokens whose poll failed (network, server refusal), with the error. Nothing stored
    /// was lost.
    pub failed: Vec<(String, PushError)>,
}

/// Push approvals over a store, a key holder and a transport.
pub struct Push<'a> {
    store: &'a dyn PushStore,
    keys: &'a dyn DeviceKeys,
    transport: &'a dyn Transport,
    device_clock: Option<&'a dyn Clock>,
}

/// Key alias of a token's device key.
pub fn key_alias(serial: &str) -> String {
    format!("tessera-push-{serial}")
}

impl<'a> Push<'a> {
    /// Push over these parts.
    pub fn new(
        store: &'a dyn PushStore,
        keys: &'a dyn DeviceKeys,
        transport: &'a dyn Transport,
    ) -> Self {
        Push {
            store,
            keys,
            transport,
            device_clock: None,
        }
    }

    /// Learns the server's time from every response: with the device's clock (the raw one,
    /// not corrected), each response's `Date` header is measured against the moments the
    /// request left and the response arrived, and the offset is kept in the store
    /// ([`crate::clock`]). Callers still pass `now` (corrected time) to each call.
    pub fn with_device_clock(mut self, clock: &'a dyn Clock) -> Self {
        self.device_clock = Some(clock);
        self
    }

    /// Sends a request; with a device clock, keeps the server time its `Date` header gives.
    /// A response without a usable `Date`, or a failure to store the time, changes nothing
    /// and does not fail the call: the time is a by-product of the push call.
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let Some(clock) = self.device_clock else {
            return self.transport.send(request);
        };
        let sent = clock.now_millis();
        let response = self.transport.send(request)?;
        if let Some(date) = response.date.as_deref() {
            let received = clock.now_millis();
            if let Ok(time) = ServerTime::measure(date, sent, received, &request.url) {
                let _ = self.store.record_server_time(&time);
            }
        }
        Ok(response)
    }

    /// Enrolls: creates a `bits` device key, completes the enrollment with the server and
    /// stores the token. On any failure nothing is kept (the new key is deleted). An untrusted
    /// transport (plain http:// or sslverify=0, loopback excepted) is refused with
    /// [`PushError::InsecureTransport`] before anything is generated or sent: see
    /// [`Push::enroll_with_policy`] to accept it explicitly.
    pub fn enroll(
        &self,
        ticket: &PushEnrollment,
        bits: u32,
        progress: &dyn KeygenProgress,
        now: u64,
    ) -> Result<PushToken, PushError> {
        self.enroll_with_policy(ticket, bits, progress, now, TransportPolicy::Secure)
    }

    /// [`Push::enroll`] under an explicit transport policy: with
    /// [`TransportPolicy::AllowInsecure`] (the user accepted the risk) an http:// or
    /// sslverify=0 server is enrolled too.
    pub fn enroll_with_policy(
        &self,
        ticket: &PushEnrollment,
        bits: u32,
        progress: &dyn KeygenProgress,
        now: u64,
        policy: TransportPolicy,
    ) -> Result<PushToken, PushError> {
        check_url(&ticket.url, ticket.sslverify, policy)?;
        if self.store.push_token(&ticket.serial)?.is_some() {
            return Err(PushError::DuplicateToken(ticket.serial.clone()));
        }
        let alias = key_alias(&ticket.serial);
        // a key left by an enrollment that failed half-way belongs to no token: replace it
        self.keys.delete(&alias)?;
        let spki = self.keys.generate(&alias, bits, progress)?;
        let result = (|| {
            let form = protocol::enrollment_form(ticket, &spki)?;
            let response = self.send(&HttpRequest {
                method: Method::Post,
                url: ticket.url.clone(),
                query: vec![],
                form,
                verify_tls: ticket.sslverify,
            })?;
            let server_key = protocol::read_enrollment_response(response.status, &response.body)?;
            let token = PushToken {
                serial: ticket.serial.clone(),
                issuer: ticket.issuer.clone(),
                label: ticket.label.clone(),
                url: ticket.url.clone(),
                sslverify: ticket.sslverify,
                server_key,
                key_alias: alias.clone(),
                enrolled_at: now,
                force_unlock: ticket.force_unlock(),
            };
            self.store.add_push_token(&token)?;
            Ok(token)
        })();
        if result.is_err() {
            let _ = self.keys.delete(&alias);
        }
        result
    }

    /// Every enrolled push token.
    pub fn tokens(&self) -> Result<Vec<PushToken>, PushError> {
        self.store.push_tokens()
    }

    /// Removes push token `serial` in one call: the token, its pending requests, and its
    /// device key from whichever holder keeps it (software key in the vault, or the
    /// platform keystore). A token whose stored data failed its integrity check is removed
    /// too (that is how the user gets rid of it). `false` when there was no such token.
    pub fn remove_token(&self, serial: &str) -> Result<bool, PushError> {
        // the store first: a token left without its key would fail every call, while a key
        // left without its token is harmless (and replaced by the next enrollment)
        let removed = self.store.remove_push_token(serial)?;
        self.keys.delete(&key_alias(serial))?;
        Ok(removed)
    }

    /// Takes in a request (from a poll or a push payload) at `now`: verifies it before
    /// anything else and keeps it as pending. A request already pending keeps its first
    /// receipt time. Refused requests are not stored and never answered; a nonce seen
    /// before (answered, denied or expired) is refused as [`Rejection::Replayed`].
    pub fn receive(&self, challenge: Challenge, now: u64) -> Result<PendingRequest, PushError> {
        self.receive_at(challenge, now, now)
    }

    /// [`Push::receive`] of a request first fetched at `fetched_at` (by a background poll
    /// through the poll slot): a new request keeps that receipt time (never later than `now`),
    /// so its time to answer is not extended by being taken in later.
    pub fn receive_at(
        &self,
        challenge: Challenge,
        fetched_at: u64,
        now: u64,
    ) -> Result<PendingRequest, PushError> {
        let token = self
            .store
            .push_token(&challenge.serial)?
            .ok_or(Rejection::UnknownSerial)?;
        challenge.verify(&token.server_key)?;
        let earlier = self
            .store
            .pending_requests()?
            .into_iter()
            .find(|p| p.challenge.nonce == challenge.nonce);
        let pending = match earlier {
            // the first receipt time counts; the content is the verified one just seen
            Some(p) => PendingRequest { challenge, ..p },
            None if self.store.is_seen(&challenge.nonce)? => {
                return Err(Rejection::Replayed.into());
            }
            None => PendingRequest::new(challenge, fetched_at.min(now), true),
        };
        if now >= pending.expires_at() {
            self.store.close_request(pending.id(), now)?;
            return Err(Rejection::Expired.into());
        }
        self.store.add_pending_request(&pending)?;
        Ok(pending.with_token(&token))
    }

    /// Takes in the data map a push service delivered (see [`Push::receive`]).
    pub fn receive_payload<'d>(
        &self,
        data: impl IntoIterator<Item = (&'d str, &'d str)>,
        now: u64,
    ) -> Result<PendingRequest, PushError> {
        self.receive(Challenge::from_payload(data)?, now)
    }

    /// Polls every token once (signed `serial|timestamp`), receiving what the server holds.
    /// `now_micros` is the corrected time: the server refuses a timestamp more than a minute
    /// off its own clock.
    pub fn poll(&self, now_micros: i64) -> Result<PollReport, PushError> {
        let now = u64::try_from(now_micros / 1_000_000).unwrap_or(0);
        let mut report = PollReport::default();
        self.store.start_poll_round()?;
        for token in self.store.push_tokens()? {
            match self.poll_token(&token, now_micros) {
                Ok(challenges) => {
                    for challenge in challenges {
                        let serial = challenge.serial.clone();
                        match self.receive(challenge, now) {
                            Ok(pending) => report.received.push(pending),
                            Err(PushError::Rejected(reason)) => {
                                report.rejected.push((serial, reason))
                            }
                            Err(other) => return Err(other),
                        }
                    }
                }
                Err(error) => report.failed.push((token.serial.clone(), error)),
            }
        }
        Ok(report)
    }

    fn poll_token(&self, token: &PushToken, now_micros: i64) -> Result<Vec<Challenge>, PushError> {
        let timestamp = protocol::iso8601_micros(now_micros);
        let signature = self.keys.sign(
            &token.key_alias,
            protocol::poll_message(&token.serial, &timestamp).as_bytes(),
        )?;
        let response = self.send(&HttpRequest {
            method: Method::Get,
            url: token.url.clone(),
            query: protocol::poll_query(&token.serial, &timestamp, &signature),
            form: vec![],
            verify_tls: token.sslverify,
        })?;
        protocol::read_poll_response(response.status, &response.body)
    }

    /// The inbox: requests still answerable at `now`, oldest first, each with its token's
    /// issuer, label and unlock demand. Expired ones are dropped (their nonces stay seen); a
    /// request whose token is gone or failed its integrity check is not shown.
    pub fn pending(&self, now: u64) -> Result<Vec<PendingRequest>, PushError> {
        let tokens = self.store.push_tokens()?;
        let mut open = Vec::new();
        for request in self.store.pending_requests()? {
            if now >= request.expires_at() {
                self.store.close_request(request.id(), now)?;
            } else if let Some(token) = tokens.iter().find(|t| t.serial == request.challenge.serial)
            {
                open.push(request.with_token(token));
            }
        }
        Ok(open)
    }

    // The stored request whose id is `id` or starts with it (unique prefix), expired or not.
    fn lookup(&self, id: &str) -> Result<PendingRequest, PushError> {
        let wanted = id.trim().to_ascii_uppercase();
        let mut hits = self
            .store
            .pending_requests()?
            .into_iter()
            .filter(|p| !wanted.is_empty() && p.id().starts_with(&wanted));
        match (hits.next(), hits.next()) {
            (Some(hit), None) => Ok(hit),
            _ if !wanted.is_empty() && self.store.is_seen(&wanted)? => {
                Err(Rejection::Replayed.into())
            }
            _ => Err(PushError::UnknownRequest(id.to_string())),
        }
    }

    /// The answerable request whose id is `id` or starts with it (unique prefix).
    pub fn find(&self, id: &str, now: u64) -> Result<PendingRequest, PushError> {
        let request = self.lookup(id)?;
        if now >= request.expires_at() {
            self.store.close_request(request.id(), now)?;
            return Err(Rejection::Expired.into());
        }
        let token = self
            .store
            .push_token(&request.challenge.serial)?
            .ok_or(Rejection::UnknownSerial)?;
        Ok(request.with_token(&token))
    }

    /// Answers pending request `id` at `now`. A request this vault has not received yet
    /// (the user acts on a notification before a poll brought it) is fetched with one poll
    /// first. The verdict is the server's: `Accepted` (the request is then closed for good),
    /// `Refused` or `NetworkFailure` (the request stays pending and can be answered again
    /// while it has not expired). A request that does not fit the answer, expired, or was
    /// answered already is refused locally with an error and nothing is sent.
    pub fn answer(&self, id: &str, answer: &Answer, now: u64) -> Result<Verdict, PushError> {
        let request = match self.find(id, now) {
            Err(PushError::UnknownRequest(_)) => {
                let now_micros = i64::try_from(now).unwrap_or(i64::MAX / 1_000_000) * 1_000_000;
                self.poll(now_micros)?;
                self.find(id, now)?
            }
            other => other?,
        };
        let challenge = &request.challenge;
        let token = self
            .store
            .push_token(&challenge.serial)?
            .ok_or(Rejection::UnknownSerial)?;
        // verified on receipt; verified again as the store is outside this process's control
        challenge.verify(&token.server_key)?;
        let (message, mut form) = protocol::answer_form(challenge, answer)?;
        let signature = self.keys.sign(&token.key_alias, message.as_bytes())?;
        form.push(("signature".into(), protocol::encode_signature(&signature)));
        let response = self.send(&HttpRequest {
            method: Method::Post,
            url: challenge.url.clone(),
            query: vec![],
            form,
            verify_tls: challenge.verify_tls(),
        });
        let verdict = match response {
            Ok(response) => protocol::read_answer_response(response.status, &response.body),
            Err(error) => Verdict::NetworkFailure(error.message),
        };
        if let Verdict::Accepted { .. } = verdict {
            self.store.close_request(&challenge.nonce, now)?;
        }
        Ok(verdict)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_left_count_down_to_zero_at_expiry() {
        let challenge = Challenge::from_payload([
            ("nonce", "NONCE234567ABCDEFGHIJKLMNOPQRSTU"),
            ("url", "https://pi.example/ttype/push"),
            ("serial", "PIPU0001"),
            ("question", "Log in?"),
            ("title", "privacyIDEA"),
            ("sslverify", "1"),
            ("signature", "AEBAG==="),
        ])
        .unwrap();
        // received at 1000 without a ttl: answerable for two minutes, until 1120
        let request = PendingRequest::new(challenge, 1000, true);
        for (now, left) in [(1000, 120), (1119, 1), (1120, 0), (5000, 0), (0, 1120)] {
            assert_eq!(request.seconds_left(now), left, "at {now}");
        }
    }
}
