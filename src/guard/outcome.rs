//! What a check or resync decided: [`Outcome`].

use core::fmt;

use super::Blocked;
#[cfg(doc)]
use super::{Guard, State};
use crate::otp::{CodeError, Match};

/// What a [`Guard`] decided about one attempt.
///
/// Only [`Outcome::Accepted`] lets the user in. The rejections say why in
/// broad terms only; [`Outcome::Replayed`] is kept apart so the application
/// can warn the user that someone may have seen a code (OWASP ASVS 2.8.5).
///
/// With the `serde` feature it serializes (only) as a stable object tagged
/// by `kind`: `{"kind":"accepted","step":1,"offset":0}`,
/// `{"kind":"malformed","error":{"kind":"wrong_length","expected":6,"found":5}}`,
/// `{"kind":"throttled","retry_after":30}` (whole seconds), `{"kind":"locked"}`.
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::{Guard, Secret, Totp, UnixTime};
/// use twostep::guard::{State, Outcome};
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let now = UnixTime::from_secs(59);
/// let (outcome, state) = Guard::new(Totp::new()).check(&secret, "287082", now, &State::new())?;
/// assert!(outcome.is_accepted());
/// let Outcome::Accepted(m) = outcome else { return Ok(()) };
/// assert_eq!(state.last_step(), Some(m.step()));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
#[must_use = "only Outcome::Accepted lets the user in"]
pub enum Outcome {
    /// The code matched a step never accepted before. [`Match::offset`] is
    /// relative to the server's current step, learned drift included.
    Accepted(Match),
    /// The input is not a code of the configured shape. Counts as a failure;
    /// no HMAC was computed.
    Malformed(
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::text::serde_as::error")
        )]
        CodeError,
    ),
    /// The code matches no step in the window. Counts as a failure.
    Invalid,
    /// The code matches only steps at or below the last accepted one: it was
    /// used before. Not counted as a failure: a right code typed twice (a
    /// double submit) tells a guesser nothing.
    Replayed,
    /// Back-off is in force: nothing was looked at, nothing counted.
    Throttled {
        /// How long until the next attempt is looked at.
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::text::serde_as::secs")
        )]
        retry_after: time::Duration,
    },
    /// Hard lock: nothing was looked at, nothing counted. Recovery goes
    /// through the application: a backup code (see
    /// [`Guard::recovery_blocked`]), then [`State::reset_failures`].
    Locked,
}

impl Outcome {
    /// Whether the user may pass.
    ///
    /// ```
    /// assert!(!twostep::guard::Outcome::Replayed.is_accepted());
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

/// Short English for logs: the kind of outcome and its facts (step and
/// offset, a malformed input's cause, the wait), never a code.
///
/// ```
/// use twostep::guard::Outcome;
/// assert_eq!(Outcome::Invalid.to_string(), "invalid code");
/// assert_eq!(
///     Outcome::Throttled { retry_after: time::Duration::seconds(30) }.to_string(),
///     "throttled, retry after 30 s"
/// );
/// ```
impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Accepted(m) => {
                write!(f, "accepted at step {} (offset {:+})", m.step(), m.offset())
            }
            Self::Malformed(e) => write!(f, "malformed code: {e}"),
            Self::Invalid => f.write_str("invalid code"),
            Self::Replayed => f.write_str("replayed code"),
            Self::Throttled { retry_after } => write!(
                f,
                "throttled, retry after {} s",
                retry_after.whole_seconds()
            ),
            Self::Locked => f.write_str("locked"),
        }
    }
}
