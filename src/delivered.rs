//! Delivered codes: one-time codes sent by SMS, voice call or e-mail, with
//! resend rules, expiry, check limits, send caps, a delivery log and a
//! delivery diagnostic for the support desk.
//!
//! Pure like the rest of twostep: nothing here sends a message, reads the
//! clock or draws randomness by itself. [`issue`] returns the [`Message`] to
//! hand to your SMS, voice or e-mail provider and the new [`State`];
//! [`verify`] returns an [`Outcome`] and the new state; the provider's
//! answers go into the log with [`record_sent`] and [`record_status`];
//! [`diagnose`] tells support what happened.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use rand_core::SeedableRng;
//! use twostep::delivered::{self, Binding, Channel, Issuer, Key, Outcome, Policy, Purpose, Reason, State};
//! use twostep::UnixTime;
//!
//! let key = Key::from_bytes(&[0x5a; 32])?; // from your secrets store, not the database
//! let policy = Policy::DEFAULT; // 6 digits, 10 minutes, 5 checks, 5 sends / 10 min, 10 / day
//! let session = [0x42; 32]; // SHA-256 of the login session id
//! let binding = Binding::new(Purpose::Login, &session)?;
//! let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]); // tests only (production: delivered::issue_os)
//! let now = UnixTime::from_secs(1_795_780_800); // UnixTime::try_from(SystemTime::now())?
//! let stored: State = "d1;-;-;0.0".parse()?; // users.delivered_state
//!
//! let (message, state) = delivered::issue(&policy, &key, &binding, Reason::LoginStarted, Channel::Sms, now, &mut rng, &stored)?;
//! // Store `state` with compare-and-swap, then send:
//! let text = message.sms_text(&Issuer::new("Example", "example.com")?);
//! let state = delivered::record_sent(message.id(), "SM87f3", "42", &state)?; // the provider's id, the number's last digits
//!
//! // The person types the code (your guard said they are not throttled):
//! let typed = message.code().to_string();
//! let later = UnixTime::from_secs(1_795_780_845);
//! let (outcome, state) = delivered::verify(&policy, &key, &binding, &typed, later, &state);
//! assert_eq!(outcome, Outcome::Accepted); // store `state` with CAS, then let them in
//! # let _ = (text, state);
//! # Ok(()) }
//! ```
//!
//! # The code and what is stored
//!
//! The code is HMAC-SHA-256 under a server-held [`Key`] over a domain tag,
//! the [`Purpose`], the length-prefixed attempt [`Binding`] (for example a
//! hash of the login session id) and a random 16-byte nonce drawn for each
//! new code, reduced to the policy's digits. The state stores the nonce and
//! a keyed fingerprint of the binding, never the code: a database leak alone
//! reveals no code, and the same code can be re-sent without storing it. A
//! code issued for one login attempt is wrong in any other (ASVS 5.0 6.6.2),
//! and a code for one purpose never works for another.
//!
//! # Rules the application keeps
//!
//! - **SMS and voice are restricted authenticators** (NIST SP 800-63B): offer
//!   an authenticator app or backup codes as well, and tell the person the
//!   risk of codes by phone (SIM swap, number recycling, interception). Codes
//!   sent by phone live at most 10 minutes ([`Policy::MAX_PHONE_LIFETIME`]).
//! - **E-mail is not a second factor**: [`issue`] sends e-mail codes only for
//!   [`Purpose::ConfirmAddress`] and [`Purpose::Recovery`].
//! - **SIM-swap and number-change signals are yours**: if your provider or
//!   carrier reports a recent SIM swap or port-out, do not send the code (or
//!   ask for another factor); twostep cannot see it.
//! - **One throttle per user.** The per-code check limit is here; the
//!   account-wide throttle is the same guard state that counts TOTP and
//!   backup-code failures. Check it *before* [`verify`], and record a failure
//!   in it after every outcome that is not [`Outcome::Accepted`]. Issuing a
//!   new code never resets those failures (NIST SP 800-63B), and nothing in
//!   this module touches them.
//! - **Store with compare-and-swap.** [`State`] is one text column per user.
//!   Every call returns a new state: write it with `UPDATE … WHERE state =
//!   old` and retry the whole call on a conflict, then act (send the message,
//!   let the person in). Then two concurrent checks cannot both use one
//!   code and two concurrent resends cannot both pass the caps. Store the
//!   state even when the outcome is a failure.
//! - **Rate-limit at the edge too**: the caps bound sends per user; limit
//!   sends per IP address, per destination and per country prefix as well,
//!   against SMS pumping.
//!
//! # Guarantees
//!
//! With the state stored as above, a code is accepted at most once, never at
//! or after its expiry and never after its check limit; no send passes the
//! cooldown or a cap, whatever the order of calls and however the clock
//! moves; the state's text form round-trips exactly and any other string is
//! a typed [`StateError`]. Verification compares in constant time, computes
//! no HMAC for malformed input and allocates nothing. [`Key`] and
//! [`Message`] wipe themselves on drop (best effort) and print no secret.

mod advice;
mod diagnose;
mod issue;
mod key;
mod log;
mod message;
mod policy;
mod state;
mod text;
mod verify;

pub use diagnose::{
    AccountThrottle, Diagnosis, IN_TRANSIT, Report, UNASKED_LOOKBACK, Verdict, diagnose,
};
#[cfg(feature = "getrandom")]
pub use issue::issue_os;
pub use issue::{IssueError, issue};
pub use key::{Binding, Channel, Key, KeyError, Purpose};
pub use log::{
    Entry, Failure, FailureKind, Hint, LogError, MessageId, ProviderId, Reason, Status,
    record_sent, record_status,
};
pub use message::{Email, Issuer, Message, MessageError};
pub use policy::{Cap, Policy, PolicyError, ResendRule};
pub use state::{Limit, State};
pub use text::StateError;
pub use verify::{Outcome, verify};
