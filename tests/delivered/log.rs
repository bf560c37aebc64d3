//! The delivery log: provider ids, hints, statuses out of order, eviction,
//! and the state's text form with hostile input.

use twostep::UnixTime;
use twostep::delivered::{
    Channel, Failure, FailureKind, LogError, MessageId, Policy, Reason, State, Status, record_sent,
    record_status,
};

use crate::{at, rng, send};

fn one_send() -> State {
    send(
        &Policy::DEFAULT,
        Reason::LoginStarted,
        at(0),
        &mut rng(1),
        &State::new(),
    )
    .unwrap()
    .1
}

#[test]
fn a_send_is_logged_with_what_the_provider_says() {
    let s = one_send();
    let e = *s.latest().unwrap();
    assert_eq!(
        (e.id(), e.at(), e.channel(), e.reason()),
        (MessageId::new(0), at(0), Channel::Sms, Reason::LoginStarted)
    );
    assert_eq!(
        (e.status(), e.status_at(), e.hint(), e.provider_id()),
        (Status::Requested, None, None, None)
    );
    let s = record_sent(MessageId::new(0), "SMa1b2", "42", &s).unwrap();
    let s = record_status("SMa1b2", Status::Queued, at(1), &s).unwrap();
    let s = record_status("SMa1b2", Status::Sent, at(2), &s).unwrap();
    let failure = Failure::new(FailureKind::Unreachable, Some(30_003));
    let s = record_status("SMa1b2", Status::Undelivered(failure), at(9), &s).unwrap();
    let e = *s.latest().unwrap();
    assert_eq!(e.hint().unwrap().as_str(), "42");
    assert_eq!(e.provider_id().unwrap().as_str(), "SMa1b2");
    assert_eq!(
        (e.status(), e.status_at()),
        (Status::Undelivered(failure), Some(at(9)))
    );
    assert!(
        s.to_string().ends_with(",42,SMa1b2,u,n30003,1795780809"),
        "{s}"
    );
}

#[test]
fn late_reports_never_undo_later_ones() {
    let s = record_sent(MessageId::new(0), "SM1", "42", &one_send()).unwrap();
    let delivered = record_status("SM1", Status::Delivered, at(5), &s).unwrap();
    for late in [
        Status::Queued,
        Status::Sent,
        Status::Requested,
        Status::Failed(Failure::new(FailureKind::Other, None)),
    ] {
        assert_eq!(
            record_status("SM1", late, at(6), &delivered).unwrap(),
            delivered,
            "{late:?}"
        );
    }
    let sent = record_status("SM1", Status::Sent, at(3), &s).unwrap();
    assert_eq!(
        record_status("SM1", Status::Queued, at(4), &sent).unwrap(),
        sent
    );
}

#[test]
fn unknown_messages_and_bad_text_are_typed_errors() {
    let s = one_send();
    assert_eq!(
        record_sent(MessageId::new(1), "SM1", "42", &s),
        Err(LogError::UnknownMessage)
    );
    assert_eq!(
        record_status("SM1", Status::Sent, at(1), &s),
        Err(LogError::UnknownMessage)
    );
    assert_eq!(
        record_status("", Status::Sent, at(1), &s),
        Err(LogError::UnknownMessage)
    );
    assert_eq!(
        record_sent(MessageId::new(0), "SM 1", "42", &s),
        Err(LogError::ProviderId {
            position: 2,
            max: 64
        })
    );
    assert_eq!(
        record_sent(MessageId::new(0), "SM1", "4,2", &s),
        Err(LogError::Hint {
            position: 1,
            max: 32
        })
    );
    assert!(record_sent(MessageId::new(0), &"x".repeat(65), "42", &s).is_err());
    assert!(record_sent(MessageId::new(0), "SM1", "", &s).is_err());
    assert!(record_sent(MessageId::new(0), "SM1", "é", &s).is_err());
    assert!(record_sent(MessageId::new(0), &"x".repeat(64), &"*".repeat(32), &s).is_ok());
}

#[test]
fn the_log_keeps_the_last_ten_sends() {
    let p = Policy::DEFAULT.with_cooldown(time::Duration::ZERO).unwrap();
    let mut r = rng(2);
    let mut s = State::new();
    for i in 0..12u64 {
        s = send(&p, Reason::UserResend, at(i * 86_400), &mut r, &s)
            .unwrap()
            .1;
    }
    let ids: Vec<u32> = s.log().map(|e| e.id().get()).collect();
    assert_eq!(ids, (2..12).collect::<Vec<_>>());
    assert!(s.to_string().len() <= State::MAX_LEN);
}

#[test]
fn sends_wait_for_a_clock_that_moved_back_to_pass_the_latest_send() {
    // Even without a cooldown: a send logged "in the future" counts as just
    // sent, so a clock set back cannot reopen the caps.
    let p = Policy::DEFAULT.with_cooldown(time::Duration::ZERO).unwrap();
    let mut r = rng(3);
    let s = send(&p, Reason::UserResend, at(86_400), &mut r, &State::new())
        .unwrap()
        .1;
    let e = send(&p, Reason::UserResend, at(0), &mut r, &s).unwrap_err();
    assert!(
        matches!(e, twostep::delivered::IssueError::TooSoon { next_send_at, .. } if next_send_at == at(86_400))
    );
    assert!(send(&p, Reason::UserResend, at(86_400), &mut r, &s).is_ok());
    let _ = UnixTime::EPOCH;
}

#[test]
fn a_full_log_evicts_the_earliest_send_time() {
    // Send times out of id order only arise in edited state text; the log
    // still keeps the latest ten times, which the caps are decided from.
    let mut text = "d1;-;-;10.1".to_owned();
    for i in 0..10u64 {
        let t = if i == 0 {
            crate::T + 5_000
        } else {
            crate::T + i
        };
        text.push_str(&format!(";{i},{t},s,l,0,,,r,-,-"));
    }
    let s: State = text.parse().unwrap();
    let p = Policy::DEFAULT
        .with_cooldown(time::Duration::ZERO)
        .unwrap()
        .with_long_cap(twostep::delivered::Cap::new(10, time::Duration::days(1)).unwrap());
    let e = send(&p, Reason::UserResend, at(6_000), &mut rng(4), &s).unwrap_err();
    assert!(
        matches!(e, twostep::delivered::IssueError::TooSoon { .. }),
        "{e}"
    );
    let later = send(&p, Reason::UserResend, at(86_401), &mut rng(4), &s)
        .unwrap()
        .1;
    assert!(
        later.log().any(|e| e.at() == at(5_000)),
        "the latest time stays"
    );
    assert!(
        !later.log().any(|e| e.at() == at(1)),
        "the earliest time goes"
    );
    assert_eq!(later.log().count(), 10);
}

#[test]
fn the_text_form_round_trips_exactly() {
    let s = record_sent(MessageId::new(0), "SM1", "a***@ex", &one_send()).unwrap();
    let s = record_status(
        "SM1",
        Status::Failed(Failure::new(FailureKind::Blocked, None)),
        at(3),
        &s,
    )
    .unwrap();
    let text = s.to_string();
    let back: State = text.parse().unwrap();
    assert_eq!(back, s);
    assert_eq!(back.to_string(), text);
}

#[test]
fn hostile_state_strings_are_typed_errors() {
    let good = one_send().to_string();
    let nonce_at = good.find(",").unwrap() + 1;
    let mut cases: Vec<String> = vec![
        String::new(),
        "d1".into(),
        "d2;-;-;0.0".into(),
        "D1;-;-;0.0".into(),
        "d1;-;-;0.0;".into(),
        "d1;-;-;0".into(),
        "d1;-;-;0.0.0".into(),
        "d1;-;-;-1.0".into(),
        "d1;-;-;4294967296.0".into(),
        "d1; -;-;0.0".into(),
        "d1;-;-;0.0\n".into(),
        "d1;-;0,00000000000000000000000000000000,00000000000000000000000000000000,6,1,2,0,l;1.1"
            .into(),
        "x".repeat(State::MAX_LEN + 1),
        good.replace(",6,", ",5,"),
        good.replace(",6,", ",11,"),
        good.replace(",0,l;", ",11,l;"),
        good.replace(",0,l;", ",0,x;"),
        good.replace(",s,l,", ",x,l,"),
        good.replace(",s,l,", ",s,x,"),
        good.replace(",r,-,-", ",r,-,5"),
        good.replace(",r,-,-", ",d,-,-"),
        good.replace(",r,-,-", ",f,-,5"),
        good.replace(",r,-,-", ",d,n,5"),
        good.replace(",r,-,-", ",f,z,5"),
        good.replace(",r,-,-", ",f,n01,5"),
        good.replace(";1.1;", ";0.1;"),
        good.replace(";1.1;", ";1.0;"),
        format!("{good};{}", good.rsplit(';').next().unwrap()),
    ];
    let mut upper = good.clone();
    upper.replace_range(
        nonce_at..nonce_at + 32,
        &good[nonce_at..nonce_at + 32]
            .to_uppercase()
            .replace(|c: char| c.is_ascii_digit(), "A"),
    );
    cases.push(upper);
    let mut eleven = "d1;-;-;11.1".to_owned();
    for i in 0..11 {
        eleven.push_str(&format!(";{i},{i},s,l,0,,,r,-,-"));
    }
    cases.push(eleven);
    for bad in &cases {
        assert!(bad.parse::<State>().is_err(), "{bad:?}");
    }
    let e = "d9;-;-;0.0".parse::<State>().unwrap_err();
    assert_eq!(e.to_string(), "unknown delivered-code state version");
    assert!(
        !good
            .replace(",6,", ",11,")
            .parse::<State>()
            .unwrap_err()
            .to_string()
            .contains("11")
    );
}

#[cfg(feature = "serde")]
#[test]
fn serde_goes_through_the_text_form() {
    let s = one_send();
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(json, format!("\"{s}\""));
    assert_eq!(serde_json::from_str::<State>(&json).unwrap(), s);
    assert!(serde_json::from_str::<State>("\"d1;-;-;01.0\"").is_err());
}
