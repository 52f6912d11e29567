//! [`Push`]: enrollment, receiving and answering, over a [`PushStore`], a [`DeviceKeys`]
//! holder and a [`Transport`]. Time is always passed in (`now`, Unix seconds; polls take
//! microseconds), so every rule about expiry is testable.

use serde::{Deserialize, Serialize};

use super::keys::{DeviceKeys, KeygenProgress};
use super::protocol::{self, Answer, Challenge, EnrollmentTicket, ServerKey, Verdict};
use super::transport::{HttpRequest, Method, Transport};
use super::{PushError, Rejection};
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
}

/// A verified request waiting for the user's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRequest {
    /// The request as received (verified against its token's server key).
    pub challenge: Challenge,
    /// Unix second it was first received.
    pub received_at: u64,
}

impl PendingRequest {
    /// The request's id: its nonce.
    pub fn id(&self) -> &str {
        &self.challenge.nonce
    }

    /// Unix second after which it can no longer be answered.
    pub fn expires_at(&self) -> u64 {
        self.challenge.expires_at(self.received_at)
    }

    /// Number matching options (empty without number matching).
    pub fn choices(&self) -> Vec<String> {
        self.challenge.choices()
    }
}

/// Where push tokens, pending requests and answered nonces are kept (the vault).
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
    /// Every pending request, oldest first.
    fn pending_requests(&self) -> Result<Vec<PendingRequest>, PushError>;
    /// Keeps a request (no change when its nonce is pending already).
    fn add_pending_request(&self, request: &PendingRequest) -> Result<(), PushError>;
    /// Drops a pending request.
    fn remove_pending_request(&self, nonce: &str) -> Result<(), PushError>;
    /// Whether the nonce was answered already.
    fn is_answered(&self, nonce: &str) -> Result<bool, PushError>;
    /// Records an answered nonce and drops its pending request, in one transaction.
    fn mark_answered(&self, nonce: &str, at: u64) -> Result<(), PushError>;
}

/// What one poll of every token brought.
#[derive(Debug, Default)]
pub struct PollReport {
    /// Requests received and verified by this poll (new or still open).
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
        }
    }

    /// Enrolls: creates a `bits` device key, completes the enrollment with the server and
    /// stores the token. On any failure nothing is kept (the new key is deleted). An untrusted
    /// transport (plain http:// or sslverify=0, loopback excepted) is refused with
    /// [`PushError::InsecureTransport`] before anything is generated or sent: see
    /// [`Push::enroll_with_policy`] to accept it explicitly.
    pub fn enroll(
        &self,
        ticket: &EnrollmentTicket,
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
        ticket: &EnrollmentTicket,
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
            let response = self.transport.send(&HttpRequest {
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

    /// Takes in a request (from a poll or a push payload) at `now`: verifies it before
    /// anything else and keeps it as pending. A request already pending keeps its first
    /// receipt time. Refused requests are not stored and never answered.
    pub fn receive(&self, challenge: Challenge, now: u64) -> Result<PendingRequest, PushError> {
        let token = self
            .store
            .push_token(&challenge.serial)?
            .ok_or(Rejection::UnknownSerial)?;
        challenge.verify(&token.server_key)?;
        if self.store.is_answered(&challenge.nonce)? {
            return Err(Rejection::Replayed.into());
        }
        let pending = self
            .store
            .pending_requests()?
            .into_iter()
            .find(|p| p.challenge.nonce == challenge.nonce)
            // the first receipt time counts; the content is the verified one just seen
            .map(|p| PendingRequest {
                challenge: challenge.clone(),
                received_at: p.received_at,
            })
            .unwrap_or(PendingRequest {
                challenge,
                received_at: now,
            });
        if now >= pending.expires_at() {
            self.store.remove_pending_request(pending.id())?;
            return Err(Rejection::Expired.into());
        }
        self.store.add_pending_request(&pending)?;
        Ok(pending)
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
    pub fn poll(&self, now_micros: i64) -> Result<PollReport, PushError> {
        let now = u64::try_from(now_micros / 1_000_000).unwrap_or(0);
        let mut report = PollReport::default();
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
        let response = self.transport.send(&HttpRequest {
            method: Method::Get,
            url: token.url.clone(),
            query: protocol::poll_query(&token.serial, &timestamp, &signature),
            form: vec![],
            verify_tls: token.sslverify,
        })?;
        protocol::read_poll_response(response.status, &response.body)
    }

    /// Requests still answerable at `now`, oldest first; expired ones are dropped.
    pub fn pending(&self, now: u64) -> Result<Vec<PendingRequest>, PushError> {
        let mut open = Vec::new();
        for request in self.store.pending_requests()? {
            if now >= request.expires_at() {
                self.store.remove_pending_request(request.id())?;
            } else {
                open.push(request);
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
            _ if !wanted.is_empty() && self.store.is_answered(&wanted)? => {
                Err(Rejection::Replayed.into())
            }
            _ => Err(PushError::UnknownRequest(id.to_string())),
        }
    }

    /// The answerable request whose id is `id` or starts with it (unique prefix).
    pub fn find(&self, id: &str, now: u64) -> Result<PendingRequest, PushError> {
        let request = self.lookup(id)?;
        if now >= request.expires_at() {
            self.store.remove_pending_request(request.id())?;
            return Err(Rejection::Expired.into());
        }
        Ok(request)
    }

    /// Answers pending request `id` at `now`. The verdict is the server's: `Accepted`
    /// (the nonce is then recorded and the request gone), `Refused` or `NetworkFailure`
    /// (the request stays pending and can be answered again while it has not expired).
    /// A request that does not fit the answer, expired, or was answered already is refused
    /// locally with an error and nothing is sent.
    pub fn answer(&self, id: &str, answer: &Answer, now: u64) -> Result<Verdict, PushError> {
        let request = self.find(id, now)?;
        let challenge = &request.challenge;
        if self.store.is_answered(&challenge.nonce)? {
            return Err(Rejection::Replayed.into());
        }
        let token = self
            .store
            .push_token(&challenge.serial)?
            .ok_or(Rejection::UnknownSerial)?;
        // verified on receipt; verified again as the store is outside this process's control
        challenge.verify(&token.server_key)?;
        let (message, mut form) = protocol::answer_form(challenge, answer)?;
        let signature = self.keys.sign(&token.key_alias, message.as_bytes())?;
        form.push(("signature".into(), protocol::encode_signature(&signature)));
        let response = self.transport.send(&HttpRequest {
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
            self.store.mark_answered(&challenge.nonce, now)?;
        }
        Ok(verdict)
    }
}
