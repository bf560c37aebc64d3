//! The serde form of outcomes, verdicts and diagnoses (feature `serde`): the
//! JSON of each type, written out by hand here, is the stable contract that
//! an API returns and a UI translates. Nothing here may carry a code, a key
//! or a hash.
#![cfg(feature = "serde")]
#![expect(clippy::unwrap_used, reason = "test code: known data")]

use rand_core::SeedableRng;
use serde_json::{Value, json};
use time::Duration;
use twostep::backup::{CodeSet, Policy as BackupPolicy, Redemption};
use twostep::delivered::{
    self, AccountThrottle, Binding, Channel, Failure, FailureKind, IssueError, Key, Limit,
    Outcome as DeliveredOutcome, Policy, Purpose, Reason, Report, State, Status,
    Verdict as DeliveredVerdict,
};
use twostep::diagnose::{
    DiagnoseOptions, LateCause, Observation, ResyncAdvice, Verdict, ZoneHint, diagnose,
};
use twostep::guard::{Blocked, Outcome, State as GuardState, Throttle};
use twostep::otp::CodeError;
use twostep::time::TimeError;
use twostep::{Guard, Secret, Totp, UnixTime};

fn to_json<T: serde::Serialize>(value: T) -> Value {
    serde_json::to_value(value).unwrap()
}

fn rfc_secret() -> Secret {
    Secret::from_bytes(b"12345678901234567890").unwrap()
}

#[test]
fn unix_time_is_seconds_and_round_trips() {
    let t = UnixTime::from_secs(1_795_780_800);
    assert_eq!(serde_json::to_string(&t).unwrap(), "1795780800");
    assert_eq!(serde_json::from_str::<UnixTime>("1795780800").unwrap(), t);
    for secs in [0, 1, u64::MAX] {
        let t = UnixTime::from_secs(secs);
        let text = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<UnixTime>(&text).unwrap(), t);
    }
    assert!(serde_json::from_str::<UnixTime>("-1").is_err());
    assert!(serde_json::from_str::<UnixTime>("\"1795780800\"").is_err());
}

#[test]
fn guard_outcomes() {
    let guard = Guard::new(Totp::new());
    let secret = rfc_secret();
    let now = UnixTime::from_secs(59); // RFC 6238: 287082 at 59 s, step 1
    let (accepted, state) = guard
        .check(&secret, "287082", now, &GuardState::new())
        .unwrap();
    assert_eq!(
        to_json(accepted),
        json!({"kind": "accepted", "step": 1, "offset": 0})
    );
    let (replayed, _) = guard.check(&secret, "287082", now, &state).unwrap();
    assert_eq!(to_json(replayed), json!({"kind": "replayed"}));
    let (malformed, _) = guard.check(&secret, "28708x", now, &state).unwrap();
    assert_eq!(
        to_json(malformed),
        json!({"kind": "malformed", "error": {"kind": "invalid_character", "position": 5}})
    );
    let table = [
        (Outcome::Invalid, json!({"kind": "invalid"})),
        (
            Outcome::Throttled {
                retry_after: Duration::seconds(30),
            },
            json!({"kind": "throttled", "retry_after": 30}),
        ),
        (Outcome::Locked, json!({"kind": "locked"})),
    ];
    for (outcome, expected) in table {
        assert_eq!(to_json(outcome), expected);
    }
    assert!(!serde_json::to_string(&accepted).unwrap().contains("287082"));
}

#[test]
fn throttle_facts_and_code_errors() {
    assert_eq!(
        to_json(Throttle::DEFAULT.after(4)),
        json!({"kind": "throttled", "retry_after": 30})
    );
    assert_eq!(
        to_json(Throttle::DEFAULT.after(10)),
        json!({"kind": "locked"})
    );
    assert_eq!(to_json(Throttle::DEFAULT.after(3)), Value::Null);
    let wrong = twostep::Code::parse("12", twostep::otp::Digits::SIX).unwrap_err();
    assert_eq!(
        to_json(wrong),
        json!({"kind": "wrong_length", "expected": 6, "found": 2})
    );
    let long = twostep::Code::parse(&"1".repeat(300), twostep::otp::Digits::SIX).unwrap_err();
    assert!(matches!(long, CodeError::TooLong { .. }));
    assert_eq!(to_json(long)["kind"], "too_long");
    assert_eq!(
        to_json(TimeError::BeforeEpoch),
        json!({"kind": "before_epoch"})
    );
    assert_eq!(
        to_json(TimeError::OutOfRange),
        json!({"kind": "out_of_range"})
    );
}

#[test]
fn redemptions_leave_the_set_out() {
    let policy = BackupPolicy::DEFAULT;
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([4; 32]);
    let (codes, set) = CodeSet::generate(&policy, &mut rng).unwrap();
    let typed = codes.get(3).unwrap().to_string();
    let redeemed = set.redeem(&typed, &policy).unwrap();
    let text = serde_json::to_string(&redeemed).unwrap();
    // The set's storage string holds the hashes: an API response must not.
    assert_eq!(
        to_json(&redeemed),
        json!({"kind": "redeemed", "slot": 3, "remaining": 9})
    );
    assert!(!text.contains("twostep-bc") && !text.contains(&typed));
    let table = [
        (
            Redemption::AlreadyUsed { slot: 3 },
            json!({"kind": "already_used", "slot": 3}),
        ),
        (Redemption::Invalid, json!({"kind": "invalid"})),
        (Redemption::Malformed, json!({"kind": "malformed"})),
    ];
    for (r, expected) in table {
        assert_eq!(to_json(r), expected);
    }
}

fn delivered_setup() -> (Key, Binding<'static>) {
    (
        Key::from_bytes(&[0x5a; 32]).unwrap(),
        Binding::new(Purpose::Login, b"session").unwrap(),
    )
}

#[test]
fn delivered_outcomes() {
    let (key, binding) = delivered_setup();
    let policy = Policy::DEFAULT;
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([9; 32]);
    let t = UnixTime::from_secs(1_795_780_800);
    let (m, state) = delivered::issue(
        &policy,
        &key,
        &binding,
        Reason::LoginStarted,
        Channel::Sms,
        t,
        &mut rng,
        &State::new(),
    )
    .unwrap();
    let code = m.code().to_string();
    let (o, _) = delivered::verify(&policy, &key, &binding, "12", t, &state);
    assert_eq!(
        to_json(o),
        json!({"kind": "malformed", "error": {"kind": "wrong_length", "expected": 6, "found": 2}})
    );
    let (o, _) = delivered::verify(&policy, &key, &binding, &code, t, &state);
    assert_eq!(to_json(o), json!({"kind": "accepted"}));
    assert!(!serde_json::to_string(&o).unwrap().contains(&code));
    let table = [
        (
            DeliveredOutcome::Expired {
                ago: Duration::minutes(1),
            },
            json!({"kind": "expired", "ago": 60}),
        ),
        (DeliveredOutcome::Superseded, json!({"kind": "superseded"})),
        (
            DeliveredOutcome::Wrong { checks_left: 4 },
            json!({"kind": "wrong", "checks_left": 4}),
        ),
        (
            DeliveredOutcome::TooManyChecks,
            json!({"kind": "too_many_checks"}),
        ),
        (DeliveredOutcome::Used, json!({"kind": "used"})),
        (DeliveredOutcome::NoCode, json!({"kind": "no_code"})),
    ];
    for (o, expected) in table {
        assert_eq!(to_json(o), expected);
    }
}

#[test]
fn delivered_diagnosis_and_log_entry() {
    let (key, binding) = delivered_setup();
    let state: State = "d1;-;-;1.1;0,1795780800,s,l,0,42,SM1,d,-,1795780803"
        .parse()
        .unwrap();
    let now = UnixTime::from_secs(1_795_780_863);
    let (d, _) = delivered::diagnose(
        &Policy::DEFAULT,
        &key,
        &binding,
        Report::NotReceived,
        AccountThrottle::Open,
        now,
        &state,
    );
    assert_eq!(
        to_json(d),
        json!({
            "verdict": {"kind": "delivered", "ago": 60},
            "entry": {
                "id": 0,
                "at": 1_795_780_800,
                "channel": "sms",
                "reason": "login_started",
                "code_number": 0,
                "hint": "42",
                "provider_id": "SM1",
                "status": {"kind": "delivered"},
                "status_at": 1_795_780_803
            },
            "next_send_at": null,
            "checks": 0,
            "max_checks": 5
        })
    );
    let failure = Failure::new(FailureKind::Unreachable, Some(30_003));
    assert_eq!(
        to_json(Status::Undelivered(failure)),
        json!({"kind": "undelivered", "failure": {"kind": "unreachable", "provider_code": 30_003}})
    );
}

#[test]
fn delivered_verdicts() {
    let at = UnixTime::from_secs(1_795_780_800);
    let failure = Failure::new(FailureKind::InvalidNumber, None);
    let table = [
        (
            DeliveredVerdict::RightInTime,
            json!({"kind": "right_in_time"}),
        ),
        (
            DeliveredVerdict::TypedLate {
                late_by: Duration::seconds(75),
            },
            json!({"kind": "typed_late", "late_by": 75}),
        ),
        (
            DeliveredVerdict::WrongCode { checks_left: 2 },
            json!({"kind": "wrong_code", "checks_left": 2}),
        ),
        (
            DeliveredVerdict::AccountThrottled { until: at },
            json!({"kind": "account_throttled", "until": 1_795_780_800}),
        ),
        (
            DeliveredVerdict::NoRecentCode { last_sent: None },
            json!({"kind": "no_recent_code", "last_sent": null}),
        ),
        (
            DeliveredVerdict::SendFailed { failure },
            json!({"kind": "send_failed", "failure": {"kind": "invalid_number", "provider_code": null}}),
        ),
        (
            DeliveredVerdict::NoReceipt {
                since: Duration::minutes(3),
            },
            json!({"kind": "no_receipt", "since": 180}),
        ),
        (
            DeliveredVerdict::SendLimit { next_send_at: at },
            json!({"kind": "send_limit", "next_send_at": 1_795_780_800}),
        ),
        (
            DeliveredVerdict::AutomaticReverify,
            json!({"kind": "automatic_reverify"}),
        ),
        (
            DeliveredVerdict::UnexpectedRequest {
                reason: Reason::PhoneChange,
            },
            json!({"kind": "unexpected_request", "reason": "phone_change"}),
        ),
        (DeliveredVerdict::NotFromUs, json!({"kind": "not_from_us"})),
    ];
    for (v, expected) in table {
        assert_eq!(to_json(v), expected);
    }
}

#[test]
fn issue_errors() {
    let table = [
        (
            IssueError::TooSoon {
                limit: Limit::ShortCap,
                next_send_at: UnixTime::from_secs(60),
            },
            json!({"kind": "too_soon", "limit": "short_cap", "next_send_at": 60}),
        ),
        (
            IssueError::Channel {
                purpose: Purpose::ConfirmPhone,
                channel: Channel::Email,
            },
            json!({"kind": "channel", "purpose": "confirm_phone", "channel": "email"}),
        ),
        (
            IssueError::PhoneLifetime { max_secs: 600 },
            json!({"kind": "phone_lifetime", "max_secs": 600}),
        ),
        (
            IssueError::Time(TimeError::OutOfRange),
            json!({"kind": "time", "error": {"kind": "out_of_range"}}),
        ),
        (IssueError::Exhausted, json!({"kind": "exhausted"})),
        (IssueError::Random, json!({"kind": "random"})),
    ];
    for (e, expected) in table {
        assert_eq!(to_json(e), expected);
    }
}

#[test]
fn time_sync_verdicts_and_advice() {
    let table = [
        (Verdict::InSync, json!({"kind": "in_sync"})),
        (
            Verdict::EnteredLate {
                offset: Duration::seconds(-60),
                likely: LateCause::TypedLate,
            },
            json!({"kind": "entered_late", "offset": -60, "likely": "typed_late"}),
        ),
        (
            Verdict::ClockAhead {
                offset: Duration::seconds(420),
            },
            json!({"kind": "clock_ahead", "offset": 420}),
        ),
        (
            Verdict::ClockBehind {
                offset: Duration::seconds(-1_020),
            },
            json!({"kind": "clock_behind", "offset": -1_020}),
        ),
        (
            Verdict::TimeZoneLike {
                offset: Duration::hours(12),
                hint: ZoneHint::AmPm,
            },
            json!({"kind": "time_zone_like", "offset": 43_200, "hint": "am_pm"}),
        ),
        (Verdict::Replayed, json!({"kind": "replayed"})),
        (Verdict::NoMatch, json!({"kind": "no_match"})),
        (
            Verdict::Ambiguous { candidates: 2 },
            json!({"kind": "ambiguous", "candidates": 2}),
        ),
        (
            Verdict::Blocked(Blocked::Locked),
            json!({"kind": "blocked", "blocked": {"kind": "locked"}}),
        ),
        (
            Verdict::TooManyCodes { allowed: 1 },
            json!({"kind": "too_many_codes", "allowed": 1}),
        ),
    ];
    for (v, expected) in table {
        assert_eq!(to_json(v), expected);
    }
    assert_eq!(
        to_json(ResyncAdvice::Record(5)),
        json!({"kind": "record", "drift": 5})
    );
    assert_eq!(
        to_json(ResyncAdvice::BeyondBound),
        json!({"kind": "beyond_bound"})
    );
    assert_eq!(to_json(ResyncAdvice::Spent), json!({"kind": "spent"}));
    assert_eq!(to_json(ZoneHint::DaylightSaving), json!("daylight_saving"));
}

#[test]
fn time_sync_diagnoses() {
    let secret = rfc_secret();
    let guard = Guard::new(Totp::new());
    let opts = DiagnoseOptions::default();
    let obs = [Observation::new("12x456", UnixTime::from_secs(99))];
    let (d, _) = diagnose(&guard, &secret, &GuardState::new(), &obs, &opts).unwrap();
    assert_eq!(
        to_json(d),
        json!({
            "verdict": {
                "kind": "malformed",
                "observation": 0,
                "error": {"kind": "invalid_character", "position": 2}
            },
            "offset": null,
            "offset_range": null,
            "matched_steps": [null],
            "agreeing_codes": 0,
            "chance_match": 0.0,
            "confirmed": false,
            "resync_advice": null,
            "stale_drift": null,
            "replay_wait": null,
            "steps_searched": 0,
            "matches_found": 0
        })
    );
    // A phone 7 minutes ahead: two codes agree, a resync of 14 steps.
    let totp = Totp::new();
    let (t1, t2) = (1_700_000_000, 1_700_000_040);
    let shown = |t: u64| {
        totp.generate(&secret, UnixTime::from_secs(t + 420))
            .unwrap()
    };
    let (c1, c2) = (shown(t1), shown(t2));
    let obs = [
        Observation::from_code(c1, UnixTime::from_secs(t1)),
        Observation::from_code(c2, UnixTime::from_secs(t2)),
    ];
    let (d, _) = diagnose(&guard, &secret, &GuardState::new(), &obs, &opts).unwrap();
    let json = to_json(d);
    assert_eq!(json["verdict"]["kind"], "clock_ahead");
    assert_eq!(
        json["resync_advice"],
        json!({"kind": "record", "drift": 14})
    );
    assert_eq!(json["agreeing_codes"], 2);
    let (lo, hi) = (
        json["offset_range"][0].as_i64().unwrap(),
        json["offset_range"][1].as_i64().unwrap(),
    );
    assert!(lo <= 420 && 420 <= hi, "{json}");
    // The matched steps are the phone's: (t + 420) / 30.
    assert_eq!(
        json["matched_steps"],
        json!([(t1 + 420) / 30, (t2 + 420) / 30])
    );
    let text = json.to_string();
    assert!(!text.contains(&c1.to_string()) && !text.contains(&c2.to_string()));
}
