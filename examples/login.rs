//! A login endpoint around `Guard`: enrolment confirmation, replay refusal,
//! throttling, and the compare-and-swap that keeps racing requests honest.
//!
//! Run it with `cargo run --example login`. The clock is fixed, so the
//! output is the same on every run.
#![expect(
    clippy::unwrap_used,
    reason = "an example on a fixed clock and fixed values"
)]

use twostep::guard::{Outcome, State};
use twostep::time::TimeError;
use twostep::{Guard, Secret, Totp, UnixTime};

/// Stands in for `users.guard_state`, one text column per user.
struct Db {
    guard_state: String,
}

impl Db {
    /// `UPDATE users SET guard_state = :new WHERE id = :id AND guard_state = :old`
    fn compare_and_swap(&mut self, old: &str, new: &str) -> bool {
        let won = self.guard_state == old;
        if won {
            self.guard_state = new.to_owned();
        }
        won
    }
}

/// Checks a code and persists the new state (failures too) before answering.
/// A time error (the server's clock before the TOTP's T0) is the server's
/// problem: nothing was looked at, nothing is stored.
fn login(
    db: &mut Db,
    guard: &Guard,
    secret: &Secret,
    input: &str,
    now: UnixTime,
) -> Result<Outcome, TimeError> {
    loop {
        let old = db.guard_state.clone(); // SELECT guard_state ...
        let state: State = old.parse().unwrap();
        let (outcome, next) = guard.check(secret, input, now, &state)?;
        if next == state || db.compare_and_swap(&old, &next.to_string()) {
            return Ok(outcome); // saved (or nothing to save): now act on it
        }
        // Another request changed the row first: check again against it.
    }
}

fn main() -> Result<(), twostep::Error> {
    let guard = Guard::new(Totp::default());
    let secret = Secret::from_base32("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")?;
    let phone = guard.totp().key(&secret); // the authenticator app holds the same secret
    let now = UnixTime::from_secs(1_795_780_805); // 2026-11-27T12:00:05Z
    let later = |secs| now.checked_add_signed(secs).unwrap();

    // Enrolment: the first code confirms it, and its step is recorded.
    let mut db = Db {
        guard_state: State::new().to_string(),
    };
    let first = phone.generate(now)?.to_string();
    let confirmed = login(&mut db, &guard, &secret, &first, now)?;
    println!("confirm {first}: {confirmed:?}");
    println!("stored state: {}", db.guard_state);

    // The same code at the first login, 10 s later, is a replay: refused,
    // and not counted as a failure (a double submit must not throttle).
    let again = login(&mut db, &guard, &secret, &first, later(10))?;
    println!("first login with {first} again: {again:?}");

    // The next code logs in.
    let next = phone.generate(later(30))?.to_string();
    let outcome = login(&mut db, &guard, &secret, &next, later(31))?;
    println!("login {next}: {outcome:?}");

    // Guessing: three free attempts, then back-off, then (at 10) a hard lock.
    let mut t = later(60);
    for guess in ["111111", "222222", "333333", "444444", "555555", "666666"] {
        match login(&mut db, &guard, &secret, guess, t)? {
            Outcome::Throttled { retry_after } => {
                println!("guess {guess}: refused unseen, retry after {retry_after}");
                t = t.checked_add(retry_after).unwrap(); // a patient client waits
            }
            outcome => println!("guess {guess}: {outcome:?}"),
        }
    }
    println!("stored state: {}", db.guard_state);

    // One gate for every kind of code: TOTP codes ask `blocked` (back-off
    // and lock), backup codes ask `recovery_blocked` (back-off only: they are
    // the way out of the lock; see examples/sqlite_store.rs).
    let state: State = db.guard_state.parse().unwrap();
    println!(
        "now: TOTP gate {:?}, backup-code gate {:?}",
        guard.blocked(t, &state),
        guard.recovery_blocked(t, &state)
    );
    Ok(())
}
