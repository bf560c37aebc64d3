//! The stories one by one: issue, verify, resend rules, expiry, checks,
//! channels, message texts, redaction.

use time::Duration;
use twostep::delivered::{
    Binding, Cap, Channel, IssueError, Issuer, Key, Limit, Outcome, Policy, PolicyError, Purpose,
    Reason, ResendRule, State, issue, verify,
};
use twostep::otp::{CodeError, Digits};

use crate::{OTHER_SESSION, T, at, key, login, other_code, rng, send};

#[test]
fn a_code_is_accepted_once() {
    let p = Policy::DEFAULT;
    let (m, s) = send(&p, Reason::LoginStarted, at(0), &mut rng(1), &State::new()).unwrap();
    let code = m.code().to_string();
    assert_eq!(code.len(), 6);
    let (o, s) = verify(&p, &key(), &login(), &code, at(30), &s);
    assert_eq!(o, Outcome::Accepted);
    let (o, s2) = verify(&p, &key(), &login(), &code, at(31), &s);
    assert_eq!(o, Outcome::Used);
    assert_eq!(s2, s, "a refused used code changes nothing");
}

#[test]
fn spaces_and_hyphens_between_digits_are_accepted() {
    let p = Policy::DEFAULT;
    let (m, s) = send(&p, Reason::LoginStarted, at(0), &mut rng(1), &State::new()).unwrap();
    let c = m.code().to_string();
    let spaced = format!("{} {}", &c[..3], &c[3..]);
    assert_eq!(
        verify(&p, &key(), &login(), &spaced, at(1), &s).0,
        Outcome::Accepted
    );
}

#[test]
fn no_code_before_the_first_send() {
    let (o, s) = verify(
        &Policy::DEFAULT,
        &key(),
        &login(),
        "123456",
        at(0),
        &State::new(),
    );
    assert_eq!(o, Outcome::NoCode);
    assert_eq!(s, State::new());
}

#[test]
fn a_code_expires_at_the_end_of_its_lifetime() {
    let p = Policy::DEFAULT;
    let (m, s) = send(&p, Reason::LoginStarted, at(0), &mut rng(1), &State::new()).unwrap();
    let code = m.code().to_string();
    assert_eq!(m.expires_at(), at(600));
    assert_eq!(
        verify(&p, &key(), &login(), &code, at(600), &s).0,
        Outcome::Expired {
            ago: Duration::ZERO
        }
    );
    let (o, s2) = verify(&p, &key(), &login(), &code, at(700), &s);
    assert_eq!(
        o,
        Outcome::Expired {
            ago: Duration::seconds(100)
        }
    );
    assert_eq!(s2, s, "an expired code counts no check");
    assert_eq!(
        verify(&p, &key(), &login(), &code, at(599), &s).0,
        Outcome::Accepted
    );
}

#[test]
fn a_code_dies_after_its_checks() {
    let p = Policy::DEFAULT.with_max_checks(3).unwrap();
    let (m, mut s) = send(&p, Reason::LoginStarted, at(0), &mut rng(1), &State::new()).unwrap();
    let code = m.code().to_string();
    let wrong = other_code(&code);
    for left in (0..3).rev() {
        let (o, next) = verify(&p, &key(), &login(), &wrong, at(10), &s);
        assert_eq!(o, Outcome::Wrong { checks_left: left });
        s = next;
    }
    assert_eq!(s.checks(), 3);
    assert_eq!(
        verify(&p, &key(), &login(), &code, at(11), &s).0,
        Outcome::TooManyChecks
    );
}

#[test]
fn malformed_input_counts_no_check() {
    let p = Policy::DEFAULT;
    let (_, s) = send(&p, Reason::LoginStarted, at(0), &mut rng(1), &State::new()).unwrap();
    for bad in ["", "12345", "1234567", "12345a", " 123456", "１２３４５６"] {
        let (o, next) = verify(&p, &key(), &login(), bad, at(1), &s);
        assert!(matches!(o, Outcome::Malformed(_)), "{bad:?}: {o:?}");
        assert_eq!(next, s, "{bad:?}");
    }
    let long = "1".repeat(65);
    assert!(matches!(
        verify(&p, &key(), &login(), &long, at(1), &s).0,
        Outcome::Malformed(CodeError::TooLong { .. })
    ));
}

#[test]
fn a_code_belongs_to_its_login_attempt() {
    let p = Policy::DEFAULT;
    let (m, s) = send(&p, Reason::LoginStarted, at(0), &mut rng(1), &State::new()).unwrap();
    let other = Binding::new(Purpose::Login, OTHER_SESSION).unwrap();
    let (o, _) = verify(&p, &key(), &other, &m.code().to_string(), at(1), &s);
    assert!(matches!(o, Outcome::Wrong { .. }), "{o:?}");
    let recovery = Binding::new(Purpose::Recovery, crate::SESSION).unwrap();
    assert!(matches!(
        verify(&p, &key(), &recovery, &m.code().to_string(), at(1), &s).0,
        Outcome::Wrong { .. }
    ));
    let other_key = Key::from_bytes(&[0x5b; 32]).unwrap();
    assert!(matches!(
        verify(&p, &other_key, &login(), &m.code().to_string(), at(1), &s).0,
        Outcome::Wrong { .. }
    ));
}

#[test]
fn a_resend_carries_the_same_code_and_its_first_expiry() {
    let p = Policy::DEFAULT;
    let mut r = rng(1);
    let (first, s) = send(&p, Reason::LoginStarted, at(0), &mut r, &State::new()).unwrap();
    let (again, s) = send(&p, Reason::UserResend, at(60), &mut r, &s).unwrap();
    assert!(again.is_same_code() && !first.is_same_code());
    assert_eq!(again.code(), first.code());
    assert_eq!(again.expires_at(), at(600));
    assert_eq!(again.valid_for(), Duration::seconds(540));
    let entries: Vec<_> = s.log().map(|e| e.code_number()).collect();
    assert_eq!(entries, [0, 0]);
    // The late first SMS still works.
    assert_eq!(
        verify(&p, &key(), &login(), &first.code().to_string(), at(90), &s).0,
        Outcome::Accepted
    );
}

#[test]
fn a_resend_late_in_the_lifetime_draws_a_new_code() {
    let p = Policy::DEFAULT;
    let mut r = rng(1);
    let (first, s) = send(&p, Reason::LoginStarted, at(0), &mut r, &State::new()).unwrap();
    let (still, _) = send(&p, Reason::UserResend, at(300), &mut r, &s).unwrap();
    assert!(still.is_same_code(), "half the lifetime left");
    let (new, s) = send(&p, Reason::UserResend, at(301), &mut r, &s).unwrap();
    assert!(!new.is_same_code());
    assert_eq!(new.expires_at(), at(901));
    assert_eq!(
        verify(&p, &key(), &login(), &first.code().to_string(), at(302), &s).0,
        Outcome::Superseded
    );
}

#[test]
fn under_the_new_code_rule_the_old_code_is_superseded() {
    let p = Policy::DEFAULT.with_resend_rule(ResendRule::NewCode);
    let mut r = rng(2);
    let (first, s) = send(&p, Reason::LoginStarted, at(0), &mut r, &State::new()).unwrap();
    let (second, s) = send(&p, Reason::UserResend, at(40), &mut r, &s).unwrap();
    assert!(!second.is_same_code());
    assert_ne!(first.code(), second.code());
    let (o, s) = verify(&p, &key(), &login(), &first.code().to_string(), at(50), &s);
    assert_eq!(o, Outcome::Superseded);
    assert_eq!(s.checks(), 1, "a superseded code counts as a check");
    assert_eq!(
        verify(&p, &key(), &login(), &second.code().to_string(), at(51), &s).0,
        Outcome::Accepted
    );
}

#[test]
fn a_new_login_attempt_gets_a_new_code() {
    let p = Policy::DEFAULT;
    let mut r = rng(3);
    let (first, s) = send(&p, Reason::LoginStarted, at(0), &mut r, &State::new()).unwrap();
    let other = Binding::new(Purpose::Login, OTHER_SESSION).unwrap();
    let (second, s) = issue(
        &p,
        &key(),
        &other,
        Reason::LoginStarted,
        Channel::Sms,
        at(40),
        &mut r,
        &s,
    )
    .unwrap();
    assert!(!second.is_same_code());
    assert!(matches!(
        verify(&p, &key(), &other, &first.code().to_string(), at(41), &s).0,
        Outcome::Wrong { .. }
    ));
}

#[test]
fn a_used_or_dead_code_is_never_re_sent() {
    let p = Policy::DEFAULT.with_max_checks(1).unwrap();
    let mut r = rng(4);
    let (first, s) = send(&p, Reason::LoginStarted, at(0), &mut r, &State::new()).unwrap();
    let (_, dead) = verify(
        &p,
        &key(),
        &login(),
        &other_code(&first.code().to_string()),
        at(1),
        &s,
    );
    let (m, _) = send(&p, Reason::UserResend, at(60), &mut r, &dead).unwrap();
    assert!(!m.is_same_code());
    let (_, used) = verify(&p, &key(), &login(), &first.code().to_string(), at(1), &s);
    let (m, _) = send(&p, Reason::UserResend, at(60), &mut r, &used).unwrap();
    assert!(!m.is_same_code());
}

#[test]
fn the_cooldown_doubles_with_each_send() {
    let p = Policy::DEFAULT;
    let mut r = rng(5);
    let mut s = State::new();
    // Sends at 0, 30, 90, 210, 450: cooldowns 30, 60, 120, 240 (and 480 next).
    let mut t = 0;
    for cooldown in [30, 60, 120, 240, 480] {
        let (_, next) = send(&p, Reason::UserResend, at(t), &mut r, &s).unwrap();
        s = next;
        let refused = send(&p, Reason::UserResend, at(t + cooldown - 1), &mut r, &s).unwrap_err();
        assert_eq!(
            refused,
            IssueError::TooSoon {
                limit: Limit::Cooldown,
                next_send_at: at(t + cooldown)
            }
        );
        t += cooldown;
        if t > 450 {
            break;
        }
    }
}

#[test]
fn the_short_and_long_caps_hold() {
    let p = Policy::DEFAULT.with_cooldown(Duration::ZERO).unwrap();
    let mut r = rng(6);
    let mut s = State::new();
    for t in 0..5 {
        s = send(&p, Reason::UserResend, at(t), &mut r, &s).unwrap().1;
    }
    let e = send(&p, Reason::UserResend, at(599), &mut r, &s).unwrap_err();
    assert_eq!(
        e,
        IssueError::TooSoon {
            limit: Limit::ShortCap,
            next_send_at: at(600)
        }
    );
    for t in 600..605 {
        s = send(&p, Reason::UserResend, at(t), &mut r, &s).unwrap().1;
    }
    let e = send(&p, Reason::UserResend, at(5_000), &mut r, &s).unwrap_err();
    assert_eq!(
        e,
        IssueError::TooSoon {
            limit: Limit::LongCap,
            next_send_at: at(86_400)
        }
    );
    assert!(send(&p, Reason::UserResend, at(86_400), &mut r, &s).is_ok());
}

#[test]
fn a_clock_moved_back_does_not_reopen_the_limits() {
    let p = Policy::DEFAULT;
    let mut r = rng(7);
    let (_, s) = send(&p, Reason::LoginStarted, at(1_000), &mut r, &State::new()).unwrap();
    let e = send(&p, Reason::UserResend, at(0), &mut r, &s).unwrap_err();
    assert_eq!(
        e,
        IssueError::TooSoon {
            limit: Limit::Cooldown,
            next_send_at: at(1_030)
        }
    );
}

#[test]
fn a_refused_send_changes_nothing() {
    let p = Policy::DEFAULT;
    let mut r = rng(8);
    let (_, s) = send(&p, Reason::LoginStarted, at(0), &mut r, &State::new()).unwrap();
    assert!(send(&p, Reason::UserResend, at(1), &mut r, &s).is_err());
    assert_eq!(s.log().count(), 1);
    assert_eq!(s.next_send_at(&p), (at(30), Some(Limit::Cooldown)));
}

#[test]
fn e_mail_carries_only_address_and_recovery_codes() {
    let p = Policy::DEFAULT;
    let mut r = rng(9);
    let e = issue(
        &p,
        &key(),
        &login(),
        Reason::LoginStarted,
        Channel::Email,
        at(0),
        &mut r,
        &State::new(),
    )
    .unwrap_err();
    assert_eq!(
        e,
        IssueError::Channel {
            purpose: Purpose::Login,
            channel: Channel::Email
        }
    );
    let address = Binding::new(Purpose::ConfirmAddress, b"ana@example.com-change-7").unwrap();
    let e = issue(
        &p,
        &key(),
        &address,
        Reason::Recovery,
        Channel::Sms,
        at(0),
        &mut r,
        &State::new(),
    )
    .unwrap_err();
    assert!(matches!(e, IssueError::Channel { .. }));
    let recovery = Binding::new(Purpose::Recovery, b"recovery-request-9").unwrap();
    let long = p.with_lifetime(Duration::minutes(30)).unwrap();
    assert!(
        issue(
            &long,
            &key(),
            &recovery,
            Reason::Recovery,
            Channel::Email,
            at(0),
            &mut r,
            &State::new()
        )
        .is_ok()
    );
    let e = issue(
        &long,
        &key(),
        &recovery,
        Reason::Recovery,
        Channel::Sms,
        at(0),
        &mut r,
        &State::new(),
    )
    .unwrap_err();
    assert_eq!(e, IssueError::PhoneLifetime { max_secs: 600 });
}

#[test]
fn the_sms_ends_with_the_origin_bound_line() {
    let (m, _) = send(
        &Policy::DEFAULT,
        Reason::LoginStarted,
        at(0),
        &mut rng(1),
        &State::new(),
    )
    .unwrap();
    let code = m.code().to_string();
    let text = m.sms_text(&Issuer::new("Example", "example.com").unwrap());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.last().copied(),
        Some(format!("@example.com #{code}").as_str())
    );
    assert!(
        text.contains("Example") && text.contains("10 minutes") && text.contains("Don't share it")
    );
    assert!(text.starts_with(&code));
    assert!(text.len() <= 160, "one SMS segment: {}", text.len());
}

#[test]
fn the_voice_text_spells_the_digits() {
    let (m, _) = send(
        &Policy::DEFAULT,
        Reason::LoginStarted,
        at(0),
        &mut rng(1),
        &State::new(),
    )
    .unwrap();
    let code = m.code().to_string();
    let spaced: String = code
        .chars()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(m.spaced_digits().as_str(), spaced);
    let voice = m.voice_text(&Issuer::new("Example", "example.com").unwrap());
    assert_eq!(voice.matches(&spaced).count(), 2);
    assert!(!voice.contains(&code), "never the digits run together");
    assert!(
        m.email(&Issuer::new("Example", "example.com").unwrap())
            .is_none()
    );
}

#[test]
fn e_mails_for_address_and_recovery() {
    let issuer = Issuer::new("Example", "example.com").unwrap();
    for (purpose, subject) in [
        (
            Purpose::ConfirmAddress,
            "Confirm your e-mail address for Example",
        ),
        (Purpose::Recovery, "Your Example account recovery code"),
    ] {
        let b = Binding::new(purpose, b"request-1").unwrap();
        let (m, _) = issue(
            &Policy::DEFAULT,
            &key(),
            &b,
            Reason::Recovery,
            Channel::Email,
            at(0),
            &mut rng(1),
            &State::new(),
        )
        .unwrap();
        let mail = m.email(&issuer).unwrap();
        assert_eq!(mail.subject(), subject);
        assert!(!mail.subject().contains(&m.code().to_string()));
        assert!(mail.body().contains(&m.code().to_string()) && mail.body().contains("10 minutes"));
        assert!(!format!("{mail:?}").contains(&m.code().to_string()));
    }
}

#[test]
fn no_secret_in_debug() {
    let (m, s) = send(
        &Policy::DEFAULT,
        Reason::LoginStarted,
        at(0),
        &mut rng(1),
        &State::new(),
    )
    .unwrap();
    let code = m.code().to_string();
    for shown in [
        format!("{m:?}"),
        format!("{:?}", key()),
        format!("{:?}", login()),
        format!("{:?}", m.code()),
    ] {
        assert!(!shown.contains(&code), "{shown}");
    }
    assert_eq!(format!("{:?}", key()), "Key { .. }");
    assert!(!format!("{:?}", login()).contains("session"));
    assert!(!s.to_string().contains(&code));
}

#[test]
fn policy_bounds() {
    assert_eq!(Policy::default(), Policy::DEFAULT);
    assert_eq!(Policy::DEFAULT.digits(), Digits::SIX);
    assert_eq!(Policy::DEFAULT.lifetime(), Duration::minutes(10));
    assert_eq!(Policy::DEFAULT.max_checks(), 5);
    assert_eq!(Policy::DEFAULT.cooldown(), Duration::seconds(30));
    assert_eq!(
        Policy::DEFAULT.short_cap(),
        Cap::new(5, Duration::minutes(10)).unwrap()
    );
    assert_eq!(
        Policy::DEFAULT.long_cap(),
        Cap::new(10, Duration::hours(24)).unwrap()
    );
    let p = Policy::DEFAULT;
    assert!(p.with_lifetime(Duration::seconds(60)).is_ok());
    assert!(p.with_lifetime(Duration::hours(1)).is_ok());
    assert_eq!(
        p.with_lifetime(Duration::seconds(3_601)),
        Err(PolicyError::Lifetime {
            secs: 3_601,
            min: 60,
            max: 3_600
        })
    );
    assert!(p.with_lifetime(Duration::seconds(-1)).is_err());
    assert!(p.with_max_checks(10).is_ok() && p.with_max_checks(11).is_err());
    assert!(p.with_cooldown(Duration::minutes(10)).is_ok());
    assert!(p.with_cooldown(Duration::seconds(-1)).is_err());
    assert!(Cap::new(10, Duration::days(7)).is_ok());
    assert!(Cap::new(1, Duration::seconds(59)).is_err());
    assert!(Cap::new(1, Duration::days(8)).is_err());
    assert!(Cap::new(0, Duration::hours(1)).is_err());
}

#[test]
fn keys_and_bindings_are_checked() {
    assert!(Key::from_bytes(&[1; 31]).is_err());
    assert!(Key::from_bytes(&[1; 32]).is_ok());
    assert!(Key::from_bytes(&[1; 64]).is_ok());
    assert!(Key::from_bytes(&[1; 65]).is_err());
    assert!(Binding::new(Purpose::Login, &[0; 64]).is_ok());
    assert!(Binding::new(Purpose::Login, &[0; 65]).is_err());
    assert!(Issuer::new("", "example.com").is_err());
    assert!(Issuer::new("Example", "").is_err());
    assert!(Issuer::new("Ex\nample", "example.com").is_err());
    assert!(Issuer::new("Example", "exa mple.com").is_err());
    assert!(Issuer::new(&"x".repeat(33), "example.com").is_err());
}

#[test]
fn longer_codes_follow_the_policy() {
    let p = Policy::DEFAULT.with_digits(Digits::new(10).unwrap());
    let (m, s) = send(&p, Reason::LoginStarted, at(0), &mut rng(1), &State::new()).unwrap();
    assert_eq!(m.code().to_string().len(), 10);
    // A policy change after the send does not change the code's length.
    assert!(matches!(
        verify(&Policy::DEFAULT, &key(), &login(), "123456", at(1), &s).0,
        Outcome::Malformed(_)
    ));
    assert_eq!(
        verify(
            &Policy::DEFAULT,
            &key(),
            &login(),
            &m.code().to_string(),
            at(1),
            &s
        )
        .0,
        Outcome::Accepted
    );
    let _ = T;
}

#[test]
fn types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Key>();
    check::<State>();
    check::<twostep::delivered::Message>();
    check::<twostep::delivered::Diagnosis>();
    check::<Policy>();
    check::<Outcome>();
}
