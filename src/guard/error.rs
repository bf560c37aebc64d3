//! The guard's errors: a parameter out of range, and a stored state text
//! that does not parse.

use thiserror::Error;

use super::{Guard, State, Throttle};

/// A [`Guard`] or [`Throttle`] parameter outside its valid range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A drift bound above [`Guard::MAX_DRIFT_STEPS`].
    #[error("drift bound of {steps} steps exceeds the maximum of {max}", max = Guard::MAX_DRIFT_STEPS)]
    MaxDrift {
        /// The requested bound in steps.
        steps: u32,
    },
    /// A hard lock at zero failures, or above [`Throttle::MAX_FAILURES`].
    #[error("hard lock must come after 1 to {max} consecutive failures, got {failures}", max = Throttle::MAX_FAILURES)]
    LockAfter {
        /// The requested number of failures.
        failures: u32,
    },
    /// More free attempts than [`Throttle::MAX_FAILURES`].
    #[error("free attempts must be at most {max}, got {attempts}", max = Throttle::MAX_FAILURES)]
    FreeAttempts {
        /// The requested number of free attempts.
        attempts: u32,
    },
    /// Back-off delays that are not whole seconds with
    /// 1 s ≤ first ≤ max ≤ [`Throttle::MAX_DELAY`].
    #[error("back-off delays must be whole seconds with 1 <= first <= max <= {max_secs}", max_secs = Throttle::MAX_DELAY.whole_seconds())]
    Delay,
}

/// Why a [`State`] text was refused.
///
/// Opaque: its message names the problem (the field, the length), never
/// the text itself, and its details may change without a breaking release.
///
/// ```
/// use twostep::guard::State;
/// let e = "g1.01.0.0.-".parse::<State>().unwrap_err();
/// assert_eq!(e.to_string(), "invalid last_step field in guard state");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[error("{kind}")]
pub struct StateError {
    kind: StateErrorKind,
}

/// The private detail of a [`StateError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
pub(crate) enum StateErrorKind {
    #[error("guard state of {len} bytes exceeds the limit of {limit} bytes", limit = State::MAX_LEN)]
    TooLong { len: usize },
    #[error("not a guard state of a known version")]
    UnknownVersion,
    #[error("expected 4 fields after the guard state's version, found {found}")]
    FieldCount { found: usize },
    #[error("invalid {field} field in guard state")]
    InvalidField { field: &'static str },
    #[error("drift in guard state exceeds {limit} steps", limit = Guard::MAX_DRIFT_STEPS)]
    DriftOutOfRange,
}

impl From<StateErrorKind> for StateError {
    fn from(kind: StateErrorKind) -> Self {
        Self { kind }
    }
}
