//! A user's life with two-step verification, on the account layer: enrol an
//! authenticator app and a phone, log in, remember the device, verify again
//! when the session expires, lose the phone, recover with a backup code,
//! get new codes. The stored record is printed after every step.
//!
//! Run it with `cargo run --example account`. The clock, the keys and the
//! random generator are fixed, so the output is the same on every run. The
//! store is a map in memory; `examples/sqlite_store.rs` is the same
//! [`Store`] for a real table.

#![expect(
    clippy::arithmetic_side_effects,
    reason = "small offsets of a fixed instant"
)]

use std::collections::HashMap;
use std::convert::Infallible;

use rand_core::SeedableRng;
use twostep::account::device::{self, DeviceId, DeviceKey, Token};
use twostep::account::reverify::{self, Action, Need, Policy, Session};
use twostep::account::seal::{KeyId, Keyring, SealKey};
use twostep::account::{self, Config, DeviceLabel, LoginOutcome, Phone, Store, User};
use twostep::delivered::{self, Binding, Channel, Hint, Purpose, Reason};
use twostep::{Totp, UnixTime};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The application's table: user id → the record's text.
#[derive(Default)]
struct Memory(HashMap<u64, String>);

impl Store for Memory {
    type Id = u64;
    type Error = Infallible;

    fn load(&mut self, id: &u64) -> std::result::Result<Option<String>, Infallible> {
        Ok(self.0.get(id).cloned())
    }

    fn swap(
        &mut self,
        id: &u64,
        old: Option<&str>,
        new: &str,
    ) -> std::result::Result<bool, Infallible> {
        let unchanged = self.0.get(id).map(String::as_str) == old;
        if unchanged {
            self.0.insert(*id, new.to_owned());
        }
        Ok(unchanged)
    }
}

/// One route: one operation under the compare-and-swap driver.
macro_rules! route {
    ($store:expr, $op:expr) => {
        account::run(&mut $store, &ID, $op).map_err(|e| e.to_string())?
    };
}

const ID: u64 = 1842;

fn show(store: &Memory, what: &str) {
    println!("\n{what}");
    println!(
        "  record: {}",
        store.0.get(&ID).map_or("(none)", String::as_str)
    );
}

fn main() -> Result<()> {
    // The keys come from a secrets store, never from the database.
    let config = Config::new(
        Keyring::new(KeyId::new(1), SealKey::from_bytes(&[0x11; 32])),
        delivered::Key::from_bytes(&[0x22; 32])?,
        device::Keyring::new(1, DeviceKey::from_bytes(&[0x33; 32])?),
    );
    let mut store = Memory::default();
    // Fixed for stable output; in production an OS-seeded CSPRNG and
    // `UnixTime::try_from(SystemTime::now())`.
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1842);
    let t0 = 1_795_780_800; // 2026-11-27T12:00:00Z
    let at = |secs: u64| UnixTime::from_secs(t0 + secs);
    let id_bytes = ID.to_be_bytes();
    let user = User::new(&id_bytes)?;

    // 1. Enrol the authenticator app: show the URI as a QR code
    //    (uri.to_qr_svg() with the `qr` feature), confirm with its first code.
    let uri = route!(store, |r| account::begin_totp(
        &config,
        &user,
        "Example",
        "ana@example.com",
        at(0),
        &mut rng,
        r
    ));
    let app = Totp::default().key(uri.secret()); // the phone's authenticator app
    show(
        &store,
        "1. TOTP enrolment begun (the secret is sealed for this user)",
    );
    let first = app.generate(at(20))?.to_string();
    let confirmed = route!(store, |r| account::confirm_totp(
        &config,
        &user,
        &first,
        at(20),
        r
    ));
    show(&store, &format!("   first code {first}: {confirmed}"));

    // 2. Enrol the phone for text messages: a code to the new number.
    let phone = Phone::new(Channel::Sms, Hint::new("**42")?)?;
    let settings = Binding::new(Purpose::ConfirmPhone, b"settings-session")?;
    let sms = route!(store, |r| {
        let r = account::begin_phone(phone, r);
        account::send_code(
            &config,
            &settings,
            Reason::PhoneChange,
            at(60),
            &mut rng,
            &r,
        )
    });
    let typed = sms.code().to_string(); // read from the SMS
    let confirmed = route!(store, |r| account::confirm_phone(
        &config,
        &settings,
        &typed,
        at(90),
        r
    ));
    show(&store, &format!("2. phone **42: {confirmed}"));

    // 3. Backup codes, shown once.
    let codes = route!(store, |r| account::regenerate_backup_codes(
        &config, &mut rng, r
    ));
    show(
        &store,
        &format!(
            "3. {} backup codes shown once; only their hashes are stored",
            codes.len()
        ),
    );

    // 4. Log in with the app, and remember this browser for 30 days.
    let session = [0x5e; 32]; // SHA-256 of the login session id
    let login = Binding::new(Purpose::Login, &session)?;
    let code = app.generate(at(120))?.to_string();
    let outcome = route!(store, |r| account::login(
        &config,
        &user,
        &login,
        &code,
        at(120),
        r
    ));
    let browser = DeviceId::generate(&mut rng);
    let label = DeviceLabel::new("Firefox on macOS")?;
    let token = route!(store, |r| account::remember_device(
        &config,
        &user,
        browser,
        label.clone(),
        at(120),
        Token::DEFAULT_LIFETIME,
        r
    ));
    let cookie = token.to_string();
    show(
        &store,
        &format!("4. login {code}: {outcome}; device remembered"),
    );

    // 5. The next day, the browser's cookie skips the second step...
    let next_day = at(120 + 86_400);
    let seen = account::check_device(&config, &user, &cookie, next_day, &account_of(&store)?);
    println!("\n5. next day, remembered device: {}", seen.is_remembered());

    // ... but the session verified yesterday is past AAL2's 24 hours: the
    // service sends a code by itself, and the log records why.
    let verified = Session::verified(at(120));
    let need = reverify::check(&Policy::AAL2, &verified, next_day, Action::Normal);
    let Need::Reverify(why) = need else {
        return Err("expected a re-verification".into());
    };
    let sms = route!(store, |r| account::send_code(
        &config,
        &login,
        why.delivered_reason(),
        next_day,
        &mut rng,
        r
    ));
    let typed = sms.code().to_string();
    let later = next_day.checked_add_signed(45).ok_or("time")?;
    let outcome = route!(store, |r| account::login(
        &config, &user, &login, &typed, later, r
    ));
    show(
        &store,
        &format!(
            "   re-verify ({}): SMS code {typed}: {outcome}",
            why.as_str()
        ),
    );

    // 6. The phone is lost: no app, no SMS. A backup code, in the same field.
    let week = at(7 * 86_400);
    let backup = codes.get(0).map(|c| c.to_string()).ok_or("no code")?;
    let wrong = "7F3K-9QXD-M2RT-0HVC-WJ8N-4BPE";
    let refused = route!(store, |r| account::login(
        &config, &user, &login, wrong, week, r
    ));
    let outcome = route!(store, |r| account::login(
        &config, &user, &login, &backup, week, r
    ));
    show(
        &store,
        &format!("6. phone lost; backup code {wrong}: {refused}; backup code #1: {outcome}"),
    );
    if let LoginOutcome::Accepted {
        backup_codes_left, ..
    } = outcome
    {
        println!("   backup codes left: {backup_codes_left:?}");
    }

    // 7. Remove the lost phone and the old app, get new backup codes: the
    //    epoch moves, so the remembered browser must verify again.
    route!(store, |r| Ok::<_, account::AccountError>((
        (),
        account::remove_totp(&account::remove_phone(r))
    )));
    let fresh = route!(store, |r| account::regenerate_backup_codes(
        &config, &mut rng, r
    ));
    drop(codes); // the old plaintext codes are wiped
    let seen = account::check_device(&config, &user, &cookie, week, &account_of(&store)?);
    show(
        &store,
        &format!(
            "7. phone and app removed, {} new backup codes; the remembered browser: {seen:?}",
            fresh.len()
        ),
    );
    Ok(())
}

/// The stored record, parsed.
fn account_of(store: &Memory) -> Result<account::Account> {
    Ok(store.0.get(&ID).ok_or("no record")?.parse()?)
}
