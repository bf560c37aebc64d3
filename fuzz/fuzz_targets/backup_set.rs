//! Backup-code storage strings and redemption.
//!
//! Input: `<storage string>\n<program>` (see `Reader` in `src/lib.rs` and
//! `fuzz/seeds.py`). The storage string is arbitrary bytes for
//! `CodeSet::from_str`; the program redeems a few raw inputs against
//! the parsed set, then generates a real set (HMAC profile, 23–32 symbols,
//! most of the time; a 10–22 symbol PBKDF2 profile at the minimum cost
//! otherwise), sends it through its storage string, and redeems real codes
//! (regrouped, re-cased, with aliases), altered codes and raw text against it.
//!
//! Oracles: nothing panics; a storage string that parses prints back
//! identically and re-parses equal; a pepper mismatch is an error exactly
//! when the pepper presence differs; `Malformed` exactly when an independent
//! normaliser rejects the input; against the generated set every result
//! equals a model that knows the plaintext codes and the used slots; a
//! redemption lowers `remaining` by exactly one, marks only its slot, bumps
//! the generation, yields a set that round-trips, and the same code is then
//! `AlreadyUsed`; after a renewal the old codes are `Invalid`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use twostep::backup::{CodeSet, ConfigError, Policy, Redemption};
use twostep_fuzz::{Reader, split_line};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const PEPPER: &[u8; 32] = b"fuzz pepper, 32 bytes, constant!";
/// Parsed sets above this PBKDF2 cost only see malformed input (a storage
/// string may demand 10 million iterations per attempt).
const MAX_FUZZ_ITERATIONS: u32 = 2_000;

/// Independent normaliser: the canonical symbols of `input` if it is a code
/// of `len` symbols (ASCII; white space, `-`, `_` dropped; case folded;
/// `O` → `0`, `I`/`L` → `1`), else `None`.
fn normalise(input: &str, len: usize) -> Option<Vec<u8>> {
    if input.len() > CodeSet::MAX_INPUT_LEN {
        return None;
    }
    let mut out = Vec::new();
    for b in input.bytes() {
        if b.is_ascii_whitespace() || b == b'-' || b == b'_' {
            continue;
        }
        let b = match b.to_ascii_uppercase() {
            b'O' => b'0',
            b'I' | b'L' => b'1',
            other => other,
        };
        if !ALPHABET.contains(&b) {
            return None;
        }
        out.push(b);
    }
    (out.len() == len).then_some(out)
}

fn round_trip(set: &CodeSet) {
    let text = set.to_string();
    assert!(text.len() <= CodeSet::MAX_STORAGE_LEN);
    let again: CodeSet = text.parse().expect("a set's storage string parses");
    assert!(again == *set);
    assert_eq!(again.to_string(), text);
}

/// The pepper from the program: none, the given bytes if their length is
/// valid, a constant otherwise. Returns the policy and the pepper.
fn policy_pepper(r: &mut Reader, policy: Policy) -> (Policy, Option<Vec<u8>>) {
    if r.u8().is_multiple_of(2) {
        return (policy, None);
    }
    let bytes = r.blob();
    let valid = (Policy::MIN_PEPPER_LEN..=Policy::MAX_PEPPER_LEN).contains(&bytes.len());
    assert_eq!(Policy::DEFAULT.with_pepper(bytes).is_ok(), valid);
    let pepper: &[u8] = if valid { bytes } else { PEPPER };
    let policy = policy
        .with_pepper(pepper)
        .expect("16..=64 bytes is a valid pepper");
    (policy, Some(pepper.to_vec()))
}

/// Checks what holds for any redemption of `input` against `set`.
fn redeem_checked(
    set: &CodeSet,
    peppered: bool,
    input: &str,
    policy: &Policy,
) -> Result<Redemption, ConfigError> {
    let result = set.redeem(input, policy);
    if peppered != policy.has_pepper() {
        assert_eq!(
            result,
            Err(ConfigError::PepperMismatch {
                set_has_pepper: peppered
            })
        );
        return result;
    }
    let result = result.expect("no error when the pepper presence matches");
    let malformed = normalise(input, set.code_length()).is_none();
    assert_eq!(
        matches!(result, Redemption::Malformed),
        malformed,
        "{input:?}"
    );
    match &result {
        Redemption::Redeemed {
            slot,
            remaining,
            set: next,
        } => {
            assert_eq!(set.is_used(*slot), Some(false));
            assert_eq!(next.is_used(*slot), Some(true));
            assert_eq!(*remaining, set.remaining() - 1);
            assert_eq!(next.remaining(), *remaining);
            assert_eq!(next.slot_count(), set.slot_count());
            for i in (0..set.slot_count()).filter(|i| i != slot) {
                assert_eq!(next.is_used(i), set.is_used(i));
            }
            assert_eq!(next.generation(), set.generation().saturating_add(1));
            round_trip(next);
            assert_eq!(
                next.redeem(input, policy),
                Ok(Redemption::AlreadyUsed { slot: *slot }),
                "a redeemed code is then already used"
            );
        }
        Redemption::AlreadyUsed { slot } => assert_eq!(set.is_used(*slot), Some(true)),
        _ => {}
    }
    Ok(result)
}

/// A real code as a person might type it, chosen by the bits of `style`.
fn restyle(code: &str, style: u8) -> String {
    let mut s = code.to_string();
    if style & 1 != 0 {
        s = s.to_ascii_lowercase();
    }
    match (style >> 1) & 3 {
        1 => s = s.replace('-', " "),
        2 => s = s.replace('-', ""),
        3 => s = s.replace('-', "_"),
        _ => {}
    }
    if style & 8 != 0 {
        s = s
            .replace('0', "o")
            .replace('1', if style & 16 != 0 { "I" } else { "l" });
    }
    if style & 32 != 0 {
        s = format!(" \t{s}\n");
    }
    s
}

fuzz_target!(|data: &[u8]| {
    let (text, program) = split_line(data);
    let parsed = std::str::from_utf8(text)
        .ok()
        .and_then(|text| match text.parse::<CodeSet>() {
            Ok(set) => {
                assert_eq!(
                    set.to_string(),
                    text,
                    "storage strings print back identically"
                );
                round_trip(&set);
                assert!(set.remaining() <= set.slot_count());
                assert!(((set.slot_count() - set.remaining()) as u64) < set.generation());
                Some((set, text.contains(",pepper=1$")))
            }
            Err(e) => {
                if text.len() > CodeSet::MAX_STORAGE_LEN {
                    assert!(e.to_string().contains("exceeds the limit"), "{e}");
                }
                let _ = e.to_string();
                None
            }
        });
    let mut r = Reader::new(program);

    // Raw inputs against the parsed set.
    let (policy, _) = policy_pepper(&mut r, Policy::DEFAULT);
    for _ in 0..r.u8() % 5 {
        let input = r.text();
        let Some((set, peppered)) = &parsed else {
            continue;
        };
        let cheap = set
            .kdf_iterations()
            .is_none_or(|i| i <= MAX_FUZZ_ITERATIONS);
        if cheap || normalise(&input, set.code_length()).is_none() {
            let _ = redeem_checked(set, *peppered, &input, &policy);
        }
    }
    if r.is_empty() {
        return;
    }

    // A real set.
    let count = usize::from(r.u8());
    let length = r.u8();
    let mut policy = match Policy::DEFAULT.with_count(count) {
        Ok(p) => p,
        Err(_) => {
            assert!(!(Policy::MIN_COUNT..=Policy::MAX_COUNT).contains(&count));
            Policy::DEFAULT
        }
    };
    policy = if length >= 0xe0 {
        // PBKDF2 profile, cheapest cost, at most 3 codes.
        policy
            .with_length(10 + usize::from(length % 13))
            .and_then(|p| p.with_iterations(Policy::MIN_ITERATIONS))
            .and_then(|p| p.with_count(1 + count % 3))
            .expect("valid short profile")
    } else {
        policy
            .with_length(23 + usize::from(length % 10))
            .expect("valid HMAC profile")
    };
    let (policy, pepper) = policy_pepper(&mut r, policy);
    let seed: [u8; 32] = r
        .bytes(32)
        .iter()
        .copied()
        .chain([0; 32])
        .take(32)
        .collect::<Vec<_>>()
        .try_into()
        .expect("32 bytes");
    let mut rng = ChaCha8Rng::from_seed(seed);
    let (codes, set) = CodeSet::generate(&policy, &mut rng).expect("ChaCha repeats no code");
    assert_eq!(
        (codes.len(), set.slot_count(), set.remaining()),
        (policy.count(), policy.count(), policy.count())
    );
    assert_eq!((set.generation(), set.code_length()), (1, policy.length()));
    assert_eq!(set.kdf_iterations().is_some(), policy.uses_kdf());
    assert!(!set.is_outdated(&policy));
    let plain: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
    let canon: Vec<Vec<u8>> = plain
        .iter()
        .map(|c| normalise(c, policy.length()).expect("a generated code is well formed"))
        .collect();
    for (i, c) in canon.iter().enumerate() {
        assert!(!canon[..i].contains(c), "codes within a set are distinct");
    }
    // Through the storage string, as an application would.
    round_trip(&set);
    let mut set: CodeSet = set.to_string().parse().expect("parses");
    let mut used = vec![false; policy.count()];

    for _ in 0..12 {
        if r.is_empty() {
            break;
        }
        let kind = r.u8() % 4;
        let slot = usize::from(r.u8()) % plain.len();
        let (input, redeem_policy) = match kind {
            0 => (restyle(&plain[slot], r.u8()), &policy),
            1 => (r.text(), &policy),
            2 => {
                // One symbol replaced (possibly by itself).
                let mut c = canon[slot].clone();
                let at = usize::from(r.u8()) % c.len();
                c[at] = ALPHABET[usize::from(r.u8() % 32)];
                (String::from_utf8(c).expect("ASCII"), &policy)
            }
            _ => {
                // The real code under another pepper policy.
                let other_pepper =
                    (pepper.is_none() || r.u8().is_multiple_of(2)).then(|| vec![r.u8(); 16]);
                let other = match &other_pepper {
                    Some(p) => Policy::DEFAULT.with_pepper(p).expect("16 bytes"),
                    None => Policy::DEFAULT,
                };
                let result = redeem_checked(&set, policy.has_pepper(), &plain[slot], &other);
                if other_pepper.is_some() && pepper.is_some() && other_pepper != pepper {
                    assert_eq!(
                        result,
                        Ok(Redemption::Invalid),
                        "another pepper matches nothing"
                    );
                }
                continue;
            }
        };
        let want = normalise(&input, policy.length()).map(|n| canon.iter().position(|c| *c == n));
        let result = redeem_checked(&set, policy.has_pepper(), &input, redeem_policy)
            .expect("same pepper presence");
        match (want, result) {
            (None, Redemption::Malformed) => {}
            (Some(None), Redemption::Invalid) => {}
            (Some(Some(s)), Redemption::AlreadyUsed { slot }) if used[s] && slot == s => {}
            (
                Some(Some(s)),
                Redemption::Redeemed {
                    slot, set: next, ..
                },
            ) if !used[s] && slot == s => {
                used[s] = true;
                set = next;
            }
            (want, got) => panic!("model {want:?}, got {got:?} for {input:?}"),
        }
        assert_eq!(set.remaining(), used.iter().filter(|u| !**u).count());
    }

    if r.u8() % 2 == 1 {
        let (_, renewed) = set.renew(&policy, &mut rng).expect("renews");
        assert_eq!(renewed.generation(), set.generation() + 1);
        assert_eq!(renewed.remaining(), policy.count());
        assert_eq!(renewed.redeem(&plain[0], &policy), Ok(Redemption::Invalid));
    }
});
