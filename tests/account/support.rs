//! The support desk on a record: the time-sync diagnostic counted on the
//! record's throttle, the delivery diagnostic reading it, the provider's
//! answers in the delivery log, the cooldown's retry time, the driver's
//! error split, and the `*_os` variants.

use twostep::account::{self, Account, AccountError, LoginOutcome, RunError};
use twostep::delivered::{self, LogError, Report, Status};
use twostep::diagnose::{DiagnoseOptions, Observation, Verdict};
use twostep::guard::Blocked;
use twostep::otp::KeyedTotp;
use twostep::time::Duration;
use twostep::{Guard, Totp, UnixTime};

use super::{at, config, config_with, enrol, locking_at, login, login_binding, send, user};

/// A code the app does not show anywhere near `t` (±26 h, the search
/// range): the right one plus one, checked against every step searched.
fn wrong_code(app: &KeyedTotp, t: UnixTime) -> String {
    let right: u32 = app.generate(t).unwrap().to_string().parse().unwrap();
    let code = format!("{:06}", (right + 1) % 1_000_000);
    let range = 26 * 3600 + 300;
    for s in (t.as_secs() - range..t.as_secs() + range).step_by(30) {
        assert_ne!(
            app.generate(UnixTime::from_secs(s)).unwrap().to_string(),
            code
        );
    }
    code
}

fn diagnose(
    config: &account::Config,
    codes: &[(&str, UnixTime)],
    a: &Account,
) -> (twostep::diagnose::Diagnosis, Account) {
    let obs: Vec<_> = codes.iter().map(|(c, t)| Observation::new(c, *t)).collect();
    account::diagnose_totp(config, &user(), &obs, &DiagnoseOptions::default(), a).unwrap()
}

#[test]
fn a_diagnosis_counts_each_code_as_an_attempt_in_the_record() {
    let config = config_with(locking_at(3));
    let e = enrol(&config, true, false, false, 1);
    let app = e.app.unwrap();
    let (c1, c2) = (wrong_code(&app, at(600)), wrong_code(&app, at(660)));
    let (d, a) = diagnose(&config, &[(&c1, at(600)), (&c2, at(660))], &e.account);
    assert_eq!(d.verdict(), Verdict::NoMatch);
    assert_eq!(a.guard().failures(), e.account.guard().failures() + 2);
    // Everything but the guard state is the record's own.
    assert_eq!(a.with_failures_reset(), e.account.with_failures_reset());
    // The two codes and one wrong login reach the lock of three.
    assert_eq!(config.guard().blocked(at(700), a.guard()), None);
    let (_, a) = login(&config, &wrong_code(&app, at(700)), at(700), &a);
    assert_eq!(
        config.guard().blocked(at(710), a.guard()),
        Some(Blocked::Locked)
    );
    // Locked: the next diagnosis looks at nothing and changes nothing.
    let right = app.generate(at(720)).unwrap().to_string();
    let (d, after) = diagnose(&config, &[(&right, at(720))], &a);
    assert_eq!(d.verdict(), Verdict::Blocked(Blocked::Locked));
    assert_eq!(after, a);
}

#[test]
fn a_blocked_account_gets_blocked_and_too_many_codes_are_refused() {
    let config = config_with(locking_at(1));
    let e = enrol(&config, true, false, false, 2);
    let app = e.app.unwrap();
    let (_, locked) = login(&config, &wrong_code(&app, at(60)), at(60), &e.account);
    assert_eq!(
        config.guard().blocked(at(90), locked.guard()),
        Some(Blocked::Locked)
    );
    let right = app.generate(at(90)).unwrap().to_string();
    let (d, after) = diagnose(&config, &[(&right, at(90))], &locked);
    assert_eq!(d.verdict(), Verdict::Blocked(Blocked::Locked));
    assert_eq!(after, locked);
    // One attempt left before the lock: two codes are refused unseen.
    let (d, after) = diagnose(&config, &[(&right, at(90)), (&right, at(91))], &e.account);
    assert_eq!(d.verdict(), Verdict::TooManyCodes { allowed: 1 });
    assert_eq!(after, e.account);
}

#[test]
fn a_phone_five_hours_fast_from_two_codes() {
    let config = config();
    let e = enrol(&config, true, false, false, 3);
    let app = e.app.unwrap();
    let fast = 5 * 3600;
    let seen = |t: UnixTime| {
        app.generate(UnixTime::from_secs(t.as_secs() + fast))
            .unwrap()
            .to_string()
    };
    let (c1, c2) = (seen(at(600)), seen(at(660)));
    let (d, a) = diagnose(&config, &[(&c1, at(600)), (&c2, at(660))], &e.account);
    let Verdict::TimeZoneLike { offset, .. } = d.verdict() else {
        panic!("{:?}", d.verdict());
    };
    assert!((offset.whole_seconds() - 18_000).abs() <= 60, "{offset}");
    assert!(
        d.to_string().contains("5 hours") && d.to_string().contains("ahead"),
        "{d}"
    );
    assert!(d.is_confirmed());
    assert_eq!(a, e.account); // confirmed: not counted
}

#[test]
fn a_diagnosis_without_an_app_or_codes_is_an_error() {
    let config = config();
    let e = enrol(&config, false, false, true, 4);
    let obs = [Observation::new("123456", at(0))];
    let none = account::diagnose_totp(
        &config,
        &user(),
        &obs,
        &DiagnoseOptions::default(),
        &e.account,
    );
    assert_eq!(none.unwrap_err(), AccountError::NoTotp);
    let e = enrol(&config, true, false, false, 4);
    let empty = account::diagnose_totp(
        &config,
        &user(),
        &[],
        &DiagnoseOptions::default(),
        &e.account,
    );
    assert!(matches!(empty, Err(AccountError::Diagnose(_))));
}

#[test]
fn the_delivery_diagnostic_reads_the_records_throttle() {
    // Back-off after two failures, lock at four.
    let throttle = twostep::guard::Throttle::DEFAULT
        .with_free_attempts(1)
        .unwrap()
        .with_lock_after(4)
        .unwrap();
    let config = config_with(Guard::new(Totp::new()).with_throttle(throttle));
    let e = enrol(&config, false, true, false, 5);
    let (m, a) = send(&config, at(100), 5, &e.account);
    let right = m.code().to_string();
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    let refused = |typed, t| Report::CodeRefused { typed, at: t };
    let diag = |report, now, a: &Account| {
        account::diagnose_delivery(&config, &login_binding(), report, now, a)
    };

    // The right code in time: one check, no failure, not used up.
    let (d, a) = diag(refused(&right, at(110)), at(110), &a);
    assert_eq!(d.verdict(), delivered::Verdict::RightInTime);
    assert_eq!((a.delivered().checks(), a.guard().failures()), (1, 0));
    // Two wrong codes: one check and one failure each.
    let (d, a) = diag(refused(&wrong, at(111)), at(111), &a);
    assert!(matches!(d.verdict(), delivered::Verdict::WrongCode { .. }));
    let (_, a) = diag(refused(&wrong, at(112)), at(112), &a);
    assert_eq!((a.delivered().checks(), a.guard().failures()), (3, 2));
    // Now the guard backs off: the diagnostic says until when, unchecked.
    let Some(Blocked::Throttled { retry_after }) = config.guard().blocked(at(112), a.guard())
    else {
        panic!("not throttled");
    };
    let (d, after) = diag(refused(&right, at(112)), at(112), &a);
    let until = at(112).checked_add(retry_after).unwrap();
    assert_eq!(d.verdict(), delivered::Verdict::AccountThrottled { until });
    assert_eq!(after, a);
    // Locked: two more wrong logins after the back-off.
    let later = until.checked_add(Duration::DAY).unwrap();
    let (_, a) = login(&config, &wrong, later, &a);
    let later = later.checked_add(Duration::DAY).unwrap();
    let (_, a) = login(&config, &wrong, later, &a);
    assert_eq!(
        config.guard().blocked(later, a.guard()),
        Some(Blocked::Locked)
    );
    let (d, after) = diag(refused(&right, later), later, &a);
    assert_eq!(d.verdict(), delivered::Verdict::AccountLocked);
    assert_eq!(after, a);
    // "I don't get the code" only reads the record.
    let (_, after) = diag(Report::NotReceived, later, &a);
    assert_eq!(after, a);
}

#[test]
fn the_providers_answers_land_in_the_records_log() {
    let config = config();
    let e = enrol(&config, false, true, false, 6);
    let (m, a) = send(&config, at(100), 6, &e.account);
    let a = account::record_sent(m.id(), "SM77", "42", &a).unwrap();
    let entry = *a.delivered().latest().unwrap();
    assert_eq!(
        entry.provider_id().map(|p| p.to_string()).as_deref(),
        Some("SM77")
    );
    assert_eq!(entry.hint().map(|h| h.to_string()).as_deref(), Some("42"));
    let a = account::record_status("SM77", Status::Delivered, at(104), &a).unwrap();
    assert_eq!(a.delivered().latest().unwrap().status(), Status::Delivered);
    let (d, _) =
        account::diagnose_delivery(&config, &login_binding(), Report::NotReceived, at(164), &a);
    assert_eq!(
        d.verdict(),
        delivered::Verdict::Delivered {
            ago: Duration::minutes(1)
        }
    );
    // Only the log changed.
    let back = account::with_delivered(&a, e.account.delivered().clone());
    let sent_only = account::with_delivered(&e.account, delivered::State::new());
    assert_eq!(
        account::with_delivered(&back, delivered::State::new()),
        sent_only
    );
    assert_eq!(
        account::record_status("SM78", Status::Sent, at(105), &a),
        Err(AccountError::Log(LogError::UnknownMessage))
    );
    assert!(matches!(
        account::record_sent(m.id(), "bad;id", "42", &a),
        Err(AccountError::Log(LogError::ProviderId { .. }))
    ));
}

#[test]
fn a_send_held_back_says_how_long_to_wait() {
    let config = config();
    let e = enrol(&config, false, true, false, 7);
    let (_, a) = send(&config, at(100), 7, &e.account);
    let again = |now| {
        account::send_code(
            &config,
            &login_binding(),
            delivered::Reason::UserResend,
            now,
            &mut super::rng(8),
            &a,
        )
    };
    // The default policy's cooldown: 30 seconds after the first send (the
    // phone's confirmation), doubled to 60 after the second.
    let held = again(at(110)).unwrap_err();
    assert!(matches!(
        held,
        AccountError::Issue(delivered::IssueError::TooSoon { .. })
    ));
    assert_eq!(held.retry_after(at(110)), Some(Duration::seconds(50)));
    assert_eq!(held.retry_after(at(200)), Some(Duration::ZERO));
    assert!(again(at(159)).is_err());
    assert!(again(at(160)).is_ok());
    assert_eq!(AccountError::NoPhone.retry_after(at(110)), None);
    assert_eq!(AccountError::Locked.retry_after(at(110)), None);
}

#[test]
fn the_driver_error_splits_from_the_operations() {
    struct Opaque; // no Display, no Debug
    let op: RunError<std::io::Error, Opaque> = RunError::Operation(Opaque);
    assert!(matches!(op.into_operation(), Ok(Opaque)));
    let busy: RunError<std::io::Error, Opaque> = RunError::Contention { tries: 16 };
    let server = busy.into_operation().err().unwrap();
    assert_eq!(
        server.to_string(),
        "the record changed under 16 tries in a row"
    );
    let store: RunError<std::io::Error, Opaque> = RunError::Store(std::io::Error::other("disk"));
    assert_eq!(
        store.into_operation().err().unwrap().to_string(),
        "account store: disk"
    );
}

#[cfg(feature = "getrandom")]
#[test]
fn the_os_variants_enrol_send_and_issue_codes() {
    use twostep::account::{Confirmation, Phone};
    use twostep::delivered::{Binding, Channel, Hint, Purpose, Reason};
    let config = config();
    let (uri, a) =
        account::begin_totp_os(&config, &user(), "Example", "ana", at(0), &Account::new()).unwrap();
    let (uri2, _) =
        account::begin_totp_os(&config, &user(), "Example", "ana", at(0), &Account::new()).unwrap();
    assert_ne!(uri.to_uri_string(), uri2.to_uri_string());
    let first = Totp::new()
        .generate(uri.secret(), at(0))
        .unwrap()
        .to_string();
    let (c, a) = account::confirm_totp(&config, &user(), &first, at(0), &a).unwrap();
    assert_eq!(c, Confirmation::Confirmed);

    let confirm = Binding::new(Purpose::ConfirmPhone, b"settings").unwrap();
    let a = account::begin_phone(
        Phone::new(Channel::Sms, Hint::new("42").unwrap()).unwrap(),
        &a,
    );
    let (m, a) = account::send_code_os(&config, &confirm, Reason::PhoneChange, at(10), &a).unwrap();
    let (c, a) =
        account::confirm_phone(&config, &confirm, &m.code().to_string(), at(20), &a).unwrap();
    assert_eq!(c, Confirmation::Confirmed);

    let (shown, a) = account::regenerate_backup_codes_os(&config, &a).unwrap();
    let (again, _) = account::regenerate_backup_codes_os(&config, &a).unwrap();
    assert_ne!(
        shown.get(0).unwrap().to_string(),
        again.get(0).unwrap().to_string()
    );
    let code = shown.get(3).unwrap().to_string();
    let (outcome, _) = login(&config, &code, at(30), &a);
    assert!(matches!(
        outcome,
        LoginOutcome::Accepted {
            method: account::Method::BackupCode,
            ..
        }
    ));
}
