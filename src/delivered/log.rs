//! The delivery log inside the state: one [`Entry`] per send, with what the
//! provider reported later ([`Status`]), fed in by [`record_sent`] and
//! [`record_status`].

use core::fmt;

use thiserror::Error;

use super::key::Channel;
use super::state::State;
use crate::time::UnixTime;

/// Sends kept in the log: the most recent ten (by send time).
pub(crate) const LOG_CAPACITY: usize = 10;

/// A delivery-log update that cannot be applied. Payloads are lengths and
/// positions, never the text given.
///
/// ```
/// use twostep::delivered::{record_status, LogError, State, Status};
/// let err = record_status("SM123", Status::Sent, twostep::UnixTime::from_secs(9), &State::new()).unwrap_err();
/// assert_eq!(err, LogError::UnknownMessage);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum LogError {
    /// No send in the log has that message id or provider id (it may have
    /// been evicted: the log keeps the last ten sends).
    #[error("no such message in the delivery log")]
    UnknownMessage,
    /// A provider id that is empty, longer than [`ProviderId::MAX_LEN`] or
    /// not printable ASCII without `,` and `;`.
    #[error(
        "provider message id must be 1 to {max} printable ascii bytes (no ',' or ';'), bad at byte {position}"
    )]
    ProviderId {
        /// The first offending byte (the length if too long or empty).
        position: usize,
        /// The longest id allowed.
        max: usize,
    },
    /// A destination hint that is empty, longer than [`Hint::MAX_LEN`] or not
    /// printable ASCII without `,` and `;`.
    #[error(
        "destination hint must be 1 to {max} printable ascii bytes (no ',' or ';'), bad at byte {position}"
    )]
    Hint {
        /// The first offending byte (the length if too long or empty).
        position: usize,
        /// The longest hint allowed.
        max: usize,
    },
}

/// Printable ASCII without the separators of the state text, 1 to `N` bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Short<const N: usize> {
    len: u8,
    bytes: [u8; N],
}

impl<const N: usize> Short<N> {
    /// The text, or the first bad position.
    pub(crate) fn new(text: &str) -> Result<Self, usize> {
        let b = text.as_bytes();
        if b.is_empty() || b.len() > N {
            return Err(b.len());
        }
        if let Some(p) = b
            .iter()
            .position(|&c| !(0x21..=0x7e).contains(&c) || c == b',' || c == b';')
        {
            return Err(p);
        }
        let mut bytes = [0u8; N];
        bytes.iter_mut().zip(b).for_each(|(d, s)| *d = *s);
        Ok(Self {
            len: u8::try_from(b.len()).map_err(|_| b.len())?,
            bytes,
        })
    }

    pub(crate) fn as_str(&self) -> &str {
        let b = self.bytes.get(..usize::from(self.len)).unwrap_or_default();
        core::str::from_utf8(b).unwrap_or_default()
    }
}

macro_rules! short_text {
    ($(#[$doc:meta])* $name:ident, $max:literal, $err:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(Short<$max>);

        impl $name {
            /// The longest value, in bytes.
            pub const MAX_LEN: usize = $max;

            /// Validates the text: 1 to `MAX_LEN` bytes of printable ASCII,
            /// no `,` or `;`.
            ///
            /// # Errors
            ///
            #[doc = concat!("[`LogError::", stringify!($err), "`] otherwise.")]
            ///
            /// ```
            #[doc = concat!("assert!(twostep::delivered::", stringify!($name), "::new(\"a;b\").is_err());")]
            /// ```
            pub fn new(text: &str) -> Result<Self, LogError> {
                Short::new(text)
                    .map(Self)
                    .map_err(|position| LogError::$err { position, max: $max })
            }

            /// The text.
            ///
            /// ```
            /// # fn main() -> Result<(), twostep::delivered::LogError> {
            #[doc = concat!("let text = twostep::delivered::", stringify!($name), "::new(\"42\")?;")]
            /// assert_eq!(text.as_str(), "42");
            /// # Ok(()) }
            /// ```
            #[must_use]
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            /// Serialises as the text.
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self.as_str(), f)
            }
        }
    };
}

short_text!(
    /// The provider's id of a message (for example Twilio's `SM…` sid).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::delivered::LogError> {
    /// let id = twostep::delivered::ProviderId::new("SM0123456789abcdef")?;
    /// assert_eq!(id.as_str(), "SM0123456789abcdef");
    /// assert!(twostep::delivered::ProviderId::new("a b").is_err());
    /// # Ok(()) }
    /// ```
    ProviderId, 64, ProviderId
);

short_text!(
    /// What the application shows of the destination, for support: the last
    /// digits of a phone number (`"42"`, `"••42"`) or a masked address
    /// (`"a***@example.com"`). Never the whole number or address.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::delivered::LogError> {
    /// let hint = twostep::delivered::Hint::new("**42")?;
    /// assert_eq!(hint.to_string(), "**42");
    /// # Ok(()) }
    /// ```
    Hint, 32, Hint
);

/// Why a code was sent.
///
/// ```
/// use twostep::delivered::Reason;
/// assert!(Reason::SessionReverify.is_automatic());
/// assert!(!Reason::UserResend.is_automatic());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum Reason {
    /// A login reached the second step (someone typed the password).
    LoginStarted,
    /// The person asked for the code again.
    UserResend,
    /// The 2FA session expired and the service re-verified automatically.
    SessionReverify,
    /// A phone number is being changed (the code goes to the new number).
    PhoneChange,
    /// An e-mail address or account recovery was requested.
    Recovery,
}

impl Reason {
    /// Whether the service sent it without the person asking at that moment.
    ///
    /// ```
    /// assert!(!twostep::delivered::Reason::LoginStarted.is_automatic());
    /// ```
    #[must_use]
    pub const fn is_automatic(self) -> bool {
        matches!(self, Self::SessionReverify)
    }
}

/// Why the provider could not deliver.
///
/// ```
/// use twostep::delivered::{Failure, FailureKind};
/// let f = Failure::new(FailureKind::Unreachable, Some(30003));
/// assert_eq!((f.kind(), f.provider_code()), (FailureKind::Unreachable, Some(30003)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum FailureKind {
    /// The handset is off, out of coverage or cannot receive messages.
    Unreachable,
    /// The carrier or the handset blocked the message (filtering, opt-out).
    Blocked,
    /// The number does not exist or cannot receive SMS (a landline).
    InvalidNumber,
    /// Anything else the provider reported.
    Other,
}

/// A failure with the provider's own error code, if it gave one.
///
/// ```
/// use twostep::delivered::{Failure, FailureKind};
/// assert_eq!(Failure::new(FailureKind::Blocked, None).provider_code(), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Failure {
    kind: FailureKind,
    #[cfg_attr(feature = "serde", serde(rename = "provider_code"))]
    code: Option<u32>,
}

impl Failure {
    /// A failure of `kind` with the provider's error code.
    ///
    /// ```
    /// use twostep::delivered::{Failure, FailureKind};
    /// assert_eq!(Failure::new(FailureKind::Other, Some(1)).kind(), FailureKind::Other);
    /// ```
    #[must_use]
    pub const fn new(kind: FailureKind, provider_code: Option<u32>) -> Self {
        Self {
            kind,
            code: provider_code,
        }
    }

    /// The kind.
    ///
    /// ```
    /// use twostep::delivered::{Failure, FailureKind};
    /// assert_eq!(Failure::new(FailureKind::Blocked, None).kind(), FailureKind::Blocked);
    /// ```
    #[must_use]
    pub const fn kind(&self) -> FailureKind {
        self.kind
    }

    /// The provider's error code.
    ///
    /// ```
    /// use twostep::delivered::{Failure, FailureKind};
    /// assert_eq!(Failure::new(FailureKind::InvalidNumber, Some(21211)).provider_code(), Some(21211));
    /// ```
    #[must_use]
    pub const fn provider_code(&self) -> Option<u32> {
        self.code
    }
}

/// What is known about one send.
///
/// ```
/// use twostep::delivered::Status;
/// assert!(Status::Delivered.is_final());
/// assert!(!Status::Sent.is_final());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum Status {
    /// Issued; the application has not reported the provider's answer.
    Requested,
    /// The provider accepted and queued it.
    Queued,
    /// The provider handed it to the carrier.
    Sent,
    /// The carrier confirmed delivery to the handset.
    Delivered,
    /// The provider could not send it.
    Failed(
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::text::serde_as::failure")
        )]
        Failure,
    ),
    /// The carrier could not deliver it.
    Undelivered(
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::text::serde_as::failure")
        )]
        Failure,
    ),
}

impl Status {
    /// Delivered, failed or undelivered: nothing later replaces it.
    ///
    /// ```
    /// use twostep::delivered::{Failure, FailureKind, Status};
    /// assert!(Status::Failed(Failure::new(FailureKind::Other, None)).is_final());
    /// ```
    #[must_use]
    pub const fn is_final(&self) -> bool {
        self.rank() == 3
    }

    const fn rank(&self) -> u8 {
        match self {
            Self::Requested => 0,
            Self::Queued => 1,
            Self::Sent => 2,
            Self::Delivered | Self::Failed(_) | Self::Undelivered(_) => 3,
        }
    }
}

/// The number of a send in the user's log, counted from 0; a [`Message`](super::Message)
/// carries it so the application can record the provider's id for it.
///
/// ```
/// assert_eq!(twostep::delivered::MessageId::new(4).get(), 4);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct MessageId(u32);

impl MessageId {
    /// The id with number `n`.
    ///
    /// ```
    /// assert_eq!(twostep::delivered::MessageId::new(0).get(), 0);
    /// ```
    #[must_use]
    pub const fn new(n: u32) -> Self {
        Self(n)
    }

    /// The number.
    ///
    /// ```
    /// assert_eq!(twostep::delivered::MessageId::new(7).get(), 7);
    /// ```
    #[must_use]
    pub const fn get(self) -> u32 {
        self.0
    }
}

/// One send in the delivery log.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let state: twostep::delivered::State =
///     "d1;-;-;1.1;0,1795780800,s,l,0,42,SM1,d,-,1795780803".parse()?;
/// let entry = state.log().next().ok_or("empty")?;
/// assert_eq!(entry.hint().map(|h| h.to_string()), Some("42".into()));
/// assert_eq!(entry.status(), twostep::delivered::Status::Delivered);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Entry {
    pub(crate) id: MessageId,
    pub(crate) at: UnixTime,
    pub(crate) channel: Channel,
    pub(crate) reason: Reason,
    #[cfg_attr(feature = "serde", serde(rename = "code_number"))]
    pub(crate) code_no: u32,
    pub(crate) hint: Option<Hint>,
    pub(crate) provider_id: Option<ProviderId>,
    pub(crate) status: Status,
    pub(crate) status_at: Option<UnixTime>,
}

impl Entry {
    /// The send's number.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::delivered::*;
    /// # let state: State = "d1;-;-;1.1;0,1795780800,s,l,0,42,SM1,d,-,1795780803".parse()?;
    /// # let entry = state.latest().ok_or("empty")?;
    /// assert_eq!(entry.id().get(), 0);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn id(&self) -> MessageId {
        self.id
    }
    /// When it was issued.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::delivered::*;
    /// # let state: State = "d1;-;-;1.1;0,1795780800,s,l,0,42,SM1,d,-,1795780803".parse()?;
    /// # let entry = state.latest().ok_or("empty")?;
    /// assert_eq!(entry.at().as_secs(), 1_795_780_800);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn at(&self) -> UnixTime {
        self.at
    }
    /// The channel.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::delivered::*;
    /// # let state: State = "d1;-;-;1.1;0,1795780800,s,l,0,42,SM1,d,-,1795780803".parse()?;
    /// # let entry = state.latest().ok_or("empty")?;
    /// assert_eq!(entry.channel(), Channel::Sms);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn channel(&self) -> Channel {
        self.channel
    }
    /// Why it was sent.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::delivered::*;
    /// # let state: State = "d1;-;-;1.1;0,1795780800,s,l,0,42,SM1,d,-,1795780803".parse()?;
    /// # let entry = state.latest().ok_or("empty")?;
    /// assert_eq!(entry.reason(), Reason::LoginStarted);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn reason(&self) -> Reason {
        self.reason
    }
    /// Which code it carried, counted from 0 (equal numbers: the same code re-sent).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::delivered::*;
    /// # let state: State = "d1;-;-;1.1;0,1795780800,s,l,0,42,SM1,d,-,1795780803".parse()?;
    /// # let entry = state.latest().ok_or("empty")?;
    /// assert_eq!(entry.code_number(), 0);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn code_number(&self) -> u32 {
        self.code_no
    }
    /// The destination hint the application recorded.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::delivered::*;
    /// # let state: State = "d1;-;-;1.1;0,1795780800,s,l,0,42,SM1,d,-,1795780803".parse()?;
    /// # let entry = state.latest().ok_or("empty")?;
    /// assert_eq!(entry.hint().map(|h| h.to_string()).as_deref(), Some("42"));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn hint(&self) -> Option<Hint> {
        self.hint
    }
    /// The provider's message id the application recorded.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::delivered::*;
    /// # let state: State = "d1;-;-;1.1;0,1795780800,s,l,0,42,SM1,d,-,1795780803".parse()?;
    /// # let entry = state.latest().ok_or("empty")?;
    /// assert_eq!(entry.provider_id().map(|p| p.to_string()).as_deref(), Some("SM1"));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn provider_id(&self) -> Option<ProviderId> {
        self.provider_id
    }
    /// The latest status.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::delivered::*;
    /// # let state: State = "d1;-;-;1.1;0,1795780800,s,l,0,42,SM1,d,-,1795780803".parse()?;
    /// # let entry = state.latest().ok_or("empty")?;
    /// assert_eq!(entry.status(), Status::Delivered);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn status(&self) -> Status {
        self.status
    }
    /// When the latest status was reported (`None` while [`Status::Requested`]).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::delivered::*;
    /// # let state: State = "d1;-;-;1.1;0,1795780800,s,l,0,42,SM1,d,-,1795780803".parse()?;
    /// # let entry = state.latest().ok_or("empty")?;
    /// assert_eq!(entry.status_at().map(|t| t.as_secs()), Some(1_795_780_803));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn status_at(&self) -> Option<UnixTime> {
        self.status_at
    }
}

/// Records the provider's id for a send and the destination hint, once the
/// provider accepted the message. Store the new state with compare-and-swap.
///
/// # Errors
///
/// [`LogError::UnknownMessage`] if the send is not in the log,
/// [`LogError::ProviderId`] or [`LogError::Hint`] for bad text.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use twostep::delivered::{record_sent, MessageId, State};
/// let state: State = "d1;-;-;1.1;0,1795780800,s,l,0,,,r,-,-".parse()?;
/// let state = record_sent(MessageId::new(0), "SM1", "42", &state)?;
/// assert_eq!(state.to_string(), "d1;-;-;1.1;0,1795780800,s,l,0,42,SM1,r,-,-");
/// # Ok(()) }
/// ```
pub fn record_sent(
    message: MessageId,
    provider_id: &str,
    hint: &str,
    state: &State,
) -> Result<State, LogError> {
    let provider_id = ProviderId::new(provider_id)?;
    let hint = Hint::new(hint)?;
    let mut next = state.clone();
    let entry = next
        .entry_mut(|e| e.id == message)
        .ok_or(LogError::UnknownMessage)?;
    entry.provider_id = Some(provider_id);
    entry.hint = Some(hint);
    Ok(next)
}

/// Records a status the provider reported for the message with
/// `provider_id` (from a status callback or a poll). Reports may arrive out
/// of order: one that is not later than the recorded status (queued <
/// sent < delivered, failed or undelivered) leaves the state as it is, and
/// a final status is never replaced.
///
/// # Errors
///
/// [`LogError::UnknownMessage`] if no send in the log has that provider id.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use twostep::delivered::{record_status, State, Status};
/// use twostep::UnixTime;
/// let state: State = "d1;-;-;1.1;0,1795780800,s,l,0,42,SM1,r,-,-".parse()?;
/// let state = record_status("SM1", Status::Delivered, UnixTime::from_secs(1_795_780_804), &state)?;
/// let late = record_status("SM1", Status::Sent, UnixTime::from_secs(1_795_780_805), &state)?;
/// assert_eq!(late, state); // a late "sent" does not undo "delivered"
/// # Ok(()) }
/// ```
pub fn record_status(
    provider_id: &str,
    status: Status,
    at: UnixTime,
    state: &State,
) -> Result<State, LogError> {
    let id = ProviderId::new(provider_id).map_err(|_| LogError::UnknownMessage)?;
    let mut next = state.clone();
    let entry = next
        .entry_mut(|e| e.provider_id == Some(id))
        .ok_or(LogError::UnknownMessage)?;
    if status.rank() > entry.status.rank() {
        entry.status = status;
        entry.status_at = Some(at);
    }
    Ok(next)
}
