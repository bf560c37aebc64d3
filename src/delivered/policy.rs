//! [`Policy`]: how delivered codes are shaped, how long they live, how often
//! they may be checked and sent; [`ResendRule`] and [`Cap`].

use thiserror::Error;

use super::log::LOG_CAPACITY;
use crate::otp::Digits;
use crate::time::Duration;

/// A policy value out of its range. Payloads are the numbers given and the
/// bounds, in seconds or counts.
///
/// ```
/// use twostep::delivered::{Policy, PolicyError};
/// let err = Policy::DEFAULT.with_max_checks(0).unwrap_err();
/// assert_eq!(err, PolicyError::Checks { checks: 0, min: 1, max: 10 });
/// assert_eq!(err.to_string(), "checks per code must be between 1 and 10, got 0");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// A lifetime outside [`Policy::MIN_LIFETIME`]`..=`[`Policy::MAX_LIFETIME`].
    #[error("code lifetime must be between {min} and {max} seconds, got {secs}")]
    Lifetime {
        /// The lifetime given, in whole seconds.
        secs: i64,
        /// The shortest lifetime allowed, in seconds.
        min: i64,
        /// The longest lifetime allowed, in seconds.
        max: i64,
    },
    /// A check limit outside [`Policy::MIN_CHECKS`]`..=`[`Policy::MAX_CHECKS`].
    #[error("checks per code must be between {min} and {max}, got {checks}")]
    Checks {
        /// The limit given.
        checks: u32,
        /// The smallest limit allowed.
        min: u32,
        /// The largest limit allowed.
        max: u32,
    },
    /// A resend cooldown outside `0..=`[`Policy::MAX_COOLDOWN`].
    #[error("resend cooldown must be between 0 and {max} seconds, got {secs}")]
    Cooldown {
        /// The cooldown given, in whole seconds.
        secs: i64,
        /// The longest cooldown allowed, in seconds.
        max: i64,
    },
    /// A send cap with no sends, more sends than the delivery log holds
    /// ([`Cap::MAX_SENDS`]), or a window outside
    /// [`Cap::MIN_WINDOW`]`..=`[`Cap::MAX_WINDOW`].
    #[error(
        "a send cap needs 1 to {max_sends} sends per window of {min_window} to {max_window} seconds"
    )]
    Cap {
        /// The largest number of sends per window.
        max_sends: u32,
        /// The shortest window, in seconds.
        min_window: i64,
        /// The longest window, in seconds.
        max_window: i64,
    },
}

/// What a resend carries while the current code is still valid.
///
/// ```
/// use twostep::delivered::{Policy, ResendRule};
/// assert_eq!(Policy::DEFAULT.resend_rule(), ResendRule::SameCode);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ResendRule {
    /// Re-send the code already sent, with its original expiry, so a late
    /// first message still works (as hosted services do). A new code is
    /// drawn once less than half the lifetime remains, or after the code was
    /// used, ran out of checks or expired.
    #[default]
    SameCode,
    /// Every send carries a new code; the previous one is dead and is
    /// reported as [`Outcome::Superseded`](super::Outcome::Superseded).
    NewCode,
}

/// A send cap: at most `sends` messages in any rolling window.
///
/// ```
/// # fn main() -> Result<(), twostep::delivered::PolicyError> {
/// use twostep::delivered::Cap;
/// let cap = Cap::new(3, time::Duration::minutes(15))?;
/// assert_eq!((cap.sends(), cap.window().whole_minutes()), (3, 15));
/// assert!(Cap::new(11, time::Duration::hours(1)).is_err()); // the log holds 10 sends
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cap {
    sends: u8,
    window_secs: u32,
}

impl Cap {
    /// The most sends a cap may allow: the delivery log's capacity, so that
    /// every cap is decided from the log alone.
    #[expect(clippy::cast_possible_truncation, reason = "the capacity is 10")]
    pub const MAX_SENDS: u32 = LOG_CAPACITY as u32;
    /// The shortest window: one minute.
    pub const MIN_WINDOW: Duration = Duration::minutes(1);
    /// The longest window: seven days.
    pub const MAX_WINDOW: Duration = Duration::days(7);

    /// A cap of `sends` messages per rolling `window`.
    ///
    /// # Errors
    ///
    /// [`PolicyError::Cap`] for 0 sends, more than [`Cap::MAX_SENDS`], or a
    /// window outside [`Cap::MIN_WINDOW`]`..=`[`Cap::MAX_WINDOW`].
    ///
    /// ```
    /// assert!(twostep::delivered::Cap::new(0, time::Duration::hours(1)).is_err());
    /// ```
    pub const fn new(sends: u32, window: Duration) -> Result<Self, PolicyError> {
        let secs = window.whole_seconds();
        let ok = sends >= 1
            && sends <= Self::MAX_SENDS
            && secs >= Self::MIN_WINDOW.whole_seconds()
            && secs <= Self::MAX_WINDOW.whole_seconds();
        if ok {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "both checked just above"
            )]
            Ok(Self {
                sends: sends as u8,
                window_secs: secs as u32,
            })
        } else {
            Err(PolicyError::Cap {
                max_sends: Self::MAX_SENDS,
                min_window: Self::MIN_WINDOW.whole_seconds(),
                max_window: Self::MAX_WINDOW.whole_seconds(),
            })
        }
    }

    /// The most sends per window.
    ///
    /// ```
    /// assert_eq!(twostep::delivered::Policy::DEFAULT.short_cap().sends(), 5);
    /// ```
    #[must_use]
    pub const fn sends(self) -> u32 {
        self.sends as u32
    }

    /// The rolling window.
    ///
    /// ```
    /// assert_eq!(twostep::delivered::Policy::DEFAULT.long_cap().window().whole_hours(), 24);
    /// ```
    #[must_use]
    pub const fn window(self) -> Duration {
        Duration::seconds(self.window_secs as i64)
    }

    pub(crate) const fn window_secs(self) -> u64 {
        self.window_secs as u64
    }
}

/// How delivered codes are shaped and limited, validated on construction.
///
/// The defaults follow hosted verification services and NIST SP 800-63B
/// for out-of-band codes: 6 random digits, valid 10 minutes, 5 checks per
/// code, a 30-second resend cooldown that doubles with each send in the
/// short window, at most 5 sends per 10 minutes and 10 per 24 hours, and a
/// resend within the lifetime carries the same code.
///
/// ```
/// # fn main() -> Result<(), twostep::delivered::PolicyError> {
/// use time::Duration;
/// use twostep::delivered::{Cap, Policy, ResendRule};
/// use twostep::otp::Digits;
/// let policy = Policy::DEFAULT
///     .with_digits(Digits::EIGHT)
///     .with_lifetime(Duration::minutes(5))?
///     .with_max_checks(3)?
///     .with_cooldown(Duration::seconds(45))?
///     .with_short_cap(Cap::new(3, Duration::minutes(15))?)
///     .with_resend_rule(ResendRule::NewCode);
/// assert_eq!(policy.lifetime(), Duration::minutes(5));
/// assert!(Policy::DEFAULT.with_lifetime(Duration::hours(2)).is_err());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Policy {
    digits: Digits,
    lifetime_secs: u32,
    max_checks: u8,
    cooldown_secs: u32,
    short_cap: Cap,
    long_cap: Cap,
    resend: ResendRule,
}

impl Policy {
    /// The shortest lifetime: one minute.
    pub const MIN_LIFETIME: Duration = Duration::minutes(1);
    /// The longest lifetime: one hour, for e-mail only.
    pub const MAX_LIFETIME: Duration = Duration::hours(1);
    /// The longest lifetime of a code sent by SMS or voice: ten minutes
    /// (NIST SP 800-63B). [`issue`](super::issue) refuses longer ones there.
    pub const MAX_PHONE_LIFETIME: Duration = Duration::minutes(10);
    /// The default lifetime: ten minutes.
    pub const DEFAULT_LIFETIME: Duration = Duration::minutes(10);
    /// The fewest checks per code.
    pub const MIN_CHECKS: u32 = 1;
    /// The most checks per code.
    pub const MAX_CHECKS: u32 = 10;
    /// The default checks per code.
    pub const DEFAULT_CHECKS: u32 = 5;
    /// The longest base resend cooldown.
    pub const MAX_COOLDOWN: Duration = Duration::minutes(10);
    /// The default base resend cooldown: 30 seconds.
    pub const DEFAULT_COOLDOWN: Duration = Duration::seconds(30);
    /// The longest cooldown after doubling: one hour.
    pub const MAX_GROWN_COOLDOWN: Duration = Duration::hours(1);
    /// The default short cap: 5 sends per 10 minutes.
    pub const DEFAULT_SHORT_CAP: Cap = Cap {
        sends: 5,
        window_secs: 600,
    };
    /// The default long cap: 10 sends per 24 hours.
    pub const DEFAULT_LONG_CAP: Cap = Cap {
        sends: 10,
        window_secs: 86_400,
    };

    /// The default policy (see the type's docs).
    pub const DEFAULT: Self = Self {
        digits: Digits::DEFAULT,
        lifetime_secs: 600,
        max_checks: 5,
        cooldown_secs: 30,
        short_cap: Self::DEFAULT_SHORT_CAP,
        long_cap: Self::DEFAULT_LONG_CAP,
        resend: ResendRule::SameCode,
    };

    /// With another digit count (6 to 10, validated by [`Digits`]).
    ///
    /// ```
    /// let p = twostep::delivered::Policy::DEFAULT.with_digits(twostep::otp::Digits::EIGHT);
    /// assert_eq!(p.digits().get(), 8);
    /// ```
    #[must_use]
    pub const fn with_digits(mut self, digits: Digits) -> Self {
        self.digits = digits;
        self
    }

    /// With another lifetime.
    ///
    /// # Errors
    ///
    /// [`PolicyError::Lifetime`] outside
    /// [`Policy::MIN_LIFETIME`]`..=`[`Policy::MAX_LIFETIME`].
    ///
    /// ```
    /// use twostep::delivered::Policy;
    /// assert!(Policy::DEFAULT.with_lifetime(time::Duration::seconds(59)).is_err());
    /// ```
    pub const fn with_lifetime(mut self, lifetime: Duration) -> Result<Self, PolicyError> {
        let secs = lifetime.whole_seconds();
        let (min, max) = (
            Self::MIN_LIFETIME.whole_seconds(),
            Self::MAX_LIFETIME.whole_seconds(),
        );
        if secs < min || secs > max {
            return Err(PolicyError::Lifetime { secs, min, max });
        }
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked just above"
        )]
        {
            self.lifetime_secs = secs as u32;
        }
        Ok(self)
    }

    /// With another number of checks per code.
    ///
    /// # Errors
    ///
    /// [`PolicyError::Checks`] outside
    /// [`Policy::MIN_CHECKS`]`..=`[`Policy::MAX_CHECKS`].
    ///
    /// ```
    /// assert!(twostep::delivered::Policy::DEFAULT.with_max_checks(11).is_err());
    /// ```
    pub const fn with_max_checks(mut self, checks: u32) -> Result<Self, PolicyError> {
        if checks < Self::MIN_CHECKS || checks > Self::MAX_CHECKS {
            return Err(PolicyError::Checks {
                checks,
                min: Self::MIN_CHECKS,
                max: Self::MAX_CHECKS,
            });
        }
        #[expect(clippy::cast_possible_truncation, reason = "checked just above")]
        {
            self.max_checks = checks as u8;
        }
        Ok(self)
    }

    /// With another base resend cooldown (zero disables it; the caps still
    /// apply). The cooldown doubles with each send in the short window.
    ///
    /// # Errors
    ///
    /// [`PolicyError::Cooldown`] if negative or above [`Policy::MAX_COOLDOWN`].
    ///
    /// ```
    /// assert!(twostep::delivered::Policy::DEFAULT.with_cooldown(time::Duration::hours(1)).is_err());
    /// ```
    pub const fn with_cooldown(mut self, cooldown: Duration) -> Result<Self, PolicyError> {
        let secs = cooldown.whole_seconds();
        let max = Self::MAX_COOLDOWN.whole_seconds();
        if secs < 0 || secs > max {
            return Err(PolicyError::Cooldown { secs, max });
        }
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked just above"
        )]
        {
            self.cooldown_secs = secs as u32;
        }
        Ok(self)
    }

    /// With another short cap (default 5 per 10 minutes); its window also
    /// decides which sends grow the cooldown.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::delivered::PolicyError> {
    /// use twostep::delivered::{Cap, Policy};
    /// let p = Policy::DEFAULT.with_short_cap(Cap::new(3, time::Duration::minutes(10))?);
    /// assert_eq!(p.short_cap().sends(), 3);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn with_short_cap(mut self, cap: Cap) -> Self {
        self.short_cap = cap;
        self
    }

    /// With another long cap (default 10 per 24 hours).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::delivered::PolicyError> {
    /// use twostep::delivered::{Cap, Policy};
    /// let p = Policy::DEFAULT.with_long_cap(Cap::new(8, time::Duration::days(1))?);
    /// assert_eq!(p.long_cap().sends(), 8);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn with_long_cap(mut self, cap: Cap) -> Self {
        self.long_cap = cap;
        self
    }

    /// With another resend rule.
    ///
    /// ```
    /// use twostep::delivered::{Policy, ResendRule};
    /// let p = Policy::DEFAULT.with_resend_rule(ResendRule::NewCode);
    /// assert_eq!(p.resend_rule(), ResendRule::NewCode);
    /// ```
    #[must_use]
    pub const fn with_resend_rule(mut self, rule: ResendRule) -> Self {
        self.resend = rule;
        self
    }

    /// The digit count of new codes.
    ///
    /// ```
    /// assert_eq!(twostep::delivered::Policy::DEFAULT.digits().get(), 6);
    /// ```
    #[must_use]
    pub const fn digits(&self) -> Digits {
        self.digits
    }

    /// How long a code is valid after its first send.
    ///
    /// ```
    /// assert_eq!(twostep::delivered::Policy::DEFAULT.lifetime().whole_minutes(), 10);
    /// ```
    #[must_use]
    pub const fn lifetime(&self) -> Duration {
        Duration::seconds(self.lifetime_secs as i64)
    }

    /// How many well-formed inputs one code may be checked against.
    ///
    /// ```
    /// assert_eq!(twostep::delivered::Policy::DEFAULT.max_checks(), 5);
    /// ```
    #[must_use]
    pub const fn max_checks(&self) -> u32 {
        self.max_checks as u32
    }

    /// The base resend cooldown.
    ///
    /// ```
    /// assert_eq!(twostep::delivered::Policy::DEFAULT.cooldown().whole_seconds(), 30);
    /// ```
    #[must_use]
    pub const fn cooldown(&self) -> Duration {
        Duration::seconds(self.cooldown_secs as i64)
    }

    /// The short send cap.
    ///
    /// ```
    /// assert_eq!(twostep::delivered::Policy::DEFAULT.short_cap().window().whole_minutes(), 10);
    /// ```
    #[must_use]
    pub const fn short_cap(&self) -> Cap {
        self.short_cap
    }

    /// The long send cap.
    ///
    /// ```
    /// assert_eq!(twostep::delivered::Policy::DEFAULT.long_cap().sends(), 10);
    /// ```
    #[must_use]
    pub const fn long_cap(&self) -> Cap {
        self.long_cap
    }

    /// The resend rule.
    ///
    /// ```
    /// use twostep::delivered::{Policy, ResendRule};
    /// assert_eq!(Policy::default().resend_rule(), ResendRule::SameCode);
    /// ```
    #[must_use]
    pub const fn resend_rule(&self) -> ResendRule {
        self.resend
    }

    pub(crate) const fn lifetime_secs(&self) -> u64 {
        self.lifetime_secs as u64
    }

    pub(crate) const fn cooldown_secs(&self) -> u64 {
        self.cooldown_secs as u64
    }
}

impl Default for Policy {
    fn default() -> Self {
        Self::DEFAULT
    }
}
