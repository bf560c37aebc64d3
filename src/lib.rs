//! # twostep
//!
//! Server-side two-step verification: RFC 6238 TOTP and RFC 4226 HOTP with
//! asymmetric clock-skew windows that report the matched step.
//!
//! twostep is pure: it never reads the clock, the network, files or the OS
//! random source on its own. Time, randomness and stored state come in as
//! arguments; new state goes out as values.
//!
//! ```
//! # fn main() -> Result<(), twostep::Error> {
//! use twostep::{Secret, Totp, UnixTime, Window};
//!
//! let secret = Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?;
//! let totp = Totp::default(); // SHA-1, 6 digits, 30 s, T0 = 0
//! let now = UnixTime::from_secs(1_111_111_109);
//! assert_eq!(totp.generate(&secret, now)?.to_string(), "081804");
//!
//! let m = totp.verify(&secret, "081 804", now, Window::default())?;
//! assert_eq!(m.offset(), 0); // store m.step(): it must never be accepted again
//! # Ok(()) }
//! ```
//!
//! # Crate features
//!
//! - `std` (default): `TryFrom<SystemTime>` for [`UnixTime`] and `std::error::Error`
//!   impls. Without it the crate is `#![no_std]` with `alloc`.
//! - `getrandom`: [`Secret::generate_os`] on the operating system's random source.
//! - `serde`: serialisation of stored state.
//! - `qr`: QR codes for enrolment.
//!
//! # Security considerations
//!
//! - Comparisons of codes run in constant time over the whole window; the
//!   secret is wiped on drop (best effort) and never printed.
//! - A bare verification cannot refuse replays: persist the matched step.
//! - Protect stored secrets (encrypt at rest) and rate-limit at the edge.
//! - twostep trusts the time you pass in: use the server clock, never a
//!   time sent by the client.

#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;
#[cfg(test)]
extern crate std; // unit tests use std (thread_local!) in no_std builds too

mod code;
mod error;
mod hotp;
mod mac;
mod params;
mod secret;
mod totp;
mod unix_time;

pub use code::{Code, CodeError};
pub use error::{Error, ParamError, TimeError, VerifyError};
pub use hotp::{Hotp, HotpMatch, KeyedHotp};
pub use params::{Algorithm, Digits, LookAhead, Period, UnknownAlgorithm, Window};
pub use secret::{Secret, SecretError};
pub use totp::{KeyedTotp, Match, Totp};
pub use unix_time::UnixTime;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
