//! The diagnostic's own options: how far to search and how long a user may
//! take to type. What a login accepts comes from the [`Guard`](crate::Guard)
//! and the user's guard state, never from here.

use time::Duration;

use super::DiagnoseError;

/// Per-call options of the diagnostic: the search range either side of
/// each arrival, and the longest typing delay to allow for. Everything about
/// acceptance (window, learned drift, last accepted step, drift bound) is
/// the guard's and comes with the [`Guard`](crate::Guard) and state passed
/// to [`diagnose`](super::diagnose).
///
/// Setters take and return the value and refuse values out of range.
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::diagnose::DiagnoseOptions;
/// let options = DiagnoseOptions::default()
///     .with_search_range(time::Duration::hours(30))?
///     .with_typing_delay(time::Duration::seconds(15))?;
/// assert_eq!(options.search_range(), time::Duration::hours(30));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DiagnoseOptions {
    search_range: Duration,
    typing_delay: Duration,
}

impl Default for DiagnoseOptions {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl DiagnoseOptions {
    /// ±26 h: every pair of real UTC offsets (−12 h to +14 h), AM/PM swaps
    /// and a date one day off.
    pub const DEFAULT_SEARCH_RANGE: Duration = Duration::hours(26);
    /// ±48 h.
    pub const MAX_SEARCH_RANGE: Duration = Duration::hours(48);
    /// At most 5,760 steps each side (48 h of 30 s steps): with periods
    /// below 30 s the range searched is cut to this many steps.
    pub const MAX_SEARCH_STEPS: u32 = 5_760;
    /// 20 s: the allowance for reading six digits off the phone and typing
    /// them, which takes most people 5 to 15 s. Every offset interval
    /// assumes it (see [`diagnose`](super::diagnose)): a slower entry looks
    /// like a slow clock and is reported as entered late up to 5 min. A
    /// larger allowance widens every interval, and with it the chance that
    /// wrong codes agree by chance.
    pub const DEFAULT_TYPING_DELAY: Duration = Duration::seconds(20);
    /// 10 min.
    pub const MAX_TYPING_DELAY: Duration = Duration::minutes(10);

    /// Search range ±26 h, typing delay 20 s.
    pub const DEFAULT: Self = Self {
        search_range: Self::DEFAULT_SEARCH_RANGE,
        typing_delay: Self::DEFAULT_TYPING_DELAY,
    };

    /// How far from the server's time to search, either way.
    ///
    /// # Errors
    ///
    /// [`DiagnoseError::SearchRange`] if negative or above
    /// [`DiagnoseOptions::MAX_SEARCH_RANGE`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::diagnose::DiagnoseError> {
    /// use twostep::diagnose::DiagnoseOptions;
    /// let o = DiagnoseOptions::default().with_search_range(time::Duration::hours(2))?;
    /// assert_eq!(o.search_range().whole_hours(), 2);
    /// assert!(o.with_search_range(time::Duration::hours(49)).is_err());
    /// # Ok(()) }
    /// ```
    pub const fn with_search_range(mut self, range: Duration) -> Result<Self, DiagnoseError> {
        let secs = range.whole_seconds();
        let max = Self::MAX_SEARCH_RANGE.whole_seconds();
        if secs < 0 || secs > max {
            return Err(DiagnoseError::SearchRange { secs, max });
        }
        self.search_range = Duration::seconds(secs);
        Ok(self)
    }

    /// The longest time a user may take between reading a code and its
    /// arrival at the server.
    ///
    /// # Errors
    ///
    /// [`DiagnoseError::TypingDelay`] if negative or above
    /// [`DiagnoseOptions::MAX_TYPING_DELAY`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::diagnose::DiagnoseError> {
    /// use twostep::diagnose::DiagnoseOptions;
    /// let o = DiagnoseOptions::default().with_typing_delay(time::Duration::seconds(30))?;
    /// assert_eq!(o.typing_delay().whole_seconds(), 30);
    /// # Ok(()) }
    /// ```
    pub const fn with_typing_delay(mut self, delay: Duration) -> Result<Self, DiagnoseError> {
        let secs = delay.whole_seconds();
        let max = Self::MAX_TYPING_DELAY.whole_seconds();
        if secs < 0 || secs > max {
            return Err(DiagnoseError::TypingDelay { secs, max });
        }
        self.typing_delay = Duration::seconds(secs);
        Ok(self)
    }

    /// The search range either way.
    ///
    /// ```
    /// use twostep::diagnose::DiagnoseOptions;
    /// assert_eq!(DiagnoseOptions::default().search_range().whole_hours(), 26);
    /// ```
    #[must_use]
    pub const fn search_range(&self) -> Duration {
        self.search_range
    }

    /// The longest typing delay allowed for.
    ///
    /// ```
    /// use twostep::diagnose::DiagnoseOptions;
    /// assert_eq!(DiagnoseOptions::default().typing_delay().whole_seconds(), 20);
    /// ```
    #[must_use]
    pub const fn typing_delay(&self) -> Duration {
        self.typing_delay
    }
}
