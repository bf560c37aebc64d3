//! The delivery log of a record: [`record_sent`] and [`record_status`], the
//! provider's answers fed to the record's delivered-code state.

use super::AccountError;
use super::record::Account;
use crate::delivered::{self, MessageId, Status};
use crate::time::UnixTime;

/// Records the provider's id and the destination hint of a send
/// ([`delivered::record_sent`] on the record's delivered-code state), once
/// the provider accepted the message [`send_code`](super::send_code)
/// issued. Store the new record with compare-and-swap.
///
/// # Errors
///
/// [`AccountError::Log`]: the send is not in the log, or a provider id or
/// hint the log cannot hold. The record is unchanged then.
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
/// let (message, account) = account::send_code(&config, &attempt, Reason::PhoneChange, now, &mut rng, &account)?;
/// // ... the provider accepts the text and answers with its id:
/// let account = account::record_sent(message.id(), "SM1", "42", &account)?;
/// assert_eq!(account.delivered().latest().and_then(|e| e.provider_id()).map(|p| p.to_string()).as_deref(), Some("SM1"));
/// # Ok(()) }
/// ```
pub fn record_sent(
    message: MessageId,
    provider_id: &str,
    hint: &str,
    account: &Account,
) -> Result<Account, AccountError> {
    let delivered = delivered::record_sent(message, provider_id, hint, &account.delivered)?;
    Ok(Account {
        delivered,
        ..account.clone()
    })
}

/// Records a status the provider reported for the message with
/// `provider_id` ([`delivered::record_status`] on the record's
/// delivered-code state): out-of-order reports leave the log as it is, a
/// final status is never replaced. Store the new record with
/// compare-and-swap.
///
/// # Errors
///
/// [`AccountError::Log`] if no send in the log has that provider id (it
/// may have been evicted: the log keeps the last ten sends; answer the
/// provider's callback with success all the same).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use twostep::account::{self, Account, AccountError};
/// use twostep::delivered::{LogError, Status};
/// let at = twostep::UnixTime::from_secs(1_795_780_804);
/// let unknown = account::record_status("SM1", Status::Delivered, at, &Account::new());
/// assert_eq!(unknown, Err(AccountError::Log(LogError::UnknownMessage)));
/// # Ok(()) }
/// ```
pub fn record_status(
    provider_id: &str,
    status: Status,
    at: UnixTime,
    account: &Account,
) -> Result<Account, AccountError> {
    let delivered = delivered::record_status(provider_id, status, at, &account.delivered)?;
    Ok(Account {
        delivered,
        ..account.clone()
    })
}
