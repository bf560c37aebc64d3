//! Remembered-device tokens: known answers from an independent
//! implementation, binding to the user, tampering, expiry, revocation, key
//! rotation, the text form and what `Debug` shows.
#![cfg(feature = "account")]
#![expect(unsafe_code, reason = "the counting global allocator")]
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    reason = "test code: a failed unwrap or index is a failed test, and counts are small"
)]

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

use proptest::prelude::*;
use twostep::UnixTime;
use twostep::account::device::{
    self, DeviceError, DeviceId, DeviceKey, Keyring, Remembered, Token, check, remember,
};
use twostep::time::Duration;

const NOW: u64 = 1_795_780_800;
const DAY: u64 = 86_400;

fn keys() -> Keyring {
    Keyring::new(1, DeviceKey::from_bytes(&[0x42; 32]).unwrap())
}

fn device_a() -> DeviceId {
    DeviceId::from_bytes([1; 16])
}

fn mint(user: &[u8], epoch: u64) -> Token {
    remember(
        &keys(),
        user,
        device_a(),
        epoch,
        UnixTime::from_secs(NOW),
        Token::DEFAULT_LIFETIME,
    )
    .unwrap()
}

fn hex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd hex {text:?}");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// One line of tests/vectors/device_kat.txt.
struct Vector {
    key: Vec<u8>,
    key_id: u32,
    user: Vec<u8>,
    device: DeviceId,
    now: u64,
    lifetime: i64,
    epoch: u64,
    token: String,
}

/// The vectors computed by scripts/device_vectors.py with Python's hmac
/// and hashlib (no code shared with twostep).
fn vectors() -> Vec<Vector> {
    let text = include_str!("vectors/device_kat.txt");
    let vectors: Vec<Vector> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split(' ').collect();
            assert_eq!(f.len(), 8, "{line}");
            Vector {
                key: hex(f[0]),
                key_id: f[1].parse().unwrap(),
                user: hex(f[2]),
                device: DeviceId::from_bytes(hex(f[3]).try_into().unwrap()),
                now: f[4].parse().unwrap(),
                lifetime: f[5].parse().unwrap(),
                epoch: f[6].parse().unwrap(),
                token: f[7].to_owned(),
            }
        })
        .collect();
    assert_eq!(vectors.len(), 9);
    vectors
}

#[test]
fn known_answers_from_python_are_minted_and_accepted() {
    for v in vectors() {
        let keys = Keyring::new(v.key_id, DeviceKey::from_bytes(&v.key).unwrap());
        let now = UnixTime::from_secs(v.now);
        let token = remember(
            &keys,
            &v.user,
            v.device,
            v.epoch,
            now,
            Duration::seconds(v.lifetime),
        )
        .unwrap();
        assert_eq!(token.to_string(), v.token);
        let expires_at = UnixTime::from_secs(v.now + v.lifetime as u64);
        assert_eq!(
            check(&keys, &v.user, &v.token, v.epoch, now),
            Remembered::Valid {
                device: v.device,
                expires_at
            }
        );
        assert_eq!(
            check(&keys, &v.user, &v.token, v.epoch, expires_at),
            Remembered::Expired {
                device: v.device,
                expired_at: expires_at
            }
        );
    }
}

#[test]
fn known_answers_with_another_key_or_user_are_invalid() {
    for v in vectors() {
        let now = UnixTime::from_secs(v.now);
        let mut other_key = v.key.clone();
        other_key[31] ^= 1;
        let wrong = Keyring::new(v.key_id, DeviceKey::from_bytes(&other_key).unwrap());
        assert_eq!(
            check(&wrong, &v.user, &v.token, v.epoch, now),
            Remembered::Invalid
        );
        let right = Keyring::new(v.key_id, DeviceKey::from_bytes(&v.key).unwrap());
        let mut other_user = v.user.clone();
        other_user.push(0);
        assert_eq!(
            check(&right, &other_user, &v.token, v.epoch, now),
            Remembered::Invalid
        );
    }
}

#[test]
fn a_token_for_user_a_is_refused_for_user_b() {
    let cookie = mint(b"user-a", 0).to_string();
    let now = UnixTime::from_secs(NOW + 1);
    assert!(check(&keys(), b"user-a", &cookie, 0, now).is_valid());
    for other in [&b"user-b"[..], b"user-a\0", b"user-", b"USER-A", b"x"] {
        assert_eq!(check(&keys(), other, &cookie, 0, now), Remembered::Invalid);
    }
    // Same answer as a forged tag: nothing tells the two apart.
    let forged = format!("{}A", &cookie[..cookie.len() - 1]);
    assert_eq!(
        check(&keys(), b"user-a", &forged, 0, now),
        Remembered::Invalid
    );
}

#[test]
fn every_single_byte_change_is_refused() {
    let cookie = mint(b"user-7", 3).to_string();
    let now = UnixTime::from_secs(NOW + DAY);
    assert!(check(&keys(), b"user-7", &cookie, 3, now).is_valid());
    let mut tried = 0;
    for position in 0..cookie.len() {
        for byte in 0..=255u8 {
            let mut bytes = cookie.clone().into_bytes();
            if bytes[position] == byte {
                continue;
            }
            bytes[position] = byte;
            let Ok(changed) = String::from_utf8(bytes) else {
                continue;
            };
            tried += 1;
            assert_eq!(
                check(&keys(), b"user-7", &changed, 3, now),
                Remembered::Invalid,
                "{changed}"
            );
        }
    }
    assert_eq!(tried, cookie.len() * 127);
}

#[test]
fn truncated_extended_or_reordered_tokens_are_refused() {
    let cookie = mint(b"user-7", 0).to_string();
    let now = UnixTime::from_secs(NOW);
    for end in 0..cookie.len() {
        assert_eq!(
            check(&keys(), b"user-7", &cookie[..end], 0, now),
            Remembered::Invalid
        );
    }
    for extra in [".", "A", "=", " ", ".0"] {
        let longer = format!("{cookie}{extra}");
        assert_eq!(
            check(&keys(), b"user-7", &longer, 0, now),
            Remembered::Invalid
        );
        let prefixed = format!("{extra}{cookie}");
        assert_eq!(
            check(&keys(), b"user-7", &prefixed, 0, now),
            Remembered::Invalid
        );
    }
    let fields: Vec<&str> = cookie.split('.').collect();
    let swapped = [
        fields[0], fields[1], fields[2], fields[4], fields[3], fields[5],
    ]
    .join(".");
    assert_eq!(
        check(&keys(), b"user-7", &swapped, 0, now),
        Remembered::Invalid
    );
}

#[test]
fn expiry_boundary_is_exclusive() {
    let cookie = mint(b"user-7", 0).to_string();
    let expires_at = UnixTime::from_secs(NOW + 30 * DAY);
    let at = |secs: u64| check(&keys(), b"user-7", &cookie, 0, UnixTime::from_secs(secs));
    let valid = Remembered::Valid {
        device: device_a(),
        expires_at,
    };
    let expired = Remembered::Expired {
        device: device_a(),
        expired_at: expires_at,
    };
    assert_eq!(at(NOW), valid);
    assert_eq!(at(NOW + 30 * DAY - 1), valid);
    assert_eq!(at(NOW + 30 * DAY), expired);
    assert_eq!(at(NOW + 30 * DAY + 1), expired);
    assert_eq!(at(u64::MAX), expired);
    // A clock that stepped back before the minting keeps the token valid.
    assert_eq!(at(0), valid);
}

#[test]
fn an_epoch_bump_revokes_and_revocation_wins_over_expiry() {
    let cookie = mint(b"user-7", 4).to_string();
    let now = UnixTime::from_secs(NOW + DAY);
    let revoked = Remembered::Revoked { device: device_a() };
    assert!(check(&keys(), b"user-7", &cookie, 4, now).is_valid());
    assert_eq!(check(&keys(), b"user-7", &cookie, 5, now), revoked);
    assert_eq!(check(&keys(), b"user-7", &cookie, 3, now), revoked); // a restored record
    assert_eq!(check(&keys(), b"user-7", &cookie, u64::MAX, now), revoked);
    let late = UnixTime::from_secs(NOW + 31 * DAY);
    assert_eq!(check(&keys(), b"user-7", &cookie, 5, late), revoked);
    // A token minted under the new epoch works.
    let renewed = mint(b"user-7", 5).to_string();
    assert!(check(&keys(), b"user-7", &renewed, 5, now).is_valid());
    assert_eq!(check(&keys(), b"user-7", &renewed, 4, now), revoked);
}

#[test]
fn previous_keys_verify_and_unknown_keys_are_invalid() {
    let old = Keyring::new(1, DeviceKey::from_bytes(&[1; 32]).unwrap());
    let now = UnixTime::from_secs(NOW);
    let token = remember(&old, b"u", device_a(), 0, now, Token::DEFAULT_LIFETIME).unwrap();
    let cookie = token.to_string();
    let rotated = Keyring::new(2, DeviceKey::from_bytes(&[2; 32]).unwrap())
        .with_previous(1, DeviceKey::from_bytes(&[1; 32]).unwrap())
        .unwrap();
    assert!(check(&rotated, b"u", &cookie, 0, now).is_valid());
    assert!(rotated.needs_renewal(&token));
    assert!(!old.needs_renewal(&token));
    let fresh = remember(&rotated, b"u", device_a(), 0, now, Token::DEFAULT_LIFETIME).unwrap();
    assert_eq!(fresh.key_id(), 2);
    assert!(!rotated.needs_renewal(&fresh));
    assert_eq!(
        check(&old, b"u", &fresh.to_string(), 0, now),
        Remembered::Invalid
    );
    // Retired: the old key is gone.
    let retired = Keyring::new(2, DeviceKey::from_bytes(&[2; 32]).unwrap());
    assert_eq!(check(&retired, b"u", &cookie, 0, now), Remembered::Invalid);
    // The same bytes under another id do not verify either: the id is signed.
    let renamed = Keyring::new(1, DeviceKey::from_bytes(&[2; 32]).unwrap());
    assert_eq!(
        check(
            &renamed,
            b"u",
            &fresh.to_string().replacen("r1.2.", "r1.1.", 1),
            0,
            now
        ),
        Remembered::Invalid
    );
}

#[test]
fn keyring_refuses_duplicates_and_too_many_keys() {
    let key = |b: u8| DeviceKey::from_bytes(&[b; 32]).unwrap();
    let err = Keyring::new(1, key(1))
        .with_previous(1, key(2))
        .unwrap_err();
    assert_eq!(err, DeviceError::DuplicateKeyId { id: 1 });
    let mut ring = Keyring::new(0, key(0));
    for id in 1..=Keyring::MAX_PREVIOUS as u32 {
        ring = ring.with_previous(id, key(id as u8)).unwrap();
    }
    let err = ring.with_previous(99, key(99)).unwrap_err();
    assert_eq!(
        err,
        DeviceError::TooManyKeys {
            max: Keyring::MAX_PREVIOUS
        }
    );
    assert_eq!(
        err.to_string(),
        "a device keyring holds at most 4 previous keys"
    );
    assert_eq!(
        DeviceKey::from_bytes(&[0; 31]).unwrap_err().to_string(),
        "device key must be 32 bytes, got 31"
    );
}

#[test]
fn lifetime_is_bounded_and_expiry_arithmetic_is_checked() {
    let now = UnixTime::from_secs(NOW);
    let mint_for = |lifetime| remember(&keys(), b"u", device_a(), 0, now, lifetime);
    assert!(mint_for(Duration::days(400)).is_ok());
    assert!(mint_for(Duration::seconds(1)).is_ok());
    for (lifetime, secs) in [
        (Duration::days(400) + Duration::seconds(1), 400 * 86_400 + 1),
        (Duration::ZERO, 0),
        (Duration::milliseconds(999), 0),
        (Duration::seconds(-1), -1),
        (Duration::MIN, Duration::MIN.whole_seconds()),
        (Duration::MAX, Duration::MAX.whole_seconds()),
    ] {
        assert_eq!(
            mint_for(lifetime).unwrap_err(),
            DeviceError::Lifetime { secs }
        );
    }
    let near_end = UnixTime::from_secs(u64::MAX - DAY + 1);
    let err = remember(&keys(), b"u", device_a(), 0, near_end, Duration::days(1)).unwrap_err();
    assert_eq!(err, DeviceError::OutOfRange);
    let last = UnixTime::from_secs(u64::MAX - DAY);
    let token = remember(&keys(), b"u", device_a(), 0, last, Duration::days(1)).unwrap();
    assert_eq!(token.expires_at(), UnixTime::from_secs(u64::MAX));
    assert_eq!(token.to_string().parse::<Token>().unwrap(), token);
}

#[test]
fn an_empty_user_id_is_refused() {
    let now = UnixTime::from_secs(NOW);
    let err = remember(&keys(), b"", device_a(), 0, now, Token::DEFAULT_LIFETIME).unwrap_err();
    assert_eq!(err, DeviceError::EmptyUser);
    let cookie = mint(b"u", 0).to_string();
    assert_eq!(check(&keys(), b"", &cookie, 0, now), Remembered::Invalid);
}

#[test]
fn text_form_is_canonical_and_cookie_safe() {
    let token = mint(b"user-7", 12);
    let text = token.to_string();
    assert!(text.len() <= Token::MAX_LEN);
    assert!(text.bytes().all(is_cookie_octet), "{text}");
    let fields: Vec<&str> = text.split('.').collect();
    assert_eq!(fields.len(), 6);
    assert_eq!(
        (fields[0], fields[1], fields[3], fields[4]),
        ("r1", "1", "1798372800", "12")
    );
    // Each value has one spelling.
    let respell = |i: usize, with: &str| {
        let mut f = fields.clone();
        f[i] = with;
        f.join(".")
    };
    for (i, bad) in [
        (1, "01"),
        (1, "+1"),
        (1, "4294967296"),
        (3, "01798372800"),
        (3, " 1798372800"),
        (4, "012"),
        (4, "18446744073709551616"),
        (2, "AQEBAQEBAQEBAQEBAQEBAR"),   // non-zero unused bits
        (2, "AQEBAQEBAQEBAQEBAQEBAQ=="), // padding
        (2, "AQEBAQEBAQEBAQEBAQEBAQE"),
        (2, "AQEBAQEBAQEBAQEBAQEBA+"), // standard base64
        (5, &fields[5][..42]),
        (5, &format!("{}=", fields[5])),
        (0, "R1"),
        (0, "r2"),
    ] {
        assert!(respell(i, bad).parse::<Token>().is_err(), "{i} {bad}");
    }
    assert_eq!(respell(1, "1").parse::<Token>().unwrap(), token);
}

fn is_cookie_octet(b: u8) -> bool {
    // RFC 6265 §4.1.1: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
    matches!(b, 0x21 | 0x23..=0x2b | 0x2d..=0x3a | 0x3c..=0x5b | 0x5d..=0x7e)
}

#[test]
fn parse_errors_name_the_part_and_check_the_length_first() {
    let err = |s: &str| s.parse::<Token>().unwrap_err().to_string();
    assert_eq!(
        err(&"r1.".repeat(43)),
        "device token of 129 bytes exceeds the limit of 128"
    );
    assert_eq!(
        err(&"x".repeat(129)),
        "device token of 129 bytes exceeds the limit of 128"
    );
    assert_eq!(err("r2.1"), "unsupported device token version");
    assert_eq!(err(""), "unsupported device token version");
    assert_eq!(err("r1.1.2"), "a device token has six dot-separated fields");
    assert_eq!(err("r1.a.b.c.d.e"), "malformed device token key id");
    assert_eq!(err("r1.1.b.c.d.e"), "malformed device id");
    let device = "AQEBAQEBAQEBAQEBAQEBAQ";
    assert_eq!(
        err(&format!("r1.1.{device}.c.d.e")),
        "malformed device token expiry"
    );
    assert_eq!(
        err(&format!("r1.1.{device}.1.d.e")),
        "malformed device token epoch"
    );
    assert_eq!(
        err(&format!("r1.1.{device}.1.1.e")),
        "malformed device token tag"
    );
    let secret = format!("r1.1.{device}.1.1.sekrit-tag");
    let shown = format!(
        "{:?} {}",
        secret.parse::<Token>().unwrap_err(),
        err(&secret)
    );
    assert!(!shown.contains("sekrit"), "{shown}");
    assert_eq!(
        "short".parse::<DeviceId>().unwrap_err().to_string(),
        "malformed device id"
    );
}

#[test]
fn debug_shows_no_key_and_no_tag() {
    let key = DeviceKey::from_bytes(&[0xab; 32]).unwrap();
    assert_eq!(format!("{key:?}"), "DeviceKey { .. }");
    let ring = Keyring::new(3, key)
        .with_previous(2, DeviceKey::from_bytes(&[0xcd; 32]).unwrap())
        .unwrap();
    let shown = format!("{ring:?} {ring:#?}");
    assert_eq!(format!("{ring:?}"), "Keyring { current: 3, previous: [2] }");
    for leak in ["ab", "AB", "171", "cd", "205", "q6ur"] {
        assert!(!shown.contains(leak), "{shown}");
    }
    let token = mint(b"user-7", 0);
    let text = token.to_string();
    let tag = text.rsplit('.').next().unwrap();
    let debug = format!("{token:?}");
    assert!(!debug.contains(tag), "{debug}");
    assert!(
        debug.starts_with("Token { key_id: 1, device: DeviceId(\"AQEBAQEBAQEBAQEBAQEBAQ\")"),
        "{debug}"
    );
}

#[test]
fn device_ids_round_trip_and_differ() {
    use rand_core::SeedableRng;
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([8; 32]);
    let a = DeviceId::generate(&mut rng);
    let b = DeviceId::generate(&mut rng);
    assert_ne!(a, b);
    assert_eq!(a.to_string().len(), DeviceId::TEXT_LEN);
    assert_eq!(a.to_string().parse::<DeviceId>().unwrap(), a);
    assert_eq!(DeviceId::from_bytes(*a.as_bytes()), a);
}

#[cfg(feature = "getrandom")]
#[test]
fn os_generated_keys_and_ids_work() {
    let keys = Keyring::from(DeviceKey::generate_os().unwrap());
    let device = DeviceId::generate_os().unwrap();
    assert_ne!(device, DeviceId::generate_os().unwrap());
    let now = UnixTime::from_secs(NOW);
    let cookie = remember(&keys, b"u", device, 0, now, Token::DEFAULT_LIFETIME)
        .unwrap()
        .to_string();
    assert!(check(&keys, b"u", &cookie, 0, now).is_valid());
    let other = Keyring::from(DeviceKey::generate_os().unwrap());
    assert_eq!(check(&other, b"u", &cookie, 0, now), Remembered::Invalid);
}

#[cfg(feature = "serde")]
#[test]
fn serde_goes_through_the_text() {
    let token = mint(b"user-7", 2);
    let json = serde_json::to_string(&token).unwrap();
    assert_eq!(json, format!("\"{token}\""));
    assert_eq!(serde_json::from_str::<Token>(&json).unwrap(), token);
    assert!(serde_json::from_str::<Token>("\"r1.x\"").is_err());
    let id = device_a();
    assert_eq!(
        serde_json::to_string(&id).unwrap(),
        "\"AQEBAQEBAQEBAQEBAQEBAQ\""
    );
    assert_eq!(
        serde_json::from_str::<DeviceId>("\"AQEBAQEBAQEBAQEBAQEBAQ\"").unwrap(),
        id
    );
}

#[test]
fn minting_and_checking_allocate_nothing() {
    let keys = Keyring::new(2, DeviceKey::from_bytes(&[9; 32]).unwrap())
        .with_previous(1, DeviceKey::from_bytes(&[0x42; 32]).unwrap())
        .unwrap();
    let cookie = mint(b"user-7", 0).to_string(); // signed by the previous key, id 1
    let now = UnixTime::from_secs(NOW);
    let n = counting_alloc::allocations(|| check(&keys, b"user-7", &cookie, 0, now));
    assert_eq!(n, 0);
    assert!(check(&keys, b"user-7", &cookie, 0, now).is_valid());
    let n = counting_alloc::allocations(|| check(&keys, b"user-8", &cookie, 0, now));
    assert_eq!(n, 0);
    let n = counting_alloc::allocations(|| {
        remember(
            &keys,
            b"user-7",
            device_a(),
            0,
            now,
            Token::DEFAULT_LIFETIME,
        )
    });
    assert_eq!(n, 0);
}

#[test]
fn verdicts_have_stable_names() {
    let device = device_a();
    let at = UnixTime::from_secs(NOW);
    let cases = [
        (
            Remembered::Valid {
                device,
                expires_at: at,
            },
            "valid",
            "remembered device",
        ),
        (
            Remembered::Expired {
                device,
                expired_at: at,
            },
            "expired",
            "remembered device expired",
        ),
        (
            Remembered::Revoked { device },
            "revoked",
            "remembered device signed out everywhere",
        ),
        (Remembered::Invalid, "invalid", "not a remembered device"),
    ];
    for (verdict, name, sentence) in cases {
        assert_eq!(verdict.as_str(), name);
        assert_eq!(verdict.to_string(), sentence);
        assert_eq!(verdict.is_valid(), name == "valid");
    }
}

#[test]
fn types_are_send_and_sync() {
    fn both<T: Send + Sync>() {}
    both::<DeviceKey>();
    both::<Keyring>();
    both::<Token>();
    both::<DeviceId>();
    both::<Remembered>();
    both::<DeviceError>();
    both::<device::ParseError>();
}

fn arb_token() -> impl Strategy<Value = (u32, [u8; 32], Vec<u8>, [u8; 16], u64, u64, i64)> {
    (
        any::<u32>(),
        any::<[u8; 32]>(),
        prop::collection::vec(any::<u8>(), 1..64),
        any::<[u8; 16]>(),
        any::<u64>(),
        0..u64::MAX - 400 * DAY,
        1..=400 * DAY as i64,
    )
}

proptest! {
    #[test]
    fn round_trip_and_valid_until_expiry((id, key, user, dev, epoch, now, life) in arb_token()) {
        let keys = Keyring::new(id, DeviceKey::from_bytes(&key).unwrap());
        let device = DeviceId::from_bytes(dev);
        let now = UnixTime::from_secs(now);
        let token = remember(&keys, &user, device, epoch, now, Duration::seconds(life)).unwrap();
        let text = token.to_string();
        prop_assert!(text.len() <= Token::MAX_LEN);
        prop_assert!(text.bytes().all(is_cookie_octet));
        let parsed: Token = text.parse().unwrap();
        prop_assert_eq!(&parsed, &token);
        prop_assert_eq!(parsed.to_string(), text.clone());
        let expires_at = UnixTime::from_secs(now.as_secs() + life as u64);
        prop_assert_eq!(check(&keys, &user, &text, epoch, now), Remembered::Valid { device, expires_at });
        let before = UnixTime::from_secs(expires_at.as_secs() - 1);
        prop_assert!(check(&keys, &user, &text, epoch, before).is_valid());
        prop_assert_eq!(check(&keys, &user, &text, epoch, expires_at), Remembered::Expired { device, expired_at: expires_at });
        prop_assert_eq!(check(&keys, &user, &text, epoch.wrapping_add(1), now), Remembered::Revoked { device });
    }

    #[test]
    fn any_tamper_is_invalid(
        (id, key, user, dev, epoch, now, life) in arb_token(),
        position in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let keys = Keyring::new(id, DeviceKey::from_bytes(&key).unwrap());
        let now = UnixTime::from_secs(now);
        let token = remember(&keys, &user, DeviceId::from_bytes(dev), epoch, now, Duration::seconds(life)).unwrap();
        let mut bytes = token.to_string().into_bytes();
        let i = position.index(bytes.len());
        prop_assume!(bytes[i] != byte);
        bytes[i] = byte;
        if let Ok(changed) = String::from_utf8(bytes) {
            prop_assert_eq!(check(&keys, &user, &changed, epoch, now), Remembered::Invalid);
        }
    }

    #[test]
    fn any_text_that_parses_prints_back_identically(text in "r1\\.[0-9]{1,3}\\.[A-Za-z0-9_-]{22}\\.[0-9]{1,5}\\.[0-9]{1,3}\\.[A-Za-z0-9_-]{43}") {
        if let Ok(token) = text.parse::<Token>() {
            prop_assert_eq!(token.to_string(), text);
        }
    }

    #[test]
    fn another_user_is_invalid((id, key, user, dev, epoch, now, life) in arb_token(), other in prop::collection::vec(any::<u8>(), 1..64)) {
        prop_assume!(other != user);
        let keys = Keyring::new(id, DeviceKey::from_bytes(&key).unwrap());
        let now = UnixTime::from_secs(now);
        let cookie = remember(&keys, &user, DeviceId::from_bytes(dev), epoch, now, Duration::seconds(life)).unwrap().to_string();
        prop_assert_eq!(check(&keys, &other, &cookie, epoch, now), Remembered::Invalid);
    }
}
