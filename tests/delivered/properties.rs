//! Property tests over any sequence of issue, resend, verify, status
//! reports and clock changes, against a model of the rules kept by the
//! test itself: no code accepted twice, at or after its expiry or beyond its
//! check limit; the right code in time is accepted; no send within the base
//! cooldown or past a cap; a refused send changes nothing; every state
//! round-trips through its text. Then hostile state text.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;
use time::Duration;
use twostep::UnixTime;
use twostep::delivered::{
    Binding, Cap, Channel, Failure, FailureKind, Outcome, Policy, Purpose, Reason, ResendRule,
    State, Status, issue, record_sent, record_status, verify,
};
use twostep::otp::Digits;

use crate::{T, key, other_code};

#[derive(Clone, Debug)]
enum Op {
    Issue { binding: usize, reason: u8 },
    TypeLatest { binding: usize },
    TypeEarlier { back: usize },
    TypeWrong,
    TypeMalformed,
    Report { back: usize, status: u8 },
}

fn op() -> impl Strategy<Value = (i64, Op)> {
    let dt = prop_oneof![
        4 => 0i64..40,
        3 => 0i64..700,
        1 => 0i64..100_000,
        1 => -2_000i64..0,
    ];
    let op = prop_oneof![
        4 => (0usize..2, 0u8..4).prop_map(|(binding, reason)| Op::Issue { binding, reason }),
        4 => (0usize..2).prop_map(|binding| Op::TypeLatest { binding }),
        2 => (0usize..4).prop_map(|back| Op::TypeEarlier { back }),
        2 => Just(Op::TypeWrong),
        1 => Just(Op::TypeMalformed),
        2 => (0usize..4, 0u8..5).prop_map(|(back, status)| Op::Report { back, status }),
    ];
    (dt, op)
}

fn policy() -> impl Strategy<Value = Policy> {
    (
        prop::bool::ANY,
        1u32..=10,
        0i64..=60,
        (1u32..=5, 60i64..=1_200),
        (1u32..=10, 60i64..=172_800),
        60i64..=600,
        6u32..=8,
    )
        .prop_map(|(new_code, checks, cooldown, short, long, life, digits)| {
            Policy::DEFAULT
                .with_resend_rule(if new_code {
                    ResendRule::NewCode
                } else {
                    ResendRule::SameCode
                })
                .with_max_checks(checks)
                .unwrap()
                .with_cooldown(Duration::seconds(cooldown))
                .unwrap()
                .with_short_cap(Cap::new(short.0, Duration::seconds(short.1)).unwrap())
                .with_long_cap(Cap::new(long.0, Duration::seconds(long.1)).unwrap())
                .with_lifetime(Duration::seconds(life))
                .unwrap()
                .with_digits(Digits::new(digits).unwrap())
        })
}

const SESSIONS: [&[u8]; 2] = [b"session-a", b"session-b"];

/// A code as the model knows it: its text, binding and expiry, which
/// identify it (a re-sent code keeps all three).
type Id = (String, usize, u64);

struct Model {
    sends: Vec<u64>,
    /// Every message: the code it carried, and the provider id recorded.
    messages: Vec<(Id, String)>,
    current: Option<Id>,
    checks: HashMap<Id, u32>,
    accepted: HashSet<Id>,
}

fn check_issue(p: &Policy, m: &Model, now: u64) {
    for cap in [p.short_cap(), p.long_cap()] {
        let w = cap.window().whole_seconds() as u64;
        let within = m.sends.iter().filter(|&&t| t + w > now).count();
        assert!(
            within < cap.sends() as usize,
            "cap {cap:?} passed at {now}: {:?}",
            m.sends
        );
    }
    if let Some(&latest) = m.sends.iter().max() {
        assert!(
            now >= latest + p.cooldown().whole_seconds() as u64,
            "cooldown passed at {now}"
        );
    }
}

fn check_verify(p: &Policy, m: &mut Model, typed: &str, binding: usize, now: u64, o: Outcome) {
    let Some(cur) = m.current.clone() else {
        assert_eq!(o, Outcome::NoCode);
        return;
    };
    let compared = matches!(
        o,
        Outcome::Accepted | Outcome::Wrong { .. } | Outcome::Superseded
    );
    if compared {
        let n = m.checks.entry(cur.clone()).or_default();
        *n += 1;
        assert!(
            *n <= p.max_checks(),
            "check {n} of a code with {} allowed",
            p.max_checks()
        );
    }
    let right = typed == cur.0 && binding == cur.1;
    if o == Outcome::Accepted {
        assert!(right, "accepted a code that is not the current one");
        assert!(now < cur.2, "accepted at {now}, expired at {}", cur.2);
        assert!(m.accepted.insert(cur), "accepted twice");
        return;
    }
    let fresh = now < cur.2
        && !m.accepted.contains(&cur)
        && m.checks.get(&cur).copied().unwrap_or(0) < p.max_checks();
    let well_formed = !matches!(o, Outcome::Malformed(_));
    if right && well_formed && (fresh || compared) {
        panic!("the right code in time was refused: {o:?}");
    }
    if o == Outcome::Used {
        assert!(m.accepted.contains(&cur));
    }
}

fn run(p: &Policy, ops: &[(i64, Op)]) {
    let k = key();
    let mut state = State::new();
    let mut now = T;
    let mut m = Model {
        sends: vec![],
        messages: vec![],
        current: None,
        checks: HashMap::new(),
        accepted: HashSet::new(),
    };
    let mut seed = 0u8;
    for (dt, op) in ops {
        now = now.saturating_add_signed(*dt);
        let t = UnixTime::from_secs(now);
        match op {
            Op::Issue { binding, reason } => {
                let b = Binding::new(Purpose::Login, SESSIONS[*binding]).unwrap();
                let reason = [
                    Reason::LoginStarted,
                    Reason::UserResend,
                    Reason::SessionReverify,
                    Reason::PhoneChange,
                ][*reason as usize];
                seed = seed.wrapping_add(1);
                match issue(
                    p,
                    &k,
                    &b,
                    reason,
                    Channel::Sms,
                    t,
                    &mut crate::rng(seed),
                    &state,
                ) {
                    Ok((msg, next)) => {
                        check_issue(p, &m, now);
                        let id: Id = (msg.code().to_string(), *binding, msg.expires_at().as_secs());
                        let provider = format!("SM{}", m.messages.len());
                        let next = record_sent(msg.id(), &provider, "42", &next).unwrap();
                        m.sends.push(now);
                        m.messages.push((id.clone(), provider));
                        m.current = Some(id);
                        state = next;
                    }
                    Err(twostep::delivered::IssueError::TooSoon { next_send_at, .. }) => {
                        assert!(next_send_at > t);
                        assert_eq!(state.next_send_at(p).0, next_send_at);
                    }
                    Err(e) => panic!("{e}"),
                }
            }
            Op::Report { back, status } => {
                let Some((_, provider)) = m.messages.iter().rev().nth(*back).cloned() else {
                    continue;
                };
                let f = Failure::new(FailureKind::Unreachable, Some(30_003));
                let status = [
                    Status::Queued,
                    Status::Sent,
                    Status::Delivered,
                    Status::Failed(f),
                    Status::Undelivered(f),
                ][*status as usize];
                // Evicted sends are unknown; that is the only error.
                if let Ok(next) = record_status(&provider, status, t, &state) {
                    state = next;
                }
            }
            typing => {
                let (typed, binding) = match typing {
                    Op::TypeLatest { binding } => (
                        m.current.as_ref().map_or("000000".into(), |c| c.0.clone()),
                        *binding,
                    ),
                    Op::TypeEarlier { back } => {
                        let id = m.messages.iter().rev().nth(*back).map(|x| x.0.clone());
                        id.map_or(("000000".into(), 0), |id| (id.0, id.1))
                    }
                    Op::TypeWrong => (
                        m.current
                            .as_ref()
                            .map_or("000000".into(), |c| other_code(&c.0)),
                        m.current.as_ref().map_or(0, |c| c.1),
                    ),
                    _ => ("12a4".into(), 0),
                };
                let b = Binding::new(Purpose::Login, SESSIONS[binding]).unwrap();
                let (o, next) = verify(p, &k, &b, &typed, t, &state);
                check_verify(p, &mut m, &typed, binding, now, o);
                if !matches!(
                    o,
                    Outcome::Accepted | Outcome::Wrong { .. } | Outcome::Superseded
                ) {
                    assert_eq!(next, state, "{o:?} changed the state");
                }
                state = next;
            }
        }
        let text = state.to_string();
        assert!(text.len() <= State::MAX_LEN, "{} bytes", text.len());
        let back: State = text.parse().unwrap_or_else(|e| panic!("{e}: {text}"));
        assert_eq!(back, state);
        assert_eq!(back.to_string(), text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    #[test]
    fn the_rules_hold_over_any_sequence(p in policy(), ops in prop::collection::vec(op(), 1..60)) {
        run(&p, &ops);
    }

    #[test]
    fn arbitrary_text_never_panics_and_what_parses_round_trips(s in "\\PC{0,300}") {
        if let Ok(state) = s.parse::<State>() {
            prop_assert_eq!(state.to_string(), s);
        }
    }

    #[test]
    fn mutated_states_are_errors_or_exact(
        ops in prop::collection::vec(op(), 1..30),
        edits in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(&b"0123456789abcdef,;.-lurdsqfnbioevcpx"[..])), 1..4),
    ) {
        let state = build(&ops);
        let mut bytes = state.to_string().into_bytes();
        for (i, b) in edits {
            let i = i.index(bytes.len());
            bytes[i] = b;
        }
        let text = String::from_utf8(bytes).unwrap();
        if let Ok(parsed) = text.parse::<State>() {
            prop_assert_eq!(parsed.to_string(), text);
        }
    }
}

/// A state reached by running `ops` under the default policy.
fn build(ops: &[(i64, Op)]) -> State {
    let p = Policy::DEFAULT.with_cooldown(Duration::ZERO).unwrap();
    let k = key();
    let mut state = State::new();
    let mut now = T;
    for (i, (dt, op)) in ops.iter().enumerate() {
        now = now.saturating_add_signed(*dt);
        let b = Binding::new(Purpose::Login, SESSIONS[i % 2]).unwrap();
        let t = UnixTime::from_secs(now);
        state = match op {
            Op::Issue { .. } => match issue(
                &p,
                &k,
                &b,
                Reason::UserResend,
                Channel::Voice,
                t,
                &mut crate::rng(i as u8),
                &state,
            ) {
                Ok((msg, s)) => {
                    let s = record_sent(msg.id(), &format!("CA{i}"), "**42", &s).unwrap();
                    record_status(
                        &format!("CA{i}"),
                        Status::Undelivered(Failure::new(FailureKind::Blocked, Some(i as u32))),
                        t,
                        &s,
                    )
                    .unwrap()
                }
                Err(_) => state,
            },
            _ => verify(&p, &k, &b, "123456", t, &state).1,
        };
    }
    state
}
