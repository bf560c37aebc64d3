//! [`Config`]: what the server holds (policies and keys), and [`User`].

use super::AccountError;
use super::device;
use super::seal::Keyring;
use crate::backup;
use crate::delivered;
use crate::guard::Guard;

/// What the server holds for the account layer: the policies (the guard
/// with its TOTP parameters for new enrolments, window and throttle; the
/// backup-code policy with its optional pepper; the delivered-code policy)
/// and the keys (the [`Keyring`] that seals TOTP secrets, the
/// [`delivered::Key`] that derives sent codes, the [`device::Keyring`] that
/// signs remembered-device tokens). Keep the keys out of the database.
///
/// ```
/// use twostep::account::Config;
/// use twostep::account::device::{self, DeviceKey};
/// use twostep::account::seal::{KeyId, Keyring, SealKey};
/// use twostep::delivered;
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let config = Config::new(
///     Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])),
///     delivered::Key::from_bytes(&[2; 32])?,
///     device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?),
/// );
/// assert_eq!(config.guard().totp(), twostep::Totp::default());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Config {
    guard: Guard,
    backup: backup::Policy,
    delivered: delivered::Policy,
    keyring: Keyring,
    delivered_key: delivered::Key,
    device_keys: device::Keyring,
}

impl Config {
    /// The keys with the default policies: [`Guard::default`],
    /// [`backup::Policy::DEFAULT`], [`delivered::Policy::DEFAULT`].
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
    /// let config = Config::new(
    ///     Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])),
    ///     twostep::delivered::Key::from_bytes(&[2; 32])?,
    ///     device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?),
    /// );
    /// assert_eq!(config.backup_policy().count(), 10);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn new(
        keyring: Keyring,
        delivered_key: delivered::Key,
        device_keys: device::Keyring,
    ) -> Self {
        Self {
            guard: Guard::default(),
            backup: backup::Policy::DEFAULT,
            delivered: delivered::Policy::DEFAULT,
            keyring,
            delivered_key,
            device_keys,
        }
    }

    /// The same configuration with another guard: its TOTP parameters are
    /// those of new enrolments (an enrolment keeps its own), its window,
    /// drift bound and throttle apply to every login.
    ///
    /// # Errors
    ///
    /// [`AccountError::AmbiguousLengths`] if backup codes would be as long
    /// as the guard's TOTP codes (only possible at 10 digits), so that a
    /// backup code of digits only could not be told from a TOTP code.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
    /// use twostep::{Guard, Totp};
    /// use twostep::otp::Digits;
    /// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
    /// let config = config.with_guard(Guard::new(Totp::new().with_digits(Digits::EIGHT)))?;
    /// assert_eq!(config.guard().totp().digits(), Digits::EIGHT);
    /// # Ok(()) }
    /// ```
    pub fn with_guard(mut self, guard: Guard) -> Result<Self, AccountError> {
        self.guard = guard;
        self.checked()
    }

    /// The same configuration with another backup-code policy (a pepper
    /// goes here).
    ///
    /// # Errors
    ///
    /// [`AccountError::AmbiguousLengths`] as for [`Config::with_guard`].
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
    /// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
    /// let peppered = twostep::backup::Policy::DEFAULT.with_pepper(&[9; 32])?;
    /// assert!(config.with_backup_policy(peppered)?.backup_policy().has_pepper());
    /// # Ok(()) }
    /// ```
    pub fn with_backup_policy(mut self, policy: backup::Policy) -> Result<Self, AccountError> {
        self.backup = policy;
        self.checked()
    }

    /// The same configuration with another delivered-code policy.
    ///
    /// # Errors
    ///
    /// [`AccountError::AmbiguousLengths`] as for [`Config::with_guard`].
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
    /// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
    /// let policy = twostep::delivered::Policy::DEFAULT.with_max_checks(3)?;
    /// assert_eq!(config.with_delivered_policy(policy)?.delivered_policy().max_checks(), 3);
    /// # Ok(()) }
    /// ```
    pub fn with_delivered_policy(
        mut self,
        policy: delivered::Policy,
    ) -> Result<Self, AccountError> {
        self.delivered = policy;
        self.checked()
    }

    fn checked(self) -> Result<Self, AccountError> {
        let length = self.backup.length();
        let digits = [self.guard.totp().digits(), self.delivered.digits()];
        if digits
            .iter()
            .any(|d| usize::try_from(d.get()).ok() == Some(length))
        {
            return Err(AccountError::AmbiguousLengths { length });
        }
        Ok(self)
    }

    /// The guard.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
    /// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
    /// assert_eq!(config.guard(), &twostep::Guard::default());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn guard(&self) -> &Guard {
        &self.guard
    }

    /// The backup-code policy.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
    /// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
    /// assert!(!config.backup_policy().has_pepper());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn backup_policy(&self) -> &backup::Policy {
        &self.backup
    }

    /// The delivered-code policy.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
    /// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
    /// assert_eq!(config.delivered_policy().max_checks(), 5);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn delivered_policy(&self) -> &delivered::Policy {
        &self.delivered
    }

    /// The keyring that seals TOTP secrets.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
    /// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
    /// let _keyring = config.keyring();
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// The key of delivered codes.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
    /// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
    /// let _key = config.delivered_key();
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn delivered_key(&self) -> &delivered::Key {
        &self.delivered_key
    }

    /// The keys of remembered-device tokens.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
    /// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
    /// assert_eq!(config.device_keys().current_id(), 1);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn device_keys(&self) -> &device::Keyring {
        &self.device_keys
    }
}

/// The user a record belongs to: the id bytes that sealed secrets are bound
/// to (associated data) and remembered-device tokens are signed for. Use
/// the database's stable primary key, never a name the user can change.
///
/// ```
/// # fn main() -> Result<(), twostep::account::AccountError> {
/// use twostep::account::User;
/// let user = User::new(b"user-1842")?;
/// assert_eq!(user.id(), b"user-1842");
/// assert!(User::new(b"").is_err());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct User<'a> {
    id: &'a [u8],
}

impl<'a> User<'a> {
    /// The longest user id, in bytes.
    pub const MAX_LEN: usize = Keyring::MAX_USER_ID_LEN;

    /// The user with id `id` (1 to [`User::MAX_LEN`] bytes).
    ///
    /// # Errors
    ///
    /// [`AccountError::UserId`] if `id` is empty or too long.
    ///
    /// ```
    /// assert!(twostep::account::User::new(&[0; 300]).is_err());
    /// ```
    pub const fn new(id: &'a [u8]) -> Result<Self, AccountError> {
        if id.is_empty() || id.len() > Self::MAX_LEN {
            return Err(AccountError::UserId { len: id.len() });
        }
        Ok(Self { id })
    }

    /// The id bytes.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::account::AccountError> {
    /// assert_eq!(twostep::account::User::new(b"7")?.id(), b"7");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn id(&self) -> &'a [u8] {
        self.id
    }
}
