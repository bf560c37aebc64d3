//! `login`: every method and every refusal, the one throttle, the doubled
//! odds, RFC 6238 vectors, a sealed secret in another user's record.

use twostep::account::seal::OpenError;
use twostep::account::{self, Account, AccountError, Confirmation, LoginOutcome, Method, Refusal};
use twostep::guard::Throttle;
use twostep::{Guard, Totp, UnixTime};

use crate::{USER, at, config, config_with, enrol, locking_at, login, rng, send, user};

fn refused(reason: Refusal) -> LoginOutcome {
    LoginOutcome::Refused { reason }
}

fn method(outcome: &LoginOutcome) -> Option<Method> {
    match outcome {
        LoginOutcome::Accepted { method, .. } => Some(*method),
        _ => None,
    }
}

#[test]
fn totp_accepted_once_then_replayed_not_counted() {
    let config = config();
    let e = enrol(&config, true, false, true, 1);
    let app = e.app.unwrap();
    let code = app.generate(at(60)).unwrap().to_string();
    let (outcome, account) = login(&config, &code, at(60), &e.account);
    assert_eq!(
        outcome,
        LoginOutcome::Accepted {
            method: Method::Totp,
            backup_codes_left: Some(10),
            renew_backup_codes: false
        }
    );
    let (again, after) = login(&config, &code, at(61), &account);
    assert_eq!(again, refused(Refusal::Replayed));
    assert_eq!(after, account, "a replay changes nothing");
}

#[test]
fn the_confirming_code_is_spent() {
    let config = config();
    let e = enrol(&config, true, false, false, 2);
    let first = e.app.unwrap().generate(at(0)).unwrap().to_string();
    assert_eq!(
        login(&config, &first, at(5), &e.account).0,
        refused(Refusal::Replayed)
    );
}

#[test]
fn wrong_and_malformed_codes_each_count_once() {
    let config = config_with(locking_at(100));
    let e = enrol(&config, true, false, false, 3);
    let app = e.app.unwrap();
    let right = app.generate(at(60)).unwrap().value();
    let wrong = format!("{:06}", (right + 1) % 1_000_000);
    let (o, a) = login(&config, &wrong, at(60), &e.account);
    assert_eq!((o, a.guard().failures()), (refused(Refusal::Wrong), 1));
    // Without backup codes, an input of no code's shape is malformed.
    let (o, a) = login(&config, "12345", at(60), &a);
    assert_eq!((o, a.guard().failures()), (refused(Refusal::Malformed), 2));
    let (o, a) = login(&config, "abcdef", at(60), &a);
    assert_eq!((o, a.guard().failures()), (refused(Refusal::Malformed), 3));
    // A success clears them.
    let (o, a) = login(
        &config,
        &app.generate(at(60)).unwrap().to_string(),
        at(60),
        &a,
    );
    assert!(o.is_accepted());
    assert_eq!(a.guard().failures(), 0);
}

#[test]
fn nothing_enrolled_is_refused_and_not_counted() {
    let config = config();
    let (o, a) = login(&config, "123456", at(0), &Account::new());
    assert_eq!(o, refused(Refusal::NotEnrolled));
    assert_eq!(a, Account::new());
}

#[test]
fn throttled_then_locked_and_backup_codes_pass_the_lock() {
    let config = config(); // Throttle::DEFAULT: 3 free, 30 s doubling, 15 min cap, lock at 10
    let e = enrol(&config, true, false, true, 4);
    let app = e.app.unwrap();
    let mut account = e.account;
    let mut now = at(100);
    let mut counted = 0;
    while counted < 10 {
        let (o, next) = login(&config, "000000", now, &account);
        match o {
            LoginOutcome::Refused {
                reason: Refusal::Wrong,
            } => counted += 1,
            LoginOutcome::Throttled { retry_after } => {
                assert_eq!(
                    next.guard().failures(),
                    account.guard().failures(),
                    "not counted"
                );
                now = now.checked_add(retry_after).unwrap();
            }
            other => panic!("{other:?}"),
        }
        account = next;
    }
    // Locked: the right TOTP code is refused unseen, nothing changes.
    let code = app.generate(now).unwrap().to_string();
    assert_eq!(
        login(&config, &code, now, &account),
        (LoginOutcome::Locked, account.clone())
    );
    // A backup code waits out the maximum back-off, then passes the lock.
    let backup = e.codes.unwrap().get(0).unwrap().to_string();
    let (o, _) = login(&config, &backup, now, &account);
    assert_eq!(
        o,
        LoginOutcome::Throttled {
            retry_after: Throttle::DEFAULT.max_delay()
        }
    );
    let later = now.checked_add(Throttle::DEFAULT.max_delay()).unwrap();
    let (o, account) = login(&config, &backup, later, &account);
    assert_eq!(
        o,
        LoginOutcome::Accepted {
            method: Method::BackupCode,
            backup_codes_left: Some(9),
            renew_backup_codes: false
        }
    );
    assert_eq!(account.guard().failures(), 0);
    let code = app.generate(later).unwrap().to_string();
    assert_eq!(
        method(&login(&config, &code, later, &account).0),
        Some(Method::Totp)
    );
}

#[test]
fn backup_codes_used_wrong_and_renewal_prompt() {
    let config = config_with(locking_at(100));
    let e = enrol(&config, false, false, true, 5);
    let codes = e.codes.unwrap();
    let mut account = e.account;
    for i in 0..7 {
        let code = codes.get(i).unwrap().to_string().to_lowercase();
        let (o, next) = login(&config, &code, at(10), &account);
        let left = 9 - i;
        // Policy::DEFAULT prompts at 3 left.
        assert_eq!(
            o,
            LoginOutcome::Accepted {
                method: Method::BackupCode,
                backup_codes_left: Some(left),
                renew_backup_codes: left <= 3
            },
            "code {i}"
        );
        account = next;
    }
    let first = codes.get(0).unwrap().to_string();
    let (o, account) = login(&config, &first, at(10), &account);
    assert_eq!((o, account.guard().failures()), (refused(Refusal::Used), 1));
    let (o, account) = login(&config, "0000-0000-0000-0000-0000-0000", at(10), &account);
    assert_eq!(
        (o, account.guard().failures()),
        (refused(Refusal::Wrong), 2)
    );
    let (o, account) = login(&config, "not a code", at(10), &account);
    assert_eq!(
        (o, account.guard().failures()),
        (refused(Refusal::Malformed), 3)
    );
}

#[test]
fn delivered_code_accepted_and_every_refusal() {
    let config = config_with(locking_at(100));
    let e = enrol(&config, false, true, false, 6);
    // No login code sent yet (the confirmation code is used).
    let (o, account) = login(&config, "123456", at(60), &e.account);
    assert_eq!(o, refused(Refusal::Used));
    let (m, account) = send(&config, at(60), 1, &account);
    let code = m.code().to_string();
    let wrong = format!("{:06}", (m.code().value() + 1) % 1_000_000);
    let (o, account) = login(&config, &wrong, at(61), &account);
    assert_eq!(
        (o, account.guard().failures()),
        (refused(Refusal::Wrong), 2)
    );
    // Expired.
    let late = m.expires_at();
    let (o, _) = login(&config, &code, late, &account);
    assert_eq!(o, refused(Refusal::Expired));
    // Accepted, then used.
    let (o, account) = login(&config, &code, at(70), &account);
    assert_eq!(
        (method(&o), account.guard().failures()),
        (Some(Method::Delivered), 0)
    );
    let (o, account) = login(&config, &code, at(71), &account);
    assert_eq!(o, refused(Refusal::Used));
    // Superseded: a new code replaces an unused one.
    let (first, account) = send(&config, at(200), 2, &account);
    let policy = twostep::delivered::Policy::DEFAULT
        .with_resend_rule(twostep::delivered::ResendRule::NewCode);
    let config2 = config_with(locking_at(100))
        .with_delivered_policy(policy)
        .unwrap();
    let (second, account) = send(&config2, at(400), 3, &account);
    assert_ne!(first.code(), second.code());
    let (o, account) = login(&config2, &first.code().to_string(), at(401), &account);
    assert_eq!(o, refused(Refusal::Superseded));
    // Too many checks.
    let mut account = account;
    let wrong = format!("{:06}", (second.code().value() + 1) % 1_000_000);
    for _ in 0..4 {
        account = login(&config2, &wrong, at(402), &account).1;
    }
    let (o, _) = login(&config2, &second.code().to_string(), at(403), &account);
    assert_eq!(o, refused(Refusal::TooManyChecks));
}

#[test]
fn no_code_sent_when_the_phone_never_got_one() {
    let config = config();
    let account = enrol(&config, false, false, false, 7).account;
    let phone = twostep::account::Phone::new(
        twostep::delivered::Channel::Voice,
        twostep::delivered::Hint::new("07").unwrap(),
    )
    .unwrap();
    // A record whose phone was confirmed elsewhere (moved from an older
    // column): the text form puts it in place.
    let text = account.to_string().replacen(";-;-;-;", ";-;-;v.07;", 1);
    let account: Account = text.parse().unwrap();
    assert_eq!(account.phone(), Some(&phone));
    let (o, account) = login(&config, "123456", at(0), &account);
    assert_eq!(
        (o, account.guard().failures()),
        (refused(Refusal::NoCodeSent), 1)
    );
}

/// With an app and a phone, a 6-digit input may be either: exactly the
/// window's TOTP codes and the sent code are accepted (4 codes of 10⁶
/// instead of 3: the doubled odds the docs state), nothing else.
#[test]
fn a_code_that_could_be_two_kinds_is_checked_as_both() {
    let config = config_with(locking_at(100));
    let e = enrol(&config, true, true, false, 8);
    let app = e.app.unwrap();
    let (m, account) = send(&config, at(600), 9, &e.account);
    let now = at(630);
    let step = config.guard().totp().step_at(now).unwrap();
    let window: Vec<u64> = (step - 1..=step + 1)
        .map(|s| app.code_at_step(s).value())
        .collect();
    let sent = m.code().value();
    for &v in &window {
        let (o, after) = login(&config, &format!("{v:06}"), now, &account);
        // A TOTP match wins (even in the rare case that the codes agree).
        assert_eq!(method(&o), Some(Method::Totp), "{v}");
        // The sent code stays usable after a TOTP login.
        if v != sent {
            assert_eq!(after.delivered(), account.delivered());
        }
    }
    let (o, after) = login(&config, &m.code().to_string(), now, &account);
    assert_eq!(method(&o), Some(Method::Delivered));
    assert_eq!(
        after.guard().last_step(),
        account.guard().last_step(),
        "no TOTP step spent"
    );
    // Every other code in a sample is refused, and counted once.
    let mut rng = rng(10);
    let mut refused_n = 0;
    for _ in 0..2_000 {
        let v = rand_core::Rng::next_u64(&mut rng) % 1_000_000;
        if window.contains(&v) || v == sent {
            continue;
        }
        let (o, after) = login(&config, &format!("{v:06}"), now, &account);
        assert_eq!(o, refused(Refusal::Wrong));
        assert_eq!(after.guard().failures(), 1);
        assert_eq!(
            after.delivered().checks(),
            1,
            "the sent code's check counted"
        );
        refused_n += 1;
    }
    assert!(refused_n > 1_900);
}

/// RFC 6238 Appendix B through `login`: each vector's secret sealed into a
/// record with its algorithm and 8 digits.
#[test]
fn rfc6238_vectors_log_in() {
    const VECTORS: &str = include_str!("../vectors/rfc6238_appendix_b.txt");
    let config =
        config_with(Guard::new(Totp::new()).with_window(twostep::Window::new(0, 0).unwrap()));
    let mut rng = rng(11);
    let mut n = 0;
    for line in VECTORS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (time, code, mode) = (f[0].parse::<u64>().unwrap(), f[2], f[3]);
        let (seed, alg): (&[u8], &str) = match mode {
            "SHA1" => (b"12345678901234567890", "sha1"),
            "SHA256" => (b"12345678901234567890123456789012", "sha256"),
            _ => (
                b"1234567890123456789012345678901234567890123456789012345678901234",
                "sha512",
            ),
        };
        let secret = twostep::Secret::from_bytes(seed).unwrap();
        let sealed = config
            .keyring()
            .seal_secret(USER, &secret, &mut rng)
            .unwrap();
        let text = format!("a1;g1.-.0.0.-;{alg}.8.30.0.{sealed};-;-;-;-;0;-;d1;-;-;0.0");
        let account: Account = text.parse().unwrap();
        assert_eq!(account.to_string(), text);
        let now = UnixTime::from_secs(time);
        let (o, after) = login(&config, code, now, &account);
        assert_eq!(method(&o), Some(Method::Totp), "{line}");
        assert_eq!(after.guard().last_step(), Some(time / 30), "{line}");
        let wrong = format!("{:08}", (code.parse::<u64>().unwrap() + 1) % 100_000_000);
        assert_eq!(
            login(&config, &wrong, now, &account).0,
            refused(Refusal::Wrong),
            "{line}"
        );
        n += 1;
    }
    assert_eq!(n, 18);
}

/// A sealed secret copied into another user's record does not open: the
/// login fails with a typed error and the record is not changed.
#[test]
fn a_sealed_secret_in_another_users_record_fails_to_open() {
    let config = config();
    let e = enrol(&config, true, false, false, 12);
    let code = e.app.unwrap().generate(at(60)).unwrap().to_string();
    let other = twostep::account::User::new(b"user-7").unwrap();
    let binding = crate::login_binding();
    let r = account::login(&config, &other, &binding, &code, at(60), &e.account);
    assert_eq!(r, Err(AccountError::Open(OpenError::Forged)));
    // And the owner still logs in with it.
    let r = account::login(&config, &user(), &binding, &code, at(60), &e.account).unwrap();
    assert!(r.0.is_accepted());
}

#[test]
fn outcomes_display_and_serialize_with_stable_names() {
    let cases = [
        (
            LoginOutcome::Accepted {
                method: Method::BackupCode,
                backup_codes_left: Some(2),
                renew_backup_codes: true,
            },
            r#"{"outcome":"accepted","method":"backup_code","backup_codes_left":2,"renew_backup_codes":true}"#,
            "accepted (backup_code)",
        ),
        (
            refused(Refusal::TooManyChecks),
            r#"{"outcome":"refused","reason":"too_many_checks"}"#,
            "refused: too many tries for that code; ask for a new one",
        ),
        (
            LoginOutcome::Throttled {
                retry_after: time::Duration::seconds(30),
            },
            r#"{"outcome":"throttled","retry_after_secs":30}"#,
            "too many attempts; try again in 30 s",
        ),
        (
            LoginOutcome::Locked,
            r#"{"outcome":"locked"}"#,
            "locked; use a backup code",
        ),
    ];
    for (outcome, json, text) in cases {
        #[cfg(feature = "serde")]
        assert_eq!(serde_json::to_string(&outcome).unwrap(), json);
        let _ = json;
        assert_eq!(outcome.to_string(), text);
    }
    #[cfg(feature = "serde")]
    {
        let m: Method = serde_json::from_str(r#""delivered""#).unwrap();
        assert_eq!(m, Method::Delivered);
        assert!(serde_json::from_str::<Refusal>(r#""Wrong""#).is_err());
    }
}

#[test]
fn a_config_whose_backup_codes_look_like_totp_codes_is_refused() {
    use twostep::otp::Digits;
    let short = twostep::backup::Policy::DEFAULT.with_length(10).unwrap();
    let ten = Guard::new(Totp::new().with_digits(Digits::new(10).unwrap()));
    let r = config_with(Guard::new(Totp::new()))
        .with_backup_policy(short)
        .unwrap()
        .with_guard(ten);
    assert_eq!(r.err(), Some(AccountError::AmbiguousLengths { length: 10 }));
}

#[test]
fn confirmations_without_anything_pending_are_refused_and_not_counted() {
    let config = config();
    let binding =
        twostep::delivered::Binding::new(twostep::delivered::Purpose::ConfirmPhone, b"s").unwrap();
    let (c, a) =
        account::confirm_phone(&config, &binding, "123456", at(0), &Account::new()).unwrap();
    assert_eq!(
        (c, a),
        (
            account::Confirmation::Refused {
                reason: Refusal::NotEnrolled
            },
            Account::new()
        )
    );
    let (c, a) = account::confirm_totp(&config, &user(), "123456", at(0), &Account::new()).unwrap();
    assert_eq!(
        (c, a),
        (
            account::Confirmation::Refused {
                reason: Refusal::NotEnrolled
            },
            Account::new()
        )
    );
}

#[test]
fn no_login_code_is_sent_to_a_locked_account() {
    let config = config_with(locking_at(3));
    let e = enrol(&config, false, true, true, 13);
    let mut a = e.account;
    for _ in 0..3 {
        a = login(&config, "000000", at(60), &a).1;
    }
    let r = account::send_code(
        &config,
        &crate::login_binding(),
        twostep::delivered::Reason::LoginStarted,
        at(60),
        &mut rng(14),
        &a,
    );
    assert!(matches!(r, Err(AccountError::Locked)), "{r:?}");
}

#[test]
fn a_pending_app_enrolment_expires_after_its_lifetime() {
    let config = config();
    let mut rng = rng(11);
    let (uri, pending) = account::begin_totp(
        &config,
        &user(),
        "Example",
        "ana",
        at(0),
        &mut rng,
        &Account::new(),
    )
    .unwrap();
    let app = config.guard().totp().key(uri.secret());
    // One hour, written out here independently of the library's constant.
    let hour = 3_600;
    let late = at(hour);
    let typed = app.generate(late).unwrap().to_string();
    let (c, after) = account::confirm_totp(&config, &user(), &typed, late, &pending).unwrap();
    assert_eq!(
        c,
        Confirmation::Refused {
            reason: Refusal::Expired
        }
    );
    // Nothing compared, nothing counted; the pending enrolment is dropped,
    // so the page starts a new one.
    assert_eq!(after.guard().failures(), 0);
    assert!(after.pending_totp().is_none() && after.totp().is_none());
    // A second earlier, the same app confirms.
    let in_time = at(hour - 1);
    let typed = app.generate(in_time).unwrap().to_string();
    let (c, _) = account::confirm_totp(&config, &user(), &typed, in_time, &pending).unwrap();
    assert!(c.is_confirmed());
}

#[test]
fn the_pending_enrolment_shows_its_uri_again_until_it_expires() {
    let config = config();
    let (uri, a) = account::begin_totp(
        &config,
        &user(),
        "Example",
        "ana",
        at(0),
        &mut rng(21),
        &Account::new(),
    )
    .unwrap();
    let again = |now, a: &Account| {
        account::pending_totp_uri(&config, &user(), "Example", "ana", now, a)
            .unwrap()
            .map(|u| u.to_uri_string())
    };
    // A wrong first code leaves the same secret pending.
    let (c, a) = account::confirm_totp(&config, &user(), "not-a-code", at(10), &a).unwrap();
    assert!(!c.is_confirmed());
    assert_eq!(again(at(10), &a), Some(uri.to_uri_string()));
    // An hour after it began it is gone, and once confirmed nothing is pending.
    assert_eq!(again(at(3600), &a), None);
    let first = Totp::default()
        .generate(uri.secret(), at(20))
        .unwrap()
        .to_string();
    let (_, a) = account::confirm_totp(&config, &user(), &first, at(20), &a).unwrap();
    assert_eq!(again(at(20), &a), None);
    // Another user's keys do not open it.
    let (_, pending) = account::begin_totp(
        &config,
        &user(),
        "E",
        "a",
        at(0),
        &mut rng(22),
        &Account::new(),
    )
    .unwrap();
    let eve = account::User::new(b"user-eve").unwrap();
    let other = account::pending_totp_uri(&config, &eve, "E", "a", at(0), &pending);
    assert!(matches!(other, Err(AccountError::Open(OpenError::Forged))));
}
