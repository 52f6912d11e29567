//! [`Containers`]: registration, rollover, unregistration and the local view of containers,
//! over the vault, a [`ContainerKeys`] holder, push's [`DeviceKeys`] (for the push tokens a
//! container delivers) and a [`Transport`]. Synchronization is in `sync.rs`. Time is passed
//! in (`now`, Unix seconds).

use serde::{Deserialize, Serialize};

use super::keys::{ContainerKeys, Curve, HashAlgorithm, public_key_pem};
use super::protocol::{self, Device, ServerChallenge};
use super::qr::RegistrationQr;
use super::store::Store;
use super::{ContainerError, Policies};
use crate::push::{DeviceKeys, HttpRequest, Method, Transport};
use crate::vault::Vault;

/// Where a container stands, as this device knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainerState {
    /// Registered: syncs work.
    Registered,
    /// This device asked for a rollover QR; it keeps syncing until the new device registers.
    RolloverStarted,
    /// The server refused this device's signature: another device took the container over
    /// (rollover) or it was re-registered. Its accounts stay readable.
    LockedOut,
    /// The server no longer has the container registered.
    Unregistered,
}

impl ContainerState {
    /// The name used in JSON and listings.
    pub fn as_str(self) -> &'static str {
        match self {
            ContainerState::Registered => "registered",
            ContainerState::RolloverStarted => "rollover_started",
            ContainerState::LockedOut => "locked_out",
            ContainerState::Unregistered => "unregistered",
        }
    }
}

/// The kind of a container token on this device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// A TOTP account in the vault.
    Totp,
    /// An HOTP account in the vault.
    Hotp,
    /// A push token.
    Push,
}

impl TokenKind {
    /// privacyIDEA's token type name.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Totp => "totp",
            TokenKind::Hotp => "hotp",
            TokenKind::Push => "push",
        }
    }

    /// The kind of a type name.
    pub fn from_name(name: &str) -> Option<TokenKind> {
        match name {
            "totp" => Some(TokenKind::Totp),
            "hotp" => Some(TokenKind::Hotp),
            "push" => Some(TokenKind::Push),
            _ => None,
        }
    }
}

/// A server token the container put on this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedToken {
    /// The server's token serial.
    pub serial: String,
    /// TOTP, HOTP or push.
    pub kind: TokenKind,
    /// The vault account (TOTP/HOTP); `None` for push tokens, whose serial names them.
    pub account_id: Option<String>,
}

/// A container on this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerInfo {
    /// The container serial (`SMPH…`).
    pub serial: String,
    /// Issuer from the QR.
    pub issuer: String,
    /// The server's base URL; endpoints are built under it.
    pub url: String,
    /// Verify TLS certificates.
    pub ssl_verify: bool,
    /// The curve the QR asked for (the holder may have used P-256 instead).
    pub curve: Curve,
    /// The hash the server verifies with.
    pub hash: HashAlgorithm,
    /// Alias of the registration key in its [`ContainerKeys`] holder.
    pub key_alias: String,
    /// Where the container stands.
    pub state: ContainerState,
    /// The server's client flags, as of the last registration or sync.
    pub policies: Policies,
    /// Unix second of the registration.
    pub registered_at: u64,
    /// Unix second of the last successful sync.
    pub last_sync_at: Option<u64>,
    /// The tokens it manages on this device.
    #[serde(skip)]
    pub tokens: Vec<ManagedToken>,
}

/// A rollover's new registration QR, for the new device.
#[derive(Clone)]
pub struct RolloverTicket {
    /// The `pia://container/…` URI to show as a QR code (holds a one-time nonce: a secret
    /// until used).
    pub uri: String,
    /// The same, read.
    pub qr: RegistrationQr,
}

impl std::fmt::Debug for RolloverTicket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RolloverTicket")
            .field("qr", &self.qr)
            .finish_non_exhaustive()
    }
}

/// Key alias of a container's registration key.
pub fn key_alias(serial: &str) -> String {
    format!("tessera-container-{serial}")
}

/// Whether the user may delete account `account_id` on this device: not when its container's
/// `disable_client_token_deletion` flag is set ([`ContainerError::DeletionForbidden`]).
/// Needs no key or network; [`delete_account`] applies it.
pub fn check_deletable(vault: &Vault, account_id: &str) -> Result<(), ContainerError> {
    let store = Store::new(vault);
    if !store.in_use()? {
        return Ok(());
    }
    if let Some(serial) = store.manager_of(account_id)?
        && store
            .container(&serial)?
            .is_some_and(|c| c.policies.disable_client_token_deletion)
    {
        return Err(ContainerError::DeletionForbidden(serial));
    }
    Ok(())
}

/// Moves account `id` to the trash because the user asked to: refused with
/// [`ContainerError::DeletionForbidden`] while its container forbids deleting its tokens on
/// the device ([`check_deletable`]). This is the delete every shell calls (the FFI's
/// `Vault.delete`, `tessera rm`); a container's own synchronization removes its tokens from the
/// vault directly.
pub fn delete_account(vault: &Vault, id: &crate::vault::AccountId) -> Result<(), ContainerError> {
    check_deletable(vault, id.as_str())?;
    vault.delete(id)?;
    Ok(())
}

/// Containers over the vault, the key holders and a transport.
pub struct Containers<'a> {
    pub(super) vault: &'a Vault,
    pub(super) keys: &'a dyn ContainerKeys,
    pub(super) push_keys: &'a dyn DeviceKeys,
    pub(super) transport: &'a dyn Transport,
}

impl<'a> Containers<'a> {
    /// Containers over these parts.
    pub fn new(
        vault: &'a Vault,
        keys: &'a dyn ContainerKeys,
        push_keys: &'a dyn DeviceKeys,
        transport: &'a dyn Transport,
    ) -> Self {
        Containers {
            vault,
            keys,
            push_keys,
            transport,
        }
    }

    pub(super) fn store(&self) -> Store<'a> {
        Store::new(self.vault)
    }

    /// Registers the container of `qr` (the user scanned it at `now`): makes a key pair,
    /// signs the registration and stores the container. `passphrase` answers the QR's
    /// question, or is the user-store password when the QR says so (then it is sent, over
    /// TLS or loopback only). On any failure nothing is kept.
    pub fn register(
        &self,
        qr: &RegistrationQr,
        passphrase: Option<&str>,
        device: &Device,
        now: u64,
    ) -> Result<ContainerInfo, ContainerError> {
        qr.check_fresh(now)?;
        protocol::require_secure(&qr.url)?;
        let passphrase = passphrase.filter(|p| !p.is_empty());
        if let Some(needed) = qr.needs_passphrase()
            && passphrase.is_none()
        {
            return Err(needed);
        }
        // an admin's question is answered inside the signature; without one, none is signed
        let passphrase = passphrase.filter(|_| qr.needs_passphrase().is_some());
        if let Some(existing) = self.store().container(&qr.serial)?
            && matches!(
                existing.state,
                ContainerState::Registered | ContainerState::RolloverStarted
            )
        {
            return Err(ContainerError::DuplicateContainer(qr.serial.clone()));
        }
        let alias = key_alias(&qr.serial);
        // a key left by a failed registration, or by a registration this device lost,
        // belongs to nothing the server accepts any more
        self.keys.delete(&alias)?;
        let spki = self.keys.generate(&alias, qr.curve)?;
        let result = (|| -> Result<ContainerInfo, ContainerError> {
            let message = protocol::finalize_message(qr, device, passphrase);
            let signature = self.keys.sign(&alias, message.as_bytes(), qr.hash)?;
            let form =
                protocol::finalize_form(qr, &public_key_pem(&spki), &signature, device, passphrase);
            let response = self.transport.send(&HttpRequest {
                method: Method::Post,
                url: protocol::endpoint(&qr.url, protocol::FINALIZE),
                query: vec![],
                form,
                verify_tls: qr.ssl_verify,
            })?;
            let policies =
                protocol::read_finalize(response.status, &response.body, qr, passphrase.is_some())?;
            let info = ContainerInfo {
                serial: qr.serial.clone(),
                issuer: qr.issuer.clone(),
                url: qr.url.clone(),
                ssl_verify: qr.ssl_verify,
                curve: qr.curve,
                hash: qr.hash,
                key_alias: alias.clone(),
                state: ContainerState::Registered,
                policies,
                registered_at: now,
                last_sync_at: None,
                tokens: vec![],
            };
            self.store().put(&info)?;
            Ok(info)
        })();
        if result.is_err() {
            let _ = self.keys.delete(&alias);
        }
        let mut info = result?;
        info.tokens = self.store().tokens(&info.serial)?;
        Ok(info)
    }

    /// Every container on this device, with its tokens.
    pub fn list(&self) -> Result<Vec<ContainerInfo>, ContainerError> {
        self.store().containers()
    }

    /// The container `serial`.
    pub fn get(&self, serial: &str) -> Result<ContainerInfo, ContainerError> {
        self.store()
            .container(serial)?
            .ok_or_else(|| ContainerError::UnknownContainer(serial.to_string()))
    }

    /// The serial of the container that manages account `account_id`, if any.
    pub fn manager_of(&self, account_id: &str) -> Result<Option<String>, ContainerError> {
        self.store().manager_of(account_id)
    }

    /// See [`check_deletable`].
    pub fn check_deletable(&self, account_id: &str) -> Result<(), ContainerError> {
        check_deletable(self.vault, account_id)
    }

    /// Records what a refusal says about the container (locked out, unregistered) and
    /// passes the error on.
    pub(super) fn note(&self, info: &ContainerInfo, error: ContainerError) -> ContainerError {
        let state = match &error {
            ContainerError::LockedOut(_) => Some(ContainerState::LockedOut),
            ContainerError::NotRegistered(_) => Some(ContainerState::Unregistered),
            _ => None,
        };
        if let Some(state) = state {
            let mut changed = info.clone();
            changed.state = state;
            if let Err(store_error) = self.store().put(&changed) {
                return store_error;
            }
        }
        error
    }

    /// Refuses locally what the server would refuse: a locked-out or unregistered container.
    pub(super) fn usable(&self, serial: &str) -> Result<ContainerInfo, ContainerError> {
        let info = self.get(serial)?;
        match info.state {
            ContainerState::LockedOut => Err(ContainerError::LockedOut(info.serial)),
            ContainerState::Unregistered => Err(ContainerError::NotRegistered(info.serial)),
            _ => {
                protocol::require_secure(&info.url)?;
                Ok(info)
            }
        }
    }

    /// A fresh challenge for `op` and the common signed prefix; returns (scope, prefix).
    pub(super) fn challenge(
        &self,
        info: &ContainerInfo,
        op: &str,
    ) -> Result<(String, String), ContainerError> {
        let scope = protocol::endpoint(&info.url, op);
        let response = self.transport.send(&HttpRequest {
            method: Method::Post,
            url: protocol::endpoint(&info.url, protocol::CHALLENGE),
            query: vec![],
            form: protocol::challenge_form(&info.serial, &scope),
            verify_tls: info.ssl_verify,
        })?;
        let challenge: ServerChallenge =
            protocol::read_challenge(response.status, &response.body, &info.serial)?;
        let prefix = protocol::signed_prefix(&challenge, &info.serial, &scope);
        Ok((scope, prefix))
    }

    // challenge, sign the prefix, POST {serial, signature} to `op`; returns the response
    fn signed_call(
        &self,
        info: &ContainerInfo,
        op: &str,
    ) -> Result<crate::push::HttpResponse, ContainerError> {
        let (scope, prefix) = self.challenge(info, op)?;
        let signature = self
            .keys
            .sign(&info.key_alias, prefix.as_bytes(), info.hash)?;
        Ok(self.transport.send(&HttpRequest {
            method: Method::Post,
            url: scope,
            query: vec![],
            form: protocol::signed_form(&info.serial, &signature),
            verify_tls: info.ssl_verify,
        })?)
    }

    /// Asks the server for a rollover QR code for a new device (needs the server's
    /// `container_client_rollover` flag). This device keeps syncing until the new device
    /// registers; then it is locked out.
    pub fn rollover(&self, serial: &str) -> Result<RolloverTicket, ContainerError> {
        let info = self.usable(serial)?;
        if !info.policies.client_rollover {
            return Err(ContainerError::PolicyForbids(
                "a rollover (container_client_rollover is not set; sync to refresh the flags)",
            ));
        }
        let result = self
            .signed_call(&info, protocol::ROLLOVER)
            .and_then(|response| {
                protocol::read_rollover(response.status, &response.body, &info.serial)
            });
        let uri = result.map_err(|e| self.note(&info, e))?;
        let qr = RegistrationQr::parse(&uri)?;
        let mut changed = info;
        changed.state = ContainerState::RolloverStarted;
        self.store().put(&changed)?;
        Ok(RolloverTicket { uri, qr })
    }

    /// Unregisters the container from this device (refused when the server's
    /// `disable_client_container_unregister` flag is set). The server keeps the container
    /// and its tokens; here the registration key and the container are deleted, and its
    /// accounts and push tokens stay as ordinary ones. A container the server had already
    /// unregistered is removed here too.
    pub fn unregister(&self, serial: &str) -> Result<(), ContainerError> {
        let info = self.get(serial)?;
        if info.state == ContainerState::LockedOut {
            return Err(ContainerError::LockedOut(info.serial));
        }
        if info.state != ContainerState::Unregistered {
            if info.policies.disable_client_unregister {
                return Err(ContainerError::PolicyForbids(
                    "unregistering (disable_client_container_unregister is set)",
                ));
            }
            protocol::require_secure(&info.url)?;
            let result = self
                .signed_call(&info, protocol::TERMINATE)
                .and_then(|r| protocol::read_terminate(r.status, &r.body, &info.serial));
            match result {
                Ok(()) | Err(ContainerError::NotRegistered(_)) => {}
                Err(other) => return Err(self.note(&info, other)),
            }
        }
        self.forget(serial)
    }

    /// Removes a container from this device without asking the server (for a locked-out
    /// or unregistered one): its key and record go, its accounts and push tokens stay.
    pub fn forget(&self, serial: &str) -> Result<(), ContainerError> {
        let info = self.get(serial)?;
        self.keys.delete(&info.key_alias)?;
        self.store().remove(serial)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{Account, OtpParams};
    use crate::secret::Secret;
    use crate::vault::{KeyFile, ListFilter};

    #[test]
    fn delete_account_honours_the_containers_deletion_policy() {
        let dir = tempfile::tempdir().unwrap();
        let key = KeyFile::create(&dir.path().join("k")).unwrap();
        let vault = Vault::create(&dir.path().join("v.sqlite"), &key).unwrap();
        let account = |label: &str, seed: u8| {
            Account::new(
                "ACME",
                label,
                Secret::from_bytes(vec![seed; 20]),
                OtpParams::totp(),
            )
        };
        let managed = vault.add(&account("managed", 1)).unwrap();
        let own = vault.add(&account("own", 2)).unwrap();
        let mut info = ContainerInfo {
            serial: "SMPH0001".into(),
            issuer: "privacyIDEA".into(),
            url: "https://pi.example".into(),
            ssl_verify: true,
            curve: Curve::P256,
            hash: HashAlgorithm::Sha256,
            key_alias: key_alias("SMPH0001"),
            state: ContainerState::Registered,
            policies: Policies {
                disable_client_token_deletion: true,
                ..Policies::default()
            },
            registered_at: 1,
            last_sync_at: None,
            tokens: Vec::new(),
        };
        let store = Store::new(&vault);
        store.put(&info).unwrap();
        let token = ManagedToken {
            serial: "TOTP0001".into(),
            kind: TokenKind::Totp,
            account_id: Some(managed.to_string()),
        };
        store.link(&info.serial, &token).unwrap();

        assert!(matches!(
            delete_account(&vault, &managed),
            Err(ContainerError::DeletionForbidden(serial)) if serial == "SMPH0001"
        ));
        let listed = vault.list(&ListFilter::default()).unwrap();
        assert_eq!(listed.len(), 2, "a refused delete changes nothing");
        // Accounts of no container are deleted as usual.
        delete_account(&vault, &own).unwrap();
        // The server lifts the policy: the container's token can go too.
        info.policies.disable_client_token_deletion = false;
        store.put(&info).unwrap();
        delete_account(&vault, &managed).unwrap();
        assert!(vault.list(&ListFilter::default()).unwrap().is_empty());
    }
}
