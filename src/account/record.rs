//! [`Account`]: everything two-step verification keeps for one user, and
//! the parts it is made of ([`TotpEnrolment`], [`Phone`],
//! [`RememberedDevice`], [`DeviceLabel`]).

use alloc::vec::Vec;
use core::fmt;

use super::device::DeviceId;
use super::seal::Sealed;
use super::totp_params;
use crate::backup::CodeSet;
use crate::delivered::{self, Channel, Hint};
use crate::guard;
use crate::otp::{Algorithm, Digits, Period};
use crate::time::UnixTime;

/// The per-user record of two-step verification: one value, one versioned
/// text form, one database column, one compare-and-swap.
///
/// It holds the guard state (the throttle every kind of code shares, the
/// last accepted TOTP step, the learned drift), the confirmed TOTP
/// enrolment and a pending one (each a [sealed](super::seal) secret with
/// its parameters), the confirmed phone and a pending one (channel and a
/// destination hint), the backup-code set, the delivered-code state, the
/// device epoch and the remembered devices. The operations of
/// [the module](super) take a record and return a new one; the record
/// itself is never changed in place.
///
/// ```
/// # fn main() -> Result<(), twostep::account::ParseError> {
/// use twostep::account::Account;
/// let account = Account::new();
/// assert_eq!(account.to_string(), "a1;g1.-.0.0.-;-;-;-;-;-;0;-;d1;-;-;0.0");
/// let stored: Account = account.to_string().parse()?;
/// assert_eq!(stored, account);
/// # Ok(()) }
/// ```
///
/// # Text form (stable)
///
/// ```text
/// a1;<guard>;<totp>;<pending totp>;<phone>;<pending phone>;<backup>;<epoch>;<devices>;<delivered>
/// ```
///
/// - `<guard>`: the [`guard::State`] text (`g1.…`).
/// - `<totp>`, `<pending totp>`: `-`, or
///   `<sha1|sha256|sha512>.<digits>.<period>.<since>.<sealed secret>` (the
///   [`Sealed`] text, `z1.…`; `since` is when it was confirmed, or begun).
/// - `<phone>`, `<pending phone>`: `-`, or `<s|v>.<hint>` (SMS or voice, and
///   the [`Hint`]).
/// - `<backup>`: `-`, or the [`CodeSet`] storage string (`$twostep-bc$…`).
/// - `<epoch>`: the device epoch, a canonical decimal.
/// - `<devices>`: `-`, or up to [`Account::MAX_DEVICES`] entries separated
///   by `,`, each `<device id>.<remembered at>.<expires at>.<label>`.
/// - `<delivered>`: the [`delivered::State`] text (`d1;…`), last because it
///   has `;` of its own.
///
/// Times are Unix seconds. At most [`Account::MAX_LEN`] bytes, checked
/// before anything else. Parsing accepts only what `Display` writes, so text
/// → record → text reproduces the text exactly; `a1` texts will parse in
/// every later version. With the `serde` feature the record serialises as
/// this string.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Account {
    pub(super) guard: guard::State,
    pub(super) totp: Option<TotpEnrolment>,
    pub(super) pending_totp: Option<TotpEnrolment>,
    pub(super) phone: Option<Phone>,
    pub(super) pending_phone: Option<Phone>,
    pub(super) backup: Option<CodeSet>,
    pub(super) epoch: u64,
    /// Ordered by `remembered_at`, oldest first; device ids are distinct.
    pub(super) devices: Vec<RememberedDevice>,
    pub(super) delivered: delivered::State,
}

impl Account {
    /// The most remembered devices a record keeps; remembering one more
    /// forgets the one remembered earliest.
    pub const MAX_DEVICES: usize = 10;

    /// The longest text form accepted, in bytes: the sum of the longest
    /// parts and separators (about 5.4 kB).
    pub const MAX_LEN: usize = 3
        + 9
        + guard::State::MAX_LEN
        + 2 * TotpEnrolment::MAX_TEXT_LEN
        + 2 * Phone::MAX_TEXT_LEN
        + CodeSet::MAX_STORAGE_LEN
        + 20
        + Self::MAX_DEVICES * RememberedDevice::MAX_TEXT_LEN
        + delivered::State::MAX_LEN;

    /// A record with nothing enrolled: what a user without two-step
    /// verification has (and what [`run`](super::run) starts from when the
    /// store has no record yet).
    ///
    /// ```
    /// use twostep::account::Account;
    /// assert!(!Account::new().is_enabled());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether any second factor is enrolled (a confirmed TOTP, a confirmed
    /// phone or backup codes).
    ///
    /// ```
    /// assert!(!twostep::account::Account::new().is_enabled());
    /// ```
    #[must_use]
    pub fn is_enabled(&self) -> bool {
        self.totp.is_some() || self.phone.is_some() || self.backup.is_some()
    }

    /// The guard state: the shared throttle, the last accepted TOTP step and
    /// the learned drift.
    ///
    /// ```
    /// assert_eq!(twostep::account::Account::new().guard().failures(), 0);
    /// ```
    #[must_use]
    pub const fn guard(&self) -> &guard::State {
        &self.guard
    }

    /// The confirmed TOTP enrolment.
    ///
    /// ```
    /// assert!(twostep::account::Account::new().totp().is_none());
    /// ```
    #[must_use]
    pub const fn totp(&self) -> Option<&TotpEnrolment> {
        self.totp.as_ref()
    }

    /// The TOTP enrolment begun and not yet confirmed.
    ///
    /// ```
    /// assert!(twostep::account::Account::new().pending_totp().is_none());
    /// ```
    #[must_use]
    pub const fn pending_totp(&self) -> Option<&TotpEnrolment> {
        self.pending_totp.as_ref()
    }

    /// The confirmed phone for delivered codes.
    ///
    /// ```
    /// assert!(twostep::account::Account::new().phone().is_none());
    /// ```
    #[must_use]
    pub const fn phone(&self) -> Option<&Phone> {
        self.phone.as_ref()
    }

    /// The phone waiting for its confirmation code.
    ///
    /// ```
    /// assert!(twostep::account::Account::new().pending_phone().is_none());
    /// ```
    #[must_use]
    pub const fn pending_phone(&self) -> Option<&Phone> {
        self.pending_phone.as_ref()
    }

    /// The backup-code set.
    ///
    /// ```
    /// assert!(twostep::account::Account::new().backup_codes().is_none());
    /// ```
    #[must_use]
    pub const fn backup_codes(&self) -> Option<&CodeSet> {
        self.backup.as_ref()
    }

    /// The delivered-code state (the current code, the delivery log).
    ///
    /// ```
    /// assert_eq!(twostep::account::Account::new().delivered().log().count(), 0);
    /// ```
    #[must_use]
    pub const fn delivered(&self) -> &delivered::State {
        &self.delivered
    }

    /// The device epoch: remembered-device tokens carry it, and a token
    /// with an older epoch is revoked.
    ///
    /// ```
    /// use twostep::account::{sign_out_everywhere, Account};
    /// assert_eq!(sign_out_everywhere(&Account::new()).device_epoch(), 1);
    /// ```
    #[must_use]
    pub const fn device_epoch(&self) -> u64 {
        self.epoch
    }

    /// The remembered devices, the one remembered earliest first.
    ///
    /// ```
    /// assert_eq!(twostep::account::Account::new().devices().count(), 0);
    /// ```
    #[must_use = "an iterator does nothing unless consumed"]
    pub fn devices(&self) -> impl ExactSizeIterator<Item = &RememberedDevice> + '_ {
        self.devices.iter()
    }

    /// The same record with the guard state's failures and back-off cleared
    /// (see [`guard::State::reset_failures`]): for a support procedure that
    /// proved the user another way.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::account::ParseError> {
    /// use twostep::account::Account;
    /// let locked: Account = "a1;g1.-.0.10.-;-;-;-;-;-;0;-;d1;-;-;0.0".parse()?;
    /// assert_eq!(locked.with_failures_reset().guard().failures(), 0);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn with_failures_reset(&self) -> Self {
        Self {
            guard: self.guard.reset_failures(),
            ..self.clone()
        }
    }
}

/// A TOTP enrolment: the sealed secret, its parameters and since when.
///
/// T0 is always the Unix epoch: Key URIs cannot carry another, so no
/// authenticator app would agree.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use rand_core::SeedableRng;
/// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
/// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
/// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
/// use twostep::account::{self, Account, User};
/// let now = twostep::UnixTime::from_secs(1_795_780_800);
/// let user = User::new(b"user-1842")?;
/// let (_, record) = account::begin_totp(&config, &user, "Example", "ana", now, &mut rng, &Account::new())?;
/// let pending = record.pending_totp().ok_or("pending")?;
/// assert_eq!((pending.totp(), pending.since()), (twostep::Totp::default(), now));
/// assert!(pending.sealed().to_string().starts_with("z1.1."));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TotpEnrolment {
    pub(super) algorithm: Algorithm,
    pub(super) digits: Digits,
    pub(super) period: Period,
    pub(super) since: UnixTime,
    pub(super) sealed: Sealed,
}

impl TotpEnrolment {
    /// `sha512.10.<period>.<since>.<sealed>`
    const MAX_TEXT_LEN: usize = 6 + 1 + 2 + 1 + 20 + 1 + 20 + 1 + Sealed::MAX_LEN;

    /// The TOTP parameters (T0 the Unix epoch).
    ///
    /// ```
    /// # use twostep::account::Account;
    /// assert!(Account::new().totp().map(|t| t.totp()).is_none());
    /// ```
    #[must_use]
    pub fn totp(&self) -> crate::Totp {
        totp_params(self.algorithm, self.digits, self.period)
    }

    /// When the enrolment was confirmed (or, while pending, begun).
    ///
    /// ```
    /// # use twostep::account::Account;
    /// assert!(Account::new().totp().map(|t| t.since()).is_none());
    /// ```
    #[must_use]
    pub const fn since(&self) -> UnixTime {
        self.since
    }

    /// The sealed secret.
    ///
    /// ```
    /// # use twostep::account::Account;
    /// assert!(Account::new().totp().map(|t| t.sealed()).is_none());
    /// ```
    #[must_use]
    pub const fn sealed(&self) -> &Sealed {
        &self.sealed
    }
}

/// A phone for delivered codes: the channel (SMS or voice) and a hint of
/// the destination for display and support, such as `"**42"`.
///
/// The record never holds the number itself. The application keeps it
/// (it needs it to send, and already protects it as personal data with its
/// own retention rules), while the record is shown to support, returned in
/// API responses and logged: a hint is all those need, and all a leaked
/// record reveals.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use twostep::account::Phone;
/// use twostep::delivered::{Channel, Hint};
/// let phone = Phone::new(Channel::Sms, Hint::new("**42")?)?;
/// assert_eq!((phone.channel(), phone.hint().as_str()), (Channel::Sms, "**42"));
/// assert!(Phone::new(Channel::Email, Hint::new("a***@example.com")?).is_err());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Phone {
    pub(super) channel: Channel,
    pub(super) hint: Hint,
}

impl Phone {
    /// `v.<hint>`
    const MAX_TEXT_LEN: usize = 2 + Hint::MAX_LEN;

    /// A phone reached by `channel` (SMS or voice), shown as `hint`.
    ///
    /// # Errors
    ///
    /// [`AccountError::NotAPhone`](super::AccountError::NotAPhone) for
    /// e-mail, which is not a second factor.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use twostep::account::Phone;
    /// use twostep::delivered::{Channel, Hint};
    /// assert!(Phone::new(Channel::Voice, Hint::new("07")?).is_ok());
    /// # Ok(()) }
    /// ```
    pub const fn new(channel: Channel, hint: Hint) -> Result<Self, super::AccountError> {
        if channel.is_phone() {
            Ok(Self { channel, hint })
        } else {
            Err(super::AccountError::NotAPhone)
        }
    }

    /// SMS or voice.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use twostep::delivered::{Channel, Hint};
    /// let phone = twostep::account::Phone::new(Channel::Sms, Hint::new("42")?)?;
    /// assert_eq!(phone.channel(), Channel::Sms);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn channel(&self) -> Channel {
        self.channel
    }

    /// The destination hint.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use twostep::delivered::{Channel, Hint};
    /// let phone = twostep::account::Phone::new(Channel::Sms, Hint::new("42")?)?;
    /// assert_eq!(phone.hint().as_str(), "42");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn hint(&self) -> &Hint {
        &self.hint
    }
}

/// A device the user asked to remember: its id (in the cookie's token), a
/// label for the "your devices" page, and its life.
///
/// ```
/// use twostep::account::Account;
/// assert!(Account::new().devices().next().is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RememberedDevice {
    pub(super) id: DeviceId,
    pub(super) remembered_at: UnixTime,
    pub(super) expires_at: UnixTime,
    pub(super) label: DeviceLabel,
}

impl RememberedDevice {
    /// `<id>.<at>.<expires>.<label>` and a `,`
    const MAX_TEXT_LEN: usize = DeviceId::TEXT_LEN + 1 + 20 + 1 + 20 + 1 + DeviceLabel::MAX_LEN + 1;

    /// The device id.
    ///
    /// ```
    /// # use twostep::account::Account;
    /// assert!(Account::new().devices().map(|d| d.id()).next().is_none());
    /// ```
    #[must_use]
    pub const fn id(&self) -> DeviceId {
        self.id
    }

    /// When it was remembered.
    ///
    /// ```
    /// # use twostep::account::Account;
    /// assert!(Account::new().devices().map(|d| d.remembered_at()).next().is_none());
    /// ```
    #[must_use]
    pub const fn remembered_at(&self) -> UnixTime {
        self.remembered_at
    }

    /// When its token expires.
    ///
    /// ```
    /// # use twostep::account::Account;
    /// assert!(Account::new().devices().map(|d| d.expires_at()).next().is_none());
    /// ```
    #[must_use]
    pub const fn expires_at(&self) -> UnixTime {
        self.expires_at
    }

    /// Its label.
    ///
    /// ```
    /// # use twostep::account::Account;
    /// assert!(Account::new().devices().map(|d| d.label().as_str().len()).next().is_none());
    /// ```
    #[must_use]
    pub const fn label(&self) -> &DeviceLabel {
        &self.label
    }
}

/// A short name for a remembered device, such as `"Firefox on macOS"`:
/// 1 to [`DeviceLabel::MAX_LEN`] bytes of printable ASCII and spaces,
/// without `,` or `;`. Derive it from the user agent, or let the user name
/// it; [`DeviceLabel::lossy`] makes one from any text.
///
/// ```
/// # fn main() -> Result<(), twostep::account::AccountError> {
/// use twostep::account::DeviceLabel;
/// assert_eq!(DeviceLabel::new("Firefox on macOS")?.as_str(), "Firefox on macOS");
/// assert!(DeviceLabel::new("a;b").is_err());
/// assert_eq!(DeviceLabel::lossy("Ana’s iPhone; 15").as_str(), "Ana?s iPhone? 15");
/// # Ok(()) }
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DeviceLabel {
    len: u8,
    bytes: [u8; Self::MAX_LEN],
}

impl DeviceLabel {
    /// The longest label, in bytes.
    pub const MAX_LEN: usize = 40;

    /// Validates a label.
    ///
    /// # Errors
    ///
    /// [`AccountError::DeviceLabel`](super::AccountError::DeviceLabel) if it
    /// is empty, longer than [`DeviceLabel::MAX_LEN`], or has a byte outside
    /// printable ASCII and space, or a `,` or `;`.
    ///
    /// ```
    /// assert!(twostep::account::DeviceLabel::new("").is_err());
    /// ```
    pub fn new(text: &str) -> Result<Self, super::AccountError> {
        let b = text.as_bytes();
        let bad = b.iter().position(|&c| !label_byte(c));
        if b.is_empty() || b.len() > Self::MAX_LEN || bad.is_some() {
            return Err(super::AccountError::DeviceLabel {
                len: b.len(),
                position: bad,
            });
        }
        let mut bytes = [0u8; Self::MAX_LEN];
        bytes.iter_mut().zip(b).for_each(|(d, s)| *d = *s);
        Ok(Self {
            len: u8::try_from(b.len()).unwrap_or(0),
            bytes,
        })
    }

    /// A label from any text: every character outside the allowed bytes
    /// becomes `?`, the result is cut at [`DeviceLabel::MAX_LEN`] bytes, and
    /// an empty text becomes `"device"`.
    ///
    /// ```
    /// assert_eq!(twostep::account::DeviceLabel::lossy("").as_str(), "device");
    /// ```
    #[must_use]
    pub fn lossy(text: &str) -> Self {
        let mut bytes = [0u8; Self::MAX_LEN];
        let mut len = 0usize;
        for (slot, c) in bytes.iter_mut().zip(text.chars()) {
            *slot = u8::try_from(c)
                .ok()
                .filter(|&b| label_byte(b))
                .unwrap_or(b'?');
            len = len.saturating_add(1);
        }
        if len == 0 {
            return Self::new("device").unwrap_or(Self { len: 0, bytes });
        }
        Self {
            len: u8::try_from(len).unwrap_or(0),
            bytes,
        }
    }

    /// The label.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::account::AccountError> {
    /// assert_eq!(twostep::account::DeviceLabel::new("work laptop")?.as_str(), "work laptop");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        let b = self.bytes.get(..usize::from(self.len)).unwrap_or_default();
        core::str::from_utf8(b).unwrap_or_default()
    }
}

/// Printable ASCII or space, but not the record's separators.
const fn label_byte(c: u8) -> bool {
    matches!(c, 0x20..=0x7e) && c != b',' && c != b';'
}

impl fmt::Display for DeviceLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for DeviceLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}
