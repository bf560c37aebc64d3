//! Error types shared across modules, and the umbrella [`Error`].
//!
//! Every error is a small `#[non_exhaustive]` enum. Messages are lower case
//! with no trailing period, and payloads carry lengths and positions only:
//! never input text, codes or key material.

use thiserror::Error;

use crate::code::CodeError;
use crate::diagnose::DiagnoseError;
use crate::guard::{GuardConfigError, GuardStateError};
use crate::secret::SecretError;
use crate::uri::UriError;

/// A time that the computation cannot use.
///
/// ```
/// use twostep::{TimeError, Totp, UnixTime};
/// let totp = Totp::new().with_t0(UnixTime::from_secs(100));
/// assert_eq!(totp.step_at(UnixTime::from_secs(99)), Err(TimeError::BeforeT0));
/// assert_eq!(TimeError::BeforeT0.to_string(), "time is before the totp start time t0");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum TimeError {
    /// The instant is before 1970-01-01T00:00:00Z.
    #[error("time is before the unix epoch")]
    BeforeEpoch,
    /// The instant is before the TOTP's T0, so it has no time step.
    #[error("time is before the totp start time t0")]
    BeforeT0,
    /// The result would not be representable (beyond `u64` seconds or steps,
    /// or beyond the range of `time::OffsetDateTime`).
    #[error("time is out of the representable range")]
    OutOfRange,
}

/// A parameter outside its valid range.
///
/// ```
/// use twostep::{Digits, ParamError, Window};
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

/// A verification that did not succeed.
///
/// The variants say only *why* in broad terms, never which digit or step was
/// close: that is all a caller may tell the person who typed the code.
///
/// ```
/// # fn main() -> Result<(), twostep::SecretError> {
/// use twostep::{Secret, Totp, UnixTime, VerifyError, Window};
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let now = UnixTime::from_secs(59);
/// let totp = Totp::new();
/// assert!(matches!(totp.verify(&secret, "28708", now, Window::DEFAULT), Err(VerifyError::Malformed(_))));
/// assert_eq!(totp.verify(&secret, "000000", now, Window::DEFAULT), Err(VerifyError::Invalid));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The input is not a code of the configured shape. No HMAC was computed.
    #[error("malformed code: {0}")]
    Malformed(#[from] CodeError),
    /// The code matches no step in the window.
    #[error("invalid code")]
    Invalid,
    /// The time cannot be mapped to a step (before T0, or out of range).
    #[error(transparent)]
    Time(#[from] TimeError),
}

/// Any error from twostep, for callers that want one type to propagate with `?`.
///
/// ```
/// fn enrol(text: &str) -> Result<String, twostep::Error> {
///     let secret = twostep::Secret::from_base32(text)?; // SecretError
///     let code = twostep::Totp::default().generate(&secret, twostep::UnixTime::from_secs(59))?; // TimeError
///     Ok(code.to_string())
/// }
/// assert_eq!(enrol("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").ok().as_deref(), Some("287082"));
/// assert!(matches!(enrol("not base32!"), Err(twostep::Error::Secret(_))));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Error {
    /// See [`TimeError`].
    #[error(transparent)]
    Time(#[from] TimeError),
    /// See [`ParamError`].
    #[error(transparent)]
    Param(#[from] ParamError),
    /// See [`SecretError`].
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// See [`CodeError`].
    #[error(transparent)]
    Code(#[from] CodeError),
    /// See [`VerifyError`].
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// See [`UriError`].
    #[error(transparent)]
    Uri(#[from] UriError),
    /// See [`QrError`](crate::QrError) (feature `qr`).
    #[cfg(feature = "qr")]
    #[error(transparent)]
    Qr(#[from] crate::QrError),
    /// See [`GuardConfigError`].
    #[error(transparent)]
    GuardConfig(#[from] GuardConfigError),
    /// See [`GuardStateError`].
    #[error(transparent)]
    GuardState(#[from] GuardStateError),
    /// See [`BackupError`](crate::BackupError).
    #[error(transparent)]
    Backup(#[from] crate::backup::BackupError),
    /// See [`DiagnoseError`].
    #[error(transparent)]
    Diagnose(#[from] DiagnoseError),
}
