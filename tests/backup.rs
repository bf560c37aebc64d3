//! Backup codes: known answers, redemption, status, storage string and
//! property tests. The known-answer vectors in `vectors/backup_kat.txt` come
//! from `scripts/backup_vectors.py` (Python hashlib/hmac, independent of the
//! Rust code path). The vectors of storage format v2 are in
//! `vectors/backup_kat_v2.txt` (`scripts/backup_vectors.py --v2`).
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    reason = "test code: a failed unwrap or index is a failed test, and counts are small"
)]

use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use twostep::backup::{CodeSet, ConfigError, ParseError, Policy, Redemption, ShownCodes};

/// Storage format v1: read, no longer written.
const KAT: &str = include_str!("vectors/backup_kat.txt");
/// Storage format v2: written by new sets.
const KAT_V2: &str = include_str!("vectors/backup_kat_v2.txt");

struct Vector<'a> {
    name: &'a str,
    pepper: Option<Vec<u8>>,
    codes: Vec<&'a str>,
    used: Vec<usize>,
    storage: &'a str,
}

fn vectors() -> Vec<Vector<'static>> {
    vectors_in(KAT)
}

fn vectors_in(text: &'static str) -> Vec<Vector<'static>> {
    text.split("\n\n")
        .filter(|b| b.contains("storage: "))
        .map(|block| {
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .unwrap()
                    .trim()
            };
            let pepper = match field("pepper:") {
                "-" => None,
                hex => Some(
                    (0..hex.len())
                        .step_by(2)
                        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                        .collect(),
                ),
            };
            let used = match field("used:") {
                "-" => Vec::new(),
                list => list.split(' ').map(|i| i.parse().unwrap()).collect(),
            };
            Vector {
                name: field("name:"),
                pepper,
                codes: field("codes:").split(' ').collect(),
                used,
                storage: field("storage:"),
            }
        })
        .collect()
}

fn policy_for(v: &Vector<'_>) -> Policy {
    match &v.pepper {
        Some(p) => Policy::DEFAULT.with_pepper(p).unwrap(),
        None => Policy::DEFAULT,
    }
}

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn short(count: usize, length: usize) -> Policy {
    Policy::DEFAULT
        .with_count(count)
        .unwrap()
        .with_length(length)
        .unwrap()
        .with_iterations(Policy::MIN_ITERATIONS)
        .unwrap()
}

fn redeemed(r: Result<Redemption, ConfigError>) -> (usize, usize, CodeSet) {
    match r.unwrap() {
        Redemption::Redeemed {
            slot,
            remaining,
            set,
        } => (slot, remaining, set),
        other => panic!("expected Redeemed, got {other:?}"),
    }
}

fn all_codes(codes: &ShownCodes) -> Vec<String> {
    codes.iter().map(|c| c.to_string()).collect()
}

#[test]
fn known_answers_redeem_through_the_public_api() {
    let vs = vectors();
    assert_eq!(vs.len(), 7);
    redeem_known_answers(&vs);
}

#[test]
fn known_answers_v2_redeem_through_the_public_api() {
    let vs = vectors_in(KAT_V2);
    assert_eq!(vs.len(), 8);
    redeem_known_answers(&vs);
}

fn redeem_known_answers(vs: &[Vector<'_>]) {
    for v in vs {
        let set: CodeSet = v.storage.parse().unwrap();
        assert_eq!(set.to_string(), v.storage, "{}", v.name);
        assert_eq!(set.used_slots().collect::<Vec<_>>(), v.used, "{}", v.name);
        let policy = policy_for(v);
        for (slot, code) in v.codes.iter().enumerate() {
            let r = set.redeem(code, &policy);
            if v.used.contains(&slot) {
                assert_eq!(r, Ok(Redemption::AlreadyUsed { slot }), "{}", v.name);
            } else {
                let (s, remaining, next) = redeemed(r);
                assert_eq!(s, slot, "{}", v.name);
                assert_eq!(remaining, set.remaining() - 1);
                assert_eq!(next.generation(), set.generation() + 1);
                assert_eq!(next.is_used(slot), Some(true));
            }
        }
    }
}

#[test]
fn known_answers_need_the_right_pepper() {
    for v in vectors().into_iter().chain(vectors_in(KAT_V2)) {
        let set: CodeSet = v.storage.parse().unwrap();
        let unused = (0..v.codes.len()).find(|i| !v.used.contains(i)).unwrap();
        let code = v.codes[unused];
        if let Some(p) = &v.pepper {
            let mut other = p.clone();
            other[0] ^= 1;
            let wrong = Policy::DEFAULT.with_pepper(&other).unwrap();
            assert_eq!(set.redeem(code, &wrong), Ok(Redemption::Invalid));
            assert_eq!(
                set.redeem(code, &Policy::DEFAULT),
                Err(ConfigError::PepperMismatch {
                    set_has_pepper: true
                })
            );
        } else {
            let with = Policy::DEFAULT.with_pepper(&[9; 16]).unwrap();
            assert_eq!(
                set.redeem(code, &with),
                Err(ConfigError::PepperMismatch {
                    set_has_pepper: false
                })
            );
        }
    }
}

#[test]
fn known_answers_with_every_formatting() {
    let v = &vectors()[0];
    let set: CodeSet = v.storage.parse().unwrap();
    let policy = policy_for(v);
    let code = v.codes[0]; // HE6M-1110-RDV1-EWZE-PEEX-J1T6
    for typed in [
        code.to_string(),
        code.to_lowercase(),
        code.replace('-', ""),
        code.replace('-', " "),
        code.replace('-', "_"),
        format!("  {}\n", code.replace('-', "\t")),
        code.replace('0', "O").replace('1', "I"),
        code.replace('0', "o").replace('1', "l"),
        code.replace('1', "L").to_lowercase(),
    ] {
        let (slot, ..) = redeemed(set.redeem(&typed, &policy));
        assert_eq!(slot, 0, "{typed:?}");
    }
    for typed in [
        code.replace('E', "U"),             // U is not an alias
        code.replace('E', "É"),             // not ASCII
        code.replace('-', "."),             // not a separator
        code[..code.len() - 1].to_string(), // one symbol short
        format!("{code}0"),                 // one symbol long
        String::new(),
        "0".repeat(CodeSet::MAX_INPUT_LEN + 1),
    ] {
        assert_eq!(
            set.redeem(&typed, &policy),
            Ok(Redemption::Malformed),
            "{typed:?}"
        );
    }
    // A well-formed code that is in no slot.
    assert_eq!(
        set.redeem(&"0".repeat(24), &policy),
        Ok(Redemption::Invalid)
    );
}

#[test]
fn default_cost_profile_redeems() {
    // The one test at the default PBKDF2 cost (100,000 iterations).
    let policy = Policy::DEFAULT
        .with_count(1)
        .unwrap()
        .with_length(16)
        .unwrap();
    assert_eq!(policy.iterations(), 100_000);
    let (codes, set) = CodeSet::generate(&policy, &mut rng(1)).unwrap();
    assert_eq!(set.kdf_iterations(), Some(100_000));
    assert!(
        set.to_string()
            .contains("alg=pbkdf2-sha256,i=100000,len=16,")
    );
    let (slot, remaining, next) = redeemed(set.redeem(&codes.to_string(), &policy));
    assert_eq!((slot, remaining), (0, 0));
    assert!(next.is_exhausted());
}

#[test]
fn raising_the_cost_keeps_old_sets_working() {
    let old_policy = short(3, 12);
    let (codes, set) = CodeSet::generate(&old_policy, &mut rng(2)).unwrap();
    let new_policy = short(3, 12).with_iterations(2_000).unwrap();
    assert!(set.is_outdated(&new_policy));
    let stored = set.to_string();
    let set: CodeSet = stored.parse().unwrap();
    let (_, _, next) = redeemed(set.redeem(&all_codes(&codes)[1], &new_policy));
    assert_eq!(next.kdf_iterations(), Some(1_000));
    let (_, renewed) = next.renew(&new_policy, &mut rng(3)).unwrap();
    assert_eq!(renewed.kdf_iterations(), Some(2_000));
    assert!(!renewed.is_outdated(&new_policy));
}

#[test]
fn status_and_renewal() {
    let policy = Policy::DEFAULT;
    let (codes, mut set) = CodeSet::generate(&policy, &mut rng(4)).unwrap();
    let codes = all_codes(&codes);
    assert_eq!((set.remaining(), set.slot_count()), (10, 10));
    assert!(!set.needs_renewal(&policy) && !set.is_exhausted());
    // Spend codes 2 and 7 (slots 1 and 6): "codes 2 and 7 used, 8 left".
    for slot in [1, 6] {
        set = redeemed(set.redeem(&codes[slot], &policy)).2;
    }
    assert_eq!(set.used_slots().map(|i| i + 1).collect::<Vec<_>>(), [2, 7]);
    assert_eq!(set.remaining(), 8);
    assert_eq!(set.generation(), 3);
    for slot in [0, 2, 3, 4] {
        set = redeemed(set.redeem(&codes[slot], &policy)).2;
        assert_eq!(set.needs_renewal(&policy), set.remaining() <= 3);
    }
    assert_eq!(set.remaining(), 4);
    assert!(!set.needs_renewal(&policy));
    set = redeemed(set.redeem(&codes[5], &policy)).2;
    assert!(set.needs_renewal(&policy));
    for slot in [7, 8, 9] {
        set = redeemed(set.redeem(&codes[slot], &policy)).2;
    }
    assert!(set.is_exhausted());
    assert_eq!(set.generation(), 11);
    for (slot, code) in codes.iter().enumerate() {
        assert_eq!(
            set.redeem(code, &policy),
            Ok(Redemption::AlreadyUsed { slot })
        );
    }
    // Renewal replaces the set: none of the old codes works, the generation
    // carries on, and the new codes do.
    let (new_codes, renewed) = set.renew(&policy, &mut rng(5)).unwrap();
    assert_eq!(renewed.generation(), 12);
    assert_eq!(renewed.remaining(), 10);
    for code in &codes {
        assert_eq!(renewed.redeem(code, &policy), Ok(Redemption::Invalid));
    }
    for (slot, code) in all_codes(&new_codes).iter().enumerate() {
        assert_eq!(redeemed(renewed.redeem(code, &policy)).0, slot);
    }
}

#[test]
fn secrets_stay_out_of_debug() {
    let policy = Policy::DEFAULT.with_pepper(&[0xAB; 32]).unwrap();
    let (codes, set) = CodeSet::generate(&policy, &mut rng(6)).unwrap();
    let debug = format!("{codes:?} {set:?} {policy:?} {:?}", codes.get(0).unwrap());
    for code in all_codes(&codes) {
        assert!(!debug.contains(&code) && !debug.contains(&code.replace('-', "")));
    }
    assert!(!debug.contains("171") && !debug.to_lowercase().contains("abab"));
    let stored = set.to_string();
    let digest = stored
        .rsplit('$')
        .next()
        .unwrap()
        .split(',')
        .next()
        .unwrap();
    assert!(!debug.contains(digest));
    assert_eq!(
        format!("{set:?}"),
        "CodeSet { kdf_iterations: None, code_length: 24, pepper: true, generation: 1, slots: 10, used: [], .. }"
    );
}

#[test]
fn text_block_and_display() {
    let policy = Policy::DEFAULT.with_count(12).unwrap();
    let (codes, _) = CodeSet::generate(&policy, &mut rng(7)).unwrap();
    let block = codes.to_text_block("Backup codes\nfor ana");
    let lines: Vec<&str> = block.lines().collect();
    assert_eq!(lines.len(), 14);
    assert_eq!(lines[0], "Backup codes for ana");
    assert_eq!(lines[1], "");
    assert_eq!(lines[2], format!(" 1. {}", codes.get(0).unwrap()));
    assert_eq!(lines[13], format!("12. {}", codes.get(11).unwrap()));
    // The block was allocated once, at its final size.
    assert_eq!(block.len(), block.capacity());
    let display = codes.to_string();
    assert_eq!(display.lines().count(), 12);
    for line in display.lines() {
        let groups: Vec<&str> = line.split('-').collect();
        assert_eq!(groups.len(), 6);
        assert!(groups.iter().all(|g| {
            g.len() == 4
                && g.bytes()
                    .all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b))
        }));
    }
    let (codes, _) = CodeSet::generate(&short(1, 10), &mut rng(8)).unwrap();
    assert_eq!(codes.to_string().len(), 12); // XXXX-XXXX-XX
}

#[test]
fn policy_bounds() {
    let p = Policy::DEFAULT;
    assert_eq!(p.entropy_bits(), 120);
    for n in [0, 21, usize::MAX] {
        assert!(matches!(
            Policy::DEFAULT.with_count(n),
            Err(ConfigError::Count { .. })
        ));
    }
    for n in [1, 20] {
        assert_eq!(Policy::DEFAULT.with_count(n).unwrap().count(), n);
    }
    for n in [9, 33, 256] {
        assert!(matches!(
            Policy::DEFAULT.with_length(n),
            Err(ConfigError::Length { .. })
        ));
    }
    assert!(Policy::DEFAULT.with_length(10).unwrap().uses_kdf());
    assert!(Policy::DEFAULT.with_length(22).unwrap().uses_kdf());
    assert!(!Policy::DEFAULT.with_length(23).unwrap().uses_kdf());
    assert!(!Policy::DEFAULT.with_length(32).unwrap().uses_kdf());
    for i in [0, 999, 10_000_001, u32::MAX] {
        assert!(matches!(
            Policy::DEFAULT.with_iterations(i),
            Err(ConfigError::Iterations { .. })
        ));
    }
    assert!(Policy::DEFAULT.with_renewal_threshold(0).is_ok());
    assert!(Policy::DEFAULT.with_renewal_threshold(21).is_err());
    for len in [0, 15, 65] {
        assert!(matches!(
            Policy::DEFAULT.with_pepper(&vec![1; len]),
            Err(ConfigError::PepperLength { .. })
        ));
    }
    assert_eq!(
        ConfigError::Count { count: 0 }.to_string(),
        "backup code count must be between 1 and 20, got 0"
    );
}

/// A valid storage string with `n` slots of the given length.
fn stored(length: usize, n: usize, seed: u64) -> String {
    let policy = short(n, length);
    CodeSet::generate(&policy, &mut rng(seed))
        .unwrap()
        .1
        .to_string()
}

#[test]
#[expect(clippy::too_many_lines, reason = "one table row per malformed form")]
fn every_malformed_storage_form_has_its_error() {
    let good = stored(24, 2, 9);
    let (head, digests) = good.rsplit_once('$').unwrap();
    let d: Vec<&str> = digests.split(',').collect();
    let salt = good
        .split("$salt=")
        .nth(1)
        .unwrap()
        .split('$')
        .next()
        .unwrap();
    let cases: Vec<(String, &str)> = vec![
        (
            "x".repeat(1025),
            "storage string of 1025 bytes exceeds the limit of 1024",
        ),
        (String::new(), "not a twostep backup-code storage string"),
        (
            good.replacen("$twostep-bc$", "$twostep-bd$", 1),
            "not a twostep backup-code storage string",
        ),
        (
            good.replacen("v=2", "v=3", 1),
            "unsupported backup-code storage format version",
        ),
        (
            good.replacen("v=2", "v=02", 1),
            "unsupported backup-code storage format version",
        ),
        (
            good.replacen("v=2", "version=2", 1),
            "malformed backup-code storage string structure",
        ),
        (
            format!("{good}$"),
            "malformed backup-code storage string structure",
        ),
        (
            good.replacen("$gen=1", "", 1),
            "malformed backup-code storage string structure",
        ),
        (
            good.replacen("salt=", "s=", 1),
            "malformed backup-code storage string structure",
        ),
        (
            good.replacen("gen=", "g=", 1),
            "malformed backup-code storage string structure",
        ),
        (
            "$twostep-bc$v=1".into(),
            "malformed backup-code storage string structure",
        ),
        (
            good.replacen(",len=24", "", 1),
            "malformed backup-code parameters",
        ),
        (
            good.replacen("len=24", "len=024", 1),
            "malformed backup-code parameters",
        ),
        (
            good.replacen("len=24", "len=x", 1),
            "malformed backup-code parameters",
        ),
        (
            good.replacen("pepper=0", "pepper=2", 1),
            "malformed backup-code parameters",
        ),
        (
            good.replacen("pepper=0", "pepper=0,x=1", 1),
            "malformed backup-code parameters",
        ),
        (
            good.replacen(",pepper=0", "", 1),
            "malformed backup-code parameters",
        ),
        (
            good.replacen("hmac-sha256", "md5", 1),
            "unknown backup-code hash algorithm",
        ),
        (
            good.replacen("hmac-sha256", "pbkdf2-sha256", 1),
            "malformed backup-code parameters",
        ),
        (
            good.replacen("hmac-sha256", "pbkdf2-sha256,i=1000", 1),
            "hash algorithm does not match the code length of 24 symbols",
        ),
        (
            good.replacen("len=24", "len=22", 1),
            "hash algorithm does not match the code length of 22 symbols",
        ),
        (
            good.replacen("hmac-sha256", "pbkdf2-sha256,i=999", 1),
            "pbkdf2 iterations must be between 1000 and 10000000, got 999",
        ),
        (
            good.replacen("hmac-sha256", "pbkdf2-sha256,i=99999999999", 1),
            "pbkdf2 iterations must be between 1000 and 10000000, got 99999999999",
        ),
        (
            good.replacen("len=24", "len=33", 1),
            "backup code length must be between 10 and 32 symbols, got 33",
        ),
        (
            good.replacen("len=24", "len=9", 1),
            "backup code length must be between 10 and 32 symbols, got 9",
        ),
        (
            good.replacen(salt, &salt[1..], 1),
            "malformed backup-code salt",
        ),
        (
            good.replacen(salt, &format!("{salt}=="), 1),
            "malformed backup-code salt",
        ),
        (
            good.replacen(salt, &format!("{}!", &salt[1..]), 1),
            "malformed backup-code salt",
        ),
        (
            good.replacen("gen=1", "gen=0", 1),
            "malformed backup-code generation",
        ),
        (
            good.replacen("gen=1", "gen=01", 1),
            "malformed backup-code generation",
        ),
        (
            good.replacen("gen=1", "gen=", 1),
            "malformed backup-code generation",
        ),
        (
            good.replacen("gen=1", "gen=18446744073709551616", 1),
            "malformed backup-code generation",
        ),
        (
            format!("{head}$"),
            "backup code count must be between 1 and 20, got 0",
        ),
        (
            format!("{head}${}", vec![d[0]; 21].join(",")),
            "backup code count must be between 1 and 20, got 21",
        ),
        (format!("{head}${},", d[0]), "malformed digest in slot 1"),
        (
            format!("{head}${},{}", d[0], &d[1][1..]),
            "malformed digest in slot 1",
        ),
        (
            format!("{head}${},+{}", d[0], d[1]),
            "malformed digest in slot 1",
        ),
        (
            format!("{head}${},--{}", d[0], d[1]),
            "malformed digest in slot 1",
        ),
        (
            format!("{head}${},{}=", d[0], d[1]),
            "malformed digest in slot 1",
        ),
        (
            format!("{head}${},{}", d[0], d[0]),
            "slot 1 repeats an earlier digest",
        ),
        (
            format!("{head}${},-{}", d[0], d[0]),
            "slot 1 repeats an earlier digest",
        ),
        (
            format!("{head}$-{},{}", d[0], d[1]),
            "1 used slots exceed what generation 1 allows",
        ),
    ];
    for (text, expected) in &cases {
        let err = text.parse::<CodeSet>().unwrap_err();
        assert_eq!(err.to_string(), *expected, "{text}");
        assert_eq!(format!("{err:?}"), format!("ParseError({expected:?})"));
        // Error messages never echo the input.
        let message = err.to_string();
        assert!(!message.contains(salt) && !message.contains(d[0]));
    }
    // The last case becomes valid once the generation accounts for the use.
    let fixed = format!("{head}$-{},{}", d[0], d[1]).replacen("gen=1", "gen=2", 1);
    assert_eq!(fixed.parse::<CodeSet>().unwrap().to_string(), fixed);
}

#[test]
fn the_longest_storage_string_fits_the_cap() {
    let policy = Policy::DEFAULT
        .with_count(Policy::MAX_COUNT)
        .unwrap()
        .with_length(22)
        .unwrap()
        .with_iterations(Policy::MAX_ITERATIONS)
        .unwrap()
        .with_pepper(&[1; 16])
        .unwrap();
    // Build the string by hand from a cheap set (generation at the maximum
    // cost would take seconds): every slot used, largest numbers everywhere.
    let cheap = short(20, 22).with_pepper(&[1; 16]).unwrap();
    let s = CodeSet::generate(&cheap, &mut rng(10))
        .unwrap()
        .1
        .to_string();
    let (head, digests) = s.rsplit_once('$').unwrap();
    let head = head
        .replacen("i=1000", &format!("i={}", policy.iterations()), 1)
        .replacen("gen=1", &format!("gen={}", u64::MAX), 1);
    let used: Vec<String> = digests.split(',').map(|d| format!("-{d}")).collect();
    let longest = format!("{head}${}", used.join(","));
    assert!(
        longest.len() <= CodeSet::MAX_STORAGE_LEN,
        "{}",
        longest.len()
    );
    let set: CodeSet = longest.parse().unwrap();
    assert_eq!(set.to_string(), longest);
    assert!(set.is_exhausted());
}

#[cfg(feature = "serde")]
#[test]
fn serde_uses_the_storage_string() {
    let s = stored(24, 3, 11);
    let set: CodeSet = s.parse().unwrap();
    let json = serde_json::to_string(&set).unwrap();
    assert_eq!(json, serde_json::to_string(&s).unwrap());
    let back: CodeSet = serde_json::from_str(&json).unwrap();
    assert_eq!(back, set);
    let err = serde_json::from_str::<CodeSet>("\"$twostep-bc$v=9\"").unwrap_err();
    assert!(err.to_string().contains("unsupported"), "{err}");
    assert!(serde_json::from_str::<CodeSet>("42").is_err());
}

#[test]
fn types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Policy>();
    check::<ShownCodes>();
    check::<CodeSet>();
    check::<Redemption>();
    check::<ConfigError>();
    check::<ParseError>();
}

/// Formats `code` (grouped, upper case) the way a user might type it.
fn retype(code: &str, style: u8) -> String {
    let plain: String = code.chars().filter(|&c| c != '-').collect();
    let mut out = String::new();
    for (i, c) in plain.chars().enumerate() {
        let bits = style.rotate_left(i as u32 % 8);
        if i > 0 && bits & 0b11 == 0b11 {
            out.push([' ', '-', '_', '\t'][(bits >> 2) as usize % 4]);
        }
        let c = match (c, bits & 0b10000 != 0) {
            ('0', true) => 'O',
            ('1', true) => ['I', 'L', 'i', 'l'][(bits >> 5) as usize % 4],
            (c, _) => c,
        };
        out.push(if bits & 0b100 != 0 {
            c.to_ascii_lowercase()
        } else {
            c
        });
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_code_redeems_exactly_once_in_any_order_and_format(
        seed in any::<u64>(),
        count in 1usize..=20,
        length in prop_oneof![Just(24usize), 23usize..=32, 10usize..=22],
        order in Just((0..20).collect::<Vec<usize>>()).prop_shuffle(),
        styles in proptest::collection::vec(any::<u8>(), 20),
    ) {
        let policy = short(count, length);
        let (codes, mut set) = CodeSet::generate(&policy, &mut rng(seed)).unwrap();
        let codes = all_codes(&codes);
        let order: Vec<usize> = order.into_iter().filter(|&i| i < count).collect();
        for (n, &slot) in order.iter().enumerate() {
            let typed = retype(&codes[slot], styles[slot]);
            let (s, remaining, next) = redeemed(set.redeem(&typed, &policy));
            prop_assert_eq!(s, slot);
            prop_assert_eq!(remaining, count - n - 1);
            prop_assert_eq!(
                next.redeem(&typed, &policy),
                Ok(Redemption::AlreadyUsed { slot })
            );
            set = next;
        }
        prop_assert!(set.is_exhausted());
        prop_assert_eq!(set.generation(), 1 + count as u64);
    }

    #[test]
    fn a_code_from_another_set_fails(
        seed in any::<u64>(),
        length in prop_oneof![Just(24usize), 10usize..=32],
    ) {
        let policy = short(5, length);
        let (codes, _) = CodeSet::generate(&policy, &mut rng(seed)).unwrap();
        let (_, other) = CodeSet::generate(&policy, &mut rng(seed ^ 1)).unwrap();
        for code in all_codes(&codes) {
            prop_assert_eq!(other.redeem(&code, &policy), Ok(Redemption::Invalid));
        }
    }

    #[test]
    fn storage_string_round_trips(
        seed in any::<u64>(),
        count in 1usize..=20,
        length in 10usize..=32,
        spend in proptest::collection::vec(any::<bool>(), 20),
        pepper in any::<bool>(),
    ) {
        let mut policy = short(count, length);
        if pepper {
            policy = policy.with_pepper(&seed.to_le_bytes().repeat(3)).unwrap();
        }
        let (codes, mut set) = CodeSet::generate(&policy, &mut rng(seed)).unwrap();
        for (slot, code) in all_codes(&codes).iter().enumerate() {
            if spend[slot] {
                set = redeemed(set.redeem(code, &policy)).2;
            }
        }
        let text = set.to_string();
        prop_assert!(text.len() <= CodeSet::MAX_STORAGE_LEN);
        let back: CodeSet = text.parse().unwrap();
        prop_assert_eq!(back.to_string(), text);
        prop_assert_eq!(&back, &set);
        prop_assert_eq!(back.remaining(), set.remaining());
    }

    #[test]
    fn low_entropy_profiles_use_the_kdf(seed in any::<u64>(), length in 10usize..=32) {
        let policy = short(1, length);
        let (_, set) = CodeSet::generate(&policy, &mut rng(seed)).unwrap();
        let text = set.to_string();
        let kdf = length * 5 < 112;
        prop_assert_eq!(policy.uses_kdf(), kdf);
        prop_assert_eq!(set.kdf_iterations().is_some(), kdf);
        let expected = if kdf {
            format!("$alg=pbkdf2-sha256,i=1000,len={length},pepper=0$")
        } else {
            format!("$alg=hmac-sha256,len={length},pepper=0$")
        };
        prop_assert!(text.contains(&expected), "{}", text);
    }

    #[test]
    fn random_strings_never_panic_the_parser(s in "\\PC{0,1100}") {
        if let Ok(set) = s.parse::<CodeSet>() {
            prop_assert_eq!(set.to_string(), s);
        }
    }

    #[test]
    fn mutated_storage_strings_parse_to_themselves_or_fail(
        seed in any::<u64>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<char>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let good = stored(16, 3, seed);
        let mut chars: Vec<char> = good.chars().collect();
        for (at, c) in &edits {
            let i = at.index(chars.len());
            chars[i] = *c;
        }
        let mutated: String = chars.iter().collect();
        let truncated = &good[..cut.index(good.len())];
        for s in [mutated.as_str(), truncated] {
            if let Ok(set) = s.parse::<CodeSet>() {
                prop_assert_eq!(set.to_string(), s);
            }
        }
    }

    #[test]
    fn random_input_never_panics_redeem(s in "\\PC{0,300}", bytes in "[0-9A-Za-z _-]{0,40}") {
        let policy = short(3, 12);
        let (_, set) = CodeSet::generate(&policy, &mut rng(12)).unwrap();
        for input in [s.as_str(), bytes.as_str()] {
            let r = set.redeem(input, &policy).unwrap();
            prop_assert!(matches!(r, Redemption::Malformed | Redemption::Invalid), "{:?}", r);
        }
    }
}

// --- Edges: debug text, the sheet, the caps, outdated sets ------------------

#[test]
fn debug_shows_the_parameters_and_hides_the_pepper() {
    let policy = Policy::DEFAULT;
    assert_eq!(
        format!("{policy:?}"),
        "Policy { count: 10, length: 24, renewal_threshold: 3, iterations: 100000, pepper: None }"
    );
    let peppered = policy
        .with_count(4)
        .unwrap()
        .with_pepper(&[0xAB; 32])
        .unwrap();
    assert_eq!(
        format!("{peppered:?}"),
        "Policy { count: 4, length: 24, renewal_threshold: 3, iterations: 100000, pepper: Some(..) }"
    );
    let (codes, _) = CodeSet::generate(&short(3, 12), &mut rng(21)).unwrap();
    assert_eq!(
        format!("{codes:?}"),
        "ShownCodes { count: 3, length: 12, .. }"
    );
    assert_eq!(format!("{:?}", codes.get(2).unwrap()), "ShownCode(..)");
}

#[test]
fn a_fresh_sheet_is_not_empty_and_numbers_ten_codes_in_two_columns() {
    let (codes, set) = CodeSet::generate(&Policy::DEFAULT, &mut rng(22)).unwrap();
    assert!(!codes.is_empty());
    assert_eq!(codes.len(), 10);
    assert_eq!(set.is_used(0), Some(false));
    assert_eq!(set.is_used(9), Some(false));
    assert_eq!(set.is_used(10), None);
    let block = codes.to_text_block("Codes");
    let lines: Vec<&str> = block.lines().collect();
    assert_eq!(lines[2], format!(" 1. {}", codes.get(0).unwrap()));
    assert_eq!(lines[11], format!("10. {}", codes.get(9).unwrap()));
    assert_eq!(block.len(), block.capacity());
    // Nine codes need one column.
    let (nine, _) = CodeSet::generate(&short(9, 12), &mut rng(23)).unwrap();
    let block = nine.to_text_block("Codes");
    assert_eq!(
        block.lines().nth(2).unwrap(),
        format!("1. {}", nine.get(0).unwrap())
    );
}

#[test]
fn the_input_cap_is_inclusive() {
    // Whitespace anywhere is ignored, so a code padded with spaces to the cap
    // still redeems; one byte more is refused unread.
    let policy = Policy::DEFAULT;
    let (codes, set) = CodeSet::generate(&policy, &mut rng(24)).unwrap();
    let code = codes.get(0).unwrap().to_string();
    let padded = format!("{code:<width$}", width = CodeSet::MAX_INPUT_LEN);
    assert_eq!(padded.len(), CodeSet::MAX_INPUT_LEN);
    assert!(matches!(
        set.redeem(&padded, &policy),
        Ok(Redemption::Redeemed { .. })
    ));
    let over = format!("{padded} ");
    assert!(matches!(
        set.redeem(&over, &policy),
        Ok(Redemption::Malformed)
    ));
}

#[test]
fn outdated_compares_scheme_length_and_pepper() {
    // An HMAC set (24 symbols) is current under its own policy, whatever the
    // PBKDF2 cost says (it does not apply to it).
    let policy = Policy::DEFAULT;
    let (_, set) = CodeSet::generate(&policy, &mut rng(25)).unwrap();
    assert!(!set.is_outdated(&policy));
    assert!(!set.is_outdated(&Policy::DEFAULT.with_iterations(200_000).unwrap()));
    // Same length and scheme, but the policy now has a pepper: outdated.
    assert!(set.is_outdated(&Policy::DEFAULT.with_pepper(&[7; 32]).unwrap()));
    // And the other way round.
    let peppered = || Policy::DEFAULT.with_pepper(&[7; 32]).unwrap();
    let (_, set) = CodeSet::generate(&peppered(), &mut rng(26)).unwrap();
    assert!(!set.is_outdated(&peppered()));
    assert!(set.is_outdated(&policy));
    // A different length: outdated.
    assert!(set.is_outdated(&peppered().with_length(32).unwrap()));
}

#[test]
fn the_storage_length_cap_is_inclusive() {
    // A string of exactly the cap is read (and refused for its content), one
    // byte more is refused for its length before any parsing.
    let at_cap = "x".repeat(CodeSet::MAX_STORAGE_LEN);
    assert_eq!(
        at_cap.parse::<CodeSet>().unwrap_err().to_string(),
        "not a twostep backup-code storage string"
    );
    let over = "x".repeat(CodeSet::MAX_STORAGE_LEN + 1);
    assert_eq!(
        over.parse::<CodeSet>().unwrap_err().to_string(),
        format!(
            "storage string of {} bytes exceeds the limit of {}",
            CodeSet::MAX_STORAGE_LEN + 1,
            CodeSet::MAX_STORAGE_LEN
        )
    );
}

#[cfg(feature = "serde")]
#[test]
fn serde_explains_what_it_expects() {
    let err = serde_json::from_str::<CodeSet>("5").unwrap_err();
    assert!(
        err.to_string()
            .contains("a twostep backup-code storage string"),
        "{err}"
    );
}

/// Two codes hashed with HMAC alone, and two with PBKDF2.
const PROFILES: [fn() -> Policy; 2] = [|| Policy::DEFAULT.with_count(2).unwrap(), || short(2, 12)];

#[test]
fn peppers_that_differ_by_trailing_zero_bytes_are_different_peppers() {
    let base: Vec<u8> = (1..=16).collect();
    for policy in PROFILES {
        let mut longer = base.clone();
        for _ in 0..3 {
            longer.push(0);
            let p = policy().with_pepper(&base).unwrap();
            let q = policy().with_pepper(&longer).unwrap();
            let (codes, set) = CodeSet::generate(&p, &mut rng(30)).unwrap();
            let code = codes.get(1).unwrap().to_string();
            assert_eq!(set.redeem(&code, &q), Ok(Redemption::Invalid), "{longer:?}");
            assert_eq!(redeemed(set.redeem(&code, &p)).0, 1);
        }
    }
}

#[test]
fn an_all_zero_pepper_is_not_the_absence_of_one() {
    for policy in PROFILES {
        for len in [Policy::MIN_PEPPER_LEN, 32, Policy::MAX_PEPPER_LEN] {
            let zero = policy().with_pepper(&vec![0; len]).unwrap();
            let (codes, set) = CodeSet::generate(&zero, &mut rng(31)).unwrap();
            let code = codes.get(0).unwrap().to_string();
            // The same digests, recorded as hashed without a pepper: with no
            // pepper, no code may match them.
            let stored = set.to_string();
            assert!(stored.contains(",pepper=1$"));
            let unpeppered: CodeSet = stored
                .replacen(",pepper=1$", ",pepper=0$", 1)
                .parse()
                .unwrap();
            let none = Policy::DEFAULT;
            assert_eq!(unpeppered.redeem(&code, &none), Ok(Redemption::Invalid));
            assert_eq!(redeemed(set.redeem(&code, &zero)).0, 0);
        }
    }
}

#[test]
fn known_answers_v2_tell_trailing_zero_peppers_apart() {
    let vs = vectors_in(KAT_V2);
    let mut pairs = 0;
    for (a, b) in vs.iter().zip(&vs[1..]) {
        if !b.name.ends_with("-trailing-zero") {
            continue;
        }
        let (pa, pb) = (a.pepper.clone().unwrap(), b.pepper.clone().unwrap());
        assert_eq!([pa.as_slice(), &[0]].concat(), pb, "{}", b.name);
        assert_eq!(a.codes, b.codes);
        let set_a: CodeSet = a.storage.parse().unwrap();
        let set_b: CodeSet = b.storage.parse().unwrap();
        for (slot, code) in a.codes.iter().enumerate() {
            assert_eq!(set_a.redeem(code, &policy_for(b)), Ok(Redemption::Invalid));
            assert_eq!(set_b.redeem(code, &policy_for(a)), Ok(Redemption::Invalid));
            assert!(
                set_a
                    .redeem(code, &policy_for(a))
                    .is_ok_and(|r| r != Redemption::Invalid),
                "{slot}"
            );
        }
        pairs += 1;
    }
    assert_eq!(pairs, 2);
}

#[test]
fn new_sets_are_written_in_version_2_and_version_1_sets_stay_readable() {
    let (_, set) = CodeSet::generate(&Policy::DEFAULT, &mut rng(32)).unwrap();
    assert!(set.to_string().starts_with("$twostep-bc$v=2$"));
    let (_, renewed) = set.renew(&Policy::DEFAULT, &mut rng(33)).unwrap();
    assert!(renewed.to_string().starts_with("$twostep-bc$v=2$"));
    for v in vectors() {
        let set: CodeSet = v.storage.parse().unwrap();
        assert!(set.is_outdated(&policy_for(&v)), "{}", v.name);
        let unused = (0..v.codes.len()).find(|i| !v.used.contains(i)).unwrap();
        let (_, _, next) = redeemed(set.redeem(v.codes[unused], &policy_for(&v)));
        // A redemption keeps the set's format: its other codes still redeem.
        assert!(
            next.to_string().starts_with("$twostep-bc$v=1$"),
            "{}",
            v.name
        );
    }
}

#[test]
fn set_equality_sees_every_part() {
    let stored = stored(24, 3, 34);
    let set: CodeSet = stored.parse().unwrap();
    assert_eq!(set, stored.parse::<CodeSet>().unwrap());
    let (head, digests) = stored.rsplit_once('$').unwrap();
    let d: Vec<&str> = digests.split(',').collect();
    // One digest changed in its first symbol (any other canonical value).
    let first = if d[2].starts_with('A') { "B" } else { "A" };
    let changed = format!("{head}${},{},{first}{}", d[0], d[1], &d[2][1..]);
    let salt = stored.split("$salt=").nth(1).unwrap();
    let salt_first = if salt.starts_with('A') { "B" } else { "A" };
    let salt_changed = stored.replacen(
        &format!("$salt={}", &salt[..1]),
        &format!("$salt={salt_first}"),
        1,
    );
    let used = format!("{head}${},-{},{}", d[0], d[1], d[2]).replacen("gen=1", "gen=2", 1);
    let generation = stored.replacen("gen=1", "gen=2", 1);
    let v1 = stored.replacen("$v=2$", "$v=1$", 1);
    for other in [changed, salt_changed, used, generation, v1] {
        let other: CodeSet = other.parse().unwrap();
        assert_ne!(set, other, "{other:?}");
    }
}

#[cfg(feature = "getrandom")]
#[test]
fn os_random_sets_redeem_and_differ() {
    let policy = Policy::DEFAULT.with_count(3).unwrap();
    let (codes, set) = CodeSet::generate_os(&policy).unwrap();
    let (other_codes, renewed) = set.renew_os(&policy).unwrap();
    assert_eq!(renewed.generation(), set.generation() + 1);
    let (codes, other_codes) = (all_codes(&codes), all_codes(&other_codes));
    assert!(codes.iter().all(|c| !other_codes.contains(c)));
    for (slot, code) in codes.iter().enumerate() {
        assert_eq!(redeemed(set.redeem(code, &policy)).0, slot);
        assert_eq!(renewed.redeem(code, &policy), Ok(Redemption::Invalid));
    }
    assert_eq!(redeemed(renewed.redeem(&other_codes[2], &policy)).0, 2);
}

#[test]
fn a_cloned_policy_keeps_its_pepper() {
    let policy = Policy::DEFAULT
        .with_length(16)
        .unwrap()
        .with_iterations(Policy::MIN_ITERATIONS)
        .unwrap()
        .with_pepper(&[0x5a; 32])
        .unwrap();
    let copy = policy.clone();
    drop(policy);
    let (codes, set) = CodeSet::generate(&copy, &mut rng(31)).unwrap();
    let typed = codes.get(0).unwrap().to_string();
    // The clone hashes with the same pepper as a policy built afresh...
    let fresh = Policy::DEFAULT
        .with_length(16)
        .unwrap()
        .with_iterations(Policy::MIN_ITERATIONS)
        .unwrap()
        .with_pepper(&[0x5a; 32])
        .unwrap();
    assert!(matches!(
        set.redeem(&typed, &fresh),
        Ok(Redemption::Redeemed { .. })
    ));
    // ...and not as a policy with another pepper.
    let other = fresh.clone().with_pepper(&[0xa5; 32]).unwrap();
    assert!(!matches!(
        set.redeem(&typed, &other),
        Ok(Redemption::Redeemed { .. })
    ));
}
