//! Re-verification: when a signed-in session needs the second factor again,
//! and why.
//!
//! A [`Policy`] bounds how long a second-factor verification carries a
//! session: an overall limit from the verification, an idle limit from the
//! last activity, and a short window within which a sensitive action
//! (changing the password, the phone or the 2FA settings, showing backup
//! codes) must have been preceded by a verification. [`check`] applies it to
//! a [`Session`] and returns [`Need::Fresh`] or [`Need::Reverify`] with the
//! [`Why`]; [`Why::delivered_reason`] is the reason to record when the
//! service then sends a code by itself, so the delivery log says it was sent
//! automatically ([`Reason::is_automatic`](crate::delivered::Reason::is_automatic)).
//!
//! ```
//! # fn main() -> Result<(), twostep::account::reverify::PolicyError> {
//! use twostep::UnixTime;
//! use twostep::account::reverify::{self, Action, Need, Policy, Session, Why};
//!
//! let verified_at = UnixTime::from_secs(1_795_780_800);
//! let session = Session { verified_at, last_active: UnixTime::from_secs(1_795_780_800 + 600) };
//! let now = UnixTime::from_secs(1_795_780_800 + 1200); // 20 min after, 10 min idle
//! assert_eq!(reverify::check(&Policy::AAL2, &session, now, Action::Normal), Need::Fresh);
//! // Changing the phone number needs a verification in the last 15 minutes.
//! let need = reverify::check(&Policy::AAL2, &session, now, Action::Sensitive);
//! assert_eq!(need, Need::Reverify(Why::SensitiveAction));
//! // Stricter: AAL3 allows 15 minutes of idleness and 12 hours overall.
//! let strict = Policy::AAL3.with_max_idle(twostep::time::Duration::minutes(5))?;
//! assert_eq!(reverify::check(&strict, &session, now, Action::Normal), Need::Reverify(Why::Idle));
//! # Ok(()) }
//! ```
//!
//! # Limits and boundaries
//!
//! The presets follow NIST SP 800-63B-4, *Digital Identity Guidelines:
//! Authentication and Authenticator Management* (August 2025): its
//! *AAL2 Reauthentication* requirements (an overall timeout of no more than
//! 24 hours, an inactivity timeout of no more than 1 hour) and *AAL3
//! Reauthentication* requirements (12 hours overall, 15 minutes of
//! inactivity), applied as its *Session Management* chapter describes.
//! (Revision 3 had 12 hours and 30 minutes at AAL2.) NIST sets no number
//! for the sensitive-action window; twostep's choice is 15 minutes at AAL2
//! and 5 minutes at AAL3.
//!
//! A limit is reached *at* its duration: a session verified exactly 24
//! hours ago needs re-verification under [`Policy::AAL2`]. Verification is
//! activity: the idle time runs from the later of `verified_at` and
//! `last_active`.
//!
//! # Clocks
//!
//! Servers of one service disagree on the time by a few seconds, and clocks
//! step back. Elapsed times saturate at zero: a `verified_at` or
//! `last_active` after `now` counts as "just now", never as an error or a
//! panic. A clock far in the past keeps sessions fresh for longer, so keep
//! the servers' clocks synchronised.

mod decision;
mod policy;
#[cfg(feature = "serde")]
mod serde;

pub use decision::{Action, Need, Session, Why, check};
pub use policy::{Policy, PolicyError};
