//! The per-user [`State`] and its stable text form.

#[cfg(doc)]
use super::Outcome;
use core::fmt;
use core::str::FromStr;

use super::Guard;
use super::error::{StateError, StateErrorKind};
use crate::text::canonical_u64;
use crate::time::UnixTime;

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
/// [`State::MAX_LEN`] bytes. `g1` strings will parse in every later
/// version; a new layout would get a new tag. Parsing accepts only the
/// canonical form, so text → state → text reproduces the text exactly.
///
/// ```
/// # fn main() -> Result<(), twostep::guard::StateError> {
/// use twostep::guard::State;
/// assert_eq!(State::new().to_string(), "g1.-.0.0.-");
/// let s: State = "g1.59260423.-1.4.1777777830".parse()?;
/// assert_eq!((s.last_step(), s.drift(), s.failures()), (Some(59_260_423), -1, 4));
/// assert_eq!(s.to_string(), "g1.59260423.-1.4.1777777830");
/// assert!("g1.007.0.0.-".parse::<State>().is_err()); // not canonical
/// # Ok(()) }
/// ```
///
/// # Enrolment confirmation
///
/// Confirm a new secret by checking the first code the user types against
/// `State::new()` with [`Guard::check`], keeping the returned state
/// across confirmation attempts (so they are throttled like logins) and
/// storing it with the secret once accepted. The confirming step is then
/// recorded, and the same code typed again at the first login is
/// [`Outcome::Replayed`]:
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::{Guard, Secret, Totp, UnixTime};
/// use twostep::guard::{State, Outcome};
/// let secret = Secret::from_bytes(b"12345678901234567890")?; // just generated
/// let guard = Guard::new(Totp::new());
/// let now = UnixTime::from_secs(1_111_111_109);
/// let (confirmed, state) = guard.check(&secret, "081804", now, &State::new())?;
/// assert!(confirmed.is_accepted()); // store the secret and `state` together
/// let later = UnixTime::from_secs(1_111_111_115);
/// assert_eq!(guard.check(&secret, "081804", later, &state)?.0, Outcome::Replayed);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct State {
    pub(super) last_step: Option<u64>,
    pub(super) drift: i8,
    pub(super) failures: u32,
    pub(super) blocked_until: Option<UnixTime>,
}

impl State {
    /// The longest text accepted by [`FromStr`], in bytes (the longest
    /// canonical text is 60).
    pub const MAX_LEN: usize = 64;

    /// The state of a new enrolment: no step accepted, no drift, no failures.
    ///
    /// ```
    /// assert_eq!(twostep::guard::State::new(), twostep::guard::State::default());
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
    /// assert_eq!(twostep::guard::State::new().last_step(), None);
    /// ```
    #[must_use]
    pub const fn last_step(&self) -> Option<u64> {
        self.last_step
    }

    /// The learned drift in steps: positive when the user's device runs ahead.
    ///
    /// ```
    /// assert_eq!(twostep::guard::State::new().drift(), 0);
    /// ```
    #[must_use]
    pub const fn drift(&self) -> i64 {
        self.drift as i64
    }

    /// Consecutive failed attempts since the last success or reset.
    ///
    /// ```
    /// assert_eq!(twostep::guard::State::new().failures(), 0);
    /// ```
    #[must_use]
    pub const fn failures(&self) -> u32 {
        self.failures
    }

    /// The end of the current back-off, if one was set.
    ///
    /// ```
    /// assert_eq!(twostep::guard::State::new().blocked_until(), None);
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
    /// # fn main() -> Result<(), twostep::guard::StateError> {
    /// use twostep::guard::State;
    /// let locked: State = "g1.100.2.10.-".parse()?;
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

impl fmt::Display for State {
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
#[expect(
    clippy::option_option,
    reason = "outer: the field parsed; inner: `-` for none"
)]
fn optional_u64(field: &str) -> Option<Option<u64>> {
    if field == "-" {
        Some(None)
    } else {
        canonical_u64(field).map(Some)
    }
}

impl FromStr for State {
    type Err = StateError;

    /// Parses the canonical text form (see the type's docs).
    fn from_str(s: &str) -> Result<Self, StateError> {
        if s.len() > Self::MAX_LEN {
            return Err(StateErrorKind::TooLong { len: s.len() }.into());
        }
        let mut fields = s.split('.');
        if fields.next() != Some(TAG) {
            return Err(StateErrorKind::UnknownVersion.into());
        }
        let (Some(last), Some(drift), Some(failures), Some(blocked), None) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        ) else {
            let found = s.split('.').count().saturating_sub(1);
            return Err(StateErrorKind::FieldCount { found }.into());
        };
        let invalid = |field| StateError::from(StateErrorKind::InvalidField { field });
        let last_step = optional_u64(last).ok_or(invalid("last_step"))?;
        let (negative, magnitude) = match drift.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, drift),
        };
        let magnitude = canonical_u64(magnitude)
            .filter(|&m| !(negative && m == 0))
            .ok_or(invalid("drift"))?;
        if magnitude > u64::from(Guard::MAX_DRIFT_STEPS) {
            return Err(StateErrorKind::DriftOutOfRange.into());
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

crate::text::serde_via_text!(State, "a twostep guard state string");
