//! Codes: the cache of prepared generators behind [`Vault::codes_at`], and HOTP's durable
//! counter step.

use rusqlite::TransactionBehavior;
use zeroize::Zeroize;

use super::accounts::{account_binding, groups_by_account};
use super::db::{lock, now};
use super::integrity::{ACCOUNT_COLUMNS, AccountRow};
use super::{AccountId, CodeEntry, Inner, Vault, VaultError};
use crate::account::{OtpKind, OtpParams};
use crate::otp::{Code, Generator};
use crate::secret::Secret;

/// A decrypted account ready to produce codes. Its generator holds the prepared key (wiped on
/// drop) and remembers the code of the current time step, so a refresh within the step (a
/// watch loop redraws every second) costs no HMAC: that is Tessera's one code cache, and the
/// vault keeps no second copy of codes. The app model (`crate::app`) reads it through
/// [`Vault::with_cache`].
pub(crate) struct CachedAccount {
    pub(crate) id: AccountId,
    pub(crate) issuer: String,
    pub(crate) label: String,
    /// What the row says; meaningless when `generator` is an error (a damaged row).
    pub(crate) params: OtpParams,
    pub(crate) favorite: bool,
    pub(crate) icon: Option<String>,
    /// Group names, sorted (for the app model's group filter).
    pub(crate) groups: Vec<String>,
    pub(crate) generator: Result<Generator, VaultError>,
}

impl Inner {
    pub(super) fn build_cache(&self) -> Result<Vec<CachedAccount>, VaultError> {
        // No ORDER BY: SQLite would sort whole rows (secrets included) through a temporary
        // b-tree; sorting the prepared entries afterwards is much cheaper.
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE trashed_at IS NULL"
        ))?;
        let mut rows = stmt.query([])?;
        // One query for every membership instead of one per account.
        let mut groups = groups_by_account(&self.conn)?;
        let mut out = Vec::new();
        let mut positions = Vec::new();
        while let Some(row) = rows.next()? {
            let row = AccountRow::read(row)?;
            let id = row.id.clone();
            let params = row.params();
            // An edited row shows no code: its label might belong to another account.
            let intact = row.is_intact(&self.key);
            let generator = match (
                params.filter(|_| intact),
                self.key.open(account_binding(&id.0, "secret"), &row.secret),
            ) {
                (Some(params), Some(mut plain)) => {
                    // Move the buffer into the Secret instead of copying it.
                    let secret = Secret::from_bytes(std::mem::take(&mut *plain));
                    Generator::new(&secret, &params).map_err(|_| VaultError::Integrity {
                        account: id.clone(),
                    })
                }
                _ => Err(VaultError::Integrity {
                    account: id.clone(),
                }),
            };
            positions.push(row.position);
            out.push(CachedAccount {
                issuer: row.issuer,
                label: row.label,
                params: params.unwrap_or_default(),
                favorite: row.favorite,
                icon: row.icon,
                groups: groups.remove(&id.0).unwrap_or_default(),
                generator,
                id,
            });
        }
        // The list order (ORDER): favorites first, then position, then id.
        let mut order: Vec<usize> = (0..out.len()).collect();
        order.sort_unstable_by(|&a, &b| {
            (!out[a].favorite, positions[a], &out[a].id).cmp(&(
                !out[b].favorite,
                positions[b],
                &out[b].id,
            ))
        });
        let mut slots: Vec<Option<CachedAccount>> = out.into_iter().map(Some).collect();
        Ok(order.into_iter().filter_map(|i| slots[i].take()).collect())
    }
}

impl Vault {
    /// Calls `read` with every account not in the trash, prepared and in list order (favorites
    /// first, then the user's order), rebuilding the cache first when the vault changed. The
    /// vault's lock is held during `read`: keep it short and do not call back into the vault.
    pub(crate) fn with_cache<R>(
        &self,
        read: impl FnOnce(&[CachedAccount]) -> R,
    ) -> Result<R, VaultError> {
        let mut inner = lock(&self.inner);
        let version = inner.data_version()?;
        if inner.cache.is_none() || inner.cache_data_version != version {
            let built = inner.build_cache()?;
            inner.cache = Some(built);
            inner.cache_data_version = version;
        }
        Ok(read(inner.cache.as_deref().unwrap_or(&[])))
    }

    /// The codes of every account not in the trash at `unix`, in list order, in one call.
    /// Decrypts each secret once and keeps the prepared generators until the vault changes.
    /// HOTP accounts show the code of their stored counter; nothing is incremented.
    /// [`Vault::code_list_at`] adds what a screen shows (grouping, names, validity, search).
    pub fn codes_at(&self, unix: u64) -> Result<Vec<CodeEntry>, VaultError> {
        self.with_cache(|cache| {
            cache
                .iter()
                .map(|a| {
                    let (code, remaining_seconds, period) = match &a.generator {
                        Ok(g) => (
                            Ok(g.code_at(unix)),
                            g.remaining_at(unix),
                            a.params.kind.is_time_based().then_some(a.params.period),
                        ),
                        Err(e) => (Err(e.clone()), 0, None),
                    };
                    CodeEntry {
                        id: a.id.clone(),
                        issuer: a.issuer.clone(),
                        label: a.label.clone(),
                        kind: a.params.kind,
                        period,
                        code,
                        remaining_seconds,
                        favorite: a.favorite,
                    }
                })
                .collect()
        })
    }

    /// Advances an HOTP account to its next counter and returns that counter's code. The new
    /// counter is committed to disk before the code is returned, so a code is never shown
    /// twice, even across a crash.
    pub fn next_hotp(&self, id: &AccountId) -> Result<Code, VaultError> {
        let mut inner = lock(&self.inner);
        let inner = &mut *inner;
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(mut row) = AccountRow::load(&tx, id)? else {
            return Err(VaultError::NotFound { id: id.0.clone() });
        };
        if row.trashed_at.is_some() {
            return Err(VaultError::NotFound { id: id.0.clone() });
        }
        // The counter is authenticated with the rest of the row: an edited counter (or any
        // other field) is refused here rather than advanced and re-tagged.
        row.check(&inner.key)?;
        let integrity = || VaultError::Integrity {
            account: id.clone(),
        };
        let mut params = row.params().ok_or_else(integrity)?;
        if params.kind != OtpKind::Hotp {
            return Err(VaultError::InvalidAccount(
                "only HOTP accounts have a counter to advance".into(),
            ));
        }
        let secret = inner
            .key
            .open(account_binding(&id.0, "secret"), &row.secret)
            .ok_or_else(integrity)?;
        params.counter = params.counter.checked_add(1).ok_or_else(|| {
            VaultError::InvalidAccount("the HOTP counter is at its maximum".into())
        })?;
        let generator = Generator::new(&Secret::from_bytes(secret.to_vec()), &params)
            .map_err(|_| integrity())?;
        row.counter = params.counter as i64;
        row.store(&tx, &inner.key, now())?;
        tx.commit()?;
        inner.invalidate();
        Ok(generator.code_for_counter(params.counter))
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Generators wipe their keys themselves; the labels are not secret. Dropping the
        // cache explicitly keeps the order obvious: keys first, then the connection.
        if let Some(cache) = self.cache.as_mut() {
            for entry in cache.iter_mut() {
                entry.issuer.zeroize();
                entry.label.zeroize();
            }
        }
        self.cache = None;
    }
}
