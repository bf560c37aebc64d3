#![doc = include_str!("../README.md")]
//!
//! # Cookbook
//!
//! Everything two-step verification keeps for a user is one
//! [`account::Account`] record in one text column. Each route below is one
//! call under [`account::run`], the compare-and-swap driver over the
//! application's [`account::Store`] (load the column; replace it only if it
//! is unchanged): it retries lost races and stores every new record, failures
//! included, before the route acts. `table` is that store, `config` the
//! server's [`account::Config`] (policies and keys); `examples/sqlite_store.rs`
//! is a real table, `cargo run --example account` a user's whole life. The
//! building blocks below the record ([`Guard`], [`backup::CodeSet`],
//! [`delivered`]) stay usable on their own.
//!
//! ## Enrol
//!
//! [`account::begin_totp`] draws a secret from your CSPRNG, seals it for
//! the user into the record (pending) and returns the Key URI to show once
//! as a QR code; the first code from the app confirms it
//! ([`account::confirm_totp`]) and is spent, so it cannot then be replayed
//! as the first login. Then the backup codes: shown once, stored hashed.
//!
//! ```
//! # #[cfg(feature = "account")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # use std::collections::HashMap;
//! # struct Table(HashMap<u64, String>);
//! # impl twostep::account::Store for Table {
//! #     type Id = u64;
//! #     type Error = std::convert::Infallible;
//! #     fn load(&mut self, id: &u64) -> Result<Option<String>, Self::Error> { Ok(self.0.get(id).cloned()) }
//! #     fn swap(&mut self, id: &u64, old: Option<&str>, new: &str) -> Result<bool, Self::Error> {
//! #         let same = self.0.get(id).map(String::as_str) == old;
//! #         if same { self.0.insert(*id, new.to_owned()); }
//! #         Ok(same)
//! #     }
//! # }
//! # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
//! # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
//! # let mut table = Table(HashMap::new());
//! # let user_id = 1842u64.to_be_bytes();
//! use rand_core::SeedableRng;
//! use twostep::account::{self, User};
//! use twostep::UnixTime;
//!
//! let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]); // use an OS-seeded CSPRNG
//! let user = User::new(&user_id)?; // the row's primary key: sealed secrets are bound to it
//! let now = UnixTime::from_secs(1_795_780_800);
//! let uri = account::run(&mut table, &1842, |r| {
//!     account::begin_totp(&config, &user, "Example Co", "ana@example.com", now, &mut rng, r)
//! })?;
//! assert!(uri.to_uri_string().starts_with("otpauth://totp/Example%20Co:ana@example.com?secret="));
//! # #[cfg(feature = "qr")]
//! let svg = uri.to_qr_svg()?; // for the enrolment page; to_qr_terminal() for a CLI
//!
//! // The user types the first code from the app:
//! let typed = twostep::Totp::default().generate(uri.secret(), now)?.to_string();
//! let confirmed = account::run(&mut table, &1842, |r| account::confirm_totp(&config, &user, &typed, now, r))?;
//! assert!(confirmed.is_confirmed());
//!
//! let codes = account::run(&mut table, &1842, |r| account::regenerate_backup_codes(&config, &mut rng, r))?;
//! assert_eq!(codes.len(), 10); // show them once; the record holds only their hashes
//! # Ok(()) }
//! # #[cfg(not(feature = "account"))]
//! # fn main() {}
//! ```
//!
//! ## Log in
//!
//! One input field, one call: [`account::login`] tells a TOTP code, a code
//! sent by SMS and a backup code apart by their shape and the user's
//! methods, checks it under the one throttle (a few free attempts, then
//! exponential back-off, then a hard lock well below NIST's 100), refuses
//! replays, tolerates a drifting phone clock, and says what happened.
//!
//! ```
//! # #[cfg(feature = "account")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # use std::collections::HashMap;
//! # struct Table(HashMap<u64, String>);
//! # impl twostep::account::Store for Table {
//! #     type Id = u64;
//! #     type Error = std::convert::Infallible;
//! #     fn load(&mut self, id: &u64) -> Result<Option<String>, Self::Error> { Ok(self.0.get(id).cloned()) }
//! #     fn swap(&mut self, id: &u64, old: Option<&str>, new: &str) -> Result<bool, Self::Error> {
//! #         let same = self.0.get(id).map(String::as_str) == old;
//! #         if same { self.0.insert(*id, new.to_owned()); }
//! #         Ok(same)
//! #     }
//! # }
//! # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
//! # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
//! # let mut table = Table(HashMap::new());
//! # let user_id = 1842u64.to_be_bytes();
//! # use rand_core::SeedableRng;
//! # use twostep::account::{self, User};
//! # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
//! # let user = User::new(&user_id)?;
//! # let now = twostep::UnixTime::from_secs(1_795_780_800);
//! # let uri = account::run(&mut table, &1842, |r| account::begin_totp(&config, &user, "Example Co", "ana@example.com", now, &mut rng, r))?;
//! # let app = twostep::Totp::default().key(uri.secret());
//! # let first = app.generate(now)?.to_string();
//! # account::run(&mut table, &1842, |r| account::confirm_totp(&config, &user, &first, now, r))?;
//! # let codes = account::run(&mut table, &1842, |r| account::regenerate_backup_codes(&config, &mut rng, r))?;
//! use twostep::account::{LoginOutcome, Refusal};
//! use twostep::delivered::{Binding, Purpose};
//!
//! let attempt = Binding::new(Purpose::Login, &[0x42; 32])?; // SHA-256 of the login session id
//! let mut now = twostep::UnixTime::from_secs(1_795_780_900);
//! let mut refused = 0;
//! for guess in ["000000", "111111", "222222", "333333", "444444"] {
//!     match account::run(&mut table, &1842, |r| account::login(&config, &user, &attempt, guess, now, r))? {
//!         LoginOutcome::Accepted { .. } => unreachable!("a guess"),
//!         LoginOutcome::Throttled { retry_after } => {
//!             refused += 1; // "too many attempts; try again in 30 s"
//!             now = now.checked_add(retry_after).ok_or(twostep::time::TimeError::OutOfRange)?;
//!         }
//!         outcome => assert_eq!(outcome, LoginOutcome::Refused { reason: Refusal::Wrong }),
//!     }
//! }
//! assert_eq!(refused, 1); // throttled after three free attempts
//! let code = app.generate(now)?.to_string();
//! let outcome = account::run(&mut table, &1842, |r| account::login(&config, &user, &attempt, &code, now, r))?;
//! assert!(outcome.is_accepted()); // and the failures are cleared
//! # Ok(()) }
//! # #[cfg(not(feature = "account"))]
//! # fn main() {}
//! ```
//!
//! ## Recover with a backup code
//!
//! The same call takes a backup code. It redeems once; the outcome says how
//! many remain and whether to prompt for new ones; renewal
//! ([`account::regenerate_backup_codes`]) needs no 2FA reset. Backup codes
//! share the throttle but pass the hard lock (they are the way out of it),
//! waiting out the back-off like any code.
//!
//! ```
//! # #[cfg(feature = "account")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # use std::collections::HashMap;
//! # struct Table(HashMap<u64, String>);
//! # impl twostep::account::Store for Table {
//! #     type Id = u64;
//! #     type Error = std::convert::Infallible;
//! #     fn load(&mut self, id: &u64) -> Result<Option<String>, Self::Error> { Ok(self.0.get(id).cloned()) }
//! #     fn swap(&mut self, id: &u64, old: Option<&str>, new: &str) -> Result<bool, Self::Error> {
//! #         let same = self.0.get(id).map(String::as_str) == old;
//! #         if same { self.0.insert(*id, new.to_owned()); }
//! #         Ok(same)
//! #     }
//! # }
//! # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
//! # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
//! # let mut table = Table(HashMap::new());
//! # let user_id = 1842u64.to_be_bytes();
//! # use rand_core::SeedableRng;
//! # use twostep::account::{self, User};
//! # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
//! # let user = User::new(&user_id)?;
//! # let now = twostep::UnixTime::from_secs(1_795_780_800);
//! # let uri = account::run(&mut table, &1842, |r| account::begin_totp(&config, &user, "Example Co", "ana@example.com", now, &mut rng, r))?;
//! # let app = twostep::Totp::default().key(uri.secret());
//! # let first = app.generate(now)?.to_string();
//! # account::run(&mut table, &1842, |r| account::confirm_totp(&config, &user, &first, now, r))?;
//! # let codes = account::run(&mut table, &1842, |r| account::regenerate_backup_codes(&config, &mut rng, r))?;
//! use twostep::account::{LoginOutcome, Method, Refusal};
//! use twostep::delivered::{Binding, Purpose};
//!
//! let attempt = Binding::new(Purpose::Login, &[0x42; 32])?;
//! let typed = codes.get(3).map(|c| c.to_string().to_lowercase()).unwrap_or_default();
//! let login = |table: &mut Table, input: &str| {
//!     account::run(table, &1842, |r| account::login(&config, &user, &attempt, input, now, r))
//! };
//! let expected = LoginOutcome::Accepted {
//!     method: Method::BackupCode,
//!     backup_codes_left: Some(9),
//!     renew_backup_codes: false,
//! };
//! assert_eq!(login(&mut table, &typed)?, expected);
//! assert_eq!(login(&mut table, &typed)?, LoginOutcome::Refused { reason: Refusal::Used });
//! # Ok(()) }
//! # #[cfg(not(feature = "account"))]
//! # fn main() {}
//! ```
//!
//! ## Send a code by SMS or voice
//!
//! A phone is enrolled like the app: [`account::begin_phone`] with its
//! channel and a hint for display (the record never holds the number), a
//! code sent to it with [`account::send_code`], confirmed with
//! [`account::confirm_phone`]. At login, `send_code` makes the message (the
//! code is derived from a server-held key and a nonce in the record, never
//! stored), the application sends it through its provider after the driver
//! returns, and the typed code goes to the same [`account::login`].
//!
//! ```
//! # #[cfg(feature = "account")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # use std::collections::HashMap;
//! # struct Table(HashMap<u64, String>);
//! # impl twostep::account::Store for Table {
//! #     type Id = u64;
//! #     type Error = std::convert::Infallible;
//! #     fn load(&mut self, id: &u64) -> Result<Option<String>, Self::Error> { Ok(self.0.get(id).cloned()) }
//! #     fn swap(&mut self, id: &u64, old: Option<&str>, new: &str) -> Result<bool, Self::Error> {
//! #         let same = self.0.get(id).map(String::as_str) == old;
//! #         if same { self.0.insert(*id, new.to_owned()); }
//! #         Ok(same)
//! #     }
//! # }
//! # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
//! # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
//! # let mut table = Table(HashMap::new());
//! # let user_id = 1842u64.to_be_bytes();
//! use rand_core::SeedableRng;
//! use twostep::account::{self, Method, Phone, User};
//! use twostep::delivered::{Binding, Channel, Hint, Issuer, Purpose, Reason};
//! use twostep::UnixTime;
//!
//! let mut rng = rand_chacha::ChaCha20Rng::from_seed([3; 32]);
//! let user = User::new(&user_id)?;
//! let now = UnixTime::from_secs(1_795_780_800);
//! let phone = Phone::new(Channel::Sms, Hint::new("**42")?)?;
//! let settings = Binding::new(Purpose::ConfirmPhone, b"settings-session")?;
//! let message = account::run(&mut table, &1842, |r| {
//!     account::send_code(&config, &settings, Reason::PhoneChange, now, &mut rng, &account::begin_phone(phone, r))
//! })?;
//! let typed = message.code().to_string(); // the person reads it from the SMS
//! let confirmed = account::run(&mut table, &1842, |r| account::confirm_phone(&config, &settings, &typed, now, r))?;
//! assert!(confirmed.is_confirmed());
//!
//! // A login by SMS:
//! let attempt = Binding::new(Purpose::Login, &[0x42; 32])?;
//! let later = UnixTime::from_secs(1_795_780_900);
//! let message = account::run(&mut table, &1842, |r| {
//!     account::send_code(&config, &attempt, Reason::LoginStarted, later, &mut rng, r)
//! })?;
//! let sms = message.sms_text(&Issuer::new("Example", "example.com")?); // hand it to the provider
//! let typed = message.code().to_string();
//! let outcome = account::run(&mut table, &1842, |r| account::login(&config, &user, &attempt, &typed, later, r))?;
//! assert!(matches!(outcome, account::LoginOutcome::Accepted { method: Method::Delivered, .. }));
//! # let _ = sms;
//! # Ok(()) }
//! # #[cfg(not(feature = "account"))]
//! # fn main() {}
//! ```
//!
//! ## Remember a device
//!
//! After a second step, [`account::remember_device`] returns a token for a
//! cookie, signed for the user and the record's device epoch;
//! [`account::check_device`] lets the next login skip the second step.
//! [`account::sign_out_everywhere`], new backup codes and a removed factor
//! move the epoch and revoke every token; [`account::forget_device`] one.
//! When a session has lasted too long, [`account::reverify`] says why to
//! ask again.
//!
//! ```
//! # #[cfg(feature = "account")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # use std::collections::HashMap;
//! # struct Table(HashMap<u64, String>);
//! # impl twostep::account::Store for Table {
//! #     type Id = u64;
//! #     type Error = std::convert::Infallible;
//! #     fn load(&mut self, id: &u64) -> Result<Option<String>, Self::Error> { Ok(self.0.get(id).cloned()) }
//! #     fn swap(&mut self, id: &u64, old: Option<&str>, new: &str) -> Result<bool, Self::Error> {
//! #         let same = self.0.get(id).map(String::as_str) == old;
//! #         if same { self.0.insert(*id, new.to_owned()); }
//! #         Ok(same)
//! #     }
//! # }
//! # use twostep::account::{Config, device::{self, DeviceKey}, seal::{KeyId, Keyring, SealKey}};
//! # let config = Config::new(Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), twostep::delivered::Key::from_bytes(&[2; 32])?, device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?));
//! # let mut table = Table(HashMap::new());
//! # let user_id = 1842u64.to_be_bytes();
//! use rand_core::SeedableRng;
//! use twostep::account::{self, DeviceCheck, DeviceLabel, User};
//! use twostep::account::device::{DeviceId, Token};
//! use twostep::UnixTime;
//!
//! let mut rng = rand_chacha::ChaCha20Rng::from_seed([4; 32]);
//! let user = User::new(&user_id)?;
//! let now = UnixTime::from_secs(1_795_780_800);
//! let device = DeviceId::generate(&mut rng);
//! let label = DeviceLabel::lossy("Firefox on macOS"); // from the User-Agent
//! let token = account::run(&mut table, &1842, |r| {
//!     account::remember_device(&config, &user, device, label.clone(), now, Token::DEFAULT_LIFETIME, r)
//! })?;
//! let cookie = token.to_string(); // Set-Cookie: remember=…; Secure; HttpOnly; SameSite=Lax
//!
//! let record: account::Account = table.0[&1842].parse()?;
//! assert!(account::check_device(&config, &user, &cookie, now, &record).is_remembered());
//! let record = account::sign_out_everywhere(&record);
//! assert_eq!(account::check_device(&config, &user, &cookie, now, &record), DeviceCheck::Revoked);
//! # Ok(()) }
//! # #[cfg(not(feature = "account"))]
//! # fn main() {}
//! ```
//!
//! ## Diagnose "my code says invalid"
//!
//! Feed the code(s) the user typed, with the server time each arrived, to
//! [`diagnose()`] with the user's guard state. Two codes that agree make the
//! answer firm; the diagnosis explains the cause in plain words and, within
//! the guard's bound, proposes the drift that [`Guard::resync`] records. It
//! is an attempt at the guard like a login (store the state it returns), so
//! it is safe to offer before the user is authenticated.
//!
//! ```
//! # fn main() -> Result<(), twostep::Error> {
//! use twostep::{Guard, Secret, Totp, UnixTime};
//! use twostep::diagnose::{DiagnoseOptions, Observation, Verdict};
//! use twostep::guard::State as GuardState;
//!
//! let secret = Secret::from_bytes(b"12345678901234567890")?;
//! let totp = Totp::default();
//! let guard = Guard::new(totp);
//! let phone = totp.key(&secret); // its clock runs five hours fast
//! let now = UnixTime::from_secs(1_795_780_800);
//! let fast = |t: UnixTime| t.checked_add_signed(5 * 3600).ok_or(twostep::time::TimeError::OutOfRange);
//! let earlier = now.checked_add_signed(-40).ok_or(twostep::time::TimeError::OutOfRange)?;
//! let seen = [
//!     Observation::from_code(phone.generate(fast(earlier)?)?, earlier),
//!     Observation::from_code(phone.generate(fast(now)?)?, now),
//! ];
//! let state = GuardState::new(); // the user's stored guard state
//! let (d, state) = twostep::diagnose(&guard, &secret, &state, &seen, &DiagnoseOptions::default())?;
//! assert!(matches!(d.verdict(), Verdict::TimeZoneLike { .. }));
//! println!("{d}"); // "... about 5 hours ahead ... looks like the wrong time zone ..."
//! # Ok(()) }
//! ```
//!
//!
//! # Where to go next
//!
//! Each module's page starts with its concepts and a runnable example; the
//! types the quick start needs are re-exported here. `examples/` holds one
//! small program per use and `demo`, the whole story of one account.

#![forbid(unsafe_code)]
// Unit tests (`cfg(test)`) link std for their per-thread HMAC counter (src/mac.rs);
// every other build without the `std` feature is `no_std`.
#![cfg_attr(not(any(feature = "std", test)), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;

#[cfg(feature = "account")]
#[cfg_attr(docsrs, doc(cfg(feature = "account")))]
pub mod account;
pub mod backup;
pub mod delivered;
pub mod diagnose;
mod error;
pub mod guard;
pub mod otp;
pub mod secret;
#[cfg(test)]
mod test_counter;
mod text;
pub mod time;
pub mod uri;

pub use diagnose::diagnose;
pub use error::Error;
pub use guard::Guard;
pub use otp::{Code, Hotp, Totp, Window};
pub use secret::Secret;
pub use time::UnixTime;
pub use uri::KeyUri;
