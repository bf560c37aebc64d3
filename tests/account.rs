//! The account layer: the record's text form (round trips, hostile text,
//! the size cap at the largest reachable record), `login` for every method
//! and every refusal under the one throttle, the doubled odds of a code that
//! could be two kinds, RFC 6238 vectors through `login`, a sealed secret
//! moved to another user's record, remembered devices and the epoch, the
//! compare-and-swap driver (sync and async), and property tests over any
//! program of operations.
#![cfg(feature = "account")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

#[path = "account/devices.rs"]
mod devices;
#[path = "account/driver.rs"]
mod driver;
#[path = "account/login.rs"]
mod login;
#[path = "account/properties.rs"]
mod properties;
#[path = "account/record.rs"]
mod record;
#[path = "account/support.rs"]
mod support;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use twostep::account::device::{self, DeviceKey};
use twostep::account::seal::{KeyId, Keyring, SealKey};
use twostep::account::{self, Account, Config, Phone, User};
use twostep::backup::ShownCodes;
use twostep::delivered::{self, Binding, Channel, Hint, Message, Purpose, Reason};
use twostep::guard::Throttle;
use twostep::otp::KeyedTotp;
use twostep::{Guard, Totp, UnixTime};

/// 2026-11-27 12:00:00 UTC.
const T: u64 = 1_795_780_800;
/// The login session every test's codes are bound to.
const SESSION: &[u8] = b"login-session-hash";

fn at(offset: u64) -> UnixTime {
    UnixTime::from_secs(T + offset)
}

fn keyring() -> Keyring {
    Keyring::new(KeyId::new(1), SealKey::from_bytes(&[0x11; 32]))
}

fn config_with(guard: Guard) -> Config {
    Config::new(
        keyring(),
        delivered::Key::from_bytes(&[0x22; 32]).unwrap(),
        device::Keyring::new(1, DeviceKey::from_bytes(&[0x33; 32]).unwrap()),
    )
    .with_guard(guard)
    .unwrap()
}

/// The default configuration.
fn config() -> Config {
    config_with(Guard::new(Totp::new()))
}

/// A throttle that never backs off and locks at `lock` failures.
fn locking_at(lock: u32) -> Guard {
    let throttle = Throttle::DEFAULT
        .with_lock_after(lock)
        .unwrap()
        .with_free_attempts(lock)
        .unwrap();
    Guard::new(Totp::new()).with_throttle(throttle)
}

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn login_binding() -> Binding<'static> {
    Binding::new(Purpose::Login, SESSION).unwrap()
}

const USER: &[u8] = b"user-1842";

fn user() -> User<'static> {
    User::new(USER).unwrap()
}

/// A user with what `with` names enrolled at `at(0)`: the record, the
/// authenticator app (if TOTP) and the backup codes (if any).
struct Enrolled {
    account: Account,
    app: Option<KeyedTotp>,
    codes: Option<ShownCodes>,
}

fn enrol(config: &Config, totp: bool, phone: bool, backup: bool, seed: u64) -> Enrolled {
    let mut rng = rng(seed);
    let mut account = Account::new();
    let mut app = None;
    if totp {
        let (uri, next) =
            account::begin_totp(config, &user(), "Example", "ana", at(0), &mut rng, &account)
                .unwrap();
        let key = config.guard().totp().key(uri.secret());
        let first = key.generate(at(0)).unwrap().to_string();
        let (c, next) = account::confirm_totp(config, &user(), &first, at(0), &next).unwrap();
        assert!(c.is_confirmed());
        account = next;
        app = Some(key);
    }
    if phone {
        let phone = Phone::new(Channel::Sms, Hint::new("**42").unwrap()).unwrap();
        let confirm = Binding::new(Purpose::ConfirmPhone, b"settings").unwrap();
        let next = account::begin_phone(phone, &account);
        let (m, next) = account::send_code(
            config,
            &confirm,
            Reason::PhoneChange,
            at(0),
            &mut rng,
            &next,
        )
        .unwrap();
        let typed = m.code().to_string();
        let (c, next) = account::confirm_phone(config, &confirm, &typed, at(0), &next).unwrap();
        assert!(c.is_confirmed());
        account = next;
    }
    let mut codes = None;
    if backup {
        let (shown, next) = account::regenerate_backup_codes(config, &mut rng, &account).unwrap();
        account = next;
        codes = Some(shown);
    }
    Enrolled {
        account,
        app,
        codes,
    }
}

/// Sends a login code at `now`.
fn send(config: &Config, now: UnixTime, seed: u64, account: &Account) -> (Message, Account) {
    account::send_code(
        config,
        &login_binding(),
        Reason::LoginStarted,
        now,
        &mut rng(seed),
        account,
    )
    .unwrap()
}

/// One login.
fn login(
    config: &Config,
    input: &str,
    now: UnixTime,
    account: &Account,
) -> (account::LoginOutcome, Account) {
    account::login(config, &user(), &login_binding(), input, now, account).unwrap()
}

/// Everything a web service shares between request tasks.
#[test]
fn the_account_types_are_send_and_sync() {
    fn shared<T: Send + Sync>() {}
    shared::<Account>();
    shared::<Config>();
    shared::<account::LoginOutcome>();
    shared::<account::Confirmation>();
    shared::<account::AccountError>();
    shared::<account::DeviceCheck>();
    shared::<account::RunError<std::io::Error, account::AccountError>>();
}
