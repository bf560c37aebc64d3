//! [`verify`] and its [`Outcome`].

use subtle::ConstantTimeEq;

use super::issue::since;
use super::key::{Binding, Key};
use super::policy::Policy;
use super::state::State;
use crate::otp::{Code, CodeError};
use crate::time::{Duration, UnixTime};

/// What [`verify`] found. Only [`Outcome::Accepted`] lets the person pass;
/// every other outcome is a failed attempt that the caller also records in
/// the account's throttle (see the [module docs](super)).
///
/// With the `serde` feature it serializes (only) as an object tagged by
/// `kind`, durations in whole seconds: `{"kind":"wrong","checks_left":4}`,
/// `{"kind":"expired","ago":60}`.
///
/// ```
/// use twostep::delivered::Outcome;
/// assert!(Outcome::Accepted.is_accepted());
/// assert!(!Outcome::Superseded.is_accepted());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
#[must_use]
pub enum Outcome {
    /// The code of the current message, in time, with checks left. It is
    /// now used: the same code is refused from here on.
    Accepted,
    /// The current code expired `ago` (nothing compared, nothing counted).
    Expired {
        /// How long ago it expired.
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::text::serde_as::secs")
        )]
        ago: Duration,
    },
    /// The code of an earlier message, replaced by a new code. Counted as a
    /// check of the current code.
    Superseded,
    /// Not the code. Counted; `checks_left` more inputs may be checked
    /// against the current code.
    Wrong {
        /// Checks left for the current code.
        checks_left: u32,
    },
    /// The current code ran out of checks and is dead: a new one must be
    /// requested (nothing compared).
    TooManyChecks,
    /// The current code was already used (nothing compared).
    Used,
    /// The input is not a code of the right shape. No HMAC was computed and
    /// nothing counted.
    Malformed(
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::text::serde_as::error")
        )]
        CodeError,
    ),
    /// No code was issued.
    NoCode,
}

/// Short English for logs: the kind of outcome and its facts, never a code.
///
/// ```
/// use twostep::delivered::Outcome;
/// assert_eq!(Outcome::Wrong { checks_left: 2 }.to_string(), "wrong code, 2 checks left");
/// assert_eq!(Outcome::Expired { ago: time::Duration::minutes(1) }.to_string(), "code expired 60 s ago");
/// ```
impl core::fmt::Display for Outcome {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Accepted => f.write_str("accepted"),
            Self::Expired { ago } => write!(f, "code expired {} s ago", ago.whole_seconds()),
            Self::Superseded => f.write_str("code of an earlier message, replaced by a newer one"),
            Self::Wrong { checks_left: 1 } => f.write_str("wrong code, 1 check left"),
            Self::Wrong { checks_left } => write!(f, "wrong code, {checks_left} checks left"),
            Self::TooManyChecks => f.write_str("code checked too many times"),
            Self::Used => f.write_str("code already used"),
            Self::Malformed(e) => write!(f, "malformed code: {e}"),
            Self::NoCode => f.write_str("no code issued"),
        }
    }
}

impl Outcome {
    /// Whether the person may pass.
    ///
    /// ```
    /// assert!(!twostep::delivered::Outcome::NoCode.is_accepted());
    /// ```
    #[must_use]
    pub const fn is_accepted(&self) -> bool {
        matches!(self, Self::Accepted)
    }
}

/// Checks `input` against the current code for `binding`.
///
/// Returns the outcome and the new state; store the state with
/// compare-and-swap whatever the outcome (a check counts even when it
/// fails), and only then act on the outcome. With the state stored that
/// way, a code is accepted at most once, never at or after its expiry and
/// never after [`Policy::max_checks`] checks.
///
/// The input is parsed first (digits with spaces or hyphens between them):
/// malformed input computes no HMAC. A well-formed input costs one
/// HMAC-SHA-256, or two when a replaced code is remembered (both are always
/// computed then, and compared in constant time). Nothing is allocated.
///
/// The account's throttle is the caller's: check it *before* calling
/// `verify` and record a failure in it after every outcome that is not
/// [`Outcome::Accepted`]. Issuing a new code never resets those failures.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use rand_core::SeedableRng;
/// use twostep::delivered::{issue, verify, Binding, Channel, Key, Outcome, Policy, Purpose, Reason, State};
/// use twostep::UnixTime;
/// let key = Key::from_bytes(&[0x5a; 32])?;
/// let binding = Binding::new(Purpose::Login, b"session-hash")?;
/// let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
/// let t = UnixTime::from_secs(1_795_780_800);
/// let p = Policy::DEFAULT;
/// let (message, state) = issue(&p, &key, &binding, Reason::LoginStarted, Channel::Sms, t, &mut rng, &State::new())?;
/// let typed = message.code().to_string();
/// let later = UnixTime::from_secs(1_795_780_860);
/// let (outcome, state) = verify(&p, &key, &binding, &typed, later, &state);
/// assert_eq!(outcome, Outcome::Accepted);
/// assert_eq!(verify(&p, &key, &binding, &typed, later, &state).0, Outcome::Used);
/// # Ok(()) }
/// ```
pub fn verify(
    policy: &Policy,
    key: &Key,
    binding: &Binding<'_>,
    input: &str,
    now: UnixTime,
    state: &State,
) -> (Outcome, State) {
    let mut next = state.clone();
    let outcome = check(policy, key, binding, input, now, &mut next);
    (outcome, next)
}

/// The check itself, updating `state` in place.
pub(crate) fn check(
    policy: &Policy,
    key: &Key,
    binding: &Binding<'_>,
    input: &str,
    now: UnixTime,
    state: &mut State,
) -> Outcome {
    let Some(current) = state.current.as_mut() else {
        return Outcome::NoCode;
    };
    let typed = match Code::parse(input, current.digits) {
        Ok(c) => c,
        Err(e) => return Outcome::Malformed(e),
    };
    if current.used {
        return Outcome::Used;
    }
    if now >= current.expires_at {
        return Outcome::Expired {
            ago: since(now, current.expires_at),
        };
    }
    let max = policy.max_checks();
    if u32::from(current.checks) >= max {
        return Outcome::TooManyChecks;
    }
    current.checks = current.checks.saturating_add(1);
    let is_current = key
        .code(binding, &current.nonce, current.digits)
        .ct_eq(&typed);
    let is_previous = state.previous.map_or(0.into(), |p| {
        key.code(binding, &p.nonce, p.digits).ct_eq(&typed)
    });
    if bool::from(is_current) {
        current.used = true;
        Outcome::Accepted
    } else if bool::from(is_previous) {
        Outcome::Superseded
    } else {
        Outcome::Wrong {
            checks_left: max.saturating_sub(u32::from(current.checks)),
        }
    }
}

#[cfg(test)]
mod tests {
    use rand_core::SeedableRng;

    use super::*;
    use crate::delivered::{Channel, Purpose, Reason, ResendRule, issue};
    use crate::test_counter::{HMAC, count};

    #[test]
    fn malformed_input_and_dead_codes_compute_no_hmac_and_a_check_computes_one_per_code() {
        let key = Key::from_bytes(&[9; 32]).unwrap();
        let binding = Binding::new(Purpose::Login, b"s").unwrap();
        let policy = Policy::DEFAULT.with_resend_rule(ResendRule::NewCode);
        let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
        let t = UnixTime::from_secs(1_000);
        let (_, one) = issue(
            &policy,
            &key,
            &binding,
            Reason::LoginStarted,
            Channel::Sms,
            t,
            &mut rng,
            &State::new(),
        )
        .unwrap();
        let later = UnixTime::from_secs(1_100);
        let (_, two) = issue(
            &policy,
            &key,
            &binding,
            Reason::UserResend,
            Channel::Sms,
            later,
            &mut rng,
            &one,
        )
        .unwrap();
        let hmacs = |input: &str, now: u64, state: &State| {
            let before = count(&HMAC);
            let _ = verify(
                &policy,
                &key,
                &binding,
                input,
                UnixTime::from_secs(now),
                state,
            );
            count(&HMAC) - before
        };
        assert_eq!(hmacs("12a456", 1_001, &one), 0);
        assert_eq!(hmacs("12345", 1_001, &one), 0);
        assert_eq!(hmacs("123456", 9_999, &one), 0, "expired");
        assert_eq!(hmacs("123456", 1_001, &one), 1);
        assert_eq!(hmacs("123456", 1_101, &two), 2, "the replaced code too");
        assert_eq!(hmacs("123456", 1_101, &State::new()), 0);
    }
}
