//! The service's clock: the system time plus an offset that only the
//! development mode can change (`TWOSTEP_WEB_CLOCK_OFFSET` at start-up, or
//! `POST /dev/clock`), so the browser tests can move time forward.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::SystemTime;

use twostep::UnixTime;

/// Cloneable handle on one shared offset.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset: Arc<AtomicI64>,
}

impl Clock {
    /// A clock `offset` seconds ahead of the system's.
    pub fn with_offset(offset: i64) -> Self {
        Self {
            offset: Arc::new(AtomicI64::new(offset)),
        }
    }

    /// Now, as twostep takes it.
    pub fn now(&self) -> UnixTime {
        let system = UnixTime::try_from(SystemTime::now()).unwrap_or(UnixTime::from_secs(0));
        let offset = self.offset.load(Ordering::Relaxed);
        system.checked_add_signed(offset).unwrap_or(system)
    }

    /// The offset in seconds.
    pub fn offset(&self) -> i64 {
        self.offset.load(Ordering::Relaxed)
    }

    /// Development mode only: sets the offset.
    pub fn set_offset(&self, offset: i64) {
        self.offset.store(offset, Ordering::Relaxed);
    }
}
