//! The umbrella [`Error`]: one type for callers that propagate any twostep
//! error with `?`. Leaf errors live in their modules; nothing in the crate
//! imports this one.

use thiserror::Error;

use crate::backup;
use crate::diagnose::DiagnoseError;
use crate::guard::{ConfigError as GuardConfigError, StateError as GuardStateError};
use crate::otp::{CodeError, ParamError, VerifyError};
use crate::secret::SecretError;
use crate::time::TimeError;
use crate::uri::UriError;

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
    /// See [`QrError`](crate::uri::QrError) (feature `qr`).
    #[cfg(feature = "qr")]
    #[error(transparent)]
    Qr(#[from] crate::uri::QrError),
    /// See [`GuardConfigError`].
    #[error(transparent)]
    GuardConfig(#[from] GuardConfigError),
    /// See [`GuardStateError`].
    #[error(transparent)]
    GuardState(#[from] GuardStateError),
    /// See [`backup::ConfigError`].
    #[error(transparent)]
    BackupConfig(#[from] backup::ConfigError),
    /// See [`backup::ParseError`].
    #[error(transparent)]
    BackupParse(#[from] backup::ParseError),
    /// See [`DiagnoseError`].
    #[error(transparent)]
    Diagnose(#[from] DiagnoseError),
}
