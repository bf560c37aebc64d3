//! [`SealKey`] and [`KeyId`].

use core::fmt;

use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
use rand_core::CryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

#[cfg(feature = "getrandom")]
use super::error::SealError;

/// The number that names a [`SealKey`] in every text sealed under it, so
/// that keys can rotate: any `u32`, chosen by the application (a counter
/// works well). Not secret.
///
/// ```
/// use twostep::account::seal::KeyId;
/// let id = KeyId::new(3);
/// assert_eq!(id.get(), 3);
/// assert_eq!(id.to_string(), "3");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId(u32);

impl KeyId {
    /// The key id `id`.
    ///
    /// ```
    /// const CURRENT: twostep::account::seal::KeyId = twostep::account::seal::KeyId::new(7);
    /// assert_eq!(CURRENT.get(), 7);
    /// ```
    #[must_use]
    pub const fn new(id: u32) -> Self {
        Self(id)
    }

    /// The number.
    ///
    /// ```
    /// assert_eq!(twostep::account::seal::KeyId::new(9).get(), 9);
    /// ```
    #[must_use]
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for KeyId {
    /// The id in decimal, as the sealed text writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// A 256-bit XChaCha20-Poly1305 key that seals secrets at rest.
///
/// Keep it outside the database (a secrets manager, an environment
/// variable, a file only the service reads). Wiped on drop (best effort),
/// no `Clone`, and `Debug` shows nothing.
///
/// ```
/// use twostep::account::seal::SealKey;
/// let key = SealKey::from_bytes(&[0x42; SealKey::LEN]); // from your secrets store
/// assert_eq!(format!("{key:?}"), "SealKey { .. }");
/// ```
pub struct SealKey {
    cipher: XChaCha20Poly1305,
}

impl SealKey {
    /// The key length: 32 bytes.
    pub const LEN: usize = 32;

    /// A key from its 32 bytes. The caller's copy is the caller's to wipe.
    ///
    /// ```
    /// # fn main() -> Result<(), core::array::TryFromSliceError> {
    /// use twostep::account::seal::SealKey;
    /// let from_store: Vec<u8> = vec![0x42; 32];
    /// let key = SealKey::from_bytes(from_store.as_slice().try_into()?);
    /// # let _ = key;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn from_bytes(bytes: &[u8; Self::LEN]) -> Self {
        let mut key = chacha20poly1305::Key::default();
        key.copy_from_slice(bytes);
        let cipher = XChaCha20Poly1305::new(&key);
        key.as_mut_slice().zeroize();
        Self { cipher }
    }

    /// A new key from the caller's CSPRNG. To seal texts that outlive the
    /// process, store the key's bytes in your secrets store instead: draw
    /// 32 random bytes there and use [`SealKey::from_bytes`].
    ///
    /// ```
    /// use rand_core::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha20Rng::from_seed([3; 32]); // use an OS-seeded CSPRNG
    /// let key = twostep::account::seal::SealKey::generate(&mut rng);
    /// # let _ = key;
    /// ```
    #[must_use]
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut bytes = Zeroizing::new([0u8; Self::LEN]);
        rng.fill_bytes(bytes.as_mut_slice());
        Self::from_bytes(&bytes)
    }

    /// A new key from the operating system's random source.
    ///
    /// # Errors
    ///
    /// [`SealError::Random`] if the source fails.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::account::seal::SealError> {
    /// let key = twostep::account::seal::SealKey::generate_os()?;
    /// # let _ = key;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "getrandom")]
    #[cfg_attr(docsrs, doc(cfg(feature = "getrandom")))]
    pub fn generate_os() -> Result<Self, SealError> {
        let mut bytes = Zeroizing::new([0u8; Self::LEN]);
        getrandom::fill(bytes.as_mut_slice()).map_err(|_| SealError::Random)?;
        Ok(Self::from_bytes(&bytes))
    }

    /// The AEAD instance (wiped when the key is dropped).
    pub(super) fn cipher(&self) -> &XChaCha20Poly1305 {
        &self.cipher
    }
}

impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealKey").finish_non_exhaustive()
    }
}

/// The AEAD instance wipes its key copy on drop (chacha20poly1305's
/// `zeroize` feature).
impl ZeroizeOnDrop for SealKey {}
