//! A thread that delivers a code list each time a code in it changes, so a shell needs no
//! timer of its own.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use super::codes::{CodeList, CodesQuery};
use crate::vault::{ChangeListener, Vault};

/// Where a [`CodesWatch`] gets its lists: the vault at the current time by the vault's clock.
/// The bindings implement it over a weak reference to the vault, so a watch never keeps a
/// locked vault's key alive.
pub trait CodesSource: Send + 'static {
    /// Why a list could not be made (the vault was locked, the clock failed…).
    type Error: Send + 'static;
    /// The list `query` selects, now.
    fn code_list(&self, query: &CodesQuery) -> Result<CodeList, Self::Error>;
}

/// What the watch thread and its handle share.
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    /// Held by the thread while it calls the listener, so that [`CodesWatch::stop`] can wait
    /// for a call in progress: after `stop` returns, the listener is not called again.
    delivering: Mutex<()>,
}

struct State {
    query: CodesQuery,
    stopped: bool,
    /// Deliver again now (new query, or the accounts changed).
    refresh: bool,
    /// The watch thread, to tell a `stop` from inside the listener (which must not wait for
    /// itself).
    thread: Option<ThreadId>,
}

/// Calls a listener with the code list of a query right away, and then again each time a code
/// in it changes (at [`CodeList::next_change_at`]), from a thread of its own that sleeps in
/// between. A list without time-based codes is delivered once and again only on
/// [`CodesWatch::refresh`] or [`CodesWatch::set_query`].
///
/// If making a list fails (the vault was locked, the clock failed), the listener receives the
/// error and the watch stops; start a new one when the cause is gone. Dropping the handle stops
/// the watch as [`CodesWatch::stop`] does, without waiting.
///
/// The thread sleeps on the monotonic clock, which on phones does not advance while the
/// device sleeps: stop the watch when the screen goes away and start it (or `refresh`) when it
/// comes back.
pub struct CodesWatch {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for CodesWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodesWatch")
            .field("running", &self.is_running())
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing the watch keeps can be left half-changed by a panic: a poisoned lock is usable.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl CodesWatch {
    /// Starts watching `query` in `source`; `listener` receives the first list from the new
    /// thread, at once. Fails only when the operating system cannot start a thread.
    pub fn start<S, L>(source: S, query: CodesQuery, listener: L) -> std::io::Result<CodesWatch>
    where
        S: CodesSource,
        L: FnMut(Result<CodeList, S::Error>) + Send + 'static,
    {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                query,
                stopped: false,
                refresh: false,
                thread: None,
            }),
            wake: Condvar::new(),
            delivering: Mutex::new(()),
        });
        let for_thread = Arc::clone(&shared);
        thread::Builder::new()
            .name("tessera-codes-watch".into())
            .spawn(move || run(&for_thread, &source, listener))?;
        Ok(CodesWatch { shared })
    }

    /// Shows another query (a new search text, group or filter) from now on: the listener
    /// receives its list at once.
    pub fn set_query(&self, query: CodesQuery) {
        let mut state = lock(&self.shared.state);
        state.query = query;
        state.refresh = true;
        self.shared.wake.notify_all();
    }

    /// Delivers the list again now, e.g. after an account changed through another handle
    /// than the one given to [`CodesWatch::follow`].
    pub fn refresh(&self) {
        self.shared.changed();
    }

    /// Delivers the list again after every change made through `vault` (this handle: an
    /// account added, edited, trashed or restored, a HOTP counter advanced, a container
    /// synchronized), so a shell does not have to call [`CodesWatch::refresh`] after its own
    /// changes. Changes by another process are seen at the next delivery.
    pub fn follow(&self, vault: &Vault) {
        let shared: Arc<dyn ChangeListener> = self.shared.clone();
        vault.on_change(Arc::downgrade(&shared));
    }

    /// Stops the watch. When called from another thread than the listener's, a delivery in
    /// progress finishes first, and after `stop` returns the listener is never called again.
    /// Stopping twice is harmless.
    pub fn stop(&self) {
        let on_watch_thread = {
            let mut state = lock(&self.shared.state);
            state.stopped = true;
            self.shared.wake.notify_all();
            state.thread == Some(thread::current().id())
        };
        if !on_watch_thread {
            // Wait for a listener call in progress; the thread checks `stopped` before each.
            drop(lock(&self.shared.delivering));
        }
    }

    /// False once the watch was stopped or ended after an error.
    pub fn is_running(&self) -> bool {
        !lock(&self.shared.state).stopped
    }
}

impl Drop for CodesWatch {
    fn drop(&mut self) {
        // Not `stop()`: a handle dropped inside the listener must not wait for itself, and a
        // drop should not block; the thread sees the flag before its next delivery.
        lock(&self.shared.state).stopped = true;
        self.shared.wake.notify_all();
    }
}

impl ChangeListener for Shared {
    fn changed(&self) {
        // Only a flag and a wake-up: this runs under the vault's lock.
        lock(&self.state).refresh = true;
        self.wake.notify_all();
    }
}

/// The watch thread: list, deliver, sleep until the next change (or a wake-up), again.
fn run<S, L>(shared: &Shared, source: &S, mut listener: L)
where
    S: CodesSource,
    L: FnMut(Result<CodeList, S::Error>),
{
    // Recorded before the first delivery, so a `stop` from inside the listener is recognised.
    lock(&shared.state).thread = Some(thread::current().id());
    loop {
        let query = {
            let mut state = lock(&shared.state);
            if state.stopped {
                return;
            }
            state.refresh = false;
            state.query.clone()
        };
        let listed_at = Instant::now();
        let result = source.code_list(&query);
        let wait = match &result {
            Ok(list) => list.next_change_in_millis.map(Duration::from_millis),
            Err(_) => None,
        };
        let failed = result.is_err();
        {
            let _delivering = lock(&shared.delivering);
            {
                let mut state = lock(&shared.state);
                if state.stopped {
                    return;
                }
                // Marked before the listener hears of the error, so that a listener (or the
                // thread it wakes) asking `is_running` already sees the watch as ended.
                state.stopped |= failed;
            }
            listener(result);
        }
        if failed {
            return;
        }
        // Sleep until the next change, a refresh or a stop. The deadline is counted from when
        // the list was made, so time spent in the listener does not delay the next one.
        let deadline = wait.and_then(|wait| listed_at.checked_add(wait));
        let mut state = lock(&shared.state);
        loop {
            if state.stopped || state.refresh {
                break;
            }
            match deadline {
                None => {
                    state = shared
                        .wake
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner)
                }
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        break;
                    }
                    state = shared
                        .wake
                        .wait_timeout(state, deadline - now)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
            }
        }
    }
}
