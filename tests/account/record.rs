//! The record's text form: exact round trips, the largest reachable record
//! within `MAX_LEN`, and hostile text.

use twostep::account::device::DeviceId;
use twostep::account::{self, Account, DeviceLabel};
use twostep::backup::Policy;
use twostep::delivered::{self, Binding, Purpose, Reason};
use twostep::{Guard, Totp};

use crate::{at, config, config_with, enrol, rng, user};

#[test]
fn a_new_record_prints_and_parses_back() {
    let text = "a1;g1.-.0.0.-;-;-;-;-;-;0;-;d1;-;-;0.0";
    assert_eq!(Account::new().to_string(), text);
    assert_eq!(text.parse::<Account>().unwrap(), Account::new());
}

#[test]
fn an_enrolled_record_round_trips_exactly() {
    let config = config();
    let e = enrol(&config, true, true, true, 20);
    let text = e.account.to_string();
    let parsed: Account = text.parse().unwrap();
    assert_eq!(parsed, e.account);
    assert_eq!(parsed.to_string(), text);
    #[cfg(feature = "serde")]
    {
        let json = serde_json::to_string(&e.account).unwrap();
        assert_eq!(json, format!("\"{}\"", text.replace('\\', "\\\\")));
        assert_eq!(serde_json::from_str::<Account>(&json).unwrap(), e.account);
    }
}

/// The largest record the operations can build: every part at its cap
/// (two TOTP enrolments with SHA-512 secrets of 64 bytes and 10 digits, a
/// pending and a confirmed phone with the longest hints, 20 backup codes of
/// 32 symbols, a full delivery log
/// with the longest provider ids and hints, 10 devices with the longest
/// labels, the largest numbers) fits `MAX_LEN` and round-trips.
#[test]
fn the_largest_record_fits_max_len() {
    use twostep::otp::{Algorithm, Digits, Period};
    let totp = Totp::new()
        .with_algorithm(Algorithm::Sha512)
        .with_digits(Digits::new(10).unwrap())
        .with_period(Period::new(u64::from(u32::MAX)).unwrap_or(Period::new(3600).unwrap()));
    let config = config_with(Guard::new(totp))
        .with_backup_policy(
            Policy::DEFAULT
                .with_count(Policy::MAX_COUNT)
                .unwrap()
                .with_length(Policy::MAX_LENGTH)
                .unwrap(),
        )
        .unwrap();
    let mut rng = rng(21);
    let far = twostep::UnixTime::from_secs(u64::MAX / 2);
    let (_, a) = account::begin_totp(
        &config,
        &user(),
        "Example",
        "ana",
        far,
        &mut rng,
        &Account::new(),
    )
    .unwrap();
    // A confirmed enrolment with the same shape: the pending one, moved.
    let text = a.to_string();
    let pending = text.split(';').nth(3).unwrap().to_owned();
    let text = text.replacen(";-;", &format!(";{pending};"), 1);
    let a: Account = text.parse().unwrap();
    let hint = delivered::Hint::new(&"9".repeat(delivered::Hint::MAX_LEN)).unwrap();
    let phone = account::Phone::new(delivered::Channel::Voice, hint).unwrap();
    let a = account::begin_phone(phone, &a);
    let text = a.to_string();
    let pending_phone = text.split(';').nth(5).unwrap().to_owned();
    let mut a: Account = text
        .replacen(";-;", &format!(";{pending_phone};"), 1)
        .parse()
        .unwrap();
    let (_, b) = account::regenerate_backup_codes(&config, &mut rng, &a).unwrap();
    a = b;
    for _ in 0..1000 {
        a = account::sign_out_everywhere(&a);
    }
    // A full log: ten sends a day apart, each with the longest ids.
    let binding = Binding::new(Purpose::Recovery, &[0xff; Binding::MAX_LEN]).unwrap();
    for i in 0..12u64 {
        let now = twostep::UnixTime::from_secs(u64::MAX / 2 + i * 86_400 * 2);
        let (m, b) =
            account::send_code(&config, &binding, Reason::Recovery, now, &mut rng, &a).unwrap();
        let provider = "P".repeat(delivered::ProviderId::MAX_LEN);
        let hint = "h".repeat(delivered::Hint::MAX_LEN);
        let state = delivered::record_sent(m.id(), &provider, &hint, b.delivered()).unwrap();
        a = account::with_delivered(&b, state);
    }
    for i in 0..Account::MAX_DEVICES as u64 + 2 {
        let label = DeviceLabel::new(&"L".repeat(DeviceLabel::MAX_LEN)).unwrap();
        let device = DeviceId::generate(&mut rng);
        let now = twostep::UnixTime::from_secs(u64::MAX / 2 + i);
        a = account::remember_device(
            &config,
            &user(),
            device,
            label,
            now,
            twostep::account::device::Token::MAX_LIFETIME,
            &a,
        )
        .unwrap()
        .1;
    }
    assert_eq!(a.devices().count(), Account::MAX_DEVICES);
    let text = a.to_string();
    assert!(
        text.len() <= Account::MAX_LEN,
        "{} > {}",
        text.len(),
        Account::MAX_LEN
    );
    // One column of a few kilobytes, whatever the record holds.
    const { assert!(Account::MAX_LEN <= 8 * 1024) };
    assert_eq!(text.parse::<Account>().unwrap(), a);
    eprintln!(
        "largest record: {} bytes of {}",
        text.len(),
        Account::MAX_LEN
    );
}

#[test]
fn hostile_text_is_refused_with_an_opaque_error() {
    let config = config();
    let good = enrol(&config, true, true, true, 22).account.to_string();
    let bad = [
        String::new(),
        "a1".into(),
        "a2;g1.-.0.0.-;-;-;-;-;-;0;-;d1;-;-;0.0".into(),
        "a1;g1.-.0.0.-;-;-;-;-;-;00;-;d1;-;-;0.0".into(),
        "a1;g1.-.0.0.-;-;-;-;-;-;0;-;d1;-;-;0.0;".into(),
        "a1;g1.-.0.0.-;-;-;-;-;-;0;-".into(),
        "a1;g1.-.0.0.-;-;-;e.42;-;-;0;-;d1;-;-;0.0".into(),
        "a1;g1.-.0.0.-;md5.6.30.0.z1.1.AAAA;-;-;-;-;0;-;d1;-;-;0.0".into(),
        "a1;g1.-.0.0.-;-;-;-;-;-;0;,;d1;-;-;0.0".into(),
        "A1;g1.-.0.0.-;-;-;-;-;-;0;-;d1;-;-;0.0".into(),
        good.replace("sha1.6.30.", "sha1.06.30."),
        good.replace("sha1.6.30.", "sha1.5.30."),
        good.replacen("s.**42", "s.", 1),
        format!("{good} "),
        "a1;".to_owned() + &"x".repeat(Account::MAX_LEN),
    ];
    for text in bad {
        let e = text.parse::<Account>().unwrap_err();
        let shown = e.to_string();
        assert!(!shown.contains("**42") && shown.len() < 80, "{shown}");
    }
    let long = "x".repeat(Account::MAX_LEN + 1);
    assert_eq!(
        long.parse::<Account>().unwrap_err().to_string(),
        format!(
            "account record of {} bytes exceeds the limit of {} bytes",
            Account::MAX_LEN + 1,
            Account::MAX_LEN
        )
    );
}

#[test]
fn devices_out_of_order_or_repeated_are_refused() {
    let config = config();
    let mut a = Account::new();
    let mut rng = rng(23);
    let d1 = DeviceId::generate(&mut rng);
    let d2 = DeviceId::generate(&mut rng);
    for (d, t) in [(d1, 10), (d2, 20)] {
        a = account::remember_device(
            &config,
            &user(),
            d,
            DeviceLabel::new("x").unwrap(),
            at(t),
            time::Duration::days(30),
            &a,
        )
        .unwrap()
        .1;
    }
    let text = a.to_string();
    let devices = text.split(';').nth(8).unwrap();
    let (first, second) = devices.split_once(',').unwrap();
    for swapped in [format!("{second},{first}"), format!("{first},{first}")] {
        let t = text.replacen(devices, &swapped, 1);
        assert!(t.parse::<Account>().is_err(), "{t}");
    }
}
