//! Remembered devices: remember, check, forget, expiry, the epoch (sign out
//! everywhere, new backup codes, a removed factor), the bounded list.

use twostep::account::device::DeviceId;
use twostep::account::{self, Account, DeviceCheck, DeviceLabel, User};

use crate::{at, config, enrol, rng, user};

const DAYS_30: time::Duration = time::Duration::days(30);

fn label() -> DeviceLabel {
    DeviceLabel::new("Firefox on macOS").unwrap()
}

#[test]
fn a_remembered_device_passes_until_it_expires() {
    let config = config();
    let device = DeviceId::generate(&mut rng(30));
    let (token, a) = account::remember_device(
        &config,
        &user(),
        device,
        label(),
        at(0),
        DAYS_30,
        &Account::new(),
    )
    .unwrap();
    let cookie = token.to_string();
    let expires_at = at(0).checked_add(DAYS_30).unwrap();
    assert_eq!(
        account::check_device(&config, &user(), &cookie, at(10), &a),
        DeviceCheck::Remembered { device, expires_at }
    );
    assert_eq!(
        a.devices()
            .next()
            .map(|d| (d.id(), d.label().as_str(), d.expires_at())),
        Some((device, "Firefox on macOS", expires_at))
    );
    assert_eq!(
        account::check_device(&config, &user(), &cookie, expires_at, &a),
        DeviceCheck::Expired
    );
    // Another user's record, or an altered cookie: malformed.
    let other = User::new(b"user-7").unwrap();
    assert_eq!(
        account::check_device(&config, &other, &cookie, at(10), &a),
        DeviceCheck::Invalid
    );
    let mut altered = cookie.clone().into_bytes();
    let last = altered.len() - 1;
    altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    assert_eq!(
        account::check_device(&config, &user(), &altered, at(10), &a),
        DeviceCheck::Invalid
    );
}

#[test]
fn forgetting_and_every_epoch_bump_revoke() {
    let config = config();
    let e = enrol(&config, true, false, true, 31);
    let device = DeviceId::generate(&mut rng(32));
    let (token, a) = account::remember_device(
        &config,
        &user(),
        device,
        label(),
        at(0),
        DAYS_30,
        &e.account,
    )
    .unwrap();
    let cookie = token.to_string();
    let check = |a: &Account| account::check_device(&config, &user(), &cookie, at(5), a);
    assert!(check(&a).is_remembered());
    assert_eq!(
        check(&account::forget_device(device, &a)),
        DeviceCheck::Forgotten
    );
    let out = account::sign_out_everywhere(&a);
    assert_eq!(
        (check(&out), out.devices().count()),
        (DeviceCheck::Revoked, 0)
    );
    let (_, renewed) = account::regenerate_backup_codes(&config, &mut rng(33), &a).unwrap();
    assert_eq!(check(&renewed), DeviceCheck::Revoked);
    assert_eq!(check(&account::remove_totp(&a)), DeviceCheck::Revoked);
    // A phone removal is not a reset of the app or the codes: devices stay.
    assert!(check(&account::remove_phone(&a)).is_remembered());
}

#[test]
fn the_list_is_bounded_and_expired_devices_are_dropped() {
    let config = config();
    let mut rng = rng(34);
    let mut a = Account::new();
    let mut ids = Vec::new();
    for i in 0..Account::MAX_DEVICES as u64 + 3 {
        let d = DeviceId::generate(&mut rng);
        ids.push(d);
        a = account::remember_device(&config, &user(), d, label(), at(i), DAYS_30, &a)
            .unwrap()
            .1;
    }
    let kept: Vec<_> = a.devices().map(|d| d.id()).collect();
    assert_eq!(kept, ids[3..], "the earliest remembered are forgotten");
    // Remembering a listed device again renews it (and moves it last).
    a = account::remember_device(&config, &user(), ids[3], label(), at(100), DAYS_30, &a)
        .unwrap()
        .1;
    assert_eq!(a.devices().last().map(|d| d.id()), Some(ids[3]));
    assert_eq!(a.devices().count(), Account::MAX_DEVICES);
    // Past their expiry, the others are dropped at the next remember.
    let later = at(100).checked_add(time::Duration::days(31)).unwrap();
    let d = DeviceId::generate(&mut rng);
    a = account::remember_device(&config, &user(), d, label(), later, DAYS_30, &a)
        .unwrap()
        .1;
    assert_eq!(a.devices().map(|d| d.id()).collect::<Vec<_>>(), [d]);
}

#[test]
fn labels_are_checked_and_lossy_labels_always_fit() {
    assert!(DeviceLabel::new(&"x".repeat(DeviceLabel::MAX_LEN + 1)).is_err());
    for bad in ["", "a,b", "a;b", "tab\there", "é"] {
        assert!(DeviceLabel::new(bad).is_err(), "{bad:?}");
    }
    for any in ["", "Ana’s iPhone", "a;b,c", &"ü".repeat(100)] {
        let l = DeviceLabel::lossy(any);
        assert_eq!(DeviceLabel::new(l.as_str()).unwrap(), l, "{any:?}");
    }
}
