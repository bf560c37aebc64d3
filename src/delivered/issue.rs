//! [`issue`]: a new or re-sent code, within the cooldown and the caps.

use rand_core::CryptoRng;
use thiserror::Error;

use super::key::{Binding, Channel, Key, NONCE_LEN, Purpose, same_fingerprint};
use super::log::{Entry, MessageId, Reason, Status};
use super::message::Message;
use super::policy::{Policy, ResendRule};
use super::state::{Challenge, Limit, State};
use crate::time::{Duration, TimeError, UnixTime};

/// Why [`issue`] sent nothing. The state is unchanged.
///
/// ```
/// use twostep::delivered::{IssueError, Limit};
/// let e = IssueError::TooSoon { limit: Limit::Cooldown, next_send_at: twostep::UnixTime::from_secs(60) };
/// assert_eq!(e.to_string(), "no new code before 60 (cooldown)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum IssueError {
    /// The cooldown or a send cap holds: no send before `next_send_at`.
    #[error("no new code before {} ({})", next_send_at.as_secs(), limit_name(*limit))]
    TooSoon {
        /// The limit that holds.
        limit: Limit,
        /// The earliest instant of the next send.
        next_send_at: UnixTime,
    },
    /// The purpose may not be sent over this channel (e-mail carries only
    /// address confirmation and recovery codes).
    #[error("a {purpose:?} code cannot be sent by {channel:?}")]
    Channel {
        /// The purpose.
        purpose: Purpose,
        /// The channel.
        channel: Channel,
    },
    /// The policy's lifetime is longer than
    /// [`Policy::MAX_PHONE_LIFETIME`] and the channel is SMS or voice.
    #[error("codes sent by phone may live at most {max_secs} seconds")]
    PhoneLifetime {
        /// The longest lifetime for SMS and voice, in seconds.
        max_secs: i64,
    },
    /// The expiry is not representable.
    #[error(transparent)]
    Time(
        #[from]
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::text::serde_as::error")
        )]
        TimeError,
    ),
    /// The state's message or code counter is spent (after four billion sends).
    #[error("the delivered-code state's counters are spent")]
    Exhausted,
    /// The operating system's random source failed ([`issue_os`], feature
    /// `getrandom`).
    #[error("the operating system random source failed")]
    Random,
}

const fn limit_name(l: Limit) -> &'static str {
    match l {
        Limit::Cooldown => "cooldown",
        Limit::ShortCap => "short send cap",
        Limit::LongCap => "long send cap",
    }
}

/// Issues a code for `binding` and records the send; returns the message to
/// send and the new state.
///
/// Under [`ResendRule::SameCode`] a send for the same binding while the
/// current code is unused, has checks left and at least half its lifetime
/// to run carries the same code with its first expiry (the code is derived
/// again from the stored nonce, never stored). Otherwise a new code is drawn
/// from `rng`, and the one it replaces is remembered so that typing it is
/// reported as [`Outcome::Superseded`](super::Outcome::Superseded).
///
/// The cooldown (doubling with each send in the short cap's window) and
/// both caps are decided from the delivery log; a clock that moved back
/// does not reopen them: a send logged later than `now` counts as just
/// sent, so sends wait until the clock passes it again. Store the new state with compare-and-swap, then
/// send the message, then [`record_sent`](super::record_sent).
///
/// # Errors
///
/// [`IssueError::TooSoon`] with the next allowed send, [`IssueError::Channel`],
/// [`IssueError::PhoneLifetime`], [`IssueError::Time`], [`IssueError::Exhausted`]. Nothing is sent or
/// recorded then.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use rand_core::SeedableRng;
/// use twostep::delivered::{issue, Binding, Channel, IssueError, Key, Policy, Purpose, Reason, State};
/// use twostep::UnixTime;
/// let key = Key::from_bytes(&[0x5a; 32])?;
/// let binding = Binding::new(Purpose::Login, b"session-hash")?;
/// let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
/// let t = UnixTime::from_secs(1_795_780_800);
/// let p = Policy::DEFAULT;
/// let (first, state) = issue(&p, &key, &binding, Reason::LoginStarted, Channel::Sms, t, &mut rng, &State::new())?;
/// let soon = issue(&p, &key, &binding, Reason::UserResend, Channel::Sms, UnixTime::from_secs(1_795_780_810), &mut rng, &state);
/// assert!(matches!(soon, Err(IssueError::TooSoon { .. })));
/// let later = UnixTime::from_secs(1_795_780_840);
/// let (again, _) = issue(&p, &key, &binding, Reason::UserResend, Channel::Sms, later, &mut rng, &state)?;
/// assert_eq!(again.code(), first.code()); // the same code, re-sent
/// # Ok(()) }
/// ```
#[expect(
    clippy::too_many_arguments,
    reason = "each argument is one independent input of the pure call"
)]
pub fn issue<R: CryptoRng + ?Sized>(
    policy: &Policy,
    key: &Key,
    binding: &Binding<'_>,
    reason: Reason,
    channel: Channel,
    now: UnixTime,
    rng: &mut R,
    state: &State,
) -> Result<(Message, State), IssueError> {
    let purpose = binding.purpose();
    admissible(policy, purpose, channel, now, state)?;
    let mut next = state.clone();
    let (challenge, same_code) = challenge_for(policy, key, binding, now, rng, &mut next)?;
    let id = MessageId::new(state.next_message);
    next.next_message = state
        .next_message
        .checked_add(1)
        .ok_or(IssueError::Exhausted)?;
    next.push(Entry {
        id,
        at: now,
        channel,
        reason,
        code_no: challenge.no,
        hint: None,
        provider_id: None,
        status: Status::Requested,
        status_at: None,
    });
    let code = key.code(binding, &challenge.nonce, challenge.digits);
    let message = Message {
        value: code.value(),
        digits: challenge.digits,
        channel,
        purpose,
        id,
        sent_at: now,
        expires_at: challenge.expires_at,
        same_code,
    };
    Ok((message, next))
}

/// Checks the channel, the lifetime and the limits.
fn admissible(
    policy: &Policy,
    purpose: Purpose,
    channel: Channel,
    now: UnixTime,
    state: &State,
) -> Result<(), IssueError> {
    if !purpose.allows(channel) {
        return Err(IssueError::Channel { purpose, channel });
    }
    let max_phone = Policy::MAX_PHONE_LIFETIME.whole_seconds();
    if channel.is_phone() && policy.lifetime().whole_seconds() > max_phone {
        return Err(IssueError::PhoneLifetime {
            max_secs: max_phone,
        });
    }
    let (next_send_at, limit) = state.next_send_at(policy);
    match limit.filter(|_| now < next_send_at) {
        Some(limit) => Err(IssueError::TooSoon {
            limit,
            next_send_at,
        }),
        None => Ok(()),
    }
}

/// The challenge this send carries: the current one again under
/// [`ResendRule::SameCode`] while it is fit to re-send, else a new one
/// (which becomes current in `next`, the old one becoming previous).
fn challenge_for<R: CryptoRng + ?Sized>(
    policy: &Policy,
    key: &Key,
    binding: &Binding<'_>,
    now: UnixTime,
    rng: &mut R,
    next: &mut State,
) -> Result<(Challenge, bool), IssueError> {
    let fingerprint = key.fingerprint(binding);
    let reusable = |c: &Challenge| {
        policy.resend_rule() == ResendRule::SameCode
            && !c.used
            && u32::from(c.checks) < policy.max_checks()
            && c.digits == policy.digits()
            && same_fingerprint(&c.fingerprint, &fingerprint)
            && c.expires_at
                .as_secs()
                .saturating_sub(now.as_secs())
                .saturating_mul(2)
                >= policy.lifetime_secs()
    };
    if let Some(c) = next.current.filter(reusable) {
        return Ok((c, true));
    }
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    let c = Challenge {
        no: next.next_code,
        nonce,
        fingerprint,
        digits: policy.digits(),
        issued_at: now,
        expires_at: now
            .checked_add(policy.lifetime())
            .ok_or(TimeError::OutOfRange)?,
        checks: 0,
        used: false,
    };
    next.next_code = next.next_code.checked_add(1).ok_or(IssueError::Exhausted)?;
    next.previous = next.current;
    next.current = Some(c);
    Ok((c, false))
}

/// How long ago `then` was, seen from `now` (zero if in the future).
pub(crate) fn since(now: UnixTime, then: UnixTime) -> Duration {
    let secs = now.as_secs().saturating_sub(then.as_secs());
    Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// [`issue`] on the operating system's random source (feature `getrandom`):
/// the same call without the `rng` argument.
///
/// # Errors
///
/// As [`issue`], and [`IssueError::Random`] if the OS source fails (nothing
/// is sent or recorded then).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use twostep::delivered::{issue_os, Binding, Channel, Key, Policy, Purpose, Reason, State};
/// use twostep::UnixTime;
/// let key = Key::from_bytes(&[0x5a; 32])?;
/// let binding = Binding::new(Purpose::Login, b"session-hash")?;
/// let t = UnixTime::from_secs(1_795_780_800);
/// let (message, state) = issue_os(&Policy::DEFAULT, &key, &binding, Reason::LoginStarted, Channel::Sms, t, &State::new())?;
/// assert_eq!(message.code().to_string().len(), 6);
/// # let _ = state;
/// # Ok(()) }
/// ```
#[cfg(feature = "getrandom")]
#[cfg_attr(docsrs, doc(cfg(feature = "getrandom")))]
pub fn issue_os(
    policy: &Policy,
    key: &Key,
    binding: &Binding<'_>,
    reason: Reason,
    channel: Channel,
    now: UnixTime,
    state: &State,
) -> Result<(Message, State), IssueError> {
    crate::secret::os::with_os_rng(|rng| {
        issue(policy, key, binding, reason, channel, now, rng, state)
    })
    .map_err(|_| IssueError::Random)?
}
