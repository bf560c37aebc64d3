//! [`Sealed`], its text form and [`ParseError`].

use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use base64ct::{Base64UrlUnpadded, Encoding};

use super::key::KeyId;
use crate::text::canonical_u64;

/// The version tag that starts every sealed text.
const TAG: &str = "z1";
/// Bytes of the random nonce.
pub(super) const NONCE_LEN: usize = 24;
/// Bytes of the Poly1305 tag.
pub(super) const TAG_LEN: usize = 16;
/// The shortest payload: nonce and tag around an empty ciphertext.
const MIN_PAYLOAD: usize = NONCE_LEN + TAG_LEN;
/// The longest payload.
const MAX_PAYLOAD: usize = MIN_PAYLOAD + Sealed::MAX_PLAINTEXT_LEN;
/// Unpadded base64 of `n` bytes: four symbols per three bytes, rounded up.
const fn b64_len(n: usize) -> usize {
    n.saturating_mul(4).div_ceil(3)
}

/// A secret sealed at rest: the key id and `nonce || ciphertext || tag`.
///
/// Not secret itself (store it in the user's row), and only opened by a
/// [`Keyring`](super::Keyring) holding the key it names, for the user it
/// was sealed for. The text form is
/// `z1.<key id>.<base64url(nonce || ciphertext || tag)>` (see the
/// [module docs](super)): `Display` writes it, `FromStr` reads exactly that
/// text back, and serde (feature `serde`) goes through it.
///
/// ```
/// # fn main() -> Result<(), Box<dyn core::error::Error>> {
/// use rand_core::SeedableRng;
/// use twostep::account::seal::{KeyId, Keyring, SealKey, Sealed};
/// let mut rng = rand_chacha::ChaCha20Rng::from_seed([5; 32]);
/// let keyring = Keyring::new(KeyId::new(12), SealKey::from_bytes(&[9; 32]));
/// let sealed = keyring.seal(b"user-1", b"twenty bytes of key!", &mut rng)?;
/// let text = sealed.to_string();
/// assert!(text.starts_with("z1.12."));
/// assert!(text.len() <= Sealed::MAX_LEN);
/// let back: Sealed = text.parse()?;
/// assert_eq!(back, sealed);
/// assert_eq!(back.key_id(), KeyId::new(12));
/// # Ok(()) }
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Sealed {
    key_id: KeyId,
    /// `nonce || ciphertext || tag`, `MIN_PAYLOAD..=MAX_PAYLOAD` bytes.
    payload: Vec<u8>,
}

impl Sealed {
    /// The longest plaintext sealed: 128 bytes. A TOTP key longer than its
    /// HMAC's block (64 bytes for SHA-1 and SHA-256, 128 for SHA-512) is
    /// hashed down before use (RFC 2104), so a longer key adds no strength;
    /// the usual keys are 20 to 64 bytes. The cap bounds the stored text.
    pub const MAX_PLAINTEXT_LEN: usize = 128;

    /// The longest sealed text: 238 bytes, for the largest key id and a
    /// plaintext of [`Sealed::MAX_PLAINTEXT_LEN`] bytes (a sealed 20-byte
    /// TOTP secret with a one-digit key id takes 85). Longer input is
    /// refused before anything else is read.
    pub const MAX_LEN: usize = TAG.len() + 1 + 10 + 1 + b64_len(MAX_PAYLOAD);

    /// The id of the key this text was sealed under.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn core::error::Error>> {
    /// use twostep::account::seal::{KeyId, Sealed};
    /// let sealed: Sealed = "z1.4.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".parse()?;
    /// assert_eq!(sealed.key_id(), KeyId::new(4));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// A sealed value from its parts (`payload` is `nonce || ciphertext ||
    /// tag`, of a length the keyring made).
    pub(super) fn from_parts(key_id: KeyId, payload: Vec<u8>) -> Self {
        Self { key_id, payload }
    }

    /// The nonce, the ciphertext and the tag.
    pub(super) fn parts(&self) -> Option<(&[u8], &[u8], &[u8])> {
        let (nonce, rest) = self.payload.split_at_checked(NONCE_LEN)?;
        let body_len = rest.len().checked_sub(TAG_LEN)?;
        let (ciphertext, tag) = rest.split_at_checked(body_len)?;
        Some((nonce, ciphertext, tag))
    }
}

impl fmt::Debug for Sealed {
    /// The key id and the payload's length (the payload is not secret, but
    /// adds nothing to a log).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealed")
            .field("key_id", &self.key_id.get())
            .field("len", &self.payload.len())
            .finish()
    }
}

impl fmt::Display for Sealed {
    /// The text form (see [`Sealed`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; b64_len(MAX_PAYLOAD)];
        let payload = Base64UrlUnpadded::encode(&self.payload, &mut buf).map_err(|_| fmt::Error)?;
        write!(f, "{TAG}.{}.{payload}", self.key_id)
    }
}

/// A string that is not a sealed text ([`Sealed`]'s `FromStr`).
///
/// Opaque: `Display` says what is wrong in broad terms, never the text, and
/// the detail may change between versions.
///
/// ```
/// use twostep::account::seal::Sealed;
/// let err = "z9.1.AAAA".parse::<Sealed>().unwrap_err();
/// assert_eq!(err.to_string(), "unknown sealed-text version");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParseError {
    kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    TooLong,
    Version,
    Structure,
    KeyId,
    Payload,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::TooLong => write!(f, "sealed text longer than {} bytes", Sealed::MAX_LEN),
            Kind::Version => f.write_str("unknown sealed-text version"),
            Kind::Structure => f.write_str("malformed sealed-text structure"),
            Kind::KeyId => f.write_str("invalid key id in sealed text"),
            Kind::Payload => f.write_str("invalid payload in sealed text"),
        }
    }
}

impl core::error::Error for ParseError {}

const fn err(kind: Kind) -> ParseError {
    ParseError { kind }
}

fn parse_key_id(field: &str) -> Result<KeyId, ParseError> {
    let id = canonical_u64(field).ok_or(err(Kind::KeyId))?;
    u32::try_from(id)
        .map(KeyId::new)
        .map_err(|_| err(Kind::KeyId))
}

fn parse_payload(field: &str) -> Result<Vec<u8>, ParseError> {
    let mut buf = [0u8; MAX_PAYLOAD];
    // Canonical only: base64ct refuses padding, other alphabets and set
    // unused bits, so one payload has one text.
    let payload = Base64UrlUnpadded::decode(field, &mut buf).map_err(|_| err(Kind::Payload))?;
    if payload.len() < MIN_PAYLOAD {
        return Err(err(Kind::Payload));
    }
    Ok(payload.to_vec())
}

impl FromStr for Sealed {
    type Err = ParseError;

    /// Parses the text form (see [`Sealed`]): only the exact text `Display`
    /// writes is accepted.
    ///
    /// # Errors
    ///
    /// A [`ParseError`] if the text is longer than [`Sealed::MAX_LEN`]
    /// (then nothing else is read), has another version tag, or a key id
    /// or payload that is not canonical.
    fn from_str(s: &str) -> Result<Self, ParseError> {
        if s.len() > Self::MAX_LEN {
            return Err(err(Kind::TooLong));
        }
        let (tag, rest) = s.split_once('.').ok_or(err(Kind::Version))?;
        if tag != TAG {
            return Err(err(Kind::Version));
        }
        let (id, payload) = rest.split_once('.').ok_or(err(Kind::Structure))?;
        Ok(Self {
            key_id: parse_key_id(id)?,
            payload: parse_payload(payload)?,
        })
    }
}

crate::text::serde_via_text!(Sealed, "a twostep sealed-secret text");
