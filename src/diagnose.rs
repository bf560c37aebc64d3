//! The time-sync diagnostic: *why* does a user's code fail?
//!
//! [`diagnose`] takes the code or codes a user typed, each with the server
//! time at which it arrived ([`Observation`]), searches a wide range of time
//! steps (±26 h by default) for them, and answers with a [`Diagnosis`]: a
//! [`Verdict`] (in sync, entered late, phone clock ahead or behind, a
//! time-zone-like offset, replayed, no match, ambiguous, malformed), an
//! estimate of the phone's clock offset with its interval, the probability
//! that a wrong code matched by chance, and, where safe, the drift a guard's
//! resync would record. `Display` writes plain English with the fix.
//!
//! The offset model is documented on [`diagnose`] (this module is private).

use core::fmt;

use subtle::ConstantTimeEq;
use thiserror::Error;
use time::Duration;

use crate::otp::Window;
use crate::otp::{Code, CodeError};
use crate::otp::{KeyedTotp, Totp};
use crate::secret::Secret;
use crate::time::TimeError;
use crate::time::UnixTime;

/// The most observations one diagnosis takes.
pub const MAX_OBSERVATIONS: usize = 8;

/// Matched steps recorded per observation; further matches are only counted.
const HITS_PER_OBSERVATION: usize = 8;

/// Independent steps evaluated per batch, so several hash chains are in flight.
const LANES: usize = 8;

/// Below this size an offset is written in seconds, above in hours and minutes.
const SECONDS_LIMIT: i64 = 5 * 60;

/// A code that a user typed and the server time at which it arrived.
///
/// The typed text is parsed when the diagnosis runs, with the digit count of
/// the [`Totp`]; an already parsed [`Code`] works too.
/// `Debug` does not show the code.
///
/// ```
/// use twostep::{Observation, UnixTime};
/// let typed = Observation::new("123 456", UnixTime::from_secs(1_700_000_000));
/// assert_eq!(typed.at().as_secs(), 1_700_000_000);
/// ```
#[derive(Clone, Copy)]
pub struct Observation<'a> {
    input: Typed<'a>,
    at: UnixTime,
}

#[derive(Clone, Copy)]
enum Typed<'a> {
    Text(&'a str),
    Code(Code),
}

impl<'a> Observation<'a> {
    /// `input` as the user typed it (spaces and hyphens between digits are
    /// fine), arriving at server time `at`.
    ///
    /// ```
    /// use twostep::{Observation, UnixTime};
    /// let o = Observation::new("123-456", UnixTime::from_secs(60));
    /// assert_eq!(o.at(), UnixTime::from_secs(60));
    /// ```
    #[must_use]
    pub const fn new(input: &'a str, at: UnixTime) -> Self {
        Self {
            input: Typed::Text(input),
            at,
        }
    }

    /// An already parsed `code`, arriving at server time `at`.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::CodeError> {
    /// use twostep::{Code, Digits, Observation, UnixTime};
    /// let o = Observation::from_code(Code::parse("123456", Digits::SIX)?, UnixTime::from_secs(60));
    /// assert_eq!(o.at().as_secs(), 60);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn from_code(code: Code, at: UnixTime) -> Observation<'static> {
        Observation {
            input: Typed::Code(code),
            at,
        }
    }

    /// The server time at which the code arrived.
    ///
    /// ```
    /// use twostep::{Observation, UnixTime};
    /// assert_eq!(Observation::new("1", UnixTime::EPOCH).at(), UnixTime::EPOCH);
    /// ```
    #[must_use]
    pub const fn at(&self) -> UnixTime {
        self.at
    }
}

impl fmt::Debug for Observation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Observation")
            .field("at", &self.at)
            .finish_non_exhaustive()
    }
}

/// A diagnosis that cannot run: the caller's input, not the user's, is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum DiagnoseError {
    /// No observation was given.
    #[error("no observations")]
    NoObservations,
    /// More than [`MAX_OBSERVATIONS`] observations.
    #[error("{count} observations exceed the limit of {max}")]
    TooManyObservations {
        /// The number given.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A search range that is negative or above [`DiagnoseOptions::MAX_SEARCH_RANGE`].
    #[error("search range of {secs} s is outside 0 to {max} s")]
    SearchRange {
        /// The requested range in seconds.
        secs: i64,
        /// The largest range in seconds.
        max: i64,
    },
    /// A typing delay that is negative or above [`DiagnoseOptions::MAX_TYPING_DELAY`].
    #[error("typing delay of {secs} s is outside 0 to {max} s")]
    TypingDelay {
        /// The requested delay in seconds.
        secs: i64,
        /// The largest delay in seconds.
        max: i64,
    },
    /// A resync bound above [`DiagnoseOptions::MAX_SEARCH_STEPS`].
    #[error("resync bound of {steps} steps exceeds the maximum of {max}")]
    ResyncBound {
        /// The requested bound in steps.
        steps: u32,
        /// The largest bound in steps.
        max: u32,
    },
    /// An observation time before T0.
    #[error(transparent)]
    Time(#[from] TimeError),
}

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
        let drift = crate::guard::Policy::new(guard, state).drift();
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
    const fn policy(&self) -> crate::guard::Policy {
        crate::guard::Policy::from_parts(
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

/// What a time-zone-like offset most looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ZoneHint {
    /// About ±1 h: a daylight-saving change not applied.
    DaylightSaving,
    /// About ±12 h: AM and PM swapped when the time was set by hand.
    AmPm,
    /// About ±24 h: the date set one day off.
    WrongDate,
    /// Another multiple of 15 min: the wrong time zone with the clock set by hand.
    Zone,
}

/// Which cause of a late code is likelier, judged from the size of the offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LateCause {
    /// Up to a minute beyond the allowed typing delay: typing slowly is likelier.
    TypedLate,
    /// More than a minute: a slow clock is likelier.
    ClockSlow,
}

/// Why the code fails, or that it does not.
///
/// Offsets are device clock minus server clock: positive when the phone is
/// ahead. Match on the variants to write your own text; `Display` of
/// [`Diagnosis`] gives plain English.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Verdict {
    /// The latest code would be accepted now: it matches a step above the
    /// last accepted one, in the window around the server step plus the
    /// learned drift or in the window around the server step itself (the
    /// phone's clock was fixed since the drift was learned), exactly as
    /// [`Guard::check`](crate::Guard::check) decides.
    InSync,
    /// The latest code matches a step a little behind the accepted window:
    /// typed after it expired, or the phone's clock is slightly slow.
    EnteredLate {
        /// The estimated offset (negative).
        offset: Duration,
        /// The likelier of the two causes.
        likely: LateCause,
    },
    /// The phone's clock is ahead of the server's.
    ClockAhead {
        /// The estimated offset (positive).
        offset: Duration,
    },
    /// The phone's clock is behind the server's, by more than a late code explains.
    ClockBehind {
        /// The estimated offset (negative).
        offset: Duration,
    },
    /// An offset of at least 30 min within about ±2 min of a multiple of
    /// 15 min: it looks like a time-zone, daylight-saving, AM/PM or date
    /// mistake (random offsets land in this band too, so the advice is hedged).
    TimeZoneLike {
        /// The estimated offset.
        offset: Duration,
        /// What it looks like.
        hint: ZoneHint,
    },
    /// The latest code would be accepted but for being at or below the last
    /// accepted step: it, or a later one, was already used.
    Replayed,
    /// No step in the search range matches: a different account or secret in
    /// the app, or a mistyped code.
    NoMatch,
    /// The evidence points to several offsets, or the codes disagree: one
    /// more code is needed.
    Ambiguous {
        /// The number of distinct matched steps found.
        candidates: usize,
    },
    /// An observation's input is not a code of the configured shape. No
    /// search ran.
    Malformed {
        /// The position of the observation in the slice given.
        observation: usize,
        /// Why it is not a code.
        error: CodeError,
    },
}

/// The answer of [`diagnose`]: a verdict, the evidence behind it, and
/// advice. `Display` writes plain English for the user and the support desk.
///
/// A diagnosis is not a login: it never changes state and never
/// authenticates. Do not accept a login because of it.
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::{diagnose, DiagnoseOptions, Observation, Secret, Totp, UnixTime, Verdict};
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let totp = Totp::new();
/// let now = UnixTime::from_secs(1_700_000_000);
/// // The phone is 7 minutes ahead: it shows the code of now + 420 s.
/// let shown = totp.generate(&secret, UnixTime::from_secs(1_700_000_000 + 420))?;
/// let d = diagnose(&totp, &secret, &[Observation::from_code(shown, now)], &DiagnoseOptions::default())?;
/// assert!(matches!(d.verdict(), Verdict::ClockAhead { .. }));
/// let (low, high) = d.offset_range().ok_or(twostep::TimeError::OutOfRange)?;
/// assert!(low.whole_seconds() <= 420 && 420 <= high.whole_seconds());
/// println!("{d}");
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Diagnosis {
    verdict: Verdict,
    estimate: Option<(i64, i64)>,
    matched: [Option<u64>; MAX_OBSERVATIONS],
    observations: usize,
    agreeing: usize,
    chance: f64,
    confirmed: bool,
    /// For a clock verdict: the drift to record, or why there is none.
    resync: Option<ResyncAdvice>,
    steps_searched: u64,
    matches_found: u64,
    /// The learned drift, when the latest code fits only the window around
    /// the server step (the clock was fixed since the drift was learned).
    stale_drift: Option<i64>,
    /// Seconds from the latest code's arrival until the first step above the
    /// last accepted one, when that is later than the next code.
    replay_wait: Option<i64>,
}

/// What the advice says about a resync for a clock verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ResyncAdvice {
    /// Two agreeing codes, within the bound, at steps above the last
    /// accepted one: `Guard::resync` would record this drift.
    Record(i64),
    /// The latest code is more steps off than the resync bound.
    BeyondBound,
    /// Its pair (step − 1, step) would touch a spent step.
    Spent,
}

impl Diagnosis {
    /// The verdict.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{diagnose, DiagnoseOptions, Observation, Secret, Totp, UnixTime, Verdict};
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let d = diagnose(&Totp::new(), &secret, &[Observation::new("12x456", UnixTime::from_secs(99))],
    ///     &DiagnoseOptions::default())?;
    /// assert!(matches!(d.verdict(), Verdict::Malformed { observation: 0, .. }));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// The point estimate of the offset (device minus server): the midpoint
    /// of [`Diagnosis::offset_range`]. `None` without a single agreed match.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{diagnose, DiagnoseOptions, Observation, Secret, Totp, UnixTime};
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let totp = Totp::new();
    /// let now = UnixTime::from_secs(1_700_000_000);
    /// let code = totp.generate(&secret, now)?;
    /// let d = diagnose(&totp, &secret, &[Observation::from_code(code, now)], &DiagnoseOptions::default())?;
    /// assert!(d.offset().is_some_and(|o| o.whole_seconds().abs() < 60));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn offset(&self) -> Option<Duration> {
        self.estimate.map(|(lo, hi)| {
            // Midpoint without overflow: lo <= hi, both far from i64 limits.
            Duration::seconds(lo.saturating_add(hi.saturating_sub(lo).wrapping_div(2)))
        })
    }

    /// The interval `(lowest, highest)` that holds the offset, both ends
    /// included, assuming no code took longer than the typing delay to type.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{diagnose, DiagnoseOptions, Observation, Secret, Totp, UnixTime};
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let totp = Totp::new();
    /// let now = UnixTime::from_secs(1_700_000_000);
    /// let code = totp.generate(&secret, now)?;
    /// let d = diagnose(&totp, &secret, &[Observation::from_code(code, now)], &DiagnoseOptions::default())?;
    /// let (low, high) = d.offset_range().ok_or(twostep::TimeError::OutOfRange)?;
    /// assert!(low.is_negative() && high.is_positive());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn offset_range(&self) -> Option<(Duration, Duration)> {
        self.estimate
            .map(|(lo, hi)| (Duration::seconds(lo), Duration::seconds(hi)))
    }

    /// The step each observation matched in the estimate, in the order given
    /// (`None`: it had no part in it).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{diagnose, DiagnoseOptions, Observation, Secret, Totp, UnixTime};
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let totp = Totp::new();
    /// let now = UnixTime::from_secs(1_700_000_000);
    /// let code = totp.generate(&secret, now)?;
    /// let d = diagnose(&totp, &secret, &[Observation::from_code(code, now)], &DiagnoseOptions::default())?;
    /// assert_eq!(d.matched_steps(), [Some(totp.step_at(now)?)]);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn matched_steps(&self) -> &[Option<u64>] {
        self.matched.get(..self.observations).unwrap_or(&[])
    }

    /// How many observations agree on the estimate (0 without one).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use twostep::{diagnose, DiagnoseOptions, Observation, Secret, Totp, UnixTime};
    /// # let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let d = diagnose(&Totp::new(), &secret, &[Observation::new("000000", UnixTime::from_secs(99))],
    ///     &DiagnoseOptions::default().with_search_range(time::Duration::minutes(1))?)?;
    /// assert!(d.agreeing_codes() <= 1);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn agreeing_codes(&self) -> usize {
        self.agreeing
    }

    /// The probability that a wrong code would have produced evidence like
    /// this by chance (assuming uniformly random codes):
    ///
    /// - one code matched anywhere in the range: steps searched × 10^−digits;
    /// - one code matched near now: steps in the near range × 10^−digits;
    /// - codes from *k* different steps agreeing: the first as above, times
    ///   (steps consistent with it × 10^−digits) for each further one.
    ///
    /// For [`Verdict::NoMatch`] and [`Verdict::Ambiguous`] it is the chance
    /// that one wrong code matches somewhere in the range. Capped at 1.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use twostep::{diagnose, DiagnoseOptions, Observation, Secret, Totp, UnixTime};
    /// # let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let d = diagnose(&Totp::new(), &secret, &[Observation::new("000000", UnixTime::from_secs(1_000_000))],
    ///     &DiagnoseOptions::default().with_search_range(time::Duration::minutes(5))?)?;
    /// assert!((d.chance_match() - 21e-6).abs() < 1e-12); // 21 steps, 6 digits
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn chance_match(&self) -> f64 {
        self.chance
    }

    /// Whether the evidence is strong enough to act on: codes from two
    /// different steps agree, or one code matched near now (within the
    /// resync bound or the accept window). A single code that matched far
    /// from now is only a hint: ask for a second code.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use twostep::{diagnose, DiagnoseOptions, Observation, Secret, Totp, UnixTime};
    /// # let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let totp = Totp::new();
    /// let now = UnixTime::from_secs(1_700_000_000);
    /// let hour_ahead = totp.generate(&secret, UnixTime::from_secs(1_700_003_600))?;
    /// let d = diagnose(&totp, &secret, &[Observation::from_code(hour_ahead, now)], &DiagnoseOptions::default())?;
    /// assert!(!d.is_confirmed()); // one code, one hour away: ask for another
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn is_confirmed(&self) -> bool {
        self.confirmed
    }

    /// The drift in steps that a guard's resync would record (the latest
    /// code's matched step minus the server's step at its arrival): given
    /// only when codes from two different steps agree, the latest is not
    /// accepted as it is, the drift lies within the resync bound, and the
    /// pair that ends at the latest code's step lies above the last accepted
    /// step ([`Guard::resync`](crate::Guard::resync) refuses a pair at spent
    /// steps as a replay).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use twostep::{diagnose, DiagnoseOptions, Observation, Secret, Totp, UnixTime};
    /// # let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let totp = Totp::new();
    /// let (t1, t2) = (1_700_000_000, 1_700_000_040);
    /// let seen = |t: u64| totp.generate(&secret, UnixTime::from_secs(t + 150)); // 2.5 min ahead
    /// let obs = [Observation::from_code(seen(t1)?, UnixTime::from_secs(t1)),
    ///            Observation::from_code(seen(t2)?, UnixTime::from_secs(t2))];
    /// let d = diagnose(&totp, &secret, &obs, &DiagnoseOptions::default())?;
    /// assert_eq!(d.resync(), Some(5));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn resync(&self) -> Option<i64> {
        match self.resync {
            Some(ResyncAdvice::Record(drift)) => Some(drift),
            _ => None,
        }
    }

    /// Distinct steps evaluated by the search.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use twostep::{diagnose, DiagnoseOptions, Observation, Secret, Totp, UnixTime};
    /// # let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let d = diagnose(&Totp::new(), &secret, &[Observation::new("123456", UnixTime::from_secs(1_700_000_000))],
    ///     &DiagnoseOptions::default())?;
    /// assert_eq!(d.steps_searched(), 6_241); // ±26 h of 30 s steps
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn steps_searched(&self) -> u64 {
        self.steps_searched
    }

    /// Matches found over all observations, including any not recorded.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// # use twostep::{diagnose, DiagnoseOptions, Observation, Secret, Totp, UnixTime};
    /// # let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let d = diagnose(&Totp::new(), &secret, &[Observation::new("1234567", UnixTime::from_secs(99))],
    ///     &DiagnoseOptions::default())?;
    /// assert_eq!(d.matches_found(), 0); // malformed: nothing searched
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn matches_found(&self) -> u64 {
        self.matches_found
    }
}

/// Diagnoses why the codes a user typed fail; see [`Diagnosis`] for what
/// comes back.
///
/// # The offset model
///
/// The offset δ is *device clock minus server clock*. A code that matches
/// step `s` was on the device's screen at some device instant τ in
/// `[start(s), start(s) + X)`, where `start(s) = T0 + s·X`. The user read it
/// at a server instant `r` no more than the typing delay `d` before it
/// arrived, and the server stamped its arrival `t` in whole seconds (the true
/// arrival lies in `[t, t + 1)`). So `t - d <= r < t + 1` and `τ = r + δ`,
/// which gives
///
/// ```text
/// start(s) - t - 1  <  δ  <  start(s) + X - t + d
/// ```
///
/// The diagnosis reports the closed interval `[start(s) - t - 1,
/// start(s) + X - t + d]`, which holds the offset whether or not it is a
/// whole number of seconds (for whole seconds the tight form is
/// `[start(s) - t, start(s) + X - 1 - t + d]`). Several codes each give such
/// an interval, each already relative to its own arrival time, so the offset
/// lies in their intersection; codes whose intervals do not intersect do not
/// agree. A user who takes longer than `d` to type looks exactly like a
/// phone whose clock is slow by the excess: that is why
/// [`Verdict::EnteredLate`] names both causes.
///
/// # How the verdict is chosen
///
/// - Codes from at least two different steps whose intervals intersect
///   confirm an offset. The group with the most different steps decides; a
///   disjoint group with as many different steps gives
///   [`Verdict::Ambiguous`]. (The same code typed twice is one piece of
///   evidence, not two.) The order in which the codes are given does not
///   matter: the latest arrival is the latest code.
/// - Two or more different codes that do not agree give
///   [`Verdict::Ambiguous`] (one may be mistyped or typed late), never a
///   clock verdict: so a wrong secret is not taken for a clock problem.
/// - A single code is enough when exactly one step within the resync bound
///   (at least ±2 steps) or the accept window matches. A single match
///   farther away is reported with [`Diagnosis::is_confirmed`] false: a hint
///   that asks for a second code. Several matches give
///   [`Verdict::Ambiguous`].
/// - The latest code decides [`Verdict::InSync`] and [`Verdict::Replayed`]
///   (accepted by the window around the learned drift or, as the guard also
///   tries, the window around the server step; above or at/below the last
///   accepted step). Otherwise the offset's midpoint decides:
///   [`Verdict::TimeZoneLike`] (≥ 30 min, within 2 min of a multiple of
///   15 min), [`Verdict::EnteredLate`] (behind by at most 4 steps or 2 min),
///   else [`Verdict::ClockAhead`] or [`Verdict::ClockBehind`].
///
/// Every observation's whole search range is evaluated, in batches of
/// independent steps, with no early exit and no allocation. The diagnosis is
/// pure: it changes no state and does not authenticate.
///
/// # Errors
///
/// [`DiagnoseError::NoObservations`], [`DiagnoseError::TooManyObservations`]
/// above [`MAX_OBSERVATIONS`], and [`DiagnoseError::Time`] for an
/// observation before T0. A typed input that is not a code is not an error
/// but [`Verdict::Malformed`].
///
/// # Security
///
/// A diagnosis reveals at which time a code would have been valid; show it
/// only to the user and your support staff, and rate-limit it like a login.
/// Never log someone in because a diagnosis found their code.
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::{diagnose, DiagnoseOptions, Observation, Secret, Totp, UnixTime, Verdict, ZoneHint};
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let totp = Totp::new();
/// let (t1, t2) = (1_700_000_000, 1_700_000_045);
/// // A phone one hour behind (daylight saving not applied).
/// let seen = |t: u64| totp.generate(&secret, UnixTime::from_secs(t - 3_600));
/// let (typed1, typed2) = (seen(t1)?.to_string(), seen(t2)?.to_string());
/// let obs = [Observation::new(&typed1, UnixTime::from_secs(t1)),
///            Observation::new(&typed2, UnixTime::from_secs(t2))];
/// let d = diagnose(&totp, &secret, &obs, &DiagnoseOptions::default())?;
/// assert!(matches!(d.verdict(), Verdict::TimeZoneLike { hint: ZoneHint::DaylightSaving, .. }));
/// assert!(d.is_confirmed() && d.resync().is_none()); // too far to resync: fix the clock
/// # Ok(()) }
/// ```
pub fn diagnose(
    totp: &Totp,
    secret: &Secret,
    observations: &[Observation<'_>],
    options: &DiagnoseOptions,
) -> Result<Diagnosis, DiagnoseError> {
    match prepare(totp, observations)? {
        Prepared::Malformed(d) => Ok(d),
        Prepared::Ready(p) => Ok(run(&totp.key(secret), &p, options)),
    }
}

/// As [`diagnose`], with the HMAC state already keyed.
///
/// # Errors
///
/// As [`diagnose`].
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::{diagnose_keyed, DiagnoseOptions, Observation, Secret, Totp, UnixTime, Verdict};
/// let key = Totp::new().key(&Secret::from_bytes(b"12345678901234567890")?);
/// let now = UnixTime::from_secs(1_700_000_000);
/// let code = key.generate(now)?;
/// let d = diagnose_keyed(&key, &[Observation::from_code(code, now)], &DiagnoseOptions::default())?;
/// assert_eq!(d.verdict(), Verdict::InSync);
/// # Ok(()) }
/// ```
pub fn diagnose_keyed(
    key: &KeyedTotp,
    observations: &[Observation<'_>],
    options: &DiagnoseOptions,
) -> Result<Diagnosis, DiagnoseError> {
    match prepare(&key.totp(), observations)? {
        Prepared::Malformed(d) => Ok(d),
        Prepared::Ready(p) => Ok(run(key, &p, options)),
    }
}

/// Parsed observations: code, server step and seconds into that step.
struct Ready {
    n: usize,
    codes: [Code; MAX_OBSERVATIONS],
    steps: [u64; MAX_OBSERVATIONS],
    phases: [i64; MAX_OBSERVATIONS],
    distinct_codes: usize,
    period: u64,
    modulus: u64,
}

enum Prepared {
    Malformed(Diagnosis),
    Ready(Ready),
}

fn empty(verdict: Verdict, n: usize) -> Diagnosis {
    Diagnosis {
        verdict,
        estimate: None,
        matched: [None; MAX_OBSERVATIONS],
        observations: n,
        agreeing: 0,
        chance: 0.0,
        confirmed: false,
        resync: None,
        steps_searched: 0,
        matches_found: 0,
        stale_drift: None,
        replay_wait: None,
    }
}

fn prepare(totp: &Totp, observations: &[Observation<'_>]) -> Result<Prepared, DiagnoseError> {
    let n = observations.len();
    if n == 0 {
        return Err(DiagnoseError::NoObservations);
    }
    if n > MAX_OBSERVATIONS {
        return Err(DiagnoseError::TooManyObservations {
            count: n,
            max: MAX_OBSERVATIONS,
        });
    }
    let digits = totp.digits();
    let period = totp.period().as_secs();
    let filler = Code::from_truncated(0, digits);
    let mut codes = [filler; MAX_OBSERVATIONS];
    for (index, (slot, o)) in codes.iter_mut().zip(observations).enumerate() {
        let parsed = match o.input {
            Typed::Text(text) => Code::parse(text, digits),
            Typed::Code(code) if code.digits() == digits => Ok(code),
            Typed::Code(code) => Err(CodeError::WrongLength {
                expected: digits.get(),
                found: code.digits().get() as usize,
            }),
        };
        match parsed {
            Ok(code) => *slot = code,
            Err(error) => {
                let verdict = Verdict::Malformed {
                    observation: index,
                    error,
                };
                return Ok(Prepared::Malformed(empty(verdict, n)));
            }
        }
    }
    let mut steps = [0u64; MAX_OBSERVATIONS];
    let mut phases = [0i64; MAX_OBSERVATIONS];
    for ((step, phase), o) in steps.iter_mut().zip(phases.iter_mut()).zip(observations) {
        *step = totp.step_at(o.at)?;
        let start = totp.step_start(*step)?.as_secs();
        // 0 <= at - start < period <= u32::MAX.
        *phase = i64::try_from(o.at.as_secs().saturating_sub(start)).unwrap_or(0);
    }
    let given = codes.get(..n).unwrap_or(&[]);
    let distinct_codes = given
        .iter()
        .enumerate()
        .filter(|(i, c)| !given.iter().take(*i).any(|d| d == *c))
        .count();
    Ok(Prepared::Ready(Ready {
        n,
        codes,
        steps,
        phases,
        distinct_codes,
        period,
        modulus: digits.modulus(),
    }))
}

/// Matched steps of one observation, fixed capacity; overflow is counted.
#[derive(Clone, Copy)]
struct Hits {
    steps: [u64; HITS_PER_OBSERVATION],
    len: usize,
    total: u64,
}

impl Hits {
    const EMPTY: Self = Self {
        steps: [0; HITS_PER_OBSERVATION],
        len: 0,
        total: 0,
    };

    fn push(&mut self, step: u64) {
        if let Some(slot) = self.steps.get_mut(self.len) {
            *slot = step;
            self.len = self.len.saturating_add(1);
        }
        self.total = self.total.saturating_add(1);
    }

    fn recorded(&self) -> &[u64] {
        self.steps.get(..self.len).unwrap_or(&[])
    }
}

/// Evaluates every step of every observation's range once (overlapping ranges
/// are merged), `N` independent steps per batch, comparing each code with
/// every observation whose range holds the step. Returns the distinct steps
/// evaluated.
fn scan<const N: usize>(
    key: &KeyedTotp,
    p: &Ready,
    reach: u64,
    hits: &mut [Hits; MAX_OBSERVATIONS],
) -> u64 {
    let mut ranges = [(0u64, 0u64); MAX_OBSERVATIONS];
    for (range, &s) in ranges.iter_mut().zip(p.steps.iter()).take(p.n) {
        *range = (s.saturating_sub(reach), s.saturating_add(reach));
    }
    let own = ranges;
    let used = ranges.get_mut(..p.n).unwrap_or(&mut []);
    used.sort_unstable();
    // Merge overlapping or touching ranges in place.
    let mut merged = [(0u64, 0u64); MAX_OBSERVATIONS];
    let mut count = 0usize;
    for &(lo, hi) in used.iter() {
        let last = count.checked_sub(1).and_then(|i| merged.get_mut(i));
        match last {
            Some(prev) if lo <= prev.1.saturating_add(1) => prev.1 = prev.1.max(hi),
            _ => {
                if let Some(slot) = merged.get_mut(count) {
                    *slot = (lo, hi);
                    count = count.saturating_add(1);
                }
            }
        }
    }
    let observed = p.codes.get(..p.n).unwrap_or(&[]);
    let own = own.get(..p.n).unwrap_or(&[]);
    let mut evaluated = 0u64;
    for &(lo, hi) in merged.get(..count).unwrap_or(&[]) {
        let mut base = lo;
        loop {
            let mut batch = [hi; N];
            let mut lanes = 0usize;
            for (lane, slot) in batch.iter_mut().enumerate() {
                if let Some(step) = base.checked_add(lane as u64).filter(|&step| step <= hi) {
                    *slot = step;
                    lanes = lanes.saturating_add(1);
                }
            }
            let codes = key.codes_at_steps(batch);
            for (&step, code) in batch.iter().zip(codes.iter()).take(lanes) {
                for ((observed, &(from, to)), hits) in
                    observed.iter().zip(own.iter()).zip(hits.iter_mut())
                {
                    let hit = code.ct_eq(observed);
                    if (from..=to).contains(&step) && bool::from(hit) {
                        hits.push(step);
                    }
                }
            }
            evaluated = evaluated.saturating_add(lanes as u64);
            match base.checked_add(N as u64) {
                Some(next) if next <= hi => base = next,
                _ => break,
            }
        }
    }
    evaluated
}

/// One matched step of one observation, with the offset interval it implies.
#[derive(Clone, Copy, Default)]
struct Candidate {
    obs: usize,
    step: u64,
    /// Matched step minus the server step at arrival.
    k: i64,
    lo: i64,
    hi: i64,
}

/// Observations agreeing on one offset: one candidate index per observation.
#[derive(Clone, Copy)]
struct Cluster {
    chosen: [Option<usize>; MAX_OBSERVATIONS],
    lo: i64,
    hi: i64,
    distinct_steps: usize,
    agreeing: usize,
}

/// The candidates whose intervals hold `point`, at most one per observation
/// (its first), with their intersection.
fn cluster_at(point: i64, cands: &[Candidate]) -> Cluster {
    let mut chosen = [None; MAX_OBSERVATIONS];
    let (mut lo, mut hi) = (i64::MIN, i64::MAX);
    for (index, c) in cands.iter().enumerate() {
        if let Some(slot @ None) = chosen.get_mut(c.obs)
            && c.lo <= point
            && point <= c.hi
        {
            *slot = Some(index);
            lo = lo.max(c.lo);
            hi = hi.min(c.hi);
        }
    }
    let picked = chosen.iter().flatten().filter_map(|&i| cands.get(i));
    Cluster {
        chosen,
        lo,
        hi,
        distinct_steps: distinct_steps(picked.clone().map(|c| c.step)),
        agreeing: picked.count(),
    }
}

const CANDIDATES: usize = MAX_OBSERVATIONS * HITS_PER_OBSERVATION;

fn run(key: &KeyedTotp, p: &Ready, options: &DiagnoseOptions) -> Diagnosis {
    let period = p.period;
    let period_i = i64::try_from(period).unwrap_or(i64::MAX);
    let delay = options.typing_delay.whole_seconds();
    let range_secs = u64::try_from(options.search_range.whole_seconds()).unwrap_or(0);
    let reach = range_secs
        .div_ceil(period)
        .min(u64::from(DiagnoseOptions::MAX_SEARCH_STEPS));

    let mut hits = [Hits::EMPTY; MAX_OBSERVATIONS];
    let evaluated = scan::<LANES>(key, p, reach, &mut hits);
    let per_observation = reach.saturating_mul(2).saturating_add(1);
    let unit = 1.0 / p.modulus as f64;
    let any_chance = (per_observation as f64 * unit).min(1.0);
    let found: u64 = hits.iter().take(p.n).map(|h| h.total).sum();

    // Candidates with their offset intervals (see the module docs).
    let mut cands = [Candidate::default(); CANDIDATES];
    let mut ncands = 0usize;
    for (obs, h) in hits.iter().enumerate().take(p.n) {
        let server = p.steps.get(obs).copied().unwrap_or(0);
        let phase = p.phases.get(obs).copied().unwrap_or(0);
        for &step in h.recorded() {
            // |k| <= MAX_SEARCH_STEPS, so k * period fits an i64.
            let k = if step >= server {
                i64::try_from(step.saturating_sub(server)).unwrap_or(i64::MAX)
            } else {
                i64::try_from(server.saturating_sub(step))
                    .unwrap_or(i64::MAX)
                    .saturating_neg()
            };
            let start_minus_t = k.saturating_mul(period_i).saturating_sub(phase);
            let lo = start_minus_t.saturating_sub(1);
            let hi = start_minus_t.saturating_add(period_i).saturating_add(delay);
            if let Some(slot) = cands.get_mut(ncands) {
                *slot = Candidate {
                    obs,
                    step,
                    k,
                    lo,
                    hi,
                };
                ncands = ncands.saturating_add(1);
            }
        }
    }
    let cands = cands.get(..ncands).unwrap_or(&[]);

    let mut d = empty(Verdict::NoMatch, p.n);
    d.steps_searched = evaluated;
    d.matches_found = found;
    d.chance = any_chance;
    if cands.is_empty() {
        return d;
    }
    let distinct_all = distinct_steps(cands.iter().map(|c| c.step));

    // Agreement: a set of intervals intersects iff the largest lower end lies
    // in all of them, so anchoring at every lower end finds every cluster.
    // The best has the most distinct steps, then the most codes (ties, which
    // need one code to match two steps, go to the latest interval); another
    // cluster with as many distinct steps that does not overlap it is a rival.
    // Both passes look at every cluster, so the order of the codes given
    // does not matter.
    let clusters = || {
        cands
            .iter()
            .map(|anchor| cluster_at(anchor.lo, cands))
            .filter(|c| c.distinct_steps >= 2)
    };
    let best = clusters().max_by_key(|c| (c.distinct_steps, c.agreeing, c.lo, c.hi));
    let rival = best.is_some_and(|b| {
        clusters().any(|c| c.distinct_steps == b.distinct_steps && (c.hi < b.lo || b.hi < c.lo))
    });

    if let Some(cluster) = best {
        if rival {
            d.verdict = Verdict::Ambiguous {
                candidates: distinct_all,
            };
            return d;
        }
        // The first code could match anywhere; each further step must land on
        // one of the few steps consistent with the intersection so far.
        let consistent = (2u64
            .saturating_mul(period.saturating_add(u64::try_from(delay).unwrap_or(0)))
            .saturating_add(2))
        .div_ceil(period)
        .saturating_add(1);
        let mut chance = any_chance;
        for _ in 1..cluster.distinct_steps {
            chance *= (consistent as f64 * unit).min(1.0);
        }
        for (slot, chosen) in d.matched.iter_mut().zip(cluster.chosen.iter()) {
            *slot = chosen.and_then(|i| cands.get(i)).map(|c| c.step);
        }
        d.estimate = Some((cluster.lo, cluster.hi));
        d.agreeing = cluster.agreeing;
        d.chance = chance;
        d.confirmed = true;
        // The latest observation that took part decides acceptance.
        let latest = latest_chosen(p, &cluster.chosen, cands);
        if let Some(c) = latest {
            d.verdict = classify(c, (cluster.lo, cluster.hi), options, period_i);
            settle(&mut d, c, p, options);
            advise_resync(&mut d, c, options, true);
        }
        return d;
    }

    // No two different steps agree.
    if p.distinct_codes >= 2 {
        d.verdict = Verdict::Ambiguous {
            candidates: distinct_all,
        };
        return d;
    }
    // One code (perhaps typed more than once): near matches are evidence,
    // far ones a hint. Use each step's candidate from the latest observation.
    let near_bound = i64::from(options.resync_bound.max(2));
    let is_near = |c: &Candidate| c.k.abs() <= near_bound || accepts(options, c.k);
    let near = distinct_steps(cands.iter().filter(|c| is_near(c)).map(|c| c.step));
    let pick = |want_near: bool| {
        cands
            .iter()
            .filter(|c| is_near(c) == want_near)
            .max_by_key(|c| p_at(p, c.obs))
            .copied()
    };
    let (chosen, confirmed, chance) = match (near, distinct_all) {
        (1, _) => {
            // Accepted offsets beyond the near range: the learned window's,
            // then the home window's that the learned one does not hold.
            let window = options.window;
            let sides = i64::from(window.behind()).saturating_neg()..=i64::from(window.ahead());
            let learned = sides
                .clone()
                .filter(|w| {
                    w.saturating_add(options.drift).unsigned_abs() > near_bound.unsigned_abs()
                })
                .count();
            let home = sides
                .filter(|&w| {
                    w.abs() > near_bound && !window.contains(w.saturating_sub(options.drift))
                })
                .count();
            let window_steps = learned.saturating_add(home);
            let size = (near_bound.unsigned_abs())
                .saturating_mul(2)
                .saturating_add(1)
                .saturating_add(window_steps as u64);
            (pick(true), true, (size as f64 * unit).min(1.0))
        }
        (0, 1) => (pick(false), false, any_chance),
        _ => (None, false, any_chance),
    };
    d.chance = chance;
    match chosen {
        Some(c) => {
            if let Some(slot) = d.matched.get_mut(c.obs) {
                *slot = Some(c.step);
            }
            d.estimate = Some((c.lo, c.hi));
            d.agreeing = 1;
            d.confirmed = confirmed;
            d.verdict = classify(&c, (c.lo, c.hi), options, period_i);
            settle(&mut d, &c, p, options);
            // One code is not a pair for `Guard::resync`: propose nothing.
            advise_resync(&mut d, &c, options, false);
        }
        None => {
            d.verdict = Verdict::Ambiguous {
                candidates: distinct_all,
            };
        }
    }
    d
}

/// Arrival order key of an observation: its server step then phase.
fn p_at(p: &Ready, obs: usize) -> (u64, i64, usize) {
    (
        p.steps.get(obs).copied().unwrap_or(0),
        p.phases.get(obs).copied().unwrap_or(0),
        obs,
    )
}

fn latest_chosen<'c>(
    p: &Ready,
    chosen: &[Option<usize>; MAX_OBSERVATIONS],
    cands: &'c [Candidate],
) -> Option<&'c Candidate> {
    chosen
        .iter()
        .flatten()
        .filter_map(|&i| cands.get(i))
        .max_by_key(|c| p_at(p, c.obs))
}

fn distinct_steps(steps: impl Iterator<Item = u64> + Clone) -> usize {
    steps
        .clone()
        .enumerate()
        .filter(|&(i, s)| !steps.clone().take(i).any(|t| t == s))
        .count()
}

/// Whether a login would take a code at offset `k` from the server step,
/// spent steps aside: inside the window around the learned drift, or around
/// the server step itself, as `Guard::check` tries both.
fn accepts(options: &DiagnoseOptions, k: i64) -> bool {
    options.policy().tries(k)
}

/// The details behind an `InSync` or `Replayed` verdict for the latest code
/// `c`: a drift the code shows to be stale, and how long spent steps last.
fn settle(d: &mut Diagnosis, c: &Candidate, p: &Ready, options: &DiagnoseOptions) {
    match d.verdict {
        Verdict::InSync if !options.policy().in_learned_window(c.k) => {
            d.stale_drift = Some(options.drift);
        }
        Verdict::Replayed => {
            let server = p.steps.get(c.obs).copied().unwrap_or(0);
            let phase = p.phases.get(c.obs).copied().unwrap_or(0);
            // Spent steps reach past the arrival step: the next code is spent too.
            if let Some(ahead) = options
                .last_accepted_step
                .and_then(|last| last.checked_sub(server))
                .filter(|&ahead| ahead > 0)
            {
                let period = i64::try_from(p.period).unwrap_or(i64::MAX);
                let steps = i64::try_from(ahead).unwrap_or(i64::MAX).saturating_add(1);
                d.replay_wait = Some(steps.saturating_mul(period).saturating_sub(phase));
            }
        }
        _ => {}
    }
}

/// For a clock verdict on the latest code `c`: the resync to propose (only
/// with two agreeing codes, `pair`), or why there is none.
fn advise_resync(d: &mut Diagnosis, c: &Candidate, options: &DiagnoseOptions, pair: bool) {
    if matches!(d.verdict, Verdict::InSync | Verdict::Replayed) {
        return;
    }
    let policy = options.policy();
    if !policy.resync_reaches(c.k) {
        d.resync = Some(ResyncAdvice::BeyondBound);
    } else if pair {
        // Guard::resync refuses a pair (step − 1, step) touching a spent
        // step: propose only what it would record.
        d.resync = Some(if policy.pair_is_fresh(c.step) {
            ResyncAdvice::Record(c.k)
        } else {
            ResyncAdvice::Spent
        });
    }
}

/// The verdict for the latest matching code `c` and the offset interval.
fn classify(
    c: &Candidate,
    (lo, hi): (i64, i64),
    options: &DiagnoseOptions,
    period: i64,
) -> Verdict {
    if accepts(options, c.k) {
        return match options.last_accepted_step {
            Some(last) if c.step <= last => Verdict::Replayed,
            _ => Verdict::InSync,
        };
    }
    let mid = lo.saturating_add(hi.saturating_sub(lo).wrapping_div(2));
    let offset = Duration::seconds(mid);
    const QUARTER: i64 = 15 * 60;
    let nearest = mid
        .saturating_add(QUARTER.wrapping_div(2).wrapping_mul(mid.signum()))
        .wrapping_div(QUARTER)
        .saturating_mul(QUARTER);
    if nearest.abs() >= 30 * 60 && mid.saturating_sub(nearest).abs() <= 2 * 60 {
        let hint = match nearest.abs() {
            3_600 => ZoneHint::DaylightSaving,
            43_200 => ZoneHint::AmPm,
            86_400 => ZoneHint::WrongDate,
            _ => ZoneHint::Zone,
        };
        return Verdict::TimeZoneLike { offset, hint };
    }
    let late_limit = period.saturating_mul(4).max(120);
    if mid < 0 && mid >= late_limit.saturating_neg() {
        let likely = if mid >= -60 {
            LateCause::TypedLate
        } else {
            LateCause::ClockSlow
        };
        return Verdict::EnteredLate { offset, likely };
    }
    let ahead = mid > 0 || (mid == 0 && c.k > options.drift);
    if ahead {
        Verdict::ClockAhead { offset }
    } else {
        Verdict::ClockBehind { offset }
    }
}

/// An offset in words: seconds below 5 min, hours and minutes above.
struct Span(i64);

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.unsigned_abs();
        if secs < SECONDS_LIMIT.unsigned_abs() {
            let unit = if secs == 1 { "second" } else { "seconds" };
            return write!(f, "{secs} {unit}");
        }
        let minutes = secs.saturating_add(30) / 60;
        let (h, m) = (minutes / 60, minutes % 60);
        let plural = |n: u64| if n == 1 { "" } else { "s" };
        match (h, m) {
            (0, m) => write!(f, "{m} minute{}", plural(m)),
            (h, 0) => write!(f, "{h} hour{}", plural(h)),
            (h, m) => write!(f, "{h} hour{} {m} minute{}", plural(h), plural(m)),
        }
    }
}

/// The direction of a time-zone-like offset (at least 28 min, never 0).
fn direction(secs: i64) -> &'static str {
    if secs < 0 { "behind" } else { "ahead of" }
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const AUTO_TIME: &str = "turn on automatic date & time (and automatic time zone) in the \
                                 phone's settings, then try a fresh code";
        let hedge = if self.confirmed { "" } else { "possibly " };
        match self.verdict {
            Verdict::InSync => f.write_str(
                "The code is right for the current time and would be accepted now. If logging \
                 in still fails, check that the app shows the code for this account and \
                 this service.",
            )?,
            Verdict::Replayed => match self.replay_wait {
                Some(wait) => write!(
                    f,
                    "This code counts as already used, and a code works only once: a login \
                     already used a code from further ahead (the phone's clock was ahead \
                     then), and every code up to that one stays spent until about {} after \
                     this one arrived. Fix: wait that long, then type a fresh code; no resync \
                     is needed.",
                    Span(wait)
                )?,
                None => f.write_str(
                    "This code was already used to log in, and a code works only once. Fix: \
                     wait for the next code to appear in the app and type that one.",
                )?,
            },
            Verdict::EnteredLate { offset, likely } => {
                let secs = offset.whole_seconds();
                let which = match likely {
                    LateCause::TypedLate => "for a gap this small, typing late is the likelier",
                    LateCause::ClockSlow => "for a gap this large, a slow clock is the likelier",
                };
                write!(
                    f,
                    "The code had {hedge}already expired when it arrived: it belongs about {} \
                     in the past. Either it was typed after it expired, or the phone's clock \
                     is slightly slow; {which} cause. Fix: type the code as soon as it \
                     appears, or wait for a fresh one; if it keeps happening, {AUTO_TIME}.",
                    Span(secs)
                )?;
            }
            Verdict::ClockAhead { offset } | Verdict::ClockBehind { offset } => {
                // The verdict, not the sign, gives the direction: an offset
                // of 0 s is "behind" when the code was a step behind.
                let direction = if matches!(self.verdict, Verdict::ClockAhead { .. }) {
                    "ahead of"
                } else {
                    "behind"
                };
                write!(
                    f,
                    "The phone's clock is {hedge}about {} {direction} the server's, so it \
                     shows codes for the wrong time. Fix: {AUTO_TIME}.",
                    Span(offset.whole_seconds()),
                )?;
            }
            Verdict::TimeZoneLike { offset, hint } => {
                let secs = offset.whole_seconds();
                let looks = match hint {
                    ZoneHint::DaylightSaving => {
                        "a daylight-saving change that the phone did not apply"
                    }
                    ZoneHint::AmPm => "the time set by hand with AM and PM swapped",
                    ZoneHint::WrongDate => "the date set by hand one day off",
                    ZoneHint::Zone => "the wrong time zone with the clock set by hand",
                };
                write!(
                    f,
                    "The phone's clock is {hedge}about {} {} the server's. That looks like \
                     {looks}. Fix: check the time zone and {AUTO_TIME}.",
                    Span(secs),
                    direction(secs)
                )?;
            }
            Verdict::NoMatch => f.write_str(
                "The code does not match this account at any time near now. Likely the app \
                 shows the code of a different account, the code was mistyped, or the app \
                 holds an old key (for example from an earlier setup). Fix: check the account \
                 name in the app and type the code again; if it still fails, re-scan the QR \
                 code (set up two-step verification again) or log in with a backup code.",
            )?,
            Verdict::Ambiguous { candidates } => write!(
                f,
                "The evidence does not point to one clock offset ({candidates} possible \
                 matches, or codes that disagree). Fix: type one more fresh code as soon as it \
                 appears, and diagnose it together with the first.",
            )?,
            Verdict::Malformed { observation, error } => write!(
                f,
                "Entry {} is not a code ({error}). Fix: type only the digits that the app \
                 shows.",
                observation.saturating_add(1)
            )?,
        }
        if let Some((lo, hi)) = self.estimate {
            let mid = lo.saturating_add(hi.saturating_sub(lo).wrapping_div(2));
            write!(
                f,
                "\nFor support: estimated offset (phone minus server) {}{} s, between {lo} s \
                 and {hi} s, from {} code{}; chance that a wrong code fits like this: about {}.",
                if mid > 0 { "+" } else { "" },
                mid,
                self.agreeing,
                if self.agreeing == 1 { "" } else { "s" },
                Odds(self.chance)
            )?;
            if !self.confirmed {
                f.write_str(
                    " One code this far from now can match by chance: ask for a second code \
                     before acting on this.",
                )?;
            }
            match self.resync {
                Some(ResyncAdvice::Record(drift)) => write!(
                    f,
                    " A resync can record a drift of {drift} step{} so that logins work \
                     meanwhile; still fix the phone's clock.",
                    if drift.unsigned_abs() == 1 { "" } else { "s" }
                )?,
                Some(ResyncAdvice::BeyondBound) => f.write_str(
                    " This is beyond what the server can compensate: the phone's clock must be \
                     fixed.",
                )?,
                Some(ResyncAdvice::Spent) => f.write_str(
                    " A resync cannot use these codes: a login already used a code from a later \
                     time. Fix the phone's clock.",
                )?,
                None => {}
            }
            if let Some(drift) = self.stale_drift {
                write!(
                    f,
                    " The server still holds a learned drift of {drift} step{} from when the \
                     phone's clock was off; this code fits the server's own time (the clock has \
                     been fixed), so logging in with it resets the drift.",
                    if drift.unsigned_abs() == 1 { "" } else { "s" }
                )?;
            }
        } else if matches!(self.verdict, Verdict::NoMatch | Verdict::Ambiguous { .. }) {
            write!(
                f,
                "\nFor support: searched {} time steps; chance that one wrong code matches \
                 somewhere in them: about {}.",
                self.steps_searched,
                Odds(self.chance)
            )?;
        }
        Ok(())
    }
}

/// A probability in words: "1 in N".
struct Odds(f64);

impl fmt::Display for Odds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 >= 0.5 {
            return f.write_str("even or worse");
        }
        if self.0 <= 0.0 {
            return f.write_str("none");
        }
        let n = 1.0 / self.0;
        if n >= 1e15 {
            return f.write_str("less than 1 in a million billion");
        }
        // Two significant figures.
        let mut scale = 1u64;
        #[allow(clippy::cast_possible_truncation)] // 1 <= n < 1e15: fits, fraction dropped
        let mut rounded = n as u64;
        while rounded >= 100 {
            rounded /= 10;
            scale = scale.saturating_mul(10);
        }
        write!(f, "1 in {}", rounded.saturating_mul(scale))
    }
}
