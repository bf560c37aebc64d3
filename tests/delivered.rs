//! Delivered codes (SMS, voice, e-mail): known answers computed in Python,
//! the stories end to end, the delivery log and diagnostic, property tests
//! over any sequence of operations and clock changes, hostile state text,
//! and a check that verification allocates nothing.
#![expect(unsafe_code, reason = "the counting global allocator")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

#[path = "delivered/alloc.rs"]
mod alloc;
#[path = "delivered/cases.rs"]
mod cases;
#[path = "support/counting_alloc.rs"]
mod counting_alloc;
#[path = "delivered/diagnostic.rs"]
mod diagnostic;
#[path = "delivered/kat.rs"]
mod kat;
#[path = "delivered/log.rs"]
mod log;
#[path = "delivered/properties.rs"]
mod properties;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use twostep::UnixTime;
use twostep::delivered::{
    Binding, Channel, IssueError, Key, Message, Policy, Purpose, Reason, State, issue,
};

/// 2026-11-27 12:00:00 UTC.
const T: u64 = 1_795_780_800;

fn at(offset: u64) -> UnixTime {
    UnixTime::from_secs(T + offset)
}

fn key() -> Key {
    Key::from_bytes(&[0x5a; 32]).unwrap()
}

fn rng(seed: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([seed; 32])
}

const SESSION: &[u8] = b"sha256-of-login-session-1";
const OTHER_SESSION: &[u8] = b"sha256-of-login-session-2";

fn login() -> Binding<'static> {
    Binding::new(Purpose::Login, SESSION).unwrap()
}

/// Issues an SMS login code with the default key.
fn send(
    policy: &Policy,
    reason: Reason,
    now: UnixTime,
    rng: &mut ChaCha20Rng,
    state: &State,
) -> Result<(Message, State), IssueError> {
    issue(
        policy,
        &key(),
        &login(),
        reason,
        Channel::Sms,
        now,
        rng,
        state,
    )
}

/// A code that differs from `code` in its last digit.
fn other_code(code: &str) -> String {
    let mut s = code.to_owned();
    let last = s.pop().unwrap();
    s.push(if last == '0' { '1' } else { '0' });
    s
}
