//! The text form of [`State`] (documented there) and [`StateError`].

use core::fmt::{self, Write as _};
use core::str::FromStr;

use super::key::Channel;
use super::log::{
    Entry, Failure, FailureKind, Hint, LOG_CAPACITY, MessageId, ProviderId, Reason, Status,
};
use super::policy::Policy;
use super::state::{Challenge, State};
use crate::otp::Digits;
use crate::text::canonical_u64;
use crate::time::UnixTime;

const TAG: &str = "d1";

/// A string that is not a delivered-code state. Opaque: its `Display` says
/// what is wrong in broad terms (never the text), and the detail may change
/// between versions.
///
/// ```
/// let err = "d9;-;-;0.0".parse::<twostep::delivered::State>().unwrap_err();
/// assert_eq!(err.to_string(), "unknown delivered-code state version");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StateError {
    kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    TooLong,
    Version,
    Structure,
    Field(&'static str),
    Inconsistent(&'static str),
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::TooLong => write!(
                f,
                "delivered-code state longer than {} bytes",
                State::MAX_LEN
            ),
            Kind::Version => f.write_str("unknown delivered-code state version"),
            Kind::Structure => f.write_str("malformed delivered-code state structure"),
            Kind::Field(name) => write!(f, "invalid {name} in delivered-code state"),
            Kind::Inconsistent(what) => write!(f, "inconsistent delivered-code state: {what}"),
        }
    }
}

impl core::error::Error for StateError {}

const fn err(kind: Kind) -> StateError {
    StateError { kind }
}

fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
}

fn write_challenge(f: &mut fmt::Formatter<'_>, c: Option<&Challenge>) -> fmt::Result {
    let Some(c) = c else { return f.write_str(";-") };
    write!(f, ";{},", c.no)?;
    write_hex(f, &c.nonce)?;
    f.write_char(',')?;
    write_hex(f, &c.fingerprint)?;
    let used = if c.used { 'u' } else { 'l' };
    write!(
        f,
        ",{},{},{},{},{used}",
        c.digits.get(),
        c.issued_at.as_secs(),
        c.expires_at.as_secs(),
        c.checks
    )
}

const fn channel_char(c: Channel) -> char {
    match c {
        Channel::Sms => 's',
        Channel::Voice => 'v',
        Channel::Email => 'e',
    }
}

const fn reason_char(r: Reason) -> char {
    match r {
        Reason::LoginStarted => 'l',
        Reason::UserResend => 'r',
        Reason::SessionReverify => 'a',
        Reason::PhoneChange => 'p',
        Reason::Recovery => 'c',
    }
}

const fn failure_char(k: FailureKind) -> char {
    match k {
        FailureKind::Unreachable => 'n',
        FailureKind::Blocked => 'b',
        FailureKind::InvalidNumber => 'i',
        FailureKind::Other => 'o',
    }
}

fn write_entry(f: &mut fmt::Formatter<'_>, e: &Entry) -> fmt::Result {
    write!(
        f,
        ";{},{},{},{},{},",
        e.id.get(),
        e.at.as_secs(),
        channel_char(e.channel),
        reason_char(e.reason),
        e.code_no
    )?;
    if let Some(h) = e.hint {
        f.write_str(h.as_str())?;
    }
    f.write_char(',')?;
    if let Some(p) = e.provider_id {
        f.write_str(p.as_str())?;
    }
    let (letter, failure) = match e.status {
        Status::Requested => ('r', None),
        Status::Queued => ('q', None),
        Status::Sent => ('s', None),
        Status::Delivered => ('d', None),
        Status::Failed(x) => ('f', Some(x)),
        Status::Undelivered(x) => ('u', Some(x)),
    };
    write!(f, ",{letter},")?;
    match failure {
        None => f.write_char('-')?,
        Some(x) => {
            f.write_char(failure_char(x.kind()))?;
            if let Some(code) = x.provider_code() {
                write!(f, "{code}")?;
            }
        }
    }
    match e.status_at {
        Some(t) => write!(f, ",{}", t.as_secs()),
        None => f.write_str(",-"),
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(TAG)?;
        write_challenge(f, self.current.as_ref())?;
        write_challenge(f, self.previous.as_ref())?;
        write!(f, ";{}.{}", self.next_message, self.next_code)?;
        self.log().try_for_each(|e| write_entry(f, e))
    }
}

fn u64_field(s: &str, name: &'static str) -> Result<u64, StateError> {
    canonical_u64(s).ok_or(err(Kind::Field(name)))
}

fn u32_field(s: &str, name: &'static str) -> Result<u32, StateError> {
    u64_field(s, name).and_then(|v| u32::try_from(v).map_err(|_| err(Kind::Field(name))))
}

fn hex16(s: &str, name: &'static str) -> Result<[u8; 16], StateError> {
    let bad = err(Kind::Field(name));
    let b = s.as_bytes();
    if b.len() != 32 {
        return Err(bad);
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c.wrapping_sub(b'0')),
        b'a'..=b'f' => Some(c.wrapping_sub(b'a').wrapping_add(10)),
        _ => None,
    };
    let mut out = [0u8; 16];
    for (o, pair) in out.iter_mut().zip(b.chunks_exact(2)) {
        let (hi, lo) = match pair {
            [h, l] => (nibble(*h).ok_or(bad)?, nibble(*l).ok_or(bad)?),
            _ => return Err(bad),
        };
        *o = (hi << 4) | lo;
    }
    Ok(out)
}

/// Exactly `N` comma-separated fields.
fn fields<const N: usize>(s: &str) -> Result<[&str; N], StateError> {
    let mut out = [""; N];
    let mut parts = s.split(',');
    for slot in &mut out {
        *slot = parts.next().ok_or(err(Kind::Structure))?;
    }
    if parts.next().is_some() {
        return Err(err(Kind::Structure));
    }
    Ok(out)
}

fn parse_challenge(s: &str) -> Result<Option<Challenge>, StateError> {
    if s == "-" {
        return Ok(None);
    }
    let [no, nonce, fp, digits, issued, expires, checks, used] = fields::<8>(s)?;
    let digits = u32_field(digits, "digits")
        .and_then(|d| Digits::new(d).map_err(|_| err(Kind::Field("digits"))))?;
    let checks = u32_field(checks, "checks")?;
    if checks > Policy::MAX_CHECKS {
        return Err(err(Kind::Field("checks")));
    }
    let c = Challenge {
        no: u32_field(no, "code number")?,
        nonce: hex16(nonce, "nonce")?,
        fingerprint: hex16(fp, "binding")?,
        digits,
        issued_at: UnixTime::from_secs(u64_field(issued, "issue time")?),
        expires_at: UnixTime::from_secs(u64_field(expires, "expiry")?),
        checks: u8::try_from(checks).map_err(|_| err(Kind::Field("checks")))?,
        used: match used {
            "l" => false,
            "u" => true,
            _ => return Err(err(Kind::Field("used"))),
        },
    };
    if c.expires_at <= c.issued_at {
        return Err(err(Kind::Inconsistent("expiry not after issue")));
    }
    Ok(Some(c))
}

fn parse_failure(s: &str) -> Result<Failure, StateError> {
    let bad = err(Kind::Field("failure"));
    let (kind, code) = s.split_at_checked(1).ok_or(bad)?;
    let kind = match kind {
        "n" => FailureKind::Unreachable,
        "b" => FailureKind::Blocked,
        "i" => FailureKind::InvalidNumber,
        "o" => FailureKind::Other,
        _ => return Err(bad),
    };
    let code = if code.is_empty() {
        None
    } else {
        Some(u32_field(code, "failure")?)
    };
    Ok(Failure::new(kind, code))
}

fn parse_status(
    letter: &str,
    failure: &str,
    at: &str,
) -> Result<(Status, Option<UnixTime>), StateError> {
    let status = match (letter, failure) {
        ("r", "-") => Status::Requested,
        ("q", "-") => Status::Queued,
        ("s", "-") => Status::Sent,
        ("d", "-") => Status::Delivered,
        ("f", x) if x != "-" => Status::Failed(parse_failure(x)?),
        ("u", x) if x != "-" => Status::Undelivered(parse_failure(x)?),
        _ => return Err(err(Kind::Field("status"))),
    };
    let at = match (status, at) {
        (Status::Requested, "-") => None,
        (Status::Requested, _) | (_, "-") => return Err(err(Kind::Field("status time"))),
        (_, t) => Some(UnixTime::from_secs(u64_field(t, "status time")?)),
    };
    Ok((status, at))
}

fn optional<T>(
    s: &str,
    make: impl Fn(&str) -> Option<T>,
    name: &'static str,
) -> Result<Option<T>, StateError> {
    if s.is_empty() {
        Ok(None)
    } else {
        make(s).map(Some).ok_or(err(Kind::Field(name)))
    }
}

fn parse_entry(s: &str) -> Result<Entry, StateError> {
    let [
        id,
        at,
        channel,
        reason,
        code_no,
        hint,
        provider,
        status,
        failure,
        status_at,
    ] = fields::<10>(s)?;
    let channel = match channel {
        "s" => Channel::Sms,
        "v" => Channel::Voice,
        "e" => Channel::Email,
        _ => return Err(err(Kind::Field("channel"))),
    };
    let reason = match reason {
        "l" => Reason::LoginStarted,
        "r" => Reason::UserResend,
        "a" => Reason::SessionReverify,
        "p" => Reason::PhoneChange,
        "c" => Reason::Recovery,
        _ => return Err(err(Kind::Field("reason"))),
    };
    let (status, status_at) = parse_status(status, failure, status_at)?;
    Ok(Entry {
        id: MessageId::new(u32_field(id, "message id")?),
        at: UnixTime::from_secs(u64_field(at, "send time")?),
        channel,
        reason,
        code_no: u32_field(code_no, "code number")?,
        hint: optional(hint, |h| Hint::new(h).ok(), "hint")?,
        provider_id: optional(provider, |p| ProviderId::new(p).ok(), "provider id")?,
        status,
        status_at,
    })
}

fn check_consistent(s: &State) -> Result<(), StateError> {
    let inconsistent = |what| Err(err(Kind::Inconsistent(what)));
    match (s.current, s.previous) {
        (None, Some(_)) => return inconsistent("previous code without a current one"),
        (Some(c), Some(p)) if p.no >= c.no => return inconsistent("code numbers out of order"),
        (Some(c), _) if c.no >= s.next_code => return inconsistent("code number not yet issued"),
        _ => {}
    }
    let mut last: Option<u32> = None;
    for e in s.log() {
        if last.is_some_and(|l| l >= e.id.get()) || e.id.get() >= s.next_message {
            return inconsistent("message ids out of order");
        }
        if e.code_no >= s.next_code {
            return inconsistent("code number not yet issued");
        }
        last = Some(e.id.get());
    }
    Ok(())
}

fn parse_counters(s: &str) -> Result<(u32, u32), StateError> {
    let (m, c) = s.split_once('.').ok_or(err(Kind::Structure))?;
    Ok((
        u32_field(m, "message counter")?,
        u32_field(c, "code counter")?,
    ))
}

impl FromStr for State {
    type Err = StateError;

    /// Parses the canonical text form (see the type's docs).
    fn from_str(s: &str) -> Result<Self, StateError> {
        if s.len() > Self::MAX_LEN {
            return Err(err(Kind::TooLong));
        }
        let mut parts = s.split(';');
        if parts.next() != Some(TAG) {
            return Err(err(Kind::Version));
        }
        let (Some(current), Some(previous), Some(counters)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(err(Kind::Structure));
        };
        let (next_message, next_code) = parse_counters(counters)?;
        let mut state = Self {
            current: parse_challenge(current)?,
            previous: parse_challenge(previous)?,
            next_message,
            next_code,
            log: [None; LOG_CAPACITY],
        };
        for slot in &mut state.log {
            match parts.next() {
                Some(e) => *slot = Some(parse_entry(e)?),
                None => break,
            }
        }
        if parts.next().is_some() {
            return Err(err(Kind::Inconsistent("more than ten sends in the log")));
        }
        check_consistent(&state)?;
        Ok(state)
    }
}

crate::text::serde_via_text!(State, "a twostep delivered-code state string");
