//! The gate every second-factor attempt passes: [`Guard::blocked`] for TOTP
//! codes, [`Guard::recovery_blocked`] for backup codes, and
//! [`Guard::record_failure`], the failure count they share.
//!
//! | attempt | back-off running | locked |
//! | --- | --- | --- |
//! | TOTP code ([`Guard::check`], [`Guard::resync`]) | refused | refused |
//! | backup code | refused | looked at |
//!
//! A failure at or after the lock starts the throttle's maximum back-off,
//! so backup codes, the way out of the lock, are still rate-limited.

use super::throttle::seconds;
use super::{Blocked, Guard, State};
use crate::time::UnixTime;

#[cfg(doc)]
use super::Throttle;

impl Guard {
    /// Whether a TOTP code typed at `now` would be refused unseen: `None` if
    /// it would be looked at. [`Guard::check`] and [`Guard::resync`] ask it
    /// first; backup codes ask [`Guard::recovery_blocked`] instead.
    ///
    /// A stored back-off deadline further away than the throttle's maximum
    /// delay (the server clock stepped back after it was set) counts as the
    /// maximum delay: `retry_after` never exceeds it (see
    /// [`Guard::cap_back_off`]).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::guard::StateError> {
    /// use twostep::{Guard, Totp, UnixTime};
    /// use twostep::guard::{Blocked, State};
    /// let guard = Guard::new(Totp::new());
    /// let state: State = "g1.-.0.4.1030".parse()?;
    /// let retry_after = time::Duration::seconds(30);
    /// assert_eq!(guard.blocked(UnixTime::from_secs(1000), &state), Some(Blocked::Throttled { retry_after }));
    /// assert_eq!(guard.blocked(UnixTime::from_secs(1030), &state), None);
    /// let locked: State = "g1.-.0.10.-".parse()?;
    /// assert_eq!(guard.blocked(UnixTime::from_secs(1030), &locked), Some(Blocked::Locked));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn blocked(&self, now: UnixTime, state: &State) -> Option<Blocked> {
        if state.failures >= self.throttle.lock_after() {
            return Some(Blocked::Locked);
        }
        self.recovery_blocked(now, state)
    }

    /// Whether a backup (recovery) code typed at `now` would be refused
    /// unseen: only while a back-off runs, never for the lock. A backup code
    /// is the way out of the hard lock, and at 50 bits or more it cannot be
    /// guessed online; each failed attempt at or after the lock starts the
    /// maximum back-off, so it stays rate-limited.
    ///
    /// Count a refused backup code with [`Guard::record_failure`]. A redeemed
    /// one ends the run of failures with [`State::reset_failures`], stored in
    /// the same compare-and-swap as the spent backup set (the guard state
    /// alone may not change, so the condition must cover both columns; see
    /// `examples/sqlite_store.rs`). When the attempt is refused here, store
    /// [`Guard::cap_back_off`]'s state if it differs from the stored one.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::guard::StateError> {
    /// use twostep::{Guard, Totp, UnixTime};
    /// use twostep::guard::{Blocked, State};
    /// let guard = Guard::new(Totp::new());
    /// let now = UnixTime::from_secs(1000);
    /// let nine: State = "g1.-.0.9.-".parse()?;
    /// let locked = guard.record_failure(now, &nine); // the tenth failure
    /// assert_eq!(guard.blocked(now, &locked), Some(Blocked::Locked));
    /// let retry_after = guard.throttle().max_delay(); // 15 minutes
    /// assert_eq!(guard.recovery_blocked(now, &locked), Some(Blocked::Throttled { retry_after }));
    /// assert_eq!(guard.recovery_blocked(UnixTime::from_secs(1900), &locked), None);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn recovery_blocked(&self, now: UnixTime, state: &State) -> Option<Blocked> {
        let left = state
            .blocked_until?
            .as_secs()
            .checked_sub(now.as_secs())
            .filter(|&left| left > 0)?;
        Some(Blocked::Throttled {
            retry_after: seconds(left.min(u64::from(self.throttle.max_delay_secs()))),
        })
    }

    /// The same state with a back-off deadline further than the throttle's
    /// maximum delay past `now` moved to `now` + the maximum delay. Only a
    /// server clock that stepped back after the deadline was set leaves such
    /// a deadline; without this, the user would wait out the clock error.
    /// [`Guard::check`], [`Guard::resync`] and [`Guard::record_failure`] do
    /// this themselves; a path that refuses with [`Guard::recovery_blocked`]
    /// stores this state.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::guard::StateError> {
    /// use twostep::{Guard, Totp, UnixTime};
    /// use twostep::guard::State;
    /// let guard = Guard::new(Totp::new());
    /// let set_30_days_ahead: State = "g1.-.0.4.2593030".parse()?;
    /// let now = UnixTime::from_secs(1000);
    /// assert_eq!(guard.cap_back_off(now, &set_30_days_ahead).to_string(), "g1.-.0.4.1900");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn cap_back_off(&self, now: UnixTime, state: &State) -> State {
        let cap = now
            .as_secs()
            .saturating_add(u64::from(self.throttle.max_delay_secs()));
        State {
            blocked_until: state
                .blocked_until
                .map(|until| UnixTime::from_secs(until.as_secs().min(cap))),
            ..*state
        }
    }

    /// The state after one more failed attempt at `now`: the count rises and
    /// the back-off of [`Throttle::after`] starts; at or after the lock, the
    /// throttle's maximum back-off (which only backup codes wait out, TOTP
    /// codes being refused for the lock). [`Guard::check`] and
    /// [`Guard::resync`] call it for every counted failure (a replayed code
    /// is not one); call it yourself for failed backup codes so that they
    /// share the counter.
    ///
    /// ```
    /// use twostep::{Guard, Totp, UnixTime};
    /// use twostep::guard::State;
    /// let guard = Guard::new(Totp::new());
    /// let now = UnixTime::from_secs(1000);
    /// let mut state = State::new();
    /// for _ in 0..4 {
    ///     state = guard.record_failure(now, &state);
    /// }
    /// assert_eq!(state.to_string(), "g1.-.0.4.1030"); // 4th failure: 30 s back-off
    /// ```
    #[must_use = "persist the returned state, or the failure is not counted"]
    pub fn record_failure(&self, now: UnixTime, state: &State) -> State {
        let failures = state.failures.saturating_add(1);
        let delay = if failures >= self.throttle.lock_after() {
            Some(u64::from(self.throttle.max_delay_secs()))
        } else {
            self.throttle.delay_secs(failures)
        };
        let earlier = self.cap_back_off(now, state).blocked_until;
        let blocked_until = match delay {
            Some(delay) => {
                let until = UnixTime::from_secs(now.as_secs().saturating_add(delay));
                Some(earlier.map_or(until, |b| b.max(until)))
            }
            None => earlier,
        };
        State {
            failures,
            blocked_until,
            ..*state
        }
    }
}
