//! The login policy around TOTP checks: replay refusal (RFC 6238 §5.2),
//! drift learning (RFC 6238 §6) and throttling (RFC 4226 §7.3, NIST SP
//! 800-63B §5.2.2), as pure transitions over a small per-user [`State`].
//!
//! [`Guard`] is the policy, [`Throttle`] its back-off schedule, [`State`]
//! the value the application stores per user, and [`Outcome`] what a check
//! decided. Nothing here reads a clock or keeps state of its own.

mod check;
mod error;
mod gate;
mod key;
mod outcome;
mod policy;
mod state;
#[cfg(test)]
mod tests;
mod throttle;

pub use error::{ConfigError, StateError};
pub use key::{Key, Prepared};
pub use outcome::Outcome;
pub(crate) use policy::Policy;
pub use state::State;
pub use throttle::{Blocked, Throttle};

use crate::otp::{Period, Totp, Window};
use crate::secret::Secret;
use throttle::small;

/// The login policy around TOTP: a window, a drift bound and a [`Throttle`].
///
/// [`Guard::check`] turns `(secret, input, now, state)` into an [`Outcome`]
/// and the next [`State`]. It refuses replays (RFC 6238 §5.2: a step at
/// or below the last accepted one is [`Outcome::Replayed`]), learns the
/// device's clock drift (RFC 6238 §6) and throttles guessing (RFC 4226 §7.3).
/// It reads no clock and keeps no state: everything comes in as arguments.
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::{Guard, Secret, Totp, UnixTime, Window};
/// use twostep::guard::{State, Outcome, Throttle};
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let guard = Guard::new(Totp::default())
///     .with_window(Window::new(1, 1)?)
///     .with_max_drift(20)?
///     .with_throttle(Throttle::DEFAULT);
/// let state: State = "g1.-.0.0.-".parse()?; // as stored for this user
///
/// let now = UnixTime::from_secs(1_111_111_109);
/// let (outcome, state) = guard.check(&secret, "081804", now, &state)?;
/// assert!(outcome.is_accepted());
/// let (again, state) = guard.check(&secret, "081804", now, &state)?;
/// assert_eq!(again, Outcome::Replayed); // refused, but not counted as a failure
/// assert_eq!(state.failures(), 0);
/// # Ok(()) }
/// ```
///
/// # Order of a check
///
/// 1. Throttled or locked ([`Guard::blocked`]): refused before the input is
///    parsed or any HMAC computed; nothing is counted (the state changes
///    only where [`Guard::cap_back_off`] says).
/// 2. Malformed input: [`Outcome::Malformed`], counted as a failure.
/// 3. Every step of the window centred on the current step plus the learned
///    drift, and, while that drift is not zero, of the same window centred
///    on the current step itself (the *home* window), is evaluated once and
///    compared in constant time, in one pass with no early exit. A match at a
///    step above the last accepted one is [`Outcome::Accepted`] (the step
///    nearest the learned centre wins, then the one nearest the current
///    step); a match only at spent steps is [`Outcome::Replayed`], not
///    counted (a right code typed twice, by a double submit for instance,
///    tells a guesser nothing, and must not throttle the user who just
///    signed in); no match is [`Outcome::Invalid`], counted as a failure.
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
/// use twostep::{Guard, Secret, Totp, UnixTime};
/// use twostep::guard::State;
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let guard = Guard::new(Totp::new());
/// let phone = guard.key(&secret);
/// let now = UnixTime::from_secs(1_000_000_000);
/// let step = guard.totp().step_at(now)?;
/// // A resync learned that the phone ran 6 steps (3 minutes) fast.
/// let stale: State = format!("g1.{}.6.0.-", step + 6).parse()?;
/// // Seven steps later the clock is fixed: its code is at the server's step.
/// let code = phone.code_at_step(step + 7).to_string();
/// let later = guard.totp().step_start(step + 7)?;
/// let (outcome, state) = guard.check(&secret, &code, later, &stale)?;
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
/// use twostep::{Guard, Secret, Totp, UnixTime};
/// use twostep::guard::{State, Outcome};
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let guard = Guard::new(Totp::new());
/// let now = UnixTime::from_secs(1_111_111_109);
/// let mut stored = State::new().to_string(); // the database column
///
/// let old: State = stored.parse()?; // both requests read the same row
/// let (a, new_a) = guard.check(&secret, "081804", now, &old)?;
/// let (b, new_b) = guard.check(&secret, "081804", now, &old)?;
/// assert!(a.is_accepted() && b.is_accepted()); // neither may act on it yet
///
/// let mut cas = |old: &State, new: &State| {
///     let won = stored == old.to_string();
///     if won { stored = new.to_string(); }
///     won
/// };
/// assert!(cas(&old, &new_a)); // request A wins: it logs the user in
/// assert!(!cas(&old, &new_b)); // request B lost the race: retry
/// let (b, _) = guard.check(&secret, "081804", now, &stored.parse()?)?;
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
    /// use twostep::{Guard, Totp, Window};
    /// use twostep::guard::Throttle;
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
    /// # fn main() -> Result<(), twostep::otp::ParamError> {
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
    /// [`ConfigError::MaxDrift`] above [`Guard::MAX_DRIFT_STEPS`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::guard::ConfigError> {
    /// use twostep::{Guard, Totp};
    /// assert_eq!(Guard::new(Totp::new()).with_max_drift(4)?.max_drift(), 4);
    /// assert!(Guard::new(Totp::new()).with_max_drift(101).is_err());
    /// # Ok(()) }
    /// ```
    pub const fn with_max_drift(mut self, steps: u32) -> Result<Self, ConfigError> {
        match small(steps, 0, Self::MAX_DRIFT_STEPS) {
            Some(v) => {
                self.max_drift = v;
                Ok(self)
            }
            None => Err(ConfigError::MaxDrift { steps }),
        }
    }

    /// The same policy with another throttle.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::guard::ConfigError> {
    /// use twostep::{Guard, Totp};
    /// use twostep::guard::Throttle;
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
    /// # fn main() -> Result<(), twostep::otp::ParamError> {
    /// use twostep::{Guard, Totp};
    /// use twostep::otp::Period;
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
    /// assert_eq!(twostep::Guard::new(twostep::Totp::new()).throttle(), twostep::guard::Throttle::DEFAULT);
    /// ```
    #[must_use]
    pub const fn throttle(&self) -> Throttle {
        self.throttle
    }

    /// Prepares the HMAC key of `secret` with this guard's TOTP parameters,
    /// for several [`Guard::check`] or [`Guard::resync`] calls in a row.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::secret::SecretError> {
    /// use twostep::{Guard, Secret, Totp};
    /// let guard = Guard::new(Totp::new());
    /// assert_eq!(guard.key(&Secret::from_bytes(&[7; 20])?).totp(), guard.totp());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn key<'a>(&self, secret: &'a Secret) -> Prepared<'a> {
        Prepared::new(self.totp, secret)
    }
}

impl Default for Guard {
    /// `Guard::new(Totp::default())`.
    fn default() -> Self {
        Self::new(Totp::new())
    }
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
    #[expect(clippy::cast_possible_truncation, reason = "<= 100")]
    {
        steps as u8
    }
}
