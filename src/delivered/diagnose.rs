//! [`diagnose`]: the delivery diagnostic for the support desk.

use subtle::ConstantTimeEq;

use super::issue::since;
use super::key::{Binding, Key};
use super::log::{Entry, Failure, Hint, Reason, Status};
use super::policy::Policy;
use super::state::{Limit, State};
use crate::otp::Code;
use crate::time::{Duration, UnixTime};

/// How long a message with no delivery receipt counts as in transit.
///
/// ```
/// assert_eq!(twostep::delivered::IN_TRANSIT.whole_minutes(), 2);
/// ```
pub const IN_TRANSIT: Duration = Duration::minutes(2);
/// How far back a code the person did not ask for is looked up.
///
/// ```
/// assert_eq!(twostep::delivered::UNASKED_LOOKBACK.whole_hours(), 24);
/// ```
pub const UNASKED_LOOKBACK: Duration = Duration::hours(24);

/// What the person tells the support desk.
///
/// ```
/// use twostep::delivered::Report;
/// let r = Report::CodeRefused { typed: "123 456", at: twostep::UnixTime::from_secs(9) };
/// # let _ = r;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Report<'a> {
    /// "I typed the code and it was refused": what they typed and when (from
    /// your login log, or now if they try again while on the phone).
    /// Checking it counts as one check of the code, as a login would.
    CodeRefused {
        /// The code as typed.
        typed: &'a str,
        /// When it was typed.
        at: UnixTime,
    },
    /// "I don't get the code."
    NotReceived,
    /// "I got a code I did not ask for."
    Unasked,
}

/// The account's throttle as the caller's guard reports it (the
/// diagnostic does not read it itself).
///
/// ```
/// let a = twostep::delivered::AccountThrottle::Open;
/// # let _ = a;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AccountThrottle {
    /// Logins are not held back.
    Open,
    /// Logins are refused until `until`.
    Throttled {
        /// The end of the back-off.
        until: UnixTime,
    },
    /// Logins are locked until the application unlocks them.
    Locked,
}

/// What the diagnostic concluded. With the `serde` feature it serializes
/// (only) as an object tagged by `kind`, durations in whole seconds, times
/// in Unix seconds: `{"kind":"delivered","ago":60}`.
///
/// ```
/// use twostep::delivered::Verdict;
/// assert!(Verdict::UnexpectedRequest { reason: twostep::delivered::Reason::LoginStarted }.is_security_warning());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum Verdict {
    /// The typed code is the current one and was typed in time: the code is
    /// fine, the problem is elsewhere (another tab, an expired login page).
    RightInTime,
    /// The right code, typed `late_by` after it expired.
    TypedLate {
        /// How late.
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::text::serde_as::secs")
        )]
        late_by: Duration,
    },
    /// Not the code, and the code had expired `ago` when it was typed.
    Expired {
        /// How long before the typing it expired.
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::text::serde_as::secs")
        )]
        ago: Duration,
    },
    /// The code of an earlier message that a resend replaced.
    Superseded,
    /// Not the code; `checks_left` more tries for it.
    WrongCode {
        /// Checks left.
        checks_left: u32,
    },
    /// The input is not a code (letters, too few digits). Nothing checked.
    Malformed,
    /// The code was already used to log in.
    AlreadyUsed,
    /// Too many wrong tries for this code: it is dead.
    CodeChecksUsed,
    /// The account is throttled after too many failures.
    AccountThrottled {
        /// When logins are possible again.
        until: UnixTime,
    },
    /// The account is locked after too many failures.
    AccountLocked,
    /// No code was sent within the code lifetime.
    NoRecentCode {
        /// The latest send, if any is in the log.
        last_sent: Option<UnixTime>,
    },
    /// The provider reports the latest message failed or undelivered.
    SendFailed {
        /// What it reported.
        failure: Failure,
    },
    /// The latest message was sent moments ago and is still in transit.
    InTransit {
        /// Since when.
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::text::serde_as::secs")
        )]
        since: Duration,
    },
    /// The provider confirmed delivery to the handset.
    Delivered {
        /// How long ago.
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::text::serde_as::secs")
        )]
        ago: Duration,
    },
    /// No delivery receipt for longer than [`IN_TRANSIT`]: a carrier delay.
    NoReceipt {
        /// How long since the send.
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::text::serde_as::secs")
        )]
        since: Duration,
    },
    /// The send cap is reached.
    SendLimit {
        /// The earliest next send.
        next_send_at: UnixTime,
    },
    /// The unasked code was sent automatically when the 2FA session expired.
    AutomaticReverify,
    /// The unasked code was sent because someone started a login, a resend,
    /// a phone change or a recovery: someone else may know the password.
    UnexpectedRequest {
        /// Why it was sent.
        reason: Reason,
    },
    /// No code was sent in the last day: the message did not come from here.
    NotFromUs,
}

impl Verdict {
    /// Whether the person should be warned (change the password, check the account).
    ///
    /// ```
    /// assert!(!twostep::delivered::Verdict::AutomaticReverify.is_security_warning());
    /// ```
    #[must_use]
    pub const fn is_security_warning(&self) -> bool {
        matches!(self, Self::UnexpectedRequest { .. } | Self::NotFromUs)
    }
}

/// The diagnostic's answer: the verdict and the public facts it rests on,
/// with words for the person, for support, and the fix
/// ([`Diagnosis::for_user`], [`Diagnosis::for_support`], [`Diagnosis::fix`]).
/// It holds no code. With the `serde` feature it serializes (only) as
/// `{"verdict":…,"entry":…,"next_send_at":…,"checks":…,"max_checks":…}`.
///
/// ```
/// use twostep::delivered::{diagnose, AccountThrottle, Binding, Key, Policy, Purpose, Report, State, Verdict};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let key = Key::from_bytes(&[0x5a; 32])?;
/// let binding = Binding::new(Purpose::Login, b"session-hash")?;
/// let now = twostep::UnixTime::from_secs(1_795_780_800);
/// let (d, _) = diagnose(&Policy::DEFAULT, &key, &binding, Report::NotReceived, AccountThrottle::Open, now, &State::new());
/// assert_eq!(d.verdict(), Verdict::NoRecentCode { last_sent: None });
/// assert!(d.for_user().contains("request a new code"));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Diagnosis {
    pub(crate) verdict: Verdict,
    pub(crate) entry: Option<Entry>,
    pub(crate) next_send_at: Option<UnixTime>,
    pub(crate) checks: u32,
    pub(crate) max_checks: u32,
}

impl Diagnosis {
    /// The verdict.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::delivered::*;
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let b = Binding::new(Purpose::Login, b"s")?;
    /// # let state: State = "d1;-;-;1.1;0,1795780800,s,l,0,42,SM1,d,-,1795780803".parse()?;
    /// # let now = twostep::UnixTime::from_secs(1_795_780_863);
    /// # let (d, _) = diagnose(&Policy::DEFAULT, &key, &b, Report::NotReceived, AccountThrottle::Open, now, &state);
    /// assert_eq!(d.verdict(), Verdict::Delivered { ago: time::Duration::minutes(1) });
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// The send the verdict is about, if any.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::delivered::*;
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let b = Binding::new(Purpose::Login, b"s")?;
    /// # let state: State = "d1;-;-;1.1;0,1795780800,s,l,0,42,SM1,d,-,1795780803".parse()?;
    /// # let now = twostep::UnixTime::from_secs(1_795_780_863);
    /// # let (d, _) = diagnose(&Policy::DEFAULT, &key, &b, Report::NotReceived, AccountThrottle::Open, now, &state);
    /// assert_eq!(d.entry().map(|e| e.id().get()), Some(0));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn entry(&self) -> Option<&Entry> {
        self.entry.as_ref()
    }

    /// The destination hint of that send.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::delivered::*;
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let b = Binding::new(Purpose::Login, b"s")?;
    /// # let state: State = "d1;-;-;1.1;0,1795780800,s,l,0,42,SM1,d,-,1795780803".parse()?;
    /// # let now = twostep::UnixTime::from_secs(1_795_780_863);
    /// # let (d, _) = diagnose(&Policy::DEFAULT, &key, &b, Report::NotReceived, AccountThrottle::Open, now, &state);
    /// assert_eq!(d.hint().map(|h| h.to_string()).as_deref(), Some("42"));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn hint(&self) -> Option<Hint> {
        self.entry.and_then(|e| e.hint)
    }

    /// When the next send is allowed, if a limit holds now.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::delivered::*;
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let b = Binding::new(Purpose::Login, b"s")?;
    /// # let state: State = "d1;-;-;1.1;0,1795780800,s,l,0,42,SM1,d,-,1795780803".parse()?;
    /// # let now = twostep::UnixTime::from_secs(1_795_780_863);
    /// # let (d, _) = diagnose(&Policy::DEFAULT, &key, &b, Report::NotReceived, AccountThrottle::Open, now, &state);
    /// assert_eq!(d.next_send_at(), None); // a minute after the send: the cooldown is over
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn next_send_at(&self) -> Option<UnixTime> {
        self.next_send_at
    }

    /// Checks of the current code so far, this diagnosis's own included.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::delivered::*;
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let b = Binding::new(Purpose::Login, b"s")?;
    /// # let state: State = "d1;-;-;1.1;0,1795780800,s,l,0,42,SM1,d,-,1795780803".parse()?;
    /// # let now = twostep::UnixTime::from_secs(1_795_780_863);
    /// # let (d, _) = diagnose(&Policy::DEFAULT, &key, &b, Report::NotReceived, AccountThrottle::Open, now, &state);
    /// assert_eq!((d.checks(), d.max_checks()), (0, 5)); // "I don't get it" checks nothing
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn checks(&self) -> u32 {
        self.checks
    }

    /// The policy's check limit per code ([`Policy::max_checks`]).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use twostep::delivered::*;
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let b = Binding::new(Purpose::Login, b"s")?;
    /// let (d, _) = diagnose(&Policy::DEFAULT, &key, &b, Report::NotReceived, AccountThrottle::Open, twostep::UnixTime::EPOCH, &State::new());
    /// assert_eq!(d.max_checks(), Policy::DEFAULT.max_checks());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn max_checks(&self) -> u32 {
        self.max_checks
    }
}

/// Diagnoses a delivered-code problem from what the person reports, the
/// account's throttle (from your guard) and the state.
///
/// It reveals no code and no more than a login would: a typed code is
/// checked like a login (it counts as one check of the code, so the
/// returned state must be stored with compare-and-swap), the rest comes
/// from the delivery log, whose content the person may know anyway. A
/// right code typed in time is *not* used up by the diagnostic.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use rand_core::SeedableRng;
/// use twostep::delivered::*;
/// use twostep::UnixTime;
/// let key = Key::from_bytes(&[0x5a; 32])?;
/// let b = Binding::new(Purpose::Login, b"session-hash")?;
/// let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
/// let t = UnixTime::from_secs(1_795_780_800);
/// let (m, state) = issue(&Policy::DEFAULT, &key, &b, Reason::LoginStarted, Channel::Sms, t, &mut rng, &State::new())?;
/// let typed = m.code().to_string();
/// let report = Report::CodeRefused { typed: &typed, at: UnixTime::from_secs(1_795_781_460) };
/// let (d, state) = diagnose(&Policy::DEFAULT, &key, &b, report, AccountThrottle::Open, UnixTime::from_secs(1_795_781_500), &state);
/// assert_eq!(d.verdict(), Verdict::TypedLate { late_by: time::Duration::minutes(1) });
/// assert!(!d.for_user().contains(&typed) && !d.for_support().contains(&typed));
/// assert_eq!(state.checks(), 1); // store it with compare-and-swap
/// # Ok(()) }
/// ```
#[must_use]
pub fn diagnose(
    policy: &Policy,
    key: &Key,
    binding: &Binding<'_>,
    report: Report<'_>,
    account: AccountThrottle,
    now: UnixTime,
    state: &State,
) -> (Diagnosis, State) {
    let mut next = state.clone();
    let (send_at, limit) = state.next_send_at(policy);
    let held = limit.filter(|_| now < send_at).map(|l| (l, send_at));
    let verdict = match report {
        Report::CodeRefused { typed, at } => match account {
            AccountThrottle::Locked => Verdict::AccountLocked,
            AccountThrottle::Throttled { until } if at < until => {
                Verdict::AccountThrottled { until }
            }
            _ => refused(policy, key, binding, typed, at, &mut next),
        },
        Report::NotReceived => not_received(policy, state, now, held),
        Report::Unasked => unasked(state, now),
    };
    let diagnosis = Diagnosis {
        verdict,
        entry: state.latest().copied(),
        next_send_at: held.map(|(_, t)| t),
        checks: next.checks(),
        max_checks: policy.max_checks(),
    };
    (diagnosis, next)
}

fn refused(
    policy: &Policy,
    key: &Key,
    binding: &Binding<'_>,
    typed: &str,
    at: UnixTime,
    state: &mut State,
) -> Verdict {
    let Some(current) = state.current.as_mut() else {
        return Verdict::NoRecentCode { last_sent: None };
    };
    let Ok(typed) = Code::parse(typed, current.digits) else {
        return Verdict::Malformed;
    };
    if current.used {
        return Verdict::AlreadyUsed;
    }
    let max = policy.max_checks();
    if u32::from(current.checks) >= max {
        return Verdict::CodeChecksUsed;
    }
    current.checks = current.checks.saturating_add(1);
    let is_current = bool::from(
        key.code(binding, &current.nonce, current.digits)
            .ct_eq(&typed),
    );
    let is_previous = state
        .previous
        .is_some_and(|p| bool::from(key.code(binding, &p.nonce, p.digits).ct_eq(&typed)));
    let expired = at >= current.expires_at;
    let ago = since(at, current.expires_at);
    match (is_current, is_previous, expired) {
        (true, _, false) => Verdict::RightInTime,
        (true, _, true) => Verdict::TypedLate { late_by: ago },
        (false, true, _) => Verdict::Superseded,
        (false, false, true) => Verdict::Expired { ago },
        (false, false, false) => Verdict::WrongCode {
            checks_left: max.saturating_sub(u32::from(current.checks)),
        },
    }
}

fn not_received(
    policy: &Policy,
    state: &State,
    now: UnixTime,
    held: Option<(Limit, UnixTime)>,
) -> Verdict {
    let cap = held.filter(|(l, _)| *l != Limit::Cooldown).map(|(_, t)| t);
    let recent = state
        .latest()
        .filter(|e| since(now, e.at) < policy.lifetime() || e.at > now);
    let Some(e) = recent else {
        return match cap {
            Some(next_send_at) => Verdict::SendLimit { next_send_at },
            None => Verdict::NoRecentCode {
                last_sent: state.latest().map(|e| e.at),
            },
        };
    };
    let age = since(now, e.at);
    match (e.status, cap) {
        (Status::Failed(failure) | Status::Undelivered(failure), _) => {
            Verdict::SendFailed { failure }
        }
        (Status::Delivered, _) => Verdict::Delivered {
            ago: e.status_at.map_or(age, |t| since(now, t)),
        },
        (_, Some(next_send_at)) => Verdict::SendLimit { next_send_at },
        _ if age < IN_TRANSIT => Verdict::InTransit { since: age },
        _ => Verdict::NoReceipt { since: age },
    }
}

fn unasked(state: &State, now: UnixTime) -> Verdict {
    match state
        .latest()
        .filter(|e| since(now, e.at) < UNASKED_LOOKBACK)
    {
        None => Verdict::NotFromUs,
        Some(e) if e.reason == Reason::SessionReverify => Verdict::AutomaticReverify,
        Some(e) => Verdict::UnexpectedRequest { reason: e.reason },
    }
}
