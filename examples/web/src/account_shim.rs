#![allow(dead_code)]
//! Stand-in for `twostep::account` with the same shape, built on the
//! library's pieces, until the account layer lands. The TOTP secret is kept
//! in the clear here (the real record seals it).

use twostep::backup::{self, CodeSet, Redemption, ShownCodes};
use twostep::delivered::{self, Binding, Channel, Message, Reason};
use twostep::guard::{self, Blocked, Outcome};
use twostep::time::Duration;
use twostep::{Guard, KeyUri, Secret, Totp, UnixTime};

pub type Error = Box<dyn std::error::Error + Send + Sync>;

pub struct Config {
    pub guard: Guard,
    pub backup: backup::Policy,
    pub delivered: delivered::Policy,
    pub delivered_key: delivered::Key,
}

pub struct User<'a>(pub &'a [u8]);

#[derive(Clone, Debug, PartialEq)]
pub struct Phone {
    pub hint: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Device {
    pub id: String,
    pub label: String,
    pub remembered_at: UnixTime,
    pub expires_at: UnixTime,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Account {
    guard: guard::State,
    totp: Option<String>,
    pending: Option<String>,
    phone: Option<Phone>,
    backup: Option<CodeSet>,
    delivered: delivered::State,
    epoch: u64,
    devices: Vec<Device>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Totp,
    Delivered,
    Backup,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    Wrong,
    Replayed,
    Used,
    Malformed,
    NotEnrolled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginOutcome {
    Accepted {
        method: Method,
        backup_codes_left: Option<usize>,
        renew_backup_codes: bool,
    },
    Refused {
        reason: Refusal,
    },
    Throttled {
        retry_after: Duration,
    },
    Locked,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirmation {
    Confirmed,
    Wrong,
    NothingPending,
}

impl Account {
    pub fn guard(&self) -> &guard::State {
        &self.guard
    }
    pub fn has_totp(&self) -> bool {
        self.totp.is_some()
    }
    pub fn phone(&self) -> Option<&Phone> {
        self.phone.as_ref()
    }
    pub fn backup(&self) -> Option<&CodeSet> {
        self.backup.as_ref()
    }
    pub fn delivered(&self) -> &delivered::State {
        &self.delivered
    }
    pub fn devices(&self) -> &[Device] {
        &self.devices
    }
    pub fn is_enrolled(&self) -> bool {
        self.totp.is_some() || self.phone.is_some()
    }
    pub fn totp_secret(&self, _config: &Config, _user: &User<'_>) -> Option<Secret> {
        self.totp
            .as_deref()
            .and_then(|s| Secret::from_base32_strict(s).ok())
    }
    pub fn pending_uri(
        &self,
        _config: &Config,
        _user: &User<'_>,
        issuer: &str,
        name: &str,
    ) -> Option<KeyUri> {
        let secret = Secret::from_base32_strict(self.pending.as_deref()?).ok()?;
        KeyUri::totp(&Totp::default(), &secret, issuer, name).ok()
    }
    pub fn with_delivered(&self, state: delivered::State) -> Self {
        Self {
            delivered: state,
            ..self.clone()
        }
    }
    pub fn with_guard(&self, guard: guard::State) -> Self {
        Self {
            guard,
            ..self.clone()
        }
    }
    pub fn reset_lock(&self) -> Self {
        Self {
            guard: self.guard.reset_failures(),
            ..self.clone()
        }
    }
    pub fn set_phone(&self, phone: Option<Phone>) -> Self {
        Self {
            phone,
            ..self.clone()
        }
    }
}

fn looks_like_digits(input: &str) -> bool {
    input
        .chars()
        .filter(|c| !c.is_whitespace())
        .all(|c| c.is_ascii_digit())
}

pub fn login(
    config: &Config,
    user: &User<'_>,
    attempt: &Binding<'_>,
    input: &str,
    now: UnixTime,
    account: &Account,
) -> Result<(LoginOutcome, Account), Error> {
    let digits = looks_like_digits(input);
    let blocked = if digits {
        config.guard.blocked(now, &account.guard)
    } else {
        config.guard.recovery_blocked(now, &account.guard)
    };
    match blocked {
        Some(Blocked::Throttled { retry_after }) => {
            return Ok((LoginOutcome::Throttled { retry_after }, account.clone()));
        }
        Some(Blocked::Locked) => return Ok((LoginOutcome::Locked, account.clone())),
        Some(_) | None => {}
    }
    let mut next = account.clone();
    if digits {
        let mut refusal = Refusal::Wrong;
        let mut failed = config.guard.record_failure(now, &account.guard);
        if let Some(secret) = account.totp_secret(config, user) {
            let (outcome, state) = config.guard.check(&secret, input, now, &account.guard)?;
            match outcome {
                Outcome::Accepted(_) => {
                    next.guard = state;
                    return Ok((accepted(config, Method::Totp, &next), next));
                }
                Outcome::Replayed => refusal = Refusal::Replayed,
                Outcome::Malformed(_) => refusal = Refusal::Malformed,
                _ => {}
            }
            failed = state;
        }
        if account.phone.is_some() {
            let (outcome, state) = delivered::verify(
                &config.delivered,
                &config.delivered_key,
                attempt,
                input,
                now,
                &account.delivered,
            );
            next.delivered = state;
            match outcome {
                delivered::Outcome::Accepted => {
                    next.guard = account.guard.reset_failures();
                    return Ok((accepted(config, Method::Delivered, &next), next));
                }
                delivered::Outcome::Used if refusal != Refusal::Replayed => refusal = Refusal::Used,
                _ => {}
            }
        }
        if refusal != Refusal::Replayed {
            next.guard = failed;
        }
        return Ok((LoginOutcome::Refused { reason: refusal }, next));
    }
    let result = match &account.backup {
        Some(set) => set.redeem(input, &config.backup)?,
        None => Redemption::Invalid,
    };
    if let Redemption::Redeemed { set, .. } = result {
        next.backup = Some(set);
        next.guard = account.guard.reset_failures();
        return Ok((accepted(config, Method::Backup, &next), next));
    }
    next.guard = config.guard.record_failure(now, &account.guard);
    let reason = match result {
        Redemption::AlreadyUsed { .. } => Refusal::Used,
        Redemption::Malformed => Refusal::Malformed,
        _ => Refusal::Wrong,
    };
    Ok((LoginOutcome::Refused { reason }, next))
}

fn accepted(config: &Config, method: Method, account: &Account) -> LoginOutcome {
    LoginOutcome::Accepted {
        method,
        backup_codes_left: account.backup.as_ref().map(CodeSet::remaining),
        renew_backup_codes: account
            .backup
            .as_ref()
            .is_some_and(|s| s.needs_renewal(&config.backup)),
    }
}

pub fn begin_totp(
    _config: &Config,
    _user: &User<'_>,
    issuer: &str,
    account_name: &str,
    _now: UnixTime,
    account: &Account,
) -> Result<(KeyUri, Account), Error> {
    let secret = Secret::generate_os()?;
    let uri = KeyUri::totp(&Totp::default(), &secret, issuer, account_name)?;
    let next = Account {
        pending: Some(secret.to_base32().to_string()),
        ..account.clone()
    };
    Ok((uri, next))
}

pub fn confirm_totp(
    config: &Config,
    _user: &User<'_>,
    input: &str,
    now: UnixTime,
    account: &Account,
) -> Result<(Confirmation, Account), Error> {
    let Some(pending) = &account.pending else {
        return Ok((Confirmation::NothingPending, account.clone()));
    };
    let secret = Secret::from_base32_strict(pending)?;
    let (outcome, state) = config
        .guard
        .check(&secret, input, now, &guard::State::new())?;
    if outcome.is_accepted() {
        let next = Account {
            guard: state,
            totp: Some(pending.clone()),
            pending: None,
            ..account.clone()
        };
        Ok((Confirmation::Confirmed, next))
    } else {
        Ok((Confirmation::Wrong, account.clone()))
    }
}

pub fn regenerate_backup_codes(
    config: &Config,
    _now: UnixTime,
    account: &Account,
) -> Result<(ShownCodes, Account), Error> {
    let (codes, set) = CodeSet::generate_os(&config.backup)?;
    let next = Account {
        backup: Some(set),
        epoch: account.epoch + 1,
        devices: Vec::new(),
        ..account.clone()
    };
    Ok((codes, next))
}

pub fn send_code(
    config: &Config,
    _user: &User<'_>,
    attempt: &Binding<'_>,
    reason: Reason,
    now: UnixTime,
    account: &Account,
) -> Result<(Message, Account), Error> {
    let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    let (message, state) = delivered::issue(
        &config.delivered,
        &config.delivered_key,
        attempt,
        reason,
        Channel::Sms,
        now,
        &mut rng,
        &account.delivered,
    )?;
    Ok((message, account.with_delivered(state)))
}

pub fn remember_device(
    _config: &Config,
    _user: &User<'_>,
    label: &str,
    now: UnixTime,
    lifetime: Duration,
    account: &Account,
) -> Result<(String, Account), Error> {
    let mut id = [0u8; 16];
    getrandom::fill(&mut id).map_err(|e| format!("{e}"))?;
    let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
    let mut next = account.clone();
    let expires_at = now.checked_add(lifetime).ok_or("time")?;
    next.devices.push(Device {
        id: id.clone(),
        label: label.into(),
        remembered_at: now,
        expires_at,
    });
    Ok((format!("r1.{id}.{}", account.epoch), next))
}

pub fn check_device(
    _config: &Config,
    _user: &User<'_>,
    cookie: &str,
    now: UnixTime,
    account: &Account,
) -> bool {
    let mut parts = cookie.split('.');
    let (Some("r1"), Some(id), Some(epoch)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    epoch == account.epoch.to_string()
        && account
            .devices
            .iter()
            .any(|d| d.id == id && now < d.expires_at)
}

pub fn forget_device(id: &str, account: &Account) -> Account {
    let mut next = account.clone();
    next.devices.retain(|d| d.id != id);
    next
}

pub fn sign_out_everywhere(account: &Account) -> Account {
    Account {
        epoch: account.epoch + 1,
        devices: Vec::new(),
        ..account.clone()
    }
}

pub fn disable(account: &Account) -> Account {
    Account {
        guard: account.guard,
        epoch: account.epoch + 1,
        delivered: account.delivered.clone(),
        ..Account::default()
    }
}
