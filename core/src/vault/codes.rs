//! Codes: the cache of prepared generators behind [`Vault::codes_at`], and HOTP's durable
//! counter step.

use rusqlite::TransactionBehavior;
use zeroize::Zeroize;

use super::accounts::{account_binding, groups_by_account};
use super::db::{lock, now};
use super::integrity::{ACCOUNT_COLUMNS, AccountRow, RowBatch, RowView};
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
    /// Every account outside the trash, prepared, in list order; each generator has computed
    /// (and remembers) its code at `unix`, the time the caller is about to show.
    pub(super) fn build_cache(&self, unix: u64) -> Result<Vec<CachedAccount>, VaultError> {
        // No ORDER BY: SQLite would sort whole rows (secrets included) through a temporary
        // b-tree; sorting the prepared entries afterwards is much cheaper.
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE trashed_at IS NULL"
        ))?;
        // One query for every membership instead of one per account.
        let mut groups = groups_by_account(&self.conn)?;
        let with_icons = super::icons::ids_with_icons(&self.conn)?;
        let key = &self.key;
        // The cache lives as long as the vault is open: sized exactly, rather than grown by
        // doubling to up to twice its size (counting costs a pass over pages that the query
        // below then finds in SQLite's cache).
        let count: i64 = self.conn.query_row(
            "SELECT count(*) FROM accounts WHERE trashed_at IS NULL",
            [],
            |row| row.get(0),
        )?;
        let count = usize::try_from(count).unwrap_or(0);
        let mut out: Vec<CachedAccount> = Vec::with_capacity(count);
        // Each entry's list position, beside the entries rather than in them: the cache
        // keeps only the entries, with no pass to strip the positions.
        let mut positions: Vec<i64> = Vec::with_capacity(count);
        let mut keep = |(account, position)| {
            out.push(account);
            positions.push(position);
        };
        let mut rows = stmt.query([])?;
        let threads = prepare_threads(count);
        if threads == 1 {
            // A small vault: each row is checked and prepared straight from SQLite's buffer.
            while let Some(row) = rows.next()? {
                let row = RowView::read(row)?;
                let groups = groups.remove(row.id).unwrap_or_default();
                keep(prepare(row, groups, with_icons.contains(row.id), key, unix));
            }
        } else {
            // Checking each row's tag, decrypting its secret and preparing its generator is
            // most of a cold start's work and independent per row: other threads do it for
            // one batch while this one reads the next from SQLite (a connection stays on its
            // thread). A batch is a few buffers, not a dozen allocations per row.
            let read_batch = || -> Result<Option<Batch>, VaultError> {
                let mut batch = Batch {
                    rows: RowBatch::with_capacity(PREPARE_BATCH, 512),
                    extras: Vec::with_capacity(PREPARE_BATCH),
                };
                while batch.rows.len() < PREPARE_BATCH {
                    let Some(row) = rows.next()? else { break };
                    let row = RowView::read(row)?;
                    let groups = groups.remove(row.id).unwrap_or_default();
                    batch.extras.push((groups, with_icons.contains(row.id)));
                    batch.rows.push(&row);
                }
                Ok((batch.rows.len() > 0).then_some(batch))
            };
            let prepare_batch = |batch: Batch| -> Vec<(CachedAccount, i64)> {
                let Batch { rows, extras } = batch;
                extras
                    .into_iter()
                    .enumerate()
                    .map(|(i, (groups, has_picture))| {
                        prepare(rows.view(i), groups, has_picture, key, unix)
                    })
                    .collect()
            };
            pipeline(threads, read_batch, prepare_batch, |part| {
                part.into_iter().for_each(&mut keep)
            })?;
        }
        // The list order (ORDER): favorites first, then position, then id. Indices are
        // sorted, then the entries permuted in place: no entry is cloned or copied twice.
        // Through the shared sort of `crate::order` (ids are unique: no ties), whose indirect
        // comparison costs ~1 M instructions more for 10,000 entries (callgrind: 8.7 M against
        // 7.7 M for a sort of its own, ~0.3 ms on this machine's 16 ms vault bench), for 6,784
        // bytes less in the mobile library.
        let key = |i: usize| (!out[i].favorite, positions[i], &out[i].id);
        let order = crate::order::stable_order(out.len(), &|a, b| key(a).cmp(&key(b)));
        crate::order::permute(&mut out, order);
        Ok(out)
    }
}

/// Rows read from SQLite, with each one's groups and whether it has a picture, waiting to be
/// prepared on another thread.
struct Batch {
    rows: RowBatch,
    extras: Vec<(Vec<String>, bool)>,
}

/// Rows per batch handed to another thread: small enough that the threads share the work
/// evenly and the rows waiting stay few, large enough that handing over costs nothing.
const PREPARE_BATCH: usize = 256;

/// One account row made ready for codes, with its list position: the row's tag checked, its
/// secret decrypted into the generator. A row that fails either shows no code (an edited
/// row's label might belong to another account).
fn prepare(
    row: RowView<'_>,
    groups: Vec<String>,
    has_picture: bool,
    key: &VaultKey,
    unix: u64,
) -> (CachedAccount, i64) {
    let id = AccountId(row.id.to_owned());
    let params = row.params();
    let generator = params
        .filter(|_| row.is_intact(key))
        .and_then(|params| {
            let mut plain = key.open(account_binding(row.id, "secret"), row.secret)?;
            // Move the buffer into the Secret instead of copying it.
            let secret = Secret::from_bytes(std::mem::take(&mut *plain));
            let generator = Generator::new(&secret, &params).ok()?;
            // The code the caller is about to show, computed here, where a large vault's
            // rows are spread over threads; the generator remembers it.
            generator.code_at(unix);
            Some(generator)
        })
        .ok_or_else(|| VaultError::Integrity {
            account: id.clone(),
        });
    (
        CachedAccount {
            issuer: row.issuer.to_owned(),
            label: row.label.to_owned(),
            params: params.unwrap_or_default(),
            favorite: row.favorite,
            icon: row.icon.map(str::to_owned),
            has_picture,
            groups,
            generator,
            id,
        },
        row.position,
    )
}

/// Below this many rows a cold start stays on one thread: starting threads would cost more
/// than they save.
const PARALLEL_MIN_ROWS: usize = 512;
/// At most this many threads prepare rows (phones have 4–8 cores; more buys little).
const PARALLEL_MAX_THREADS: usize = 4;

/// How many threads (this one included) prepare a vault of `rows` rows.
fn prepare_threads(rows: usize) -> usize {
    if rows < PARALLEL_MIN_ROWS {
        return 1;
    }
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(PARALLEL_MAX_THREADS)
        .min(rows / (PARALLEL_MIN_ROWS / 2))
        .max(1)
}

/// Batches waiting per helper thread before this thread prepares the next batch itself.
const QUEUED_PER_HELPER: usize = 2;

/// Runs `work` on every batch `produce` returns, on `threads` threads, and hands each result
/// to `deliver` in the order the batches were produced. `produce` runs on this thread only (it
/// reads SQLite), while `threads - 1` helpers work on the batches already read; once the
/// helpers fall behind, or when everything is read, this thread works too, so the batches
/// waiting stay few. An error from `produce` stops the run (the batches still queued are
/// dropped); a panic in `work` is re-raised on this thread (and caught at the FFI like any
/// other).
fn pipeline<B: Send, U: Send, E>(
    threads: usize,
    mut produce: impl FnMut() -> Result<Option<B>, E>,
    work: impl Fn(B) -> U + Sync,
    mut deliver: impl FnMut(U),
) -> Result<(), E> {
    use std::collections::{BTreeMap, VecDeque};
    use std::sync::{Condvar, Mutex, MutexGuard};

    struct Queue<B> {
        jobs: VecDeque<(usize, B)>,
        /// Nothing more will be queued.
        closed: bool,
    }
    // A panic elsewhere cannot leave these half-updated: keep using them.
    fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
        mutex.lock().unwrap_or_else(|e| e.into_inner())
    }
    /// Closes the queue however this thread leaves the scope (an error or a panic while
    /// reading included), so that the helpers stop waiting.
    struct CloseOnDrop<'q, B>(&'q Mutex<Queue<B>>, &'q Condvar);
    impl<B> Drop for CloseOnDrop<'_, B> {
        fn drop(&mut self) {
            lock(self.0).closed = true;
            self.1.notify_all();
        }
    }

    let queue = Mutex::new(Queue {
        jobs: VecDeque::new(),
        closed: false,
    });
    let ready = Condvar::new();
    // Results by batch number, until their turn to be delivered.
    let done: Mutex<BTreeMap<usize, U>> = Mutex::new(BTreeMap::new());
    let mut next = 0;
    let mut deliver_ready = |done: &Mutex<BTreeMap<usize, U>>| {
        let mut done = lock(done);
        while let Some(part) = done.remove(&next) {
            deliver(part);
            next += 1;
        }
    };
    let (work, queue, ready, done_ref) = (&work, &queue, &ready, &done);
    let read = std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(move || {
                loop {
                    let job = {
                        let mut q = lock(queue);
                        loop {
                            if let Some(job) = q.jobs.pop_front() {
                                break Some(job);
                            }
                            if q.closed {
                                break None;
                            }
                            q = ready.wait(q).unwrap_or_else(|e| e.into_inner());
                        }
                    };
                    let Some((index, batch)) = job else { return };
                    let part = work(batch);
                    lock(done_ref).insert(index, part);
                }
            });
        }
        let close = CloseOnDrop(queue, ready);
        let mut index = 0;
        let read = loop {
            let batch = match produce() {
                Ok(Some(batch)) => batch,
                Ok(None) => break Ok(()),
                Err(e) => {
                    lock(queue).jobs.clear();
                    break Err(e);
                }
            };
            let mut q = lock(queue);
            if q.jobs.len() >= QUEUED_PER_HELPER * (threads - 1) {
                drop(q);
                let part = work(batch);
                lock(done_ref).insert(index, part);
            } else {
                q.jobs.push_back((index, batch));
                drop(q);
                ready.notify_one();
            }
            index += 1;
            deliver_ready(done_ref);
        };
        drop(close);
        // Everything is read: this thread helps with what is still queued.
        while read.is_ok() {
            let Some((index, batch)) = lock(queue).jobs.pop_front() else {
                break;
            };
            let part = work(batch);
            lock(done_ref).insert(index, part);
            deliver_ready(done_ref);
        }
        read
    });
    // Every helper has finished (the scope joined them).
    deliver_ready(&done);
    read
}

impl Vault {
    /// Calls `read` with every account not in the trash, prepared and in list order (favorites
    /// first, then the user's order), rebuilding the cache first when the vault changed. The
    /// vault's lock is held during `read`: keep it short and do not call back into the vault.
    /// A cache built here has its codes at `unix` computed already (on several threads for a
    /// large vault).
    pub(crate) fn with_cache<R>(
        &self,
        unix: u64,
        read: impl FnOnce(&[CachedAccount]) -> R,
    ) -> Result<R, VaultError> {
        let mut inner = lock(&self.inner);
        let version = inner.data_version()?;
        if inner.cache.is_none() || inner.cache_data_version != version {
            let built = inner.build_cache(unix)?;
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
        self.with_cache(unix, |cache| {
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
    use super::pipeline;

    /// Batches of up to 7 numbers from 0..n, mapped to `x * 3 + 1` on `threads` threads.
    fn run(n: u64, threads: usize, fail_at: Option<u64>) -> Result<Vec<u64>, String> {
        let mut source = (0..n).peekable();
        let produce = || -> Result<Option<Vec<u64>>, String> {
            let batch: Vec<u64> = source.by_ref().take(7).collect();
            if let Some(bad) = fail_at.filter(|bad| batch.contains(bad)) {
                return Err(format!("failed at {bad}"));
            }
            Ok((!batch.is_empty()).then_some(batch))
        };
        let mut out = Vec::new();
        pipeline(
            threads,
            produce,
            |batch: Vec<u64>| batch.into_iter().map(|x| x * 3 + 1).collect::<Vec<_>>(),
            |part| out.extend(part),
        )?;
        Ok(out)
    }

    #[test]
    fn pipeline_delivers_every_batch_in_order_on_any_number_of_threads() {
        for threads in 1..=4 {
            for n in [0, 1, 6, 7, 8, 500, 3001] {
                let expected: Vec<u64> = (0..n).map(|x| x * 3 + 1).collect();
                assert_eq!(run(n, threads, None).unwrap(), expected, "{n} on {threads}");
            }
        }
    }

    #[test]
    fn pipeline_stops_at_the_first_error_and_reports_it() {
        for threads in 1..=4 {
            assert_eq!(
                run(3001, threads, Some(1500)).unwrap_err(),
                "failed at 1500"
            );
        }
    }

    #[test]
    fn a_panic_while_working_reaches_the_caller() {
        let caught = std::panic::catch_unwind(|| {
            pipeline(
                3,
                {
                    let mut left = 50;
                    move || -> Result<Option<u32>, ()> {
                        left -= 1;
                        Ok((left > 0).then_some(left))
                    }
                },
                |x: u32| assert_ne!(x, 20, "boom"),
                |()| {},
            )
        });
        assert!(caught.is_err());
    }
}
