//! Known answers for the code derivation: vectors/delivered_kat.txt comes
//! from scripts/delivered_vectors.py (Python hmac/hashlib, independent of
//! the Rust code path).

use twostep::UnixTime;
use twostep::delivered::{
    Binding, Channel, Key, Outcome, Policy, Purpose, Reason, State, issue, verify,
};
use twostep::otp::Digits;

const KAT: &str = include_str!("../vectors/delivered_kat.txt");

struct Vector {
    name: String,
    key: Vec<u8>,
    purpose: Purpose,
    attempt: Vec<u8>,
    digits: u32,
    code: String,
    issued: u64,
    state: String,
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn vectors() -> Vec<Vector> {
    let body: String = KAT
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    body.split("\n\n")
        .filter(|b| !b.trim().is_empty())
        .map(|block| {
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                    .unwrap_or_else(|| panic!("missing {name}"))
                    .to_owned()
            };
            Vector {
                name: field("name"),
                key: hex(&field("key")),
                purpose: match field("purpose").as_str() {
                    "login" => Purpose::Login,
                    "confirm-phone" => Purpose::ConfirmPhone,
                    "confirm-address" => Purpose::ConfirmAddress,
                    "recovery" => Purpose::Recovery,
                    p => panic!("purpose {p}"),
                },
                attempt: hex(&field("attempt")),
                digits: field("digits").parse().unwrap(),
                code: field("code"),
                issued: field("issued").parse().unwrap(),
                state: field("state"),
            }
        })
        .collect()
}

#[test]
fn there_are_vectors_for_every_purpose_and_digit_count() {
    let v = vectors();
    assert_eq!(v.len(), 7);
    for d in 6..=10 {
        assert!(v.iter().any(|x| x.digits == d), "digits {d}");
    }
    for p in [
        Purpose::Login,
        Purpose::ConfirmPhone,
        Purpose::ConfirmAddress,
        Purpose::Recovery,
    ] {
        assert!(v.iter().any(|x| x.purpose == p), "{p:?}");
    }
}

#[test]
fn python_codes_are_accepted_and_nothing_else_is() {
    for v in vectors() {
        let key = Key::from_bytes(&v.key).unwrap();
        let binding = Binding::new(v.purpose, &v.attempt).unwrap();
        let state: State = v
            .state
            .parse()
            .unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!(state.to_string(), v.state, "{}", v.name);
        let policy = Policy::DEFAULT.with_digits(Digits::new(v.digits).unwrap());
        let now = UnixTime::from_secs(v.issued + 1);
        let wrong = crate::other_code(&v.code);
        let (o, s) = verify(&policy, &key, &binding, &wrong, now, &state);
        assert!(matches!(o, Outcome::Wrong { .. }), "{}: {o:?}", v.name);
        let (o, _) = verify(&policy, &key, &binding, &v.code, now, &s);
        assert_eq!(o, Outcome::Accepted, "{}", v.name);
        // The same nonce under another purpose or attempt gives another code.
        let other = Binding::new(Purpose::Recovery, b"x").unwrap();
        let other = if v.purpose == Purpose::Recovery {
            Binding::new(Purpose::Login, &v.attempt).unwrap()
        } else {
            other
        };
        assert!(
            !verify(&policy, &key, &other, &v.code, now, &state)
                .0
                .is_accepted(),
            "{}",
            v.name
        );
    }
}

#[test]
fn python_fingerprint_lets_a_resend_carry_the_same_code() {
    // A same-code resend happens only when the stored fingerprint equals the
    // one derived from the binding: the Python fingerprint must match.
    for v in vectors() {
        let key = Key::from_bytes(&v.key).unwrap();
        let binding = Binding::new(v.purpose, &v.attempt).unwrap();
        let channel = if v.purpose.allows(Channel::Sms) {
            Channel::Sms
        } else {
            Channel::Email
        };
        let state: State = v.state.parse().unwrap();
        let policy = Policy::DEFAULT.with_digits(Digits::new(v.digits).unwrap());
        let later = UnixTime::from_secs(v.issued + 60);
        let (m, _) = issue(
            &policy,
            &key,
            &binding,
            Reason::UserResend,
            channel,
            later,
            &mut crate::rng(1),
            &state,
        )
        .unwrap();
        assert!(m.is_same_code(), "{}", v.name);
        assert_eq!(m.code().to_string(), v.code, "{}", v.name);
        assert_eq!(
            m.expires_at(),
            UnixTime::from_secs(v.issued + 600),
            "{}",
            v.name
        );
    }
}
