//! Remembered devices: "remember this device for 30 days" tokens.
//!
//! After a successful second step the service may offer to skip it on this
//! browser for a while. [`remember`] mints a [`Token`] for the cookie: an
//! HMAC-SHA-256 under a server [`DeviceKey`] over the user, a random
//! [`DeviceId`], an expiry and the account's *device epoch*. [`check`] reads
//! the cookie back on the next login and says [`Remembered::Valid`],
//! [`Remembered::Expired`], [`Remembered::Revoked`] or [`Remembered::Invalid`].
//!
//! ```
//! # fn main() -> Result<(), twostep::account::device::DeviceError> {
//! use rand_core::SeedableRng;
//! use twostep::UnixTime;
//! use twostep::account::device::{self, DeviceId, DeviceKey, Keyring, Remembered, Token};
//!
//! let mut rng = rand_chacha::ChaCha20Rng::from_seed([9; 32]); // use an OS-seeded CSPRNG
//! let keys = Keyring::new(1, DeviceKey::from_bytes(&[0x42; 32])?); // from your secrets store
//! let (user, epoch) = (b"user-7".as_slice(), 0); // the epoch is stored with the account
//! let now = UnixTime::from_secs(1_795_780_800);
//!
//! let token = device::remember(&keys, user, DeviceId::generate(&mut rng), epoch, now, Token::DEFAULT_LIFETIME)?;
//! let cookie = token.to_string(); // Set-Cookie: remember=<cookie>; Max-Age=2592000; Secure; HttpOnly
//! assert!(cookie.starts_with("r1.1."));
//!
//! let later = UnixTime::from_secs(1_795_780_800 + 86_400);
//! assert!(matches!(device::check(&keys, user, &cookie, epoch, later), Remembered::Valid { .. }));
//! // "Sign out everywhere" bumps the epoch: every token minted before is revoked.
//! assert!(matches!(device::check(&keys, user, &cookie, epoch + 1, later), Remembered::Revoked { .. }));
//! // The token is bound to its user.
//! assert_eq!(device::check(&keys, b"user-8", &cookie, epoch, later), Remembered::Invalid);
//! # Ok(()) }
//! ```
//!
//! # The device epoch
//!
//! The account keeps one counter, starting at 0. Bump it whenever every
//! remembered device must ask for the second factor again: "sign out
//! everywhere", a 2FA reset or re-enrolment, new backup codes, a password
//! change. A token carries the epoch it was minted under, so [`check`] can
//! tell a revoked token ([`Remembered::Revoked`]) from a forged one. To
//! forget one device, drop its [`DeviceId`] from the account's list of
//! remembered devices and refuse a [`Remembered::Valid`] whose device is not
//! on it.
//!
//! # The token
//!
//! ```text
//! r1.<key id>.<device>.<expires>.<epoch>.<tag>
//! tag = HMAC-SHA-256(key, "twostep-rd/v1" || BE32(key id) || BE64(len(user)) || user
//!                         || device || BE64(expires) || BE64(epoch))
//! ```
//!
//! `device` (16 bytes) and `tag` (32 bytes) are unpadded base64url (RFC 4648
//! §5); `key id`, `expires` (Unix seconds) and `epoch` are canonical
//! decimals. Every character is a cookie-octet of RFC 6265, so the text goes
//! into a cookie value as it is. The user id is not in the text, only in the
//! MAC input: a token read on another account's login fails its tag.
//!
//! # Security
//!
//! - [`check`] verifies the tag in constant time before it looks at the
//!   expiry or the epoch; an unreadable text, an unknown key id, a token of
//!   another user and an altered token are all [`Remembered::Invalid`], with
//!   no hint which.
//! - A remembered device skips the *second* factor only: ask for the
//!   password as usual, and throttle the login as usual.
//! - Send the cookie `Secure; HttpOnly; SameSite=Lax` (or `Strict`), with a
//!   `Max-Age` equal to the lifetime. A lifetime above
//!   [`Token::MAX_LIFETIME`] (400 days) is refused: browsers cap a cookie's
//!   life there, so a longer token would only be a longer window for a
//!   stolen copy.
//! - Keep the [`DeviceKey`] outside the database, like the other server
//!   keys. To rotate, give the [`Keyring`] a new current key and keep the
//!   old one as a previous key until the tokens it signed have expired;
//!   [`Keyring::needs_renewal`] tells which valid tokens to reissue.

mod key;
mod token;

pub use key::{DeviceKey, Keyring};
pub use token::{DeviceId, ParseError, Token};

use core::fmt;

use subtle::ConstantTimeEq;
use thiserror::Error;

use crate::time::{Duration, UnixTime};

/// A token that cannot be minted, or a key or keyring that cannot be built.
/// Payloads are lengths, counts and key ids, never key bytes.
///
/// ```
/// use twostep::account::device::{DeviceError, DeviceKey};
/// assert_eq!(DeviceKey::from_bytes(&[1; 16]).unwrap_err(), DeviceError::KeyLength { len: 16 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum DeviceError {
    /// A key that is not exactly [`DeviceKey::LEN`] bytes.
    #[error("device key must be {expected} bytes, got {len}", expected = DeviceKey::LEN)]
    KeyLength {
        /// The length given, in bytes.
        len: usize,
    },
    /// Two keys of a [`Keyring`] with the same id.
    #[error("device key id {id} is already in the keyring")]
    DuplicateKeyId {
        /// The repeated id.
        id: u32,
    },
    /// More previous keys than [`Keyring::MAX_PREVIOUS`].
    #[error("a device keyring holds at most {max} previous keys")]
    TooManyKeys {
        /// The most previous keys allowed.
        max: usize,
    },
    /// A lifetime outside [`Token::MIN_LIFETIME`]`..=`[`Token::MAX_LIFETIME`].
    #[error("token lifetime must be 1 second to 400 days, got {secs} seconds")]
    Lifetime {
        /// The lifetime given, in whole seconds.
        secs: i64,
    },
    /// An empty user id (it would bind the token to no one in particular).
    #[error("user id must not be empty")]
    EmptyUser,
    /// `now + lifetime` is past the last representable instant.
    #[error("token expiry is out of the representable range")]
    OutOfRange,
    /// The operating system's random source failed (`getrandom` feature).
    #[error("the operating system random source failed")]
    Random,
}

/// What a remembered-device cookie is worth, from [`check`].
///
/// Only [`Remembered::Valid`] lets the login skip the second factor. For the
/// other cases, clear the cookie and ask for the second factor; the device
/// of an expired or revoked token can be dropped from the account's list.
///
/// ```
/// use twostep::account::device::Remembered;
/// assert!(!Remembered::Invalid.is_valid());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[must_use]
pub enum Remembered {
    /// Genuine, for this user and epoch, and not expired: skip the second
    /// factor (if the device is still on the account's list).
    Valid {
        /// The device the token was minted for.
        device: DeviceId,
        /// The first instant at which the token is no longer valid.
        expires_at: UnixTime,
    },
    /// Genuine, but its lifetime is over.
    Expired {
        /// The device the token was minted for.
        device: DeviceId,
        /// When it expired.
        expired_at: UnixTime,
    },
    /// Genuine, but minted under another device epoch: the account signed
    /// out everywhere (or reset its 2FA, or made new backup codes) since.
    Revoked {
        /// The device the token was minted for.
        device: DeviceId,
    },
    /// Not a token this service issued to this user: unreadable, signed by
    /// an unknown key, minted for another user, or altered. Deliberately
    /// one case, so a probe learns nothing about which.
    Invalid,
}

impl Remembered {
    /// Whether the second factor may be skipped.
    ///
    /// ```
    /// use twostep::account::device::{DeviceId, Remembered};
    /// let device = DeviceId::from_bytes([7; 16]);
    /// assert!(!Remembered::Revoked { device }.is_valid());
    /// ```
    #[must_use]
    pub const fn is_valid(&self) -> bool {
        matches!(self, Self::Valid { .. })
    }

    /// The stable machine name: `"valid"`, `"expired"`, `"revoked"` or
    /// `"invalid"` (for logs and API responses).
    ///
    /// ```
    /// use twostep::account::device::Remembered;
    /// assert_eq!(Remembered::Invalid.as_str(), "invalid");
    /// ```
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Valid { .. } => "valid",
            Self::Expired { .. } => "expired",
            Self::Revoked { .. } => "revoked",
            Self::Invalid => "invalid",
        }
    }
}

impl fmt::Display for Remembered {
    /// A sentence without the device id.
    ///
    /// ```
    /// use twostep::account::device::{DeviceId, Remembered};
    /// let device = DeviceId::from_bytes([7; 16]);
    /// assert_eq!(Remembered::Revoked { device }.to_string(), "remembered device signed out everywhere");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Valid { .. } => "remembered device",
            Self::Expired { .. } => "remembered device expired",
            Self::Revoked { .. } => "remembered device signed out everywhere",
            Self::Invalid => "not a remembered device",
        })
    }
}

/// Mints a token for `device`, bound to `user_id` and the account's current
/// device `epoch`, valid from `now` for `lifetime`, signed with the
/// keyring's current key.
///
/// # Errors
///
/// [`DeviceError::Lifetime`] outside 1 second to 400 days,
/// [`DeviceError::EmptyUser`] for an empty user id, and
/// [`DeviceError::OutOfRange`] if `now + lifetime` is not representable.
///
/// ```
/// # fn main() -> Result<(), twostep::account::device::DeviceError> {
/// use twostep::{UnixTime, time::Duration};
/// use twostep::account::device::{remember, DeviceError, DeviceId, DeviceKey, Keyring};
/// let keys = Keyring::from(DeviceKey::from_bytes(&[0x42; 32])?);
/// let device = DeviceId::from_bytes([1; 16]);
/// let now = UnixTime::from_secs(1_795_780_800);
/// let token = remember(&keys, b"user-7", device, 0, now, Duration::days(30))?;
/// assert_eq!(token.expires_at(), UnixTime::from_secs(1_795_780_800 + 30 * 86_400));
/// assert_eq!(remember(&keys, b"user-7", device, 0, now, Duration::days(401)), Err(DeviceError::Lifetime { secs: 401 * 86_400 }));
/// # Ok(()) }
/// ```
pub fn remember(
    keys: &Keyring,
    user_id: &[u8],
    device: DeviceId,
    epoch: u64,
    now: UnixTime,
    lifetime: Duration,
) -> Result<Token, DeviceError> {
    let secs = lifetime.whole_seconds();
    if lifetime < Token::MIN_LIFETIME || lifetime > Token::MAX_LIFETIME {
        return Err(DeviceError::Lifetime { secs });
    }
    if user_id.is_empty() {
        return Err(DeviceError::EmptyUser);
    }
    let expires_at = now
        .checked_add_signed(secs)
        .ok_or(DeviceError::OutOfRange)?;
    let (key_id, key) = keys.current();
    let tag = key.tag(key_id, user_id, &device, expires_at, epoch);
    Ok(Token::from_parts(key_id, device, expires_at, epoch, tag))
}

/// Checks a cookie's text against the user and the account's current device
/// epoch at `now`: parse, then the tag in constant time, and only then the
/// epoch and the expiry (a token expires at its `expires_at`: valid while
/// `now` is before it). A revoked token that has also expired reads as
/// [`Remembered::Revoked`].
///
/// ```
/// # fn main() -> Result<(), twostep::account::device::DeviceError> {
/// use twostep::UnixTime;
/// use twostep::account::device::{check, remember, DeviceId, DeviceKey, Keyring, Remembered, Token};
/// let keys = Keyring::from(DeviceKey::from_bytes(&[0x42; 32])?);
/// let device = DeviceId::from_bytes([1; 16]);
/// let now = UnixTime::from_secs(1_795_780_800);
/// let cookie = remember(&keys, b"user-7", device, 3, now, Token::DEFAULT_LIFETIME)?.to_string();
/// let expires_at = UnixTime::from_secs(1_795_780_800 + 30 * 86_400);
/// assert_eq!(check(&keys, b"user-7", &cookie, 3, now), Remembered::Valid { device, expires_at });
/// assert_eq!(check(&keys, b"user-7", &cookie, 3, expires_at), Remembered::Expired { device, expired_at: expires_at });
/// assert_eq!(check(&keys, b"user-7", "r1.garbage", 3, now), Remembered::Invalid);
/// # Ok(()) }
/// ```
pub fn check(
    keys: &Keyring,
    user_id: &[u8],
    cookie: &str,
    epoch: u64,
    now: UnixTime,
) -> Remembered {
    match cookie.parse::<Token>() {
        Ok(token) => check_token(keys, user_id, &token, epoch, now),
        Err(_) => Remembered::Invalid,
    }
}

/// As [`check`], for a token already parsed (for example deserialised).
///
/// ```
/// # fn main() -> Result<(), Box<dyn core::error::Error>> {
/// use twostep::UnixTime;
/// use twostep::account::device::{check_token, remember, DeviceId, DeviceKey, Keyring, Token};
/// let keys = Keyring::from(DeviceKey::from_bytes(&[0x42; 32])?);
/// let now = UnixTime::from_secs(1_795_780_800);
/// let minted = remember(&keys, b"user-7", DeviceId::from_bytes([1; 16]), 0, now, Token::DEFAULT_LIFETIME)?;
/// let token: Token = minted.to_string().parse()?;
/// assert!(check_token(&keys, b"user-7", &token, 0, now).is_valid());
/// # Ok(()) }
/// ```
pub fn check_token(
    keys: &Keyring,
    user_id: &[u8],
    token: &Token,
    epoch: u64,
    now: UnixTime,
) -> Remembered {
    let Some(key) = keys.get(token.key_id()) else {
        return Remembered::Invalid;
    };
    let expected = key.tag(
        token.key_id(),
        user_id,
        &token.device(),
        token.expires_at(),
        token.epoch(),
    );
    let genuine: bool = expected.ct_eq(token.tag()).into();
    if !genuine || user_id.is_empty() {
        return Remembered::Invalid;
    }
    let device = token.device();
    if token.epoch() != epoch {
        Remembered::Revoked { device }
    } else if now >= token.expires_at() {
        Remembered::Expired {
            device,
            expired_at: token.expires_at(),
        }
    } else {
        Remembered::Valid {
            device,
            expires_at: token.expires_at(),
        }
    }
}
