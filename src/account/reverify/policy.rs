//! [`Policy`]: the limits of a second-factor verification, validated.

use thiserror::Error;

use crate::time::Duration;

/// A limit of a custom [`Policy`] out of bounds. Payloads are the durations
/// given, in whole seconds.
///
/// ```
/// use twostep::account::reverify::{Policy, PolicyError};
/// use twostep::time::Duration;
/// let err = Policy::AAL2.with_max_idle(Duration::hours(25)).unwrap_err();
/// assert_eq!(err, PolicyError::MaxIdle { secs: 25 * 3600 });
/// assert_eq!(err.to_string(), "max idle must be 1 minute to the max session, got 90000 seconds");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// A max session outside [`Policy::MIN_LIMIT`]`..=`[`Policy::MAX_SESSION`],
    /// or shorter than the max idle or the sensitive-action window.
    #[error(
        "max session must be 1 minute to 30 days and cover the other limits, got {secs} seconds"
    )]
    MaxSession {
        /// The duration given.
        secs: i64,
    },
    /// A max idle below [`Policy::MIN_LIMIT`] or above the max session.
    #[error("max idle must be 1 minute to the max session, got {secs} seconds")]
    MaxIdle {
        /// The duration given.
        secs: i64,
    },
    /// A sensitive-action window below [`Policy::MIN_LIMIT`] or above the
    /// max session.
    #[error("sensitive-action window must be 1 minute to the max session, got {secs} seconds")]
    SensitiveWindow {
        /// The duration given.
        secs: i64,
    },
}

/// How long a second-factor verification carries a session.
///
/// Start from a preset and adjust with the `with_*` setters, each of which
/// checks the result (a limit below one minute, a session over 30 days, or
/// an idle limit or window longer than the session are refused; shorten the
/// idle limit before the session when both shrink).
///
/// ```
/// # fn main() -> Result<(), twostep::account::reverify::PolicyError> {
/// use twostep::account::reverify::Policy;
/// use twostep::time::Duration;
/// const MINE: Policy = match Policy::AAL2.with_sensitive_window(Duration::minutes(10)) {
///     Ok(p) => p,
///     Err(_) => Policy::AAL2,
/// };
/// assert_eq!(MINE.max_session(), Duration::hours(24));
/// assert_eq!(MINE.sensitive_window(), Duration::minutes(10));
/// assert!(Policy::AAL2.with_max_session(Duration::days(31)).is_err());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Policy {
    max_session: Duration,
    max_idle: Duration,
    sensitive_window: Duration,
}

impl Policy {
    /// NIST SP 800-63B-4, AAL2 reauthentication: re-verify 24 hours after the last
    /// verification or after 1 hour without activity; sensitive actions
    /// within 15 minutes of a verification.
    ///
    /// ```
    /// use twostep::{account::reverify::Policy, time::Duration};
    /// assert_eq!(Policy::AAL2.max_idle(), Duration::hours(1));
    /// ```
    pub const AAL2: Self = Self {
        max_session: Duration::hours(24),
        max_idle: Duration::hours(1),
        sensitive_window: Duration::minutes(15),
    };

    /// NIST SP 800-63B-4, AAL3 reauthentication: re-verify 12 hours after the last
    /// verification or after 15 minutes without activity; sensitive actions
    /// within 5 minutes of a verification.
    ///
    /// ```
    /// use twostep::{account::reverify::Policy, time::Duration};
    /// assert_eq!(Policy::AAL3.max_session(), Duration::hours(12));
    /// ```
    pub const AAL3: Self = Self {
        max_session: Duration::hours(12),
        max_idle: Duration::minutes(15),
        sensitive_window: Duration::minutes(5),
    };

    /// The shortest limit of any kind: 1 minute.
    pub const MIN_LIMIT: Duration = Duration::minutes(1);
    /// The longest max session: 30 days (NIST's AAL1 limit, the loosest).
    pub const MAX_SESSION: Duration = Duration::days(30);

    /// This policy with another overall limit, counted from the last
    /// verification (sub-second parts are dropped).
    ///
    /// # Errors
    ///
    /// [`PolicyError::MaxSession`] outside 1 minute to 30 days, or shorter
    /// than the max idle or the sensitive-action window.
    ///
    /// ```
    /// use twostep::{account::reverify::Policy, time::Duration};
    /// assert!(Policy::AAL2.with_max_session(Duration::hours(8)).is_ok());
    /// assert!(Policy::AAL2.with_max_session(Duration::minutes(30)).is_err()); // idle is 1 h
    /// ```
    pub const fn with_max_session(self, limit: Duration) -> Result<Self, PolicyError> {
        let secs = limit.whole_seconds();
        if secs < Self::MIN_LIMIT.whole_seconds()
            || secs > Self::MAX_SESSION.whole_seconds()
            || secs < self.max_idle.whole_seconds()
            || secs < self.sensitive_window.whole_seconds()
        {
            return Err(PolicyError::MaxSession { secs });
        }
        Ok(Self {
            max_session: Duration::seconds(secs),
            ..self
        })
    }

    /// This policy with another idle limit, counted from the last activity
    /// (sub-second parts are dropped).
    ///
    /// # Errors
    ///
    /// [`PolicyError::MaxIdle`] below 1 minute or above the max session.
    ///
    /// ```
    /// use twostep::{account::reverify::Policy, time::Duration};
    /// assert!(Policy::AAL2.with_max_idle(Duration::minutes(30)).is_ok());
    /// assert!(Policy::AAL2.with_max_idle(Duration::seconds(59)).is_err());
    /// ```
    pub const fn with_max_idle(self, limit: Duration) -> Result<Self, PolicyError> {
        let secs = limit.whole_seconds();
        if secs < Self::MIN_LIMIT.whole_seconds() || secs > self.max_session.whole_seconds() {
            return Err(PolicyError::MaxIdle { secs });
        }
        Ok(Self {
            max_idle: Duration::seconds(secs),
            ..self
        })
    }

    /// This policy with another sensitive-action window: how recent a
    /// verification a [`Sensitive`](super::Action::Sensitive) action needs
    /// (sub-second parts are dropped).
    ///
    /// # Errors
    ///
    /// [`PolicyError::SensitiveWindow`] below 1 minute or above the max session.
    ///
    /// ```
    /// use twostep::{account::reverify::Policy, time::Duration};
    /// assert!(Policy::AAL3.with_sensitive_window(Duration::minutes(10)).is_ok());
    /// assert!(Policy::AAL3.with_sensitive_window(Duration::hours(13)).is_err());
    /// ```
    pub const fn with_sensitive_window(self, window: Duration) -> Result<Self, PolicyError> {
        let secs = window.whole_seconds();
        if secs < Self::MIN_LIMIT.whole_seconds() || secs > self.max_session.whole_seconds() {
            return Err(PolicyError::SensitiveWindow { secs });
        }
        Ok(Self {
            sensitive_window: Duration::seconds(secs),
            ..self
        })
    }

    /// The overall limit, from the last verification.
    ///
    /// ```
    /// use twostep::{account::reverify::Policy, time::Duration};
    /// assert_eq!(Policy::AAL2.max_session(), Duration::hours(24));
    /// ```
    #[must_use]
    pub const fn max_session(&self) -> Duration {
        self.max_session
    }

    /// The idle limit, from the last activity.
    ///
    /// ```
    /// use twostep::{account::reverify::Policy, time::Duration};
    /// assert_eq!(Policy::AAL3.max_idle(), Duration::minutes(15));
    /// ```
    #[must_use]
    pub const fn max_idle(&self) -> Duration {
        self.max_idle
    }

    /// How recent a verification a sensitive action needs.
    ///
    /// ```
    /// use twostep::{account::reverify::Policy, time::Duration};
    /// assert_eq!(Policy::AAL2.sensitive_window(), Duration::minutes(15));
    /// ```
    #[must_use]
    pub const fn sensitive_window(&self) -> Duration {
        self.sensitive_window
    }
}

impl Default for Policy {
    /// [`Policy::AAL2`].
    fn default() -> Self {
        Self::AAL2
    }
}
