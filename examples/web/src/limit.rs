//! Password attempts per address: twostep's throttle schedule (a few free
//! attempts, then exponential back-off) on a count kept in memory.
//!
//! In memory and per process, so a restart forgets it: a service with more
//! than one process keeps the count in its database and limits per IP
//! address at the edge as well. The hard lock of the schedule is not
//! applied to passwords (anyone could lock anyone out by address): past it,
//! the longest back-off holds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use twostep::UnixTime;
use twostep::guard::{Blocked, Throttle};
use twostep::time::Duration;

/// Addresses remembered at most; the oldest entries go first beyond it.
const MAX_ENTRIES: usize = 10_000;

#[derive(Clone, Debug, Default)]
pub struct PasswordLimit {
    failures: Arc<Mutex<HashMap<String, (u32, UnixTime)>>>,
}

impl PasswordLimit {
    fn wait(failures: u32) -> Option<Duration> {
        let throttle = Throttle::DEFAULT;
        match throttle.after(failures) {
            Some(Blocked::Throttled { retry_after }) => Some(retry_after),
            Some(_) => Some(throttle.max_delay()),
            None => None,
        }
    }

    /// How long `email` must still wait before its next password is looked at.
    pub fn blocked(&self, email: &str, now: UnixTime) -> Option<Duration> {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let (failures, last) = *map.get(email)?;
        let until = last.checked_add(Self::wait(failures)?)?;
        let left = until
            .as_secs()
            .checked_sub(now.as_secs())
            .filter(|s| *s > 0)?;
        Some(Duration::seconds(i64::try_from(left).unwrap_or(i64::MAX)))
    }

    /// Counts a wrong password for `email`.
    pub fn failed(&self, email: &str, now: UnixTime) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let full = map.len() >= MAX_ENTRIES && !map.contains_key(email);
        let oldest = full.then(|| {
            map.iter()
                .min_by_key(|(_, (_, at))| *at)
                .map(|(k, _)| k.clone())
        });
        if let Some(oldest) = oldest.flatten() {
            map.remove(&oldest);
        }
        let entry = map.entry(email.to_string()).or_insert((0, now));
        *entry = (entry.0.saturating_add(1), now);
    }

    /// A right password ends the run of failures.
    pub fn succeeded(&self, email: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(email);
    }
}
