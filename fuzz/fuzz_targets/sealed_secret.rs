//! `Sealed` text and the keyring's seal / open / reseal.
//!
//! Input: `<sealed text>\n<program>` (see `Reader` in `src/lib.rs`). The
//! text is arbitrary bytes for `Sealed::from_str`; the program is a user
//! id (blob), a plaintext (blob), a 32-byte RNG seed, a text position (u16)
//! and a replacement byte (u8).
//!
//! Oracles: nothing panics; a text that parses prints back identically,
//! fits `Sealed::MAX_LEN` and re-parses equal; no parsed text opens under
//! the target's keyring (its keys are fixed here and appear in no seed, so
//! only a forgery could open); a seal refuses exactly the out-of-bounds
//! user ids and plaintexts; a sealed value round-trips through its text and
//! opens to its plaintext for its user only; a text with one character
//! replaced either fails to parse or fails to open; after a rotation the
//! old text opens, needs a reseal, and the resealed text opens under the
//! new key alone.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use twostep::account::seal::{KeyId, Keyring, OpenError, SealError, SealKey, Sealed};
use twostep_fuzz::{Reader, split_line};

const OLD: [u8; 32] = [0xf1; 32];
const NEW: [u8; 32] = [0xf2; 32];

fn rotated() -> Keyring {
    Keyring::new(KeyId::new(2), SealKey::from_bytes(&NEW))
        .with_previous(KeyId::new(1), SealKey::from_bytes(&OLD))
        .unwrap()
}

fn check_text(text: &[u8], user: &[u8], keyring: &Keyring) {
    let Ok(text) = core::str::from_utf8(text) else {
        return;
    };
    let Ok(sealed) = text.parse::<Sealed>() else {
        return;
    };
    assert_eq!(sealed.to_string(), text);
    assert!(text.len() <= Sealed::MAX_LEN);
    assert_eq!(text.parse::<Sealed>().as_ref(), Ok(&sealed));
    for user in [user, b"fuzz-user".as_slice()] {
        match keyring.open(user, &sealed) {
            Ok(_) => panic!("a text the keyring never sealed opened: {text}"),
            Err(OpenError::UnknownKey { id }) => assert!(id.get() > 2 || id.get() == 0),
            Err(_) => {}
        }
    }
}

fn other_user(user: &[u8]) -> Vec<u8> {
    if user.len() < Keyring::MAX_USER_ID_LEN {
        [user, &[0]].concat()
    } else {
        user[..user.len() - 1].to_vec()
    }
}

fn check_seal(user: &[u8], plaintext: &[u8], rng: &mut ChaCha20Rng, position: u16, byte: u8) {
    let old = Keyring::new(KeyId::new(1), SealKey::from_bytes(&OLD));
    let result = old.seal(user, plaintext, rng);
    if plaintext.len() > Sealed::MAX_PLAINTEXT_LEN {
        assert_eq!(
            result,
            Err(SealError::PlaintextTooLong {
                len: plaintext.len()
            })
        );
        return;
    }
    if user.is_empty() || user.len() > Keyring::MAX_USER_ID_LEN {
        assert_eq!(result, Err(SealError::UserIdLength { len: user.len() }));
        return;
    }
    let sealed = result.unwrap();
    let text = sealed.to_string();
    assert!(text.len() <= Sealed::MAX_LEN);
    let back: Sealed = text.parse().unwrap();
    assert_eq!(back, sealed);
    assert_eq!(*old.open(user, &back).unwrap(), plaintext);
    assert_eq!(old.open(&other_user(user), &back), Err(OpenError::Forged));

    // One character replaced: the text no longer opens (or parses).
    let mut edited = text.clone().into_bytes();
    let at = usize::from(position) % edited.len();
    if edited[at] != byte {
        edited[at] = byte;
        if let Ok(Ok(e)) = String::from_utf8(edited).map(|t| t.parse::<Sealed>()) {
            assert!(old.open(user, &e).is_err(), "{text} edited at {at} opened");
        }
    }

    // Rotation: the old text opens under the rotated keyring and moves.
    let keyring = rotated();
    assert!(keyring.needs_reseal(&sealed));
    assert_eq!(*keyring.open(user, &sealed).unwrap(), plaintext);
    let moved = keyring.reseal(user, &sealed, rng).unwrap();
    assert!(!keyring.needs_reseal(&moved));
    let new_only = Keyring::new(KeyId::new(2), SealKey::from_bytes(&NEW));
    assert_eq!(*new_only.open(user, &moved).unwrap(), plaintext);
    assert_eq!(
        new_only.open(user, &sealed),
        Err(OpenError::UnknownKey { id: KeyId::new(1) })
    );
}

fuzz_target!(|data: &[u8]| {
    let (text, program) = split_line(data);
    let mut r = Reader::new(program);
    let user = r.blob();
    let plaintext = r.blob();
    let seed: [u8; 32] = {
        let mut s = [0u8; 32];
        let b = r.bytes(32);
        s[..b.len()].copy_from_slice(b);
        s
    };
    let position = r.u16();
    let byte = r.u8();
    check_text(text, user, &rotated());
    check_seal(user, plaintext, &mut ChaCha20Rng::from_seed(seed), position, byte);
});
