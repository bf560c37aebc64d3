//! Per-thread event counters for the unit tests: they prove that rejected
//! input (malformed, throttled) computes no HMAC and that a backup-code
//! redeem hashes exactly once. Compiled only for `cargo test`'s unit-test
//! build.

// The test harness links std even when the crate is built without it.
extern crate std;

use core::cell::Cell;
use std::thread::LocalKey;

/// A per-thread count of one kind of event.
pub(crate) type Counter = LocalKey<Cell<u64>>;

std::thread_local! {
    /// HMAC evaluations: one per step computed.
    pub(crate) static HMAC: Cell<u64> = const { Cell::new(0) };
    /// Backup-code digest evaluations.
    pub(crate) static BACKUP_DIGEST: Cell<u64> = const { Cell::new(0) };
}

/// Counts one event.
pub(crate) fn bump(counter: &'static Counter) {
    counter.with(|c| c.set(c.get().saturating_add(1)));
}

/// Events counted on this thread so far.
pub(crate) fn count(counter: &'static Counter) -> u64 {
    counter.with(Cell::get)
}
