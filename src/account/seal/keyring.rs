//! [`Keyring`]: seal under the current key, open under any.

use alloc::vec::Vec;
use core::fmt;

use chacha20poly1305::{AeadInOut, Tag, XNonce};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use super::error::{KeyringError, OpenError, ResealError, SealError};
use super::key::{KeyId, SealKey};
use super::sealed::{NONCE_LEN, Sealed};
use crate::Secret;

/// The first field of the associated data: domain and version.
const AD_LABEL: &[u8] = b"twostep-seal/v1";

/// The keys that seal and open: one current key, which seals, and
/// previous keys, which only open (texts sealed before a rotation), up to
/// [`Keyring::MAX_KEYS`] in all. Every key has its own [`KeyId`].
///
/// No `Clone`; `Debug` shows the key ids only.
///
/// ```
/// # fn main() -> Result<(), Box<dyn core::error::Error>> {
/// use rand_core::SeedableRng;
/// use twostep::account::seal::{KeyId, Keyring, SealKey};
/// let mut rng = rand_chacha::ChaCha20Rng::from_seed([6; 32]);
///
/// let before = Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32]));
/// let sealed = before.seal(b"user-1", b"twenty bytes of key!", &mut rng)?;
///
/// // Rotation: key 2 seals from now on, key 1 still opens.
/// let after = Keyring::new(KeyId::new(2), SealKey::from_bytes(&[2; 32]))
///     .with_previous(KeyId::new(1), SealKey::from_bytes(&[1; 32]))?;
/// assert_eq!(*after.open(b"user-1", &sealed)?, b"twenty bytes of key!");
/// assert!(after.needs_reseal(&sealed));
/// let moved = after.reseal(b"user-1", &sealed, &mut rng)?; // store with compare-and-swap
/// assert!(!after.needs_reseal(&moved));
/// assert_eq!(format!("{after:?}"), "Keyring { current: KeyId(2), previous: [KeyId(1)] }");
/// # Ok(()) }
/// ```
pub struct Keyring {
    current_id: KeyId,
    current: SealKey,
    previous: Vec<(KeyId, SealKey)>,
}

impl Keyring {
    /// The most keys a keyring holds, the current one included: 8.
    /// Rotation needs two at a time (three while a slow re-seal runs).
    pub const MAX_KEYS: usize = 8;
    /// The longest user id: 255 bytes (an e-mail address fits; a stable
    /// primary key, such as a UUID, is the better choice).
    pub const MAX_USER_ID_LEN: usize = 255;

    /// A keyring whose current key is `key`, named `id`.
    ///
    /// ```
    /// use twostep::account::seal::{KeyId, Keyring, SealKey};
    /// let keyring = Keyring::new(KeyId::new(1), SealKey::from_bytes(&[7; 32]));
    /// assert_eq!(keyring.current_id(), KeyId::new(1));
    /// ```
    #[must_use]
    pub fn new(id: KeyId, key: SealKey) -> Self {
        Self {
            current_id: id,
            current: key,
            // Room for every previous key at once: a list that grew would
            // free its old block with the keys in it, unwiped.
            previous: Vec::with_capacity(Self::MAX_KEYS.saturating_sub(1)),
        }
    }

    /// The keyring with `key`, named `id`, added as a previous key: it
    /// opens texts sealed under it and seals nothing.
    ///
    /// # Errors
    ///
    /// [`KeyringError::DuplicateKeyId`] if the keyring has a key named `id`
    /// already, [`KeyringError::TooManyKeys`] if it holds
    /// [`Keyring::MAX_KEYS`] keys. The key given is dropped (and wiped).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::account::seal::KeyringError> {
    /// use twostep::account::seal::{KeyId, Keyring, SealKey};
    /// let keyring = Keyring::new(KeyId::new(3), SealKey::from_bytes(&[3; 32]))
    ///     .with_previous(KeyId::new(2), SealKey::from_bytes(&[2; 32]))?
    ///     .with_previous(KeyId::new(1), SealKey::from_bytes(&[1; 32]))?;
    /// assert_eq!(keyring.current_id(), KeyId::new(3));
    /// # Ok(()) }
    /// ```
    pub fn with_previous(mut self, id: KeyId, key: SealKey) -> Result<Self, KeyringError> {
        if self.key(id).is_some() {
            return Err(KeyringError::DuplicateKeyId { id });
        }
        if self.previous.len() >= Self::MAX_KEYS.saturating_sub(1) {
            return Err(KeyringError::TooManyKeys);
        }
        self.previous.push((id, key));
        Ok(self)
    }

    /// The id of the key that seals.
    ///
    /// ```
    /// use twostep::account::seal::{KeyId, Keyring, SealKey};
    /// let keyring = Keyring::new(KeyId::new(5), SealKey::from_bytes(&[7; 32]));
    /// assert_eq!(keyring.current_id().get(), 5);
    /// ```
    #[must_use]
    pub fn current_id(&self) -> KeyId {
        self.current_id
    }

    /// Seals `plaintext` for the user `user_id` under the current key, with
    /// a fresh nonce from the caller's CSPRNG.
    ///
    /// `user_id` must be the user's stable id (the row's primary key, not a
    /// name the user can change): the text opens only with the same bytes.
    ///
    /// # Errors
    ///
    /// [`SealError::PlaintextTooLong`] over [`Sealed::MAX_PLAINTEXT_LEN`]
    /// bytes, [`SealError::UserIdLength`] for an empty user id or one over
    /// [`Keyring::MAX_USER_ID_LEN`] bytes. Nothing is drawn from `rng` then.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn core::error::Error>> {
    /// use rand_core::SeedableRng;
    /// use twostep::account::seal::{KeyId, Keyring, SealKey};
    /// let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]); // use an OS-seeded CSPRNG
    /// let keyring = Keyring::new(KeyId::new(1), SealKey::from_bytes(&[7; 32]));
    /// let sealed = keyring.seal(b"user-1", b"key material", &mut rng)?;
    /// assert_eq!(*keyring.open(b"user-1", &sealed)?, b"key material");
    /// # Ok(()) }
    /// ```
    pub fn seal<R: CryptoRng + ?Sized>(
        &self,
        user_id: &[u8],
        plaintext: &[u8],
        rng: &mut R,
    ) -> Result<Sealed, SealError> {
        check_seal(user_id, plaintext)?;
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        self.seal_with_nonce(user_id, plaintext, nonce)
    }

    /// [`Keyring::seal`] with a nonce from the operating system's random
    /// source.
    ///
    /// # Errors
    ///
    /// As [`Keyring::seal`], and [`SealError::Random`] if the source fails.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn core::error::Error>> {
    /// use twostep::account::seal::{KeyId, Keyring, SealKey};
    /// let keyring = Keyring::new(KeyId::new(1), SealKey::generate_os()?);
    /// let sealed = keyring.seal_os(b"user-1", b"key material")?;
    /// assert_eq!(*keyring.open(b"user-1", &sealed)?, b"key material");
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "getrandom")]
    #[cfg_attr(docsrs, doc(cfg(feature = "getrandom")))]
    pub fn seal_os(&self, user_id: &[u8], plaintext: &[u8]) -> Result<Sealed, SealError> {
        check_seal(user_id, plaintext)?;
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| SealError::Random)?;
        self.seal_with_nonce(user_id, plaintext, nonce)
    }

    /// Seals a TOTP or HOTP [`Secret`] (see [`Keyring::seal`]).
    ///
    /// # Errors
    ///
    /// As [`Keyring::seal`]: a secret longer than
    /// [`Sealed::MAX_PLAINTEXT_LEN`] (128) bytes is refused.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn core::error::Error>> {
    /// use rand_core::SeedableRng;
    /// use twostep::Secret;
    /// use twostep::account::seal::{KeyId, Keyring, SealKey};
    /// let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
    /// let keyring = Keyring::new(KeyId::new(1), SealKey::from_bytes(&[7; 32]));
    /// let secret = Secret::generate(&mut rng);
    /// let sealed = keyring.seal_secret(b"user-1", &secret, &mut rng)?;
    /// assert!(keyring.open_secret(b"user-1", &sealed)? == secret);
    /// # Ok(()) }
    /// ```
    pub fn seal_secret<R: CryptoRng + ?Sized>(
        &self,
        user_id: &[u8],
        secret: &Secret,
        rng: &mut R,
    ) -> Result<Sealed, SealError> {
        self.seal(user_id, secret.expose_secret(), rng)
    }

    /// [`Keyring::seal_secret`] with a nonce from the operating system's
    /// random source.
    ///
    /// # Errors
    ///
    /// As [`Keyring::seal_secret`], and [`SealError::Random`] if the source
    /// fails.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn core::error::Error>> {
    /// use twostep::Secret;
    /// use twostep::account::seal::{KeyId, Keyring, SealKey};
    /// let keyring = Keyring::new(KeyId::new(1), SealKey::generate_os()?);
    /// let secret = Secret::generate_os()?;
    /// let sealed = keyring.seal_secret_os(b"user-1", &secret)?;
    /// assert!(keyring.open_secret(b"user-1", &sealed)? == secret);
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "getrandom")]
    #[cfg_attr(docsrs, doc(cfg(feature = "getrandom")))]
    pub fn seal_secret_os(&self, user_id: &[u8], secret: &Secret) -> Result<Sealed, SealError> {
        self.seal_os(user_id, secret.expose_secret())
    }

    /// Opens `sealed` for the user `user_id`, under the key its id names.
    /// The plaintext is wiped when the returned value is dropped (its
    /// `Debug` shows the bytes: do not log it). For a TOTP secret, prefer
    /// [`Keyring::open_secret`].
    ///
    /// # Errors
    ///
    /// [`OpenError::UnknownKey`] if the keyring has no key with the text's
    /// id, [`OpenError::UserIdLength`] for a user id no text is sealed for,
    /// and [`OpenError::Forged`] if the text does not authenticate: sealed
    /// for another user, under another key, or changed (which of these is
    /// never said).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn core::error::Error>> {
    /// use rand_core::SeedableRng;
    /// use twostep::account::seal::{KeyId, Keyring, OpenError, SealKey};
    /// let mut rng = rand_chacha::ChaCha20Rng::from_seed([8; 32]);
    /// let keyring = Keyring::new(KeyId::new(1), SealKey::from_bytes(&[7; 32]));
    /// let sealed = keyring.seal(b"user-1", b"key material", &mut rng)?;
    /// assert_eq!(keyring.open(b"user-2", &sealed).unwrap_err(), OpenError::Forged);
    /// # Ok(()) }
    /// ```
    pub fn open(&self, user_id: &[u8], sealed: &Sealed) -> Result<Zeroizing<Vec<u8>>, OpenError> {
        let id = sealed.key_id();
        let key = self.key(id).ok_or(OpenError::UnknownKey { id })?;
        let ad =
            associated_data(id, user_id).ok_or(OpenError::UserIdLength { len: user_id.len() })?;
        let (nonce, ciphertext, tag) = sealed.parts().ok_or(OpenError::Forged)?;
        let nonce = XNonce::try_from(nonce).map_err(|_| OpenError::Forged)?;
        let tag = Tag::try_from(tag).map_err(|_| OpenError::Forged)?;
        let mut body = Zeroizing::new(ciphertext.to_vec());
        key.cipher()
            .decrypt_inout_detached(&nonce, &ad, body.as_mut_slice().into(), &tag)
            .map_err(|_| OpenError::Forged)?;
        Ok(body)
    }

    /// Opens a sealed TOTP or HOTP [`Secret`] (see [`Keyring::open`]).
    ///
    /// # Errors
    ///
    /// As [`Keyring::open`], and [`OpenError::NotASecret`] if the
    /// plaintext is shorter than [`Secret::MIN_LEN`].
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn core::error::Error>> {
    /// use rand_core::SeedableRng;
    /// use twostep::account::seal::{KeyId, Keyring, OpenError, SealKey};
    /// let mut rng = rand_chacha::ChaCha20Rng::from_seed([8; 32]);
    /// let keyring = Keyring::new(KeyId::new(1), SealKey::from_bytes(&[7; 32]));
    /// let sealed = keyring.seal(b"user-1", b"short", &mut rng)?;
    /// assert_eq!(keyring.open_secret(b"user-1", &sealed).unwrap_err(), OpenError::NotASecret { len: 5 });
    /// # Ok(()) }
    /// ```
    pub fn open_secret(&self, user_id: &[u8], sealed: &Sealed) -> Result<Secret, OpenError> {
        let bytes = self.open(user_id, sealed)?;
        Secret::from_bytes(&bytes).map_err(|_| OpenError::NotASecret { len: bytes.len() })
    }

    /// Whether `sealed` names a key other than the current one: re-seal it
    /// with [`Keyring::reseal`] before that key leaves the keyring. (A text
    /// naming a key the keyring does not hold needs it too, but will not
    /// open.)
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn core::error::Error>> {
    /// use rand_core::SeedableRng;
    /// use twostep::account::seal::{KeyId, Keyring, SealKey};
    /// let mut rng = rand_chacha::ChaCha20Rng::from_seed([9; 32]);
    /// let keyring = Keyring::new(KeyId::new(1), SealKey::from_bytes(&[7; 32]));
    /// let sealed = keyring.seal(b"user-1", b"key material", &mut rng)?;
    /// assert!(!keyring.needs_reseal(&sealed));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn needs_reseal(&self, sealed: &Sealed) -> bool {
        sealed.key_id() != self.current_id
    }

    /// Opens `sealed` (under whichever key it names) and seals the
    /// plaintext again under the current key, with a fresh nonce.
    ///
    /// # Errors
    ///
    /// [`ResealError::Open`] with the [`Keyring::open`] error if it does
    /// not open.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn core::error::Error>> {
    /// use rand_core::SeedableRng;
    /// use twostep::account::seal::{KeyId, Keyring, SealKey};
    /// let mut rng = rand_chacha::ChaCha20Rng::from_seed([9; 32]);
    /// let old = Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32]));
    /// let sealed = old.seal(b"user-1", b"key material", &mut rng)?;
    /// let keyring = Keyring::new(KeyId::new(2), SealKey::from_bytes(&[2; 32]))
    ///     .with_previous(KeyId::new(1), SealKey::from_bytes(&[1; 32]))?;
    /// let moved = keyring.reseal(b"user-1", &sealed, &mut rng)?;
    /// assert_eq!(moved.key_id(), KeyId::new(2));
    /// # Ok(()) }
    /// ```
    pub fn reseal<R: CryptoRng + ?Sized>(
        &self,
        user_id: &[u8],
        sealed: &Sealed,
        rng: &mut R,
    ) -> Result<Sealed, ResealError> {
        let plaintext = self.open(user_id, sealed)?;
        Ok(self.seal(user_id, &plaintext, rng)?)
    }

    /// [`Keyring::reseal`] with a nonce from the operating system's random
    /// source.
    ///
    /// # Errors
    ///
    /// As [`Keyring::reseal`], and [`ResealError::Seal`] with
    /// [`SealError::Random`] if the source fails.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn core::error::Error>> {
    /// use twostep::account::seal::{KeyId, Keyring, SealKey};
    /// let keyring = Keyring::new(KeyId::new(2), SealKey::generate_os()?);
    /// let sealed = keyring.seal_os(b"user-1", b"key material")?;
    /// let again = keyring.reseal_os(b"user-1", &sealed)?;
    /// assert_ne!(again, sealed); // a fresh nonce
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "getrandom")]
    #[cfg_attr(docsrs, doc(cfg(feature = "getrandom")))]
    pub fn reseal_os(&self, user_id: &[u8], sealed: &Sealed) -> Result<Sealed, ResealError> {
        let plaintext = self.open(user_id, sealed)?;
        Ok(self.seal_os(user_id, &plaintext)?)
    }

    /// The key named `id`, if the keyring holds it.
    fn key(&self, id: KeyId) -> Option<&SealKey> {
        if id == self.current_id {
            return Some(&self.current);
        }
        self.previous
            .iter()
            .find_map(|(k, key)| (*k == id).then_some(key))
    }

    /// Seals with the current key and `nonce`; `check_seal` has passed.
    fn seal_with_nonce(
        &self,
        user_id: &[u8],
        plaintext: &[u8],
        nonce: [u8; NONCE_LEN],
    ) -> Result<Sealed, SealError> {
        let too_long = SealError::PlaintextTooLong {
            len: plaintext.len(),
        };
        let ad = associated_data(self.current_id, user_id)
            .ok_or(SealError::UserIdLength { len: user_id.len() })?;
        let mut body = Zeroizing::new(plaintext.to_vec());
        let tag = self
            .current
            .cipher()
            .encrypt_inout_detached(&XNonce::from(nonce), &ad, body.as_mut_slice().into())
            // The AEAD refuses only messages of gigabytes.
            .map_err(|_| too_long)?;
        let mut payload = Vec::with_capacity(
            NONCE_LEN
                .saturating_add(body.len())
                .saturating_add(tag.len()),
        );
        payload.extend_from_slice(&nonce);
        payload.extend_from_slice(&body);
        payload.extend_from_slice(&tag);
        Ok(Sealed::from_parts(self.current_id, payload))
    }
}

/// The length checks of a seal, before any randomness is drawn.
fn check_seal(user_id: &[u8], plaintext: &[u8]) -> Result<(), SealError> {
    if plaintext.len() > Sealed::MAX_PLAINTEXT_LEN {
        return Err(SealError::PlaintextTooLong {
            len: plaintext.len(),
        });
    }
    if user_id.is_empty() || user_id.len() > Keyring::MAX_USER_ID_LEN {
        return Err(SealError::UserIdLength { len: user_id.len() });
    }
    Ok(())
}

/// `"twostep-seal/v1" || BE32(key id) || len(user id) || user id` (see the
/// module docs), or `None` for a user id that is empty or over 255 bytes.
fn associated_data(id: KeyId, user_id: &[u8]) -> Option<Vec<u8>> {
    let len = u8::try_from(user_id.len()).ok().filter(|&n| n > 0)?;
    let mut ad = Vec::with_capacity(
        AD_LABEL
            .len()
            .saturating_add(5)
            .saturating_add(user_id.len()),
    );
    ad.extend_from_slice(AD_LABEL);
    ad.extend_from_slice(&id.get().to_be_bytes());
    ad.push(len);
    ad.extend_from_slice(user_id);
    Some(ad)
}

/// The key ids of the previous keys, for `Debug`.
struct Ids<'a>(&'a [(KeyId, SealKey)]);

impl fmt::Debug for Ids<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(id, _)| id))
            .finish()
    }
}

impl fmt::Debug for Keyring {
    /// The key ids only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("current", &self.current_id)
            .field("previous", &Ids(&self.previous))
            .finish()
    }
}
