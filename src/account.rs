//! The account layer: one per-user record, one `login` for every kind of
//! code, sealed secrets, remembered devices and re-verification, and the
//! compare-and-swap driver that stores it.
//!
//! - [`Account`]: everything two-step verification keeps for one user (the
//!   guard state, the TOTP enrolment with its [sealed](seal) secret, a
//!   phone, backup codes, the delivered-code state, the device epoch and
//!   the remembered devices), as one versioned text for one column.
//! - [`Config`] and [`User`]: the server's policies and keys, and the id
//!   a record is bound to.
//! - [`login`]: TOTP, delivered or backup code, decided by the input's
//!   shape, under the one throttle; [`LoginOutcome`] says what happened.
//! - Enrolment: [`begin_totp`] / [`confirm_totp`] (and
//!   [`pending_totp_uri`] to show the QR code again), [`begin_phone`] /
//!   [`send_code`] / [`confirm_phone`], [`regenerate_backup_codes`],
//!   [`disable`], [`sign_out_everywhere`], [`remember_device`] /
//!   [`check_device`] / [`forget_device`]; with feature `getrandom`,
//!   `begin_totp_os`, `send_code_os` and `regenerate_backup_codes_os` draw
//!   from the operating system.
//! - The provider's answers: [`record_sent`] / [`record_status`].
//! - The support desk: [`diagnose_totp`] (the time-sync diagnostic) and
//!   [`diagnose_delivery`], each counted on the record's throttle.
//! - [`Store`] / [`AsyncStore`] and [`run`] / [`run_async`]: the
//!   application implements load and compare-and-swap for its table; the
//!   driver retries for it.
//!
//! Every operation is pure: it takes a record and returns a new one (and
//! an outcome). A route is one call inside the driver:
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # use std::collections::HashMap;
//! # struct Memory(HashMap<u64, String>);
//! # impl twostep::account::Store for Memory {
//! #     type Id = u64;
//! #     type Error = std::convert::Infallible;
//! #     fn load(&mut self, id: &u64) -> Result<Option<String>, Self::Error> { Ok(self.0.get(id).cloned()) }
//! #     fn swap(&mut self, id: &u64, old: Option<&str>, new: &str) -> Result<bool, Self::Error> {
//! #         let same = self.0.get(id).map(String::as_str) == old;
//! #         if same { self.0.insert(*id, new.to_owned()); }
//! #         Ok(same)
//! #     }
//! # }
//! use rand_core::SeedableRng;
//! use twostep::account::{self, Config, LoginOutcome, User};
//! use twostep::account::device::{self, DeviceKey};
//! use twostep::account::seal::{KeyId, Keyring, SealKey};
//! use twostep::delivered::{self, Binding, Purpose};
//! use twostep::{Totp, UnixTime};
//!
//! let config = Config::new(
//!     Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32])), // from your secrets store
//!     delivered::Key::from_bytes(&[2; 32])?,
//!     device::Keyring::new(1, DeviceKey::from_bytes(&[3; 32])?),
//! );
//! let mut store = Memory(HashMap::new()); // your table
//! let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]); // an OS-seeded CSPRNG
//! let user = User::new(b"1842")?;
//! let now = UnixTime::from_secs(1_795_780_800);
//!
//! // Enrol: show the URI as a QR code, then confirm with the first code.
//! let uri = account::run(&mut store, &1842, |r| {
//!     account::begin_totp(&config, &user, "Example", "ana@example.com", now, &mut rng, r)
//! })?;
//! let code = Totp::default().generate(uri.secret(), now)?.to_string(); // the app shows it
//! let confirmed = account::run(&mut store, &1842, |r| account::confirm_totp(&config, &user, &code, now, r))?;
//! assert!(confirmed.is_confirmed());
//!
//! // Log in, thirty seconds later.
//! let later = UnixTime::from_secs(1_795_780_830);
//! let code = Totp::default().generate(uri.secret(), later)?.to_string();
//! let attempt = Binding::new(Purpose::Login, &[0x42; 32])?; // hash of the login session id
//! let outcome = account::run(&mut store, &1842, |r| account::login(&config, &user, &attempt, &code, later, r))?;
//! assert!(matches!(outcome, LoginOutcome::Accepted { .. }));
//! # Ok(()) }
//! ```

pub mod device;
pub mod reverify;
pub mod seal;

mod config;
mod delivery;
mod devices;
mod diagnose;
mod enrol;
mod error;
mod login;
mod outcome;
mod record;
mod store;
mod text;

pub use config::{Config, User};
pub use delivery::{record_sent, record_status};
pub use devices::{DeviceCheck, check_device, forget_device, remember_device};
pub use diagnose::{diagnose_delivery, diagnose_totp};
pub use enrol::{
    PENDING_TOTP_LIFETIME, begin_phone, begin_totp, confirm_phone, confirm_totp, disable,
    pending_totp_uri, regenerate_backup_codes, remove_phone, remove_totp, send_code,
    sign_out_everywhere, with_delivered,
};
#[cfg(feature = "getrandom")]
pub use enrol::{begin_totp_os, regenerate_backup_codes_os, send_code_os};
pub use error::AccountError;
pub use login::login;
pub use outcome::{Confirmation, LoginOutcome, Method, Refusal, UnknownName};
pub use record::{Account, DeviceLabel, Phone, RememberedDevice, TotpEnrolment};
pub use store::{AsyncStore, MAX_TRIES, RunError, Store, run, run_async};
pub use text::ParseError;

use crate::Guard;
use crate::otp::{Algorithm, Digits, Period};

/// The TOTP of stored parameters (T0 the Unix epoch).
fn totp_params(algorithm: Algorithm, digits: Digits, period: Period) -> crate::Totp {
    crate::Totp::new()
        .with_algorithm(algorithm)
        .with_digits(digits)
        .with_period(period)
}

/// The configuration's guard, on an enrolment's own TOTP parameters.
fn user_guard(config: &Config, enrolment: &TotpEnrolment) -> Guard {
    let base = config.guard();
    let guard = Guard::new(enrolment.totp())
        .with_window(base.window())
        .with_throttle(base.throttle());
    guard.with_max_drift(base.max_drift()).unwrap_or(guard)
}
