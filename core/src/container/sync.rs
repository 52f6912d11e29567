//! Synchronization: challenge, signed request with a fresh X25519 key and the serials this
//! device holds, the sealed answer opened and applied.
//!
//! Tokens are reported by serial only. privacyIDEA can also identify a token by two OTP
//! values, but a successful match moves the server's counter (those codes can no longer log
//! in) and a failed one re-rolls the token's secret, so Tessera never sends OTP values: an
//! account it does not manage is never touched.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use super::crypto::SyncKey;
use super::protocol;
use super::service::{ContainerState, Containers, ManagedToken, TokenKind};
use super::{ContainerError, Policies};
use crate::push::{HttpRequest, Method, NoProgress, Push, PushEnrollment, PushStore};
use crate::uri::ParsedUri;
use crate::vault::AccountId;

/// RSA size of the device keys of push tokens a container delivers.
const PUSH_KEY_BITS: u32 = 2048;

/// One token a sync changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncChange {
    /// The server's token serial.
    pub serial: String,
    /// TOTP, HOTP or push.
    pub kind: TokenKind,
    /// The vault account (TOTP/HOTP).
    pub account_id: Option<String>,
}

/// What one synchronization did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// The container.
    pub container: String,
    /// New tokens: accounts added (managed by the container) and push tokens enrolled.
    pub added: Vec<SyncChange>,
    /// Tokens the server gave a new secret: replaced in place (same account), or push
    /// tokens enrolled again.
    pub resecreted: Vec<SyncChange>,
    /// Tokens the server no longer lists: accounts moved to the trash, push tokens removed.
    pub removed: Vec<SyncChange>,
    /// Serials of tokens that did not change.
    pub unchanged: Vec<String>,
    /// Tokens that could not be applied, with the reason (never a secret or URI). The
    /// server re-delivers them at the next sync.
    pub failed: Vec<(String, String)>,
    /// Things the user should know (e.g. the 8-digit quirk).
    pub warnings: Vec<String>,
    /// The server's client flags now.
    pub policies: Policies,
}

impl SyncReport {
    /// True when nothing was added, re-secreted, removed or failed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.resecreted.is_empty()
            && self.removed.is_empty()
            && self.failed.is_empty()
    }
}

/// One container's result in [`Containers::sync_all`]: its serial and what its sync did.
pub type SyncOutcome = (String, Result<SyncReport, ContainerError>);

/// The `container_dict_client` JSON: `{"serial", "type": "smartphone", "tokens": [...]}`.
pub fn client_dict(serial: &str, tokens: &[ManagedToken]) -> String {
    let list: Vec<Value> = tokens
        .iter()
        .map(|t| serde_json::json!({"serial": t.serial, "tokentype": t.kind.as_str()}))
        .collect();
    serde_json::json!({"serial": serial, "type": "smartphone", "tokens": list}).to_string()
}

/// The token serial an enrollment URI from a sync names.
fn uri_serial(parsed: &ParsedUri) -> Option<String> {
    match parsed {
        ParsedUri::Push(push) => Some(push.serial.clone()),
        ParsedUri::Otp(account) => account
            .extra
            .iter()
            .find(|(k, _)| k == "serial")
            .map(|(_, v)| v.clone()),
    }
}

impl Containers<'_> {
    /// Synchronizes container `serial` at `now` and applies what the server sent.
    /// A refusal that means this device lost the container (another device took it over,
    /// or it was unregistered) is recorded and returned as [`ContainerError::LockedOut`] or
    /// [`ContainerError::NotRegistered`]; accounts stay.
    pub fn sync(&self, serial: &str, now: u64) -> Result<SyncReport, ContainerError> {
        let info = self.usable(serial)?;
        let tokens = self.store().tokens(serial)?;
        let result = (|| -> Result<_, ContainerError> {
            let (scope, prefix) = self.challenge(&info, protocol::SYNCHRONIZE)?;
            let key = SyncKey::new()?;
            let dict = client_dict(&info.serial, &tokens);
            let message = protocol::sync_message(&prefix, key.public_base64(), &dict);
            let signature = self
                .keys
                .sign(&info.key_alias, message.as_bytes(), info.hash)?;
            let response = self.transport.send(&HttpRequest {
                method: Method::Post,
                url: scope,
                query: vec![],
                form: protocol::sync_form(&info.serial, key.public_base64(), &dict, &signature),
                verify_tls: info.ssl_verify,
            })?;
            let (sealed, policies) =
                protocol::read_sync(response.status, &response.body, &info.serial)?;
            Ok((key.open(&sealed)?, policies))
        })();
        let (plain, policies) = result.map_err(|e| self.note(&info, e))?;
        let answer: Value = serde_json::from_slice(&plain)
            .map_err(|_| ContainerError::Malformed("the sync answer is not JSON".into()))?;
        let mut report = SyncReport {
            container: info.serial.clone(),
            policies,
            ..SyncReport::default()
        };
        self.apply(&info.serial, &tokens, &answer, now, &mut report)?;
        let mut updated = self.get(serial)?;
        updated.policies = policies;
        updated.last_sync_at = Some(now);
        updated.state = ContainerState::Registered;
        self.store().put(&updated)?;
        Ok(report)
    }

    /// Synchronizes every registered container; one result per container.
    pub fn sync_all(&self, now: u64) -> Result<Vec<SyncOutcome>, ContainerError> {
        let mut out = Vec::new();
        for info in self.list()? {
            if matches!(
                info.state,
                ContainerState::Registered | ContainerState::RolloverStarted
            ) {
                let result = self.sync(&info.serial, now);
                out.push((info.serial, result));
            }
        }
        Ok(out)
    }

    fn apply(
        &self,
        container: &str,
        held: &[ManagedToken],
        answer: &Value,
        now: u64,
        report: &mut SyncReport,
    ) -> Result<(), ContainerError> {
        let list = |name: &str| {
            answer
                .pointer(&format!("/tokens/{name}"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        let mut listed = BTreeSet::new();
        for (index, uri) in list("add").iter().enumerate() {
            let Some(uri) = uri.as_str() else {
                report
                    .failed
                    .push((format!("#{index}"), "not a URI".into()));
                continue;
            };
            let uri = zeroize::Zeroizing::new(uri.to_string());
            let parsed = match crate::uri::parse(&uri) {
                Ok(parsed) => parsed,
                Err(error) => {
                    // daypassword and other types Tessera does not generate end up here
                    report
                        .failed
                        .push((format!("#{index}"), format!("unsupported token: {error}")));
                    continue;
                }
            };
            let Some(serial) = uri_serial(&parsed) else {
                report
                    .failed
                    .push((format!("#{index}"), "the token URI names no serial".into()));
                continue;
            };
            listed.insert(serial.clone());
            let known = held.iter().find(|t| t.serial == serial);
            let outcome = match parsed {
                ParsedUri::Otp(account) => {
                    self.take_otp(container, &serial, known, account, report)
                }
                ParsedUri::Push(push) => {
                    self.take_push(container, &serial, known, &push, now, report)
                }
            };
            if let Err(error) = outcome {
                report.failed.push((serial, error.to_string()));
            }
        }
        for entry in list("update") {
            if let Some(serial) = entry.get("serial").and_then(Value::as_str)
                && held.iter().any(|t| t.serial == serial)
                && listed.insert(serial.to_string())
            {
                report.unchanged.push(serial.to_string());
            }
        }
        for token in held.iter().filter(|t| !listed.contains(&t.serial)) {
            self.drop_token(container, token)?;
            report.removed.push(SyncChange {
                serial: token.serial.clone(),
                kind: token.kind,
                account_id: token.account_id.clone(),
            });
        }
        Ok(())
    }

    fn take_otp(
        &self,
        container: &str,
        serial: &str,
        known: Option<&ManagedToken>,
        mut account: crate::account::Account,
        report: &mut SyncReport,
    ) -> Result<(), ContainerError> {
        let kind = match account.params.kind {
            crate::account::OtpKind::Hotp => TokenKind::Hotp,
            _ => TokenKind::Totp,
        };
        let existing = known
            .and_then(|t| t.account_id.as_deref())
            .and_then(|id| AccountId::parse(id).ok())
            .and_then(|id| self.vault.get(&id).ok().map(|a| (id, a)));
        if let Some((id, before)) = existing {
            // 3.14 writes digits=6 into every sync URI, even for an 8-digit token: an account
            // that had other digits keeps them, and the user is told
            if before.params.digits != account.params.digits {
                report.warnings.push(format!(
                    "{serial}: the server's URI says {} digits but this token had {}; kept {} (privacyIDEA 3.14 drops the length on container delivery)",
                    account.params.digits, before.params.digits, before.params.digits
                ));
                account.params.digits = before.params.digits;
            }
            self.store().replace_secret(&id, &account)?;
            report.resecreted.push(SyncChange {
                serial: serial.into(),
                kind,
                account_id: Some(id.to_string()),
            });
            return Ok(());
        }
        let id = match self.vault.add(&account) {
            Ok(id) => id,
            Err(crate::vault::VaultError::Duplicate { existing, .. }) => existing,
            Err(other) => return Err(other.into()),
        };
        self.store().link(
            container,
            &ManagedToken {
                serial: serial.into(),
                kind,
                account_id: Some(id.to_string()),
            },
        )?;
        report.added.push(SyncChange {
            serial: serial.into(),
            kind,
            account_id: Some(id.to_string()),
        });
        Ok(())
    }

    fn take_push(
        &self,
        container: &str,
        serial: &str,
        known: Option<&ManagedToken>,
        ticket: &PushEnrollment,
        now: u64,
        report: &mut SyncReport,
    ) -> Result<(), ContainerError> {
        let push = Push::new(self.vault, self.push_keys, self.transport);
        // the server re-rolled the token before sending it: an earlier enrollment is dead
        let was_enrolled = PushStore::push_token(self.vault, serial)?.is_some();
        if was_enrolled {
            push.remove_token(serial)?;
        }
        // the link is written only after the enrollment succeeded: a serial reported before
        // that would sit in `update` and never be re-delivered
        self.store().unlink(container, serial)?;
        push.enroll(ticket, PUSH_KEY_BITS, &NoProgress, now)?;
        self.store().link(
            container,
            &ManagedToken {
                serial: serial.into(),
                kind: TokenKind::Push,
                account_id: None,
            },
        )?;
        let change = SyncChange {
            serial: serial.into(),
            kind: TokenKind::Push,
            account_id: None,
        };
        if known.is_some() || was_enrolled {
            report.resecreted.push(change);
        } else {
            report.added.push(change);
        }
        Ok(())
    }

    fn drop_token(&self, container: &str, token: &ManagedToken) -> Result<(), ContainerError> {
        match token.kind {
            TokenKind::Push => {
                Push::new(self.vault, self.push_keys, self.transport)
                    .remove_token(&token.serial)?;
            }
            TokenKind::Totp | TokenKind::Hotp => {
                if let Some(id) = token
                    .account_id
                    .as_deref()
                    .and_then(|i| AccountId::parse(i).ok())
                {
                    // to the trash, not purged: its codes are dead, but the user decides
                    match self.vault.delete(&id) {
                        Ok(()) | Err(crate::vault::VaultError::NotFound { .. }) => {}
                        Err(other) => return Err(other.into()),
                    }
                }
            }
        }
        self.store().unlink(container, &token.serial)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_dict_lists_serials_and_types_only() {
        let tokens = vec![
            ManagedToken {
                serial: "TOTP1".into(),
                kind: TokenKind::Totp,
                account_id: Some("abc".into()),
            },
            ManagedToken {
                serial: "PIPU1".into(),
                kind: TokenKind::Push,
                account_id: None,
            },
        ];
        let dict: Value = serde_json::from_str(&client_dict("SMPH1", &tokens)).unwrap();
        assert_eq!(
            dict,
            serde_json::json!({"serial": "SMPH1", "type": "smartphone", "tokens": [
                {"serial": "TOTP1", "tokentype": "totp"}, {"serial": "PIPU1", "tokentype": "push"}]})
        );
    }
}
