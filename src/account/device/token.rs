//! [`DeviceId`] and [`Token`], with their text forms and [`ParseError`].

use core::fmt;
use core::str::FromStr;

use base64ct::{Base64UrlUnpadded, Encoding};
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;

use crate::text::canonical_u64;
use crate::time::{Duration, UnixTime};

/// Bytes of a token's tag: a whole HMAC-SHA-256 output.
pub(super) const TAG_LEN: usize = 32;
/// Symbols of a tag in unpadded base64url.
const TAG_SYMBOLS: usize = 43;
/// Symbols of a device id in unpadded base64url.
const DEVICE_SYMBOLS: usize = 22;
/// The version label, the token's first field.
const VERSION: &str = "r1";

/// A remembered device: 16 random bytes (128 bits), written as 22 symbols
/// of unpadded base64url. Not a secret (it is in the cookie and in the
/// account's list of devices), but unguessable, so a device can be named
/// and forgotten without naming the browser.
///
/// ```
/// # fn main() -> Result<(), twostep::account::device::ParseError> {
/// use twostep::account::device::DeviceId;
/// let id = DeviceId::from_bytes([0xfb; 16]);
/// assert_eq!(id.to_string(), "-_v7-_v7-_v7-_v7-_v7-w");
/// assert_eq!("-_v7-_v7-_v7-_v7-_v7-w".parse::<DeviceId>()?, id);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeviceId([u8; 16]);

impl DeviceId {
    /// The length of the text form.
    pub const TEXT_LEN: usize = DEVICE_SYMBOLS;

    /// A device id of these bytes (for example read back from storage).
    ///
    /// ```
    /// let id = twostep::account::device::DeviceId::from_bytes([1; 16]);
    /// assert_eq!(id.as_bytes(), &[1; 16]);
    /// ```
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The bytes.
    ///
    /// ```
    /// assert_eq!(twostep::account::device::DeviceId::from_bytes([0; 16]).as_bytes().len(), 16);
    /// ```
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// A new device id from the caller's CSPRNG.
    ///
    /// ```
    /// use rand_core::SeedableRng;
    /// use twostep::account::device::DeviceId;
    /// let mut rng = rand_chacha::ChaCha20Rng::from_seed([4; 32]); // use an OS-seeded CSPRNG
    /// assert_ne!(DeviceId::generate(&mut rng), DeviceId::generate(&mut rng));
    /// ```
    #[must_use]
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut bytes = [0u8; 16];
        rng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// A new device id from the operating system's random source.
    ///
    /// # Errors
    ///
    /// [`DeviceError::Random`](super::DeviceError::Random) if the OS source fails.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::account::device::DeviceError> {
    /// use twostep::account::device::DeviceId;
    /// assert_ne!(DeviceId::generate_os()?, DeviceId::generate_os()?);
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "getrandom")]
    #[cfg_attr(docsrs, doc(cfg(feature = "getrandom")))]
    pub fn generate_os() -> Result<Self, super::DeviceError> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|_| super::DeviceError::Random)?;
        Ok(Self(bytes))
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        b64_write(&self.0, f)
    }
}

impl fmt::Debug for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceId(\"")?;
        b64_write(&self.0, f)?;
        f.write_str("\")")
    }
}

impl FromStr for DeviceId {
    type Err = ParseError;

    /// Reads the 22 symbols of unpadded base64url, canonical only.
    fn from_str(text: &str) -> Result<Self, ParseError> {
        if text.len() != DEVICE_SYMBOLS {
            return Err(ParseKind::Device.into());
        }
        b64_read(text).map(Self).ok_or(ParseKind::Device.into())
    }
}

/// A remembered-device token, the value of the cookie.
///
/// Minted by [`remember`](super::remember), judged by
/// [`check`](super::check). Its text is `r1.<key id>.<device>.<expires>.<epoch>.<tag>`
/// (see the [module docs](super)), at most [`Token::MAX_LEN`] bytes of
/// cookie-safe ASCII; a text that parses prints back identically. With the
/// `serde` feature it serialises as the same text.
///
/// The accessors return what the text says: trust them only after
/// [`check`](super::check) found the token valid. The token is a bearer
/// credential for the second step, so `Debug` leaves out its tag, and `==`
/// compares the tag in constant time.
///
/// ```
/// # fn main() -> Result<(), Box<dyn core::error::Error>> {
/// use twostep::UnixTime;
/// use twostep::account::device::{remember, DeviceId, DeviceKey, Keyring, Token};
/// let keys = Keyring::new(3, DeviceKey::from_bytes(&[0x42; 32])?);
/// let device = DeviceId::from_bytes([1; 16]);
/// let token = remember(&keys, b"user-7", device, 5, UnixTime::from_secs(100), Token::DEFAULT_LIFETIME)?;
/// let text = token.to_string();
/// assert!(text.starts_with("r1.3.AQEBAQEBAQEBAQEBAQEBAQ.2592100.5."));
/// assert_eq!(text.parse::<Token>()?, token);
/// assert!(!format!("{token:?}").contains(text.rsplit('.').next().unwrap_or_default()));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Token {
    key_id: u32,
    device: DeviceId,
    expires_at: UnixTime,
    epoch: u64,
    tag: [u8; TAG_LEN],
}

impl Token {
    /// The longest text: `r1.` and a ten-digit key id, the device, two
    /// twenty-digit numbers and the tag, with their dots (122), rounded up.
    pub const MAX_LEN: usize = 128;
    /// The shortest lifetime [`remember`](super::remember) accepts: 1 second.
    pub const MIN_LIFETIME: Duration = Duration::seconds(1);
    /// The usual "remember this device" lifetime: 30 days.
    pub const DEFAULT_LIFETIME: Duration = Duration::days(30);
    /// The longest lifetime: 400 days. Browsers cap a cookie's `Max-Age` and
    /// `Expires` at 400 days (the draft revision of the cookie specification,
    /// RFC 6265bis, requires it of user agents, in its processing of both
    /// attributes; Chrome does it since version 104), so a longer token could
    /// not be kept by the browser and would only leave a stolen copy working
    /// for longer.
    pub const MAX_LIFETIME: Duration = Duration::days(400);

    pub(super) const fn from_parts(
        key_id: u32,
        device: DeviceId,
        expires_at: UnixTime,
        epoch: u64,
        tag: [u8; TAG_LEN],
    ) -> Self {
        Self {
            key_id,
            device,
            expires_at,
            epoch,
            tag,
        }
    }

    /// The id of the key that signed it (as written in the text).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::account::device::ParseError> {
    /// let text = "r1.9.AQEBAQEBAQEBAQEBAQEBAQ.100.0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    /// assert_eq!(text.parse::<twostep::account::device::Token>()?.key_id(), 9);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The device it names (as written in the text).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::account::device::ParseError> {
    /// use twostep::account::device::{DeviceId, Token};
    /// let text = "r1.9.AQEBAQEBAQEBAQEBAQEBAQ.100.0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    /// assert_eq!(text.parse::<Token>()?.device(), DeviceId::from_bytes([1; 16]));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn device(&self) -> DeviceId {
        self.device
    }

    /// The first instant at which it is no longer valid (as written in the text).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::account::device::ParseError> {
    /// use twostep::{UnixTime, account::device::Token};
    /// let text = "r1.9.AQEBAQEBAQEBAQEBAQEBAQ.100.0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    /// assert_eq!(text.parse::<Token>()?.expires_at(), UnixTime::from_secs(100));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn expires_at(&self) -> UnixTime {
        self.expires_at
    }

    /// The device epoch it was minted under (as written in the text).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::account::device::ParseError> {
    /// let text = "r1.9.AQEBAQEBAQEBAQEBAQEBAQ.100.4.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    /// assert_eq!(text.parse::<twostep::account::device::Token>()?.epoch(), 4);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn epoch(&self) -> u64 {
        self.epoch
    }

    pub(super) const fn tag(&self) -> &[u8; TAG_LEN] {
        &self.tag
    }
}

impl PartialEq for Token {
    fn eq(&self, other: &Self) -> bool {
        let tags: bool = self.tag.ct_eq(&other.tag).into();
        tags & (self.key_id == other.key_id)
            & (self.device == other.device)
            & (self.expires_at == other.expires_at)
            & (self.epoch == other.epoch)
    }
}

impl Eq for Token {}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("key_id", &self.key_id)
            .field("device", &self.device)
            .field("expires_at", &self.expires_at)
            .field("epoch", &self.epoch)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{VERSION}.{}.{}.{}.{}.",
            self.key_id,
            self.device,
            self.expires_at.as_secs(),
            self.epoch
        )?;
        b64_write(&self.tag, f)
    }
}

impl FromStr for Token {
    type Err = ParseError;

    /// Reads the text form: at most [`Token::MAX_LEN`] bytes (checked
    /// first), the `r1` version, then five fields in their one canonical
    /// spelling.
    fn from_str(text: &str) -> Result<Self, ParseError> {
        if text.len() > Self::MAX_LEN {
            return Err(ParseKind::TooLong { len: text.len() }.into());
        }
        let mut fields = text.split('.');
        if fields.next() != Some(VERSION) {
            return Err(ParseKind::Version.into());
        }
        let (Some(key_id), Some(device), Some(expires), Some(epoch), Some(tag), None) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        ) else {
            return Err(ParseKind::Structure.into());
        };
        let key_id = canonical_u64(key_id)
            .and_then(|id| u32::try_from(id).ok())
            .ok_or(ParseKind::KeyId)?;
        let device = device.parse::<DeviceId>()?;
        let expires_at = canonical_u64(expires)
            .map(UnixTime::from_secs)
            .ok_or(ParseKind::Expiry)?;
        let epoch = canonical_u64(epoch).ok_or(ParseKind::Epoch)?;
        let tag = (tag.len() == TAG_SYMBOLS)
            .then(|| b64_read::<TAG_LEN>(tag))
            .flatten()
            .ok_or(ParseKind::Tag)?;
        Ok(Self::from_parts(key_id, device, expires_at, epoch, tag))
    }
}

/// A text that is not a device token ([`Token`]'s or [`DeviceId`]'s
/// `FromStr`).
///
/// Opaque: `Display` names the first malformed part, and the detail may
/// change between versions without breaking callers. Never shows the input.
///
/// ```
/// use twostep::account::device::{ParseError, Token};
/// let err: ParseError = "r2.0.x".parse::<Token>().unwrap_err();
/// assert_eq!(err.to_string(), "unsupported device token version");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParseError {
    kind: ParseKind,
}

/// What was wrong, for [`ParseError`]'s `Display`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum ParseKind {
    TooLong { len: usize },
    Version,
    Structure,
    KeyId,
    Device,
    Expiry,
    Epoch,
    Tag,
}

impl From<ParseKind> for ParseError {
    fn from(kind: ParseKind) -> Self {
        Self { kind }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ParseKind::TooLong { len } => write!(
                f,
                "device token of {len} bytes exceeds the limit of {}",
                Token::MAX_LEN
            ),
            ParseKind::Version => f.write_str("unsupported device token version"),
            ParseKind::Structure => f.write_str("a device token has six dot-separated fields"),
            ParseKind::KeyId => f.write_str("malformed device token key id"),
            ParseKind::Device => f.write_str("malformed device id"),
            ParseKind::Expiry => f.write_str("malformed device token expiry"),
            ParseKind::Epoch => f.write_str("malformed device token epoch"),
            ParseKind::Tag => f.write_str("malformed device token tag"),
        }
    }
}

impl fmt::Debug for ParseError {
    /// `ParseError("…")`, with the `Display` text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ParseError(\"")?;
        fmt::Display::fmt(self, f)?;
        f.write_str("\")")
    }
}

impl core::error::Error for ParseError {}

/// Writes `bytes` (at most 32) as unpadded base64url through a stack buffer.
fn b64_write(bytes: &[u8], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut buf = [0u8; TAG_SYMBOLS];
    let text = Base64UrlUnpadded::encode(bytes, &mut buf).map_err(|_| fmt::Error)?;
    f.write_str(text)
}

/// Decodes unpadded base64url of exactly `N` bytes, canonical only (zero
/// unused bits), so each value has one spelling.
fn b64_read<const N: usize>(text: &str) -> Option<[u8; N]> {
    let mut out = [0u8; N];
    let n = Base64UrlUnpadded::decode(text, &mut out).ok()?.len();
    (n == N).then_some(out)
}

crate::text::serde_via_text!(Token, "a twostep remembered-device token");
crate::text::serde_via_text!(DeviceId, "a twostep device id");
