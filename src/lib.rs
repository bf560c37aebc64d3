//! # twostep
//!
//! Server-side two-step verification for Rust services: RFC 6238 TOTP and
//! RFC 4226 HOTP verified over asymmetric clock-skew windows that report the
//! matched step; a [`Guard`] that refuses replays, learns clock drift and
//! throttles guessing; hashed one-time [backup codes](backup::CodeSet); a
//! [time-sync diagnostic](diagnose()) that tells a support desk *why* a code
//! fails; and `otpauth://` [Key URIs](KeyUri) with QR codes.
//!
//! twostep is pure: it never reads the clock, the network, files or the OS
//! random source on its own. Time, randomness and stored state come in as
//! arguments; new state goes out as values that the application stores.
//!
//! ```
//! # fn main() -> Result<(), twostep::Error> {
//! use twostep::{Guard, Secret, Totp, UnixTime};
//! use twostep::guard::{State as GuardState, Outcome};
//!
//! let secret = Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?; // from your database
//! let guard = Guard::new(Totp::default()); // SHA-1, 6 digits, 30 s, window ±1
//! let now = UnixTime::from_secs(1_111_111_109); // UnixTime::try_from(SystemTime::now())?
//! let stored = GuardState::new().to_string(); // users.guard_state
//!
//! let (outcome, next) = guard.check(&secret, "081 804", now, &stored.parse()?)?;
//! // Persist `next` with compare-and-swap (even on failure), then act on `outcome`.
//! assert!(matches!(outcome, Outcome::Accepted(_)));
//! let (again, _) = guard.check(&secret, "081804", now, &next)?;
//! assert!(matches!(again, Outcome::Replayed)); // RFC 6238 §5.2: once only
//! # Ok(()) }
//! ```
//!
//! # Cookbook
//!
//! ## Enrol
//!
//! Generate a secret from your CSPRNG, show it once as a Key URI (and QR
//! code), and let the first code confirm the enrolment: [`Guard::check`] on a
//! fresh [`GuardState`] records the confirming step, so the same code cannot
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
//! prompt for new ones, and renewal needs no 2FA reset. Failures should feed
//! the same throttle ([`Guard::record_failure`]).
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
//! [`diagnose()`]. Two codes make the answer firm; the diagnosis explains the
//! cause in plain words and, within the guard's bound, proposes the drift
//! that [`Guard::resync`] records.
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
//! # Storing state
//!
//! twostep keeps no state of its own: the secret, the [`GuardState`] and the
//! [`backup::CodeSet`] are values the application stores, each with a stable
//! text form. Every change produces a new value; write it with
//! compare-and-swap, so that two concurrent requests cannot both spend one
//! code:
//!
//! ```sql
//! UPDATE users SET guard_state = :new WHERE id = :id AND guard_state = :old
//! ```
//!
//! Zero rows updated means another request won: read the row again and
//! re-check (the code then shows as `Replayed`), or reject. This prevents the
//! two classic mistakes:
//!
//! - **Writing state only on success.** The throttle's failure count then
//!   never grows, and guessing is unlimited. Persist the state the guard
//!   returns on *every* outcome.
//! - **Read-modify-write without a condition.** Two requests read the same
//!   state, both accept the same code (or redeem the same backup code), and
//!   the last write wins. The `AND guard_state = :old` condition makes the
//!   second one fail.
//!
//! Skip the write only when the state did not change (throttled or locked
//! attempts). A redeemed backup code is stored in one statement conditional
//! on both `backup_set` and `guard_state`, because the redemption also clears
//! the failure count ([`GuardState::reset_failures`]) and the guard state
//! alone may come out unchanged.
//!
//! `examples/sqlite_store.rs` is the reference implementation with SQLite
//! (enrolment, login, backup codes, bounded retry), and `tests/concurrency.rs`
//! races it from 8 threads for 200 rounds per scenario; a negative control
//! without the condition spends one code twice.
//!
//! # Crate features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `std` | yes | `TryFrom<SystemTime>` for [`UnixTime`]. Without it the crate is `#![no_std]` with `alloc`, and everything else works. |
//! | `qr` | yes | `KeyUri::to_qr_svg` and `KeyUri::to_qr_terminal` (implies `std`: the `qrcode` crate needs it). |
//! | `serde` | no | `Serialize`/`Deserialize` for [`GuardState`] and [`backup::CodeSet`], through their text forms. |
//! | `getrandom` | no | `Secret::generate_os` on the operating system's random source. |
//!
//! # Security considerations
//!
//! What twostep does:
//!
//! - Compares codes with `subtle` over the whole window with no early exit,
//!   and backup codes against every slot; a rejection says only *malformed*,
//!   *invalid*, *replayed* or *throttled*.
//! - Wipes secrets, keyed HMAC states and plaintext backup codes on drop
//!   (best effort: copies made by the compiler, the allocator or the OS are
//!   out of reach) and never prints them in `Debug` or error messages.
//! - Checks all step and time arithmetic: a time before T0, a counter at
//!   `u64::MAX` or a window edge at step 0 gives a typed error or is skipped,
//!   never a wrapped value.
//! - Stores backup codes only as salted hashes (HMAC-SHA-256 at ≥ 112 bits,
//!   PBKDF2 below), with an optional pepper.
//!
//! What the caller must do:
//!
//! - **Persist state atomically** with compare-and-swap, on every outcome
//!   (see [Storing state](#storing-state)).
//! - **Protect the stored secrets**: encrypt them at rest with a key held
//!   outside the database; keep the backup-code pepper outside it too.
//! - **Rate-limit at the edge** as well: the guard throttles per user, not
//!   per IP address or across accounts.
//! - **Trust only the server clock**: pass the server's time, never a time
//!   the client sends.
//! - Treat a [`Diagnosis`] as advice for support, never as a login.
//!
//! What twostep does not promise: protection against an attacker who can
//! read the server's memory or the stored secrets, timing guarantees beyond
//! the comparisons and truncation named above (the hash crates' own
//! constant-time properties apply), or phishing resistance (TOTP can be
//! relayed in real time; offer WebAuthn where that matters).

#![forbid(unsafe_code)]
// Unit tests (`cfg(test)`) link std for their per-thread HMAC counter (src/mac.rs);
// every other build without the `std` feature is `no_std`.
#![cfg_attr(not(any(feature = "std", test)), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;

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

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
