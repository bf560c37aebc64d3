//! Sealed secrets: known answers from libsodium (vectors/seal_kat.txt,
//! made by scripts/seal_vectors.py through PyNaCl), the bindings of the
//! associated data (user, key id, every byte of the text), key rotation,
//! the text form, what `Debug` shows, and that no freed heap block keeps a
//! key or a plaintext.
//!
//! `unsafe` is needed only because `GlobalAlloc` is an unsafe trait, as in
//! tests/wipe.rs.
#![cfg(feature = "account")]
#![allow(unsafe_code)]
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    reason = "test code: fixed inputs, a failure is a test failure"
)]

use core::convert::Infallible;

use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::{SeedableRng, TryCryptoRng, TryRng};
use twostep::Secret;
use twostep::account::seal::{
    KeyId, Keyring, KeyringError, OpenError, ResealError, SealError, SealKey, Sealed,
};

const KAT: &str = include_str!("vectors/seal_kat.txt");

/// A "random" source that hands out the given bytes, in order, and fails
/// the test if asked for more.
struct Replay(Vec<u8>);

impl TryRng for Replay {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        assert!(dst.len() <= self.0.len(), "drew more randomness than given");
        let rest = self.0.split_off(dst.len());
        dst.copy_from_slice(&self.0);
        self.0 = rest;
        Ok(())
    }
}

impl TryCryptoRng for Replay {}

struct Vector {
    name: String,
    key: [u8; 32],
    key_id: KeyId,
    user_id: Vec<u8>,
    nonce: Vec<u8>,
    plaintext: Vec<u8>,
    payload: Vec<u8>,
    sealed: String,
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
    let vectors: Vec<Vector> = body
        .split("\n\n")
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
                key: hex(&field("key")).try_into().unwrap(),
                key_id: KeyId::new(field("key_id").parse().unwrap()),
                user_id: hex(&field("user_id")),
                nonce: hex(&field("nonce")),
                plaintext: hex(&field("plaintext")),
                payload: hex(&field("payload")),
                sealed: field("sealed"),
            }
        })
        .collect();
    assert_eq!(vectors.len(), 7, "every vector is read");
    vectors
}

fn keyring(v: &Vector) -> Keyring {
    Keyring::new(v.key_id, SealKey::from_bytes(&v.key))
}

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::from_seed([11; 32])
}

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Unpadded base64url (RFC 4648 §5), written here rather than taken from
/// the library's dependency.
fn b64_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.len();
        let word = chunk.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b)) << (8 * (3 - n));
        for i in 0..=n {
            out.push(B64URL[(word >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn b64_decode(text: &str) -> Vec<u8> {
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes() {
        let v = B64URL.iter().position(|&a| a == c).unwrap() as u32;
        bits = bits << 6 | v;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    out
}

/// The payload of a sealed text, decoded independently of the library.
fn payload_of(text: &str) -> Vec<u8> {
    b64_decode(text.rsplit('.').next().unwrap())
}

fn text_with_payload(key_id: KeyId, payload: &[u8]) -> String {
    format!("z1.{key_id}.{}", b64_encode(payload))
}

#[test]
fn the_test_base64_matches_the_vectors() {
    for v in vectors() {
        assert_eq!(
            text_with_payload(v.key_id, &v.payload),
            v.sealed,
            "{}",
            v.name
        );
        assert_eq!(payload_of(&v.sealed), v.payload, "{}", v.name);
    }
}

#[test]
fn seals_the_known_answers_with_their_nonces() {
    for v in vectors() {
        let mut nonce = Replay(v.nonce.clone());
        let sealed = keyring(&v)
            .seal(&v.user_id, &v.plaintext, &mut nonce)
            .unwrap();
        assert!(nonce.0.is_empty(), "{}: the nonce is all it draws", v.name);
        assert_eq!(sealed.to_string(), v.sealed, "{}", v.name);
        assert_eq!(payload_of(&sealed.to_string()), v.payload, "{}", v.name);
    }
}

#[test]
fn opens_the_known_answers() {
    for v in vectors() {
        let sealed: Sealed = v.sealed.parse().unwrap();
        assert_eq!(sealed.key_id(), v.key_id, "{}", v.name);
        assert_eq!(sealed.to_string(), v.sealed, "{}", v.name);
        let opened = keyring(&v).open(&v.user_id, &sealed).unwrap();
        assert_eq!(*opened, v.plaintext, "{}", v.name);
    }
}

#[test]
fn seal_secret_and_open_secret_match_the_known_answers() {
    for v in vectors()
        .iter()
        .filter(|v| v.plaintext.len() >= Secret::MIN_LEN)
    {
        let secret = Secret::from_bytes(&v.plaintext).unwrap();
        let mut nonce = Replay(v.nonce.clone());
        let sealed = keyring(v)
            .seal_secret(&v.user_id, &secret, &mut nonce)
            .unwrap();
        assert_eq!(sealed.to_string(), v.sealed, "{}", v.name);
        let opened = keyring(v).open_secret(&v.user_id, &sealed).unwrap();
        assert!(opened == secret, "{}", v.name);
    }
}

#[test]
fn a_text_copied_into_another_users_row_does_not_open() {
    for v in vectors() {
        let keyring = keyring(&v);
        let known: Sealed = v.sealed.parse().unwrap();
        let fresh = keyring.seal(&v.user_id, &v.plaintext, &mut rng()).unwrap();
        let mut others = vec![b"someone-else".to_vec(), vec![0; 255]];
        // Near misses: one byte more, one byte less, one bit changed.
        if v.user_id.len() < Keyring::MAX_USER_ID_LEN {
            others.push([v.user_id.as_slice(), b"x"].concat());
        }
        if v.user_id.len() > 1 {
            others.push(v.user_id[..v.user_id.len() - 1].to_vec());
        }
        let mut flipped = v.user_id.clone();
        flipped[0] ^= 1;
        others.push(flipped);
        for other in others {
            for sealed in [&known, &fresh] {
                assert_eq!(
                    keyring.open(&other, sealed).unwrap_err(),
                    OpenError::Forged,
                    "{}",
                    v.name
                );
            }
        }
        assert_eq!(*keyring.open(&v.user_id, &fresh).unwrap(), v.plaintext);
    }
}

#[test]
fn a_swapped_row_fails_and_the_right_row_still_opens() {
    let keyring = Keyring::new(KeyId::new(1), SealKey::from_bytes(&[3; 32]));
    let mut rng = rng();
    // Ids of the same length: only the id's bytes tell the rows apart.
    let (ana_id, bo_id) = (b"user-0001", b"user-0002");
    let ana = Secret::generate(&mut rng);
    let bo = Secret::generate(&mut rng);
    let row_ana = keyring.seal_secret(ana_id, &ana, &mut rng).unwrap();
    let row_bo = keyring.seal_secret(bo_id, &bo, &mut rng).unwrap();
    // An attacker with write access swaps the two columns.
    assert_eq!(
        keyring.open_secret(ana_id, &row_bo).unwrap_err(),
        OpenError::Forged
    );
    assert_eq!(
        keyring.open_secret(bo_id, &row_ana).unwrap_err(),
        OpenError::Forged
    );
    assert!(keyring.open_secret(ana_id, &row_ana).unwrap() == ana);
    assert!(keyring.open_secret(bo_id, &row_bo).unwrap() == bo);
    // Through the stored text too.
    let copied: Sealed = row_ana.to_string().parse().unwrap();
    assert_eq!(keyring.open(bo_id, &copied).unwrap_err(), OpenError::Forged);
}

#[test]
fn every_changed_payload_byte_fails_to_open() {
    for v in vectors() {
        let keyring = keyring(&v);
        for position in 0..v.payload.len() {
            for bit in [0x01, 0x80] {
                let mut payload = v.payload.clone();
                payload[position] ^= bit;
                let sealed: Sealed = text_with_payload(v.key_id, &payload).parse().unwrap();
                assert_eq!(
                    keyring.open(&v.user_id, &sealed).unwrap_err(),
                    OpenError::Forged,
                    "{} byte {position}",
                    v.name
                );
            }
        }
        // Cut or extended payloads too.
        for len in 40..v.payload.len() {
            let sealed: Sealed = text_with_payload(v.key_id, &v.payload[..len])
                .parse()
                .unwrap();
            assert!(
                keyring.open(&v.user_id, &sealed).is_err(),
                "{} cut to {len}",
                v.name
            );
        }
    }
}

#[test]
fn every_changed_text_character_fails_to_parse_or_to_open() {
    let v = &vectors()[0];
    let keyring = keyring(v);
    for position in 0..v.sealed.len() {
        for replacement in ['A', 'z', '0', '_', '-', '.'] {
            let mut text = v.sealed.clone().into_bytes();
            if text[position] == replacement as u8 {
                continue;
            }
            text[position] = replacement as u8;
            let text = String::from_utf8(text).unwrap();
            if let Ok(sealed) = text.parse::<Sealed>() {
                assert!(keyring.open(&v.user_id, &sealed).is_err(), "{text} opened");
            }
        }
    }
}

#[test]
fn an_edited_key_id_fails_even_when_both_ids_hold_the_same_key() {
    let v = &vectors()[0];
    let edited_id = KeyId::new(v.key_id.get() + 1);
    // The same key bytes under both ids: only the associated data can tell.
    let keyring = keyring(v)
        .with_previous(edited_id, SealKey::from_bytes(&v.key))
        .unwrap();
    let fresh = keyring.seal(&v.user_id, &v.plaintext, &mut rng()).unwrap();
    for text in [v.sealed.clone(), fresh.to_string()] {
        let edited = text_with_payload(edited_id, &payload_of(&text));
        let sealed: Sealed = edited.parse().unwrap();
        assert_eq!(sealed.key_id(), edited_id);
        assert_eq!(
            keyring.open(&v.user_id, &sealed).unwrap_err(),
            OpenError::Forged,
            "{text}"
        );
    }
    // And an id the keyring does not know is named as such.
    let unknown: Sealed = text_with_payload(KeyId::new(999), &v.payload)
        .parse()
        .unwrap();
    assert_eq!(
        keyring.open(&v.user_id, &unknown).unwrap_err(),
        OpenError::UnknownKey {
            id: KeyId::new(999)
        }
    );
}

#[test]
fn another_key_under_the_same_id_fails() {
    let v = &vectors()[0];
    let mut key = v.key;
    key[31] ^= 1;
    let wrong = Keyring::new(v.key_id, SealKey::from_bytes(&key));
    let sealed: Sealed = v.sealed.parse().unwrap();
    assert_eq!(
        wrong.open(&v.user_id, &sealed).unwrap_err(),
        OpenError::Forged
    );
}

#[test]
fn rotation_old_opens_new_seals_and_reseal_moves_texts() {
    let mut rng = rng();
    let old = Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32]));
    let before = old
        .seal(b"user-1", b"twenty bytes of key!", &mut rng)
        .unwrap();
    assert!(!old.needs_reseal(&before));

    let rotated = Keyring::new(KeyId::new(2), SealKey::from_bytes(&[2; 32]))
        .with_previous(KeyId::new(1), SealKey::from_bytes(&[1; 32]))
        .unwrap();
    assert_eq!(rotated.current_id(), KeyId::new(2));
    assert_eq!(
        *rotated.open(b"user-1", &before).unwrap(),
        b"twenty bytes of key!"
    );
    assert!(rotated.needs_reseal(&before));

    let fresh = rotated.seal(b"user-1", b"new", &mut rng).unwrap();
    assert_eq!(fresh.key_id(), KeyId::new(2));
    assert!(!rotated.needs_reseal(&fresh));
    // The old keyring does not know the new key.
    assert_eq!(
        old.open(b"user-1", &fresh).unwrap_err(),
        OpenError::UnknownKey { id: KeyId::new(2) }
    );

    let moved = rotated.reseal(b"user-1", &before, &mut rng).unwrap();
    assert_eq!(moved.key_id(), KeyId::new(2));
    assert!(!rotated.needs_reseal(&moved));
    assert_eq!(
        *rotated.open(b"user-1", &moved).unwrap(),
        b"twenty bytes of key!"
    );
    // Once the old key is gone, the moved text still opens, the old one does not.
    let after = Keyring::new(KeyId::new(2), SealKey::from_bytes(&[2; 32]));
    assert_eq!(
        *after.open(b"user-1", &moved).unwrap(),
        b"twenty bytes of key!"
    );
    assert_eq!(
        after.open(b"user-1", &before).unwrap_err(),
        OpenError::UnknownKey { id: KeyId::new(1) }
    );
    // A reseal for the wrong user opens nothing.
    assert_eq!(
        rotated.reseal(b"user-2", &before, &mut rng).unwrap_err(),
        ResealError::Open(OpenError::Forged)
    );
}

#[test]
fn keyrings_refuse_duplicate_ids_and_hold_a_bounded_number_of_keys() {
    let key = |b| SealKey::from_bytes(&[b; 32]);
    let ring = Keyring::new(KeyId::new(0), key(0));
    assert_eq!(
        ring.with_previous(KeyId::new(0), key(1)).unwrap_err(),
        KeyringError::DuplicateKeyId { id: KeyId::new(0) }
    );
    let mut ring = Keyring::new(KeyId::new(0), key(0));
    for i in 1..Keyring::MAX_KEYS {
        let id = u32::try_from(i).unwrap();
        ring = ring.with_previous(KeyId::new(id), key(i as u8)).unwrap();
    }
    // A previous id repeated is refused as well as the current one.
    let ring_err = Keyring::new(KeyId::new(5), key(5))
        .with_previous(KeyId::new(1), key(1))
        .unwrap()
        .with_previous(KeyId::new(1), key(2))
        .unwrap_err();
    assert_eq!(ring_err, KeyringError::DuplicateKeyId { id: KeyId::new(1) });
    assert_eq!(
        ring.with_previous(KeyId::new(100), key(9)).unwrap_err(),
        KeyringError::TooManyKeys
    );
}

#[test]
fn every_key_of_a_full_keyring_opens_its_texts() {
    let mut rng = rng();
    let mut texts = Vec::new();
    for i in 0..Keyring::MAX_KEYS as u8 {
        let single = Keyring::new(KeyId::new(u32::from(i)), SealKey::from_bytes(&[i; 32]));
        texts.push((i, single.seal(b"u", &[i; 12], &mut rng).unwrap()));
    }
    let mut ring = Keyring::new(KeyId::new(0), SealKey::from_bytes(&[0; 32]));
    for i in 1..Keyring::MAX_KEYS as u8 {
        ring = ring
            .with_previous(KeyId::new(u32::from(i)), SealKey::from_bytes(&[i; 32]))
            .unwrap();
    }
    for (i, sealed) in &texts {
        assert_eq!(*ring.open(b"u", sealed).unwrap(), [*i; 12]);
        assert_eq!(ring.needs_reseal(sealed), *i != 0);
    }
}

#[test]
fn limits_are_checked_before_drawing_randomness() {
    let ring = Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32]));
    let mut nothing = Replay(Vec::new());
    let max = Sealed::MAX_PLAINTEXT_LEN;
    assert_eq!(
        ring.seal(b"u", &vec![0; max + 1], &mut nothing)
            .unwrap_err(),
        SealError::PlaintextTooLong { len: max + 1 }
    );
    assert_eq!(
        ring.seal(b"", b"x", &mut nothing).unwrap_err(),
        SealError::UserIdLength { len: 0 }
    );
    let long_user = vec![b'u'; Keyring::MAX_USER_ID_LEN + 1];
    assert_eq!(
        ring.seal(&long_user, b"x", &mut nothing).unwrap_err(),
        SealError::UserIdLength { len: 256 }
    );
    let too_long = Secret::from_bytes(&[1; 129]).unwrap();
    assert_eq!(
        ring.seal_secret(b"u", &too_long, &mut nothing).unwrap_err(),
        SealError::PlaintextTooLong { len: 129 }
    );
    // The limits themselves are accepted.
    let mut rng = rng();
    let user = vec![b'u'; Keyring::MAX_USER_ID_LEN];
    let sealed = ring.seal(&user, &vec![7; max], &mut rng).unwrap();
    assert_eq!(*ring.open(&user, &sealed).unwrap(), vec![7; max]);
    assert_eq!(
        ring.open(&long_user, &sealed).unwrap_err(),
        OpenError::UserIdLength { len: 256 }
    );
    assert_eq!(
        ring.open(b"", &sealed).unwrap_err(),
        OpenError::UserIdLength { len: 0 }
    );
}

#[test]
fn open_secret_refuses_plaintext_that_is_not_a_secret() {
    let ring = Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32]));
    let mut rng = rng();
    let sealed = ring.seal(b"u", &[1; 9], &mut rng).unwrap();
    assert_eq!(
        ring.open_secret(b"u", &sealed).unwrap_err(),
        OpenError::NotASecret { len: 9 }
    );
    let sealed = ring.seal(b"u", &[1; 10], &mut rng).unwrap();
    assert_eq!(ring.open_secret(b"u", &sealed).unwrap().byte_len(), 10);
}

#[test]
fn each_seal_draws_a_fresh_nonce() {
    let ring = Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32]));
    let mut rng = rng();
    let a = ring.seal(b"u", b"same plaintext", &mut rng).unwrap();
    let b = ring.seal(b"u", b"same plaintext", &mut rng).unwrap();
    assert_ne!(a, b);
    assert_ne!(
        payload_of(&a.to_string())[..24],
        payload_of(&b.to_string())[..24]
    );
}

#[test]
fn the_longest_text_is_max_len_and_longer_input_is_refused_first() {
    let ring = Keyring::new(KeyId::new(u32::MAX), SealKey::from_bytes(&[1; 32]));
    let sealed = ring
        .seal(b"u", &[0; Sealed::MAX_PLAINTEXT_LEN], &mut rng())
        .unwrap();
    assert_eq!(sealed.to_string().len(), Sealed::MAX_LEN);
    assert_eq!(Sealed::MAX_LEN, 238);
    let long = format!("{sealed}A");
    assert_eq!(
        long.parse::<Sealed>().unwrap_err().to_string(),
        "sealed text longer than 238 bytes"
    );
    // A payload one byte over the plaintext cap, in a text that fits.
    let over = text_with_payload(KeyId::new(1), &[0; 24 + 16 + 129]);
    assert!(over.len() <= Sealed::MAX_LEN);
    assert!(over.parse::<Sealed>().is_err());
}

#[test]
fn malformed_texts_are_refused_without_showing_them() {
    let good = &vectors()[0].sealed;
    let payload = good.rsplit('.').next().unwrap();
    let cases = [
        String::new(),
        "z1".into(),
        "z1.".into(),
        "z1.1".into(),
        "z1.1.".into(),
        format!("z2.1.{payload}"),
        format!("Z1.1.{payload}"),
        format!(" z1.1.{payload}"),
        format!("z1.1.{payload} "),
        format!("z1.01.{payload}"),
        format!("z1.+1.{payload}"),
        format!("z1.4294967296.{payload}"),
        format!("z1..{payload}"),
        format!("z1.1.{payload}="),
        format!("z1.1.{payload}.x"),
        format!("z1.1.1.{payload}"),
        format!("z1.1.{}", payload.replace('-', "+").replace('_', "/")),
        text_with_payload(KeyId::new(1), &[0; 39]),
    ];
    for case in cases {
        let err = case.parse::<Sealed>().unwrap_err().to_string();
        assert!(!err.contains(payload), "{err}");
    }
}

#[test]
fn non_canonical_base64_is_refused() {
    // 41 bytes: the last symbol carries 2 bits of data and 4 unused bits.
    let payload = [0u8; 41];
    let text = text_with_payload(KeyId::new(1), &payload);
    assert!(text.parse::<Sealed>().is_ok());
    let mut bytes = text.into_bytes();
    *bytes.last_mut().unwrap() = b'B'; // an unused bit set
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.parse::<Sealed>().is_err());
}

#[test]
fn debug_and_errors_show_no_key_or_plaintext() {
    let key_bytes = [0xa7; 32];
    let key = SealKey::from_bytes(&key_bytes);
    assert_eq!(format!("{key:?}"), "SealKey { .. }");
    let ring = Keyring::new(KeyId::new(3), key)
        .with_previous(KeyId::new(1), SealKey::from_bytes(&key_bytes))
        .unwrap();
    let shown = format!("{ring:?}");
    assert_eq!(shown, "Keyring { current: KeyId(3), previous: [KeyId(1)] }");
    for needle in ["a7", "A7", "167", "SealKey"] {
        assert!(!shown.contains(needle), "{needle} in {shown}");
    }
    let plaintext = b"PLAINTEXT-MARKER";
    let sealed = ring.seal(b"u", plaintext, &mut rng()).unwrap();
    let shown = format!("{sealed:?}");
    assert_eq!(shown, "Sealed { key_id: 3, len: 56 }");
    let err = ring.open(b"v", &sealed).unwrap_err();
    for text in [format!("{err:?}"), err.to_string()] {
        assert!(!text.contains("PLAINTEXT"), "{text}");
    }
}

#[cfg(feature = "serde")]
#[test]
fn serde_goes_through_the_text() {
    let v = &vectors()[0];
    let sealed: Sealed = v.sealed.parse().unwrap();
    let json = serde_json::to_string(&sealed).unwrap();
    assert_eq!(json, format!("\"{}\"", v.sealed));
    let back: Sealed = serde_json::from_str(&json).unwrap();
    assert_eq!(back, sealed);
    assert!(serde_json::from_str::<Sealed>("\"z1.1.AAAA\"").is_err());
    assert!(serde_json::from_str::<Sealed>("42").is_err());
}

#[cfg(feature = "getrandom")]
#[test]
fn os_variants_seal_and_reseal() {
    let ring = Keyring::new(KeyId::new(2), SealKey::generate_os().unwrap())
        .with_previous(KeyId::new(1), SealKey::from_bytes(&[1; 32]))
        .unwrap();
    let old = Keyring::new(KeyId::new(1), SealKey::from_bytes(&[1; 32]));
    let secret = Secret::generate_os().unwrap();
    let before = old.seal_secret_os(b"u", &secret).unwrap();
    let moved = ring.reseal_os(b"u", &before).unwrap();
    assert_eq!(moved.key_id(), KeyId::new(2));
    assert!(ring.open_secret(b"u", &moved).unwrap() == secret);
    let other = ring.seal_os(b"u", b"x").unwrap();
    assert_eq!(*ring.open(b"u", &other).unwrap(), b"x");
}

fn any_sealed() -> impl Strategy<Value = (u32, [u8; 32], Vec<u8>, Vec<u8>, [u8; 32])> {
    (
        any::<u32>(),
        any::<[u8; 32]>(),
        prop::collection::vec(any::<u8>(), 1..=255),
        prop::collection::vec(any::<u8>(), 0..=128),
        any::<[u8; 32]>(),
    )
}

proptest! {
    #[test]
    fn any_plaintext_for_any_user_round_trips((id, key, user, plaintext, seed) in any_sealed()) {
        let ring = Keyring::new(KeyId::new(id), SealKey::from_bytes(&key));
        let sealed = ring.seal(&user, &plaintext, &mut ChaCha20Rng::from_seed(seed)).unwrap();
        let text = sealed.to_string();
        prop_assert!(text.len() <= Sealed::MAX_LEN);
        let back: Sealed = text.parse().unwrap();
        prop_assert_eq!(&back, &sealed);
        prop_assert_eq!(back.to_string(), text);
        prop_assert_eq!(&*ring.open(&user, &back).unwrap(), &plaintext);
        prop_assert_eq!(payload_of(&sealed.to_string()).len(), 24 + plaintext.len() + 16);
    }

    #[test]
    fn any_other_user_fails((id, key, user, plaintext, seed) in any_sealed(),
                            other in prop::collection::vec(any::<u8>(), 1..=255)) {
        prop_assume!(other != user);
        let ring = Keyring::new(KeyId::new(id), SealKey::from_bytes(&key));
        let sealed = ring.seal(&user, &plaintext, &mut ChaCha20Rng::from_seed(seed)).unwrap();
        prop_assert_eq!(ring.open(&other, &sealed).unwrap_err(), OpenError::Forged);
    }

    #[test]
    fn any_text_that_parses_prints_back_identically(text in "z1\\.[0-9]{1,10}\\.[A-Za-z0-9_-]{50,230}") {
        if let Ok(sealed) = text.parse::<Sealed>() {
            prop_assert_eq!(sealed.to_string(), text);
        }
    }

    #[test]
    fn any_payload_in_bounds_round_trips(id in any::<u32>(),
                                         payload in prop::collection::vec(any::<u8>(), 40..=168)) {
        let text = text_with_payload(KeyId::new(id), &payload);
        let sealed: Sealed = text.parse().unwrap();
        prop_assert_eq!(sealed.key_id(), KeyId::new(id));
        prop_assert_eq!(sealed.to_string(), text);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        if let Ok(sealed) = text.parse::<Sealed>() {
            prop_assert_eq!(sealed.to_string(), text);
        }
    }
}

#[test]
fn the_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<SealKey>();
    send_sync::<Keyring>();
    send_sync::<Sealed>();
    send_sync::<KeyId>();
    send_sync::<SealError>();
    send_sync::<OpenError>();
}

// ---- no freed heap block keeps a key or a plaintext (as tests/wipe.rs) ----

#[path = "support/inspecting_alloc.rs"]
mod inspecting_alloc;
use inspecting_alloc::unwiped_blocks;

fn pattern(len: usize, salt: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(167) ^ salt)
        .collect()
}

#[test]
fn the_inspector_finds_an_unwiped_copy_and_not_a_wiped_one() {
    let key = pattern(32, 0x5a);
    let plaintext = pattern(20, 0xa5);
    assert_eq!(unwiped_blocks(&key, &plaintext, || key.clone()), 1);
    assert_eq!(unwiped_blocks(&key, &plaintext, || plaintext.clone()), 1);
    assert_eq!(
        unwiped_blocks(&key, &plaintext, || zeroize::Zeroizing::new(
            plaintext.clone()
        )),
        0
    );
    assert_eq!(unwiped_blocks(&key, &plaintext, || vec![0x5a; 64]), 0);
}

#[test]
fn keys_and_plaintexts_leave_no_unwiped_heap_copy() {
    let key: [u8; 32] = pattern(32, 0x5a).try_into().unwrap();
    let mut found = Vec::new();
    for len in [12, 20, 32, 64, 128] {
        let plaintext = pattern(len, 0xa5);
        let mut check = |call: &str, n: u64| {
            if n > 0 {
                found.push(format!("{call}, {len}-byte plaintext: {n} block(s)"));
            }
        };
        // A full keyring whose first previous key is the needle: growing
        // the list of previous keys must not free a block holding it.
        let full = || {
            let mut ring = Keyring::new(KeyId::new(0), SealKey::from_bytes(&[0; 32]))
                .with_previous(KeyId::new(1), SealKey::from_bytes(&key))
                .unwrap();
            for i in 2..Keyring::MAX_KEYS {
                ring = ring
                    .with_previous(KeyId::new(i as u32), SealKey::from_bytes(&[i as u8; 32]))
                    .unwrap();
            }
            ring
        };
        check(
            "Keyring::with_previous",
            unwiped_blocks(&key, &plaintext, full),
        );
        let ring = Keyring::new(KeyId::new(1), SealKey::from_bytes(&key));
        let mut rng = rng();
        let sealed = ring.seal(b"u", &plaintext, &mut rng).unwrap();
        check(
            "Keyring::seal",
            unwiped_blocks(&key, &plaintext, || {
                ring.seal(b"u", &plaintext, &mut rng).unwrap()
            }),
        );
        check(
            "Keyring::open",
            unwiped_blocks(&key, &plaintext, || ring.open(b"u", &sealed).unwrap()),
        );
        check(
            "Keyring::open_secret",
            unwiped_blocks(&key, &plaintext, || {
                ring.open_secret(b"u", &sealed).unwrap()
            }),
        );
        check(
            "Keyring::reseal",
            unwiped_blocks(&key, &plaintext, || {
                ring.reseal(b"u", &sealed, &mut rng).unwrap()
            }),
        );
        check(
            "Keyring::open (wrong user)",
            unwiped_blocks(&key, &plaintext, || ring.open(b"v", &sealed).unwrap_err()),
        );
        let secret = Secret::from_bytes(&plaintext).unwrap();
        check(
            "Keyring::seal_secret",
            unwiped_blocks(&key, &plaintext, || {
                ring.seal_secret(b"u", &secret, &mut rng).unwrap()
            }),
        );
    }
    assert!(found.is_empty(), "unwiped copies: {found:#?}");
}
