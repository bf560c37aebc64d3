#![doc = include_str!("../README.md")]
//!
//! # Cookbook
//!
//! ## Enrol
//!
//! Generate a secret from your CSPRNG, show it once as a Key URI (and QR
//! code), and let the first code confirm the enrolment: [`Guard::check`] on a
//! fresh [`guard::State`] records the confirming step, so the same code cannot
//! then be replayed as the first login. Generate the backup codes too.
//!
//! ```
//! # fn main() -> Result<(), twostep::Error> {
//! use rand_core::SeedableRng;
//! use twostep::{Guard, KeyUri, Secret, Totp, UnixTime};
//! use twostep::guard::State as GuardState;
//! use twostep::backup::{CodeSet, Policy};
//!
//! let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]); // use an OS-seeded CSPRNG
//! let totp = Totp::default();
//! let secret = Secret::generate(&mut rng);
//! let uri = KeyUri::totp(&totp, &secret, "Example Co", "ana@example.com")?;
//! assert!(uri.to_uri_string().starts_with("otpauth://totp/Example%20Co:ana@example.com?secret="));
//! # #[cfg(feature = "qr")]
//! let svg = uri.to_qr_svg()?; // for the enrolment page; to_qr_terminal() for a CLI
//! for note in uri.compatibility() {
//!     println!("note: {note}"); // none for the defaults
//! }
//!
//! // The user types the first code from the app:
//! let now = UnixTime::from_secs(1_795_780_800);
//! let typed = totp.generate(&secret, now)?.to_string();
//! let guard = Guard::new(totp);
//! let (outcome, state) = guard.check(&secret, &typed, now, &GuardState::new())?;
//! assert!(outcome.is_accepted()); // store the secret (encrypted) and `state`
//!
//! let (codes, set) = CodeSet::generate(&Policy::DEFAULT, &mut rng)?;
//! assert_eq!(codes.len(), 10); // show `codes` once; store only `set.to_string()`
//! # let _ = (state, set);
//! # Ok(()) }
//! ```
//!
//! ## Log in
//!
//! [`Guard::check`] verifies within the window around the current step plus
//! the learned drift (and, while a drift is learned, also around the current
//! step itself, so a phone whose clock was fixed works again at once),
//! refuses replays, and throttles: a few free attempts,
//! then exponential back-off, then a hard lock well below NIST's 100. It
//! returns the outcome *and* the new state, which must be stored even when
//! the outcome is a failure.
//!
//! ```
//! # fn main() -> Result<(), twostep::Error> {
//! use twostep::{Guard, Secret, Totp, UnixTime};
//! use twostep::guard::{State as GuardState, Outcome};
//!
//! let secret = Secret::from_bytes(b"12345678901234567890")?;
//! let guard = Guard::new(Totp::default());
//! let mut state = GuardState::new();
//! let mut now = UnixTime::from_secs(1_795_780_800);
//! let mut refused = 0;
//! for guess in ["000000", "111111", "222222", "333333", "444444"] {
//!     let (outcome, next) = guard.check(&secret, guess, now, &state)?;
//!     state = next; // compare-and-swap in a real application
//!     match outcome {
//!         Outcome::Accepted(_) => unreachable!("a guess"),
//!         Outcome::Throttled { retry_after } => {
//!             refused += 1;
//!             now = now.checked_add(retry_after).ok_or(twostep::time::TimeError::OutOfRange)?;
//!         }
//!         _ => {} // Invalid: "that code is not right"
//!     }
//! }
//! assert_eq!((refused, state.failures()), (1, 4)); // throttled after three free attempts
//! # Ok(()) }
//! ```
//!
//! ## Recover with a backup code
//!
//! A backup code redeems once; the set says how many remain and when to
//! prompt for new ones, and renewal needs no 2FA reset. It shares the user's
//! throttle: ask [`Guard::recovery_blocked`] first (backup codes wait out a
//! back-off but pass the hard lock, which they are the way out of), count
//! every refusal with [`Guard::record_failure`], and end the run of failures
//! with [`guard::State::reset_failures`] when one redeems (the whole sequence
//! is in [`backup::CodeSet::redeem`]'s docs).
//!
//! ```
//! # fn main() -> Result<(), twostep::Error> {
//! use rand_core::SeedableRng;
//! use twostep::backup::{CodeSet, Policy, Redemption};
//!
//! let mut rng = rand_chacha::ChaCha20Rng::from_seed([2; 32]);
//! let policy = Policy::DEFAULT;
//! let (codes, set) = CodeSet::generate(&policy, &mut rng)?;
//! let typed = codes.get(3).map(|c| c.to_string().to_lowercase()).unwrap_or_default();
//!
//! let set = match set.redeem(&typed, &policy)? {
//!     Redemption::Redeemed { remaining, set, .. } => {
//!         assert_eq!(remaining, 9);
//!         set // store with compare-and-swap before letting the user in
//!     }
//!     other => panic!("{other:?}"),
//! };
//! assert!(matches!(set.redeem(&typed, &policy)?, Redemption::AlreadyUsed { slot: 3 }));
//! assert!(!set.needs_renewal(&policy));
//! # Ok(()) }
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
//! ## Send a code by SMS, voice or e-mail
//!
//! [`delivered::issue`] makes the message (the code is derived from a
//! server-held key and a nonce in the state, never stored), the application
//! sends it through its provider and feeds the provider's reports back with
//! [`delivered::record_sent`] and [`delivered::record_status`];
//! [`delivered::verify`] checks the typed code once, within its lifetime and
//! check limit. Gate it with [`Guard::blocked`] and count a failure with
//! [`Guard::record_failure`] as for a TOTP code. The module docs walk through
//! the whole flow, and `cargo run --example delivered_codes` tells the
//! support stories.
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
