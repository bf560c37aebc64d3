//! Remembered devices in the record: [`remember_device`],
//! [`forget_device`], [`check_device`].

use super::AccountError;
use super::config::{Config, User};
use super::device::{self, DeviceId, Remembered, Token};
use super::record::{Account, DeviceLabel, RememberedDevice};
use crate::time::{Duration, UnixTime};

/// Remembers a device for `lifetime` after a successful second step: the
/// token for its cookie (signed for `user` and the record's device epoch)
/// and the record listing it. Devices past their expiry are dropped from
/// the list; with [`Account::MAX_DEVICES`] listed, the one remembered
/// earliest is forgotten. Remembering a listed device again renews it.
///
/// # Errors
///
/// [`AccountError::Device`] if the token cannot be made (a lifetime
/// outside [`Token::MIN_LIFETIME`]..=[`Token::MAX_LIFETIME`], an expiry out
/// of range).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use rand_core::SeedableRng;
/// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
/// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
/// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
/// use twostep::account::{self, Account, DeviceCheck, DeviceLabel, User};
/// use twostep::account::device::DeviceId;
/// let user = User::new(b"user-1842")?;
/// let now = twostep::UnixTime::from_secs(1_795_780_800);
/// let device = DeviceId::generate(&mut rng);
/// let label = DeviceLabel::new("Firefox on macOS")?;
/// let (token, account) = account::remember_device(&config, &user, device, label, now, time::Duration::days(30), &Account::new())?;
/// let cookie = token.to_string();
/// assert!(matches!(account::check_device(&config, &user, &cookie, now, &account), DeviceCheck::Remembered { .. }));
/// let account = account::forget_device(device, &account);
/// assert_eq!(account::check_device(&config, &user, &cookie, now, &account), DeviceCheck::Forgotten);
/// # Ok(()) }
/// ```
pub fn remember_device(
    config: &Config,
    user: &User<'_>,
    device: DeviceId,
    label: DeviceLabel,
    now: UnixTime,
    lifetime: Duration,
    account: &Account,
) -> Result<(Token, Account), AccountError> {
    let token = device::remember(
        config.device_keys(),
        user.id(),
        device,
        account.epoch,
        now,
        lifetime,
    )?;
    let expires_at = now
        .checked_add(lifetime)
        .ok_or(crate::time::TimeError::OutOfRange)?;
    let mut next = account.clone();
    next.devices
        .retain(|d| d.id != device && d.expires_at > now);
    // Oldest first: a clock that stepped back may not reorder the list.
    let remembered_at = next
        .devices
        .last()
        .map_or(now, |last| last.remembered_at.max(now));
    while next.devices.len() >= Account::MAX_DEVICES {
        next.devices.remove(0);
    }
    next.devices.push(RememberedDevice {
        id: device,
        remembered_at,
        expires_at,
        label,
    });
    Ok((token, next))
}

/// The record without `device` in its list: its token no longer passes
/// [`check_device`] (reported as [`DeviceCheck::Forgotten`]).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use rand_core::SeedableRng;
/// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
/// use twostep::account::{forget_device, Account};
/// let device = twostep::account::device::DeviceId::generate(&mut rng);
/// assert_eq!(forget_device(device, &Account::new()), Account::new());
/// # Ok(()) }
/// ```
#[must_use]
pub fn forget_device(device: DeviceId, account: &Account) -> Account {
    let mut next = account.clone();
    next.devices.retain(|d| d.id != device);
    next
}

/// What [`check_device`] found in a cookie.
///
/// ```
/// assert!(!twostep::account::DeviceCheck::Invalid.is_remembered());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeviceCheck {
    /// A valid token of a listed device: skip the second step.
    Remembered {
        /// The device.
        device: DeviceId,
        /// When its token expires.
        expires_at: UnixTime,
    },
    /// A genuine token past its expiry: ask for the second step.
    Expired,
    /// A genuine token from before the last epoch bump (sign out
    /// everywhere, new backup codes, a factor removed).
    Revoked,
    /// A genuine, current token of a device the user removed from the list
    /// (or that a newer device pushed out).
    Forgotten,
    /// Not a token for this user: forged, altered, another user's, or
    /// signed with a key the keyring no longer holds.
    Invalid,
}

impl DeviceCheck {
    /// Whether the second step may be skipped.
    ///
    /// ```
    /// assert!(!twostep::account::DeviceCheck::Revoked.is_remembered());
    /// ```
    #[must_use]
    pub const fn is_remembered(&self) -> bool {
        matches!(self, Self::Remembered { .. })
    }
}

/// Checks a remembered-device cookie for `user` against the record: the
/// token's signature, expiry and epoch (in constant time, by
/// [`device::check`]), then that the device is still listed.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
/// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
/// use twostep::account::{check_device, Account, DeviceCheck, User};
/// let now = twostep::UnixTime::from_secs(1_795_780_800);
/// let user = User::new(b"user-1842")?;
/// assert_eq!(check_device(&config, &user, "r1.forged", now, &Account::new()), DeviceCheck::Invalid);
/// # Ok(()) }
/// ```
#[must_use]
pub fn check_device(
    config: &Config,
    user: &User<'_>,
    cookie: &str,
    now: UnixTime,
    account: &Account,
) -> DeviceCheck {
    match device::check(config.device_keys(), user.id(), cookie, account.epoch, now) {
        Remembered::Valid { device, expires_at } => {
            if account.devices.iter().any(|d| d.id == device) {
                DeviceCheck::Remembered { device, expires_at }
            } else {
                DeviceCheck::Forgotten
            }
        }
        Remembered::Expired { .. } => DeviceCheck::Expired,
        Remembered::Revoked { .. } => DeviceCheck::Revoked,
        _ => DeviceCheck::Invalid,
    }
}
