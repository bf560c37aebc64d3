//! The delivery diagnostic: one case per verdict, and what it must not reveal.

use time::Duration;
use twostep::UnixTime;
use twostep::delivered::{
    AccountThrottle, Binding, Diagnosis, Failure, FailureKind, MessageId, Policy, Purpose, Reason,
    Report, ResendRule, State, Status, Verdict, diagnose, record_sent, record_status, verify,
};

use crate::{at, key, login, other_code, rng, send};

fn run(state: &State, report: Report<'_>, now: UnixTime) -> (Diagnosis, State) {
    diagnose(
        &Policy::DEFAULT,
        &key(),
        &login(),
        report,
        AccountThrottle::Open,
        now,
        state,
    )
}

fn sent(provider: &str) -> (String, State) {
    let (m, s) = send(
        &Policy::DEFAULT,
        Reason::LoginStarted,
        at(0),
        &mut rng(1),
        &State::new(),
    )
    .unwrap();
    let s = record_sent(m.id(), provider, "42", &s).unwrap();
    (m.code().to_string(), s)
}

#[test]
fn a_right_code_typed_in_time_is_not_the_problem_and_is_not_used_up() {
    let (code, s) = sent("SM1");
    let (d, next) = run(
        &s,
        Report::CodeRefused {
            typed: &code,
            at: at(60),
        },
        at(120),
    );
    assert_eq!(d.verdict(), Verdict::RightInTime);
    assert_eq!(next.checks(), 1, "the diagnostic's check counts");
    assert!(
        verify(&Policy::DEFAULT, &key(), &login(), &code, at(130), &next)
            .0
            .is_accepted()
    );
    for words in [d.for_user(), d.for_support(), d.fix().to_owned()] {
        assert!(!words.contains(&code), "{words}");
    }
}

#[test]
fn typed_late_and_expired() {
    let (code, s) = sent("SM1");
    let (d, _) = run(
        &s,
        Report::CodeRefused {
            typed: &code,
            at: at(660),
        },
        at(700),
    );
    assert_eq!(
        d.verdict(),
        Verdict::TypedLate {
            late_by: Duration::minutes(1)
        }
    );
    assert!(d.for_user().contains("1 minute"));
    let (d, _) = run(
        &s,
        Report::CodeRefused {
            typed: &other_code(&code),
            at: at(660),
        },
        at(700),
    );
    assert_eq!(
        d.verdict(),
        Verdict::Expired {
            ago: Duration::minutes(1)
        }
    );
}

#[test]
fn wrong_malformed_used_and_dead_codes() {
    let (code, s) = sent("SM1");
    let (d, s2) = run(
        &s,
        Report::CodeRefused {
            typed: &other_code(&code),
            at: at(10),
        },
        at(20),
    );
    assert_eq!(d.verdict(), Verdict::WrongCode { checks_left: 4 });
    assert_eq!(s2.checks(), 1);
    let (d, s3) = run(
        &s,
        Report::CodeRefused {
            typed: "12345",
            at: at(10),
        },
        at(20),
    );
    assert_eq!((d.verdict(), s3), (Verdict::Malformed, s.clone()));
    let (_, used) = verify(&Policy::DEFAULT, &key(), &login(), &code, at(5), &s);
    assert_eq!(
        run(
            &used,
            Report::CodeRefused {
                typed: &code,
                at: at(10)
            },
            at(20)
        )
        .0
        .verdict(),
        Verdict::AlreadyUsed
    );
    let mut dead = s;
    for _ in 0..5 {
        dead = verify(
            &Policy::DEFAULT,
            &key(),
            &login(),
            &other_code(&code),
            at(5),
            &dead,
        )
        .1;
    }
    let (d, after) = run(
        &dead,
        Report::CodeRefused {
            typed: &code,
            at: at(10),
        },
        at(20),
    );
    assert_eq!(d.verdict(), Verdict::CodeChecksUsed);
    assert_eq!(after, dead);
}

#[test]
fn a_code_a_resend_replaced() {
    let p = Policy::DEFAULT.with_resend_rule(ResendRule::NewCode);
    let mut r = rng(2);
    let (first, s) = send(&p, Reason::LoginStarted, at(0), &mut r, &State::new()).unwrap();
    let (_, s) = send(&p, Reason::UserResend, at(40), &mut r, &s).unwrap();
    let typed = first.code().to_string();
    let (d, _) = diagnose(
        &p,
        &key(),
        &login(),
        Report::CodeRefused {
            typed: &typed,
            at: at(50),
        },
        AccountThrottle::Open,
        at(60),
        &s,
    );
    assert_eq!(d.verdict(), Verdict::Superseded);
    assert!(d.for_user().contains("latest message"));
}

#[test]
fn the_account_throttle_comes_first() {
    let (code, s) = sent("SM1");
    let until = at(900);
    for (account, verdict) in [
        (
            AccountThrottle::Throttled { until },
            Verdict::AccountThrottled { until },
        ),
        (AccountThrottle::Locked, Verdict::AccountLocked),
    ] {
        let (d, next) = diagnose(
            &Policy::DEFAULT,
            &key(),
            &login(),
            Report::CodeRefused {
                typed: &code,
                at: at(10),
            },
            account,
            at(20),
            &s,
        );
        assert_eq!(d.verdict(), verdict);
        assert_eq!(next, s, "nothing checked while throttled");
        assert!(d.for_user().contains("backup code"));
    }
}

#[test]
fn not_received_follows_the_delivery_log() {
    let (_, s) = sent("SM1");
    assert_eq!(
        run(&s, Report::NotReceived, at(30)).0.verdict(),
        Verdict::InTransit {
            since: Duration::seconds(30)
        }
    );
    assert_eq!(
        run(&s, Report::NotReceived, at(300)).0.verdict(),
        Verdict::NoReceipt {
            since: Duration::minutes(5)
        }
    );
    assert!(
        run(&s, Report::NotReceived, at(300))
            .0
            .for_user()
            .contains("one new code")
    );
    let delivered = record_status("SM1", Status::Delivered, at(4), &s).unwrap();
    let (d, _) = run(&delivered, Report::NotReceived, at(64));
    assert_eq!(
        d.verdict(),
        Verdict::Delivered {
            ago: Duration::minutes(1)
        }
    );
    assert!(d.for_user().contains("ending in 42") && d.for_user().contains("SIM"));
    let failure = Failure::new(FailureKind::Unreachable, Some(30_003));
    let failed = record_status("SM1", Status::Undelivered(failure), at(9), &s).unwrap();
    let (d, _) = run(&failed, Report::NotReceived, at(60));
    assert_eq!(d.verdict(), Verdict::SendFailed { failure });
    assert!(d.for_user().contains("signal") && d.for_user().contains("ending in 42"));
    assert!(
        d.for_support().contains("SM1") && d.for_support().contains("30003"),
        "{}",
        d.for_support()
    );
    let invalid = record_status(
        "SM1",
        Status::Failed(Failure::new(FailureKind::InvalidNumber, None)),
        at(9),
        &s,
    )
    .unwrap();
    assert!(
        run(&invalid, Report::NotReceived, at(60))
            .0
            .for_user()
            .contains("right number")
    );
    let (d, _) = run(&s, Report::NotReceived, at(3_600));
    assert_eq!(
        d.verdict(),
        Verdict::NoRecentCode {
            last_sent: Some(at(0))
        }
    );
}

#[test]
fn not_received_when_the_send_cap_is_reached() {
    let p = Policy::DEFAULT.with_cooldown(Duration::ZERO).unwrap();
    let mut r = rng(3);
    let mut s = State::new();
    for t in 0..5 {
        s = send(&p, Reason::UserResend, at(t), &mut r, &s).unwrap().1;
    }
    let (d, _) = diagnose(
        &p,
        &key(),
        &login(),
        Report::NotReceived,
        AccountThrottle::Open,
        at(300),
        &s,
    );
    assert_eq!(
        d.verdict(),
        Verdict::SendLimit {
            next_send_at: at(600)
        }
    );
    assert_eq!(d.next_send_at(), Some(at(600)));
}

#[test]
fn codes_the_person_did_not_ask_for() {
    let p = Policy::DEFAULT;
    let (_, auto) = send(
        &p,
        Reason::SessionReverify,
        at(0),
        &mut rng(4),
        &State::new(),
    )
    .unwrap();
    let (d, _) = run(&auto, Report::Unasked, at(600));
    assert_eq!(d.verdict(), Verdict::AutomaticReverify);
    assert!(!d.verdict().is_security_warning() && d.for_user().contains("Nothing to worry about"));
    let (_, login_state) =
        send(&p, Reason::LoginStarted, at(0), &mut rng(4), &State::new()).unwrap();
    let (d, _) = run(&login_state, Report::Unasked, at(600));
    assert_eq!(
        d.verdict(),
        Verdict::UnexpectedRequest {
            reason: Reason::LoginStarted
        }
    );
    assert!(d.verdict().is_security_warning() && d.for_user().contains("change your password"));
    let phone = Binding::new(Purpose::ConfirmPhone, b"change-1").unwrap();
    let (_, ph) = twostep::delivered::issue(
        &p,
        &key(),
        &phone,
        Reason::PhoneChange,
        twostep::delivered::Channel::Sms,
        at(0),
        &mut rng(4),
        &State::new(),
    )
    .unwrap();
    assert!(
        run(&ph, Report::Unasked, at(60))
            .0
            .for_user()
            .contains("phone number")
    );
    let (d, _) = run(&State::new(), Report::Unasked, at(0));
    assert_eq!(d.verdict(), Verdict::NotFromUs);
    assert_eq!(
        run(&auto, Report::Unasked, at(90_000)).0.verdict(),
        Verdict::NotFromUs
    );
}

#[test]
fn support_sees_the_log_but_no_code() {
    let (code, s) = sent("SMabc");
    let (d, _) = run(&s, Report::NotReceived, at(30));
    let support = d.for_support();
    assert!(
        support.contains("#0")
            && support.contains("sms")
            && support.contains("…42")
            && support.contains("SMabc"),
        "{support}"
    );
    assert!(!support.contains(&code));
    assert_eq!(d.entry().map(|e| e.id()), Some(MessageId::new(0)));
    assert!(!format!("{d:?}").contains(&code));
}

#[test]
fn support_text_reads_utc_times_and_words() {
    // T = 1_795_780_800 is 2026-11-27 12:00:00 UTC (`date -u -d @1795780800`).
    let (_, s) = sent("SM1");
    let failure = Failure::new(FailureKind::Unreachable, Some(30_003));
    let failed = record_status("SM1", Status::Undelivered(failure), at(9), &s).unwrap();
    let (d, _) = run(&failed, Report::NotReceived, at(60));
    let failed_text = d.for_support();
    assert_eq!(
        d.for_support(),
        "verdict: send failed: handset unreachable, provider error 30003; latest send #0 by sms \
         at 2026-11-27 12:00:00 UTC (login started, to …42, provider id SM1), status undelivered \
         at 2026-11-27 12:00:09 UTC; checks of the current code 0/5"
    );
    assert_eq!((d.checks(), d.max_checks()), (0, 5));
    let (d, _) = run(&s, Report::Unasked, at(3_600));
    assert!(
        d.for_support()
            .starts_with("verdict: unexpected request (login started): security warning;"),
        "{}",
        d.for_support()
    );
    // No Debug spelling of an enum anywhere in the support texts.
    for text in [failed_text, d.for_support()] {
        for word in [
            "LoginStarted",
            "Unreachable",
            "Sms",
            "Undelivered",
            "UnexpectedRequest",
        ] {
            assert!(!text.contains(word), "{text}");
        }
    }
}
