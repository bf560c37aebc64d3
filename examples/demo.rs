//! The whole story of a 2FA account, on a simulated service and phone:
//! enrol, log in, the support desk, a lost phone.
//!
//! Run it with `cargo run --example demo`. The seed and the clock are fixed,
//! so the output is the same on every run. Each line shows the server time,
//! what happened, and the guard state the service stores afterwards.
#![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use twostep::backup::{CodeSet, Policy, Redemption, ShownCodes};
use twostep::diagnose::{DiagnoseOptions, Observation};
use twostep::guard::{Outcome, State as GuardState};
use twostep::otp::KeyedTotp;
use twostep::{Error, Guard, KeyUri, Secret, Totp, UnixTime, diagnose};

/// The server's clock, fixed for the story: `t` seconds after 27 Nov 2026, 12:00:00 UTC.
fn at(t: u64) -> UnixTime {
    UnixTime::from_secs(1_795_780_800 + t)
}

/// The time of day of story time `t`, as hh:mm:ss.
fn time_of_day(t: u64) -> String {
    let s = at(t).as_secs() % 86_400;
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// Ana's phone: the app's copy of the secret, on a clock `offset` seconds off.
struct Phone {
    app: KeyedTotp,
    offset: i64,
}

impl Phone {
    /// The code on its screen at `t` (server time).
    fn code(&self, t: u64) -> String {
        let phone_time = at(t).checked_add_signed(self.offset).unwrap();
        self.app.generate(phone_time).unwrap().to_string()
    }
}

/// Ana's row in the users table: two text columns.
#[derive(Clone, PartialEq)]
struct Row {
    guard_state: String,
    backup_codes: String,
}

impl Row {
    fn new(guard_state: impl ToString, backup_codes: impl ToString) -> Row {
        Row {
            guard_state: guard_state.to_string(),
            backup_codes: backup_codes.to_string(),
        }
    }

    fn guard(&self) -> GuardState {
        self.guard_state.parse().unwrap()
    }
}

/// Reads the row, computes an answer and the new row, and stores it with
/// compare-and-swap (`UPDATE users SET … WHERE id = :id AND <columns> = <old>`)
/// before answering. If another request changed the row first, it tries again.
fn compare_and_swap<T>(row: &mut Row, mut step: impl FnMut(&Row) -> (T, Row)) -> T {
    loop {
        let old = row.clone();
        let (answer, new) = step(&old);
        if *row == old {
            *row = new;
            return answer;
        }
    }
}

/// The service: its policies, Ana's secret (encrypted at rest in real life), her row.
struct Service {
    guard: Guard,
    policy: Policy,
    secret: Secret,
    row: Row,
}

impl Service {
    /// A login with the app's code. Failures are stored too: they feed the throttle.
    fn login(&mut self, t: u64, what: &str, code: &str) {
        let outcome = compare_and_swap(&mut self.row, |old| {
            let (outcome, next) = self
                .guard
                .check(&self.secret, code, at(t), &old.guard())
                .unwrap();
            (outcome, Row::new(next, &old.backup_codes))
        });
        self.log(t, &format!("{what}: {}", message(&outcome)));
    }

    /// A resync: two consecutive codes re-learn the phone's clock drift.
    fn resync(&mut self, t: u64, codes: [&str; 2]) {
        let outcome = compare_and_swap(&mut self.row, |old| {
            let (outcome, next) = self
                .guard
                .resync(&self.secret, codes, at(t), &old.guard())
                .unwrap();
            (outcome, Row::new(next, &old.backup_codes))
        });
        let ([c1, c2], said) = (codes, message(&outcome));
        self.log(t, &format!("resync with {c1} and {c2}: {said}"));
    }

    /// A login with a backup code; it shares the throttle with the app's codes.
    fn redeem(&mut self, t: u64, code: &str) -> String {
        compare_and_swap(&mut self.row, |old| {
            let state = old.guard();
            // Backup codes wait out a back-off but pass the hard lock: they
            // are the way out of it.
            if let Some(blocked) = self.guard.recovery_blocked(at(t), &state) {
                let capped = self.guard.cap_back_off(at(t), &state);
                return (
                    message(&blocked.into()),
                    Row::new(capped, &old.backup_codes),
                );
            }
            let failed = Row::new(self.guard.record_failure(at(t), &state), &old.backup_codes);
            let set: CodeSet = old.backup_codes.parse().unwrap();
            match set.redeem(code, &self.policy).unwrap() {
                Redemption::Redeemed { slot, set, .. } => {
                    // Ana proved who she is: end any run of failures, as a login does.
                    let said = format!("signed in with backup code #{}", slot + 1);
                    (said, Row::new(state.reset_failures(), set))
                }
                Redemption::AlreadyUsed { slot } => {
                    (format!("code #{} was already used", slot + 1), failed)
                }
                _ => ("not one of your backup codes".into(), failed),
            }
        })
    }

    /// A new set of backup codes; the TOTP secret and guard state stay.
    fn renew(&mut self, rng: &mut ChaCha20Rng) -> ShownCodes {
        compare_and_swap(&mut self.row, |old| {
            let set: CodeSet = old.backup_codes.parse().unwrap();
            let (codes, set) = set.renew(&self.policy, rng).unwrap();
            (codes, Row::new(&old.guard_state, set))
        })
    }

    /// The support desk's diagnosis of codes that Ana reads out, each with the
    /// time it arrived: advice for her, then details for the desk. A
    /// diagnosis is an attempt like a login: it goes through the guard, and
    /// codes that confirm nothing count as failures, so the state is stored.
    fn diagnose<const N: usize>(&mut self, typed: [(&str, u64); N]) -> Result<(), Error> {
        let seen = typed.map(|(code, t)| Observation::new(code, at(t)));
        let options = DiagnoseOptions::default();
        let d = compare_and_swap(&mut self.row, |old| {
            match diagnose(&self.guard, &self.secret, &old.guard(), &seen, &options) {
                Ok((d, next)) => (Ok(d), Row::new(next, &old.backup_codes)),
                Err(e) => (Err(e), old.clone()),
            }
        })?;
        // Every code the diagnosis uses, with the time it arrived.
        let codes: Vec<String> = typed
            .iter()
            .map(|&(code, t)| format!("{code} ({})", time_of_day(t)))
            .collect();
        let last = typed.iter().map(|&(_, t)| t).max().unwrap_or(0);
        self.log(last, &format!("support diagnoses {}", codes.join(" and ")));
        note(&d.to_string());
        Ok(())
    }

    /// One line of the story: the time, what happened, the stored guard state.
    fn log(&self, t: u64, what: &str) {
        let state = self.row.guard();
        // The back-off deadline as a time of day, like the other times.
        let shown = match state.blocked_until() {
            Some(until) => {
                let (stored, _) = self.row.guard_state.rsplit_once('.').unwrap();
                let since = until.as_secs() - at(0).as_secs();
                format!("{stored}.(until {})", time_of_day(since))
            }
            None => self.row.guard_state.clone(),
        };
        println!("{}  {what:<58} {shown}", time_of_day(t));
    }

    /// The stored backup set, shortened.
    fn show_stored_set(&self) {
        let head: String = self.row.backup_codes.chars().take(60).collect();
        println!("          backup_codes = {head}…");
    }

    /// What the account page says about the backup codes.
    fn account_page(&self) {
        let set: CodeSet = self.row.backup_codes.parse().unwrap();
        let (left, all) = (set.remaining(), set.slot_count());
        let mut page = format!("Account page: {left} of {all} backup codes left.");
        if set.needs_renewal(&self.policy) {
            page.push_str(" Make new ones?");
        }
        note(&page);
    }
}

/// What the login page says.
fn message(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Accepted(m) if m.offset() == 0 => "signed in".into(),
        Outcome::Accepted(m) if m.offset() < 0 => format!("signed in ({} step late)", -m.offset()),
        Outcome::Accepted(m) => format!("signed in ({} steps ahead)", m.offset()),
        Outcome::Replayed => "already used: wait for the next code".into(),
        Outcome::Invalid | Outcome::Malformed(_) => "wrong code".into(),
        Outcome::Throttled { retry_after } => format!("too many attempts: wait {retry_after}"),
        Outcome::Locked => "locked: sign in with a backup code".into(),
        _ => "server error, try later".into(),
    }
}

/// Text under a story line, wrapped for the terminal.
fn note(text: &str) {
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            if line.len() + word.len() > 80 {
                println!("          │ {}", line.trim_end());
                line.clear();
            }
            line = line + word + " ";
        }
        println!("          │ {}", line.trim_end());
    }
}

/// Backup codes as Ana sees them, once: numbered, in groups of four.
fn show(codes: &ShownCodes) {
    let numbered = codes.iter().zip(1..).map(|(c, n)| format!("{n:>2}. {c}"));
    for pair in numbered.collect::<Vec<_>>().chunks(2) {
        note(&pair.join("     "));
    }
}

fn main() -> Result<(), Error> {
    // A fixed seed keeps the demo reproducible; a real service seeds from the OS.
    let mut rng = ChaCha20Rng::seed_from_u64(2026);
    let guard = Guard::new(Totp::default()); // ±1 step, drift up to ±10 min, throttle
    // The pepper comes from configuration, never from the database.
    let policy = Policy::DEFAULT.with_pepper(b"demo pepper: load it from config")?;

    println!("== Enrol ==");
    let secret = Secret::generate(&mut rng);
    let uri = KeyUri::totp(&guard.totp(), &secret, "Example Co", "ana@example.com")?;
    println!("The setup page shows this link and its QR code, once (both hold the secret):");
    println!("{}", *uri.to_uri_string());
    #[cfg(feature = "qr")]
    print!("{}", uri.to_qr_terminal()?);
    #[cfg(not(feature = "qr"))]
    println!("(the QR code needs the `qr` feature, on by default)");
    let scanned = KeyUri::parse(&uri.to_uri_string())?; // Ana's app scans it
    let app = guard.totp().key(scanned.secret());
    let mut phone = Phone { app, offset: 0 };

    // The first code confirms the enrolment (and its step is spent).
    let code = phone.code(5);
    let (outcome, state) = guard
        .check(&secret, &code, at(5), &GuardState::new())
        .unwrap();
    let (codes, set) = CodeSet::generate(&policy, &mut rng)?;
    let row = Row::new(state, set);
    let mut svc = Service {
        guard,
        policy,
        secret,
        row,
    };
    let said = message(&outcome);
    svc.log(5, &format!("Ana confirms with {code}: {said}"));
    println!("          (guard_state is g1.<last step>.<drift>.<failures>.<blocked until>)");
    println!("          Backup codes, shown once (the service keeps only their hashes):");
    show(&codes);
    let paper: Vec<String> = codes.iter().map(|c| c.to_string()).collect(); // Ana's print-out
    drop(codes); // wipes them from memory
    svc.show_stored_set();

    println!("\n== Log in ==");
    let code = phone.code(40);
    svc.login(40, &code, &code);
    svc.login(50, &format!("{code} again"), &code);
    // Read at 12:01:00, the first second of its step, and typed 40 s later:
    // one step behind, inside the ±1 window. (Read 25 s into its step, the
    // same delay would put it two steps behind: refused.)
    let code = phone.code(60);
    svc.login(100, &format!("{code}, read 40 s ago"), &code);
    note("The drift stays 0: a code one step late is what slow typing looks like, so it");
    note("does not move the window (codes from the future do: the phone runs ahead).");
    for guess in ["000000", "111111", "222222", "333333", "444444"] {
        svc.login(130, &format!("a guesser tries {guess}"), guess);
    }
    let code = phone.code(160);
    svc.login(160, &format!("Ana, after the back-off, {code}"), &code);

    println!("\n== Support desk ==");
    // 1. The phone's clock is 3 minutes fast. Ana reads a code at 12:05:00
    // and types it in 8 s; support asks for the next one too.
    phone.offset = 180;
    let (c1, c2) = (phone.code(300), phone.code(335));
    svc.login(308, &format!("phone 3 min fast, {c1}"), &c1);
    svc.diagnose([(&c1, 308), (&c2, 343)])?;
    svc.resync(343, [&c1, &c2]);
    let code = phone.code(400);
    svc.login(400, &code, &code);
    // Ana turns on automatic time. While a drift is stored, the guard also
    // tries the window around its own step, so her next code simply works.
    // (Codes up to 12:09:59 stay spent: the fast phone used them at 12:06:40.)
    phone.offset = 0;
    let code = phone.code(600);
    svc.login(608, &format!("clock fixed, {code}"), &code);
    note(
        "The code fits the server's own time, not the 6 steps ahead the guard had learned. \
         While a drift is stored the guard tries both, so the login works and the drift is \
         back to 0: no second resync (one with codes the fast phone spent would be refused).",
    );

    phone.offset = 5 * 3600; // 2. The phone is set to the wrong time zone.
    let (c1, c2) = (phone.code(900), phone.code(935));
    svc.login(908, &format!("phone on +5 h, {c1}"), &c1);
    svc.diagnose([(&c1, 908), (&c2, 943)])?;
    phone.offset = 0;
    let code = phone.code(960);
    svc.login(960, &format!("time zone fixed, {code}"), &code);

    // 3. Read at 12:20:20, typed 50 s later: two steps behind, past the window.
    let code = phone.code(1220);
    svc.login(1270, &format!("{code}, read 50 s ago"), &code);
    svc.diagnose([(&code, 1270)])?;

    // 4. The app shows the code of another account (another secret). A
    // diagnosis that confirms nothing counts one failed attempt per code.
    let app = svc.guard.totp().key(&Secret::generate(&mut rng));
    let other = Phone { app, offset: 0 };
    let (c1, c2) = (other.code(1500), other.code(1535));
    svc.login(1508, &format!("wrong account, {c1}"), &c1);
    svc.diagnose([(&c1, 1508), (&c2, 1543)])?;

    println!("\n== Lost phone ==");
    let mut paper = paper.iter(); // Ana signs in with her print-out
    let first = paper.next().unwrap();
    let said = svc.redeem(21_600, first);
    svc.log(21_600, &format!("{first}: {said}"));
    svc.show_stored_set();
    let said = svc.redeem(21_900, first);
    svc.log(21_900, &format!("the same code again: {said}"));
    svc.account_page();
    let mut said = String::new();
    for code in paper.by_ref().take(6) {
        said = svc.redeem(25_200, code); // on later logins
    }
    svc.log(25_200, &format!("codes #2 to #7: {said}"));
    svc.account_page();
    for code in paper {
        said = svc.redeem(28_800, code);
    }
    svc.log(28_800, &format!("codes #8 to #10: {said}"));
    svc.account_page();
    let codes = svc.renew(&mut rng);
    svc.log(28_860, "Ana makes new backup codes; two-step stays on:");
    show(&codes);
    drop(codes);
    svc.show_stored_set();
    let said = svc.redeem(28_920, first);
    svc.log(28_920, &format!("an old code: {said}"));
    let code = phone.code(29_100); // the phone turns up again
    svc.login(29_100, &format!("phone found, {code}"), &code);
    note("Same secret, same guard state: new backup codes leave the app's codes alone.");
    Ok(())
}
