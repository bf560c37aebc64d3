//! The diagnostic's per-call options.

use time::Duration;

use super::DiagnoseError;
use crate::guard::Policy;
use crate::otp::Window;

/// Per-call options: what a login accepts now (window, learned drift, last
/// accepted step, as the guard holds them), the resync bound, the search
/// range and the longest typing delay to allow for.
///
/// Setters take and return the value; those that can be out of range return
/// a `Result`.
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::{DiagnoseOptions, Window};
/// let options = DiagnoseOptions::default()
///     .with_window(Window::new(2, 1)?)
///     .with_drift(-1)
///     .with_last_accepted_step(Some(56_666_666))
///     .with_search_range(time::Duration::hours(30))?;
/// assert_eq!(options.search_range(), time::Duration::hours(30));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DiagnoseOptions {
    window: Window,
    drift: i64,
    last_accepted_step: Option<u64>,
    resync_bound: u32,
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
    /// 20 s.
    pub const DEFAULT_TYPING_DELAY: Duration = Duration::seconds(20);
    /// 10 min.
    pub const MAX_TYPING_DELAY: Duration = Duration::minutes(10);
    /// ±20 steps (±10 min of 30 s steps).
    pub const DEFAULT_RESYNC_BOUND: u32 = 20;

    /// Window ±1, drift 0, no accepted step, resync bound ±20 steps, search
    /// range ±26 h, typing delay 20 s.
    pub const DEFAULT: Self = Self {
        window: Window::DEFAULT,
        drift: 0,
        last_accepted_step: None,
        resync_bound: Self::DEFAULT_RESYNC_BOUND,
        search_range: Self::DEFAULT_SEARCH_RANGE,
        typing_delay: Self::DEFAULT_TYPING_DELAY,
    };

    /// The options that describe what `guard` accepts for a user in `state`:
    /// its window, the learned drift (clamped to the guard's drift bound, as
    /// the guard clamps it), the last accepted step (for the `Replayed`
    /// verdict, and so that no resync is proposed that the guard would refuse
    /// as a replay) and its drift bound as the resync bound, so that a
    /// proposed [`Diagnosis::resync`] is exactly what [`Guard::resync`](crate::Guard::resync)
    /// would record, and [`Verdict::InSync`] exactly what [`Guard::check`](crate::Guard::check)
    /// would accept. The search range and typing delay keep their defaults.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{DiagnoseOptions, Guard, GuardState, Totp};
    /// let guard = Guard::new(Totp::default());
    /// let state: GuardState = "g1.59859360.2.0.-".parse()?;
    /// let o = DiagnoseOptions::for_guard(&guard, &state);
    /// assert_eq!((o.drift(), o.last_accepted_step()), (2, Some(59_859_360)));
    /// assert_eq!((o.window(), o.resync_bound()), (guard.window(), guard.max_drift()));
    /// let wide: GuardState = "g1.-.50.0.-".parse()?; // stored under a wider bound
    /// assert_eq!(DiagnoseOptions::for_guard(&guard, &wide).drift(), 20); // as the guard clamps it
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn for_guard(guard: &crate::Guard, state: &crate::GuardState) -> Self {
        let drift = Policy::new(guard, state).drift();
        let base = Self::DEFAULT
            .with_window(guard.window())
            .with_drift(drift)
            .with_last_accepted_step(state.last_step());
        // The guard's drift bound (at most 100) is always a valid resync bound.
        match base.with_resync_bound(guard.max_drift()) {
            Ok(options) => options,
            Err(_) => base,
        }
    }

    /// The acceptance rule these options describe, as the guard applies it.
    pub(super) const fn policy(&self) -> Policy {
        Policy::from_parts(
            self.window,
            self.drift,
            self.resync_bound,
            self.last_accepted_step,
        )
    }

    /// The window a login accepts, around the server step plus the drift
    /// and, while the drift is not zero, around the server step itself (as
    /// [`Guard::check`](crate::Guard::check) tries both).
    ///
    /// ```
    /// use twostep::{DiagnoseOptions, Window};
    /// assert_eq!(DiagnoseOptions::default().with_window(Window::EXACT).window(), Window::EXACT);
    /// ```
    #[must_use]
    pub const fn with_window(mut self, window: Window) -> Self {
        self.window = window;
        self
    }

    /// The drift in steps that the guard has learned for this user.
    ///
    /// ```
    /// assert_eq!(twostep::DiagnoseOptions::default().with_drift(2).drift(), 2);
    /// ```
    #[must_use]
    pub const fn with_drift(mut self, steps: i64) -> Self {
        self.drift = steps;
        self
    }

    /// The last step a login accepted, if any: codes at or below it are replays.
    ///
    /// ```
    /// let o = twostep::DiagnoseOptions::default().with_last_accepted_step(Some(7));
    /// assert_eq!(o.last_accepted_step(), Some(7));
    /// ```
    #[must_use]
    pub const fn with_last_accepted_step(mut self, step: Option<u64>) -> Self {
        self.last_accepted_step = step;
        self
    }

    /// The largest drift, in steps either way, that a resync may record.
    ///
    /// # Errors
    ///
    /// [`DiagnoseError::ResyncBound`] above [`DiagnoseOptions::MAX_SEARCH_STEPS`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::DiagnoseError> {
    /// assert_eq!(twostep::DiagnoseOptions::default().with_resync_bound(10)?.resync_bound(), 10);
    /// # Ok(()) }
    /// ```
    pub const fn with_resync_bound(mut self, steps: u32) -> Result<Self, DiagnoseError> {
        if steps > Self::MAX_SEARCH_STEPS {
            return Err(DiagnoseError::ResyncBound {
                steps,
                max: Self::MAX_SEARCH_STEPS,
            });
        }
        self.resync_bound = steps;
        Ok(self)
    }

    /// How far from the server's time to search, either way.
    ///
    /// # Errors
    ///
    /// [`DiagnoseError::SearchRange`] if negative or above
    /// [`DiagnoseOptions::MAX_SEARCH_RANGE`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::DiagnoseError> {
    /// use twostep::DiagnoseOptions;
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
    /// # fn main() -> Result<(), twostep::DiagnoseError> {
    /// use twostep::DiagnoseOptions;
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

    /// The accept window.
    ///
    /// ```
    /// assert_eq!(twostep::DiagnoseOptions::default().window(), twostep::Window::DEFAULT);
    /// ```
    #[must_use]
    pub const fn window(&self) -> Window {
        self.window
    }

    /// The learned drift in steps.
    ///
    /// ```
    /// assert_eq!(twostep::DiagnoseOptions::default().drift(), 0);
    /// ```
    #[must_use]
    pub const fn drift(&self) -> i64 {
        self.drift
    }

    /// The last accepted step.
    ///
    /// ```
    /// assert_eq!(twostep::DiagnoseOptions::default().last_accepted_step(), None);
    /// ```
    #[must_use]
    pub const fn last_accepted_step(&self) -> Option<u64> {
        self.last_accepted_step
    }

    /// The resync bound in steps.
    ///
    /// ```
    /// assert_eq!(twostep::DiagnoseOptions::default().resync_bound(), 20);
    /// ```
    #[must_use]
    pub const fn resync_bound(&self) -> u32 {
        self.resync_bound
    }

    /// The search range either way.
    ///
    /// ```
    /// assert_eq!(twostep::DiagnoseOptions::default().search_range().whole_hours(), 26);
    /// ```
    #[must_use]
    pub const fn search_range(&self) -> Duration {
        self.search_range
    }

    /// The longest typing delay allowed for.
    ///
    /// ```
    /// assert_eq!(twostep::DiagnoseOptions::default().typing_delay().whole_seconds(), 20);
    /// ```
    #[must_use]
    pub const fn typing_delay(&self) -> Duration {
        self.typing_delay
    }
}
