//! What [`login`](super::login) and the confirmations decided:
//! [`LoginOutcome`], [`Method`], [`Refusal`], [`Confirmation`].

use core::fmt;

use crate::guard::Blocked;
use crate::time::Duration;

/// Which second factor let the user in.
///
/// ```
/// use twostep::account::Method;
/// assert_eq!(Method::BackupCode.as_str(), "backup_code");
/// assert_eq!("totp".parse(), Ok(Method::Totp));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// A code from the authenticator app.
    Totp,
    /// A code sent by SMS or voice.
    Delivered,
    /// A backup code.
    BackupCode,
}

/// Why a code was refused, in broad terms: never which digit or slot was
/// close.
///
/// ```
/// use twostep::account::Refusal;
/// assert_eq!(Refusal::Replayed.to_string(), "that code was already used; wait for the next one");
/// assert_eq!(Refusal::Replayed.as_str(), "replayed");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// Not a right code. Counted as a failure.
    Wrong,
    /// Not shaped like any code the user has. Counted as a failure.
    Malformed,
    /// A right TOTP code, already used (a double submit, or someone saw
    /// it). Not counted.
    Replayed,
    /// The sent code expired: request a new one. Counted.
    Expired,
    /// The code of an earlier message, replaced by a newer one. Counted.
    Superseded,
    /// A backup code spent before, or a sent code already used. Counted;
    /// worth a warning to the user.
    Used,
    /// The sent code ran out of checks: request a new one. Counted.
    TooManyChecks,
    /// No code was sent to the phone yet. Counted.
    NoCodeSent,
    /// The user has no second factor (or, for a confirmation, nothing is
    /// pending). Not counted.
    NotEnrolled,
}

/// What [`login`](super::login) decided. Only
/// [`LoginOutcome::Accepted`] lets the user in; store the record it came
/// with first.
///
/// `Display` is a short sentence for logs and simple pages; with the
/// `serde` feature it serialises as a map with an `outcome` tag and stable
/// snake_case names, for an API:
///
/// ```text
/// {"outcome":"accepted","method":"backup_code","backup_codes_left":2,"renew_backup_codes":true}
/// {"outcome":"refused","reason":"replayed"}
/// {"outcome":"throttled","retry_after_secs":30}
/// {"outcome":"locked"}
/// ```
///
/// ```
/// use twostep::account::{LoginOutcome, Method};
/// let ok = LoginOutcome::Accepted { method: Method::Totp, backup_codes_left: Some(10), renew_backup_codes: false };
/// assert!(ok.is_accepted());
/// assert_eq!(ok.to_string(), "accepted (totp)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[must_use = "only LoginOutcome::Accepted lets the user in"]
pub enum LoginOutcome {
    /// The code was right: let the user in (after storing the record).
    Accepted {
        /// The factor used.
        method: Method,
        /// Unused backup codes, if the user has a set.
        backup_codes_left: Option<usize>,
        /// Whether to prompt for new backup codes: few are left, or the set
        /// is hashed in an outdated way.
        renew_backup_codes: bool,
    },
    /// The code was refused.
    Refused {
        /// Why.
        reason: Refusal,
    },
    /// Back-off: nothing was looked at or counted; try again after
    /// `retry_after`.
    Throttled {
        /// How long to wait.
        retry_after: Duration,
    },
    /// Hard lock: app and sent codes are refused unseen; a backup code (or
    /// support) is the way back in.
    Locked,
}

impl LoginOutcome {
    /// Whether the user may pass.
    ///
    /// ```
    /// assert!(!twostep::account::LoginOutcome::Locked.is_accepted());
    /// ```
    #[must_use]
    pub const fn is_accepted(&self) -> bool {
        matches!(self, Self::Accepted { .. })
    }

    /// The stable machine name of the outcome: `accepted`, `refused`,
    /// `throttled` or `locked`.
    ///
    /// ```
    /// assert_eq!(twostep::account::LoginOutcome::Locked.as_str(), "locked");
    /// ```
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Accepted { .. } => "accepted",
            Self::Refused { .. } => "refused",
            Self::Throttled { .. } => "throttled",
            Self::Locked => "locked",
        }
    }

    pub(super) fn blocked(b: Blocked) -> Self {
        match b {
            Blocked::Throttled { retry_after } => Self::Throttled { retry_after },
            Blocked::Locked => Self::Locked,
        }
    }

    pub(super) const fn refused(reason: Refusal) -> Self {
        Self::Refused { reason }
    }
}

/// What a confirmation ([`confirm_totp`](super::confirm_totp),
/// [`confirm_phone`](super::confirm_phone)) decided. Only
/// [`Confirmation::Confirmed`] enrols; the refusals are counted in the
/// shared throttle as for a login.
///
/// ```
/// use twostep::account::{Confirmation, Refusal};
/// assert!(Confirmation::Confirmed.is_confirmed());
/// assert_eq!(Confirmation::Refused { reason: Refusal::Wrong }.to_string(), "refused: that code is not right");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[must_use = "only Confirmation::Confirmed enrols"]
pub enum Confirmation {
    /// The code was right: the method is enrolled.
    Confirmed,
    /// The code was refused.
    Refused {
        /// Why.
        reason: Refusal,
    },
    /// Back-off: nothing looked at or counted.
    Throttled {
        /// How long to wait.
        retry_after: Duration,
    },
    /// Hard lock: nothing looked at or counted.
    Locked,
}

impl Confirmation {
    /// Whether the method is now enrolled.
    ///
    /// ```
    /// assert!(!twostep::account::Confirmation::Locked.is_confirmed());
    /// ```
    #[must_use]
    pub const fn is_confirmed(&self) -> bool {
        matches!(self, Self::Confirmed)
    }

    pub(super) fn blocked(b: Blocked) -> Self {
        match b {
            Blocked::Throttled { retry_after } => Self::Throttled { retry_after },
            Blocked::Locked => Self::Locked,
        }
    }
}

macro_rules! names {
    ($ty:ident, $what:literal, $( $variant:ident => $name:literal, $text:literal; )+) => {
        impl $ty {
            /// The stable machine name (snake_case).
            ///
            /// ```
            #[doc = concat!("use twostep::account::", stringify!($ty), ";")]
            #[doc = concat!("let all = [", $( stringify!($ty), "::", stringify!($variant), ", ", )+ "];")]
            /// for x in all { assert_eq!(x.as_str().parse(), Ok(x)); }
            /// ```
            #[must_use]
            pub const fn as_str(&self) -> &'static str {
                match self { $( Self::$variant => $name, )+ }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(match self { $( Self::$variant => $text, )+ })
            }
        }

        impl core::str::FromStr for $ty {
            type Err = UnknownName;

            /// Parses the machine name of [`as_str`](Self::as_str).
            fn from_str(s: &str) -> Result<Self, UnknownName> {
                match s {
                    $( $name => Ok(Self::$variant), )+
                    _ => Err(UnknownName),
                }
            }
        }

        #[cfg(feature = "serde")]
        #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
        impl serde::Serialize for $ty {
            /// Serialises as the machine name.
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        #[cfg(feature = "serde")]
        #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
        impl<'de> serde::Deserialize<'de> for $ty {
            /// Deserialises from the machine name.
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Name;
                impl serde::de::Visitor<'_> for Name {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($what)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        v.parse().map_err(E::custom)
                    }
                }
                deserializer.deserialize_str(Name)
            }
        }
    };
}

names!(Method, "a second-factor method name",
    Totp => "totp", "totp";
    Delivered => "delivered", "delivered code";
    BackupCode => "backup_code", "backup code";
);

names!(Refusal, "a refusal reason name",
    Wrong => "wrong", "that code is not right";
    Malformed => "malformed", "that is not a code";
    Replayed => "replayed", "that code was already used; wait for the next one";
    Expired => "expired", "that code expired; ask for a new one";
    Superseded => "superseded", "a newer code was sent; use the latest one";
    Used => "used", "that code was already used";
    TooManyChecks => "too_many_checks", "too many tries for that code; ask for a new one";
    NoCodeSent => "no_code_sent", "no code was sent yet";
    NotEnrolled => "not_enrolled", "two-step verification is not set up";
);

/// A machine name that is no [`Method`] or [`Refusal`].
///
/// ```
/// assert!("nope".parse::<twostep::account::Method>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("unknown name")]
pub struct UnknownName;

impl fmt::Display for LoginOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Accepted { method, .. } => write!(f, "accepted ({})", method.as_str()),
            Self::Refused { reason } => write!(f, "refused: {reason}"),
            Self::Throttled { retry_after } => write!(
                f,
                "too many attempts; try again in {} s",
                retry_after.whole_seconds()
            ),
            Self::Locked => f.write_str("locked; use a backup code"),
        }
    }
}

impl fmt::Display for Confirmation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Confirmed => f.write_str("confirmed"),
            Self::Refused { reason } => write!(f, "refused: {reason}"),
            Self::Throttled { retry_after } => write!(
                f,
                "too many attempts; try again in {} s",
                retry_after.whole_seconds()
            ),
            Self::Locked => f.write_str("locked"),
        }
    }
}

#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl serde::Serialize for LoginOutcome {
    /// A map with an `outcome` tag (see the type's docs).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("outcome", self.as_str())?;
        match self {
            Self::Accepted {
                method,
                backup_codes_left,
                renew_backup_codes,
            } => {
                map.serialize_entry("method", method)?;
                map.serialize_entry("backup_codes_left", backup_codes_left)?;
                map.serialize_entry("renew_backup_codes", renew_backup_codes)?;
            }
            Self::Refused { reason } => map.serialize_entry("reason", reason)?,
            Self::Throttled { retry_after } => {
                map.serialize_entry("retry_after_secs", &retry_after.whole_seconds())?;
            }
            Self::Locked => {}
        }
        map.end()
    }
}

#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl serde::Serialize for Confirmation {
    /// A map with an `outcome` tag: `confirmed`, `refused` (with `reason`),
    /// `throttled` (with `retry_after_secs`) or `locked`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        match self {
            Self::Confirmed => map.serialize_entry("outcome", "confirmed")?,
            Self::Refused { reason } => {
                map.serialize_entry("outcome", "refused")?;
                map.serialize_entry("reason", reason)?;
            }
            Self::Throttled { retry_after } => {
                map.serialize_entry("outcome", "throttled")?;
                map.serialize_entry("retry_after_secs", &retry_after.whole_seconds())?;
            }
            Self::Locked => map.serialize_entry("outcome", "locked")?,
        }
        map.end()
    }
}
