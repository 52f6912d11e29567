//! The app model: what a screen shows, decided once for every shell.
//!
//! Android, iOS and the CLI all show the same list of codes. Every rule behind that list lives
//! here, so no shell writes its own `if`: how a code is grouped for reading
//! ([`display_code`]), what an account is called ([`display_name`]), when a code stops being
//! valid and how much of its period is left ([`DisplayCode`]), which accounts a search, a group
//! or the favorites filter keep and in which order ([`CodesQuery`], [`Vault::code_list_at`]),
//! and when the next code in the list changes ([`CodeList::next_change_at`]), so a shell
//! schedules one timer or lets a [`CodesWatch`] call it back. The app's two other timers are
//! decided here too: when it locks after being left ([`should_lock`]) and when a copied code
//! leaves the clipboard ([`clipboard_clear_after`]).
//!
//! [`Vault::code_list_at`]: crate::vault::Vault::code_list_at

mod codes;
mod display;
mod timers;
mod watch;

pub use codes::{CodeList, CodesQuery, DisplayCode};
pub use display::{
    GroupedCode, UNNAMED, describe_clock_offset, display_code, display_name, spoken_code,
};
pub use timers::{
    CLIPBOARD_MAX_SECS, CLIPBOARD_MIN_SECS, DEFAULT_LOCK_TIMEOUT, LOCK_TIMEOUT_CHOICES,
    LockTimeout, clipboard_clear_after, should_lock,
};
pub use watch::{CodesSource, CodesWatch};
