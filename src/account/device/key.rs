//! [`DeviceKey`] and [`Keyring`]: the server keys that sign device tokens.

use alloc::vec::Vec;
use core::fmt;

use hmac::digest::{KeyInit, common::Key as MacKey};
use hmac::{Hmac, Mac};
use rand_core::CryptoRng;
use sha2::Sha256;
use zeroize::Zeroize;

use super::DeviceError;
use super::token::{DeviceId, TAG_LEN, Token};
use crate::time::UnixTime;

/// The domain label at the start of every MAC input.
const DOMAIN: &[u8] = b"twostep-rd/v1";

/// A server key for remembered-device tokens: 32 bytes for HMAC-SHA-256.
///
/// Keep it outside the database (a secrets manager, an environment
/// variable, a file readable by the service only). Wiped on drop (best
/// effort: copies the compiler or the OS made are out of reach), no `Clone`,
/// and `Debug` shows nothing of it.
///
/// ```
/// # fn main() -> Result<(), twostep::account::device::DeviceError> {
/// use twostep::account::device::DeviceKey;
/// let key = DeviceKey::from_bytes(&[0x42; 32])?;
/// assert_eq!(format!("{key:?}"), "DeviceKey { .. }");
/// # Ok(()) }
/// ```
pub struct DeviceKey {
    mac: Hmac<Sha256>,
}

impl DeviceKey {
    /// The key length: 32 bytes (256 bits).
    pub const LEN: usize = 32;

    /// A key from its 32 bytes.
    ///
    /// # Errors
    ///
    /// [`DeviceError::KeyLength`] for any other length.
    ///
    /// ```
    /// assert!(twostep::account::device::DeviceKey::from_bytes(&[1; 33]).is_err());
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DeviceError> {
        if bytes.len() != Self::LEN {
            return Err(DeviceError::KeyLength { len: bytes.len() });
        }
        Ok(Self::keyed(bytes))
    }

    /// A new key from the caller's CSPRNG. It lives in this process only:
    /// for a key shared by instances and restarts, draw 32 bytes into your
    /// secrets store and use [`DeviceKey::from_bytes`].
    ///
    /// ```
    /// use rand_core::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha20Rng::from_seed([3; 32]); // use an OS-seeded CSPRNG
    /// let key = twostep::account::device::DeviceKey::generate(&mut rng);
    /// # let _ = key;
    /// ```
    #[must_use]
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut bytes = [0u8; Self::LEN];
        rng.fill_bytes(&mut bytes);
        let key = Self::keyed(&bytes);
        bytes.zeroize();
        key
    }

    /// A new key from the operating system's random source (see
    /// [`DeviceKey::generate`] for where it lives).
    ///
    /// # Errors
    ///
    /// [`DeviceError::Random`] if the OS source fails.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::account::device::DeviceError> {
    /// let key = twostep::account::device::DeviceKey::generate_os()?;
    /// # let _ = key;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "getrandom")]
    #[cfg_attr(docsrs, doc(cfg(feature = "getrandom")))]
    pub fn generate_os() -> Result<Self, DeviceError> {
        let mut bytes = [0u8; Self::LEN];
        let filled = getrandom::fill(&mut bytes);
        let key = Self::keyed(&bytes);
        bytes.zeroize();
        filled.map(|()| key).map_err(|_| DeviceError::Random)
    }

    /// The HMAC keyed with `bytes` (at most one block: zero padding is
    /// exactly RFC 2104's key handling).
    fn keyed(bytes: &[u8]) -> Self {
        let mut block = MacKey::<Hmac<Sha256>>::default();
        block.iter_mut().zip(bytes).for_each(|(d, s)| *d = *s);
        let mac = <Hmac<Sha256> as KeyInit>::new(&block);
        block.as_mut_slice().zeroize();
        Self { mac }
    }

    /// The tag of a token (see the module docs for the construction).
    pub(super) fn tag(
        &self,
        key_id: u32,
        user_id: &[u8],
        device: &DeviceId,
        expires_at: UnixTime,
        epoch: u64,
    ) -> [u8; TAG_LEN] {
        let user_len = u64::try_from(user_id.len()).unwrap_or(u64::MAX);
        let tag = self
            .mac
            .clone()
            .chain_update(DOMAIN)
            .chain_update(key_id.to_be_bytes())
            .chain_update(user_len.to_be_bytes())
            .chain_update(user_id)
            .chain_update(device.as_bytes())
            .chain_update(expires_at.as_secs().to_be_bytes())
            .chain_update(epoch.to_be_bytes())
            .finalize()
            .into_bytes();
        let mut out = [0u8; TAG_LEN];
        out.iter_mut().zip(tag.iter()).for_each(|(d, s)| *d = *s);
        out
    }
}

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceKey").finish_non_exhaustive()
    }
}

/// The device keys a service holds: the current key, which signs new
/// tokens, and previous keys, which still verify the tokens they signed
/// while those run out. Each key has a small id of the caller's choice,
/// written into the tokens it signs.
///
/// ```
/// # fn main() -> Result<(), twostep::account::device::DeviceError> {
/// use twostep::account::device::{DeviceKey, Keyring};
/// let keys = Keyring::new(2, DeviceKey::from_bytes(&[2; 32])?)
///     .with_previous(1, DeviceKey::from_bytes(&[1; 32])?)?;
/// assert_eq!(keys.current_id(), 2);
/// assert_eq!(format!("{keys:?}"), "Keyring { current: 2, previous: [1] }");
/// # Ok(()) }
/// ```
pub struct Keyring {
    current: (u32, DeviceKey),
    previous: Vec<(u32, DeviceKey)>,
}

impl Keyring {
    /// The most previous keys a keyring holds.
    pub const MAX_PREVIOUS: usize = 4;

    /// A keyring whose current key is `key`, under the id `id`.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::account::device::DeviceError> {
    /// use twostep::account::device::{DeviceKey, Keyring};
    /// let keys = Keyring::new(7, DeviceKey::from_bytes(&[7; 32])?);
    /// assert_eq!(keys.current_id(), 7);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn new(id: u32, key: DeviceKey) -> Self {
        Self {
            current: (id, key),
            previous: Vec::new(),
        }
    }

    /// This keyring with `key` added as a previous key: it verifies tokens
    /// that name `id` but signs none.
    ///
    /// # Errors
    ///
    /// [`DeviceError::DuplicateKeyId`] if `id` is already in the keyring,
    /// [`DeviceError::TooManyKeys`] past [`Keyring::MAX_PREVIOUS`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::account::device::DeviceError> {
    /// use twostep::account::device::{DeviceError, DeviceKey, Keyring};
    /// let keys = Keyring::new(1, DeviceKey::from_bytes(&[1; 32])?);
    /// let again = keys.with_previous(1, DeviceKey::from_bytes(&[2; 32])?);
    /// assert_eq!(again.unwrap_err(), DeviceError::DuplicateKeyId { id: 1 });
    /// # Ok(()) }
    /// ```
    pub fn with_previous(mut self, id: u32, key: DeviceKey) -> Result<Self, DeviceError> {
        if self.get(id).is_some() {
            return Err(DeviceError::DuplicateKeyId { id });
        }
        if self.previous.len() >= Self::MAX_PREVIOUS {
            return Err(DeviceError::TooManyKeys {
                max: Self::MAX_PREVIOUS,
            });
        }
        self.previous.push((id, key));
        Ok(self)
    }

    /// The id of the current key, the one [`remember`](super::remember) signs with.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::account::device::DeviceError> {
    /// use twostep::account::device::{DeviceKey, Keyring};
    /// assert_eq!(Keyring::from(DeviceKey::from_bytes(&[1; 32])?).current_id(), 0);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn current_id(&self) -> u32 {
        self.current.0
    }

    /// Whether `token` was signed by a key other than the current one. Once
    /// [`check`](super::check) found it valid, mint a new token for the same
    /// device (and expiry, if the lifetime should not grow) so the previous
    /// key can be retired.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::account::device::DeviceError> {
    /// use twostep::UnixTime;
    /// use twostep::account::device::{remember, DeviceId, DeviceKey, Keyring, Token};
    /// let old = Keyring::new(1, DeviceKey::from_bytes(&[1; 32])?);
    /// let now = UnixTime::from_secs(1_795_780_800);
    /// let token = remember(&old, b"user-7", DeviceId::from_bytes([5; 16]), 0, now, Token::DEFAULT_LIFETIME)?;
    /// let new = Keyring::new(2, DeviceKey::from_bytes(&[2; 32])?).with_previous(1, DeviceKey::from_bytes(&[1; 32])?)?;
    /// assert!(new.needs_renewal(&token) && !old.needs_renewal(&token));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn needs_renewal(&self, token: &Token) -> bool {
        token.key_id() != self.current.0
    }

    pub(super) fn current(&self) -> (u32, &DeviceKey) {
        (self.current.0, &self.current.1)
    }

    pub(super) fn get(&self, id: u32) -> Option<&DeviceKey> {
        core::iter::once(&self.current)
            .chain(self.previous.iter())
            .find(|(i, _)| *i == id)
            .map(|(_, key)| key)
    }
}

impl From<DeviceKey> for Keyring {
    /// A keyring of one key, under the id 0.
    fn from(key: DeviceKey) -> Self {
        Self::new(0, key)
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Ids<'a>(&'a [(u32, DeviceKey)]);
        impl fmt::Debug for Ids<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list()
                    .entries(self.0.iter().map(|(id, _)| id))
                    .finish()
            }
        }
        f.debug_struct("Keyring")
            .field("current", &self.current.0)
            .field("previous", &Ids(&self.previous))
            .finish()
    }
}
