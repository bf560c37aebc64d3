//! The back-off schedule ([`Throttle`]) and what it imposes ([`Blocked`]).

use super::ConfigError;
#[cfg(doc)]
use super::{Guard, State};

/// Why an attempt is refused before it is looked at: the answer of
/// [`Guard::blocked`] and of [`Throttle::after`].
///
/// ```
/// use twostep::guard::{Blocked, Throttle};
/// assert_eq!(Throttle::DEFAULT.after(3), None); // three free attempts
/// assert_eq!(Throttle::DEFAULT.after(4), Some(Blocked::Throttled { retry_after: time::Duration::seconds(30) }));
/// assert_eq!(Throttle::DEFAULT.after(10), Some(Blocked::Locked));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum Blocked {
    /// Back-off: try again after `retry_after`.
    Throttled {
        /// How long to wait (at least one second).
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::text::serde_as::secs")
        )]
        retry_after: time::Duration,
    },
    /// Hard lock: TOTP codes are refused until the application clears the
    /// failures with [`State::reset_failures`] after a recovery (backup code,
    /// support). [`Guard::recovery_blocked`] never answers this.
    Locked,
}

/// The throttle schedule: a few free attempts, then exponential back-off,
/// then a hard lock.
///
/// After the `n`-th consecutive failure the next attempt must wait
/// `first × 2^(n − free − 1)`, capped at `max`; at `lock_after` failures TOTP
/// codes are locked out until the application calls
/// [`State::reset_failures`]. Backup codes still pass the lock (they are the
/// way out of it), but each failure at or after the lock makes the next one
/// wait `max` (see [`Guard::recovery_blocked`]). A success resets the count.
/// Attempts refused while throttled or locked do not count (they were never
/// looked at), nor does a replayed code.
/// The lock is not stored as such: a state is locked while its failure count
/// is at least `lock_after`, so raising `lock_after` later releases it.
///
/// [`Throttle::DEFAULT`] (3 free, 30 s doubling, capped at 15 min, lock at 10):
///
/// | consecutive failures | next attempt |
/// | --- | --- |
/// | 1–3 | at once |
/// | 4 | after 30 s |
/// | 5 | after 1 min |
/// | 6 | after 2 min |
/// | 7 | after 4 min |
/// | 8 | after 8 min |
/// | 9 | after 15 min (cap) |
/// | 10 and more | locked; a backup code after 15 min |
///
/// Why: three free attempts absorb typos and a code that changed while it was
/// typed. The first delay is one TOTP period, so a person who waits it out
/// sees a fresh code. Doubling keeps a confused user's cost low and an
/// attacker's high, and the ten-failure lock, ten times below NIST SP
/// 800-63B's ceiling of 100 consecutive failures, bounds a guesser's chance
/// at ten tries per lock: with a ±1 window and 6 digits at most
/// 10 × 3 / 10⁶ = 3 × 10⁻⁵, whatever the attacker's patience, and at most
/// 10 × 6 / 10⁶ = 6 × 10⁻⁵ while the account has a learned drift (a check
/// then also tries the window around the server's own step, see
/// [`Guard`]'s drift learning). The lock is
/// hard (no timer) because a lock that expires lets failures continue without
/// end, and the NIST cap is on consecutive failures. The price is that
/// someone who knows the password can lock the second factor in about half
/// an hour: keep a recovery path open (backup codes, which are not guessable,
/// then [`State::reset_failures`]).
///
/// ```
/// # fn main() -> Result<(), twostep::guard::ConfigError> {
/// use twostep::guard::{Blocked, Throttle};
/// let strict = Throttle::DEFAULT
///     .with_free_attempts(1)?
///     .with_backoff(time::Duration::seconds(60), time::Duration::hours(1))?
///     .with_lock_after(5)?;
/// assert_eq!(strict.after(3), Some(Blocked::Throttled { retry_after: time::Duration::minutes(2) }));
/// assert_eq!(strict.after(5), Some(Blocked::Locked));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Throttle {
    free_attempts: u8,
    lock_after: u8,
    first_delay: u32,
    max_delay: u32,
}

/// `value` as the `u8` a policy stores, when it lies in `min..=max`; every
/// caller's `max` is at most 100, so the cast keeps the value.
pub(super) const fn small(value: u32, min: u32, max: u32) -> Option<u8> {
    if value < min || value > max {
        return None;
    }
    #[expect(clippy::cast_possible_truncation, reason = "<= max <= 100")]
    Some(value as u8)
}

impl Throttle {
    /// The largest failure count a lock may wait for: 100, NIST SP 800-63B's
    /// limit on consecutive failed attempts.
    pub const MAX_FAILURES: u32 = 100;
    /// The longest back-off delay: 24 hours (longer waits are a lock).
    pub const MAX_DELAY: time::Duration = time::Duration::seconds(86_400);
    /// 3 free attempts, back-off from 30 s doubling to at most 15 min, hard
    /// lock at 10 consecutive failures (see the table above).
    pub const DEFAULT: Self = Self {
        free_attempts: 3,
        lock_after: 10,
        first_delay: 30,
        max_delay: 900,
    };

    /// The same schedule with `attempts` failures allowed before back-off
    /// starts. At or above the lock there is no back-off, only the lock.
    ///
    /// # Errors
    ///
    /// [`ConfigError::FreeAttempts`] above [`Throttle::MAX_FAILURES`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::guard::ConfigError> {
    /// assert_eq!(twostep::guard::Throttle::DEFAULT.with_free_attempts(5)?.free_attempts(), 5);
    /// # Ok(()) }
    /// ```
    pub const fn with_free_attempts(mut self, attempts: u32) -> Result<Self, ConfigError> {
        match small(attempts, 0, Self::MAX_FAILURES) {
            Some(v) => {
                self.free_attempts = v;
                Ok(self)
            }
            None => Err(ConfigError::FreeAttempts { attempts }),
        }
    }

    /// The same schedule with the hard lock at `failures` consecutive failures.
    ///
    /// # Errors
    ///
    /// [`ConfigError::LockAfter`] for 0 or above [`Throttle::MAX_FAILURES`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::guard::ConfigError> {
    /// use twostep::guard::Throttle;
    /// assert_eq!(Throttle::DEFAULT.with_lock_after(20)?.lock_after(), 20);
    /// assert!(Throttle::DEFAULT.with_lock_after(101).is_err());
    /// # Ok(()) }
    /// ```
    pub const fn with_lock_after(mut self, failures: u32) -> Result<Self, ConfigError> {
        match small(failures, 1, Self::MAX_FAILURES) {
            Some(v) => {
                self.lock_after = v;
                Ok(self)
            }
            None => Err(ConfigError::LockAfter { failures }),
        }
    }

    /// The same schedule with back-off starting at `first` and doubling up
    /// to `max`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Delay`] unless both are whole seconds with
    /// 1 s ≤ `first` ≤ `max` ≤ [`Throttle::MAX_DELAY`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::guard::ConfigError> {
    /// use time::Duration;
    /// let t = twostep::guard::Throttle::DEFAULT.with_backoff(Duration::seconds(10), Duration::minutes(5))?;
    /// assert_eq!((t.first_delay(), t.max_delay()), (Duration::seconds(10), Duration::minutes(5)));
    /// # Ok(()) }
    /// ```
    pub const fn with_backoff(
        mut self,
        first: time::Duration,
        max: time::Duration,
    ) -> Result<Self, ConfigError> {
        let limit = Self::MAX_DELAY.whole_seconds();
        let (f, m) = (first.whole_seconds(), max.whole_seconds());
        if first.subsec_nanoseconds() != 0
            || max.subsec_nanoseconds() != 0
            || f < 1
            || f > m
            || m > limit
        {
            return Err(ConfigError::Delay);
        }
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked above: 1..=86 400"
        )]
        {
            self.first_delay = f as u32;
            self.max_delay = m as u32;
        }
        Ok(self)
    }

    /// Failures allowed before back-off starts.
    ///
    /// ```
    /// assert_eq!(twostep::guard::Throttle::DEFAULT.free_attempts(), 3);
    /// ```
    #[must_use]
    pub const fn free_attempts(&self) -> u32 {
        self.free_attempts as u32
    }

    /// Consecutive failures that lock the account.
    ///
    /// ```
    /// assert_eq!(twostep::guard::Throttle::DEFAULT.lock_after(), 10);
    /// ```
    #[must_use]
    pub const fn lock_after(&self) -> u32 {
        self.lock_after as u32
    }

    /// The first back-off delay.
    ///
    /// ```
    /// assert_eq!(twostep::guard::Throttle::DEFAULT.first_delay(), time::Duration::seconds(30));
    /// ```
    #[must_use]
    pub const fn first_delay(&self) -> time::Duration {
        time::Duration::seconds(self.first_delay as i64)
    }

    /// The longest back-off delay.
    ///
    /// ```
    /// assert_eq!(twostep::guard::Throttle::DEFAULT.max_delay(), time::Duration::minutes(15));
    /// ```
    #[must_use]
    pub const fn max_delay(&self) -> time::Duration {
        time::Duration::seconds(self.max_delay as i64)
    }

    /// [`Throttle::max_delay`] in seconds.
    pub(super) const fn max_delay_secs(&self) -> u32 {
        self.max_delay
    }

    /// What `failures` consecutive failures impose on the next attempt:
    /// nothing, a wait, or the lock.
    ///
    /// ```
    /// use twostep::guard::{Blocked, Throttle};
    /// let wait = |s| Some(Blocked::Throttled { retry_after: time::Duration::seconds(s) });
    /// assert_eq!(Throttle::DEFAULT.after(0), None);
    /// assert_eq!(Throttle::DEFAULT.after(5), wait(60));
    /// assert_eq!(Throttle::DEFAULT.after(9), wait(900));
    /// assert_eq!(Throttle::DEFAULT.after(99), Some(Blocked::Locked));
    /// ```
    #[must_use]
    pub fn after(&self, failures: u32) -> Option<Blocked> {
        if failures >= self.lock_after() {
            return Some(Blocked::Locked);
        }
        self.delay_secs(failures).map(|secs| Blocked::Throttled {
            retry_after: seconds(secs),
        })
    }

    /// The back-off in seconds after `failures` failures, ignoring the lock.
    pub(super) fn delay_secs(&self, failures: u32) -> Option<u64> {
        let over = failures.checked_sub(self.free_attempts())?;
        let doublings = over.checked_sub(1)?;
        let factor = 1u64.checked_shl(doublings).unwrap_or(u64::MAX);
        Some(
            u64::from(self.first_delay)
                .saturating_mul(factor)
                .min(u64::from(self.max_delay)),
        )
    }
}

impl Default for Throttle {
    fn default() -> Self {
        Self::DEFAULT
    }
}

pub(super) fn seconds(secs: u64) -> time::Duration {
    time::Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX))
}
