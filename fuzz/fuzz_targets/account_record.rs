//! The account record's text form and a short program of account
//! operations.
//!
//! Input: `<candidate text>\n<program>`. The candidate (UTF-8, lossily) is
//! parsed as an `Account`; the program (read with `arbitrary`) is up to 24
//! operations at arbitrary clock moves, run on the parsed record if it
//! parsed, else on a new one: enrol TOTP (begin, confirm with the real or a
//! wrong code), a phone (begin, send, confirm), backup codes, logins with
//! raw text or the real TOTP, sent or backup code, remembered devices, sign
//! out everywhere, removals, disable.
//!
//! Oracles: nothing panics; a text that parses prints back identically and
//! is at most `Account::MAX_LEN` bytes; every record after every operation
//! round-trips through its text and fits `MAX_LEN`; a login changes the
//! failure count only as the throttle defines (a refusal counts one, a
//! replay, a throttled or locked attempt and a user without a factor count
//! nothing, a success clears it); no code is accepted twice (a TOTP code at
//! one step, a sent or backup code ever); a login on a parsed record fails
//! only because its sealed secret does not open.
#![no_main]

use std::collections::HashSet;

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use twostep::account::device::{self as dev, DeviceId, DeviceKey};
use twostep::account::seal::{KeyId, Keyring, SealKey};
use twostep::account::{
    self, Account, AccountError, Config, DeviceLabel, LoginOutcome, Method, Phone, Refusal, User,
};
use twostep::backup::ShownCodes;
use twostep::delivered::{self, Binding, Channel, Hint, Purpose, Reason};
use twostep::otp::KeyedTotp;
use twostep::{Guard, Totp, UnixTime};

#[derive(Arbitrary, Debug)]
enum Typed {
    Raw(String),
    Totp,
    Sent,
    Backup(u8),
}

#[derive(Arbitrary, Debug)]
enum Op {
    BeginTotp,
    ConfirmTotp(bool),
    BeginPhone(bool),
    Send(bool),
    ConfirmPhone(bool),
    Regenerate,
    Login(Typed),
    Disable(Typed),
    Remember(u8),
    Forget(u8),
    SignOut,
    RemoveTotp,
    RemovePhone,
}

const USER: &[u8] = b"fuzz-user";
/// 2026-11-27 12:00:00 UTC.
const START: u64 = 1_795_780_800;

fn config() -> Config {
    let keyring = Keyring::new(KeyId::new(1), SealKey::from_bytes(&[0x11; 32]));
    let delivered_key = delivered::Key::from_bytes(&[0x22; 32]).expect("32 bytes");
    let device_keys = dev::Keyring::new(1, DeviceKey::from_bytes(&[0x33; 32]).expect("32 bytes"));
    Config::new(keyring, delivered_key, device_keys)
        .with_guard(Guard::new(Totp::new()))
        .expect("default lengths")
}

/// The record's text round-trips and fits.
fn check(account: &Account) {
    let text = account.to_string();
    assert!(text.len() <= Account::MAX_LEN, "{} bytes", text.len());
    let parsed: Account = text.parse().expect("a record's own text parses");
    assert_eq!(&parsed, account);
}

struct World {
    account: Account,
    now: u64,
    pending_app: Option<KeyedTotp>,
    app: Option<KeyedTotp>,
    codes: Option<ShownCodes>,
    sent: Option<String>,
    confirm: Option<String>,
    devices: Vec<DeviceId>,
    accepted: HashSet<(u8, String, u64)>,
}

impl World {
    fn typed(&self, typed: &Typed) -> String {
        let now = UnixTime::from_secs(self.now);
        match typed {
            Typed::Raw(s) => s.clone(),
            Typed::Totp => self.app.as_ref().map_or(String::new(), |k| {
                k.generate(now).map(|c| c.to_string()).unwrap_or_default()
            }),
            Typed::Sent => self.sent.clone().unwrap_or_default(),
            Typed::Backup(i) => self
                .codes
                .as_ref()
                .and_then(|c| c.get(usize::from(*i) % c.len().max(1)))
                .map_or(String::new(), |c| c.to_string()),
        }
    }

    /// The throttle's arithmetic and single use, for one login.
    fn attempt(&mut self, input: &str, outcome: LoginOutcome, next: &Account) {
        let (before, after) = (self.account.guard().failures(), next.guard().failures());
        match outcome {
            LoginOutcome::Accepted { method, .. } => {
                assert_eq!(after, 0);
                let (kind, step) = match method {
                    Method::Totp => (0, self.now / 30),
                    Method::Delivered => (1, 0),
                    _ => (2, 0),
                };
                let code: String = input.chars().filter(char::is_ascii_alphanumeric).collect();
                let fresh = self
                    .accepted
                    .insert((kind, code.to_ascii_uppercase(), step));
                assert!(fresh, "a code accepted twice");
            }
            LoginOutcome::Refused {
                reason: Refusal::Replayed | Refusal::NotEnrolled,
            }
            | LoginOutcome::Throttled { .. }
            | LoginOutcome::Locked => assert_eq!(after, before),
            LoginOutcome::Refused { .. } => assert_eq!(after, before.saturating_add(1)),
            _ => {}
        }
    }
}

fn run(w: &mut World, op: &Op, config: &Config, seed: u64) {
    let now = UnixTime::from_secs(w.now);
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let user = User::new(USER).expect("short id");
    let login = Binding::new(Purpose::Login, b"session").expect("short binding");
    let confirm = Binding::new(Purpose::ConfirmPhone, b"settings").expect("short binding");
    match op {
        Op::BeginTotp => {
            if let Ok((uri, next)) =
                account::begin_totp(config, &user, "Fuzz", "ana", now, &mut rng, &w.account)
            {
                w.pending_app = Some(Totp::new().key(uri.secret()));
                w.account = next;
            }
        }
        Op::ConfirmTotp(right) => {
            let code = w.pending_app.as_ref().map_or(String::new(), |k| {
                k.generate(now).map(|c| c.to_string()).unwrap_or_default()
            });
            let code = if *right { code } else { format!("{code}9") };
            if let Ok((c, next)) = account::confirm_totp(config, &user, &code, now, &w.account) {
                if c.is_confirmed() {
                    w.app = w.pending_app.take();
                    w.accepted.insert((0, code, w.now / 30));
                }
                w.account = next;
            }
        }
        Op::BeginPhone(voice) => {
            let channel = if *voice { Channel::Voice } else { Channel::Sms };
            let phone = Phone::new(channel, Hint::new("**42").expect("hint")).expect("a phone");
            w.account = account::begin_phone(phone, &w.account);
        }
        Op::Send(confirming) => {
            let (binding, reason) = if *confirming {
                (&confirm, Reason::PhoneChange)
            } else {
                (&login, Reason::LoginStarted)
            };
            if let Ok((m, next)) =
                account::send_code(config, binding, reason, now, &mut rng, &w.account)
            {
                let code = Some(m.code().to_string());
                if *confirming {
                    w.confirm = code;
                } else {
                    w.sent = code;
                }
                w.account = next;
            }
        }
        Op::ConfirmPhone(right) => {
            let code = w.confirm.clone().unwrap_or_default();
            let code = if *right { code } else { format!("{code}1") };
            if let Ok((_, next)) = account::confirm_phone(config, &confirm, &code, now, &w.account)
            {
                w.account = next;
            }
        }
        Op::Regenerate => {
            if let Ok((shown, next)) =
                account::regenerate_backup_codes(config, &mut rng, &w.account)
            {
                w.codes = Some(shown);
                w.account = next;
            }
        }
        Op::Login(typed) | Op::Disable(typed) => {
            let input = w.typed(typed);
            let r = if matches!(op, Op::Login(_)) {
                account::login(config, &user, &login, &input, now, &w.account)
            } else {
                account::disable(config, &user, &login, &input, now, &w.account)
            };
            match r {
                Ok((outcome, next)) => {
                    w.attempt(&input, outcome, &next);
                    w.account = next;
                }
                // A parsed record's secret was sealed by someone else.
                Err(AccountError::Open(_)) => {}
                Err(e) => panic!("login failed: {e}"),
            }
        }
        Op::Remember(n) => {
            let device = DeviceId::generate(&mut rng);
            let label = DeviceLabel::lossy(&format!("device {n}"));
            let lifetime = time::Duration::days(i64::from(*n % 60) + 1);
            if let Ok((token, next)) =
                account::remember_device(config, &user, device, label, now, lifetime, &w.account)
            {
                let cookie = token.to_string();
                assert!(account::check_device(config, &user, &cookie, now, &next).is_remembered());
                w.devices.push(device);
                w.account = next;
            }
        }
        Op::Forget(n) => {
            if let Some(&d) = w.devices.iter().rev().nth(usize::from(*n)) {
                w.account = account::forget_device(d, &w.account);
            }
        }
        Op::SignOut => w.account = account::sign_out_everywhere(&w.account),
        Op::RemoveTotp => w.account = account::remove_totp(&w.account),
        Op::RemovePhone => w.account = account::remove_phone(&w.account),
    }
}

fuzz_target!(|data: &[u8]| {
    let (text, program) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => data.split_at(i),
        None => (data, &[][..]),
    };
    let text = String::from_utf8_lossy(text);
    let parsed = text.parse::<Account>();
    if let Ok(account) = &parsed {
        assert_eq!(account.to_string(), text, "a text that parses prints back");
        assert!(text.len() <= Account::MAX_LEN);
        check(account);
    }
    let mut u = Unstructured::new(program.get(1..).unwrap_or_default());
    let Ok(ops) = u.arbitrary_iter::<(u16, Op)>() else {
        return;
    };
    let config = config();
    let mut w = World {
        account: parsed.unwrap_or_default(),
        now: START,
        pending_app: None,
        app: None,
        codes: None,
        sent: None,
        confirm: None,
        devices: Vec::new(),
        accepted: HashSet::new(),
    };
    for (i, op) in ops.take(24).enumerate() {
        let Ok((dt, op)) = op else { break };
        w.now = w.now.saturating_add(u64::from(dt));
        run(&mut w, &op, &config, i as u64);
        check(&w.account);
    }
});
