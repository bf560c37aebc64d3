//! [`AccountError`]: what the server must fix (a key, a configuration, a
//! stored value), as opposed to a refused code, which is an outcome.

use thiserror::Error;

use super::device::DeviceError;
use super::seal::{OpenError, SealError};
use crate::backup;
use crate::delivered::{IssueError, LogError};
use crate::diagnose::DiagnoseError;
use crate::time::{Duration, TimeError, UnixTime};
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
    /// A delivery-log update could not be applied (an unknown message, a
    /// provider id or hint the log cannot hold).
    #[error(transparent)]
    Log(#[from] LogError),
    /// The time-sync diagnostic could not run (no observations, or too
    /// many).
    #[error(transparent)]
    Diagnose(#[from] DiagnoseError),
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
    /// No authenticator app (TOTP) is enrolled.
    #[error("no authenticator app is enrolled")]
    NoTotp,
    /// The operating system's random source failed (the `*_os`
    /// functions).
    #[error("the operating system random source failed")]
    Random,
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

impl AccountError {
    /// How long until the operation may succeed, if waiting is the fix:
    /// for [`AccountError::Issue`] with [`IssueError::TooSoon`] (the resend
    /// cooldown or a send cap), the time from `now` to the next send it
    /// allows (zero if that is already past). `None` for every other
    /// error. Answer it as `429 Too Many Requests` with `Retry-After`, as
    /// for [`LoginOutcome::Throttled`](super::LoginOutcome::Throttled).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use rand_core::SeedableRng;
    /// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
    /// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
    /// use twostep::account::{self, Account, Phone};
    /// use twostep::delivered::{Binding, Channel, Hint, Purpose, Reason};
    /// let now = twostep::UnixTime::from_secs(1_795_780_800);
    /// let account = account::begin_phone(Phone::new(Channel::Sms, Hint::new("**42")?)?, &Account::new());
    /// let attempt = Binding::new(Purpose::ConfirmPhone, b"settings-session")?;
    /// let (_, account) = account::send_code(&config, &attempt, Reason::PhoneChange, now, &mut rng, &account)?;
    /// let again = account::send_code(&config, &attempt, Reason::UserResend, now, &mut rng, &account);
    /// let wait = again.err().and_then(|e| e.retry_after(now));
    /// assert_eq!(wait, Some(time::Duration::seconds(30))); // the default cooldown
    /// assert_eq!(account::AccountError::NoPhone.retry_after(now), None);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn retry_after(&self, now: UnixTime) -> Option<Duration> {
        match self {
            Self::Issue(IssueError::TooSoon { next_send_at, .. }) => {
                let secs = next_send_at.as_secs().saturating_sub(now.as_secs());
                Some(Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX)))
            }
            _ => None,
        }
    }
}
