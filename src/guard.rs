//! The login policy around TOTP checks: replay refusal (RFC 6238 §5.2),
//! drift learning (RFC 6238 §6) and throttling (RFC 4226 §7.3, NIST SP
//! 800-63B §5.2.2), as pure transitions over a small per-user [`GuardState`].
//!
//! [`Guard`] is the policy, [`Throttle`] its back-off schedule, [`GuardState`]
//! the value the application stores per user, and [`Outcome`] what a check
//! decided. Nothing here reads a clock or keeps state of its own.

use core::fmt;
use core::str::FromStr;

use thiserror::Error;

use crate::otp::{Code, CodeError};
use crate::otp::{KeyedTotp, Match, Totp};
use crate::otp::{Period, Window};
use crate::secret::Secret;
use crate::text::canonical_u64;
use crate::time::TimeError;
use crate::time::UnixTime;

mod policy;

pub(crate) use policy::Policy;

/// A [`Guard`] or [`Throttle`] parameter outside its valid range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum GuardConfigError {
    /// A drift bound above [`Guard::MAX_DRIFT_STEPS`].
    #[error("drift bound of {steps} steps exceeds the maximum of {max}")]
    MaxDrift {
        /// The requested bound in steps.
        steps: u32,
        /// The largest bound allowed.
        max: u32,
    },
    /// A hard lock at zero failures, or above [`Throttle::MAX_FAILURES`].
    #[error("hard lock must come after 1 to {max} consecutive failures, got {failures}")]
    LockAfter {
        /// The requested number of failures.
        failures: u32,
        /// The largest number allowed (NIST SP 800-63B).
        max: u32,
    },
    /// More free attempts than [`Throttle::MAX_FAILURES`].
    #[error("free attempts must be at most {max}, got {attempts}")]
    FreeAttempts {
        /// The requested number of free attempts.
        attempts: u32,
        /// The largest number allowed.
        max: u32,
    },
    /// Back-off delays that are not whole seconds with
    /// 1 s ≤ first ≤ max ≤ [`Throttle::MAX_DELAY`].
    #[error("back-off delays must be whole seconds with 1 <= first <= max <= {max_secs}")]
    Delay {
        /// [`Throttle::MAX_DELAY`] in seconds.
        max_secs: u32,
    },
}

/// Why a [`GuardState`] text was refused. Payloads name fields and lengths,
/// never the text itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum GuardStateError {
    /// More than [`GuardState::MAX_LEN`] bytes.
    #[error("guard state of {len} bytes exceeds the limit of {max}")]
    TooLong {
        /// The input length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// The text does not start with a known version tag (`g1`).
    #[error("not a guard state of a known version")]
    UnknownVersion,
    /// The wrong number of `.`-separated fields after the version tag.
    #[error("expected 4 fields after the version, found {found}")]
    FieldCount {
        /// The number of fields found.
        found: usize,
    },
    /// A field that is not in canonical form (decimal without leading zeros
    /// or sign, `-` for none).
    #[error("invalid {field} field")]
    InvalidField {
        /// The field's name: `last_step`, `drift`, `failures` or `blocked_until`.
        field: &'static str,
    },
    /// A drift beyond [`Guard::MAX_DRIFT_STEPS`] in either direction.
    #[error("drift exceeds {max} steps")]
    DriftOutOfRange {
        /// The largest drift allowed.
        max: u32,
    },
}

/// Why an attempt is refused before it is looked at: the answer of
/// [`Guard::blocked`] and of [`Throttle::after`].
///
/// ```
/// use twostep::{Blocked, Throttle};
/// assert_eq!(Throttle::DEFAULT.after(3), None); // three free attempts
/// assert_eq!(Throttle::DEFAULT.after(4), Some(Blocked::Throttled { retry_after: time::Duration::seconds(30) }));
/// assert_eq!(Throttle::DEFAULT.after(10), Some(Blocked::Locked));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Blocked {
    /// Back-off: try again after `retry_after`.
    Throttled {
        /// How long to wait (at least one second).
        retry_after: time::Duration,
    },
    /// Hard lock: refused until the application clears the failures with
    /// [`GuardState::reset_failures`] after a recovery (backup code, support).
    Locked,
}

/// The throttle schedule: a few free attempts, then exponential back-off,
/// then a hard lock.
///
/// After the `n`-th consecutive failure the next attempt must wait
/// `first × 2^(n − free − 1)`, capped at `max`; at `lock_after` failures the
/// account is locked until the application calls
/// [`GuardState::reset_failures`]. A success resets the count. Attempts
/// refused while throttled or locked do not count (they were never looked at).
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
/// | 10 | locked |
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
/// then [`GuardState::reset_failures`]).
///
/// ```
/// # fn main() -> Result<(), twostep::GuardConfigError> {
/// use twostep::{Blocked, Throttle};
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
const fn small(value: u32, min: u32, max: u32) -> Option<u8> {
    if value < min || value > max {
        return None;
    }
    #[allow(clippy::cast_possible_truncation)] // <= max <= 100
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
    /// [`GuardConfigError::FreeAttempts`] above [`Throttle::MAX_FAILURES`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::GuardConfigError> {
    /// assert_eq!(twostep::Throttle::DEFAULT.with_free_attempts(5)?.free_attempts(), 5);
    /// # Ok(()) }
    /// ```
    pub const fn with_free_attempts(mut self, attempts: u32) -> Result<Self, GuardConfigError> {
        match small(attempts, 0, Self::MAX_FAILURES) {
            Some(v) => {
                self.free_attempts = v;
                Ok(self)
            }
            None => Err(GuardConfigError::FreeAttempts {
                attempts,
                max: Self::MAX_FAILURES,
            }),
        }
    }

    /// The same schedule with the hard lock at `failures` consecutive failures.
    ///
    /// # Errors
    ///
    /// [`GuardConfigError::LockAfter`] for 0 or above [`Throttle::MAX_FAILURES`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::GuardConfigError> {
    /// use twostep::Throttle;
    /// assert_eq!(Throttle::DEFAULT.with_lock_after(20)?.lock_after(), 20);
    /// assert!(Throttle::DEFAULT.with_lock_after(101).is_err());
    /// # Ok(()) }
    /// ```
    pub const fn with_lock_after(mut self, failures: u32) -> Result<Self, GuardConfigError> {
        match small(failures, 1, Self::MAX_FAILURES) {
            Some(v) => {
                self.lock_after = v;
                Ok(self)
            }
            None => Err(GuardConfigError::LockAfter {
                failures,
                max: Self::MAX_FAILURES,
            }),
        }
    }

    /// The same schedule with back-off starting at `first` and doubling up
    /// to `max`.
    ///
    /// # Errors
    ///
    /// [`GuardConfigError::Delay`] unless both are whole seconds with
    /// 1 s ≤ `first` ≤ `max` ≤ [`Throttle::MAX_DELAY`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::GuardConfigError> {
    /// use time::Duration;
    /// let t = twostep::Throttle::DEFAULT.with_backoff(Duration::seconds(10), Duration::minutes(5))?;
    /// assert_eq!((t.first_delay(), t.max_delay()), (Duration::seconds(10), Duration::minutes(5)));
    /// # Ok(()) }
    /// ```
    pub const fn with_backoff(
        mut self,
        first: time::Duration,
        max: time::Duration,
    ) -> Result<Self, GuardConfigError> {
        let limit = Self::MAX_DELAY.whole_seconds();
        let (f, m) = (first.whole_seconds(), max.whole_seconds());
        if first.subsec_nanoseconds() != 0
            || max.subsec_nanoseconds() != 0
            || f < 1
            || f > m
            || m > limit
        {
            #[allow(clippy::cast_possible_truncation)] // 86 400
            return Err(GuardConfigError::Delay {
                max_secs: limit as u32,
            });
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 1..=86 400
        {
            self.first_delay = f as u32;
            self.max_delay = m as u32;
        }
        Ok(self)
    }

    /// Failures allowed before back-off starts.
    ///
    /// ```
    /// assert_eq!(twostep::Throttle::DEFAULT.free_attempts(), 3);
    /// ```
    #[must_use]
    pub const fn free_attempts(&self) -> u32 {
        self.free_attempts as u32
    }

    /// Consecutive failures that lock the account.
    ///
    /// ```
    /// assert_eq!(twostep::Throttle::DEFAULT.lock_after(), 10);
    /// ```
    #[must_use]
    pub const fn lock_after(&self) -> u32 {
        self.lock_after as u32
    }

    /// The first back-off delay.
    ///
    /// ```
    /// assert_eq!(twostep::Throttle::DEFAULT.first_delay(), time::Duration::seconds(30));
    /// ```
    #[must_use]
    pub const fn first_delay(&self) -> time::Duration {
        time::Duration::seconds(self.first_delay as i64)
    }

    /// The longest back-off delay.
    ///
    /// ```
    /// assert_eq!(twostep::Throttle::DEFAULT.max_delay(), time::Duration::minutes(15));
    /// ```
    #[must_use]
    pub const fn max_delay(&self) -> time::Duration {
        time::Duration::seconds(self.max_delay as i64)
    }

    /// What `failures` consecutive failures impose on the next attempt:
    /// nothing, a wait, or the lock.
    ///
    /// ```
    /// use twostep::{Blocked, Throttle};
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
    fn delay_secs(&self, failures: u32) -> Option<u64> {
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

fn seconds(secs: u64) -> time::Duration {
    time::Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// What a [`Guard`] decided about one attempt.
///
/// Only [`Outcome::Accepted`] lets the user in. The rejections say why in
/// broad terms only; [`Outcome::Replayed`] is kept apart so the application
/// can warn the user that someone may have seen a code (OWASP ASVS 2.8.5).
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::{Guard, GuardState, Outcome, Secret, Totp, UnixTime};
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let now = UnixTime::from_secs(59);
/// let (outcome, state) = Guard::new(Totp::new()).check(&secret, "287082", now, &GuardState::new());
/// assert!(outcome.is_accepted());
/// let Outcome::Accepted(m) = outcome else { return Ok(()) };
/// assert_eq!(state.last_step(), Some(m.step()));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[must_use = "only Outcome::Accepted lets the user in"]
pub enum Outcome {
    /// The code matched a step never accepted before. [`Match::offset`] is
    /// relative to the server's current step, learned drift included.
    Accepted(Match),
    /// The input is not a code of the configured shape. Counts as a failure;
    /// no HMAC was computed.
    Malformed(CodeError),
    /// The code matches no step in the window. Counts as a failure.
    Invalid,
    /// The code matches only steps at or below the last accepted one: it was
    /// used before. Counts as a failure.
    Replayed,
    /// Back-off is in force: nothing was looked at, nothing counted.
    Throttled {
        /// How long until the next attempt is looked at.
        retry_after: time::Duration,
    },
    /// Hard lock: nothing was looked at, nothing counted. Recovery goes
    /// through the application (see [`GuardState::reset_failures`]).
    Locked,
    /// `now` has no time step (before the TOTP's T0): a server
    /// configuration error, not the user's. Nothing counted, state unchanged.
    Time(TimeError),
}

impl Outcome {
    /// Whether the user may pass.
    ///
    /// ```
    /// assert!(!twostep::Outcome::Replayed.is_accepted());
    /// ```
    #[must_use]
    pub const fn is_accepted(&self) -> bool {
        matches!(self, Self::Accepted(_))
    }
}

impl From<Blocked> for Outcome {
    fn from(b: Blocked) -> Self {
        match b {
            Blocked::Throttled { retry_after } => Self::Throttled { retry_after },
            Blocked::Locked => Self::Locked,
        }
    }
}

/// Per-user guard state: the last accepted step, the learned drift, the
/// consecutive failures and the end of the current back-off.
///
/// Store it next to the user's secret, as text ([`Display`](fmt::Display) /
/// [`FromStr`]) or, with the `serde` feature, as the same string through
/// serde. Every transition returns a new value; persist it with
/// compare-and-swap (see [`Guard`]).
///
/// # Text form (stable)
///
/// `g1.<last_step>.<drift>.<failures>.<blocked_until>`: decimal integers
/// without sign or leading zeros, `-` for an absent step or back-off, and
/// the drift in steps with a leading `-` when negative. At most
/// [`GuardState::MAX_LEN`] bytes. `g1` strings will parse in every later
/// version; a new layout would get a new tag. Parsing accepts only the
/// canonical form, so text → state → text reproduces the text exactly.
///
/// ```
/// # fn main() -> Result<(), twostep::GuardStateError> {
/// use twostep::GuardState;
/// assert_eq!(GuardState::new().to_string(), "g1.-.0.0.-");
/// let s: GuardState = "g1.59260423.-1.4.1777777830".parse()?;
/// assert_eq!((s.last_step(), s.drift(), s.failures()), (Some(59_260_423), -1, 4));
/// assert_eq!(s.to_string(), "g1.59260423.-1.4.1777777830");
/// assert!("g1.007.0.0.-".parse::<GuardState>().is_err()); // not canonical
/// # Ok(()) }
/// ```
///
/// # Enrolment confirmation
///
/// Confirm a new secret by checking the first code the user types against
/// `GuardState::new()` with [`Guard::check`], keeping the returned state
/// across confirmation attempts (so they are throttled like logins) and
/// storing it with the secret once accepted. The confirming step is then
/// recorded, and the same code typed again at the first login is
/// [`Outcome::Replayed`]:
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::{Guard, GuardState, Outcome, Secret, Totp, UnixTime};
/// let secret = Secret::from_bytes(b"12345678901234567890")?; // just generated
/// let guard = Guard::new(Totp::new());
/// let now = UnixTime::from_secs(1_111_111_109);
/// let (confirmed, state) = guard.check(&secret, "081804", now, &GuardState::new());
/// assert!(confirmed.is_accepted()); // store the secret and `state` together
/// let later = UnixTime::from_secs(1_111_111_115);
/// assert_eq!(guard.check(&secret, "081804", later, &state).0, Outcome::Replayed);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct GuardState {
    last_step: Option<u64>,
    drift: i8,
    failures: u32,
    blocked_until: Option<UnixTime>,
}

impl GuardState {
    /// The longest text accepted by [`FromStr`], in bytes (the longest
    /// canonical text is 60).
    pub const MAX_LEN: usize = 64;

    /// The state of a new enrolment: no step accepted, no drift, no failures.
    ///
    /// ```
    /// assert_eq!(twostep::GuardState::new(), twostep::GuardState::default());
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self {
            last_step: None,
            drift: 0,
            failures: 0,
            blocked_until: None,
        }
    }

    /// The last accepted time step; steps at or below it are refused.
    ///
    /// ```
    /// assert_eq!(twostep::GuardState::new().last_step(), None);
    /// ```
    #[must_use]
    pub const fn last_step(&self) -> Option<u64> {
        self.last_step
    }

    /// The learned drift in steps: positive when the user's device runs ahead.
    ///
    /// ```
    /// assert_eq!(twostep::GuardState::new().drift(), 0);
    /// ```
    #[must_use]
    pub const fn drift(&self) -> i64 {
        self.drift as i64
    }

    /// Consecutive failed attempts since the last success or reset.
    ///
    /// ```
    /// assert_eq!(twostep::GuardState::new().failures(), 0);
    /// ```
    #[must_use]
    pub const fn failures(&self) -> u32 {
        self.failures
    }

    /// The end of the current back-off, if one was set.
    ///
    /// ```
    /// assert_eq!(twostep::GuardState::new().blocked_until(), None);
    /// ```
    #[must_use]
    pub const fn blocked_until(&self) -> Option<UnixTime> {
        self.blocked_until
    }

    /// The same state with failures and back-off cleared: the hard-lock
    /// release. Call it after a recovery that proves the user (a backup code,
    /// a support procedure) or after a successful backup-code redemption,
    /// which should end a run of failures like any success. Keeps the last
    /// step and the drift.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::GuardStateError> {
    /// use twostep::GuardState;
    /// let locked: GuardState = "g1.100.2.10.-".parse()?;
    /// assert_eq!(locked.reset_failures().to_string(), "g1.100.2.0.-");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn reset_failures(&self) -> Self {
        Self {
            failures: 0,
            blocked_until: None,
            ..*self
        }
    }
}

/// The version tag of the text form.
const TAG: &str = "g1";

impl fmt::Display for GuardState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(TAG)?;
        match self.last_step {
            Some(step) => write!(f, ".{step}")?,
            None => f.write_str(".-")?,
        }
        write!(f, ".{}.{}", self.drift, self.failures)?;
        match self.blocked_until {
            Some(t) => write!(f, ".{}", t.as_secs()),
            None => f.write_str(".-"),
        }
    }
}

/// `-` for `None`, else a canonical decimal.
fn optional_u64(field: &str) -> Option<Option<u64>> {
    if field == "-" {
        Some(None)
    } else {
        canonical_u64(field).map(Some)
    }
}

impl FromStr for GuardState {
    type Err = GuardStateError;

    /// Parses the canonical text form (see the type's docs).
    fn from_str(s: &str) -> Result<Self, GuardStateError> {
        if s.len() > Self::MAX_LEN {
            return Err(GuardStateError::TooLong {
                len: s.len(),
                max: Self::MAX_LEN,
            });
        }
        let mut fields = s.split('.');
        if fields.next() != Some(TAG) {
            return Err(GuardStateError::UnknownVersion);
        }
        let (Some(last), Some(drift), Some(failures), Some(blocked), None) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        ) else {
            return Err(GuardStateError::FieldCount {
                found: s.split('.').count().saturating_sub(1),
            });
        };
        let invalid = |field| GuardStateError::InvalidField { field };
        let last_step = optional_u64(last).ok_or(invalid("last_step"))?;
        let (negative, magnitude) = match drift.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, drift),
        };
        let magnitude = canonical_u64(magnitude)
            .filter(|&m| !(negative && m == 0))
            .ok_or(invalid("drift"))?;
        if magnitude > u64::from(Guard::MAX_DRIFT_STEPS) {
            return Err(GuardStateError::DriftOutOfRange {
                max: Guard::MAX_DRIFT_STEPS,
            });
        }
        let magnitude = i8::try_from(magnitude).map_err(|_| invalid("drift"))?;
        let drift = if negative {
            magnitude.saturating_neg()
        } else {
            magnitude
        };
        let failures = canonical_u64(failures)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or(invalid("failures"))?;
        let blocked_until = optional_u64(blocked)
            .ok_or(invalid("blocked_until"))?
            .map(UnixTime::from_secs);
        Ok(Self {
            last_step,
            drift,
            failures,
            blocked_until,
        })
    }
}

crate::text::serde_via_text!(GuardState, "a twostep guard state string");

/// The login policy around TOTP: a window, a drift bound and a [`Throttle`].
///
/// [`Guard::check`] turns `(secret, input, now, state)` into an [`Outcome`]
/// and the next [`GuardState`]. It refuses replays (RFC 6238 §5.2: a step at
/// or below the last accepted one is [`Outcome::Replayed`]), learns the
/// device's clock drift (RFC 6238 §6) and throttles guessing (RFC 4226 §7.3).
/// It reads no clock and keeps no state: everything comes in as arguments.
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::{Guard, GuardState, Outcome, Secret, Throttle, Totp, UnixTime, Window};
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let guard = Guard::new(Totp::default())
///     .with_window(Window::new(1, 1)?)
///     .with_max_drift(20)?
///     .with_throttle(Throttle::DEFAULT);
/// let state: GuardState = "g1.-.0.0.-".parse()?; // as stored for this user
///
/// let now = UnixTime::from_secs(1_111_111_109);
/// let (outcome, state) = guard.check(&secret, "081804", now, &state);
/// assert!(outcome.is_accepted());
/// let (again, state) = guard.check(&secret, "081804", now, &state);
/// assert_eq!(again, Outcome::Replayed); // and it counted as a failure
/// assert_eq!(state.failures(), 1);
/// # Ok(()) }
/// ```
///
/// # Order of a check
///
/// 1. Throttled or locked ([`Guard::blocked`]): refused before the input is
///    parsed or any HMAC computed; the state is unchanged.
/// 2. Malformed input: [`Outcome::Malformed`], counted as a failure.
/// 3. Every step of the window centred on the current step plus the learned
///    drift, and, while that drift is not zero, of the same window centred
///    on the current step itself (the *home* window), is evaluated once and
///    compared in constant time, in one pass with no early exit. A match at a
///    step above the last accepted one is [`Outcome::Accepted`] (the step
///    nearest the learned centre wins, then the one nearest the current
///    step); a match only at spent steps is [`Outcome::Replayed`]; no match
///    is [`Outcome::Invalid`]. Both count as failures.
/// 4. On success: the matched step is recorded, the failures cleared and the
///    drift updated (below).
///
/// # Drift learning
///
/// With `t` the matched step minus the server's current step and `d` the
/// learned drift: if `t > d`, `d` becomes `t` (a code from the future is
/// never slow typing: the device runs ahead); if `t < d − 1`, `d` becomes
/// `t + 1`; otherwise `d` stays. One step behind the expected step is what
/// a slowly typed code looks like, so it never moves the window: adopting it
/// would let one late entry after another drag the window into the past until
/// a prompt code failed. The drift is clamped to ±[`Guard::max_drift`].
/// With the default window a slow device is learned through
/// [`Guard::resync`]; a window of two steps behind also learns it gradually.
///
/// A learned drift must not outlive the clock error it describes. When the
/// user fixes the device's clock, its codes land near the server's own step
/// again, outside the learned window, and the rule above could never pull the
/// drift back: every login would fail until the account locked. So while the
/// drift `d` is not zero a check also tries the home window around the
/// server's current step. A code found only there is accepted and the drift
/// is learned afresh from `d = 0` by the same rule: with `t` its offset, the
/// drift becomes `t` if `t > 0`, `t + 1` if `t < −1`, else `0` — a value
/// inside the home window (with the default ±1 window: 0, or +1 for a code
/// one step ahead). A match in the learned window, or in both, follows the
/// rule with the stored `d`. No second resync is needed after fixing a clock.
///
/// Steps at or below the last accepted one stay spent: a device that ran
/// ahead by `d` steps spent steps up to `d` (plus the window's ahead side)
/// steps in the future, so for that many periods after its last login the
/// fixed device's codes are [`Outcome::Replayed`]; the first code past the
/// last accepted step logs in.
///
/// The cost: while a drift is learned, each attempt is compared with up to
/// twice as many steps (6 instead of 3 with the default ±1 window; fewer when
/// the two windows overlap), so a guess succeeds with at most twice the
/// probability, 6 × 10⁻⁶ instead of 3 × 10⁻⁶ with 6 digits. Within the
/// default lock of ten failures that is at most 6 × 10⁻⁵ per lock (see
/// [`Throttle`]). Only an accepted code or resync can set a drift, so a
/// guesser cannot open the second window.
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::{Guard, GuardState, Secret, Totp, UnixTime};
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let guard = Guard::new(Totp::new());
/// let phone = guard.key(&secret);
/// let now = UnixTime::from_secs(1_000_000_000);
/// let step = guard.totp().step_at(now)?;
/// // A resync learned that the phone ran 6 steps (3 minutes) fast.
/// let stale: GuardState = format!("g1.{}.6.0.-", step + 6).parse()?;
/// // Seven steps later the clock is fixed: its code is at the server's step.
/// let code = phone.code_at_step(step + 7).to_string();
/// let later = guard.totp().step_start(step + 7)?;
/// let (outcome, state) = guard.check(&secret, &code, later, &stale);
/// assert!(outcome.is_accepted());
/// assert_eq!((state.drift(), state.failures()), (0, 0));
/// # Ok(()) }
/// ```
///
/// # Concurrency: compare-and-swap
///
/// Transitions are pure, so two requests racing with the same code both see
/// `Accepted` against the same old state. Only one may win: store the new
/// state conditionally on the old one, and on a lost race read and check
/// again (the second request then sees [`Outcome::Replayed`]). Persist
/// failures too, or the throttle counts nothing:
///
/// ```text
/// UPDATE users SET guard_state = :new WHERE id = :id AND guard_state = :old
/// -- 0 rows changed: another request won; reload the state and check again
/// ```
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::{Guard, GuardState, Outcome, Secret, Totp, UnixTime};
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let guard = Guard::new(Totp::new());
/// let now = UnixTime::from_secs(1_111_111_109);
/// let mut stored = GuardState::new().to_string(); // the database column
///
/// let old: GuardState = stored.parse()?; // both requests read the same row
/// let (a, new_a) = guard.check(&secret, "081804", now, &old);
/// let (b, new_b) = guard.check(&secret, "081804", now, &old);
/// assert!(a.is_accepted() && b.is_accepted()); // neither may act on it yet
///
/// let mut cas = |old: &GuardState, new: &GuardState| {
///     let won = stored == old.to_string();
///     if won { stored = new.to_string(); }
///     won
/// };
/// assert!(cas(&old, &new_a)); // request A wins: it logs the user in
/// assert!(!cas(&old, &new_b)); // request B lost the race: retry
/// let (b, _) = guard.check(&secret, "081804", now, &stored.parse()?);
/// assert_eq!(b, Outcome::Replayed);
/// # Ok(()) }
/// ```
///
/// # Security
///
/// The guard is only as good as the storage: persist every returned state
/// that differs from the old one, atomically, before acting on the outcome.
/// Rate-limit at the edge as well; the throttle is per account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Guard {
    totp: Totp,
    window: Window,
    max_drift: u8,
    throttle: Throttle,
}

impl Guard {
    /// The largest drift bound: 100 steps, as for [`Window::MAX_STEPS`].
    pub const MAX_DRIFT_STEPS: u32 = 100;
    /// The default drift bound as a time: 10 minutes, rounded up to whole
    /// steps (20 steps of 30 s), at most [`Guard::MAX_DRIFT_STEPS`].
    pub const DEFAULT_MAX_DRIFT: time::Duration = time::Duration::minutes(10);

    /// The policy for `totp`: [`Window::DEFAULT`] (±1 step), a drift bound of
    /// 10 minutes in steps, and [`Throttle::DEFAULT`].
    ///
    /// ```
    /// use twostep::{Guard, Throttle, Totp, Window};
    /// let g = Guard::new(Totp::default());
    /// assert_eq!((g.window(), g.max_drift(), g.throttle()), (Window::DEFAULT, 20, Throttle::DEFAULT));
    /// ```
    #[must_use]
    pub const fn new(totp: Totp) -> Self {
        Self {
            totp,
            window: Window::DEFAULT,
            max_drift: default_max_drift(totp.period()),
            throttle: Throttle::DEFAULT,
        }
    }

    /// The same policy with another window around the expected step.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::ParamError> {
    /// use twostep::{Guard, Totp, Window};
    /// assert_eq!(Guard::new(Totp::new()).with_window(Window::new(2, 1)?).window().behind(), 2);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn with_window(mut self, window: Window) -> Self {
        self.window = window;
        self
    }

    /// The same policy with a drift bound of `steps`: the learned drift stays
    /// within ±`steps`, and [`Guard::resync`] searches that far. 0 turns
    /// drift learning off.
    ///
    /// # Errors
    ///
    /// [`GuardConfigError::MaxDrift`] above [`Guard::MAX_DRIFT_STEPS`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::GuardConfigError> {
    /// use twostep::{Guard, Totp};
    /// assert_eq!(Guard::new(Totp::new()).with_max_drift(4)?.max_drift(), 4);
    /// assert!(Guard::new(Totp::new()).with_max_drift(101).is_err());
    /// # Ok(()) }
    /// ```
    pub const fn with_max_drift(mut self, steps: u32) -> Result<Self, GuardConfigError> {
        match small(steps, 0, Self::MAX_DRIFT_STEPS) {
            Some(v) => {
                self.max_drift = v;
                Ok(self)
            }
            None => Err(GuardConfigError::MaxDrift {
                steps,
                max: Self::MAX_DRIFT_STEPS,
            }),
        }
    }

    /// The same policy with another throttle.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::GuardConfigError> {
    /// use twostep::{Guard, Throttle, Totp};
    /// let g = Guard::new(Totp::new()).with_throttle(Throttle::DEFAULT.with_lock_after(5)?);
    /// assert_eq!(g.throttle().lock_after(), 5);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn with_throttle(mut self, throttle: Throttle) -> Self {
        self.throttle = throttle;
        self
    }

    /// The TOTP parameters.
    ///
    /// ```
    /// assert_eq!(twostep::Guard::new(twostep::Totp::new()).totp(), twostep::Totp::new());
    /// ```
    #[must_use]
    pub const fn totp(&self) -> Totp {
        self.totp
    }

    /// The window around the expected step.
    ///
    /// ```
    /// assert_eq!(twostep::Guard::new(twostep::Totp::new()).window(), twostep::Window::DEFAULT);
    /// ```
    #[must_use]
    pub const fn window(&self) -> Window {
        self.window
    }

    /// The drift bound in steps (also the reach of [`Guard::resync`]).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::ParamError> {
    /// use twostep::{Guard, Period, Totp};
    /// assert_eq!(Guard::new(Totp::new().with_period(Period::new(60)?)).max_drift(), 10);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn max_drift(&self) -> u32 {
        self.max_drift as u32
    }

    /// The throttle.
    ///
    /// ```
    /// assert_eq!(twostep::Guard::new(twostep::Totp::new()).throttle(), twostep::Throttle::DEFAULT);
    /// ```
    #[must_use]
    pub const fn throttle(&self) -> Throttle {
        self.throttle
    }

    /// Prepares the HMAC key for [`Guard::check_keyed`] and
    /// [`Guard::resync_keyed`] with this guard's TOTP parameters.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::SecretError> {
    /// use twostep::{Guard, Secret, Totp};
    /// let guard = Guard::new(Totp::new());
    /// assert_eq!(guard.key(&Secret::from_bytes(&[7; 20])?).totp(), guard.totp());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn key(&self, secret: &Secret) -> KeyedTotp {
        self.totp.key(secret)
    }

    /// Whether an attempt at `now` would be refused unseen: `None` if it
    /// would be looked at. Use it before any other second-factor check
    /// (backup codes) that shares the counter.
    ///
    /// For backup codes, honour [`Blocked::Throttled`] (wait out the back-off)
    /// but not [`Blocked::Locked`]: a backup code is the documented way out
    /// of the hard lock, and at 50 bits or more it cannot be guessed online.
    /// A redeemed code then calls [`GuardState::reset_failures`], stored in
    /// the same compare-and-swap as the spent backup set (the guard state
    /// alone may not change, so the condition must cover both columns; see
    /// `examples/sqlite_store.rs`).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::GuardStateError> {
    /// use twostep::{Blocked, Guard, GuardState, Totp, UnixTime};
    /// let guard = Guard::new(Totp::new());
    /// let state: GuardState = "g1.-.0.4.1030".parse()?;
    /// let retry_after = time::Duration::seconds(30);
    /// assert_eq!(guard.blocked(UnixTime::from_secs(1000), &state), Some(Blocked::Throttled { retry_after }));
    /// assert_eq!(guard.blocked(UnixTime::from_secs(1030), &state), None);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn blocked(&self, now: UnixTime, state: &GuardState) -> Option<Blocked> {
        if state.failures >= self.throttle.lock_after() {
            return Some(Blocked::Locked);
        }
        let left = state
            .blocked_until?
            .as_secs()
            .checked_sub(now.as_secs())
            .filter(|&left| left > 0)?;
        Some(Blocked::Throttled {
            retry_after: seconds(left),
        })
    }

    /// The state after one more failed attempt at `now`: the count rises and
    /// the back-off of [`Throttle::after`] starts. [`Guard::check`] calls it
    /// for every counted failure; call it yourself for failed backup-code or
    /// other second-factor attempts so that they share the counter.
    ///
    /// ```
    /// use twostep::{Guard, GuardState, Totp, UnixTime};
    /// let guard = Guard::new(Totp::new());
    /// let now = UnixTime::from_secs(1000);
    /// let mut state = GuardState::new();
    /// for _ in 0..4 {
    ///     state = guard.record_failure(now, &state);
    /// }
    /// assert_eq!(state.to_string(), "g1.-.0.4.1030"); // 4th failure: 30 s back-off
    /// ```
    #[must_use = "persist the returned state, or the failure is not counted"]
    pub fn record_failure(&self, now: UnixTime, state: &GuardState) -> GuardState {
        let failures = state.failures.saturating_add(1);
        let blocked_until = match self.throttle.after(failures) {
            Some(Blocked::Locked) => None,
            _ => match self.throttle.delay_secs(failures) {
                Some(delay) => {
                    let until = UnixTime::from_secs(now.as_secs().saturating_add(delay));
                    Some(state.blocked_until.map_or(until, |b| b.max(until)))
                }
                None => state.blocked_until,
            },
        };
        GuardState {
            failures,
            blocked_until,
            ..*state
        }
    }

    /// Checks `input` typed at `now` against `secret`, for the user whose
    /// stored state is `state`. Returns the outcome and the state to persist,
    /// which differs from `state` after every counted attempt, failures
    /// included. See the type's docs for the order of steps.
    ///
    /// Allocation-free; the HMAC key is prepared only after the throttle and
    /// the input's shape pass. Use [`Guard::check_keyed`] to prepare it once
    /// for several calls.
    ///
    /// # Security
    ///
    /// Persist the returned state with compare-and-swap before acting on the
    /// outcome (see the type's docs), and on failures too.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Guard, GuardState, Outcome, Secret, Totp, UnixTime};
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let guard = Guard::new(Totp::new());
    /// let (outcome, state) = guard.check(&secret, "12345", UnixTime::from_secs(59), &GuardState::new());
    /// assert!(matches!(outcome, Outcome::Malformed(_)));
    /// assert_eq!(state.failures(), 1);
    /// # Ok(()) }
    /// ```
    #[must_use = "persist the returned state (even on failure) and act only on Outcome::Accepted"]
    pub fn check(
        &self,
        secret: &Secret,
        input: &str,
        now: UnixTime,
        state: &GuardState,
    ) -> (Outcome, GuardState) {
        self.attempt(
            now,
            state,
            || Code::parse(input, self.totp.digits()),
            |code| self.check_code(&self.key(secret), &code, now, state),
        )
    }

    /// As [`Guard::check`], with a prepared key (from [`Guard::key`]), so a
    /// hot path does not key HMAC on every call. The key's own TOTP
    /// parameters are used.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Guard, GuardState, Secret, Totp, UnixTime};
    /// let guard = Guard::new(Totp::new());
    /// let key = guard.key(&Secret::from_bytes(b"12345678901234567890")?);
    /// let (outcome, state) = guard.check_keyed(&key, "287082", UnixTime::from_secs(59), &GuardState::new());
    /// assert!(outcome.is_accepted());
    /// assert_eq!(state.last_step(), Some(1));
    /// # Ok(()) }
    /// ```
    #[must_use = "persist the returned state (even on failure) and act only on Outcome::Accepted"]
    pub fn check_keyed(
        &self,
        key: &KeyedTotp,
        input: &str,
        now: UnixTime,
        state: &GuardState,
    ) -> (Outcome, GuardState) {
        self.attempt(
            now,
            state,
            || Code::parse(input, key.totp().digits()),
            |code| self.check_code(key, &code, now, state),
        )
    }

    /// The gate every attempt passes, in order: refused unseen (state
    /// unchanged) while throttled or locked; a malformed input counts as a
    /// failure and computes no HMAC; otherwise `evaluate` runs on the parsed
    /// input (keying HMAC only then, in the one-shot forms).
    fn attempt<T>(
        &self,
        now: UnixTime,
        state: &GuardState,
        parse: impl FnOnce() -> Result<T, CodeError>,
        evaluate: impl FnOnce(T) -> (Outcome, GuardState),
    ) -> (Outcome, GuardState) {
        if let Some(blocked) = self.blocked(now, state) {
            return (blocked.into(), *state);
        }
        match parse() {
            Ok(parsed) => evaluate(parsed),
            Err(e) => (Outcome::Malformed(e), self.record_failure(now, state)),
        }
    }

    fn check_code(
        &self,
        key: &KeyedTotp,
        code: &Code,
        now: UnixTime,
        state: &GuardState,
    ) -> (Outcome, GuardState) {
        let current = match key.totp().step_at(now) {
            Ok(step) => step,
            Err(e) => return (Outcome::Time(e), *state),
        };
        let policy = Policy::new(self, state);
        // One constant-time scan over the steps the policy tries; which
        // steps are spent depends only on the stored last step.
        let found = key.scan(code, policy.steps(current), |step| policy.is_fresh(step));
        if let Some(matched) = found.fresh() {
            let m = Match::new(matched, current);
            let in_learned = policy.matched_in_learned(matched, current);
            let next = GuardState {
                last_step: Some(matched),
                drift: policy.learn(m.offset(), in_learned),
                failures: 0,
                blocked_until: None,
            };
            (Outcome::Accepted(m), next)
        } else if found.spent() {
            (Outcome::Replayed, self.record_failure(now, state))
        } else {
            (Outcome::Invalid, self.record_failure(now, state))
        }
    }

    /// Resynchronises a device whose clock is off by more than the window
    /// (RFC 4226 §7.4, RFC 6238 §6): the user types two codes shown one after
    /// the other, and the guard searches for that pair of consecutive steps
    /// within ±[`Guard::max_drift`] of the current step.
    ///
    /// Found at steps never accepted before: [`Outcome::Accepted`] with the
    /// later step, whose offset becomes the learned drift; the later step is
    /// recorded and the failures cleared. Otherwise [`Outcome::Replayed`] (a
    /// pair touching a step at or below the last accepted one: refusing it
    /// keeps every step single-use), [`Outcome::Invalid`] or
    /// [`Outcome::Malformed`], each counted as one failure.
    ///
    /// A resync is for a device whose clock is *off*. After the user fixes
    /// the clock, no second resync is needed (and one with codes from steps
    /// the fast device already spent would be refused as a replay): the next
    /// normal [`Guard::check`] finds the code in the window around the
    /// server's own step and resets the drift (see the type's docs on drift
    /// learning). Throttled and locked states are refused
    /// as by [`Guard::check`]. A guess is hopeless: two codes must match
    /// consecutive steps (about 40 × 10⁻¹² with 6 digits and the default bound).
    ///
    /// Evaluates every step of the range (2 × bound + 2 HMACs), whatever matches.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Guard, GuardState, Outcome, Secret, Totp, UnixTime};
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let guard = Guard::new(Totp::new());
    /// let now = UnixTime::from_secs(1_000_000_000);
    /// let phone = guard.key(&secret); // its clock runs 3 minutes fast: 6 steps
    /// let step = guard.totp().step_at(now)? + 6;
    /// let (c1, c2) = (phone.code_at_step(step - 1).to_string(), phone.code_at_step(step).to_string());
    /// let (outcome, state) = guard.resync(&secret, [&c1, &c2], now, &GuardState::new());
    /// assert!(outcome.is_accepted());
    /// assert_eq!((state.drift(), state.last_step()), (6, Some(step)));
    /// # Ok(()) }
    /// ```
    #[must_use = "persist the returned state (even on failure) and act only on Outcome::Accepted"]
    pub fn resync(
        &self,
        secret: &Secret,
        codes: [&str; 2],
        now: UnixTime,
        state: &GuardState,
    ) -> (Outcome, GuardState) {
        self.attempt(
            now,
            state,
            || parse_pair(codes, self.totp),
            |pair| self.resync_codes(&self.key(secret), &pair, now, state),
        )
    }

    /// As [`Guard::resync`], with a prepared key.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Guard, GuardState, Outcome, Secret, Totp, UnixTime};
    /// let guard = Guard::new(Totp::new());
    /// let key = guard.key(&Secret::from_bytes(b"12345678901234567890")?);
    /// let (outcome, state) = guard.resync_keyed(&key, ["287082", "359152"], UnixTime::from_secs(60), &GuardState::new());
    /// assert!(outcome.is_accepted()); // steps 1 and 2 (RFC 4226 counters 1, 2)
    /// assert_eq!(state.last_step(), Some(2));
    /// # Ok(()) }
    /// ```
    #[must_use = "persist the returned state (even on failure) and act only on Outcome::Accepted"]
    pub fn resync_keyed(
        &self,
        key: &KeyedTotp,
        codes: [&str; 2],
        now: UnixTime,
        state: &GuardState,
    ) -> (Outcome, GuardState) {
        self.attempt(
            now,
            state,
            || parse_pair(codes, key.totp()),
            |pair| self.resync_codes(key, &pair, now, state),
        )
    }

    fn resync_codes(
        &self,
        key: &KeyedTotp,
        pair: &[Code; 2],
        now: UnixTime,
        state: &GuardState,
    ) -> (Outcome, GuardState) {
        let current = match key.totp().step_at(now) {
            Ok(step) => step,
            Err(e) => return (Outcome::Time(e), *state),
        };
        let policy = Policy::new(self, state);
        let reach = u64::from(policy.max_drift());
        // The later step k lies in current ± reach; the earlier is k − 1.
        let start = current.saturating_sub(reach).saturating_sub(1);
        let end = current.saturating_add(reach);
        let found = key.scan_pairs(pair, start..=end, |step| policy.pair_is_fresh(step));
        if let Some(matched) = found.fresh() {
            let m = Match::new(matched, current);
            let next = GuardState {
                last_step: Some(matched),
                drift: policy.clamp(m.offset()),
                failures: 0,
                blocked_until: None,
            };
            (Outcome::Accepted(m), next)
        } else if found.spent() {
            (Outcome::Replayed, self.record_failure(now, state))
        } else {
            (Outcome::Invalid, self.record_failure(now, state))
        }
    }
}

impl Default for Guard {
    /// `Guard::new(Totp::default())`.
    fn default() -> Self {
        Self::new(Totp::new())
    }
}

fn parse_pair([a, b]: [&str; 2], totp: Totp) -> Result<[Code; 2], CodeError> {
    Ok([
        Code::parse(a, totp.digits())?,
        Code::parse(b, totp.digits())?,
    ])
}

/// Ten minutes in whole steps, rounded up, at most 100 (and at least 1).
const fn default_max_drift(period: Period) -> u8 {
    let secs = Guard::DEFAULT_MAX_DRIFT.whole_seconds().unsigned_abs();
    let steps = secs.div_ceil(period.as_secs());
    let steps = if steps > Guard::MAX_DRIFT_STEPS as u64 {
        Guard::MAX_DRIFT_STEPS as u64
    } else {
        steps
    };
    #[allow(clippy::cast_possible_truncation)] // <= 100
    {
        steps as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_counter::{HMAC, count};

    fn evaluations() -> u64 {
        count(&HMAC)
    }

    fn secret() -> Secret {
        Secret::from_bytes(b"12345678901234567890").unwrap()
    }

    const NOW: UnixTime = UnixTime::from_secs(1_111_111_109);

    #[test]
    fn throttled_and_locked_attempts_evaluate_no_hmac_and_change_nothing() {
        let guard = Guard::new(Totp::new());
        let key = guard.key(&secret());
        let right = key.generate(NOW).unwrap().to_string();
        let mut state = GuardState::new();
        for _ in 0..4 {
            state = guard.record_failure(NOW, &state);
        }
        let locked: GuardState = "g1.-.0.10.-".parse().unwrap();
        for (state, want) in [
            (
                state,
                Outcome::Throttled {
                    retry_after: time::Duration::seconds(30),
                },
            ),
            (locked, Outcome::Locked),
        ] {
            for input in [right.as_str(), "000000", "not a code"] {
                let before = evaluations();
                assert_eq!(guard.check(&secret(), input, NOW, &state), (want, state));
                assert_eq!(guard.check_keyed(&key, input, NOW, &state), (want, state));
                let pair = [input, input];
                assert_eq!(guard.resync(&secret(), pair, NOW, &state), (want, state));
                assert_eq!(guard.resync_keyed(&key, pair, NOW, &state), (want, state));
                assert_eq!(evaluations(), before, "input {input:?}");
            }
        }
    }

    #[test]
    fn malformed_input_evaluates_no_hmac_but_counts() {
        let guard = Guard::new(Totp::new());
        let key = guard.key(&secret());
        let before = evaluations();
        for input in ["", "12345", "1234567", "12a456", " 123456", "١٢٣٤٥٦"] {
            let (o, s) = guard.check(&secret(), input, NOW, &GuardState::new());
            assert!(matches!(o, Outcome::Malformed(_)), "{input:?}");
            assert_eq!(s.failures(), 1);
            let (o, s) = guard.check_keyed(&key, input, NOW, &GuardState::new());
            assert!(matches!(o, Outcome::Malformed(_)));
            assert_eq!(s.failures(), 1);
            let (o, s) = guard.resync(&secret(), ["287082", input], NOW, &GuardState::new());
            assert!(matches!(o, Outcome::Malformed(_)));
            assert_eq!(s.failures(), 1);
        }
        assert_eq!(evaluations(), before);
    }

    #[test]
    fn whole_window_is_evaluated_whatever_matches() {
        let guard = Guard::new(Totp::new()).with_window(Window::new(2, 3).unwrap());
        let key = guard.key(&secret());
        let current = guard.totp().step_at(NOW).unwrap();
        // Accepted at the centre, replayed, and invalid: six evaluations each.
        let code = key.code_at_step(current).to_string();
        let mut state = GuardState::new();
        for want in [None, Some(Outcome::Replayed), Some(Outcome::Invalid)] {
            let input = if want == Some(Outcome::Invalid) {
                "000000"
            } else {
                code.as_str()
            };
            let before = evaluations();
            let (o, next) = guard.check_keyed(&key, input, NOW, &state);
            assert_eq!(evaluations() - before, 6);
            match want {
                None => assert!(o.is_accepted()),
                Some(w) => assert_eq!(o, w),
            }
            state = next;
        }
    }

    /// The check evaluates the union of the learned window and the home
    /// window: every step of it (each is accepted when it holds the code),
    /// nothing outside it, and each step once (evaluations = union size).
    #[test]
    fn union_of_learned_and_home_windows_evaluates_each_step_once() {
        // (behind, ahead, drift, distinct steps in the union)
        let cases: [(u32, u32, i64, u64); 10] = [
            (1, 1, 0, 3),
            (1, 1, 6, 6),
            (1, 1, -6, 6),
            (1, 1, 1, 4),
            (1, 1, -1, 4),
            (1, 1, 2, 5),
            (1, 1, 3, 6),
            (2, 1, 3, 7),
            (2, 1, -2, 6),
            (0, 0, 5, 2),
        ];
        for (behind, ahead, drift, size) in cases {
            let guard = Guard::new(Totp::new())
                .with_window(Window::new(behind, ahead).unwrap())
                .with_max_drift(20)
                .unwrap();
            let key = guard.key(&secret());
            let current = guard.totp().step_at(NOW).unwrap();
            let state: GuardState = format!("g1.-.{drift}.0.-").parse().unwrap();
            let learned =
                |k: i64| (k - drift) >= -i64::from(behind) && (k - drift) <= i64::from(ahead);
            let home = |k: i64| k >= -i64::from(behind) && k <= i64::from(ahead);
            for k in -12i64..=12 {
                let step = current.checked_add_signed(k).unwrap();
                let code = key.code_at_step(step).to_string();
                let before = evaluations();
                let (o, _) = guard.check_keyed(&key, &code, NOW, &state);
                assert_eq!(
                    evaluations() - before,
                    size,
                    "window -{behind}/+{ahead}, drift {drift}"
                );
                let inside = learned(k) || home(k);
                assert_eq!(o.is_accepted(), inside, "drift {drift}, offset {k}: {o:?}");
            }
        }
    }

    /// Near step 0 a negative drift saturates the learned centre at 0; the
    /// union is still each existing step once.
    #[test]
    fn union_near_step_zero() {
        let guard = Guard::new(Totp::new());
        let key = guard.key(&secret());
        let now = UnixTime::from_secs(45); // step 1
        let state: GuardState = "g1.-.-6.0.-".parse().unwrap();
        let code = key.code_at_step(2).to_string();
        let before = evaluations();
        let (o, _) = guard.check_keyed(&key, &code, now, &state);
        assert_eq!(evaluations() - before, 3); // steps 0, 1 (learned), 2 (home)
        assert!(o.is_accepted());
    }

    #[test]
    fn resync_evaluates_its_whole_range() {
        let guard = Guard::new(Totp::new()).with_max_drift(5).unwrap();
        let key = guard.key(&secret());
        let current = guard.totp().step_at(NOW).unwrap();
        let c1 = key.code_at_step(current + 1).to_string();
        let c2 = key.code_at_step(current + 2).to_string();
        let before = evaluations();
        let (o, s) = guard.resync_keyed(&key, [&c1, &c2], NOW, &GuardState::new());
        assert_eq!(evaluations() - before, 12); // 2 × 5 + 2
        assert!(o.is_accepted());
        assert_eq!((s.last_step(), s.drift()), (Some(current + 2), 2));
    }

    #[test]
    fn default_drift_bound_is_ten_minutes_of_steps() {
        let with = |p| Guard::new(Totp::new().with_period(Period::new(p).unwrap())).max_drift();
        assert_eq!(with(30), 20);
        assert_eq!(with(60), 10);
        assert_eq!(with(7), 86); // 600 / 7 = 85.7, rounded up
        assert_eq!(with(1), 100); // capped
        assert_eq!(with(3600), 1);
    }
}
