//! Delivered-code state text and the issue / verify / log / diagnose paths.
//!
//! Input (via `arbitrary`): a state text, a few policy bytes, and up to 32
//! operations at arbitrary clock moves (forward and back): `issue` for one
//! of two login attempts over any channel and reason, `verify` with raw
//! text or the real code of a message (latest or earlier), provider
//! reports, and the diagnostic.
//!
//! Oracles: nothing panics; a text that parses prints back identically;
//! every state after every operation round-trips through its text and fits
//! `State::MAX_LEN`; a code is accepted at most once, only before its
//! expiry, and only if it is the latest message's code for that attempt (or
//! the code of a challenge already in the parsed text); a refused send
//! names a later instant and changes nothing; malformed input, expired,
//! used and dead codes leave the state unchanged.
#![no_main]

use std::collections::HashSet;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use twostep::UnixTime;
use twostep::delivered::{
    AccountThrottle, Binding, Cap, Channel, Failure, FailureKind, IssueError, Key, Outcome, Policy,
    Purpose, Reason, Report, ResendRule, State, Status, diagnose, issue, record_sent,
    record_status, verify,
};

#[derive(Arbitrary, Debug)]
enum Typed {
    Raw(String),
    Latest,
    Earlier(u8),
}

#[derive(Arbitrary, Debug)]
enum Op {
    Issue {
        attempt: bool,
        reason: u8,
        channel: u8,
    },
    Verify {
        attempt: bool,
        typed: Typed,
    },
    Report {
        back: u8,
        status: u8,
        code: Option<u32>,
    },
    Diagnose {
        report: u8,
        typed: Typed,
        throttled: Option<u32>,
    },
}

#[derive(Arbitrary, Debug)]
struct Input {
    text: String,
    policy: [u8; 6],
    start: u32,
    ops: Vec<(i32, Op)>,
}

fn policy(b: [u8; 6]) -> Policy {
    let [rule, checks, cooldown, short, long, life] = b;
    let p = Policy::DEFAULT.with_resend_rule(if rule % 2 == 0 {
        ResendRule::SameCode
    } else {
        ResendRule::NewCode
    });
    let p = p
        .with_max_checks(1 + u32::from(checks % 10))
        .expect("1..=10");
    let p = p
        .with_cooldown(time::Duration::seconds(i64::from(cooldown % 90)))
        .expect("0..90 s");
    let cap = |n: u8, unit: i64| {
        Cap::new(
            1 + u32::from(n % 10),
            time::Duration::seconds(60 + i64::from(n) * unit),
        )
    };
    let p = p
        .with_short_cap(cap(short, 7).expect("valid"))
        .with_long_cap(cap(long, 600).expect("valid"));
    p.with_lifetime(time::Duration::seconds(60 + i64::from(life) * 2))
        .expect("60..=570 s")
}

const ATTEMPTS: [&[u8]; 2] = [b"attempt-a", b"attempt-b"];

struct Run {
    p: Policy,
    key: Key,
    state: State,
    now: u64,
    /// (code, attempt, expiry, provider id) of every message issued.
    messages: Vec<(String, bool, u64, String)>,
    accepted: HashSet<(String, bool, u64)>,
    seed: u64,
}

impl Run {
    fn typed(&self, t: &Typed) -> String {
        match t {
            Typed::Raw(s) => s.clone(),
            Typed::Latest => self
                .messages
                .last()
                .map_or_else(|| "123456".into(), |m| m.0.clone()),
            Typed::Earlier(n) => {
                let len = self.messages.len();
                self.messages
                    .get(len.saturating_sub(1 + usize::from(*n)))
                    .map_or_else(|| "0".into(), |m| m.0.clone())
            }
        }
    }

    fn issue(&mut self, attempt: bool, reason: u8, channel: u8) {
        let reasons = [
            Reason::LoginStarted,
            Reason::UserResend,
            Reason::SessionReverify,
            Reason::PhoneChange,
            Reason::Recovery,
        ];
        let reason = reasons[usize::from(reason) % reasons.len()];
        let channel = [Channel::Sms, Channel::Voice, Channel::Email][usize::from(channel % 3)];
        let b = Binding::new(Purpose::Login, ATTEMPTS[usize::from(attempt)]).expect("valid");
        self.seed += 1;
        let mut rng = ChaCha20Rng::seed_from_u64(self.seed);
        let now = UnixTime::from_secs(self.now);
        match issue(
            &self.p,
            &self.key,
            &b,
            reason,
            channel,
            now,
            &mut rng,
            &self.state,
        ) {
            Ok((m, next)) => {
                assert!(channel != Channel::Email);
                let provider = format!("SM{}", m.id().get());
                self.state = record_sent(m.id(), &provider, "42", &next)
                    .expect("a fresh send is in the log");
                self.messages.push((
                    m.code().to_string(),
                    attempt,
                    m.expires_at().as_secs(),
                    provider,
                ));
            }
            Err(IssueError::TooSoon { next_send_at, .. }) => {
                assert!(next_send_at > now);
                assert_eq!(self.state.next_send_at(&self.p).0, next_send_at);
            }
            Err(IssueError::Channel { .. }) => assert_eq!(channel, Channel::Email),
            Err(IssueError::Time(_) | IssueError::Exhausted) => {}
            Err(e) => panic!("{e}"),
        }
    }

    fn verify(&mut self, attempt: bool, typed: &Typed) {
        let input = self.typed(typed);
        let b = Binding::new(Purpose::Login, ATTEMPTS[usize::from(attempt)]).expect("valid");
        let (o, next) = verify(
            &self.p,
            &self.key,
            &b,
            &input,
            UnixTime::from_secs(self.now),
            &self.state,
        );
        match o {
            Outcome::Accepted => {
                // A code of the latest message, before its expiry, once. (A
                // code for the other attempt is accepted only by a lucky
                // guess, one in 10^digits.)
                if let Some(latest) = self.messages.last() {
                    if latest.1 == attempt {
                        assert_eq!(latest.0, input, "accepted a code that is not the latest");
                    }
                    assert!(self.now < latest.2, "accepted after expiry");
                    assert!(
                        self.accepted.insert((latest.0.clone(), latest.1, latest.2)),
                        "accepted twice"
                    );
                }
            }
            Outcome::Wrong { .. } | Outcome::Superseded => {}
            _ => assert_eq!(next, self.state, "{o:?} changed the state"),
        }
        self.state = next;
    }

    fn report(&mut self, back: u8, status: u8, code: Option<u32>) {
        let len = self.messages.len();
        let Some(m) = self
            .messages
            .get(len.saturating_sub(1 + usize::from(back % 12)))
        else {
            return;
        };
        let kinds = [
            FailureKind::Unreachable,
            FailureKind::Blocked,
            FailureKind::InvalidNumber,
            FailureKind::Other,
        ];
        let f = Failure::new(kinds[usize::from(status / 8) % 4], code);
        let status = [
            Status::Queued,
            Status::Sent,
            Status::Delivered,
            Status::Failed(f),
            Status::Undelivered(f),
        ][usize::from(status) % 5];
        if let Ok(next) = record_status(&m.3, status, UnixTime::from_secs(self.now), &self.state) {
            self.state = next;
        }
    }

    fn diagnose(&mut self, report: u8, typed: &Typed, throttled: Option<u32>) {
        let input = self.typed(typed);
        let now = UnixTime::from_secs(self.now);
        let report = match report % 3 {
            0 => Report::CodeRefused {
                typed: &input,
                at: now,
            },
            1 => Report::NotReceived,
            _ => Report::Unasked,
        };
        let account = throttled.map_or(AccountThrottle::Open, |s| AccountThrottle::Throttled {
            until: UnixTime::from_secs(self.now.saturating_add(u64::from(s))),
        });
        let b = Binding::new(Purpose::Login, ATTEMPTS[0]).expect("valid");
        let (d, next) = diagnose(&self.p, &self.key, &b, report, account, now, &self.state);
        for words in [d.for_user(), d.for_support()] {
            for m in &self.messages {
                assert!(
                    !words.contains(&format!(" {} ", m.0)),
                    "a code in the diagnostic"
                );
            }
        }
        assert!(next.checks() >= self.state.checks() || next.checks() == 0);
        self.state = next;
    }
}

fn round_trip(state: &State) {
    let text = state.to_string();
    assert!(text.len() <= State::MAX_LEN);
    let again: State = text.parse().expect("a state's text parses");
    assert_eq!(&again, state);
    assert_eq!(again.to_string(), text);
}

fuzz_target!(|input: Input| {
    let parsed = input.text.parse::<State>();
    if let Ok(s) = &parsed {
        assert_eq!(s.to_string(), input.text);
    }
    let mut run = Run {
        p: policy(input.policy),
        key: Key::from_bytes(&[0x5a; 32]).expect("32 bytes"),
        state: parsed.unwrap_or_default(),
        now: 1_795_780_800 + u64::from(input.start),
        messages: Vec::new(),
        accepted: HashSet::new(),
        seed: 0,
    };
    for (dt, op) in input.ops.iter().take(32) {
        run.now = run.now.saturating_add_signed(i64::from(*dt));
        match op {
            Op::Issue {
                attempt,
                reason,
                channel,
            } => run.issue(*attempt, *reason, *channel),
            Op::Verify { attempt, typed } => run.verify(*attempt, typed),
            Op::Report { back, status, code } => run.report(*back, *status, *code),
            Op::Diagnose {
                report,
                typed,
                throttled,
            } => run.diagnose(*report, typed, *throttled),
        }
        round_trip(&run.state);
    }
});
