//! Background polling while the vault stays locked, for Kotlin and Swift: the vault's poll
//! slot (`tessera_core::push::slot`) and the `PollSlot` a background task opens with a
//! second, non-biometric device key. The rules are core's; this module converts and forwards.

use std::path::Path;
use std::sync::Arc;

use tessera_core::push as core;

use crate::error::Result;
use crate::platform::{Clock, ForeignKeys, KeyProvider, device_clock};
use crate::push::{
    ForeignDeviceKeys, ForeignTransport, PollResult, PushDeviceKeys, PushRequest, PushTransport,
    default_transport,
};
use crate::vault::Vault;

#[uniffi::export]
impl Vault {
    /// Turns background polling on, or renews it: writes the poll slot beside the vault
    /// (its file name plus `-pollslot`), holding only what polling needs — each push token's
    /// serial, server URL and key, the alias of its device key in the platform keystore,
    /// issuer, label — never an OTP secret. It is sealed under a fresh key that `keys` wraps:
    /// a device key that needs no user presence (not biometric-bound), so a background task
    /// can open the slot with `PollSlot(vaultPath, keys, …)` while the vault stays locked.
    /// The slot follows every change of the push tokens; push tokens with Tessera's software
    /// device keys (no `PushDeviceKeys`) cannot be polled from it.
    pub fn enable_poll_slot(&self, keys: Arc<dyn KeyProvider>) -> Result<()> {
        Ok(self.unlocked()?.enable_poll_slot(&ForeignKeys(keys))?)
    }

    /// Turns background polling off: the slot file and its key are deleted (delete the
    /// background device key from the platform keystore too). `false` when it was off.
    pub fn disable_poll_slot(&self) -> Result<bool> {
        Ok(self.unlocked()?.disable_poll_slot()?)
    }

    /// True when background polling is on.
    pub fn has_poll_slot(&self) -> Result<bool> {
        Ok(self.unlocked()?.has_poll_slot()?)
    }
}

/// A background poll without the vault (WorkManager, `BGAppRefreshTask`): fetches and
/// verifies push requests for the tokens of the vault's poll slot and keeps them for the vault,
/// which takes them in at its next `PushClient.poll()` or `pending()`. It can neither answer
/// nor change anything: to answer, the user unlocks the app. Safe to use from several threads;
/// `poll` reaches the server, so call it off the UI thread.
#[derive(uniffi::Object)]
pub struct PollSlot {
    slot: core::PollSlot,
    keys: ForeignDeviceKeys,
    transport: Box<dyn core::Transport>,
    clock: Option<Arc<dyn Clock>>,
}

#[uniffi::export]
impl PollSlot {
    /// Opens the poll slot of the vault at `vault_path` with `keys`, the background device key
    /// given to `Vault.enable_poll_slot`. `device_keys`: the platform keystore holding the push
    /// device keys; `transport`: the platform HTTP stack (Tessera's HTTPS client when absent,
    /// desktop builds only); `clock`: the device clock (the system's when absent). `NotFound`
    /// when background polling is off; the key provider's own error when it cannot unwrap;
    /// `Integrity` when the slot was modified or damaged (turn background polling on again).
    #[uniffi::constructor(default(transport = None, clock = None))]
    pub fn new(
        vault_path: String,
        keys: Arc<dyn KeyProvider>,
        device_keys: Arc<dyn PushDeviceKeys>,
        transport: Option<Arc<dyn PushTransport>>,
        clock: Option<Arc<dyn Clock>>,
    ) -> Result<Arc<Self>> {
        let slot = core::PollSlot::open(Path::new(&vault_path), &ForeignKeys(keys))?;
        let transport: Box<dyn core::Transport> = match transport {
            Some(t) => Box::new(ForeignTransport(t)),
            None => default_transport(),
        };
        Ok(Arc::new(PollSlot {
            slot,
            keys: ForeignDeviceKeys(device_keys),
            transport,
            clock,
        }))
    }

    /// Polls every token of the slot once. `received` holds the requests still open, `is_new`
    /// on those this poll brought first (notify about those); time left is judged by the
    /// server-corrected clock. An app that demands an unlock for a token (`force_unlock`)
    /// shows no question in a notification.
    pub fn poll(&self) -> Result<PollResult> {
        let clock = device_clock(self.clock.as_ref())?;
        let (report, now) = self.slot.poll(&self.keys, &*self.transport, &*clock)?;
        Ok(PollResult::at(report, now))
    }

    /// The requests fetched in the background and still answerable, oldest first.
    pub fn pending(&self) -> Result<Vec<PushRequest>> {
        let clock = device_clock(self.clock.as_ref())?;
        let now = self.now(&*clock)?;
        Ok(self
            .slot
            .pending(&*clock)?
            .iter()
            .map(|r| PushRequest::at(r, now))
            .collect())
    }
}

impl PollSlot {
    /// The slot's corrected time in Unix seconds.
    fn now(&self, clock: &dyn tessera_core::clock::Clock) -> Result<u64> {
        let millis = self.slot.corrected_millis(clock.now_millis())?;
        Ok(u64::try_from(millis / 1000).unwrap_or(0))
    }
}
