//! The umbrella [`Error`]: one type for callers that propagate any twostep
//! error with `?`. Leaf errors live in their modules; nothing in the crate
//! imports this one.

use thiserror::Error;

use crate::backup;
use crate::delivered;
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
/// # #[cfg(feature = "account")] {
/// fn load(text: &str) -> Result<twostep::account::Account, twostep::Error> {
///     Ok(text.parse()?) // account::ParseError
/// }
/// assert!(matches!(load("a1;not a record"), Err(twostep::Error::AccountParse(_))));
/// assert!(load(&twostep::account::Account::new().to_string()).is_ok());
/// # }
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
    /// See [`delivered::IssueError`].
    #[error(transparent)]
    DeliveredIssue(#[from] delivered::IssueError),
    /// See [`delivered::KeyError`].
    #[error(transparent)]
    DeliveredKey(#[from] delivered::KeyError),
    /// See [`delivered::PolicyError`].
    #[error(transparent)]
    DeliveredPolicy(#[from] delivered::PolicyError),
    /// See [`delivered::StateError`].
    #[error(transparent)]
    DeliveredState(#[from] delivered::StateError),
    /// See [`delivered::MessageError`].
    #[error(transparent)]
    DeliveredMessage(#[from] delivered::MessageError),
    /// See [`delivered::LogError`].
    #[error(transparent)]
    DeliveredLog(#[from] delivered::LogError),
    /// See [`account::AccountError`](crate::account::AccountError) (feature `account`).
    #[cfg(feature = "account")]
    #[error(transparent)]
    Account(#[from] crate::account::AccountError),
    /// See [`account::ParseError`](crate::account::ParseError) (feature `account`).
    #[cfg(feature = "account")]
    #[error(transparent)]
    AccountParse(#[from] crate::account::ParseError),
    /// See [`seal::SealError`](crate::account::seal::SealError) (feature `account`).
    #[cfg(feature = "account")]
    #[error(transparent)]
    Seal(#[from] crate::account::seal::SealError),
    /// See [`seal::OpenError`](crate::account::seal::OpenError) (feature `account`).
    #[cfg(feature = "account")]
    #[error(transparent)]
    SealOpen(#[from] crate::account::seal::OpenError),
    /// See [`seal::ResealError`](crate::account::seal::ResealError) (feature `account`).
    #[cfg(feature = "account")]
    #[error(transparent)]
    Reseal(#[from] crate::account::seal::ResealError),
    /// See [`seal::KeyringError`](crate::account::seal::KeyringError) (feature `account`).
    #[cfg(feature = "account")]
    #[error(transparent)]
    SealKeyring(#[from] crate::account::seal::KeyringError),
    /// See [`seal::ParseError`](crate::account::seal::ParseError) (feature `account`).
    #[cfg(feature = "account")]
    #[error(transparent)]
    SealedParse(#[from] crate::account::seal::ParseError),
    /// See [`device::DeviceError`](crate::account::device::DeviceError) (feature `account`).
    #[cfg(feature = "account")]
    #[error(transparent)]
    Device(#[from] crate::account::device::DeviceError),
    /// See [`device::ParseError`](crate::account::device::ParseError) (feature `account`).
    #[cfg(feature = "account")]
    #[error(transparent)]
    DeviceToken(#[from] crate::account::device::ParseError),
    /// See [`reverify::PolicyError`](crate::account::reverify::PolicyError) (feature `account`).
    #[cfg(feature = "account")]
    #[error(transparent)]
    Reverify(#[from] crate::account::reverify::PolicyError),
}
