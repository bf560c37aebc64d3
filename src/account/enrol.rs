//! Enrolment and its reverse: TOTP, phone, backup codes, disabling, and the
//! device epoch.

use rand_core::CryptoRng;

use super::config::{Config, User};
use super::login::{delivered_refusal, guard_refusal, login};
use super::outcome::{Confirmation, LoginOutcome, Refusal};
use super::record::{Account, Phone, TotpEnrolment};
use super::{AccountError, user_guard};
use crate::backup::{CodeSet, ShownCodes};
use crate::delivered::{self, Binding, Message, Purpose, Reason};
use crate::guard::{self, Outcome};
use crate::secret::Secret;
#[cfg(feature = "getrandom")]
use crate::secret::os::with_os_rng;
use crate::time::UnixTime;
use crate::uri::KeyUri;

/// Begins a TOTP enrolment: a new secret from `rng`, sealed for `user` into
/// the record as the pending enrolment (replacing any earlier pending one),
/// and the Key URI to show once as a QR code
/// ([`KeyUri::to_qr_svg`](crate::KeyUri::to_qr_svg), feature `qr`) or
/// text. The parameters are the configuration guard's. A confirmed TOTP
/// stays in force until [`confirm_totp`] replaces it.
///
/// # Errors
///
/// [`AccountError::Uri`] for an issuer or account name the URI cannot
/// carry, [`AccountError::Seal`] if sealing fails.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use rand_core::SeedableRng;
/// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
/// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
/// use twostep::account::{self, Account, User};
/// let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
/// let user = User::new(b"user-1842")?;
/// let now = twostep::UnixTime::from_secs(1_795_780_800);
/// let (uri, account) = account::begin_totp(&config, &user, "Example", "ana@example.com", now, &mut rng, &Account::new())?;
/// assert!(uri.to_uri_string().starts_with("otpauth://totp/Example:ana@example.com?secret="));
/// assert!(account.pending_totp().is_some() && account.totp().is_none());
/// # Ok(()) }
/// ```
pub fn begin_totp<R: CryptoRng + ?Sized>(
    config: &Config,
    user: &User<'_>,
    issuer: &str,
    account_name: &str,
    now: UnixTime,
    rng: &mut R,
    account: &Account,
) -> Result<(KeyUri, Account), AccountError> {
    let totp = config.guard().totp();
    let secret = Secret::generate(rng);
    let uri = KeyUri::totp(&totp, &secret, issuer, account_name)?;
    let sealed = config.keyring().seal_secret(user.id(), &secret, rng)?;
    let mut next = account.clone();
    next.pending_totp = Some(TotpEnrolment {
        algorithm: totp.algorithm(),
        digits: totp.digits(),
        period: totp.period(),
        since: now,
        sealed,
    });
    Ok((uri, next))
}

/// [`begin_totp`] on the operating system's random source (feature
/// `getrandom`): the same call without the `rng` argument.
///
/// # Errors
///
/// As [`begin_totp`], and [`AccountError::Random`] if the OS source fails
/// (nothing is returned to store then).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
/// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
/// use twostep::account::{self, Account, User};
/// let user = User::new(b"user-1842")?;
/// let now = twostep::UnixTime::from_secs(1_795_780_800);
/// let (uri, account) = account::begin_totp_os(&config, &user, "Example", "ana", now, &Account::new())?;
/// assert!(account.pending_totp().is_some());
/// # let _ = uri;
/// # Ok(()) }
/// ```
#[cfg(feature = "getrandom")]
#[cfg_attr(docsrs, doc(cfg(feature = "getrandom")))]
pub fn begin_totp_os(
    config: &Config,
    user: &User<'_>,
    issuer: &str,
    account_name: &str,
    now: UnixTime,
    account: &Account,
) -> Result<(KeyUri, Account), AccountError> {
    with_os_rng(|rng| begin_totp(config, user, issuer, account_name, now, rng, account))
        .map_err(|_| AccountError::Random)?
}

/// The Key URI of the pending TOTP enrolment again, from its sealed
/// secret: for the enrolment page shown a second time (after a wrong first
/// code, a reload) without starting over with a new secret. `None` without
/// a pending enrolment, or once it is older than [`PENDING_TOTP_LIFETIME`]
/// (start a new one then).
///
/// # Errors
///
/// [`AccountError::Open`] if the secret does not open,
/// [`AccountError::Uri`] for an issuer or account name the URI cannot
/// carry.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use rand_core::SeedableRng;
/// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
/// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
/// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
/// use twostep::account::{self, Account, User};
/// let user = User::new(b"user-1842")?;
/// let now = twostep::UnixTime::from_secs(1_795_780_800);
/// let (uri, account) = account::begin_totp(&config, &user, "Example", "ana", now, &mut rng, &Account::new())?;
/// let again = account::pending_totp_uri(&config, &user, "Example", "ana", now, &account)?;
/// assert_eq!(again.map(|u| u.to_uri_string()), Some(uri.to_uri_string()));
/// # Ok(()) }
/// ```
pub fn pending_totp_uri(
    config: &Config,
    user: &User<'_>,
    issuer: &str,
    account_name: &str,
    now: UnixTime,
    account: &Account,
) -> Result<Option<KeyUri>, AccountError> {
    let Some(pending) = account
        .pending_totp
        .as_ref()
        .filter(|p| !pending_expired(p.since, now))
    else {
        return Ok(None);
    };
    let secret = config.keyring().open_secret(user.id(), &pending.sealed)?;
    Ok(Some(KeyUri::totp(
        &pending.totp(),
        &secret,
        issuer,
        account_name,
    )?))
}

/// Confirms the pending TOTP enrolment with the first code from the app.
///
/// Gated and counted in the shared throttle like a login
/// ([`Guard::blocked`](crate::Guard::blocked), one failure per wrong code).
/// A pending enrolment older than [`PENDING_TOTP_LIFETIME`] is refused as
/// [`Refusal::Expired`] (nothing compared or counted) and dropped from the
/// record. On success the pending enrolment becomes the confirmed one
/// (replacing any earlier secret: ask for a fresh second factor before
/// [`begin_totp`] on an enrolled account), the guard state restarts from the confirming step
/// with the failures cleared, so the same code is
/// [`Refusal::Replayed`] at the next login.
///
/// # Errors
///
/// As [`login`].
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use rand_core::SeedableRng;
/// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
/// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
/// use twostep::account::{self, Account, Confirmation, User};
/// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
/// # let user = User::new(b"user-1842")?;
/// let now = twostep::UnixTime::from_secs(1_795_780_800);
/// let (uri, account) = account::begin_totp(&config, &user, "Example", "ana", now, &mut rng, &Account::new())?;
/// let typed = twostep::Totp::default().generate(uri.secret(), now)?.to_string(); // the app's code
/// let (confirmed, account) = account::confirm_totp(&config, &user, &typed, now, &account)?;
/// assert_eq!(confirmed, Confirmation::Confirmed);
/// assert!(account.totp().is_some() && account.pending_totp().is_none());
/// # Ok(()) }
/// ```
#[must_use = "store the returned record; only Confirmation::Confirmed enrols"]
pub fn confirm_totp(
    config: &Config,
    user: &User<'_>,
    input: &str,
    now: UnixTime,
    account: &Account,
) -> Result<(Confirmation, Account), AccountError> {
    let Some(pending) = &account.pending_totp else {
        let reason = Refusal::NotEnrolled;
        return Ok((Confirmation::Refused { reason }, account.clone()));
    };
    let mut next = account.clone();
    if pending_expired(pending.since, now) {
        // Nothing compared, nothing counted: the page starts a new one.
        next.pending_totp = None;
        let reason = Refusal::Expired;
        return Ok((Confirmation::Refused { reason }, next));
    }
    let guard = config.guard();
    if let Some(b) = guard.blocked(now, &account.guard) {
        next.guard = guard.cap_back_off(now, &account.guard);
        return Ok((Confirmation::blocked(b), next));
    }
    let secret = config.keyring().open_secret(user.id(), &pending.sealed)?;
    // A new secret: its steps owe nothing to the old one's, so it is
    // checked from a fresh state; the throttle is the account's.
    let (outcome, fresh) =
        user_guard(config, pending).check(&secret, input, now, &guard::State::new())?;
    if let Outcome::Accepted(_) = outcome {
        next.guard = fresh;
        next.totp = next
            .pending_totp
            .take()
            .map(|t| TotpEnrolment { since: now, ..t });
        return Ok((Confirmation::Confirmed, next));
    }
    next.guard = guard.record_failure(now, &account.guard);
    let reason = guard_refusal(outcome);
    Ok((Confirmation::Refused { reason }, next))
}

/// How long a pending TOTP enrolment can be confirmed: one hour from
/// [`begin_totp`], time enough to install an app, short enough that a QR
/// code left on a screen or in a screenshot stops being worth taking.
pub const PENDING_TOTP_LIFETIME: time::Duration = time::Duration::HOUR;

/// Whether a pending enrolment begun at `since` is too old at `now` (a
/// clock that stepped back counts as just begun).
fn pending_expired(since: UnixTime, now: UnixTime) -> bool {
    since
        .checked_add(PENDING_TOTP_LIFETIME)
        .is_none_or(|end| now >= end)
}

/// The record without its TOTP enrolment (confirmed and pending), with the
/// device epoch bumped (a reset of a second factor revokes remembered
/// devices). Ask for a fresh second factor first (see
/// [`reverify`](super::reverify), `Action::Sensitive`).
///
/// ```
/// use twostep::account::{remove_totp, Account};
/// let account = remove_totp(&Account::new());
/// assert_eq!((account.totp(), account.device_epoch()), (None, 1));
/// ```
#[must_use]
pub fn remove_totp(account: &Account) -> Account {
    let mut next = sign_out_everywhere(account);
    next.totp = None;
    next.pending_totp = None;
    next
}

/// Sets `phone` as the pending phone, to be confirmed by a code sent to it
/// ([`send_code`] with a [`Purpose::ConfirmPhone`] binding, then
/// [`confirm_phone`]). The confirmed phone, if any, stays until then.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use twostep::account::{begin_phone, Account, Phone};
/// use twostep::delivered::{Channel, Hint};
/// let account = begin_phone(Phone::new(Channel::Sms, Hint::new("**42")?)?, &Account::new());
/// assert!(account.pending_phone().is_some() && account.phone().is_none());
/// # Ok(()) }
/// ```
#[must_use]
pub fn begin_phone(phone: Phone, account: &Account) -> Account {
    Account {
        pending_phone: Some(phone),
        ..account.clone()
    }
}

/// Confirms the pending phone with the code sent to it for `attempt` (a
/// [`Purpose::ConfirmPhone`] binding). Gated and counted like a login; on
/// success the pending phone becomes the confirmed one and the failures are
/// cleared.
///
/// Without a pending phone: [`Refusal::NotEnrolled`], nothing counted.
///
/// # Errors
///
/// None at present: the `Result` matches [`confirm_totp`], so both
/// confirmations are called alike.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use rand_core::SeedableRng;
/// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
/// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
/// use twostep::account::{self, Account, Confirmation, Phone};
/// use twostep::delivered::{Binding, Channel, Hint, Purpose, Reason};
/// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
/// let now = twostep::UnixTime::from_secs(1_795_780_800);
/// let account = account::begin_phone(Phone::new(Channel::Sms, Hint::new("**42")?)?, &Account::new());
/// let attempt = Binding::new(Purpose::ConfirmPhone, b"settings-session")?;
/// let (message, account) = account::send_code(&config, &attempt, Reason::PhoneChange, now, &mut rng, &account)?;
/// let typed = message.code().to_string(); // what the person reads from the SMS
/// let (confirmed, account) = account::confirm_phone(&config, &attempt, &typed, now, &account)?;
/// assert_eq!(confirmed, Confirmation::Confirmed);
/// assert_eq!(account.phone().map(|p| p.hint().as_str()), Some("**42"));
/// # Ok(()) }
/// ```
#[must_use = "store the returned record; only Confirmation::Confirmed enrols"]
pub fn confirm_phone(
    config: &Config,
    attempt: &Binding<'_>,
    input: &str,
    now: UnixTime,
    account: &Account,
) -> Result<(Confirmation, Account), AccountError> {
    if account.pending_phone.is_none() {
        let reason = Refusal::NotEnrolled;
        return Ok((Confirmation::Refused { reason }, account.clone()));
    }
    let guard = config.guard();
    let mut next = account.clone();
    if let Some(b) = guard.blocked(now, &account.guard) {
        next.guard = guard.cap_back_off(now, &account.guard);
        return Ok((Confirmation::blocked(b), next));
    }
    let (outcome, delivered) = delivered::verify(
        config.delivered_policy(),
        config.delivered_key(),
        attempt,
        input,
        now,
        &account.delivered,
    );
    next.delivered = delivered;
    if outcome.is_accepted() {
        next.guard = account.guard.reset_failures();
        next.phone = next.pending_phone.take();
        return Ok((Confirmation::Confirmed, next));
    }
    next.guard = guard.record_failure(now, &account.guard);
    let reason = delivered_refusal(outcome);
    Ok((Confirmation::Refused { reason }, next))
}

/// The record without its phone (confirmed and pending). The delivery log
/// stays, for support and for the send caps.
///
/// ```
/// use twostep::account::{remove_phone, Account};
/// assert!(remove_phone(&Account::new()).phone().is_none());
/// ```
#[must_use]
pub fn remove_phone(account: &Account) -> Account {
    Account {
        phone: None,
        pending_phone: None,
        ..account.clone()
    }
}

/// Issues a code to the user's phone with [`delivered::issue`]: to the
/// pending phone for a [`Purpose::ConfirmPhone`] binding, else to the
/// confirmed one, over its channel. Store the record, then send the
/// message to the number the application holds for that phone, then
/// record the provider's answer with [`record_sent`](super::record_sent)
/// (and its status callbacks with [`record_status`](super::record_status)).
///
/// # Errors
///
/// [`AccountError::NoPhone`] without the phone the purpose needs,
/// [`AccountError::Locked`] for a login code while the account is locked
/// (the code could not be used), [`AccountError::Issue`] when the cooldown
/// or a cap holds.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use rand_core::SeedableRng;
/// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
/// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
/// use twostep::account::{self, Account, AccountError};
/// use twostep::delivered::{Binding, Purpose, Reason};
/// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
/// let attempt = Binding::new(Purpose::Login, b"session-hash")?;
/// let now = twostep::UnixTime::from_secs(1_795_780_800);
/// let none = account::send_code(&config, &attempt, Reason::LoginStarted, now, &mut rng, &Account::new());
/// assert!(matches!(none, Err(AccountError::NoPhone)));
/// # Ok(()) }
/// ```
pub fn send_code<R: CryptoRng + ?Sized>(
    config: &Config,
    attempt: &Binding<'_>,
    reason: Reason,
    now: UnixTime,
    rng: &mut R,
    account: &Account,
) -> Result<(Message, Account), AccountError> {
    let phone = match attempt.purpose() {
        Purpose::ConfirmPhone => account.pending_phone,
        _ => account.phone,
    }
    .ok_or(AccountError::NoPhone)?;
    let locked = config.guard().blocked(now, &account.guard) == Some(guard::Blocked::Locked);
    if locked && attempt.purpose() == Purpose::Login {
        return Err(AccountError::Locked);
    }
    let (message, delivered) = delivered::issue(
        config.delivered_policy(),
        config.delivered_key(),
        attempt,
        reason,
        phone.channel,
        now,
        rng,
        &account.delivered,
    )?;
    let next = Account {
        delivered,
        ..account.clone()
    };
    Ok((message, next))
}

/// [`send_code`] on the operating system's random source (feature
/// `getrandom`): the same call without the `rng` argument.
///
/// # Errors
///
/// As [`send_code`], and [`AccountError::Random`] if the OS source fails
/// (nothing is sent or recorded then).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
/// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
/// use twostep::account::{self, Account, Phone};
/// use twostep::delivered::{Binding, Channel, Hint, Purpose, Reason};
/// let now = twostep::UnixTime::from_secs(1_795_780_800);
/// let account = account::begin_phone(Phone::new(Channel::Sms, Hint::new("**42")?)?, &Account::new());
/// let attempt = Binding::new(Purpose::ConfirmPhone, b"settings-session")?;
/// let (message, _account) = account::send_code_os(&config, &attempt, Reason::PhoneChange, now, &account)?;
/// assert_eq!(message.code().to_string().len(), 6);
/// # Ok(()) }
/// ```
#[cfg(feature = "getrandom")]
#[cfg_attr(docsrs, doc(cfg(feature = "getrandom")))]
pub fn send_code_os(
    config: &Config,
    attempt: &Binding<'_>,
    reason: Reason,
    now: UnixTime,
    account: &Account,
) -> Result<(Message, Account), AccountError> {
    with_os_rng(|rng| send_code(config, attempt, reason, now, rng, account))
        .map_err(|_| AccountError::Random)?
}

/// The same record with the delivered-code state replaced, for a
/// [`delivered`] function the account layer does not wrap (the log has
/// [`record_sent`](super::record_sent) and
/// [`record_status`](super::record_status)).
///
/// ```
/// use twostep::account::{with_delivered, Account};
/// let account = with_delivered(&Account::new(), twostep::delivered::State::new());
/// assert_eq!(account, Account::new());
/// ```
#[must_use]
pub fn with_delivered(account: &Account, delivered: delivered::State) -> Account {
    Account {
        delivered,
        ..account.clone()
    }
}

/// A new backup-code set (renewing the old one, so its codes stop working)
/// and the plaintext codes to show once. New codes are issued when the old
/// ones may be in someone else's hands, so the device epoch is bumped too:
/// every remembered device must pass the second step again. Ask for a
/// fresh second factor first (see [`reverify`](super::reverify)).
///
/// # Errors
///
/// [`AccountError::Backup`] if the policy's pepper does not fit the set.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use rand_core::SeedableRng;
/// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
/// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
/// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
/// use twostep::account::{self, Account};
/// let (shown, account) = account::regenerate_backup_codes(&config, &mut rng, &Account::new())?;
/// assert_eq!((shown.len(), account.backup_codes().map(|s| s.remaining())), (10, Some(10)));
/// assert_eq!(account.device_epoch(), 1);
/// # Ok(()) }
/// ```
pub fn regenerate_backup_codes<R: CryptoRng + ?Sized>(
    config: &Config,
    rng: &mut R,
    account: &Account,
) -> Result<(ShownCodes, Account), AccountError> {
    let policy = config.backup_policy();
    let (shown, set) = match &account.backup {
        Some(old) => old.renew(policy, rng)?,
        None => CodeSet::generate(policy, rng)?,
    };
    let mut next = sign_out_everywhere(account);
    next.backup = Some(set);
    Ok((shown, next))
}

/// [`regenerate_backup_codes`] on the operating system's random source
/// (feature `getrandom`): the same call without the `rng` argument.
///
/// # Errors
///
/// As [`regenerate_backup_codes`], and [`AccountError::Random`] if the OS
/// source fails (no codes are returned then).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
/// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
/// use twostep::account::{self, Account};
/// let (shown, account) = account::regenerate_backup_codes_os(&config, &Account::new())?;
/// assert_eq!((shown.len(), account.backup_codes().map(|s| s.remaining())), (10, Some(10)));
/// # Ok(()) }
/// ```
#[cfg(feature = "getrandom")]
#[cfg_attr(docsrs, doc(cfg(feature = "getrandom")))]
pub fn regenerate_backup_codes_os(
    config: &Config,
    account: &Account,
) -> Result<(ShownCodes, Account), AccountError> {
    with_os_rng(|rng| regenerate_backup_codes(config, rng, account))
        .map_err(|_| AccountError::Random)?
}

/// Turns two-step verification off, if `input` passes a [`login`] now:
/// disabling needs a fresh second factor, so this takes one. On
/// acceptance the record keeps only its throttle and delivery log (every
/// factor removed, remembered devices revoked); otherwise it is what the
/// login returned (the failure counted).
///
/// # Errors
///
/// As [`login`].
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use rand_core::SeedableRng;
/// # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
/// # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
/// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
/// use twostep::account::{self, Account, User};
/// use twostep::delivered::{Binding, Purpose};
/// let user = User::new(b"user-1842")?;
/// let attempt = Binding::new(Purpose::Login, b"settings-session")?;
/// let now = twostep::UnixTime::from_secs(1_795_780_800);
/// let (shown, account) = account::regenerate_backup_codes(&config, &mut rng, &Account::new())?;
/// let code = shown.get(0).map(|c| c.to_string()).unwrap_or_default();
/// let (outcome, account) = account::disable(&config, &user, &attempt, &code, now, &account)?;
/// assert!(outcome.is_accepted() && !account.is_enabled());
/// # Ok(()) }
/// ```
#[must_use = "store the returned record; only an accepted outcome disabled anything"]
pub fn disable(
    config: &Config,
    user: &User<'_>,
    attempt: &Binding<'_>,
    input: &str,
    now: UnixTime,
    account: &Account,
) -> Result<(LoginOutcome, Account), AccountError> {
    let (outcome, after) = login(config, user, attempt, input, now, account)?;
    if !outcome.is_accepted() {
        return Ok((outcome, after));
    }
    let mut next = remove_phone(&remove_totp(&after));
    next.backup = None;
    Ok((outcome, next))
}

/// The record with the device epoch bumped and the remembered devices
/// forgotten: every remembered-device token is revoked. Call it for "sign
/// out everywhere" and after a password change.
///
/// ```
/// use twostep::account::{sign_out_everywhere, Account};
/// let account = sign_out_everywhere(&sign_out_everywhere(&Account::new()));
/// assert_eq!(account.device_epoch(), 2);
/// ```
#[must_use]
pub fn sign_out_everywhere(account: &Account) -> Account {
    Account {
        // 2^64 bumps are out of reach; saturating keeps the call total.
        epoch: account.epoch.saturating_add(1),
        devices: alloc::vec::Vec::new(),
        ..account.clone()
    }
}
