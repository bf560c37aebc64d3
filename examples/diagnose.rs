//! "My code says invalid": the time-sync diagnostic on a simulated phone,
//! one verdict after another. Run with `cargo run --example diagnose`.
#![allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]

use twostep::diagnose::{DiagnoseOptions, Observation, diagnose};
use twostep::guard::State as GuardState;
use twostep::{Error, Guard, Secret, Totp, UnixTime};

/// What the user types: the code a phone whose clock is `clock_offset`
/// seconds off shows at `read` (server seconds), arriving `typing` seconds later.
fn typed(
    totp: &Totp,
    secret: &Secret,
    clock_offset: i64,
    read: u64,
    typing: u64,
) -> Result<Observation<'static>, Error> {
    let phone_time = UnixTime::from_secs(read.saturating_add_signed(clock_offset));
    let code = totp.generate(secret, phone_time)?;
    Ok(Observation::from_code(
        code,
        UnixTime::from_secs(read + typing),
    ))
}

fn main() -> Result<(), Error> {
    let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?; // the account's stored secret
    let totp = Totp::default();
    let guard = Guard::new(totp); // ±1 window, drift bound ±10 min, lock after 10 failures
    let options = DiagnoseOptions::default(); // ±26 h search
    let now = 1_790_000_005; // server time: in a real app, read the clock at the call site
    // Each case: a title, the phone's clock offset (s), the typing time (s) and how many codes.
    let cases: [(&str, i64, u64, usize); 8] = [
        ("in sync", 2, 6, 1),
        ("typed after the code expired", 0, 55, 1),
        ("clock 4 minutes ahead: resync proposed", 240, 8, 2),
        ("clock 25 minutes behind", -1_500, 8, 2),
        ("daylight saving not applied", 3_600, 8, 2),
        ("AM/PM swapped", -12 * 3_600 + 30, 8, 2),
        (
            "one code, 5 h 30 min off: reads as no match, ask for another",
            19_800,
            8,
            1,
        ),
        ("the date one day off", 86_400, 8, 2),
    ];
    for (title, offset, typing, codes) in cases {
        let first = typed(&totp, &secret, offset, now, typing)?;
        let second = typed(&totp, &secret, offset, now + 45, typing)?;
        // Each case is a fresh user; the returned state is what to store.
        let state = GuardState::new();
        let (d, next) = diagnose(&guard, &secret, &state, &[first, second][..codes], &options)?;
        let cost = next.failures() - state.failures();
        println!(
            "== {title}: {:?}, {cost} failed attempt(s)\n{d}\n",
            d.verdict()
        );
    }

    // Replayed: the guard already accepted this step (its stored state says so).
    let code = typed(&totp, &secret, 0, now, 3)?;
    let last = totp.step_at(UnixTime::from_secs(now))?;
    let used: GuardState = format!("g1.{last}.0.0.-").parse()?;
    let (d, _) = diagnose(&guard, &secret, &used, &[code], &options)?;
    println!("== already used: {:?}\n{d}\n", d.verdict());
    // No match: the app holds another account's secret. Two failed attempts.
    let other = Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?;
    let wrong = [
        typed(&totp, &other, 0, now, 5)?,
        typed(&totp, &other, 0, now + 45, 5)?,
    ];
    let (d, state) = diagnose(&guard, &secret, &GuardState::new(), &wrong, &options)?;
    println!("== wrong account: {:?}, state {state}\n{d}\n", d.verdict());
    // Codes that disagree (one typed from another clock) read as no match too.
    let mixed = [
        typed(&totp, &secret, 0, now, 5)?,
        typed(&totp, &secret, 7_200, now + 45, 5)?,
    ];
    let (d, state) = diagnose(&guard, &secret, &state, &mixed, &options)?;
    println!("== codes disagree: {:?}, state {state}\n{d}\n", d.verdict());
    // The guard's back-off holds for diagnoses as for logins: nothing is looked at.
    let (d, _) = diagnose(&guard, &secret, &state, &wrong, &options)?;
    println!("== throttled: {:?}\n{d}\n", d.verdict());
    // Malformed: not a code at all. No search runs, nothing is counted.
    let t = UnixTime::from_secs(now);
    let typo = [Observation::new("12345O", t)];
    let (d, _) = diagnose(&guard, &secret, &GuardState::new(), &typo, &options)?;
    println!("== not a code: {:?}\n{d}", d.verdict());
    Ok(())
}
