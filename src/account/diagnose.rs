//! The support desk's two diagnostics on a record: [`diagnose_totp`] (why
//! do the app's codes fail?) and [`diagnose_delivery`] (why did the text
//! not work?), each counted on the record's own throttle.

use super::config::{Config, User};
use super::record::Account;
use super::{AccountError, user_guard};
use crate::delivered::{self, AccountThrottle, Binding, Report};
use crate::diagnose::{self, DiagnoseOptions, Diagnosis, Observation};
use crate::guard::Blocked;
use crate::time::UnixTime;

/// The time-sync diagnostic ([`diagnose::diagnose`]) on the user's TOTP
/// enrolment: its sealed secret opened for `user`, its own parameters, the
/// configuration's window, drift bound and throttle, and the record's
/// guard state. Returns the diagnosis and the record to store.
///
/// A diagnosis is an attempt: each code of an unconfirmed diagnosis counts
/// as one failure in the returned record's guard state, the same throttle
/// logins use, so a lock period allows no more guesses, diagnoses
/// included, than it allows logins. While the account is throttled or
/// locked nothing is looked at ([`Verdict::Blocked`](diagnose::Verdict::Blocked)).
/// The time of the attempt is the latest observation's.
///
/// # Errors
///
/// [`AccountError::NoTotp`] without a confirmed TOTP enrolment,
/// [`AccountError::Diagnose`] for no observations or too many,
/// [`AccountError::Open`] if the secret does not open. The record is
/// unchanged then.
///
/// # Security
///
/// Store the returned record with compare-and-swap (the [`run`](super::run)
/// driver does), whatever the verdict. A diagnosis never authenticates:
/// never log someone in or reset their failures because it found their
/// code.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use rand_core::SeedableRng;
/// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
/// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
/// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
/// use twostep::account::{self, Account, User};
/// use twostep::diagnose::{DiagnoseOptions, Observation, Verdict};
/// use twostep::{Totp, UnixTime};
/// let user = User::new(b"user-1842")?;
/// let now = UnixTime::from_secs(1_795_780_800);
/// let (uri, account) = account::begin_totp(&config, &user, "Example", "ana", now, &mut rng, &Account::new())?;
/// let first = Totp::default().generate(uri.secret(), now)?.to_string();
/// let (_, account) = account::confirm_totp(&config, &user, &first, now, &account)?;
/// // Two codes from a phone whose clock is an hour ahead, a minute apart.
/// let (t1, t2) = (now.as_secs() + 600, now.as_secs() + 660);
/// let seen = |t: u64| Totp::default().generate(uri.secret(), UnixTime::from_secs(t + 3_600));
/// let (c1, c2) = (seen(t1)?.to_string(), seen(t2)?.to_string());
/// let obs = [Observation::new(&c1, UnixTime::from_secs(t1)), Observation::new(&c2, UnixTime::from_secs(t2))];
/// let (d, account) = account::diagnose_totp(&config, &user, &obs, &DiagnoseOptions::default(), &account)?;
/// assert!(matches!(d.verdict(), Verdict::TimeZoneLike { .. }));
/// assert_eq!(account.guard().failures(), 0); // confirmed: not counted
/// # Ok(()) }
/// ```
#[must_use = "store the returned record: an unconfirmed diagnosis counts as failed attempts"]
pub fn diagnose_totp(
    config: &Config,
    user: &User<'_>,
    observations: &[Observation<'_>],
    options: &DiagnoseOptions,
    account: &Account,
) -> Result<(Diagnosis, Account), AccountError> {
    let enrolment = account.totp.as_ref().ok_or(AccountError::NoTotp)?;
    let secret = config.keyring().open_secret(user.id(), &enrolment.sealed)?;
    let guard = user_guard(config, enrolment);
    let (diagnosis, state) =
        diagnose::diagnose(&guard, &secret, &account.guard, observations, options)?;
    let next = Account {
        guard: state,
        ..account.clone()
    };
    Ok((diagnosis, next))
}

/// The delivery diagnostic ([`delivered::diagnose`]) on the record: the
/// account's throttle read from its guard state at `now`, the delivery log
/// and current code from its delivered-code state. Returns the diagnosis
/// and the record to store.
///
/// `attempt` is the binding the code was sent for: a
/// [`Report::CodeRefused`] is checked against it (a login's, for "I typed
/// the code and it was refused"); for [`Report::NotReceived`] and
/// [`Report::Unasked`] nothing is checked and any binding will do.
///
/// A typed code is checked as a login checks it: refused unseen while the
/// account is throttled or locked, one check of the code, and one failure
/// on the record's throttle unless it is the current code (typed in time
/// or late, which, like a confirmed time-sync diagnosis, is neither counted
/// nor cleared). The other reports only read the record: the one returned
/// is then equal to `account`.
///
/// # Security
///
/// Store the returned record with compare-and-swap, whatever the verdict.
/// A diagnosis never authenticates.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
/// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
/// use twostep::account::{self, Account};
/// use twostep::delivered::{Binding, Purpose, Report, Verdict};
/// let attempt = Binding::new(Purpose::Login, b"session-hash")?;
/// let now = twostep::UnixTime::from_secs(1_795_780_800);
/// let (d, account) = account::diagnose_delivery(&config, &attempt, Report::NotReceived, now, &Account::new());
/// assert_eq!(d.verdict(), Verdict::NoRecentCode { last_sent: None });
/// assert_eq!(account, Account::new()); // nothing checked, nothing to store
/// # Ok(()) }
/// ```
#[must_use = "store the returned record: a checked code counts"]
pub fn diagnose_delivery(
    config: &Config,
    attempt: &Binding<'_>,
    report: Report<'_>,
    now: UnixTime,
    account: &Account,
) -> (delivered::Diagnosis, Account) {
    let guard = config.guard();
    let throttle = match guard.blocked(now, &account.guard) {
        Some(Blocked::Throttled { retry_after }) => AccountThrottle::Throttled {
            until: now
                .checked_add(retry_after)
                .unwrap_or(UnixTime::from_secs(u64::MAX)),
        },
        Some(Blocked::Locked) => AccountThrottle::Locked,
        _ => AccountThrottle::Open,
    };
    let (d, delivered) = delivered::diagnose(
        config.delivered_policy(),
        config.delivered_key(),
        attempt,
        report,
        throttle,
        now,
        &account.delivered,
    );
    let checked = delivered.checks() != account.delivered.checks();
    let found = matches!(
        d.verdict(),
        delivered::Verdict::RightInTime | delivered::Verdict::TypedLate { .. }
    );
    let mut next = Account {
        delivered,
        ..account.clone()
    };
    if checked && !found {
        next.guard = guard.record_failure(now, &account.guard);
    }
    (d, next)
}
