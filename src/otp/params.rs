//! Validated parameters: [`Algorithm`], [`Digits`], [`Period`], [`Window`], [`LookAhead`].

use core::fmt;
use core::str::FromStr;

use thiserror::Error;

/// A parameter outside its valid range.
///
/// ```
/// use twostep::Window;
/// use twostep::otp::{Digits, ParamError};
/// assert_eq!(Digits::new(5), Err(ParamError::Digits { digits: 5 }));
/// assert_eq!(Window::new(0, 101), Err(ParamError::Window { steps: 101, max: 100 }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum ParamError {
    /// Digits outside `Digits::MIN..=Digits::MAX`.
    #[error("digits must be between 6 and 10, got {digits}")]
    Digits {
        /// The requested number of digits.
        digits: u32,
    },
    /// A period of zero, or above `Period::MAX`.
    #[error("period must be between 1 and 4294967295 seconds, got {secs}")]
    Period {
        /// The requested period in seconds.
        secs: u64,
    },
    /// A window or look-ahead wider than `Window::MAX_STEPS` on one side.
    #[error("window of {steps} steps exceeds the maximum of {max}")]
    Window {
        /// The requested number of steps.
        steps: u64,
        /// The largest number of steps allowed on each side.
        max: u64,
    },
}

/// The HMAC hash function (RFC 6238 §1.2).
///
/// SHA-1 is the RFC 4226 default and the only one every authenticator app
/// supports; HMAC-SHA-1 remains sound for OTPs (collision attacks on SHA-1 do
/// not apply to HMAC).
///
/// ```
/// use twostep::otp::Algorithm;
/// assert_eq!(Algorithm::default(), Algorithm::Sha1);
/// assert_eq!("sha256".parse(), Ok(Algorithm::Sha256));
/// assert_eq!(Algorithm::Sha512.to_string(), "SHA512");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC-SHA-1 (the default).
    #[default]
    Sha1,
    /// HMAC-SHA-256.
    Sha256,
    /// HMAC-SHA-512.
    Sha512,
}

impl Algorithm {
    /// The name used in `otpauth://` URIs: `SHA1`, `SHA256` or `SHA512`.
    ///
    /// ```
    /// assert_eq!(twostep::otp::Algorithm::Sha1.as_str(), "SHA1");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not `SHA1`, `SHA256` or `SHA512` (any case, optional hyphen).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("unknown algorithm")]
#[non_exhaustive]
pub struct UnknownAlgorithm;

impl FromStr for Algorithm {
    type Err = UnknownAlgorithm;

    /// Accepts `SHA1`, `SHA256`, `SHA512` in any case, with or without a hyphen.
    fn from_str(s: &str) -> Result<Self, UnknownAlgorithm> {
        let eq = |name: &str| {
            s.eq_ignore_ascii_case(name)
                || (s.len() == name.len().saturating_add(1)
                    && s.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("SHA"))
                    && s.get(3..4) == Some("-")
                    && s.get(4..).is_some_and(|r| name.get(3..) == Some(r)))
        };
        if eq("SHA1") {
            Ok(Self::Sha1)
        } else if eq("SHA256") {
            Ok(Self::Sha256)
        } else if eq("SHA512") {
            Ok(Self::Sha512)
        } else {
            Err(UnknownAlgorithm)
        }
    }
}

/// The number of decimal digits in a code: 6 to 10 (6 by default).
///
/// RFC 4226 requires 6 to 8. 9 and 10 are **non-standard** extensions that
/// some verifiers accept; few authenticator apps can display them. With
/// dynamic truncation yielding 31 bits, 10 digits carry at most about
/// 9.3 decimal digits of entropy.
///
/// ```
/// # fn main() -> Result<(), twostep::otp::ParamError> {
/// use twostep::otp::Digits;
/// assert_eq!(Digits::default().get(), 6);
/// assert_eq!(Digits::new(8)?.get(), 8);
/// assert!(Digits::new(5).is_err());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digits(u8);

impl Digits {
    /// The fewest digits: 6.
    pub const MIN: Self = Self(6);
    /// The most digits: 10 (non-standard above 8).
    pub const MAX: Self = Self(10);
    /// The default: 6.
    pub const DEFAULT: Self = Self(6);
    /// Six digits.
    pub const SIX: Self = Self(6);
    /// Eight digits.
    pub const EIGHT: Self = Self(8);

    /// Validates a digit count.
    ///
    /// # Errors
    ///
    /// [`ParamError::Digits`] outside 6..=10.
    ///
    /// ```
    /// assert!(twostep::otp::Digits::new(10).is_ok());
    /// assert!(twostep::otp::Digits::new(11).is_err());
    /// ```
    pub const fn new(digits: u32) -> Result<Self, ParamError> {
        if digits >= Self::MIN.0 as u32 && digits <= Self::MAX.0 as u32 {
            #[expect(clippy::cast_possible_truncation, reason = "checked just above")]
            Ok(Self(digits as u8))
        } else {
            Err(ParamError::Digits { digits })
        }
    }

    /// The digit count.
    ///
    /// ```
    /// assert_eq!(twostep::otp::Digits::EIGHT.get(), 8);
    /// ```
    #[must_use]
    pub const fn get(self) -> u32 {
        self.0 as u32
    }

    /// `10^digits`, the modulus of the truncated HMAC value.
    #[must_use]
    pub(crate) const fn modulus(self) -> u64 {
        // 10^10 < 2^34: no overflow for any valid value.
        let mut m = 1u64;
        let mut i = 0;
        while i < self.0 {
            m = m.saturating_mul(10);
            i = i.saturating_add(1);
        }
        m
    }
}

impl Default for Digits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The TOTP time step X (RFC 6238 §4.1): 1 s to `u32::MAX` s, 30 s by default.
///
/// ```
/// # fn main() -> Result<(), twostep::otp::ParamError> {
/// use twostep::otp::Period;
/// assert_eq!(Period::default().as_secs(), 30);
/// assert!(Period::new(0).is_err());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period(u32);

impl Period {
    /// The shortest period: 1 second.
    pub const MIN: Self = Self(1);
    /// The longest period: `u32::MAX` seconds (about 136 years).
    pub const MAX: Self = Self(u32::MAX);
    /// The default and near-universal period: 30 seconds.
    pub const DEFAULT: Self = Self(30);

    /// Validates a period in seconds.
    ///
    /// # Errors
    ///
    /// [`ParamError::Period`] for zero or more than `u32::MAX`.
    ///
    /// ```
    /// assert_eq!(twostep::otp::Period::new(60).map(|p| p.as_secs()), Ok(60));
    /// ```
    pub const fn new(secs: u64) -> Result<Self, ParamError> {
        if secs >= 1 && secs <= u32::MAX as u64 {
            #[expect(clippy::cast_possible_truncation, reason = "checked just above")]
            Ok(Self(secs as u32))
        } else {
            Err(ParamError::Period { secs })
        }
    }

    /// The period in seconds.
    ///
    /// ```
    /// assert_eq!(twostep::otp::Period::DEFAULT.as_secs(), 30);
    /// ```
    #[must_use]
    pub const fn as_secs(self) -> u64 {
        self.0 as u64
    }

    /// The period as a [`time::Duration`].
    ///
    /// ```
    /// assert_eq!(twostep::otp::Period::DEFAULT.as_duration(), time::Duration::seconds(30));
    /// ```
    #[must_use]
    pub const fn as_duration(self) -> time::Duration {
        time::Duration::seconds(self.0 as i64)
    }
}

impl Default for Period {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// How many steps before and after the expected one a TOTP verification
/// accepts, separately: clocks drift, and people type slowly, so accepting
/// one step behind matters more than one ahead.
///
/// Each side is at most [`Window::MAX_STEPS`]. A window of `b` behind and `a`
/// ahead evaluates `b + a + 1` steps; near step 0 the steps that do not exist
/// are simply skipped.
///
/// ```
/// # fn main() -> Result<(), twostep::otp::ParamError> {
/// use twostep::Window;
/// let w = Window::new(2, 1)?;
/// assert_eq!((w.behind(), w.ahead()), (2, 1));
/// assert_eq!(Window::default(), Window::symmetric(1)?);
/// assert!(Window::new(101, 0).is_err());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    behind: u8,
    ahead: u8,
}

impl Window {
    /// The largest number of steps on either side: 100.
    pub const MAX_STEPS: u32 = 100;
    /// Only the current step.
    pub const EXACT: Self = Self {
        behind: 0,
        ahead: 0,
    };
    /// One step each way, the RFC 6238 §5.2 recommendation and the default.
    pub const DEFAULT: Self = Self {
        behind: 1,
        ahead: 1,
    };

    /// A window of `behind` steps into the past and `ahead` into the future.
    ///
    /// # Errors
    ///
    /// [`ParamError::Window`] if either side exceeds [`Window::MAX_STEPS`].
    ///
    /// ```
    /// assert!(twostep::Window::new(1, 0).is_ok());
    /// ```
    pub const fn new(behind: u32, ahead: u32) -> Result<Self, ParamError> {
        let worst = if behind > ahead { behind } else { ahead };
        if worst > Self::MAX_STEPS {
            return Err(ParamError::Window {
                steps: worst as u64,
                max: Self::MAX_STEPS as u64,
            });
        }
        #[expect(clippy::cast_possible_truncation, reason = "both <= 100")]
        Ok(Self {
            behind: behind as u8,
            ahead: ahead as u8,
        })
    }

    /// `steps` each way.
    ///
    /// # Errors
    ///
    /// [`ParamError::Window`] above [`Window::MAX_STEPS`].
    ///
    /// ```
    /// assert_eq!(twostep::Window::symmetric(2).map(|w| w.ahead()), Ok(2));
    /// ```
    pub const fn symmetric(steps: u32) -> Result<Self, ParamError> {
        Self::new(steps, steps)
    }

    /// Steps accepted before the expected one.
    ///
    /// ```
    /// assert_eq!(twostep::Window::EXACT.behind(), 0);
    /// ```
    #[must_use]
    pub const fn behind(self) -> u32 {
        self.behind as u32
    }

    /// Steps accepted after the expected one.
    ///
    /// ```
    /// assert_eq!(twostep::Window::DEFAULT.ahead(), 1);
    /// ```
    #[must_use]
    pub const fn ahead(self) -> u32 {
        self.ahead as u32
    }

    /// Whether a step `offset` from the expected one lies inside this window.
    ///
    /// ```
    /// let w = twostep::Window::DEFAULT;
    /// assert!(w.contains(-1) && w.contains(1) && !w.contains(2));
    /// ```
    #[must_use]
    pub const fn contains(self, offset: i64) -> bool {
        offset >= 0i64.saturating_sub(self.behind as i64) && offset <= self.ahead as i64
    }
}

impl Default for Window {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// How many counters past the expected one an HOTP verification tries
/// (RFC 4226 §7.4), at most [`Window::MAX_STEPS`]. HOTP never looks behind.
///
/// ```
/// # fn main() -> Result<(), twostep::otp::ParamError> {
/// let la = twostep::otp::LookAhead::new(10)?;
/// assert_eq!(la.get(), 10);
/// assert!(twostep::otp::LookAhead::new(1000).is_err());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct LookAhead(u8);

impl LookAhead {
    /// Only the expected counter.
    pub const NONE: Self = Self(0);

    /// Validates a look-ahead.
    ///
    /// # Errors
    ///
    /// [`ParamError::Window`] above [`Window::MAX_STEPS`].
    ///
    /// ```
    /// assert!(twostep::otp::LookAhead::new(100).is_ok());
    /// ```
    pub const fn new(steps: u32) -> Result<Self, ParamError> {
        match Window::new(0, steps) {
            Ok(w) => Ok(Self(w.ahead)),
            Err(e) => Err(e),
        }
    }

    /// The number of counters tried after the expected one.
    ///
    /// ```
    /// assert_eq!(twostep::otp::LookAhead::NONE.get(), 0);
    /// ```
    #[must_use]
    pub const fn get(self) -> u32 {
        self.0 as u32
    }
}
