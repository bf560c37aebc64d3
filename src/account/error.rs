//! [`AccountError`]: what the server must fix (a key, a configuration, a
//! stored value), as opposed to a refused code, which is an outcome.

use thiserror::Error;

use super::device::DeviceError;
use super::seal::{OpenError, SealError};
use crate::backup;
use crate::delivered::IssueError;
use crate::time::TimeError;
use crate::uri::UriError;

/// Why an account operation did nothing. The record is unchanged.
///
/// A wrong, replayed or throttled code is not an error but an outcome
/// ([`LoginOutcome`](super::LoginOutcome)); these are conditions the server
/// or the caller must fix, or (for [`AccountError::Issue`]) tell the user.
///
/// ```
/// use twostep::account::AccountError;
/// assert_eq!(AccountError::NoPhone.to_string(), "no phone is enrolled");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AccountError {
    /// The time has no TOTP step or is out of range.
    #[error(transparent)]
    Time(#[from] TimeError),
    /// Sealing a new secret failed.
    #[error(transparent)]
    Seal(#[from] SealError),
    /// A sealed secret in the record did not open: the keyring lacks its
    /// key, or it was sealed for another user or changed.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// The backup-code policy does not fit the stored set (a pepper missing
    /// or extra).
    #[error(transparent)]
    Backup(#[from] backup::ConfigError),
    /// The Key URI could not be written (an issuer or account name out of
    /// bounds).
    #[error(transparent)]
    Uri(#[from] UriError),
    /// No code was sent: the cooldown or a cap holds, or the channel does
    /// not carry the purpose.
    #[error(transparent)]
    Issue(#[from] IssueError),
    /// A remembered-device token could not be made.
    #[error(transparent)]
    Device(#[from] DeviceError),
    /// A user id that is empty or longer than [`User::MAX_LEN`](super::User::MAX_LEN).
    #[error("user id of {len} bytes is empty or too long")]
    UserId {
        /// Its length in bytes.
        len: usize,
    },
    /// A phone must be reached by SMS or voice.
    #[error("a phone is reached by sms or voice")]
    NotAPhone,
    /// A device label that is empty, too long or has a byte it may not
    /// hold.
    #[error("device label of {len} bytes is empty, too long or has a byte it may not hold")]
    DeviceLabel {
        /// Its length in bytes.
        len: usize,
        /// The first byte it may not hold, if any.
        position: Option<usize>,
    },
    /// No phone is enrolled (or, for a phone confirmation, pending).
    #[error("no phone is enrolled")]
    NoPhone,
    /// Backup codes as long as TOTP or delivered codes.
    #[error("backup codes of {length} symbols could not be told from numeric codes")]
    AmbiguousLengths {
        /// The backup codes' length in symbols.
        length: usize,
    },
    /// The account is locked: no login code is sent until a backup code or
    /// support releases it.
    #[error("the account is locked")]
    Locked,
}
