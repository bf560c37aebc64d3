//! The text form of [`Account`] (documented there) and [`ParseError`].

use alloc::vec::Vec;
use core::fmt::{self, Write as _};
use core::str::FromStr;

use super::device::DeviceId;
use super::record::{Account, DeviceLabel, Phone, RememberedDevice, TotpEnrolment};
use crate::delivered::{Channel, Hint};
use crate::otp::{Algorithm, Digits, Period};
use crate::text::canonical_u64;
use crate::time::UnixTime;

const TAG: &str = "a1";

/// A string that is not an account record. Opaque: its `Display` names the
/// part that is wrong (never the text), and the detail may change between
/// versions.
///
/// ```
/// let err = "a9;".parse::<twostep::account::Account>().unwrap_err();
/// assert_eq!(err.to_string(), "not an account record of a known version");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParseError {
    kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    TooLong { len: usize },
    Version,
    Structure,
    Field(&'static str),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::TooLong { len } => write!(
                f,
                "account record of {len} bytes exceeds the limit of {} bytes",
                Account::MAX_LEN
            ),
            Kind::Version => f.write_str("not an account record of a known version"),
            Kind::Structure => f.write_str("malformed account record structure"),
            Kind::Field(name) => write!(f, "invalid {name} in account record"),
        }
    }
}

impl core::error::Error for ParseError {}

const fn field(name: &'static str) -> ParseError {
    ParseError {
        kind: Kind::Field(name),
    }
}

impl fmt::Display for Account {
    /// The text form (see [`Account`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{TAG};{}", self.guard)?;
        for totp in [&self.totp, &self.pending_totp] {
            f.write_char(';')?;
            write_totp(f, totp.as_ref())?;
        }
        for phone in [&self.phone, &self.pending_phone] {
            f.write_char(';')?;
            match phone {
                Some(p) => write!(f, "{}.{}", channel_char(p.channel), p.hint)?,
                None => f.write_char('-')?,
            }
        }
        match &self.backup {
            Some(set) => write!(f, ";{set}")?,
            None => f.write_str(";-")?,
        }
        write!(f, ";{};", self.epoch)?;
        if self.devices.is_empty() {
            f.write_char('-')?;
        }
        for (i, d) in self.devices.iter().enumerate() {
            if i > 0 {
                f.write_char(',')?;
            }
            write!(
                f,
                "{}.{}.{}.{}",
                d.id,
                d.remembered_at.as_secs(),
                d.expires_at.as_secs(),
                d.label
            )?;
        }
        write!(f, ";{}", self.delivered)
    }
}

fn write_totp(f: &mut fmt::Formatter<'_>, totp: Option<&TotpEnrolment>) -> fmt::Result {
    let Some(t) = totp else {
        return f.write_char('-');
    };
    write!(
        f,
        "{}.{}.{}.{}.{}",
        algorithm_name(t.algorithm),
        t.digits.get(),
        t.period.as_secs(),
        t.since.as_secs(),
        t.sealed
    )
}

const fn algorithm_name(a: Algorithm) -> &'static str {
    match a {
        Algorithm::Sha1 => "sha1",
        Algorithm::Sha256 => "sha256",
        Algorithm::Sha512 => "sha512",
    }
}

const fn channel_char(c: Channel) -> char {
    match c {
        Channel::Voice => 'v',
        // Phones are SMS or voice (checked by `Phone::new`).
        Channel::Sms | Channel::Email => 's',
    }
}

impl FromStr for Account {
    type Err = ParseError;

    /// Parses the canonical text form (see [`Account`]).
    ///
    /// # Errors
    ///
    /// A [`ParseError`] naming the first malformed part, or the length if
    /// the text is longer than [`Account::MAX_LEN`] (then nothing else is
    /// read).
    fn from_str(s: &str) -> Result<Self, ParseError> {
        if s.len() > Self::MAX_LEN {
            return Err(ParseError {
                kind: Kind::TooLong { len: s.len() },
            });
        }
        let mut parts = s.splitn(10, ';');
        if parts.next() != Some(TAG) {
            return Err(ParseError {
                kind: Kind::Version,
            });
        }
        let mut next = || {
            parts.next().ok_or(ParseError {
                kind: Kind::Structure,
            })
        };
        let guard = next()?.parse().map_err(|_| field("guard state"))?;
        let totp = optional(next()?, parse_totp).ok_or(field("totp enrolment"))?;
        let pending_totp = optional(next()?, parse_totp).ok_or(field("pending totp"))?;
        let phone = optional(next()?, parse_phone).ok_or(field("phone"))?;
        let pending_phone = optional(next()?, parse_phone).ok_or(field("pending phone"))?;
        let backup = optional(next()?, |t| t.parse().ok()).ok_or(field("backup codes"))?;
        let epoch = canonical_u64(next()?).ok_or(field("device epoch"))?;
        let devices = parse_devices(next()?).ok_or(field("remembered devices"))?;
        let delivered = next()?.parse().map_err(|_| field("delivered-code state"))?;
        Ok(Self {
            guard,
            totp,
            pending_totp,
            phone,
            pending_phone,
            backup,
            epoch,
            devices,
            delivered,
        })
    }
}

/// `-` for `None`, else `parse`.
#[expect(
    clippy::option_option,
    reason = "outer: the field parsed; inner: `-` for none"
)]
fn optional<T>(text: &str, parse: impl FnOnce(&str) -> Option<T>) -> Option<Option<T>> {
    if text == "-" {
        Some(None)
    } else {
        parse(text).map(Some)
    }
}

fn parse_totp(text: &str) -> Option<TotpEnrolment> {
    let mut f = text.splitn(5, '.');
    let algorithm = match f.next()? {
        "sha1" => Algorithm::Sha1,
        "sha256" => Algorithm::Sha256,
        "sha512" => Algorithm::Sha512,
        _ => return None,
    };
    let digits = Digits::new(u32::try_from(canonical_u64(f.next()?)?).ok()?).ok()?;
    let period = Period::new(canonical_u64(f.next()?)?).ok()?;
    let since = UnixTime::from_secs(canonical_u64(f.next()?)?);
    let sealed = f.next()?.parse().ok()?;
    Some(TotpEnrolment {
        algorithm,
        digits,
        period,
        since,
        sealed,
    })
}

fn parse_phone(text: &str) -> Option<Phone> {
    let (channel, hint) = text.split_once('.')?;
    let channel = match channel {
        "s" => Channel::Sms,
        "v" => Channel::Voice,
        _ => return None,
    };
    Phone::new(channel, Hint::new(hint).ok()?).ok()
}

fn parse_devices(text: &str) -> Option<Vec<RememberedDevice>> {
    if text == "-" {
        return Some(Vec::new());
    }
    let mut devices: Vec<RememberedDevice> = Vec::new();
    for entry in text.split(',') {
        if devices.len() >= Account::MAX_DEVICES {
            return None;
        }
        let mut f = entry.splitn(4, '.');
        let id: DeviceId = f.next()?.parse().ok()?;
        let remembered_at = UnixTime::from_secs(canonical_u64(f.next()?)?);
        let expires_at = UnixTime::from_secs(canonical_u64(f.next()?)?);
        let label = DeviceLabel::new(f.next()?).ok()?;
        // Distinct ids, oldest first (as the operations keep them).
        let in_order = devices
            .last()
            .is_none_or(|last| last.remembered_at <= remembered_at);
        if !in_order || devices.iter().any(|d| d.id == id) {
            return None;
        }
        devices.push(RememberedDevice {
            id,
            remembered_at,
            expires_at,
            label,
        });
    }
    Some(devices)
}

crate::text::serde_via_text!(Account, "a twostep account record");
