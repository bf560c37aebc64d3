//! [`Key`], [`Purpose`], [`Binding`] and the code derivation.
//!
//! ```text
//! code    = BE64(HMAC-SHA-256(key, "twostep-dc/v1/code" || purpose || len || attempt || nonce || digits)[0..8]) mod 10^digits
//! binding = HMAC-SHA-256(key, "twostep-dc/v1/binding" || purpose || len || attempt)[0..16]
//! ```
//!
//! `purpose`, `len` (of `attempt`, 1 to 64) and `digits` are one byte each;
//! `nonce` is the challenge's 16 random bytes. A 64-bit value reduced to at
//! most 10 digits has a bias below 10^-9.

use core::fmt;

use hmac::digest::{KeyInit, common::Key as MacKey};
use hmac::{Hmac, Mac};
use rand_core::CryptoRng;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use thiserror::Error;
use zeroize::Zeroize;

use crate::otp::{Code, Digits};

const CODE_TAG: &[u8] = b"twostep-dc/v1/code";
const BINDING_TAG: &[u8] = b"twostep-dc/v1/binding";

/// Bytes of a challenge's random nonce.
pub(crate) const NONCE_LEN: usize = 16;
/// Bytes of a binding's fingerprint in the state.
pub(crate) const FINGERPRINT_LEN: usize = 16;

/// A key or binding of the wrong length. Payloads are lengths only.
///
/// ```
/// use twostep::delivered::{Key, KeyError};
/// assert_eq!(Key::from_bytes(&[7; 16]).unwrap_err(), KeyError::KeyLength { len: 16, min: 32, max: 64 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum KeyError {
    /// A key shorter than [`Key::MIN_LEN`] or longer than [`Key::MAX_LEN`].
    #[error("delivered-code key must be {min} to {max} bytes, got {len}")]
    KeyLength {
        /// The key's length in bytes.
        len: usize,
        /// The shortest key allowed.
        min: usize,
        /// The longest key allowed.
        max: usize,
    },
    /// An attempt binding that is empty or longer than [`Binding::MAX_LEN`].
    #[error("binding must be 1 to {max} bytes, got {len}")]
    BindingLength {
        /// The binding's length in bytes.
        len: usize,
        /// The longest binding allowed.
        max: usize,
    },
    /// The operating system's random source failed (feature `getrandom`).
    #[error("the operating system random source failed")]
    Random,
}

/// The server-held key from which every delivered code is derived.
///
/// Keep it outside the database (a secrets manager, an environment
/// variable, a file readable by the service only), like the backup-code
/// pepper: the state stores only a random nonce per challenge, so a
/// database leak alone reveals no code. Wiped on drop (best effort), no
/// `Clone`, `Debug` shows nothing. Rotating the key kills the codes in
/// flight, nothing else.
///
/// ```
/// # fn main() -> Result<(), twostep::delivered::KeyError> {
/// use twostep::delivered::Key;
/// let key = Key::from_bytes(&[0x5a; 32])?; // from your secrets store
/// assert_eq!(format!("{key:?}"), "Key { .. }");
/// # Ok(()) }
/// ```
pub struct Key {
    mac: Hmac<Sha256>,
}

impl Key {
    /// The shortest key: 32 bytes (256 bits).
    pub const MIN_LEN: usize = 32;
    /// The longest key: 64 bytes (one SHA-256 block).
    pub const MAX_LEN: usize = 64;

    /// A key from its bytes.
    ///
    /// # Errors
    ///
    /// [`KeyError::KeyLength`] outside [`Key::MIN_LEN`]`..=`[`Key::MAX_LEN`].
    ///
    /// ```
    /// assert!(twostep::delivered::Key::from_bytes(&[1; 65]).is_err());
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        if bytes.len() < Self::MIN_LEN || bytes.len() > Self::MAX_LEN {
            return Err(KeyError::KeyLength {
                len: bytes.len(),
                min: Self::MIN_LEN,
                max: Self::MAX_LEN,
            });
        }
        // At most one block: zero padding is exactly RFC 2104's key handling.
        let mut block = MacKey::<Hmac<Sha256>>::default();
        block.iter_mut().zip(bytes).for_each(|(d, s)| *d = *s);
        let mac = <Hmac<Sha256> as KeyInit>::new(&block);
        block.as_mut_slice().zeroize();
        Ok(Self { mac })
    }

    /// A new 32-byte key from the caller's CSPRNG, living in this process
    /// only: every code in flight dies with the process, and other instances
    /// of the service cannot verify its codes. For a key shared by instances
    /// and restarts, draw 32 bytes into your secrets store and use
    /// [`Key::from_bytes`].
    ///
    /// In production draw from the operating system: [`Key::generate_os`]
    /// (feature `getrandom`), or a generator it seeds, such as `rand::rng()`
    /// (rand 0.10) or `rand_core::UnwrapErr(getrandom::SysRng)` (getrandom
    /// 0.4 with `sys_rng`).
    ///
    /// ```
    /// use rand_core::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha20Rng::from_seed([3; 32]); // tests only: a fixed seed
    /// let key = twostep::delivered::Key::generate(&mut rng);
    /// # let _ = key;
    /// ```
    #[must_use]
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut bytes = [0u8; Self::MIN_LEN];
        rng.fill_bytes(&mut bytes);
        let mut block = MacKey::<Hmac<Sha256>>::default();
        block.iter_mut().zip(&bytes).for_each(|(d, s)| *d = *s);
        bytes.zeroize();
        let mac = <Hmac<Sha256> as KeyInit>::new(&block);
        block.as_mut_slice().zeroize();
        Self { mac }
    }

    /// [`Key::generate`] on the operating system's random source (feature
    /// `getrandom`), with the same caveat: the key lives in this process only.
    ///
    /// # Errors
    ///
    /// [`KeyError::Random`] if the OS source fails.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::delivered::KeyError> {
    /// let key = twostep::delivered::Key::generate_os()?;
    /// # let _ = key;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "getrandom")]
    #[cfg_attr(docsrs, doc(cfg(feature = "getrandom")))]
    pub fn generate_os() -> Result<Self, KeyError> {
        crate::secret::os::with_os_rng(Self::generate).map_err(|_| KeyError::Random)
    }

    /// The code of a challenge (see the module docs for the construction).
    pub(crate) fn code(
        &self,
        binding: &Binding<'_>,
        nonce: &[u8; NONCE_LEN],
        digits: Digits,
    ) -> Code {
        #[cfg(test)]
        crate::test_counter::bump(&crate::test_counter::HMAC);
        let len = [binding.len_byte()];
        let digits_byte = [u8::try_from(digits.get()).unwrap_or(u8::MAX)];
        let mut tag = self
            .mac
            .clone()
            .chain_update(CODE_TAG)
            .chain_update([binding.purpose.id()])
            .chain_update(len)
            .chain_update(binding.attempt)
            .chain_update(nonce)
            .chain_update(digits_byte)
            .finalize()
            .into_bytes();
        let mut head = [0u8; 8];
        head.iter_mut().zip(tag.iter()).for_each(|(d, s)| *d = *s);
        tag.as_mut_slice().zeroize();
        let value = reduce(u64::from_be_bytes(head), digits);
        head.zeroize();
        Code::from_value(value, digits).unwrap_or_else(|| Code::from_truncated(0, digits))
    }

    /// The fingerprint of a binding, stored to recognise a resend for the
    /// same attempt. Keyed, so it reveals nothing about the attempt.
    pub(crate) fn fingerprint(&self, binding: &Binding<'_>) -> [u8; FINGERPRINT_LEN] {
        let mut tag = self
            .mac
            .clone()
            .chain_update(BINDING_TAG)
            .chain_update([binding.purpose.id()])
            .chain_update([binding.len_byte()])
            .chain_update(binding.attempt)
            .finalize()
            .into_bytes();
        let mut out = [0u8; FINGERPRINT_LEN];
        out.iter_mut().zip(tag.iter()).for_each(|(d, s)| *d = *s);
        tag.as_mut_slice().zeroize();
        out
    }
}

/// `value mod 10^digits`, each arm dividing by a constant (multiply and
/// shift, not a `div` whose latency depends on the secret operand).
fn reduce(value: u64, digits: Digits) -> u64 {
    match digits.get() {
        6 => value.wrapping_rem(1_000_000),
        7 => value.wrapping_rem(10_000_000),
        8 => value.wrapping_rem(100_000_000),
        9 => value.wrapping_rem(1_000_000_000),
        _ => value.wrapping_rem(10_000_000_000),
    }
}

/// Whether two fingerprints are equal, in constant time.
pub(crate) fn same_fingerprint(a: &[u8; FINGERPRINT_LEN], b: &[u8; FINGERPRINT_LEN]) -> bool {
    a.ct_eq(b).into()
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key").finish_non_exhaustive()
    }
}

/// What a code is for. Part of the derivation, so a code issued for one
/// purpose never works for another.
///
/// ```
/// use twostep::delivered::{Channel, Purpose};
/// assert!(Purpose::Recovery.allows(Channel::Email));
/// assert!(!Purpose::Login.allows(Channel::Email)); // e-mail is not a second factor
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum Purpose {
    /// The second step of a login (SMS or voice).
    Login,
    /// Confirming a new phone number (SMS or voice to that number).
    ConfirmPhone,
    /// Confirming an e-mail address (e-mail only).
    ConfirmAddress,
    /// Account recovery (any channel).
    Recovery,
}

impl Purpose {
    pub(crate) const fn id(self) -> u8 {
        match self {
            Self::Login => 1,
            Self::ConfirmPhone => 2,
            Self::ConfirmAddress => 3,
            Self::Recovery => 4,
        }
    }

    /// Whether a code for this purpose may be sent over `channel`: e-mail is
    /// not an out-of-band authenticator (NIST SP 800-63B), so it carries
    /// only address confirmation and recovery codes; an address is
    /// confirmed by e-mail only.
    ///
    /// ```
    /// use twostep::delivered::{Channel, Purpose};
    /// assert!(Purpose::Login.allows(Channel::Voice));
    /// assert!(!Purpose::ConfirmAddress.allows(Channel::Sms));
    /// ```
    #[must_use]
    pub const fn allows(self, channel: Channel) -> bool {
        matches!(
            (self, channel),
            (
                Self::Login | Self::ConfirmPhone,
                Channel::Sms | Channel::Voice
            ) | (Self::ConfirmAddress, Channel::Email)
                | (Self::Recovery, _)
        )
    }
}

/// How a message travels.
///
/// ```
/// assert_eq!(twostep::delivered::Channel::Sms.is_phone(), true);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum Channel {
    /// A text message.
    Sms,
    /// A voice call reading the code out.
    Voice,
    /// An e-mail.
    Email,
}

impl Channel {
    /// SMS or voice: a "restricted" authenticator in NIST SP 800-63B.
    ///
    /// ```
    /// assert!(!twostep::delivered::Channel::Email.is_phone());
    /// ```
    #[must_use]
    pub const fn is_phone(self) -> bool {
        matches!(self, Self::Sms | Self::Voice)
    }
}

/// What a code is bound to: its purpose and the attempt it was issued for
/// (ASVS 5.0 6.6.2), for example a SHA-256 of the login session id. A code
/// issued for one attempt is wrong in any other.
///
/// ```
/// # fn main() -> Result<(), twostep::delivered::KeyError> {
/// use twostep::delivered::{Binding, Purpose};
/// let session_hash = [0x42u8; 32]; // SHA-256 of the login session id
/// let binding = Binding::new(Purpose::Login, &session_hash)?;
/// assert_eq!(binding.purpose(), Purpose::Login);
/// assert!(Binding::new(Purpose::Login, b"").is_err());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Binding<'a> {
    purpose: Purpose,
    attempt: &'a [u8],
}

impl<'a> Binding<'a> {
    /// The longest attempt binding, in bytes.
    pub const MAX_LEN: usize = 64;

    /// A binding of `purpose` to `attempt` (1 to 64 bytes).
    ///
    /// # Errors
    ///
    /// [`KeyError::BindingLength`] if `attempt` is empty or too long.
    ///
    /// ```
    /// use twostep::delivered::{Binding, Purpose};
    /// assert!(Binding::new(Purpose::Recovery, &[0; 65]).is_err());
    /// ```
    pub const fn new(purpose: Purpose, attempt: &'a [u8]) -> Result<Self, KeyError> {
        if attempt.is_empty() || attempt.len() > Self::MAX_LEN {
            return Err(KeyError::BindingLength {
                len: attempt.len(),
                max: Self::MAX_LEN,
            });
        }
        Ok(Self { purpose, attempt })
    }

    /// The purpose.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::delivered::KeyError> {
    /// use twostep::delivered::{Binding, Purpose};
    /// assert_eq!(Binding::new(Purpose::Recovery, b"r-1")?.purpose(), Purpose::Recovery);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn purpose(&self) -> Purpose {
        self.purpose
    }

    fn len_byte(&self) -> u8 {
        u8::try_from(self.attempt.len()).unwrap_or(u8::MAX)
    }
}

impl fmt::Debug for Binding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Binding")
            .field("purpose", &self.purpose)
            .field("len", &self.attempt.len())
            .finish_non_exhaustive()
    }
}
