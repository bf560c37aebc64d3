//! The errors of sealing, opening and building a keyring. Payloads are
//! lengths and key ids, never plaintext, keys or the sealed text.

use thiserror::Error;

use super::key::KeyId;
use super::keyring::Keyring;
use super::sealed::Sealed;

/// Why a [`Keyring::seal`] did not seal.
///
/// ```
/// use twostep::account::seal::{KeyId, Keyring, SealError, SealKey};
/// use rand_core::SeedableRng;
/// let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
/// let keyring = Keyring::new(KeyId::new(1), SealKey::from_bytes(&[7; 32]));
/// let err = keyring.seal(b"user-1", &[0; 200], &mut rng).unwrap_err();
/// assert_eq!(err, SealError::PlaintextTooLong { len: 200 });
/// assert_eq!(err.to_string(), "plaintext of 200 bytes exceeds the limit of 128");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum SealError {
    /// The plaintext is longer than [`Sealed::MAX_PLAINTEXT_LEN`] bytes.
    #[error("plaintext of {len} bytes exceeds the limit of {max}", max = Sealed::MAX_PLAINTEXT_LEN)]
    PlaintextTooLong {
        /// The plaintext's length in bytes.
        len: usize,
    },
    /// The user id is empty or longer than [`Keyring::MAX_USER_ID_LEN`] bytes.
    #[error("user id must be 1 to {max} bytes, got {len}", max = Keyring::MAX_USER_ID_LEN)]
    UserIdLength {
        /// The user id's length in bytes.
        len: usize,
    },
    /// The operating system's random source failed (the `*_os` functions,
    /// feature `getrandom`).
    #[error("the operating system random source failed")]
    Random,
}

/// Why a [`Keyring::open`] did not open.
///
/// ```
/// # fn main() -> Result<(), Box<dyn core::error::Error>> {
/// use twostep::account::seal::{KeyId, Keyring, OpenError, SealKey, Sealed};
/// let keyring = Keyring::new(KeyId::new(2), SealKey::from_bytes(&[7; 32]));
/// let sealed: Sealed = "z1.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".parse()?;
/// let err = keyring.open(b"user-1", &sealed).unwrap_err();
/// assert_eq!(err, OpenError::UnknownKey { id: KeyId::new(1) });
/// assert_eq!(err.to_string(), "no key with id 1 in the keyring");
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The text names a key that is neither the keyring's current key nor
    /// one of its previous keys (it was dropped too early, or the text
    /// comes from elsewhere).
    #[error("no key with id {id} in the keyring")]
    UnknownKey {
        /// The key id the text names.
        id: KeyId,
    },
    /// The text did not authenticate: it was sealed for another user, under
    /// another key with the same id, or changed. Deliberately one variant:
    /// the cause is never told apart.
    #[error("the sealed text did not authenticate")]
    Forged,
    /// The user id is empty or longer than [`Keyring::MAX_USER_ID_LEN`] bytes.
    #[error("user id must be 1 to {max} bytes, got {len}", max = Keyring::MAX_USER_ID_LEN)]
    UserIdLength {
        /// The user id's length in bytes.
        len: usize,
    },
    /// [`Keyring::open_secret`] only: the text opened, but its plaintext is
    /// not a [`Secret`](crate::Secret)'s length ([`Secret::MIN_LEN`](crate::Secret::MIN_LEN) or more); it was
    /// sealed with [`Keyring::seal`] from other bytes.
    #[error("opened plaintext of {len} bytes is not a secret")]
    NotASecret {
        /// The plaintext's length in bytes.
        len: usize,
    },
}

/// Why a [`Keyring::reseal`] did not reseal: either step's error.
///
/// ```
/// # fn main() -> Result<(), Box<dyn core::error::Error>> {
/// use rand_core::SeedableRng;
/// use twostep::account::seal::{KeyId, Keyring, OpenError, ResealError, SealKey};
/// let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
/// let old = Keyring::new(KeyId::new(1), SealKey::from_bytes(&[7; 32]));
/// let sealed = old.seal(b"user-1", b"secret bytes", &mut rng)?;
/// let new = Keyring::new(KeyId::new(2), SealKey::from_bytes(&[8; 32]));
/// let err = new.reseal(b"user-1", &sealed, &mut rng).unwrap_err();
/// assert_eq!(err, ResealError::Open(OpenError::UnknownKey { id: KeyId::new(1) }));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum ResealError {
    /// The text did not open.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// The opened plaintext could not be sealed again (only the random
    /// source of [`Keyring::reseal_os`] can fail here).
    #[error(transparent)]
    Seal(#[from] SealError),
}

/// Why a [`Keyring`] could not take another key.
///
/// ```
/// use twostep::account::seal::{KeyId, Keyring, KeyringError, SealKey};
/// let keyring = Keyring::new(KeyId::new(1), SealKey::from_bytes(&[7; 32]));
/// let err = keyring.with_previous(KeyId::new(1), SealKey::from_bytes(&[8; 32])).unwrap_err();
/// assert_eq!(err, KeyringError::DuplicateKeyId { id: KeyId::new(1) });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum KeyringError {
    /// A key with this id is already in the keyring: texts naming it would
    /// be ambiguous.
    #[error("the keyring already has a key with id {id}")]
    DuplicateKeyId {
        /// The repeated key id.
        id: KeyId,
    },
    /// The keyring already holds [`Keyring::MAX_KEYS`] keys.
    #[error("the keyring holds at most {max} keys", max = Keyring::MAX_KEYS)]
    TooManyKeys,
}
