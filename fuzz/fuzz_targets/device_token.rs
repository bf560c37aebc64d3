//! Remembered-device tokens: parsing and checking arbitrary text, minting
//! and checking real tokens, and altered copies of them.
//!
//! Input: `<candidate text>\n<program>`. The candidate is arbitrary bytes
//! (UTF-8, lossily) for `Token::from_str` and `device::check`. The program
//! (read with `Reader`; seeds from `scripts/device_vectors.py --fuzz-seeds`)
//! is the epoch and time the candidate is checked at, then up to four
//! tokens to mint, each with a user, device, epoch, time, lifetime and one
//! alteration (a byte position and value, and a truncation length).
//!
//! Oracles: nothing panics; a text that parses prints back identically and
//! is at most `Token::MAX_LEN` bytes of cookie-safe ASCII; the candidate is
//! never anything but `Invalid` unless it is exactly a token minted in this
//! run for that user; a minted token round-trips and is `Valid` for its
//! user and epoch before its expiry, `Expired` at it, `Revoked` under
//! another epoch, and `Invalid` for the other user, under another key, and
//! after any alteration.
#![no_main]

use libfuzzer_sys::fuzz_target;
use twostep::UnixTime;
use twostep::account::device::{self, DeviceId, DeviceKey, Keyring, Remembered, Token};
use twostep::time::Duration;
use twostep_fuzz::{Reader, split_line};

/// The fuzz key: not the key of any committed known answer, so no seed
/// carries a genuine token by accident.
const KEY: &[u8; 32] = b"fuzz device key, 32 bytes long!!";
const USERS: [&[u8]; 2] = [b"user-a", b"user-b"];

fn keys() -> Keyring {
    let current = DeviceKey::from_bytes(KEY).unwrap();
    let previous = DeviceKey::from_bytes(&[0x11; 32]).unwrap();
    Keyring::new(7, current).with_previous(3, previous).unwrap()
}

fn is_cookie_octet(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x2b | 0x2d..=0x3a | 0x3c..=0x5b | 0x5d..=0x7e)
}

fn round_trip(text: &str) {
    if let Ok(token) = text.parse::<Token>() {
        assert_eq!(token.to_string(), text);
        assert!(text.len() <= Token::MAX_LEN);
        assert!(text.bytes().all(is_cookie_octet), "{text:?}");
        assert_eq!(text.parse::<Token>().unwrap(), token);
    }
}

/// Mints one token from the program and checks it and an altered copy.
/// Returns the user index and text of a minted token.
fn mint(keys: &Keyring, r: &mut Reader<'_>) -> Option<(usize, String)> {
    let user = usize::from(r.u8() % 2);
    let device = DeviceId::from_bytes(r.bytes(16).try_into().unwrap_or([0; 16]));
    let epoch = r.u64();
    let now = UnixTime::from_secs(r.u64());
    let lifetime = Duration::seconds(r.i64());
    let (position, byte, cut) = (usize::from(r.u8()), r.u8(), usize::from(r.u8()));

    let token = match device::remember(keys, USERS[user], device, epoch, now, lifetime) {
        Ok(token) => token,
        Err(_) => {
            let secs = lifetime.whole_seconds();
            let in_range = (1..=400 * 86_400).contains(&secs);
            // Only an out-of-range lifetime or expiry is refused.
            assert!(!in_range || now.checked_add(lifetime).is_none());
            return None;
        }
    };
    let text = token.to_string();
    round_trip(&text);
    assert_eq!(text.parse::<Token>().unwrap(), token);
    let expires_at = token.expires_at();
    assert_eq!(Some(expires_at), now.checked_add(lifetime));
    let check = |u: usize, t: &str, e: u64, at: UnixTime| device::check(keys, USERS[u], t, e, at);
    assert_eq!(
        check(user, &text, epoch, now),
        Remembered::Valid { device, expires_at }
    );
    assert_eq!(
        check(user, &text, epoch, expires_at),
        Remembered::Expired {
            device,
            expired_at: expires_at
        }
    );
    assert_eq!(
        check(user, &text, epoch ^ 1, now),
        Remembered::Revoked { device }
    );
    assert_eq!(check(1 - user, &text, epoch, now), Remembered::Invalid);
    let stranger = Keyring::new(7, DeviceKey::from_bytes(&[0x22; 32]).unwrap());
    assert_eq!(
        device::check(&stranger, USERS[user], &text, epoch, now),
        Remembered::Invalid
    );

    let mut altered = text.clone().into_bytes();
    let i = position % altered.len();
    if altered[i] != byte {
        altered[i] = byte;
        if let Ok(altered) = String::from_utf8(altered) {
            round_trip(&altered);
            assert_eq!(check(user, &altered, epoch, now), Remembered::Invalid);
        }
    }
    let cut = cut % text.len();
    assert_eq!(check(user, &text[..cut], epoch, now), Remembered::Invalid);
    Some((user, text))
}

fuzz_target!(|data: &[u8]| {
    let (line, program) = split_line(data);
    let candidate = String::from_utf8_lossy(line).into_owned();
    let mut r = Reader::new(program);
    let epoch = r.u64();
    let now = UnixTime::from_secs(r.u64());
    let keys = keys();

    let mut minted = Vec::new();
    for _ in 0..4 {
        if r.is_empty() {
            break;
        }
        if let Some(m) = mint(&keys, &mut r) {
            minted.push(m);
        }
    }

    round_trip(&candidate);
    for (user, id) in USERS.iter().enumerate() {
        let verdict = device::check(&keys, id, &candidate, epoch, now);
        if minted.iter().any(|(u, t)| *u == user && *t == candidate) {
            assert_ne!(verdict, Remembered::Invalid);
        }
        if verdict != Remembered::Invalid {
            // A seed or a splice may carry a genuine token minted elsewhere:
            // it must be exactly what `remember` writes for its fields.
            assert_eq!(
                remint(&candidate, id).as_deref(),
                Some(candidate.as_str()),
                "{verdict:?} for a text `remember` did not write"
            );
            let token: Token = candidate.parse().unwrap();
            let expected = if token.epoch() != epoch {
                Remembered::Revoked {
                    device: token.device(),
                }
            } else if now >= token.expires_at() {
                Remembered::Expired {
                    device: token.device(),
                    expired_at: token.expires_at(),
                }
            } else {
                Remembered::Valid {
                    device: token.device(),
                    expires_at: token.expires_at(),
                }
            };
            assert_eq!(verdict, expected);
        }
        if let Ok(token) = candidate.parse::<Token>() {
            assert_eq!(device::check_token(&keys, id, &token, epoch, now), verdict);
        }
    }
});

/// What `remember` writes for the fields `text` names, under the fuzz key
/// of its key id, for `user`; `None` if it names no such key or expiry.
fn remint(text: &str, user: &[u8]) -> Option<String> {
    let token: Token = text.parse().ok()?;
    let key = match token.key_id() {
        7 => DeviceKey::from_bytes(KEY).ok()?,
        3 => DeviceKey::from_bytes(&[0x11; 32]).ok()?,
        _ => return None,
    };
    let keys = Keyring::new(token.key_id(), key);
    let start = UnixTime::from_secs(token.expires_at().as_secs().checked_sub(1)?);
    let again = device::remember(
        &keys,
        user,
        token.device(),
        token.epoch(),
        start,
        Duration::seconds(1),
    )
    .ok()?;
    Some(again.to_string())
}
