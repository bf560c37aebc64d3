//! Codes sent by SMS, told as the stories a support desk hears: a code typed
//! late, a resend carrying the same code, a resend under the new-code rule,
//! an SMS the carrier never delivered, the send cap, and two codes the
//! person did not ask for. A simulated provider stands in for the SMS API.
//!
//! Run with `cargo run --example delivered_codes`.
#![expect(
    clippy::arithmetic_side_effects,
    reason = "minutes and seconds after a fixed instant"
)]

use std::error::Error;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use twostep::UnixTime;
use twostep::delivered::{
    self, AccountThrottle, Binding, Channel, Failure, FailureKind, Issuer, Key, Message, Outcome,
    Policy, Purpose, Reason, Report, ResendRule, State, Status,
};

/// 2026-11-27 12:00:00 UTC, and minutes after it.
fn at(minutes: u64, seconds: u64) -> UnixTime {
    UnixTime::from_secs(1_795_780_800 + minutes * 60 + seconds)
}

/// What the simulated carrier does with the next message.
#[derive(Clone, Copy)]
enum Fate {
    Delivered,
    Unreachable,
    Silent,
}

/// A stand-in for the SMS provider: accepts a message, returns its id, and
/// later calls back with a status.
struct Provider {
    sent: u32,
}

impl Provider {
    fn send(&mut self, to: &str, text: &str) -> String {
        self.sent += 1;
        let id = format!("SM{:04x}", self.sent);
        println!(
            "    provider {id} -> {to}: {:?}",
            text.replace("\n\n", " / ")
        );
        id
    }
}

/// One user's row: the state column, written with compare-and-swap.
struct Row {
    state: String,
}

impl Row {
    fn load(&self) -> Result<State, Box<dyn Error>> {
        Ok(self.state.parse()?)
    }
    fn store(&mut self, old: &State, new: &State) {
        assert_eq!(
            self.state,
            old.to_string(),
            "compare-and-swap: retry on conflict"
        );
        self.state = new.to_string();
    }
}

struct Service {
    key: Key,
    policy: Policy,
    issuer: Issuer<'static>,
    provider: Provider,
    rng: ChaCha20Rng,
    row: Row,
}

impl Service {
    /// Issue, store, send, record the provider's id and the carrier's fate.
    fn send_code(
        &mut self,
        b: &Binding<'_>,
        reason: Reason,
        now: UnixTime,
        fate: Fate,
    ) -> Result<Option<Message>, Box<dyn Error>> {
        let old = self.row.load()?;
        let (message, state) = match delivered::issue(
            &self.policy,
            &self.key,
            b,
            reason,
            Channel::Sms,
            now,
            &mut self.rng,
            &old,
        ) {
            Ok(x) => x,
            Err(e) => {
                println!("    refused: {e}");
                return Ok(None);
            }
        };
        self.row.store(&old, &state);
        let id = self
            .provider
            .send("+44 7700 900042", &message.sms_text(&self.issuer));
        let state = delivered::record_sent(message.id(), &id, "42", &state)?;
        let status = match fate {
            Fate::Delivered => Some(Status::Delivered),
            Fate::Unreachable => Some(Status::Undelivered(Failure::new(
                FailureKind::Unreachable,
                Some(30_003),
            ))),
            Fate::Silent => None,
        };
        let after = match status {
            Some(s) => {
                delivered::record_status(&id, s, UnixTime::from_secs(now.as_secs() + 4), &state)?
            }
            None => delivered::record_status(
                &id,
                Status::Sent,
                UnixTime::from_secs(now.as_secs() + 1),
                &state,
            )?,
        };
        let current = self.row.load()?;
        self.row.store(&current, &after);
        Ok(Some(message))
    }

    fn type_code(
        &mut self,
        b: &Binding<'_>,
        typed: &str,
        now: UnixTime,
    ) -> Result<(), Box<dyn Error>> {
        // Here the application first asks its guard whether this user is
        // throttled, and records a failure there after every refusal.
        let old = self.row.load()?;
        let (outcome, state) = delivered::verify(&self.policy, &self.key, b, typed, now, &old);
        self.row.store(&old, &state);
        let said = match outcome {
            Outcome::Accepted => "accepted: signed in".to_owned(),
            Outcome::Expired { ago } => format!("expired {} s ago", ago.whole_seconds()),
            Outcome::Superseded => "refused: the code of an earlier message".to_owned(),
            Outcome::Wrong { checks_left } => format!("wrong, {checks_left} tries left"),
            other => format!("{other:?}"),
        };
        println!("    typed {typed} -> {said}");
        Ok(())
    }

    fn support(
        &mut self,
        b: &Binding<'_>,
        report: Report<'_>,
        now: UnixTime,
    ) -> Result<(), Box<dyn Error>> {
        let old = self.row.load()?;
        let (d, state) = delivered::diagnose(
            &self.policy,
            &self.key,
            b,
            report,
            AccountThrottle::Open,
            now,
            &old,
        );
        self.row.store(&old, &state);
        println!("    support: {}", d.for_support());
        println!("    tell them: {}", d.for_user());
        println!("    fix: {}", d.fix());
        Ok(())
    }
}

fn service(policy: Policy, seed: u8) -> Result<Service, Box<dyn Error>> {
    Ok(Service {
        key: Key::from_bytes(b"load me from the secrets store!!")?,
        policy,
        issuer: Issuer::new("Example", "example.com")?,
        provider: Provider { sent: 0 },
        rng: ChaCha20Rng::from_seed([seed; 32]), // an OS-seeded CSPRNG in production
        row: Row {
            state: State::new().to_string(),
        },
    })
}

fn main() -> Result<(), Box<dyn Error>> {
    let login = Binding::new(Purpose::Login, b"sha256(login session 1)")?;

    println!("1. A code typed late");
    let mut s = service(Policy::DEFAULT, 1)?;
    let m = s
        .send_code(&login, Reason::LoginStarted, at(0, 0), Fate::Delivered)?
        .ok_or("refused")?;
    let code = m.code().to_string();
    s.type_code(&login, &code, at(12, 0))?;
    s.support(
        &login,
        Report::CodeRefused {
            typed: &code,
            at: at(12, 0),
        },
        at(15, 0),
    )?;

    println!("\n2. A resend carries the same code: the late first SMS still works");
    let mut s = service(Policy::DEFAULT, 2)?;
    let first = s
        .send_code(&login, Reason::LoginStarted, at(0, 0), Fate::Silent)?
        .ok_or("refused")?;
    let again = s
        .send_code(&login, Reason::UserResend, at(1, 0), Fate::Delivered)?
        .ok_or("refused")?;
    println!(
        "    same code: {}, still expires at {}",
        again.is_same_code(),
        again.expires_at().as_secs()
    );
    s.type_code(&login, &first.code().to_string(), at(2, 0))?;

    println!("\n3. Under the new-code rule the old code is superseded");
    let mut s = service(Policy::DEFAULT.with_resend_rule(ResendRule::NewCode), 3)?;
    let old = s
        .send_code(&login, Reason::LoginStarted, at(0, 0), Fate::Delivered)?
        .ok_or("refused")?;
    let new = s
        .send_code(&login, Reason::UserResend, at(1, 0), Fate::Delivered)?
        .ok_or("refused")?;
    s.type_code(&login, &old.code().to_string(), at(1, 30))?;
    s.type_code(&login, &new.code().to_string(), at(1, 40))?;

    println!("\n4. The carrier never delivered the SMS");
    let mut s = service(Policy::DEFAULT, 4)?;
    s.send_code(&login, Reason::LoginStarted, at(0, 0), Fate::Unreachable)?;
    s.support(&login, Report::NotReceived, at(3, 0))?;

    println!("\n5. No delivery receipt, then the send cap");
    let mut s = service(Policy::DEFAULT, 5)?;
    s.send_code(&login, Reason::LoginStarted, at(0, 0), Fate::Silent)?;
    s.support(&login, Report::NotReceived, at(4, 0))?;
    // The person presses "resend" whenever the page allows it.
    loop {
        let (next, limit) = s.row.load()?.next_send_at(&s.policy);
        if limit == Some(delivered::Limit::LongCap) {
            println!(
                "    next send allowed at {} (the daily cap)",
                next.as_secs()
            );
            break;
        }
        s.send_code(&login, Reason::UserResend, next, Fate::Silent)?;
    }
    let last = s.row.load()?.latest().map(|e| e.at()).ok_or("no send")?;
    let now = UnixTime::from_secs(last.as_secs() + 60);
    s.send_code(&login, Reason::UserResend, now, Fate::Silent)?;
    s.support(&login, Report::NotReceived, now)?;

    println!("\n6. A code nobody asked for: the 2FA session expired");
    let mut s = service(Policy::DEFAULT, 6)?;
    let reverify = Binding::new(Purpose::Login, b"sha256(session 1, re-verification)")?;
    s.send_code(
        &reverify,
        Reason::SessionReverify,
        at(0, 0),
        Fate::Delivered,
    )?;
    s.support(&reverify, Report::Unasked, at(20, 0))?;

    println!("\n7. A code nobody asked for: a stranger's login with the password");
    let mut s = service(Policy::DEFAULT, 7)?;
    let stranger = Binding::new(Purpose::Login, b"sha256(someone else's session)")?;
    s.send_code(&stranger, Reason::LoginStarted, at(0, 0), Fate::Delivered)?;
    s.support(&stranger, Report::Unasked, at(5, 0))?;
    println!("\nstored state: {}", s.row.state);
    Ok(())
}
