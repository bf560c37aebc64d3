//! RFC 6238 TOTP: [`Totp`], its prepared form [`KeyedTotp`], and [`Match`].

use core::fmt;

use super::VerifyError;
use super::code::Code;
use super::engine::Engine;
use super::hotp::Hotp;
use super::params::{Algorithm, Digits, Period, Window};
use super::scan::{self, Found, nearest_first};
use crate::secret::Secret;
use crate::time::TimeError;
use crate::time::UnixTime;

/// TOTP parameters (RFC 6238): hash, digits, period X and start time T0.
///
/// `Totp::default()` is SHA-1, 6 digits, 30 s, T0 = 0: what every
/// authenticator app uses. Setters take and return the value:
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::{Secret, Totp, UnixTime, Window};
/// use twostep::otp::{Algorithm, Digits, Period};
/// let totp = Totp::default()
///     .with_algorithm(Algorithm::Sha256)
///     .with_digits(Digits::EIGHT)
///     .with_period(Period::new(60)?);
/// let secret = Secret::from_bytes(b"12345678901234567890123456789012")?;
/// let now = UnixTime::from_secs(1_111_111_111);
/// let code = totp.generate(&secret, now)?;
/// let m = totp.verify(&secret, &code.to_string(), now, Window::default())?;
/// assert_eq!((m.step(), m.offset()), (totp.step_at(now)?, 0));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Totp {
    hotp: Hotp,
    period: Period,
    t0: UnixTime,
}

impl Totp {
    /// SHA-1, 6 digits, 30 s, T0 = 0.
    ///
    /// ```
    /// assert_eq!(twostep::Totp::new(), twostep::Totp::default());
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self {
            hotp: Hotp::new(),
            period: Period::DEFAULT,
            t0: UnixTime::EPOCH,
        }
    }

    /// The same parameters with another hash.
    ///
    /// ```
    /// use twostep::Totp;
    /// use twostep::otp::Algorithm;
    /// assert_eq!(Totp::new().with_algorithm(Algorithm::Sha512).algorithm(), Algorithm::Sha512);
    /// ```
    #[must_use]
    pub const fn with_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.hotp = self.hotp.with_algorithm(algorithm);
        self
    }

    /// The same parameters with another digit count.
    ///
    /// ```
    /// use twostep::Totp;
    /// use twostep::otp::Digits;
    /// assert_eq!(Totp::new().with_digits(Digits::EIGHT).digits(), Digits::EIGHT);
    /// ```
    #[must_use]
    pub const fn with_digits(mut self, digits: Digits) -> Self {
        self.hotp = self.hotp.with_digits(digits);
        self
    }

    /// The same parameters with another period.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::otp::ParamError> {
    /// use twostep::Totp;
    /// use twostep::otp::Period;
    /// assert_eq!(Totp::new().with_period(Period::new(60)?).period().as_secs(), 60);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn with_period(mut self, period: Period) -> Self {
        self.period = period;
        self
    }

    /// The same parameters with another start time T0.
    ///
    /// ```
    /// use twostep::{Totp, UnixTime};
    /// assert_eq!(Totp::new().with_t0(UnixTime::from_secs(60)).t0().as_secs(), 60);
    /// ```
    #[must_use]
    pub const fn with_t0(mut self, t0: UnixTime) -> Self {
        self.t0 = t0;
        self
    }

    /// The hash.
    ///
    /// ```
    /// assert_eq!(twostep::Totp::new().algorithm(), twostep::otp::Algorithm::Sha1);
    /// ```
    #[must_use]
    pub const fn algorithm(&self) -> Algorithm {
        self.hotp.algorithm()
    }

    /// The digit count.
    ///
    /// ```
    /// assert_eq!(twostep::Totp::new().digits().get(), 6);
    /// ```
    #[must_use]
    pub const fn digits(&self) -> Digits {
        self.hotp.digits()
    }

    /// The period X.
    ///
    /// ```
    /// assert_eq!(twostep::Totp::new().period().as_secs(), 30);
    /// ```
    #[must_use]
    pub const fn period(&self) -> Period {
        self.period
    }

    /// The start time T0.
    ///
    /// ```
    /// assert_eq!(twostep::Totp::new().t0(), twostep::UnixTime::EPOCH);
    /// ```
    #[must_use]
    pub const fn t0(&self) -> UnixTime {
        self.t0
    }

    /// The HOTP parameters underneath (RFC 6238 §4: TOTP is HOTP over the step).
    ///
    /// ```
    /// assert_eq!(twostep::Totp::new().hotp(), twostep::Hotp::new());
    /// ```
    #[must_use]
    pub const fn hotp(&self) -> Hotp {
        self.hotp
    }

    /// The time step T = ⌊(now − T0) / X⌋ (RFC 6238 §4.2).
    ///
    /// # Errors
    ///
    /// [`TimeError::BeforeT0`] if `now` is before T0.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::time::TimeError> {
    /// use twostep::{Totp, UnixTime};
    /// assert_eq!(Totp::new().step_at(UnixTime::from_secs(59))?, 1);
    /// # Ok(()) }
    /// ```
    pub const fn step_at(&self, now: UnixTime) -> Result<u64, TimeError> {
        match now.as_secs().checked_sub(self.t0.as_secs()) {
            // period >= 1, so the division cannot fail.
            Some(elapsed) => match elapsed.checked_div(self.period.as_secs()) {
                Some(step) => Ok(step),
                None => Err(TimeError::OutOfRange),
            },
            None => Err(TimeError::BeforeT0),
        }
    }

    /// The first second of `step`: T0 + step × X.
    ///
    /// # Errors
    ///
    /// [`TimeError::OutOfRange`] if that is beyond `u64::MAX` seconds.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::time::TimeError> {
    /// use twostep::{Totp, UnixTime};
    /// assert_eq!(Totp::new().step_start(2)?, UnixTime::from_secs(60));
    /// # Ok(()) }
    /// ```
    pub const fn step_start(&self, step: u64) -> Result<UnixTime, TimeError> {
        match step.checked_mul(self.period.as_secs()) {
            Some(offset) => match self.t0.as_secs().checked_add(offset) {
                Some(secs) => Ok(UnixTime::from_secs(secs)),
                None => Err(TimeError::OutOfRange),
            },
            None => Err(TimeError::OutOfRange),
        }
    }

    /// How long the code shown at `now` stays current: from 1 s up to the period.
    ///
    /// # Errors
    ///
    /// [`TimeError::BeforeT0`] if `now` is before T0.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::time::TimeError> {
    /// use twostep::{Totp, UnixTime};
    /// assert_eq!(Totp::new().time_to_next(UnixTime::from_secs(59))?, time::Duration::seconds(1));
    /// assert_eq!(Totp::new().time_to_next(UnixTime::from_secs(60))?, time::Duration::seconds(30));
    /// # Ok(()) }
    /// ```
    pub fn time_to_next(&self, now: UnixTime) -> Result<time::Duration, TimeError> {
        let elapsed = now
            .as_secs()
            .checked_sub(self.t0.as_secs())
            .ok_or(TimeError::BeforeT0)?;
        let period = self.period.as_secs();
        let into = elapsed.checked_rem(period).ok_or(TimeError::OutOfRange)?;
        let left = period.checked_sub(into).ok_or(TimeError::OutOfRange)?;
        // left <= u32::MAX, so it fits an i64.
        Ok(time::Duration::seconds(
            i64::try_from(left).map_err(|_| TimeError::OutOfRange)?,
        ))
    }

    /// Prepares the keyed HMAC state once: each code after that costs two
    /// compressions (SHA-1, SHA-256) instead of four.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Secret, Totp, UnixTime};
    /// let key = Totp::new().key(&Secret::from_bytes(b"12345678901234567890")?);
    /// assert_eq!(key.generate(UnixTime::from_secs(59))?.to_string(), "287082");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn key(&self, secret: &Secret) -> KeyedTotp {
        KeyedTotp {
            totp: *self,
            engine: Engine::new(self.algorithm(), secret.expose_secret()),
        }
    }

    /// The code shown at `now`.
    ///
    /// # Errors
    ///
    /// [`TimeError::BeforeT0`] if `now` is before T0.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Secret, Totp, UnixTime};
    /// use twostep::otp::Digits;
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let totp = Totp::new().with_digits(Digits::EIGHT);
    /// assert_eq!(totp.generate(&secret, UnixTime::from_secs(59))?.to_string(), "94287082"); // RFC 6238 App. B
    /// # Ok(()) }
    /// ```
    pub fn generate(&self, secret: &Secret, now: UnixTime) -> Result<Code, TimeError> {
        self.key(secret).generate(now)
    }

    /// Verifies typed `input` at `now` within `window`. See [`KeyedTotp::verify`].
    ///
    /// # Errors
    ///
    /// [`VerifyError::Malformed`], [`VerifyError::Invalid`] or [`VerifyError::Time`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Secret, Totp, UnixTime, Window};
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let m = Totp::new().verify(&secret, "287 082", UnixTime::from_secs(89), Window::default())?;
    /// assert_eq!((m.step(), m.offset()), (1, -1)); // typed one step late: still accepted
    /// # Ok(()) }
    /// ```
    pub fn verify(
        &self,
        secret: &Secret,
        input: &str,
        now: UnixTime,
        window: Window,
    ) -> Result<Match, VerifyError> {
        let code = Code::parse(input, self.digits())?;
        self.key(secret).verify_code(&code, now, window)
    }
}

/// A TOTP key with its HMAC state prepared. Evaluations cost two compressions
/// (SHA-1 and SHA-256) and never allocate. The state is wiped on drop (best
/// effort) and not shown by `Debug`.
#[derive(Clone)]
pub struct KeyedTotp {
    totp: Totp,
    engine: Engine,
}

impl KeyedTotp {
    /// The parameters.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::secret::SecretError> {
    /// let key = twostep::Totp::new().key(&twostep::Secret::from_bytes(&[1; 20])?);
    /// assert_eq!(key.totp(), twostep::Totp::new());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn totp(&self) -> Totp {
        self.totp
    }

    /// The code shown at `now`.
    ///
    /// # Errors
    ///
    /// [`TimeError::BeforeT0`] if `now` is before T0.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Secret, Totp, UnixTime};
    /// let key = Totp::new().key(&Secret::from_bytes(b"12345678901234567890")?);
    /// assert_eq!(key.generate(UnixTime::from_secs(1_111_111_109))?.to_string(), "081804");
    /// # Ok(()) }
    /// ```
    pub fn generate(&self, now: UnixTime) -> Result<Code, TimeError> {
        Ok(self.code_at_step(self.totp.step_at(now)?))
    }

    /// The code of time step `step`.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Secret, Totp};
    /// let key = Totp::new().key(&Secret::from_bytes(b"12345678901234567890")?);
    /// assert_eq!(key.code_at_step(1).to_string(), "287082");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn code_at_step(&self, step: u64) -> Code {
        self.engine.code(self.totp.digits(), step)
    }

    /// Verifies typed `input` at `now`, accepting `window.behind()` steps into
    /// the past and `window.ahead()` into the future.
    ///
    /// Every step of the window is evaluated and compared in constant time,
    /// whatever matches; if several match (a chance collision), the one
    /// nearest the expected step is reported. Steps below 0 do not exist and
    /// are skipped.
    ///
    /// A bare `verify` does not refuse replays: RFC 6238 §5.2 requires that a
    /// code is accepted only once, so store [`Match::step`] and refuse steps at
    /// or below it, or use the `guard` module, which does.
    ///
    /// # Errors
    ///
    /// [`VerifyError::Malformed`] (no HMAC computed), [`VerifyError::Invalid`],
    /// or [`VerifyError::Time`] if `now` is before T0.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Secret, Totp, UnixTime, Window};
    /// use twostep::otp::VerifyError;
    /// let key = Totp::new().key(&Secret::from_bytes(b"12345678901234567890")?);
    /// let now = UnixTime::from_secs(1_111_111_109);
    /// assert_eq!(key.verify("081804", now, Window::EXACT)?.offset(), 0);
    /// assert_eq!(key.verify("081805", now, Window::default()), Err(VerifyError::Invalid));
    /// # Ok(()) }
    /// ```
    pub fn verify(&self, input: &str, now: UnixTime, window: Window) -> Result<Match, VerifyError> {
        let code = Code::parse(input, self.totp.digits())?;
        self.verify_code(&code, now, window)
    }

    /// As [`KeyedTotp::verify`], for an already parsed [`Code`].
    ///
    /// # Errors
    ///
    /// [`VerifyError::Invalid`] or [`VerifyError::Time`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Secret, Totp, UnixTime, Window};
    /// let key = Totp::new().key(&Secret::from_bytes(b"12345678901234567890")?);
    /// let code = key.code_at_step(10);
    /// let m = key.verify_code(&code, UnixTime::from_secs(9 * 30), Window::new(0, 1)?)?;
    /// assert_eq!((m.step(), m.offset()), (10, 1));
    /// # Ok(()) }
    /// ```
    pub fn verify_code(
        &self,
        code: &Code,
        now: UnixTime,
        window: Window,
    ) -> Result<Match, VerifyError> {
        let expected = self.totp.step_at(now)?;
        self.verify_code_around(code, expected, window)
    }

    /// Verifies `code` within `window` around an explicit `center` step
    /// (for callers that shift the centre, such as by a learned drift).
    /// [`Match::offset`] is relative to `center`.
    ///
    /// # Errors
    ///
    /// [`VerifyError::Invalid`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Secret, Totp, Window};
    /// let key = Totp::new().key(&Secret::from_bytes(b"12345678901234567890")?);
    /// let m = key.verify_code_around(&key.code_at_step(0), 1, Window::DEFAULT)?;
    /// assert_eq!((m.step(), m.offset()), (0, -1));
    /// # Ok(()) }
    /// ```
    pub fn verify_code_around(
        &self,
        code: &Code,
        center: u64,
        window: Window,
    ) -> Result<Match, VerifyError> {
        let steps = nearest_first(center, window.behind(), window.ahead());
        let step = self
            .scan(code, steps, |_| true)
            .fresh()
            .ok_or(VerifyError::Invalid)?;
        Ok(Match::new(step, center))
    }

    /// Codes of several independent steps at once, for wide scans.
    pub(crate) fn codes_at_steps<const N: usize>(&self, steps: [u64; N]) -> [Code; N] {
        self.engine.codes(self.totp.digits(), steps)
    }

    /// The constant-time window scan over `steps` (see `scan.rs`); steps
    /// for which `is_fresh` is false count as spent.
    pub(crate) fn scan(
        &self,
        code: &Code,
        steps: impl Iterator<Item = u64>,
        is_fresh: impl Fn(u64) -> bool,
    ) -> Found {
        scan::scan(&self.engine, self.totp.digits(), code, steps, is_fresh)
    }

    /// The resync pair scan over the consecutive `steps` (see `scan.rs`).
    pub(crate) fn scan_pairs(
        &self,
        pair: &[Code; 2],
        steps: core::ops::RangeInclusive<u64>,
        is_fresh: impl Fn(u64) -> bool,
    ) -> Found {
        scan::scan_pairs(&self.engine, self.totp.digits(), pair, steps, is_fresh)
    }
}

impl fmt::Debug for KeyedTotp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyedTotp")
            .field("totp", &self.totp)
            .finish_non_exhaustive()
    }
}

/// A successful TOTP verification: the step that matched and its offset
/// from the expected step (negative: the code was older than expected).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[must_use = "store step() and refuse it next time, or the code can be replayed"]
pub struct Match {
    step: u64,
    offset: i64,
}

impl Match {
    pub(crate) fn new(step: u64, center: u64) -> Self {
        // Window sides are <= 100, so the difference always fits.
        let offset = if step >= center {
            i64::try_from(step.saturating_sub(center)).unwrap_or(i64::MAX)
        } else {
            i64::try_from(center.saturating_sub(step)).map_or(i64::MIN, i64::saturating_neg)
        };
        Self { step, offset }
    }

    /// The time step whose code matched.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Secret, Totp, UnixTime, Window};
    /// let s = Secret::from_bytes(b"12345678901234567890")?;
    /// assert_eq!(Totp::new().verify(&s, "287082", UnixTime::from_secs(59), Window::EXACT)?.step(), 1);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn step(&self) -> u64 {
        self.step
    }

    /// Matched step minus expected step: −1 means the code was one step old.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Secret, Totp, UnixTime, Window};
    /// let s = Secret::from_bytes(b"12345678901234567890")?;
    /// assert_eq!(Totp::new().verify(&s, "287082", UnixTime::from_secs(30), Window::default())?.offset(), 0);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn offset(&self) -> i64 {
        self.offset
    }
}
