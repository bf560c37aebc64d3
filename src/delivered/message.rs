//! [`Message`]: the code to send, its parts, and ready-made texts for SMS
//! (with the origin-bound line), voice and e-mail; [`Issuer`] and [`Email`].

use alloc::format;
use alloc::string::String;
use core::fmt::{self, Write as _};

use thiserror::Error;
use zeroize::{Zeroize, Zeroizing};

use super::key::{Channel, Purpose};
use super::log::MessageId;
use crate::otp::{Code, Digits};
use crate::time::{Duration, UnixTime};

/// An issuer name or domain that cannot appear in a message.
///
/// ```
/// use twostep::delivered::{Issuer, MessageError};
/// assert_eq!(Issuer::new("Example", "Example.COM").unwrap_err(), MessageError::Domain { position: 0 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum MessageError {
    /// A name that is empty, over [`Issuer::MAX_NAME_LEN`] bytes, or holds a
    /// control character or `#`/`@` (which would confuse the origin-bound line).
    #[error(
        "issuer name must be 1 to {max} bytes without control characters, '#' or '@', bad at byte {position}"
    )]
    Name {
        /// The first offending byte (the length if empty or too long).
        position: usize,
        /// The longest name allowed.
        max: usize,
    },
    /// A domain that is not a lowercase host name (letters, digits, `-` and
    /// `.`; 1 to 253 bytes).
    #[error("issuer domain must be a lowercase host name, bad at byte {position}")]
    Domain {
        /// The first offending byte (the length if empty or too long).
        position: usize,
    },
}

/// Who sends the code: the name people know and the web origin's host, for
/// the origin-bound line that lets a browser fill the code in on that site
/// only (`WebOTP`).
///
/// ```
/// # fn main() -> Result<(), twostep::delivered::MessageError> {
/// let issuer = twostep::delivered::Issuer::new("Example", "example.com")?;
/// assert_eq!((issuer.name(), issuer.domain()), ("Example", "example.com"));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Issuer<'a> {
    name: &'a str,
    domain: &'a str,
}

impl<'a> Issuer<'a> {
    /// The longest issuer name, in bytes.
    pub const MAX_NAME_LEN: usize = 32;

    /// Validates the name and the domain.
    ///
    /// # Errors
    ///
    /// [`MessageError::Name`] or [`MessageError::Domain`].
    ///
    /// ```
    /// assert!(twostep::delivered::Issuer::new("Ex#mple", "example.com").is_err());
    /// ```
    pub fn new(name: &'a str, domain: &'a str) -> Result<Self, MessageError> {
        let n = name.as_bytes();
        if n.is_empty() || n.len() > Self::MAX_NAME_LEN {
            return Err(MessageError::Name {
                position: n.len(),
                max: Self::MAX_NAME_LEN,
            });
        }
        if let Some(position) = name
            .char_indices()
            .find(|(_, c)| c.is_control() || *c == '#' || *c == '@')
            .map(|(i, _)| i)
        {
            return Err(MessageError::Name {
                position,
                max: Self::MAX_NAME_LEN,
            });
        }
        let d = domain.as_bytes();
        if d.is_empty() || d.len() > 253 {
            return Err(MessageError::Domain { position: d.len() });
        }
        let host_byte =
            |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-' || *b == b'.';
        if let Some(position) = d.iter().position(|b| !host_byte(b)) {
            return Err(MessageError::Domain { position });
        }
        Ok(Self { name, domain })
    }

    /// The name.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let issuer = twostep::delivered::Issuer::new("Example", "example.com")?;
    /// assert_eq!(issuer.name(), "Example");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn name(&self) -> &'a str {
        self.name
    }

    /// The domain.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let issuer = twostep::delivered::Issuer::new("Example", "example.com")?;
    /// assert_eq!(issuer.domain(), "example.com");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn domain(&self) -> &'a str {
        self.domain
    }
}

/// An e-mail's subject and body. The body holds the code: wiped on drop,
/// not shown by `Debug`.
///
/// ```
/// # use twostep::delivered::Email;
/// fn send(mail: &Email) { let _ = (mail.subject(), mail.body()); }
/// ```
pub struct Email {
    subject: String,
    body: Zeroizing<String>,
}

impl Email {
    /// The subject (without the code, which would show in notifications).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use rand_core::SeedableRng;
    /// # use twostep::delivered::*;
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let b = Binding::new(Purpose::Recovery, b"r")?;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
    /// # let (message, _) = issue(&Policy::DEFAULT, &key, &b, Reason::Recovery, Channel::Email, twostep::UnixTime::from_secs(1_000), &mut rng, &State::new())?;
    /// # let mail = message.email(&Issuer::new("Example", "example.com")?).ok_or("not an e-mail")?;
    /// assert_eq!(mail.subject(), "Your Example account recovery code");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The plain-text body.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use rand_core::SeedableRng;
    /// # use twostep::delivered::*;
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let b = Binding::new(Purpose::Recovery, b"r")?;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
    /// # let (message, _) = issue(&Policy::DEFAULT, &key, &b, Reason::Recovery, Channel::Email, twostep::UnixTime::from_secs(1_000), &mut rng, &State::new())?;
    /// # let mail = message.email(&Issuer::new("Example", "example.com")?).ok_or("not an e-mail")?;
    /// assert!(mail.body().contains(&message.code().to_string()));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn body(&self) -> &str {
        &self.body
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Email")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// A code to send, from [`issue`](super::issue): the parts (code, expiry,
/// channel, purpose) for your own translated text, and ready-made English
/// texts. The code is wiped on drop (best effort) and `Debug` does not show it.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use rand_core::SeedableRng;
/// use twostep::delivered::{issue, Binding, Channel, Issuer, Key, Policy, Purpose, Reason, State};
/// use twostep::UnixTime;
/// let key = Key::from_bytes(&[0x5a; 32])?;
/// let binding = Binding::new(Purpose::Login, b"session-hash")?;
/// let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
/// let now = UnixTime::from_secs(1_795_780_800);
/// let (message, _state) = issue(&Policy::DEFAULT, &key, &binding, Reason::LoginStarted, Channel::Sms, now, &mut rng, &State::new())?;
/// let code = message.code().to_string();
/// let text = message.sms_text(&Issuer::new("Example", "example.com")?);
/// assert!(text.ends_with(&format!("\n\n@example.com #{code}")));
/// assert!(!format!("{message:?}").contains(&code));
/// # Ok(()) }
/// ```
pub struct Message {
    pub(crate) value: u64,
    pub(crate) digits: Digits,
    pub(crate) channel: Channel,
    pub(crate) purpose: Purpose,
    pub(crate) id: MessageId,
    pub(crate) sent_at: UnixTime,
    pub(crate) expires_at: UnixTime,
    pub(crate) same_code: bool,
}

impl Message {
    /// The code. [`Code`] is a small copyable value that is not wiped: use
    /// it to build the text and let it go out of scope.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use rand_core::SeedableRng;
    /// # use twostep::delivered::*;
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let b = Binding::new(Purpose::Login, b"s")?;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
    /// # let (message, _) = issue(&Policy::DEFAULT, &key, &b, Reason::LoginStarted, Channel::Sms, twostep::UnixTime::from_secs(1_000), &mut rng, &State::new())?;
    /// assert_eq!(message.code().to_string().len(), 6);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn code(&self) -> Code {
        Code::from_value(self.value, self.digits)
            .unwrap_or_else(|| Code::from_truncated(0, self.digits))
    }

    /// When the code expires (a re-sent code keeps its first expiry).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use rand_core::SeedableRng;
    /// # use twostep::delivered::*;
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let b = Binding::new(Purpose::Login, b"s")?;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
    /// # let (message, _) = issue(&Policy::DEFAULT, &key, &b, Reason::LoginStarted, Channel::Sms, twostep::UnixTime::from_secs(1_000), &mut rng, &State::new())?;
    /// assert_eq!(message.expires_at().as_secs(), 1_600);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn expires_at(&self) -> UnixTime {
        self.expires_at
    }

    /// How long the code is valid from this send.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use rand_core::SeedableRng;
    /// # use twostep::delivered::*;
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let b = Binding::new(Purpose::Login, b"s")?;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
    /// # let (message, _) = issue(&Policy::DEFAULT, &key, &b, Reason::LoginStarted, Channel::Sms, twostep::UnixTime::from_secs(1_000), &mut rng, &State::new())?;
    /// assert_eq!(message.valid_for().whole_minutes(), 10);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn valid_for(&self) -> Duration {
        let secs = self
            .expires_at
            .as_secs()
            .saturating_sub(self.sent_at.as_secs());
        Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX))
    }

    /// The channel to send it over.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use rand_core::SeedableRng;
    /// # use twostep::delivered::*;
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let b = Binding::new(Purpose::Login, b"s")?;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
    /// # let (message, _) = issue(&Policy::DEFAULT, &key, &b, Reason::LoginStarted, Channel::Sms, twostep::UnixTime::from_secs(1_000), &mut rng, &State::new())?;
    /// assert_eq!(message.channel(), Channel::Sms);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn channel(&self) -> Channel {
        self.channel
    }

    /// The purpose it was issued for.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use rand_core::SeedableRng;
    /// # use twostep::delivered::*;
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let b = Binding::new(Purpose::Login, b"s")?;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
    /// # let (message, _) = issue(&Policy::DEFAULT, &key, &b, Reason::LoginStarted, Channel::Sms, twostep::UnixTime::from_secs(1_000), &mut rng, &State::new())?;
    /// assert_eq!(message.purpose(), Purpose::Login);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn purpose(&self) -> Purpose {
        self.purpose
    }

    /// The send's id in the delivery log, for [`record_sent`](super::record_sent).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use rand_core::SeedableRng;
    /// # use twostep::delivered::*;
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let b = Binding::new(Purpose::Login, b"s")?;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
    /// # let (message, _) = issue(&Policy::DEFAULT, &key, &b, Reason::LoginStarted, Channel::Sms, twostep::UnixTime::from_secs(1_000), &mut rng, &State::new())?;
    /// assert_eq!(message.id().get(), 0);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn id(&self) -> MessageId {
        self.id
    }

    /// Whether this send carries the code of an earlier message again.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use rand_core::SeedableRng;
    /// # use twostep::delivered::*;
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let b = Binding::new(Purpose::Login, b"s")?;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
    /// # let (message, _) = issue(&Policy::DEFAULT, &key, &b, Reason::LoginStarted, Channel::Sms, twostep::UnixTime::from_secs(1_000), &mut rng, &State::new())?;
    /// assert!(!message.is_same_code());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn is_same_code(&self) -> bool {
        self.same_code
    }

    /// The SMS text: issuer, code, lifetime, a warning not to share it, and
    /// the origin-bound line `@domain #code` last, so a browser offers the
    /// code only on that site. About 130 characters with a short issuer
    /// name and domain, one GSM-7 segment.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use rand_core::SeedableRng;
    /// # use twostep::delivered::*;
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let b = Binding::new(Purpose::Login, b"s")?;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
    /// # let (message, _) = issue(&Policy::DEFAULT, &key, &b, Reason::LoginStarted, Channel::Sms, twostep::UnixTime::from_secs(1_000), &mut rng, &State::new())?;
    /// let text = message.sms_text(&Issuer::new("Example", "example.com")?);
    /// assert!(text.contains("Don't share it"));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn sms_text(&self, issuer: &Issuer<'_>) -> Zeroizing<String> {
        let code = self.code();
        let mut out = Zeroizing::new(String::with_capacity(160));
        let _ = write!(
            out,
            "{code} is your {name} code. It expires in {life}. Don't share it: {name} will never ask you for it.\n\n@{domain} #{code}",
            name = issuer.name,
            life = words(self.valid_for()),
            domain = issuer.domain,
        );
        out
    }

    /// The text for a voice call: the digits spaced so a speech engine reads
    /// them one by one, said twice.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use rand_core::SeedableRng;
    /// # use twostep::delivered::*;
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let b = Binding::new(Purpose::Login, b"s")?;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
    /// # let (message, _) = issue(&Policy::DEFAULT, &key, &b, Reason::LoginStarted, Channel::Sms, twostep::UnixTime::from_secs(1_000), &mut rng, &State::new())?;
    /// let voice = message.voice_text(&Issuer::new("Example", "example.com")?);
    /// assert!(voice.contains(message.spaced_digits().as_str()));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn voice_text(&self, issuer: &Issuer<'_>) -> Zeroizing<String> {
        let spaced = self.spaced_digits();
        let mut out = Zeroizing::new(String::with_capacity(200));
        let _ = write!(
            out,
            "This is {name}. Your code is: {spaced}. Again: {spaced}. It expires in {life}. Don't share it with anyone.",
            name = issuer.name,
            spaced = spaced.as_str(),
            life = words(self.valid_for()),
        );
        out
    }

    /// The code's digits separated by spaces (`"1 2 3 4 5 6"`).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use rand_core::SeedableRng;
    /// # use twostep::delivered::*;
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let b = Binding::new(Purpose::Login, b"s")?;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
    /// # let (message, _) = issue(&Policy::DEFAULT, &key, &b, Reason::LoginStarted, Channel::Sms, twostep::UnixTime::from_secs(1_000), &mut rng, &State::new())?;
    /// assert_eq!(message.spaced_digits().len(), 11);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn spaced_digits(&self) -> Zeroizing<String> {
        let mut code = Zeroizing::new(String::with_capacity(10));
        let _ = write!(code, "{}", self.code());
        let mut out = Zeroizing::new(String::with_capacity(20));
        for (i, c) in code.chars().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push(c);
        }
        out
    }

    /// The e-mail for an address confirmation or a recovery, or `None` for
    /// a message that is not an e-mail.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use rand_core::SeedableRng;
    /// # use twostep::delivered::*;
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let b = Binding::new(Purpose::Login, b"s")?;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
    /// # let (message, _) = issue(&Policy::DEFAULT, &key, &b, Reason::LoginStarted, Channel::Sms, twostep::UnixTime::from_secs(1_000), &mut rng, &State::new())?;
    /// assert!(message.email(&Issuer::new("Example", "example.com")?).is_none()); // an SMS
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn email(&self, issuer: &Issuer<'_>) -> Option<Email> {
        if self.channel != Channel::Email {
            return None;
        }
        let (subject, what) = match self.purpose {
            Purpose::ConfirmAddress => (
                format!("Confirm your e-mail address for {}", issuer.name),
                "to confirm this e-mail address",
            ),
            _ => (
                format!("Your {} account recovery code", issuer.name),
                "to recover your account",
            ),
        };
        let mut body = Zeroizing::new(String::with_capacity(400));
        let _ = write!(
            body,
            "Enter this code {what}:\n\n    {code}\n\nIt expires in {life}. Don't share it: {name} will never ask you for it.\n\nIf you did not ask for it, ignore this e-mail; nobody can use the code without access to your mailbox.\n",
            code = self.code(),
            life = words(self.valid_for()),
            name = issuer.name,
        );
        Some(Email { subject, body })
    }
}

/// "10 minutes", "1 minute", "45 seconds".
pub(crate) fn words(d: Duration) -> String {
    let secs = d.whole_seconds().max(0);
    let (n, unit) = if secs >= 120 {
        (secs.div_euclid(60), "minutes")
    } else if secs >= 60 {
        (1, "minute")
    } else {
        (secs, if secs == 1 { "second" } else { "seconds" })
    };
    format!("{n} {unit}")
}

impl Drop for Message {
    fn drop(&mut self) {
        self.value.zeroize();
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("id", &self.id)
            .field("channel", &self.channel)
            .field("purpose", &self.purpose)
            .field("expires_at", &self.expires_at)
            .field("same_code", &self.same_code)
            .finish_non_exhaustive()
    }
}
