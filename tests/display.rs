//! `Display` of the outcomes: short English for logs, pinned word for word,
//! and never the code that was typed.

use rand_core::SeedableRng;
use time::Duration;
use twostep::backup::{CodeSet, Policy as BackupPolicy, Redemption};
use twostep::delivered::{
    self, Binding, Channel, Key, Outcome as DeliveredOutcome, Policy, Purpose, Reason, State,
};
use twostep::guard::{Outcome, State as GuardState};
use twostep::{Guard, Secret, Totp, UnixTime};

#[test]
fn guard_outcomes_read_as_documented() {
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let guard = Guard::new(Totp::new());
    // RFC 6238's SHA-1 vector: 287082 at T = 59 s, step 1.
    let (accepted, state) = guard
        .check(
            &secret,
            "287082",
            UnixTime::from_secs(59),
            &GuardState::new(),
        )
        .unwrap();
    assert_eq!(accepted.to_string(), "accepted at step 1 (offset +0)");
    let (replayed, _) = guard
        .check(&secret, "287082", UnixTime::from_secs(59), &state)
        .unwrap();
    assert_eq!(replayed.to_string(), "replayed code");
    let (malformed, _) = guard
        .check(&secret, "28708x", UnixTime::from_secs(59), &state)
        .unwrap();
    assert_eq!(
        malformed.to_string(),
        "malformed code: unexpected character at byte 5"
    );
    let (old, _) = guard
        .check(
            &secret,
            "287082",
            UnixTime::from_secs(89),
            &GuardState::new(),
        )
        .unwrap();
    assert_eq!(old.to_string(), "accepted at step 1 (offset -1)");
    assert_eq!(Outcome::Invalid.to_string(), "invalid code");
    assert_eq!(Outcome::Locked.to_string(), "locked");
    let throttled = Outcome::Throttled {
        retry_after: Duration::minutes(2),
    };
    assert_eq!(throttled.to_string(), "throttled, retry after 120 s");
}

#[test]
fn delivered_outcomes_read_as_documented_and_show_no_code() {
    let key = Key::from_bytes(&[0x5a; 32]).unwrap();
    let binding = Binding::new(Purpose::Login, b"session").unwrap();
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
    let issued = state.clone();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (o, state) = delivered::verify(&policy, &key, &binding, wrong, t, &state);
    assert_eq!(o.to_string(), "wrong code, 4 checks left");
    let (o, state) = delivered::verify(&policy, &key, &binding, &code, t, &state);
    assert_eq!(o.to_string(), "accepted");
    let (o, _) = delivered::verify(&policy, &key, &binding, &code, t, &state);
    assert_eq!(o.to_string(), "code already used");
    assert!(!o.to_string().contains(&code));
    let (o, _) = delivered::verify(&policy, &key, &binding, "12", t, &state);
    assert_eq!(o.to_string(), "malformed code: expected 6 digits, found 2");
    let later = UnixTime::from_secs(1_795_780_800 + 660);
    let (o, _) = delivered::verify(&policy, &key, &binding, wrong, later, &issued);
    assert_eq!(o.to_string(), "code expired 60 s ago");
    let table = [
        (
            DeliveredOutcome::Superseded,
            "code of an earlier message, replaced by a newer one",
        ),
        (
            DeliveredOutcome::Wrong { checks_left: 1 },
            "wrong code, 1 check left",
        ),
        (
            DeliveredOutcome::TooManyChecks,
            "code checked too many times",
        ),
        (DeliveredOutcome::NoCode, "no code issued"),
    ];
    for (outcome, text) in table {
        assert_eq!(outcome.to_string(), text);
    }
}

#[test]
fn redemptions_read_as_documented_and_show_no_code() {
    let policy = BackupPolicy::DEFAULT;
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([4; 32]);
    let (codes, set) = CodeSet::generate(&policy, &mut rng).unwrap();
    let typed = codes.get(3).unwrap().to_string();
    let redeemed = set.redeem(&typed, &policy).unwrap();
    assert_eq!(
        redeemed.to_string(),
        "backup code redeemed (slot 3, 9 left)"
    );
    let Redemption::Redeemed { set, .. } = redeemed else {
        unreachable!("a fresh code redeems")
    };
    let again = set.redeem(&typed, &policy).unwrap();
    assert_eq!(again.to_string(), "backup code already used (slot 3)");
    assert!(!again.to_string().contains(&typed));
    assert_eq!(Redemption::Invalid.to_string(), "invalid backup code");
    assert_eq!(
        set.redeem("no", &policy).unwrap().to_string(),
        "malformed backup code"
    );
}
