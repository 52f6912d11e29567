//! Codes: the cache of prepared generators behind [`Vault::codes_at`], and HOTP's durable
//! counter step.

use rusqlite::TransactionBehavior;
use zeroize::Zeroize;

use super::accounts::{account_binding, groups_by_account};
use super::db::{lock, now};
use super::integrity::{ACCOUNT_COLUMNS, AccountRow};
use super::keys::VaultKey;
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
    /// The account has a picture (`Vault::icon`).
    pub(crate) has_picture: bool,
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
        let with_icons = super::icons::ids_with_icons(&self.conn)?;
        // Checking each row's tag, decrypting its secret and preparing its generator is most
        // of a cold start's work and independent per row: it runs on several cores when the
        // vault is large (SQLite's reading stays on this thread). Rows are read and prepared
        // a batch at a time, so a large vault's raw rows (every column, for the tag) are never
        // all in memory at once.
        let key = &self.key;
        // The cache lives as long as the vault is open: sized exactly, rather than grown by
        // doubling to up to twice its size (counting costs a pass over pages that the query
        // below then finds in SQLite's cache).
        let count: i64 = self.conn.query_row(
            "SELECT count(*) FROM accounts WHERE trashed_at IS NULL",
            [],
            |row| row.get(0),
        )?;
        let mut out: Vec<(CachedAccount, i64)> =
            Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        let mut batch = Vec::with_capacity(PREPARE_BATCH);
        loop {
            let row = rows.next()?;
            let done = row.is_none();
            if let Some(row) = row {
                let row = AccountRow::read(row)?;
                let groups = groups.remove(&row.id.0).unwrap_or_default();
                let has_picture = with_icons.contains(&row.id.0);
                batch.push((row, groups, has_picture));
            }
            if batch.len() == PREPARE_BATCH || (done && !batch.is_empty()) {
                let rows = std::mem::replace(&mut batch, Vec::with_capacity(PREPARE_BATCH));
                out.extend(parallel_map(rows, |(row, groups, has_picture)| {
                    prepare(row, groups, has_picture, key)
                }));
            }
            if done {
                break;
            }
        }
        // The list order (ORDER): favorites first, then position, then id. Indices are
        // sorted, then the entries permuted in place: no entry is cloned or copied twice.
        let mut order: Vec<usize> = (0..out.len()).collect();
        order.sort_unstable_by(|&a, &b| {
            let (a, b) = (&out[a], &out[b]);
            (!a.0.favorite, a.1, &a.0.id).cmp(&(!b.0.favorite, b.1, &b.0.id))
        });
        permute(&mut out, order);
        // Reuses the allocation (same alignment, smaller element).
        Ok(out.into_iter().map(|(account, _)| account).collect())
    }
}

/// Rows read from SQLite before they are prepared (on several threads when the vault is
/// large): bounds the raw rows held at once.
const PREPARE_BATCH: usize = 2048;

/// Rearranges `items` so that the element at `k` is the one that was at `order[k]`, by
/// swapping along the permutation's cycles (`order` must be a permutation of the indices).
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    const DONE: usize = usize::MAX;
    for start in 0..items.len() {
        let mut k = start;
        while order[k] != DONE {
            let from = order[k];
            order[k] = DONE;
            if from == start {
                break;
            }
            items.swap(k, from);
            k = from;
        }
    }
}

/// One account row made ready for codes, with its list position: the row's tag checked, its
/// secret decrypted into the generator. A row that fails either shows no code (an edited
/// row's label might belong to another account).
fn prepare(
    row: AccountRow,
    groups: Vec<String>,
    has_picture: bool,
    key: &VaultKey,
) -> (CachedAccount, i64) {
    let id = row.id.clone();
    let params = row.params();
    let intact = row.is_intact(key);
    let generator = match (
        params.filter(|_| intact),
        key.open(account_binding(&id.0, "secret"), &row.secret),
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
    let position = row.position;
    (
        CachedAccount {
            issuer: row.issuer,
            label: row.label,
            params: params.unwrap_or_default(),
            favorite: row.favorite,
            icon: row.icon,
            has_picture,
            groups,
            generator,
            id,
        },
        position,
    )
}

/// Below this many rows a cold start stays on one thread: starting threads would cost more
/// than they save.
const PARALLEL_MIN_ROWS: usize = 512;
/// At most this many threads prepare rows (phones have 4–8 cores; more buys little).
const PARALLEL_MAX_THREADS: usize = 4;

/// `items.map(f)` in order, split into contiguous chunks over a few scoped threads when there
/// are enough items. A panic in `f` is re-raised on this thread (and caught at the FFI like
/// any other).
fn parallel_map<T: Send, U: Send>(mut items: Vec<T>, f: impl Fn(T) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(PARALLEL_MAX_THREADS)
        .min(items.len() / (PARALLEL_MIN_ROWS / 2))
        .max(1);
    if threads == 1 || items.len() < PARALLEL_MIN_ROWS {
        return items.into_iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let mut chunks = Vec::with_capacity(threads);
    while items.len() > chunk {
        chunks.push(items.split_off(items.len() - chunk));
    }
    chunks.push(items);
    chunks.reverse();
    let total = chunks.iter().map(Vec::len).sum();
    let f = &f;
    std::thread::scope(|scope| {
        // This thread maps the first chunk itself: one thread fewer to start.
        let mut chunks = chunks.into_iter();
        let first = chunks.next().unwrap_or_default();
        let handles: Vec<_> = chunks
            .map(|chunk| scope.spawn(move || chunk.into_iter().map(f).collect::<Vec<U>>()))
            .collect();
        let mut out = Vec::with_capacity(total);
        out.extend(first.into_iter().map(f));
        for handle in handles {
            match handle.join() {
                Ok(part) => out.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
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

#[cfg(test)]
mod tests {
    use super::{parallel_map, permute};

    #[test]
    fn permute_puts_each_element_where_the_order_says() {
        // Every permutation of 5 elements, and a few long ones with long cycles.
        let mut orders: Vec<Vec<usize>> = Vec::new();
        let mut perm: Vec<usize> = (0..5).collect();
        fn all(k: usize, perm: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
            if k == perm.len() {
                out.push(perm.clone());
                return;
            }
            for i in k..perm.len() {
                perm.swap(k, i);
                all(k + 1, perm, out);
                perm.swap(k, i);
            }
        }
        all(0, &mut perm, &mut orders);
        assert_eq!(orders.len(), 120);
        orders.push((0..1000).map(|i| (i * 7 + 3) % 1000).collect());
        orders.push((0..1000).rev().collect());
        for order in orders {
            let original: Vec<String> = (0..order.len()).map(|i| format!("item {i}")).collect();
            let mut items = original.clone();
            permute(&mut items, order.clone());
            let expected: Vec<String> = order.iter().map(|&i| original[i].clone()).collect();
            assert_eq!(items, expected);
        }
    }

    #[test]
    fn parallel_map_keeps_order_at_every_size() {
        for n in [0, 1, 511, 512, 513, 2048, 3001] {
            let out = parallel_map((0..n).collect::<Vec<u64>>(), |x| x * 3 + 1);
            assert_eq!(out, (0..n).map(|x| x * 3 + 1).collect::<Vec<u64>>(), "{n}");
        }
    }
}
