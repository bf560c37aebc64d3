//! Re-verification: the presets against NIST SP 800-63B-4's numbers, the
//! boundaries of each limit, clocks that step back, validation of custom
//! policies and the stable names.
#![cfg(feature = "account")]
#![expect(
    clippy::arithmetic_side_effects,
    reason = "test code: times are small offsets from a fixed instant"
)]

use proptest::prelude::*;
use twostep::UnixTime;
use twostep::account::reverify::{Action, Need, Policy, PolicyError, Session, Why, check};
use twostep::delivered::Reason;
use twostep::time::Duration;

const T0: u64 = 1_795_780_800;
const MINUTE: u64 = 60;
const HOUR: u64 = 3600;

// NIST SP 800-63B-4 (August 2025), written out here in seconds independently
// of the library's constants: AAL2 reauthentication at least every 24 hours,
// and after 1 hour of inactivity; AAL3 every 12 hours, and after 15 minutes.
const NIST_AAL2_OVERALL_SECS: i64 = 24 * 60 * 60;
const NIST_AAL2_IDLE_SECS: i64 = 60 * 60;
const NIST_AAL3_OVERALL_SECS: i64 = 12 * 60 * 60;
const NIST_AAL3_IDLE_SECS: i64 = 15 * 60;

fn at(secs: u64) -> UnixTime {
    UnixTime::from_secs(secs)
}

/// A session verified at T0, last active `idle_from` seconds after it.
fn session(idle_from: u64) -> Session {
    Session {
        verified_at: at(T0),
        last_active: at(T0 + idle_from),
    }
}

#[test]
fn presets_match_nist_sp_800_63b_4() {
    assert_eq!(
        Policy::AAL2.max_session().whole_seconds(),
        NIST_AAL2_OVERALL_SECS
    );
    assert_eq!(Policy::AAL2.max_idle().whole_seconds(), NIST_AAL2_IDLE_SECS);
    assert_eq!(
        Policy::AAL3.max_session().whole_seconds(),
        NIST_AAL3_OVERALL_SECS
    );
    assert_eq!(Policy::AAL3.max_idle().whole_seconds(), NIST_AAL3_IDLE_SECS);
    // The sensitive-action windows are short, within 5 to 15 minutes.
    for p in [Policy::AAL2, Policy::AAL3] {
        let w = p.sensitive_window().whole_seconds();
        assert!((5 * 60..=15 * 60).contains(&w), "{w}");
        assert!(w <= p.max_idle().whole_seconds());
    }
    assert_eq!(Policy::default(), Policy::AAL2);
}

#[test]
fn aal2_overall_limit_is_reached_at_exactly_24_hours() {
    // Active every few minutes, so only the overall limit applies.
    let s = session(24 * HOUR - 5 * MINUTE);
    let p = Policy::AAL2;
    assert_eq!(
        check(&p, &s, at(T0 + 24 * HOUR - 1), Action::Normal),
        Need::Fresh
    );
    assert_eq!(
        check(&p, &s, at(T0 + 24 * HOUR), Action::Normal),
        Need::Reverify(Why::SessionExpired)
    );
    assert_eq!(
        check(&p, &s, at(T0 + 24 * HOUR + 1), Action::Normal),
        Need::Reverify(Why::SessionExpired)
    );
}

#[test]
fn aal2_idle_limit_is_reached_at_exactly_1_hour() {
    let s = session(2 * HOUR);
    let p = Policy::AAL2;
    let last = T0 + 2 * HOUR;
    assert_eq!(
        check(&p, &s, at(last + HOUR - 1), Action::Normal),
        Need::Fresh
    );
    assert_eq!(
        check(&p, &s, at(last + HOUR), Action::Normal),
        Need::Reverify(Why::Idle)
    );
    assert_eq!(
        check(&p, &s, at(last + HOUR + 1), Action::Normal),
        Need::Reverify(Why::Idle)
    );
}

#[test]
fn aal3_limits_are_12_hours_and_15_minutes() {
    let p = Policy::AAL3;
    let s = session(12 * HOUR - MINUTE);
    assert_eq!(
        check(&p, &s, at(T0 + 12 * HOUR - 1), Action::Normal),
        Need::Fresh
    );
    assert_eq!(
        check(&p, &s, at(T0 + 12 * HOUR), Action::Normal),
        Need::Reverify(Why::SessionExpired)
    );
    let s = session(HOUR);
    let last = T0 + HOUR;
    assert_eq!(
        check(&p, &s, at(last + 15 * MINUTE - 1), Action::Normal),
        Need::Fresh
    );
    assert_eq!(
        check(&p, &s, at(last + 15 * MINUTE), Action::Normal),
        Need::Reverify(Why::Idle)
    );
}

#[test]
fn sensitive_actions_need_a_recent_verification() {
    let p = Policy::AAL2;
    let s = session(20 * MINUTE);
    let window = Policy::AAL2.sensitive_window().whole_seconds() as u64;
    assert_eq!(
        check(&p, &s, at(T0 + window - 1), Action::Sensitive),
        Need::Fresh
    );
    assert_eq!(
        check(&p, &s, at(T0 + window), Action::Sensitive),
        Need::Reverify(Why::SensitiveAction)
    );
    // The same moment is fresh for a normal action.
    assert_eq!(check(&p, &s, at(T0 + window), Action::Normal), Need::Fresh);
    // A configured window.
    let ten = Policy::AAL2
        .with_sensitive_window(Duration::minutes(10))
        .unwrap();
    assert_eq!(
        check(&ten, &s, at(T0 + 10 * MINUTE - 1), Action::Sensitive),
        Need::Fresh
    );
    assert_eq!(
        check(&ten, &s, at(T0 + 10 * MINUTE), Action::Sensitive),
        Need::Reverify(Why::SensitiveAction)
    );
}

#[test]
fn the_first_reason_wins_expired_then_idle_then_sensitive() {
    let p = Policy::AAL2;
    let never_active = Session::verified(at(T0));
    assert_eq!(
        check(&p, &never_active, at(T0 + 25 * HOUR), Action::Sensitive),
        Need::Reverify(Why::SessionExpired)
    );
    assert_eq!(
        check(&p, &never_active, at(T0 + 2 * HOUR), Action::Sensitive),
        Need::Reverify(Why::Idle)
    );
}

#[test]
fn verification_counts_as_activity() {
    // A last_active before the verification (stale) does not make it idle.
    let s = Session {
        verified_at: at(T0),
        last_active: at(T0 - 10 * HOUR),
    };
    assert_eq!(
        check(&Policy::AAL2, &s, at(T0 + 30 * MINUTE), Action::Normal),
        Need::Fresh
    );
    assert_eq!(
        check(&Policy::AAL2, &s, at(T0 + HOUR), Action::Normal),
        Need::Reverify(Why::Idle)
    );
}

#[test]
fn a_clock_that_stepped_back_does_not_panic_and_counts_as_just_now() {
    let s = session(10 * MINUTE);
    for now in [T0 - 1, T0 + 4 * MINUTE, 0, T0 - 100 * HOUR] {
        for action in [Action::Normal, Action::Sensitive] {
            assert_eq!(
                check(&Policy::AAL3, &s, at(now), action),
                Need::Fresh,
                "{now}"
            );
        }
    }
    let far = Session {
        verified_at: at(u64::MAX),
        last_active: at(u64::MAX),
    };
    assert_eq!(
        check(&Policy::AAL2, &far, at(0), Action::Sensitive),
        Need::Fresh
    );
    let old = Session::verified(at(0));
    assert_eq!(
        check(&Policy::AAL2, &old, at(u64::MAX), Action::Normal),
        Need::Reverify(Why::SessionExpired)
    );
}

#[test]
fn custom_policies_are_validated() {
    let p = Policy::AAL2
        .with_max_idle(Duration::minutes(30))
        .and_then(|p| p.with_max_session(Duration::hours(8)))
        .unwrap();
    assert_eq!(p.max_idle(), Duration::minutes(30));
    assert_eq!(p.max_session(), Duration::hours(8));
    assert_eq!(p.sensitive_window(), Duration::minutes(15));
    assert_eq!(
        Policy::AAL2.with_max_session(Duration::days(31)),
        Err(PolicyError::MaxSession { secs: 31 * 86_400 })
    );
    assert!(Policy::AAL2.with_max_session(Duration::days(30)).is_ok());
    assert_eq!(
        Policy::AAL2.with_max_session(Duration::seconds(59)),
        Err(PolicyError::MaxSession { secs: 59 })
    );
    // Shorter than the idle limit.
    assert_eq!(
        Policy::AAL2.with_max_session(Duration::minutes(59)),
        Err(PolicyError::MaxSession { secs: 59 * 60 })
    );
    // Shorter than the sensitive-action window (15 minutes).
    let short_idle = Policy::AAL2.with_max_idle(Duration::minutes(1)).unwrap();
    assert_eq!(
        short_idle.with_max_session(Duration::minutes(10)),
        Err(PolicyError::MaxSession { secs: 600 })
    );
    assert!(short_idle.with_max_session(Duration::minutes(15)).is_ok());
    // An idle limit longer than the session.
    assert_eq!(
        Policy::AAL3.with_max_idle(Duration::hours(12) + Duration::seconds(1)),
        Err(PolicyError::MaxIdle {
            secs: 12 * 3600 + 1
        })
    );
    assert!(Policy::AAL3.with_max_idle(Duration::hours(12)).is_ok());
    assert_eq!(
        Policy::AAL2.with_max_idle(Duration::ZERO),
        Err(PolicyError::MaxIdle { secs: 0 })
    );
    assert_eq!(
        Policy::AAL2.with_max_idle(Duration::hours(-1)),
        Err(PolicyError::MaxIdle { secs: -3600 })
    );
    assert_eq!(
        Policy::AAL3.with_sensitive_window(Duration::hours(12) + Duration::seconds(1)),
        Err(PolicyError::SensitiveWindow {
            secs: 12 * 3600 + 1
        })
    );
    assert!(
        Policy::AAL3
            .with_sensitive_window(Duration::hours(12))
            .is_ok()
    );
    assert_eq!(
        Policy::AAL2.with_max_idle(Duration::MIN),
        Err(PolicyError::MaxIdle {
            secs: Duration::MIN.whole_seconds()
        })
    );
    // Sub-second parts are dropped.
    let p = Policy::AAL2
        .with_max_idle(Duration::milliseconds(90_500))
        .unwrap();
    assert_eq!(p.max_idle(), Duration::seconds(90));
    assert_eq!(
        PolicyError::SensitiveWindow { secs: 1 }.to_string(),
        "sensitive-action window must be 1 minute to the max session, got 1 seconds"
    );
}

#[test]
fn every_reason_is_recorded_as_an_automatic_send() {
    for why in [Why::SessionExpired, Why::Idle, Why::SensitiveAction] {
        assert_eq!(why.delivered_reason(), Reason::SessionReverify);
        assert!(why.delivered_reason().is_automatic());
    }
}

#[test]
fn names_and_display_are_stable() {
    assert_eq!(Why::SessionExpired.as_str(), "session_expired");
    assert_eq!(Why::Idle.as_str(), "idle");
    assert_eq!(Why::SensitiveAction.as_str(), "sensitive_action");
    assert_eq!(Action::Normal.as_str(), "normal");
    assert_eq!(Action::Sensitive.to_string(), "sensitive");
    assert_eq!(Need::Fresh.to_string(), "fresh");
    assert_eq!(
        Need::Reverify(Why::SessionExpired).to_string(),
        "re-verify: the session is older than its limit"
    );
    assert_eq!(
        Need::Reverify(Why::SensitiveAction).to_string(),
        "re-verify: the action needs a recent verification"
    );
}

#[cfg(feature = "serde")]
#[test]
fn serde_uses_the_stable_names() {
    let cases = [
        (Need::Fresh, "\"fresh\""),
        (
            Need::Reverify(Why::SessionExpired),
            "{\"reverify\":\"session_expired\"}",
        ),
        (Need::Reverify(Why::Idle), "{\"reverify\":\"idle\"}"),
        (
            Need::Reverify(Why::SensitiveAction),
            "{\"reverify\":\"sensitive_action\"}",
        ),
    ];
    for (need, json) in cases {
        assert_eq!(serde_json::to_string(&need).unwrap(), json);
        assert_eq!(serde_json::from_str::<Need>(json).unwrap(), need);
    }
    assert_eq!(serde_json::to_string(&Why::Idle).unwrap(), "\"idle\"");
    assert_eq!(
        serde_json::from_str::<Why>("\"sensitive_action\"").unwrap(),
        Why::SensitiveAction
    );
    assert_eq!(
        serde_json::to_string(&Action::Sensitive).unwrap(),
        "\"sensitive\""
    );
    assert_eq!(
        serde_json::from_str::<Action>("\"normal\"").unwrap(),
        Action::Normal
    );
    for bad in [
        "\"Idle\"",
        "\"stale\"",
        "{\"reverify\":\"fresh\"}",
        "{\"fresh\":\"idle\"}",
        "3",
    ] {
        assert!(serde_json::from_str::<Need>(bad).is_err(), "{bad}");
    }
    assert!(serde_json::from_str::<Why>("\"idle \"").is_err());
    assert!(serde_json::from_str::<Action>("\"SENSITIVE\"").is_err());
}

proptest! {
    #[test]
    fn never_panics_and_fresh_means_every_limit_is_unreached(
        verified in any::<u64>(), active in any::<u64>(), now in any::<u64>(), sensitive in any::<bool>(),
    ) {
        let s = Session { verified_at: at(verified), last_active: at(active) };
        let action = if sensitive { Action::Sensitive } else { Action::Normal };
        for p in [Policy::AAL2, Policy::AAL3] {
            let need = check(&p, &s, at(now), action);
            let since = now.saturating_sub(verified);
            let idle = now.saturating_sub(verified.max(active));
            let expired = since >= p.max_session().whole_seconds() as u64;
            let idled = idle >= p.max_idle().whole_seconds() as u64;
            let stale = sensitive && since >= p.sensitive_window().whole_seconds() as u64;
            prop_assert_eq!(need.is_fresh(), !(expired || idled || stale));
            if expired {
                prop_assert_eq!(need, Need::Reverify(Why::SessionExpired));
            }
        }
    }

    #[test]
    fn stricter_actions_and_policies_never_loosen_the_decision(verified in 0..T0, active in 0..T0, later in 0..2 * 86_400u64) {
        let s = Session { verified_at: at(verified), last_active: at(active) };
        let now = at(verified.max(active) + later);
        let normal = check(&Policy::AAL2, &s, now, Action::Normal);
        let sensitive = check(&Policy::AAL2, &s, now, Action::Sensitive);
        prop_assert!(normal.is_fresh() || !sensitive.is_fresh());
        // AAL3 is stricter in every limit: what it finds fresh, AAL2 does too.
        for action in [Action::Normal, Action::Sensitive] {
            let strict = check(&Policy::AAL3, &s, now, action);
            prop_assert!(!strict.is_fresh() || check(&Policy::AAL2, &s, now, action).is_fresh());
        }
    }
}
