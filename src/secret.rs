//! [`Secret`]: the shared key, wiped on drop and never printed.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use thiserror::Error;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

mod base32;
#[cfg(feature = "getrandom")]
pub(crate) mod os;

/// A problem with secret key material. Payloads carry lengths and positions
/// only, never the text or the bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The key is shorter than [`Secret::MIN_LEN`] or longer than [`Secret::MAX_LEN`] bytes
    /// (or, for generation, shorter than [`Secret::MIN_GENERATED_LEN`]).
    #[error("secret must be {min} to {max} bytes, got {len}", max = Secret::MAX_LEN)]
    Length {
        /// The length that was given or decoded, in bytes.
        len: usize,
        /// The smallest length accepted here: [`Secret::MIN_LEN`], or
        /// [`Secret::MIN_GENERATED_LEN`] for generation.
        min: usize,
    },
    /// The base32 text is longer than [`Secret::MAX_INPUT_LEN`] bytes.
    #[error("base32 text of {len} bytes exceeds the limit of {max}", max = Secret::MAX_INPUT_LEN)]
    InputTooLong {
        /// The input length in bytes.
        len: usize,
    },
    /// A byte that is not part of the base32 alphabet (or, in strict mode,
    /// lower case, a separator or misplaced padding).
    #[error("invalid base32 character at byte {position}")]
    InvalidCharacter {
        /// Byte offset of the first offending character in the input.
        position: usize,
    },
    /// The number of base32 symbols cannot encode whole bytes.
    #[error("base32 text of {symbols} symbols does not encode whole bytes")]
    InvalidLength {
        /// The number of alphabet symbols found.
        symbols: usize,
    },
    /// Strict mode only: padding of the wrong length, or non-zero unused
    /// trailing bits (the text is not the canonical encoding).
    #[error("base32 text is not in canonical form")]
    NonCanonical,
    /// The operating system's random source failed (`getrandom` feature).
    #[error("the operating system random source failed")]
    Random,
}

/// The shared secret key of a TOTP or HOTP credential.
///
/// A vault, not a value: the bytes are private, wiped when the `Secret` is
/// dropped (best effort: copies the compiler or the OS made are out of
/// reach), never shown by `Debug`, and compared only in constant time.
/// There is no `Clone` and no `Display`; [`Secret::duplicate`] makes an
/// explicit copy and [`Secret::expose_secret`] lends the bytes.
///
/// ```
/// # fn main() -> Result<(), twostep::secret::SecretError> {
/// use twostep::Secret;
/// let s = Secret::from_base32("jbsw y3dp-ehpk 3pxp")?; // tolerant input
/// assert_eq!(s.expose_secret(), b"Hello!\xde\xad\xbe\xef");
/// assert_eq!(*s.to_base32(), "JBSWY3DPEHPK3PXP");
/// assert_eq!(format!("{s:?}"), "Secret { len: 10, .. }");
/// # Ok(()) }
/// ```
pub struct Secret {
    bytes: Vec<u8>,
}

impl Secret {
    /// The shortest key accepted: 10 bytes (80 bits), what many services issue.
    pub const MIN_LEN: usize = 10;
    /// The longest key accepted: 1024 bytes.
    pub const MAX_LEN: usize = 1024;
    /// The shortest key [`Secret::generate_with_len`] will make: 16 bytes (128 bits),
    /// the RFC 4226 §4 requirement.
    pub const MIN_GENERATED_LEN: usize = 16;
    /// The length [`Secret::generate`] makes: 20 bytes (160 bits), the RFC 4226
    /// recommendation and the SHA-1 output size.
    pub const DEFAULT_LEN: usize = 20;
    /// The longest base32 text accepted, separators and padding included.
    pub const MAX_INPUT_LEN: usize = 4096;

    /// A secret holding a copy of `bytes`.
    ///
    /// # Errors
    ///
    /// [`SecretError::Length`] unless `bytes` is 10 to 1024 bytes long.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::secret::SecretError> {
    /// let s = twostep::Secret::from_bytes(b"12345678901234567890")?;
    /// assert_eq!(s.byte_len(), 20);
    /// assert!(twostep::Secret::from_bytes(b"short").is_err());
    /// # Ok(()) }
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SecretError> {
        check_len(bytes.len(), Self::MIN_LEN)?;
        Ok(Self {
            bytes: bytes.to_vec(),
        })
    }

    /// Parses base32 (RFC 4648) text tolerantly: lower case, ASCII white space,
    /// hyphens and trailing `=` padding are accepted, as users copy them from
    /// screens and other services.
    ///
    /// # Errors
    ///
    /// [`SecretError::InputTooLong`] over 4096 bytes of text,
    /// [`SecretError::InvalidCharacter`] for anything else outside the alphabet,
    /// [`SecretError::InvalidLength`] for a symbol count that cannot be whole bytes,
    /// and [`SecretError::Length`] for a decoded key outside 10..=1024 bytes.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::secret::SecretError> {
    /// use twostep::Secret;
    /// let a = Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?;
    /// let b = Secret::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq")?;
    /// assert!(a == b);
    /// # Ok(()) }
    /// ```
    pub fn from_base32(text: &str) -> Result<Self, SecretError> {
        decode_base32(text, false)
    }

    /// Parses base32 (RFC 4648) text strictly: upper-case alphabet only, either
    /// no padding or exactly the canonical padding, and zero unused bits.
    ///
    /// # Errors
    ///
    /// As [`Secret::from_base32`], and also [`SecretError::InvalidCharacter`] for
    /// lower case or separators and [`SecretError::NonCanonical`] for wrong
    /// padding or non-zero trailing bits.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::secret::SecretError> {
    /// use twostep::Secret;
    /// assert!(Secret::from_base32_strict("JBSWY3DPEHPK3PXP").is_ok());
    /// assert!(Secret::from_base32_strict("jbswy3dpehpk3pxp").is_err());
    /// # Ok(()) }
    /// ```
    pub fn from_base32_strict(text: &str) -> Result<Self, SecretError> {
        decode_base32(text, true)
    }

    /// Generates a [`Secret::DEFAULT_LEN`] (20-byte) secret from the caller's CSPRNG.
    ///
    /// In production draw from the operating system: [`Secret::generate_os`]
    /// (feature `getrandom`), or bring a generator seeded by it, such as
    /// `rand::rng()` (rand 0.10) or `rand_core::UnwrapErr(getrandom::SysRng)`
    /// (getrandom 0.4 with its `sys_rng` feature; `UnwrapErr` panics if the
    /// OS source fails). A fixed seed, as in the tests below, is for tests
    /// only.
    ///
    /// ```
    /// use rand_core::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]); // tests only: a fixed seed
    /// let s = twostep::Secret::generate(&mut rng);
    /// assert_eq!(s.byte_len(), 20);
    /// # #[cfg(feature = "getrandom")] {
    /// let mut os = rand_core::UnwrapErr(getrandom::SysRng); // production: the OS source
    /// assert!(twostep::Secret::generate(&mut os) != s);
    /// # }
    /// ```
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut bytes = alloc::vec![0u8; Self::DEFAULT_LEN];
        rng.fill_bytes(&mut bytes);
        Self { bytes }
    }

    /// Generates a secret of `len` bytes from the caller's CSPRNG.
    ///
    /// # Errors
    ///
    /// [`SecretError::Length`] unless `len` is 16 to 1024.
    ///
    /// ```
    /// use rand_core::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]); // tests only: a fixed seed
    /// assert!(twostep::Secret::generate_with_len(&mut rng, 32).is_ok());
    /// assert!(twostep::Secret::generate_with_len(&mut rng, 10).is_err());
    /// ```
    pub fn generate_with_len<R: CryptoRng + ?Sized>(
        rng: &mut R,
        len: usize,
    ) -> Result<Self, SecretError> {
        check_len(len, Self::MIN_GENERATED_LEN)?;
        let mut bytes = alloc::vec![0u8; len];
        rng.fill_bytes(&mut bytes);
        Ok(Self { bytes })
    }

    /// [`Secret::generate`] on the operating system's random source
    /// (feature `getrandom`): a 20-byte secret.
    ///
    /// # Errors
    ///
    /// [`SecretError::Random`] if the OS source fails.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::secret::SecretError> {
    /// let s = twostep::Secret::generate_os()?;
    /// assert_eq!(s.byte_len(), 20);
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "getrandom")]
    #[cfg_attr(docsrs, doc(cfg(feature = "getrandom")))]
    pub fn generate_os() -> Result<Self, SecretError> {
        os::with_os_rng(Self::generate).map_err(|_| SecretError::Random)
    }

    /// [`Secret::generate_with_len`] on the operating system's random source
    /// (feature `getrandom`).
    ///
    /// # Errors
    ///
    /// [`SecretError::Length`] unless `len` is 16 to 1024;
    /// [`SecretError::Random`] if the OS source fails.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::secret::SecretError> {
    /// assert_eq!(twostep::Secret::generate_with_len_os(32)?.byte_len(), 32);
    /// assert!(twostep::Secret::generate_with_len_os(10).is_err());
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "getrandom")]
    #[cfg_attr(docsrs, doc(cfg(feature = "getrandom")))]
    pub fn generate_with_len_os(len: usize) -> Result<Self, SecretError> {
        os::with_os_rng(|rng| Self::generate_with_len(rng, len)).map_err(|_| SecretError::Random)?
    }

    /// The key bytes. Handle with care: do not log or persist them unencrypted.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::secret::SecretError> {
    /// let s = twostep::Secret::from_bytes(&[1; 16])?;
    /// assert_eq!(s.expose_secret(), &[1; 16]);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn expose_secret(&self) -> &[u8] {
        &self.bytes
    }

    /// The key length in bytes (not secret).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::secret::SecretError> {
    /// assert_eq!(twostep::Secret::from_bytes(&[1; 16])?.byte_len(), 16);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    /// The key as unpadded upper-case base32, as authenticator apps expect.
    /// The text is written into a buffer of the exact size, so no
    /// reallocation leaves a copy behind, and is wiped when the returned
    /// value is dropped.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::secret::SecretError> {
    /// let s = twostep::Secret::from_bytes(b"12345678901234567890")?;
    /// assert_eq!(*s.to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn to_base32(&self) -> Zeroizing<String> {
        base32::encode(&self.bytes)
    }

    /// An explicit copy. `Secret` has no `Clone` so that copies of key
    /// material are always visible in code review.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::secret::SecretError> {
    /// let a = twostep::Secret::from_bytes(&[9; 20])?;
    /// let b = a.duplicate();
    /// assert!(a == b);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn duplicate(&self) -> Self {
        Self {
            bytes: self.bytes.clone(),
        }
    }
}

fn check_len(len: usize, min: usize) -> Result<(), SecretError> {
    if (min..=Secret::MAX_LEN).contains(&len) {
        Ok(())
    } else {
        Err(SecretError::Length { len, min })
    }
}

/// Symbols per 8-symbol group that end a valid partial group (RFC 4648 §6).
const fn whole_bytes(symbols: usize) -> bool {
    matches!(symbols % 8, 0 | 2 | 4 | 5 | 7)
}

fn decode_base32(text: &str, strict: bool) -> Result<Secret, SecretError> {
    let input = text.as_bytes();
    if input.len() > Secret::MAX_INPUT_LEN {
        return Err(SecretError::InputTooLong { len: input.len() });
    }
    // The normalised symbols are key material too: wipe them on every path.
    let mut symbols = Zeroizing::new(Vec::with_capacity(input.len()));
    let mut padding = 0usize;
    for (position, &b) in input.iter().enumerate() {
        let upper = b.to_ascii_uppercase();
        // `|`, not `||`: no branch on whether the symbol is a letter or a digit.
        let is_symbol = upper.is_ascii_uppercase() | (b'2'..=b'7').contains(&b);
        if b == b'=' {
            padding = padding.saturating_add(1);
            continue;
        }
        if !strict && (b.is_ascii_whitespace() || b == b'-') {
            continue;
        }
        if padding == 0 && is_symbol && (!strict || upper == b) {
            symbols.push(upper);
        } else {
            // Outside the alphabet, or a symbol after padding.
            return Err(SecretError::InvalidCharacter { position });
        }
    }
    let n = symbols.len();
    if !whole_bytes(n) {
        return Err(SecretError::InvalidLength { symbols: n });
    }
    if strict {
        let canonical_padding = n.wrapping_neg() % 8;
        if padding != 0 && padding != canonical_padding {
            return Err(SecretError::NonCanonical);
        }
    }
    let decoded_len = n.saturating_mul(5) / 8;
    check_len(decoded_len, Secret::MIN_LEN)?;
    let secret = Secret {
        bytes: base32::decode(&symbols),
    };
    if strict && secret.to_base32().as_bytes() != symbols.as_slice() {
        // Re-encoding differs only when unused trailing bits were set.
        return Err(SecretError::NonCanonical);
    }
    Ok(secret)
}

impl ConstantTimeEq for Secret {
    /// Constant time in the contents; the lengths (not secret) may be compared first.
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.bytes.as_slice().ct_eq(other.bytes.as_slice())
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secret")
            .field("len", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl ZeroizeOnDrop for Secret {}
