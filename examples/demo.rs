//! The whole story of a 2FA account, on a simulated service and phone:
//! enrol, log in, the support desk, a lost phone, codes by SMS.
//!
//! Run it with `cargo run --example demo`. The seed and the clock are fixed,
//! so the output is the same on every run. Each line shows the server time,
//! what happened, and the guard state the service stores afterwards.
#![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use twostep::backup::{CodeSet, Policy, Redemption, ShownCodes};
use twostep::delivered::{
    self, AccountThrottle, Binding, Channel, Failure, FailureKind, Issuer, Key, Message,
    Outcome as SmsOutcome, Policy as SmsPolicy, Purpose, Reason, Report, State as SmsState, Status,
};
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

/// Ana's row in the users table: three text columns.
#[derive(Clone, PartialEq)]
struct Row {
    guard_state: String,
    backup_codes: String,
    /// Codes sent by SMS and their delivery log (`delivered::State`).
    sms_codes: String,
}

impl Row {
    fn new(guard_state: impl ToString, backup_codes: impl ToString) -> Row {
        Row {
            guard_state: guard_state.to_string(),
            backup_codes: backup_codes.to_string(),
            sms_codes: SmsState::new().to_string(),
        }
    }

    /// This row with a new guard state.
    fn with_guard(&self, guard_state: impl ToString) -> Row {
        Row {
            guard_state: guard_state.to_string(),
            ..self.clone()
        }
    }

    /// This row with a new backup set.
    fn with_backup(&self, backup_codes: impl ToString) -> Row {
        Row {
            backup_codes: backup_codes.to_string(),
            ..self.clone()
        }
    }

    /// This row with a new SMS state.
    fn with_sms(&self, sms_codes: impl ToString) -> Row {
        Row {
            sms_codes: sms_codes.to_string(),
            ..self.clone()
        }
    }

    fn guard(&self) -> GuardState {
        self.guard_state.parse().unwrap()
    }

    fn sms(&self) -> SmsState {
        self.sms_codes.parse().unwrap()
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
    sms: Sms,
}

/// What the service needs for codes by SMS: the key the codes are derived
/// from (from the secrets store, never the database), the policy, the name
/// in the text, and the SMS provider's API, simulated.
struct Sms {
    key: Key,
    policy: SmsPolicy,
    issuer: Issuer<'static>,
    rng: ChaCha20Rng,
    /// Messages the provider has accepted: its ids are `SM1`, `SM2`, …
    provider_sent: u32,
}

impl Service {
    /// A login with the app's code. Failures are stored too: they feed the throttle.
    fn login(&mut self, t: u64, what: &str, code: &str) {
        let outcome = compare_and_swap(&mut self.row, |old| {
            let (outcome, next) = self
                .guard
                .check(&self.secret, code, at(t), &old.guard())
                .unwrap();
            (outcome, old.with_guard(next))
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
            (outcome, old.with_guard(next))
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
                return (message(&blocked.into()), old.with_guard(capped));
            }
            let failed = old.with_guard(self.guard.record_failure(at(t), &state));
            let set: CodeSet = old.backup_codes.parse().unwrap();
            match set.redeem(code, &self.policy).unwrap() {
                Redemption::Redeemed { slot, set, .. } => {
                    // Ana proved who she is: end any run of failures, as a login does.
                    let said = format!("signed in with backup code #{}", slot + 1);
                    (
                        said,
                        old.with_guard(state.reset_failures()).with_backup(set),
                    )
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
            (codes, old.with_backup(set))
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
                Ok((d, next)) => (Ok(d), old.with_guard(next)),
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

    /// Issues an SMS code, stores the new state, then hands the text to the
    /// provider and records its message id and the last digits of the number.
    fn send_sms(
        &mut self,
        t: u64,
        what: &str,
        binding: &Binding<'_>,
        reason: Reason,
    ) -> Option<Message> {
        let sms = &mut self.sms;
        let issued = compare_and_swap(&mut self.row, |old| {
            let issued = delivered::issue(
                &sms.policy,
                &sms.key,
                binding,
                reason,
                Channel::Sms,
                at(t),
                &mut sms.rng,
                &old.sms(),
            );
            match issued {
                Ok((message, next)) => (Ok(message), old.with_sms(next)),
                Err(e) => (Err(e), old.clone()),
            }
        });
        let message = match issued {
            Ok(m) => m,
            Err(e) => {
                self.log(t, &format!("no SMS: {e}"));
                return None;
            }
        };
        sms.provider_sent += 1;
        let provider_id = format!("SM{}", sms.provider_sent);
        compare_and_swap(&mut self.row, |old| {
            let next = delivered::record_sent(message.id(), &provider_id, "42", &old.sms());
            ((), old.with_sms(next.unwrap()))
        });
        let code = if message.is_same_code() {
            "the same code"
        } else {
            "a new code"
        };
        self.log(t, &format!("{what}: {provider_id} sends {code}"));
        note(&message.sms_text(&self.sms.issuer).replace("\n\n", " / "));
        Some(message)
    }

    /// The provider's callback with what the carrier did with a message.
    fn sms_status(&mut self, t: u64, provider_id: &str, status: Status) {
        compare_and_swap(&mut self.row, |old| {
            let next = delivered::record_status(provider_id, status, at(t), &old.sms());
            ((), old.with_sms(next.unwrap()))
        });
    }

    /// A code typed from an SMS. It goes through the guard like the app's
    /// codes: refused unseen while throttled, and every refusal counted.
    fn type_sms(&mut self, t: u64, what: &str, binding: &Binding<'_>, code: &str) {
        let (guard, sms) = (&self.guard, &self.sms);
        let said = compare_and_swap(&mut self.row, |old| {
            let state = old.guard();
            if let Some(blocked) = guard.blocked(at(t), &state) {
                return (message(&blocked.into()), old.clone());
            }
            let (outcome, next) =
                delivered::verify(&sms.policy, &sms.key, binding, code, at(t), &old.sms());
            let (said, guard_state) = match outcome {
                SmsOutcome::Accepted if binding.purpose() == Purpose::ConfirmPhone => {
                    ("phone confirmed".into(), state)
                }
                // Ana proved who she is: end any run of failures, as a login does.
                SmsOutcome::Accepted => ("signed in".into(), state.reset_failures()),
                SmsOutcome::Expired { ago } => (
                    format!("expired {} s ago", ago.whole_seconds()),
                    guard.record_failure(at(t), &state),
                ),
                other => (
                    format!("refused ({other:?})"),
                    guard.record_failure(at(t), &state),
                ),
            };
            (said, old.with_guard(guard_state).with_sms(next))
        });
        self.log(t, &format!("{what}: {said}"));
    }

    /// What support sees in the delivery log, then the delivery diagnosis.
    fn sms_support(&mut self, t: u64, binding: &Binding<'_>, report: Report<'_>) {
        self.log(t, "Ana calls support: \"no code came\"");
        for e in self.row.sms().log() {
            let status = match (e.status(), e.status_at()) {
                (Status::Undelivered(f), Some(when)) => format!(
                    "undelivered at {} ({:?}, carrier error {})",
                    time_of_day(when.as_secs() - at(0).as_secs()),
                    f.kind(),
                    f.provider_code().unwrap_or(0)
                ),
                (Status::Delivered, Some(when)) => format!(
                    "delivered at {}",
                    time_of_day(when.as_secs() - at(0).as_secs())
                ),
                (other, _) => format!("{other:?}"),
            };
            let id = e.provider_id().map(|p| p.to_string()).unwrap_or_default();
            let hint = e.hint().map(|h| h.to_string()).unwrap_or_default();
            let why = match e.reason() {
                Reason::PhoneChange => "new phone",
                Reason::LoginStarted => "login",
                Reason::UserResend => "resend",
                Reason::SessionReverify => "re-verification",
                _ => "recovery",
            };
            let sent = time_of_day(e.at().as_secs() - at(0).as_secs());
            note(&format!("log: {sent} {why}, to …{hint}, {id}: {status}"));
        }
        let sms = &self.sms;
        let d = compare_and_swap(&mut self.row, |old| {
            let (d, next) = delivered::diagnose(
                &sms.policy,
                &sms.key,
                binding,
                report,
                AccountThrottle::Open,
                at(t),
                &old.sms(),
            );
            (d, old.with_sms(next))
        });
        note(&format!("Tell Ana: {}", d.for_user()));
        note(&format!("For support: {}", d.for_support()));
        note(&format!("Fix: {}", d.fix()));
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
    let sms = Sms {
        key: Key::from_bytes(b"demo SMS key: load it from config").unwrap(),
        policy: SmsPolicy::DEFAULT, // 6 digits, 10 min, 5 checks, 5 sends / 10 min
        issuer: Issuer::new("Example Co", "example.com").unwrap(),
        rng: ChaCha20Rng::seed_from_u64(63),
        provider_sent: 0,
    };
    let mut svc = Service {
        guard,
        policy,
        secret,
        row,
        sms,
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

    println!("\n== Codes by SMS ==");
    // Each code is bound to what it was sent for: here the hash of the
    // request or login session id.
    let add_phone =
        Binding::new(Purpose::ConfirmPhone, b"sha256(ana adds +44 7700 900042)").unwrap();
    let what = "Ana adds +44 7700 900042";
    let m = svc
        .send_sms(30_000, what, &add_phone, Reason::PhoneChange)
        .unwrap();
    svc.sms_status(30_004, "SM1", Status::Delivered);
    let code = m.code().to_string();
    svc.type_sms(30_020, &format!("she types {code}"), &add_phone, &code);
    note("SMS is a restricted authenticator (NIST SP 800-63B): the page tells Ana the risk");
    note("(SIM swap, interception) and keeps her app and backup codes on offer.");

    // A login by SMS: the first text is slow, she asks again, the first one arrives.
    let login = Binding::new(Purpose::Login, b"sha256(login session at 20:40)").unwrap();
    let what = "Ana signs in by SMS";
    let first = svc
        .send_sms(31_200, what, &login, Reason::LoginStarted)
        .unwrap();
    svc.sms_status(31_201, "SM2", Status::Sent); // the carrier is slow
    let what = "no SMS after 45 s, she asks again";
    let again = svc
        .send_sms(31_245, what, &login, Reason::UserResend)
        .unwrap();
    svc.sms_status(31_249, "SM3", Status::Delivered);
    svc.sms_status(31_299, "SM2", Status::Delivered); // the first one, late
    let expires = again.expires_at().as_secs() - at(0).as_secs();
    note(&format!(
        "Same code: {}, still valid until {} (a resend does not extend it).",
        again.is_same_code(),
        time_of_day(expires)
    ));
    let code = first.code().to_string();
    svc.type_sms(
        31_305,
        &format!("{code}, from the late first SMS"),
        &login,
        &code,
    );

    // The next login: the carrier cannot reach the phone.
    let login = Binding::new(Purpose::Login, b"sha256(login session at 21:00)").unwrap();
    svc.send_sms(32_400, "Ana signs in by SMS", &login, Reason::LoginStarted)
        .unwrap();
    let unreachable = Failure::new(FailureKind::Unreachable, Some(30_003));
    svc.sms_status(32_404, "SM4", Status::Undelivered(unreachable));
    svc.sms_support(32_580, &login, Report::NotReceived);
    let head: String = svc.row.sms_codes.chars().take(60).collect();
    println!("          sms_codes = {head}…");
    note("Stored: a random nonce per code and a keyed fingerprint of the session, never");
    note("the code (it is derived again with the key), and the last ten sends.");
    Ok(())
}
