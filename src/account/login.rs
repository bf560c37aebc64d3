//! [`login`]: one entry point for every kind of code.

use super::config::{Config, User};
use super::outcome::{LoginOutcome, Method, Refusal};
use super::record::{Account, TotpEnrolment};
use super::{AccountError, user_guard};
use crate::backup::{CodeSet, Redemption};
use crate::delivered::{self, Binding};
use crate::guard::{self, Outcome};
use crate::otp::Code;
use crate::time::UnixTime;

/// Checks the code a user typed at the second step of a login, whatever
/// its kind, and returns the outcome and the record to store.
///
/// # Which kind
///
/// The input's shape and the enrolled methods decide, before anything
/// secret is looked at:
///
/// - digits (spaces and hyphens between them allowed) of the TOTP
///   enrolment's length: a TOTP code;
/// - digits of the sent code's length while a phone is enrolled: a
///   delivered code;
/// - anything else, while the user has backup codes: a backup code;
/// - else [`Refusal::Malformed`] (or [`Refusal::NotEnrolled`] with no
///   factor at all).
///
/// # One throttle
///
/// Every kind shares the record's guard state. TOTP and delivered codes are
/// refused unseen while [`Guard::blocked`](crate::Guard::blocked) answers
/// (back-off or hard lock); backup codes while
/// [`Guard::recovery_blocked`](crate::Guard::recovery_blocked) answers, so
/// they wait out a back-off but pass the lock, which they are the way out
/// of. Each refused attempt is recorded as one failure, whatever was
/// compared, except a replayed TOTP code (a right code typed twice tells a
/// guesser nothing). Any success clears the failures.
///
/// # A code that could be two kinds: twice the odds
///
/// A 6-digit input with both an authenticator app and a phone enrolled may
/// be either. Both are always computed (the TOTP window scan and the sent
/// code's HMAC), so the time taken does not tell which matched, and the
/// input is accepted if either matches. A guess then succeeds with the sum
/// of both chances: with the default ±1 window, 3 + 1 codes of 10⁶, so
/// 4 × 10⁻⁶ per attempt instead of 3 × 10⁻⁶ (up to 7 × 10⁻⁶ while a drift
/// is learned); within the default lock of ten failures, at most 7 × 10⁻⁵.
/// Offer the choice on the page ("use my app" / "text me") and pass only
/// one kind if that bound matters; the odds are set by the enrolled
/// methods, not by the attacker. A TOTP match wins; a sent code left
/// unchecked stays valid.
///
/// `attempt` binds delivered codes to this login (see
/// [`Binding`]); it is ignored for other kinds.
///
/// # Errors
///
/// [`AccountError::Open`] if the TOTP secret does not open (wrong keyring,
/// or a secret copied from another user's record), [`AccountError::Backup`]
/// for a pepper mismatch, [`AccountError::Time`] for a time without a TOTP
/// step. The record is unchanged then; these are the server's to fix.
///
/// # Security
///
/// Store the returned record with compare-and-swap (the [`run`](super::run)
/// driver does) before acting on the outcome, whatever it is.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use rand_core::SeedableRng;
/// use twostep::account::{self, Account, Config, LoginOutcome, Method, Refusal, User};
/// # use twostep::account::{device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
/// use twostep::delivered::{Binding, Purpose};
/// use twostep::UnixTime;
/// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
/// let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]); // an OS-seeded CSPRNG
/// let user = User::new(b"user-1842")?;
/// let attempt = Binding::new(Purpose::Login, &[0x42; 32])?; // hash of the login session id
/// let now = UnixTime::from_secs(1_795_780_800);
/// let (_shown, account) = account::regenerate_backup_codes(&config, &mut rng, &Account::new())?;
///
/// let (outcome, account) = account::login(&config, &user, &attempt, "not-a-code", now, &account)?;
/// assert_eq!(outcome, LoginOutcome::Refused { reason: Refusal::Malformed });
/// assert_eq!(account.guard().failures(), 1); // counted
/// # let _ = Method::Totp;
/// # Ok(()) }
/// ```
#[must_use = "store the returned record, then act only on LoginOutcome::Accepted"]
pub fn login(
    config: &Config,
    user: &User<'_>,
    attempt: &Binding<'_>,
    input: &str,
    now: UnixTime,
    account: &Account,
) -> Result<(LoginOutcome, Account), AccountError> {
    let totp = account
        .totp
        .as_ref()
        .filter(|t| Code::parse(input, t.digits).is_ok());
    let sent_digits = account
        .delivered
        .current
        .map_or(config.delivered_policy().digits(), |c| c.digits);
    let sent = account.phone.is_some() && Code::parse(input, sent_digits).is_ok();
    if totp.is_some() || sent {
        return codes(config, user, attempt, input, now, account, totp, sent);
    }
    match &account.backup {
        Some(set) => backup_code(config, input, now, account, set),
        None if account.is_enabled() => {
            let guard = config.guard();
            let mut next = account.clone();
            if let Some(b) = guard.blocked(now, &account.guard) {
                next.guard = guard.cap_back_off(now, &account.guard);
                return Ok((LoginOutcome::blocked(b), next));
            }
            next.guard = guard.record_failure(now, &account.guard);
            Ok((LoginOutcome::refused(Refusal::Malformed), next))
        }
        None => Ok((LoginOutcome::refused(Refusal::NotEnrolled), account.clone())),
    }
}

/// A TOTP code, a delivered code, or both: gated by `Guard::blocked`, both
/// computed when both apply, one failure at most.
#[expect(
    clippy::too_many_arguments,
    reason = "the login's inputs and the two shapes it found"
)]
fn codes(
    config: &Config,
    user: &User<'_>,
    attempt: &Binding<'_>,
    input: &str,
    now: UnixTime,
    account: &Account,
    totp: Option<&TotpEnrolment>,
    sent: bool,
) -> Result<(LoginOutcome, Account), AccountError> {
    let guard = config.guard();
    let state = &account.guard;
    let mut next = account.clone();
    if let Some(b) = guard.blocked(now, state) {
        next.guard = guard.cap_back_off(now, state);
        return Ok((LoginOutcome::blocked(b), next));
    }
    let by_app = match totp {
        Some(t) => {
            let secret = config.keyring().open_secret(user.id(), &t.sealed)?;
            Some(user_guard(config, t).check(&secret, input, now, state)?)
        }
        None => None,
    };
    let by_phone = sent.then(|| {
        delivered::verify(
            config.delivered_policy(),
            config.delivered_key(),
            attempt,
            input,
            now,
            &account.delivered,
        )
    });
    let accepted = |method| LoginOutcome::Accepted {
        method,
        backup_codes_left: account.backup.as_ref().map(CodeSet::remaining),
        renew_backup_codes: renew(config, account.backup.as_ref()),
    };
    match (by_app, by_phone) {
        (Some((Outcome::Accepted(_), after)), _) => {
            next.guard = after;
            Ok((accepted(Method::Totp), next))
        }
        (_, Some((delivered::Outcome::Accepted, after))) => {
            next.guard = state.reset_failures();
            next.delivered = after;
            Ok((accepted(Method::Delivered), next))
        }
        (Some((Outcome::Replayed, _)), _) => Ok((LoginOutcome::refused(Refusal::Replayed), next)),
        (app, phone) => {
            next.guard = guard.record_failure(now, state);
            let reason = refusal(app.map(|(o, _)| o), phone.as_ref().map(|(o, _)| *o));
            if let Some((_, after)) = phone {
                next.delivered = after;
            }
            Ok((LoginOutcome::refused(reason), next))
        }
    }
}

/// Why a code that neither kind accepted was refused. Where the input may
/// be a TOTP code, only a match with a replaced sent code says more than
/// "wrong".
fn refusal(app: Option<Outcome>, phone: Option<delivered::Outcome>) -> Refusal {
    match (app, phone) {
        (Some(_), Some(delivered::Outcome::Superseded)) => Refusal::Superseded,
        (Some(_), Some(_)) => Refusal::Wrong,
        (None, Some(outcome)) => delivered_refusal(outcome),
        (Some(outcome), None) => guard_refusal(outcome),
        (None, None) => Refusal::Wrong,
    }
}

/// A backup code: gated by `Guard::recovery_blocked`.
fn backup_code(
    config: &Config,
    input: &str,
    now: UnixTime,
    account: &Account,
    set: &CodeSet,
) -> Result<(LoginOutcome, Account), AccountError> {
    let guard = config.guard();
    let state = &account.guard;
    let mut next = account.clone();
    if let Some(b) = guard.recovery_blocked(now, state) {
        next.guard = guard.cap_back_off(now, state);
        return Ok((LoginOutcome::blocked(b), next));
    }
    let policy = config.backup_policy();
    let reason = match set.redeem(input, policy)? {
        Redemption::Redeemed { remaining, set, .. } => {
            next.guard = state.reset_failures();
            let renew_backup_codes = renew(config, Some(&set));
            next.backup = Some(set);
            let outcome = LoginOutcome::Accepted {
                method: Method::BackupCode,
                backup_codes_left: Some(remaining),
                renew_backup_codes,
            };
            return Ok((outcome, next));
        }
        Redemption::AlreadyUsed { .. } => Refusal::Used,
        Redemption::Malformed => Refusal::Malformed,
        _ => Refusal::Wrong,
    };
    next.guard = guard.record_failure(now, state);
    Ok((LoginOutcome::refused(reason), next))
}

/// Whether to prompt for new backup codes.
fn renew(config: &Config, set: Option<&CodeSet>) -> bool {
    let policy = config.backup_policy();
    set.is_some_and(|s| s.needs_renewal(policy) || s.is_outdated(policy))
}

/// The refusal for a TOTP outcome that is not an acceptance.
pub(super) const fn guard_refusal(outcome: guard::Outcome) -> Refusal {
    match outcome {
        Outcome::Replayed => Refusal::Replayed,
        Outcome::Malformed(_) => Refusal::Malformed,
        _ => Refusal::Wrong,
    }
}

/// The refusal for a delivered-code outcome that is not an acceptance.
pub(super) const fn delivered_refusal(outcome: delivered::Outcome) -> Refusal {
    match outcome {
        delivered::Outcome::Expired { .. } => Refusal::Expired,
        delivered::Outcome::Superseded => Refusal::Superseded,
        delivered::Outcome::TooManyChecks => Refusal::TooManyChecks,
        delivered::Outcome::Used => Refusal::Used,
        delivered::Outcome::Malformed(_) => Refusal::Malformed,
        delivered::Outcome::NoCode => Refusal::NoCodeSent,
        _ => Refusal::Wrong,
    }
}
