//! One-time passwords: RFC 4226 HOTP and RFC 6238 TOTP.
//!
//! The parameters are validated types ([`Algorithm`], [`Digits`],
//! [`Period`], [`Window`], [`LookAhead`]); a [`Code`] is what a person typed,
//! parsed; [`Hotp`] and [`Totp`] generate and verify codes, and their keyed
//! forms ([`KeyedHotp`], [`KeyedTotp`]) hash the secret's HMAC pads once for
//! many codes. A verification reports which step or counter matched
//! ([`Match`], [`HotpMatch`]), so the caller can refuse it next time.

mod code;
mod engine;
mod hotp;
mod params;
mod scan;
mod totp;

use thiserror::Error;

pub use code::{Code, CodeError};
pub use hotp::{Hotp, HotpMatch, KeyedHotp};
pub use params::{Algorithm, Digits, LookAhead, ParamError, Period, UnknownAlgorithm, Window};
pub use totp::{KeyedTotp, Match, Totp};

pub(crate) use scan::{Found, NearestFirst, nearest_first};

use crate::time::TimeError;

/// A verification that did not succeed.
///
/// The variants say only *why* in broad terms, never which digit or step was
/// close: that is all a caller may tell the person who typed the code.
///
/// ```
/// # fn main() -> Result<(), twostep::secret::SecretError> {
/// use twostep::{Secret, Totp, UnixTime, Window};
/// use twostep::otp::VerifyError;
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
    #[error("malformed code")]
    Malformed(#[from] CodeError),
    /// The code matches no step in the window.
    #[error("invalid code")]
    Invalid,
    /// The time cannot be mapped to a step (before T0, or out of range).
    #[error(transparent)]
    Time(#[from] TimeError),
}
