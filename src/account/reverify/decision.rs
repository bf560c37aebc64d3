//! [`check`] and what it decides: [`Need`] and [`Why`].

use core::fmt;

use super::Policy;
use crate::delivered::Reason;
use crate::time::{Duration, UnixTime};

/// What the service knows of a signed-in session.
///
/// ```
/// use twostep::{UnixTime, account::reverify::Session};
/// let t = UnixTime::from_secs(1_795_780_800);
/// let session = Session { verified_at: t, last_active: t };
/// assert_eq!(session, Session::verified(t));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Session {
    /// When the second factor was last verified in this session.
    pub verified_at: UnixTime,
    /// The last request of the session (before the current one).
    pub last_active: UnixTime,
}

impl Session {
    /// A session just verified at `at`, and active then.
    ///
    /// ```
    /// use twostep::{UnixTime, account::reverify::Session};
    /// assert_eq!(Session::verified(UnixTime::from_secs(5)).last_active, UnixTime::from_secs(5));
    /// ```
    #[must_use]
    pub const fn verified(at: UnixTime) -> Self {
        Self {
            verified_at: at,
            last_active: at,
        }
    }
}

/// What the request is about to do.
///
/// ```
/// use twostep::account::reverify::Action;
/// assert_eq!(Action::Sensitive.as_str(), "sensitive");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Action {
    /// Reading and ordinary changes.
    #[default]
    Normal,
    /// Changing the password, the e-mail address, the phone or the 2FA
    /// settings; showing or renewing backup codes; paying; deleting the
    /// account: it needs a recent verification.
    Sensitive,
}

impl Action {
    /// The stable machine name, `"normal"` or `"sensitive"` (also the serde name).
    ///
    /// ```
    /// assert_eq!(twostep::account::reverify::Action::Normal.as_str(), "normal");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Sensitive => "sensitive",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the second factor is needed again. The first that applies, in this
/// order.
///
/// ```
/// use twostep::account::reverify::Why;
/// assert_eq!(Why::Idle.as_str(), "idle");
/// assert_eq!(Why::Idle.to_string(), "the session was idle too long");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Why {
    /// The overall limit since the last verification is reached.
    SessionExpired,
    /// The idle limit since the last activity is reached.
    Idle,
    /// The action is sensitive and the last verification is older than the
    /// policy's sensitive-action window.
    SensitiveAction,
}

impl Why {
    /// The stable machine name: `"session_expired"`, `"idle"` or
    /// `"sensitive_action"` (also the serde name).
    ///
    /// ```
    /// assert_eq!(twostep::account::reverify::Why::SessionExpired.as_str(), "session_expired");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SessionExpired => "session_expired",
            Self::Idle => "idle",
            Self::SensitiveAction => "sensitive_action",
        }
    }

    /// The reason to give [`delivered::issue`](crate::delivered::issue) when
    /// the service sends a code because of this: always
    /// [`Reason::SessionReverify`], which the delivery log counts as sent
    /// automatically (the person did not ask for a code), so a support
    /// diagnosis of "I got a code I did not ask for" can say why.
    ///
    /// ```
    /// use twostep::{account::reverify::Why, delivered::Reason};
    /// assert_eq!(Why::Idle.delivered_reason(), Reason::SessionReverify);
    /// assert!(Why::SensitiveAction.delivered_reason().is_automatic());
    /// ```
    #[must_use]
    pub const fn delivered_reason(self) -> Reason {
        match self {
            Self::SessionExpired | Self::Idle | Self::SensitiveAction => Reason::SessionReverify,
        }
    }
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::SessionExpired => "the session is older than its limit",
            Self::Idle => "the session was idle too long",
            Self::SensitiveAction => "the action needs a recent verification",
        })
    }
}

/// The decision of [`check`].
///
/// ```
/// use twostep::account::reverify::{Need, Why};
/// assert!(Need::Fresh.is_fresh());
/// assert_eq!(Need::Reverify(Why::Idle).why(), Some(Why::Idle));
/// assert_eq!(Need::Reverify(Why::Idle).to_string(), "re-verify: the session was idle too long");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[must_use]
pub enum Need {
    /// The session's verification still covers this request.
    Fresh,
    /// Ask for the second factor again before going on.
    Reverify(Why),
}

impl Need {
    /// Whether the request may go on without the second factor.
    ///
    /// ```
    /// use twostep::account::reverify::{Need, Why};
    /// assert!(!Need::Reverify(Why::SessionExpired).is_fresh());
    /// ```
    #[must_use]
    pub const fn is_fresh(&self) -> bool {
        matches!(self, Self::Fresh)
    }

    /// Why the second factor is needed, if it is.
    ///
    /// ```
    /// assert_eq!(twostep::account::reverify::Need::Fresh.why(), None);
    /// ```
    #[must_use]
    pub const fn why(&self) -> Option<Why> {
        match self {
            Self::Fresh => None,
            Self::Reverify(why) => Some(*why),
        }
    }
}

impl fmt::Display for Need {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fresh => f.write_str("fresh"),
            Self::Reverify(why) => write!(f, "re-verify: {why}"),
        }
    }
}

/// Decides whether `session` may do `action` at `now` under `policy`, or
/// needs the second factor again, and why: the overall limit first, then
/// the idle limit, then the sensitive-action window. Each limit is reached
/// at its duration; times after `now` count as "just now" (see the
/// [module docs](super)).
///
/// ```
/// use twostep::UnixTime;
/// use twostep::account::reverify::{check, Action, Need, Policy, Session, Why};
/// let session = Session::verified(UnixTime::from_secs(1_000_000));
/// let day_later = UnixTime::from_secs(1_000_000 + 86_400);
/// assert_eq!(check(&Policy::AAL2, &session, day_later, Action::Normal), Need::Reverify(Why::SessionExpired));
/// let clock_stepped_back = UnixTime::from_secs(999_000);
/// assert_eq!(check(&Policy::AAL2, &session, clock_stepped_back, Action::Sensitive), Need::Fresh);
/// ```
pub fn check(policy: &Policy, session: &Session, now: UnixTime, action: Action) -> Need {
    let since_verified = elapsed(session.verified_at, now);
    let last = session.verified_at.max(session.last_active);
    if reached(since_verified, policy.max_session()) {
        Need::Reverify(Why::SessionExpired)
    } else if reached(elapsed(last, now), policy.max_idle()) {
        Need::Reverify(Why::Idle)
    } else if action == Action::Sensitive && reached(since_verified, policy.sensitive_window()) {
        Need::Reverify(Why::SensitiveAction)
    } else {
        Need::Fresh
    }
}

/// Seconds from `then` to `now`, zero if `then` is later.
fn elapsed(then: UnixTime, now: UnixTime) -> u64 {
    now.as_secs().saturating_sub(then.as_secs())
}

/// Whether `secs` has reached `limit` (a validated, positive duration).
fn reached(secs: u64, limit: Duration) -> bool {
    secs >= limit.whole_seconds().unsigned_abs()
}
