//! `otpauth://` Key URIs: round trips, real-world shapes, every malformed
//! class, compatibility notes, and (feature `qr`) QR renderings decoded back.
//!
//! Expected texts are written by hand from the Key Uri Format page of the
//! Google Authenticator wiki; expected secret bytes come from Python's
//! `base64.b32encode`/`b32decode`, not from this crate.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::error::Error as _;
use std::fmt::Write as _;

use proptest::prelude::*;
use twostep::otp::{Algorithm, Digits, Hotp, Period, Totp};
use twostep::secret::{Secret, SecretError};
use twostep::time::UnixTime;
use twostep::uri::{Compatibility, KeyUri, OtpKind, UriError};

/// The messages of [`UriError`], written out by hand: the error is opaque,
/// its `Display` is what callers (and these tests) see.
mod msg {
    pub(super) const SCHEME: &str = "not an otpauth:// uri";
    pub(super) const UNKNOWN_TYPE: &str = "unknown otp type, expected totp or hotp";
    pub(super) const MISSING_ACCOUNT: &str = "the label has no account name";
    pub(super) const CONTROL_IN_ISSUER: &str = "the issuer contains a control character";
    pub(super) const CONTROL_IN_ACCOUNT: &str = "the account name contains a control character";
    pub(super) const FORMAT_IN_ISSUER: &str =
        "the issuer contains a bidi control or another invisible format character";
    pub(super) const FORMAT_IN_ACCOUNT: &str =
        "the account name contains a bidi control or another invisible format character";
    pub(super) const COLON_IN_ISSUER: &str =
        "the issuer contains ':', which apps read as the end of the issuer";
    pub(super) const COLON_WITHOUT_ISSUER: &str = "the account name contains ':' but there is no issuer, so apps would read the part before it as the issuer";
    pub(super) const INVALID_UTF8: &str = "percent-decoded text is not utf-8";
    pub(super) const MISSING_SECRET: &str = "missing secret";
    pub(super) const INVALID_SECRET: &str = "invalid secret parameter";
    pub(super) const ISSUER_MISMATCH: &str =
        "the issuer in the label and the issuer parameter differ";
    pub(super) const UNKNOWN_ALGORITHM: &str = "unknown algorithm";
    pub(super) const DIGITS: &str = "digits must be a number from 6 to 10";
    pub(super) const PERIOD: &str = "period must be a number of seconds from 1 to 4294967295";
    pub(super) const MISSING_COUNTER: &str = "missing counter for hotp";
    pub(super) const COUNTER: &str = "counter must be a number from 0 to 18446744073709551615";
    pub(super) const UNSUPPORTED_T0: &str =
        "the key uri format cannot carry a totp start time other than 0";

    pub(super) fn too_long(len: usize) -> String {
        format!("uri of {len} bytes exceeds the limit of 4096")
    }
    pub(super) fn percent(position: usize) -> String {
        format!("invalid percent-encoding at byte {position}")
    }
    pub(super) fn encoder(position: usize) -> String {
        format!(
            "unsupported encoder parameter at byte {position}: apps that read it show codes twostep does not verify"
        )
    }
    pub(super) fn duplicate(parameter: &str, position: usize) -> String {
        format!("duplicated parameter {parameter} at byte {position}")
    }
}

/// The message of an error, for comparison with [`msg`].
fn text(e: UriError) -> String {
    e.to_string()
}

/// What a malformed input must give: the message, and the secret error
/// returned by `source()` (for an invalid secret only).
type Want = (String, Option<SecretError>);

fn want(message: impl Into<String>) -> Want {
    (message.into(), None)
}

fn bad_secret(inner: SecretError) -> Want {
    (msg::INVALID_SECRET.to_owned(), Some(inner))
}

const HELLO: &str = "JBSWY3DPEHPK3PXP"; // b"Hello!\xde\xad\xbe\xef"
const HELLO_BYTES: &[u8] = b"Hello!\xde\xad\xbe\xef";
const RFC: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // b"12345678901234567890"

fn secret(b32: &str) -> Secret {
    Secret::from_base32(b32).unwrap()
}

// ---------------------------------------------------------------- building

#[test]
fn google_wiki_examples_are_written_exactly() {
    let uri = KeyUri::totp(
        &Totp::default(),
        &secret(HELLO),
        "Example",
        "alice@google.com",
    )
    .unwrap();
    let text = "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example";
    assert_eq!(*uri.to_uri_string(), text);
    assert_eq!(uri.to_string(), text);

    let s = secret("HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ");
    let uri = KeyUri::totp(&Totp::default(), &s, "ACME Co", "john.doe@email.com")
        .unwrap()
        .with_explicit_defaults(true);
    assert_eq!(
        uri.to_string(),
        "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ\
         &issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30"
    );
}

#[test]
fn names_are_percent_encoded_and_secret_is_unpadded_upper_case() {
    // 16 bytes: base32 needs six '=' of padding, which the URI omits.
    let s = Secret::from_bytes(b"1234567890123456").unwrap();
    let uri = KeyUri::totp(&Totp::default(), &s, "A&B/C+D?", "ana b:c#1%").unwrap();
    assert_eq!(
        uri.to_string(),
        "otpauth://totp/A%26B%2FC%2BD%3F:ana%20b%3Ac%231%25?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY\
         &issuer=A%26B%2FC%2BD%3F"
    );
    let uri = KeyUri::totp(&Totp::default(), &s, "Bäckerei", "ana").unwrap();
    assert_eq!(
        uri.to_string(),
        "otpauth://totp/B%C3%A4ckerei:ana?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY&issuer=B%C3%A4ckerei"
    );
}

#[test]
fn non_default_parameters_are_written_and_defaults_omitted() {
    let s = secret(RFC);
    let totp = Totp::default()
        .with_algorithm(Algorithm::Sha512)
        .with_digits(Digits::new(7).unwrap())
        .with_period(Period::new(60).unwrap());
    let uri = KeyUri::totp(&totp, &s, None, "ana").unwrap();
    assert_eq!(
        uri.to_string(),
        format!("otpauth://totp/ana?secret={RFC}&algorithm=SHA512&digits=7&period=60")
    );
    let hotp = Hotp::default().with_algorithm(Algorithm::Sha256);
    let uri = KeyUri::hotp(&hotp, &s, u64::MAX, "X", "ana").unwrap();
    assert_eq!(
        uri.to_string(),
        format!(
            "otpauth://hotp/X:ana?secret={RFC}&issuer=X&algorithm=SHA256&counter=18446744073709551615"
        )
    );
    let explicit = uri.with_explicit_defaults(true);
    assert_eq!(
        explicit.to_string(),
        format!(
            "otpauth://hotp/X:ana?secret={RFC}&issuer=X&algorithm=SHA256&digits=6&counter=18446744073709551615"
        )
    );
}

#[test]
fn builder_errors() {
    let s = secret(HELLO);
    let t = Totp::default();
    let shifted = t.with_t0(UnixTime::from_secs(1));
    assert_eq!(
        KeyUri::totp(&shifted, &s, "X", "ana").err().map(text),
        Some(msg::UNSUPPORTED_T0.to_owned())
    );
    assert_eq!(
        KeyUri::totp(&t, &s, "X", "").err().map(text),
        Some(msg::MISSING_ACCOUNT.to_owned())
    );
    assert_eq!(
        KeyUri::totp(&t, &s, "X", "   ").err().map(text),
        Some(msg::MISSING_ACCOUNT.to_owned())
    );
    assert_eq!(
        KeyUri::totp(&t, &s, "X", "a\nb").err().map(text),
        Some(msg::CONTROL_IN_ACCOUNT.to_owned())
    );
    assert_eq!(
        KeyUri::totp(&t, &s, "X\u{7f}", "a").err().map(text),
        Some(msg::CONTROL_IN_ISSUER.to_owned())
    );
    assert_eq!(
        KeyUri::totp(&t, &s, "A:B", "ana").err().map(text),
        Some(msg::COLON_IN_ISSUER.to_owned())
    );
    assert_eq!(
        KeyUri::totp(&t, &s, None, "a:b").err().map(text),
        Some(msg::COLON_WITHOUT_ISSUER.to_owned())
    );
    assert_eq!(
        KeyUri::totp(&t, &s, "", "a:b").err().map(text),
        Some(msg::COLON_WITHOUT_ISSUER.to_owned())
    );
    // With an issuer, a ':' in the account is unambiguous (the first one separates).
    assert!(KeyUri::totp(&t, &s, "X", "a:b").is_ok());
    let long = "a".repeat(4096);
    let built = KeyUri::hotp(&Hotp::default(), &s, 0, "X", &long);
    assert!(
        built
            .err()
            .map(text)
            .is_some_and(|m| m.ends_with("exceeds the limit of 4096"))
    );
    // Leading spaces are dropped, as the parser drops them.
    assert_eq!(KeyUri::totp(&t, &s, "X", "  ana").unwrap().account(), "ana");
    // An empty issuer is none.
    assert_eq!(KeyUri::totp(&t, &s, "", "ana").unwrap().issuer(), None);
}

/// Characters that change how a name reads without being seen: the bidi
/// controls (UAX #9: ALM, LRM, RLM, LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI,
/// PDI), other format characters (general category Cf: soft hyphen, zero
/// width space and joiners, word joiner, byte order mark, a hieroglyph
/// format control, language tags) and the line and paragraph separators.
const INVISIBLE: [char; 24] = [
    '\u{061C}',
    '\u{200E}',
    '\u{200F}',
    '\u{202A}',
    '\u{202B}',
    '\u{202C}',
    '\u{202D}',
    '\u{202E}',
    '\u{2066}',
    '\u{2067}',
    '\u{2068}',
    '\u{2069}',
    '\u{00AD}',
    '\u{200B}',
    '\u{200C}',
    '\u{200D}',
    '\u{2060}',
    '\u{FEFF}',
    '\u{1343F}',
    '\u{E0001}',
    '\u{E0041}',
    '\u{E007F}',
    '\u{2028}',
    '\u{2029}',
];

/// Every byte as `%XX`, so the test does not rely on the crate's encoder.
fn percent_all(text: &str) -> String {
    text.bytes().fold(String::new(), |mut out, b| {
        let _ = write!(out, "%{b:02X}");
        out
    })
}

#[test]
fn bidi_and_format_characters_are_refused_in_names() {
    let s = secret(HELLO);
    let (t, h) = (Totp::default(), Hotp::default());
    for c in INVISIBLE {
        // "ana" followed by an override that shows "moc.evil" as "live.com".
        let spoof = format!("ana{c}moc.evil");
        let (enc, at) = (percent_all(&spoof), format!("U+{:04X}", u32::from(c)));
        let issuer = Some(msg::FORMAT_IN_ISSUER.to_owned());
        let account = Some(msg::FORMAT_IN_ACCOUNT.to_owned());
        assert_eq!(
            KeyUri::totp(&t, &s, spoof.as_str(), "ana").err().map(text),
            issuer,
            "{at}"
        );
        assert_eq!(
            KeyUri::hotp(&h, &s, 0, spoof.as_str(), "ana")
                .err()
                .map(text),
            issuer,
            "{at}"
        );
        assert_eq!(
            KeyUri::totp(&t, &s, "X", &spoof).err().map(text),
            account,
            "{at}"
        );
        assert_eq!(
            KeyUri::totp(&t, &s, None, &spoof).err().map(text),
            account,
            "{at}"
        );
        for (input, expected) in [
            (format!("otpauth://totp/{enc}:ana?secret={HELLO}"), &issuer),
            (
                format!("otpauth://totp/ana?secret={HELLO}&issuer={enc}"),
                &issuer,
            ),
            (
                format!("otpauth://hotp/{enc}:ana?secret={HELLO}&counter=0"),
                &issuer,
            ),
            (format!("otpauth://totp/X:{enc}?secret={HELLO}"), &account),
            (format!("otpauth://totp/{enc}?secret={HELLO}"), &account),
            (format!("otpauth://totp/X:{spoof}?secret={HELLO}"), &account),
        ] {
            assert_eq!(
                KeyUri::parse(&input).err().map(text),
                *expected,
                "{at}: {input}"
            );
        }
    }
    // Visible text that merely combines is fine: an accent, an emoji
    // presentation selector, a no-break space, an emoji.
    for name in ["Cafe\u{301}", "\u{2764}\u{FE0F}", "a\u{A0}b", "🍞"] {
        let uri = KeyUri::totp(&t, &s, name, name).unwrap();
        assert!(
            KeyUri::parse(&uri.to_uri_string()).unwrap() == uri,
            "{name}"
        );
    }
}

#[test]
fn the_longest_accepted_value_is_exactly_at_the_limit() {
    let s = secret(HELLO);
    let base = "otpauth://totp/?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30".len();
    let fits = "a".repeat(KeyUri::MAX_INPUT_LEN - base);
    let uri = KeyUri::totp(&Totp::default(), &s, None, &fits).unwrap();
    assert_eq!(uri.clone_text_explicit().len(), KeyUri::MAX_INPUT_LEN);
    let over = "a".repeat(KeyUri::MAX_INPUT_LEN - base + 1);
    assert_eq!(
        KeyUri::totp(&Totp::default(), &s, None, &over)
            .err()
            .map(text),
        Some(msg::too_long(KeyUri::MAX_INPUT_LEN + 1))
    );
}

trait ExplicitText {
    fn clone_text_explicit(&self) -> String;
}

impl ExplicitText for KeyUri {
    fn clone_text_explicit(&self) -> String {
        let copy = KeyUri::parse(&self.to_uri_string()).unwrap();
        copy.with_explicit_defaults(true).to_string()
    }
}

// ---------------------------------------------------------------- round trips

const ISSUERS: [Option<&str>; 6] = [
    None,
    Some("Example"),
    Some("ACME Co"),
    Some("Bäckerei Müller 🍞"),
    Some("a&b=c?d#e/f+g%h"),
    Some("测试"),
];
const ACCOUNTS: [&str; 5] = [
    "alice@google.com",
    "john doe",
    "ana+tag@example.com",
    "ユーザー",
    "x%y&z=1?#",
];

fn check_round_trip(uri: &KeyUri) {
    for explicit in [false, true] {
        let text = uri.to_uri_string();
        let shown = if explicit {
            let copy = KeyUri::parse(&text).unwrap().with_explicit_defaults(true);
            copy.to_string()
        } else {
            uri.to_string()
        };
        assert!(shown.len() <= KeyUri::MAX_INPUT_LEN);
        let back = KeyUri::parse(&shown).unwrap_or_else(|e| panic!("{shown}: {e}"));
        assert!(back == *uri, "{shown}");
        assert_eq!(back.kind(), uri.kind());
        assert_eq!(back.issuer(), uri.issuer());
        assert_eq!(back.account(), uri.account());
        assert_eq!(back.secret().expose_secret(), uri.secret().expose_secret());
        // Canonical text is a fixed point.
        assert_eq!(*back.to_uri_string(), *text);
        assert!(shown.is_ascii() && !shown.contains(' '));
    }
}

#[test]
fn round_trip_every_parameter_combination() {
    let s = Secret::from_bytes(b"1234567890123456").unwrap();
    let algorithms = [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512];
    let periods = [1, 29, 30, 31, 60, u64::from(u32::MAX)];
    let counters = [0, 1, 1 << 32, u64::MAX];
    let mut n = 0;
    for alg in algorithms {
        for d in 6..=10 {
            let digits = Digits::new(d).unwrap();
            for issuer in ISSUERS {
                for account in ACCOUNTS {
                    for p in periods {
                        let totp = Totp::default()
                            .with_algorithm(alg)
                            .with_digits(digits)
                            .with_period(Period::new(p).unwrap());
                        let uri = KeyUri::totp(&totp, &s, issuer, account).unwrap();
                        assert_eq!(uri.kind(), OtpKind::Totp(totp));
                        assert_eq!(uri.period().map(Period::as_secs), Some(p));
                        let text = uri.to_string();
                        assert_eq!(text.contains("&period="), p != 30);
                        assert_eq!(text.contains("&digits="), d != 6);
                        assert_eq!(text.contains("&algorithm="), alg != Algorithm::Sha1);
                        assert_eq!(text.contains("&issuer="), issuer.is_some());
                        check_round_trip(&uri);
                        n += 1;
                    }
                    for c in counters {
                        let hotp = Hotp::default().with_algorithm(alg).with_digits(digits);
                        let uri = KeyUri::hotp(&hotp, &s, c, issuer, account).unwrap();
                        assert_eq!(uri.counter(), Some(c));
                        assert!(uri.to_string().ends_with(&format!("&counter={c}")));
                        check_round_trip(&uri);
                        n += 1;
                    }
                }
            }
        }
    }
    assert_eq!(
        n,
        3 * 5 * ISSUERS.len() * ACCOUNTS.len() * (periods.len() + counters.len())
    );
}

fn name() -> impl Strategy<Value = String> {
    // Printable text with the characters that need encoding, and Unicode.
    "[a-zA-Z0-9 @.:&=?#/+%_~äé测🍞-]{1,24}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn round_trip_generated(
        bytes in proptest::collection::vec(any::<u8>(), 10..64),
        alg in 0usize..3,
        digits in 6u32..=10,
        period in 1u64..=u64::from(u32::MAX),
        counter in proptest::option::of(any::<u64>()),
        issuer in proptest::option::of(name()),
        account in name(),
    ) {
        let s = Secret::from_bytes(&bytes).unwrap();
        let alg = [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512][alg];
        let digits = Digits::new(digits).unwrap();
        let issuer = issuer.map(|i| i.replace(':', ""));
        let built = match counter {
            Some(c) => KeyUri::hotp(&Hotp::default().with_algorithm(alg).with_digits(digits), &s, c, issuer.as_deref(), &account),
            None => {
                let totp = Totp::default().with_algorithm(alg).with_digits(digits).with_period(Period::new(period).unwrap());
                KeyUri::totp(&totp, &s, issuer.as_deref(), &account)
            }
        };
        match built {
            Ok(uri) => check_round_trip(&uri),
            Err(e) => {
                // Only names that cannot be represented are refused.
                let trimmed = account.trim_start_matches(' ');
                let issuer_none = issuer.as_deref().is_none_or(str::is_empty);
                prop_assert!(
                    (e.to_string() == msg::MISSING_ACCOUNT && trimmed.is_empty())
                        || (e.to_string() == msg::COLON_WITHOUT_ISSUER && issuer_none && trimmed.contains(':')),
                    "{e}"
                );
            }
        }
    }

    /// What the fuzz target checks: anything that parses re-serialises and
    /// re-parses to an equal value, and nothing panics.
    #[test]
    fn parse_then_reserialise_is_stable(
        input in "(otpauth|OTPAUTH|http)://(totp|hotp|HOTP|x)/[a-zA-Z %:0-9A-F+&=?#]{0,20}\\?(secret=(JBSWY3DPEHPK3PXP|jbswy3dp|GEZDGNBVGY3TQOJQGE======)|issuer=[a-zA-Z %:+0-9]{0,8}|algorithm=(sha1|SHA256|md5)|digits=[0-9]{1,2}|period=[0-9]{1,3}|counter=-?[0-9]{1,3}|image=x|&){0,7}"
    ) {
        if let Ok(uri) = KeyUri::parse(&input) {
            let text = uri.to_uri_string();
            let again = KeyUri::parse(&text).unwrap();
            prop_assert!(again == uri, "{} -> {}", input, *text);
            prop_assert_eq!(&*again.to_uri_string(), &*text);
        }
    }

    #[test]
    fn arbitrary_text_never_panics(input in "\\PC{0,200}") {
        let _ = KeyUri::parse(&input);
        let _ = KeyUri::parse(&format!("otpauth://totp/{input}"));
        let _ = KeyUri::parse(&format!("otpauth://hotp/a?secret={HELLO}&{input}"));
    }
}

// ---------------------------------------------------------------- real-world shapes

struct Shape {
    input: &'static str,
    issuer: Option<&'static str>,
    account: &'static str,
    secret: &'static [u8],
    algorithm: Algorithm,
    digits: u32,
    period: Option<u64>,
    counter: Option<u64>,
}

const fn totp(input: &'static str, issuer: Option<&'static str>, account: &'static str) -> Shape {
    Shape {
        input,
        issuer,
        account,
        secret: HELLO_BYTES,
        algorithm: Algorithm::Sha1,
        digits: 6,
        period: Some(30),
        counter: None,
    }
}

#[test]
fn real_world_shapes() {
    let acme = b"=\xc6\xca\xa4\x82Jm(\x87g\xb23\x1e \xb41f\xcb\x85\xd9";
    let shapes = [
        // Google Authenticator wiki, "Key Uri Format", the basic example.
        totp(
            "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
            Some("Example"),
            "alice@google.com",
        ),
        // The same wiki's example with every parameter.
        Shape {
            secret: acme,
            ..totp(
                "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30",
                Some("ACME Co"),
                "john.doe@email.com",
            )
        },
        // Encoded separator, and spaces after it.
        totp(
            "otpauth://totp/Example%3Aalice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
            Some("Example"),
            "alice@google.com",
        ),
        totp(
            "otpauth://totp/Example%3a%20%20alice?secret=JBSWY3DPEHPK3PXP",
            Some("Example"),
            "alice",
        ),
        totp(
            "otpauth://totp/Example: alice?secret=JBSWY3DPEHPK3PXP",
            Some("Example"),
            "alice",
        ),
        // Labels with spaces, raw and encoded.
        totp(
            "otpauth://totp/ACME Co:john doe?secret=JBSWY3DPEHPK3PXP",
            Some("ACME Co"),
            "john doe",
        ),
        totp(
            "otpauth://totp/My%20Bank:ana%20maria?secret=JBSWY3DPEHPK3PXP",
            Some("My Bank"),
            "ana maria",
        ),
        // Issuer only in the parameter; form-encoded '+' as a space there.
        totp(
            "otpauth://totp/alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
            Some("Example"),
            "alice@google.com",
        ),
        totp(
            "otpauth://totp/ACME%20Co:ana?secret=JBSWY3DPEHPK3PXP&issuer=ACME+Co",
            Some("ACME Co"),
            "ana",
        ),
        // No issuer at all.
        totp(
            "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP",
            None,
            "alice",
        ),
        // Unicode issuers, encoded and raw.
        totp(
            "otpauth://totp/B%C3%A4ckerei%20M%C3%BCller:ana?secret=JBSWY3DPEHPK3PXP&issuer=B%C3%A4ckerei%20M%C3%BCller",
            Some("Bäckerei Müller"),
            "ana",
        ),
        totp(
            "otpauth://totp/测试:ana?secret=JBSWY3DPEHPK3PXP&issuer=%E6%B5%8B%E8%AF%95",
            Some("测试"),
            "ana",
        ),
        // Lower-case algorithm, hyphenated algorithm, odd parameter order.
        Shape {
            algorithm: Algorithm::Sha256,
            ..totp(
                "otpauth://totp/X:a?algorithm=sha256&issuer=X&secret=JBSWY3DPEHPK3PXP",
                Some("X"),
                "a",
            )
        },
        Shape {
            algorithm: Algorithm::Sha512,
            digits: 8,
            period: Some(60),
            ..totp(
                "otpauth://totp/X:a?secret=JBSWY3DPEHPK3PXP&algorithm=Sha-512&digits=8&period=60",
                Some("X"),
                "a",
            )
        },
        // Lower-case, padded, grouped secrets (16 bytes need padding).
        totp("otpauth://totp/a?secret=jbswy3dpehpk3pxp", None, "a"),
        Shape {
            secret: b"1234567890123456",
            ..totp(
                "otpauth://totp/a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY%3D%3D%3D%3D%3D%3D",
                None,
                "a",
            )
        },
        Shape {
            secret: b"1234567890123456",
            ..totp(
                "otpauth://totp/a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY======",
                None,
                "a",
            )
        },
        totp(
            "otpauth://totp/a?secret=JBSW%20Y3DP%20EHPK%203PXP",
            None,
            "a",
        ),
        // Upper-case scheme and type; parameter names in any case.
        totp("OTPAUTH://TOTP/a?Secret=JBSWY3DPEHPK3PXP", None, "a"),
        // Extra parameters apps add (FreeOTP `image`), a fragment, empty pairs.
        totp(
            "otpauth://totp/X:a?secret=JBSWY3DPEHPK3PXP&image=https%3A%2F%2Fexample.com%2Fx.png&&issuer=X#frag",
            Some("X"),
            "a",
        ),
        // Percent-encoded numbers.
        Shape {
            digits: 8,
            ..totp(
                "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=%38",
                None,
                "a",
            )
        },
        // `counter` on totp is ignored.
        totp(
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&counter=-5",
            None,
            "a",
        ),
        // hotp, with `period` ignored.
        Shape {
            period: None,
            counter: Some(0),
            ..totp(
                "otpauth://hotp/Example:ana?secret=JBSWY3DPEHPK3PXP&issuer=Example&counter=0",
                Some("Example"),
                "ana",
            )
        },
        Shape {
            period: None,
            counter: Some(u64::MAX),
            digits: 8,
            ..totp(
                "otpauth://hotp/ana?secret=JBSWY3DPEHPK3PXP&counter=18446744073709551615&digits=8&period=0",
                None,
                "ana",
            )
        },
        // Empty label issuer or empty parameter issuer count as none.
        totp(
            "otpauth://totp/:ana?secret=JBSWY3DPEHPK3PXP&issuer=",
            None,
            "ana",
        ),
        totp(
            "otpauth://totp/:ana?secret=JBSWY3DPEHPK3PXP&issuer=Y",
            Some("Y"),
            "ana",
        ),
        // With an issuer, later colons belong to the account.
        totp(
            "otpauth://totp/X:a:b?secret=JBSWY3DPEHPK3PXP",
            Some("X"),
            "a:b",
        ),
    ];
    for s in shapes {
        let uri = KeyUri::parse(s.input).unwrap_or_else(|e| panic!("{}: {e}", s.input));
        assert_eq!(uri.issuer(), s.issuer, "{}", s.input);
        assert_eq!(uri.account(), s.account, "{}", s.input);
        assert_eq!(uri.secret().expose_secret(), s.secret, "{}", s.input);
        assert_eq!(uri.algorithm(), s.algorithm, "{}", s.input);
        assert_eq!(uri.digits().get(), s.digits, "{}", s.input);
        assert_eq!(uri.period().map(Period::as_secs), s.period, "{}", s.input);
        assert_eq!(uri.counter(), s.counter, "{}", s.input);
        check_round_trip(&uri);
        let via_from_str: KeyUri = s.input.parse().unwrap();
        assert!(via_from_str == uri);
    }
}

#[test]
fn canonical_inputs_reserialise_byte_for_byte() {
    for text in [
        "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
        "otpauth://totp/ACME%20Co:ana?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60",
        "otpauth://hotp/ana?secret=JBSWY3DPEHPK3PXP&counter=3",
    ] {
        assert_eq!(KeyUri::parse(text).unwrap().to_string(), text);
    }
    let full = "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30";
    let uri = KeyUri::parse(full).unwrap();
    assert!(!uri.explicit_defaults());
    assert_eq!(uri.with_explicit_defaults(true).to_string(), full);
}

// ---------------------------------------------------------------- malformed

#[test]
fn every_malformed_class_has_its_typed_error() {
    let sec = "secret=JBSWY3DPEHPK3PXP";
    let over_long = format!("otpauth://totp/{}?{sec}", "a".repeat(4096));
    // Under the input cap, but over it once the 2-byte characters are encoded.
    let over_long_encoded = format!("otpauth://totp/{}?{sec}", "ä".repeat(1000));
    let cases: Vec<(String, Want)> = vec![
        (over_long.clone(), want(msg::too_long(over_long.len()))),
        (
            over_long_encoded,
            want(msg::too_long(
                "otpauth://totp/?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30".len()
                    + 6000,
            )),
        ),
        (format!("http://totp/a?{sec}"), want(msg::SCHEME)),
        (format!("otpauth:totp/a?{sec}"), want(msg::SCHEME)),
        (format!("otpauth:/totp/a?{sec}"), want(msg::SCHEME)),
        (String::new(), want(msg::SCHEME)),
        (format!("otpauth://motp/a?{sec}"), want(msg::UNKNOWN_TYPE)),
        (format!("otpauth://steam/a?{sec}"), want(msg::UNKNOWN_TYPE)),
        (format!("otpauth:///a?{sec}"), want(msg::UNKNOWN_TYPE)),
        (format!("otpauth://totpx/a?{sec}"), want(msg::UNKNOWN_TYPE)),
        (format!("otpauth://totp/?{sec}"), want(msg::MISSING_ACCOUNT)),
        (format!("otpauth://totp?{sec}"), want(msg::MISSING_ACCOUNT)),
        (
            format!("otpauth://totp/Example:?{sec}"),
            want(msg::MISSING_ACCOUNT),
        ),
        (
            format!("otpauth://totp/Example:%20%20?{sec}"),
            want(msg::MISSING_ACCOUNT),
        ),
        (
            format!("otpauth://totp/a%0Ab?{sec}"),
            want(msg::CONTROL_IN_ACCOUNT),
        ),
        (
            format!("otpauth://totp/a?{sec}&issuer=X%00"),
            want(msg::CONTROL_IN_ISSUER),
        ),
        (
            format!("otpauth://totp/a?{sec}&issuer=A%3AB"),
            want(msg::COLON_IN_ISSUER),
        ),
        (
            format!("otpauth://totp/a?{sec}&issuer=A:B"),
            want(msg::COLON_IN_ISSUER),
        ),
        // The label splits at the first ':', so a colon inside the issuer
        // would otherwise show as two different issuers.
        (
            format!("otpauth://totp/A%3AB:ana?{sec}&issuer=A%3AB"),
            want(msg::COLON_IN_ISSUER),
        ),
        (
            format!("otpauth://totp/A:B:ana?{sec}&issuer=A:B"),
            want(msg::COLON_IN_ISSUER),
        ),
        (
            format!("otpauth://totp/ana?{sec}&issuer=%E2%80%AEX"),
            want(msg::FORMAT_IN_ISSUER),
        ),
        (
            format!("otpauth://totp/X:an%E2%80%8Ba?{sec}"),
            want(msg::FORMAT_IN_ACCOUNT),
        ),
        // Steam Guard's encoding: its codes are not the RFC 6238 digits.
        (
            format!("otpauth://totp/Steam:ana?{sec}&issuer=Steam&encoder=steam"),
            want(msg::encoder(62)),
        ),
        (
            format!("otpauth://hotp/a?{sec}&counter=0&ENCODER=steam"),
            want(msg::encoder(51)),
        ),
        (
            format!("otpauth://totp/a?encoder=&{sec}"),
            want(msg::encoder(17)),
        ),
        (format!("otpauth://totp/a%zz?{sec}"), want(msg::percent(16))),
        (
            format!("otpauth://totp/a?{sec}&issuer=%4"),
            want(msg::percent(48)),
        ),
        (
            "otpauth://totp/a?secret=JBSWY3DP%G0EHPK3PXP".to_owned(),
            want(msg::percent(32)),
        ),
        (
            format!("otpauth://totp/a%FF?{sec}"),
            want(msg::INVALID_UTF8),
        ),
        (
            format!("otpauth://totp/a?{sec}&issuer=%C3"),
            want(msg::INVALID_UTF8),
        ),
        (
            format!("otpauth://totp/a?{sec}&{sec}"),
            want(msg::duplicate("secret", 41)),
        ),
        (
            format!("otpauth://totp/a?{sec}&SECRET=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            want(msg::duplicate("secret", 41)),
        ),
        (
            format!("otpauth://totp/a?{sec}&issuer=X&issuer=X"),
            want(msg::duplicate("issuer", 50)),
        ),
        (
            format!("otpauth://totp/a?{sec}&digits=6&digits=6"),
            want(msg::duplicate("digits", 50)),
        ),
        (
            format!("otpauth://totp/a?{sec}&algorithm=SHA1&algorithm=SHA1"),
            want(msg::duplicate("algorithm", 56)),
        ),
        (
            format!("otpauth://totp/a?{sec}&period=30&period=30"),
            want(msg::duplicate("period", 51)),
        ),
        (
            format!("otpauth://hotp/a?{sec}&counter=1&counter=1"),
            want(msg::duplicate("counter", 51)),
        ),
        ("otpauth://totp/a".to_owned(), want(msg::MISSING_SECRET)),
        (
            "otpauth://totp/a?issuer=X".to_owned(),
            want(msg::MISSING_SECRET),
        ),
        (
            "otpauth://totp/a?secret=".to_owned(),
            want(msg::MISSING_SECRET),
        ),
        (
            "otpauth://totp/a?secret".to_owned(),
            want(msg::MISSING_SECRET),
        ),
        (
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PX1".to_owned(),
            bad_secret(SecretError::InvalidCharacter { position: 15 }),
        ),
        (
            "otpauth://totp/a?secret=JBSWY3DP".to_owned(),
            bad_secret(SecretError::Length { len: 5, min: 10 }),
        ),
        (
            "otpauth://totp/a?secret=JBSWY3DPEHPK3P".to_owned(),
            bad_secret(SecretError::InvalidLength { symbols: 14 }),
        ),
        (
            format!("otpauth://totp/A:a?{sec}&issuer=B"),
            want(msg::ISSUER_MISMATCH),
        ),
        (
            format!("otpauth://totp/A:a?{sec}&issuer=a"),
            want(msg::ISSUER_MISMATCH),
        ),
        (
            format!("otpauth://totp/a?{sec}&algorithm=MD5"),
            want(msg::UNKNOWN_ALGORITHM),
        ),
        (
            format!("otpauth://totp/a?{sec}&algorithm="),
            want(msg::UNKNOWN_ALGORITHM),
        ),
        (
            format!("otpauth://totp/a?{sec}&digits=5"),
            want(msg::DIGITS),
        ),
        (
            format!("otpauth://totp/a?{sec}&digits=11"),
            want(msg::DIGITS),
        ),
        (format!("otpauth://totp/a?{sec}&digits="), want(msg::DIGITS)),
        (
            format!("otpauth://totp/a?{sec}&digits=six"),
            want(msg::DIGITS),
        ),
        (
            format!("otpauth://totp/a?{sec}&digits=+6"),
            want(msg::DIGITS),
        ),
        (
            format!("otpauth://totp/a?{sec}&digits=-6"),
            want(msg::DIGITS),
        ),
        (
            format!("otpauth://totp/a?{sec}&digits=4294967302"),
            want(msg::DIGITS),
        ),
        (
            format!("otpauth://totp/a?{sec}&period=0"),
            want(msg::PERIOD),
        ),
        (
            format!("otpauth://totp/a?{sec}&period=-30"),
            want(msg::PERIOD),
        ),
        (
            format!("otpauth://totp/a?{sec}&period=30s"),
            want(msg::PERIOD),
        ),
        (
            format!("otpauth://totp/a?{sec}&period=4294967296"),
            want(msg::PERIOD),
        ),
        (format!("otpauth://totp/a?{sec}&period="), want(msg::PERIOD)),
        (
            format!("otpauth://hotp/a?{sec}"),
            want(msg::MISSING_COUNTER),
        ),
        (
            format!("otpauth://hotp/a?{sec}&period=30"),
            want(msg::MISSING_COUNTER),
        ),
        (
            format!("otpauth://hotp/a?{sec}&counter=-1"),
            want(msg::COUNTER),
        ),
        (
            format!("otpauth://hotp/a?{sec}&counter="),
            want(msg::COUNTER),
        ),
        (
            format!("otpauth://hotp/a?{sec}&counter=1e3"),
            want(msg::COUNTER),
        ),
        (
            format!("otpauth://hotp/a?{sec}&counter=18446744073709551616"),
            want(msg::COUNTER),
        ),
    ];
    for (input, expected) in &cases {
        let err = KeyUri::parse(input).err().unwrap();
        assert_eq!(err.to_string(), expected.0, "{input}");
        let inner = err.source().and_then(|e| e.downcast_ref::<SecretError>());
        assert_eq!(inner, expected.1.as_ref(), "{input}");
        let (text, debug) = (err.to_string(), format!("{err:?}"));
        for secret in [
            "JBSWY3DPEHPK3PXP",
            "jbswy3dpehpk3pxp",
            "JBSWY3DP",
            "GEZDGNBVGY3TQOJQ",
        ] {
            assert!(
                !text.contains(secret) && !debug.contains(secret),
                "{input}: {text}"
            );
        }
        assert!(
            !text.ends_with('.') && text == text.to_lowercase(),
            "{text}"
        );
        let umbrella = twostep::Error::from(err);
        assert!(!umbrella.to_string().contains("JBSWY3DP"));
    }
    assert!(cases.len() >= 62);
}

#[test]
fn the_secret_is_never_printed_by_debug() {
    let uri = KeyUri::totp(&Totp::default(), &secret(HELLO), "Example", "ana").unwrap();
    let debug = format!("{uri:?}");
    assert!(
        !debug.contains(HELLO) && !debug.to_lowercase().contains("jbswy3dp"),
        "{debug}"
    );
    // No bytes either: b'H' is 72, b'e' is 101.
    assert!(
        !debug.contains("72, 101") && debug.contains("len: 10"),
        "{debug}"
    );
    assert!(debug.contains("Example") && debug.contains("ana"));
}

#[test]
fn equality_compares_every_field_but_the_format_choice() {
    let s = secret(HELLO);
    let t = Totp::default();
    let a = KeyUri::totp(&t, &s, "X", "ana").unwrap();
    assert!(
        a == KeyUri::totp(&t, &s, "X", "ana")
            .unwrap()
            .with_explicit_defaults(true)
    );
    assert!(a != KeyUri::totp(&t, &secret(RFC), "X", "ana").unwrap());
    assert!(a != KeyUri::totp(&t, &s, "Y", "ana").unwrap());
    assert!(a != KeyUri::totp(&t, &s, None, "ana").unwrap());
    assert!(a != KeyUri::totp(&t, &s, "X", "bob").unwrap());
    assert!(a != KeyUri::totp(&t.with_digits(Digits::EIGHT), &s, "X", "ana").unwrap());
    assert!(a != KeyUri::hotp(&Hotp::default(), &s, 0, "X", "ana").unwrap());
    let h = KeyUri::hotp(&Hotp::default(), &s, 0, "X", "ana").unwrap();
    assert!(h != KeyUri::hotp(&Hotp::default(), &s, 1, "X", "ana").unwrap());
    assert_eq!(a.into_secret().expose_secret(), HELLO_BYTES);
}

#[test]
fn codes_from_a_parsed_uri_match_the_builder_parameters() {
    // The parameters that matter for the codes survive the trip.
    let s = secret(RFC);
    let totp = Totp::default()
        .with_algorithm(Algorithm::Sha256)
        .with_digits(Digits::EIGHT);
    let uri = KeyUri::parse(&KeyUri::totp(&totp, &s, "X", "a").unwrap().to_uri_string()).unwrap();
    let OtpKind::Totp(parsed) = uri.kind() else {
        panic!("not totp")
    };
    let now = UnixTime::from_secs(59);
    assert_eq!(
        parsed.generate(uri.secret(), now).unwrap(),
        totp.generate(&s, now).unwrap()
    );
    assert_eq!(parsed, totp);
}

// ---------------------------------------------------------------- compatibility

#[test]
fn compatibility_notes() {
    let s = Secret::from_bytes(&[7; 20]).unwrap();
    let plain = KeyUri::totp(&Totp::default(), &s, "X", "ana").unwrap();
    assert_eq!(plain.compatibility().count(), 0);

    let totp = Totp::default()
        .with_algorithm(Algorithm::Sha512)
        .with_digits(Digits::EIGHT)
        .with_period(Period::new(60).unwrap());
    let all: Vec<_> = KeyUri::totp(&totp, &s, None, "ana")
        .unwrap()
        .compatibility()
        .collect();
    assert_eq!(
        all,
        [
            Compatibility::Algorithm(Algorithm::Sha512),
            Compatibility::Digits(Digits::EIGHT),
            Compatibility::Period(Period::new(60).unwrap()),
            Compatibility::NoIssuer,
        ]
    );
    let short = Secret::from_bytes(&[7; 10]).unwrap();
    let h: Vec<_> = KeyUri::hotp(&Hotp::default(), &short, 0, "X", "a:b")
        .unwrap()
        .compatibility()
        .collect();
    assert_eq!(
        h,
        [
            Compatibility::Hotp,
            Compatibility::ColonInAccount,
            Compatibility::ShortSecret { len: 10 }
        ]
    );

    let ten = Compatibility::Digits(Digits::MAX).to_string();
    assert!(
        ten.contains("10 digits") && ten.contains("RFC 4226"),
        "{ten}"
    );
    for note in all.iter().chain(&h) {
        let text = note.to_string();
        assert!(!text.is_empty() && !text.ends_with('.'), "{text}");
    }
    assert!(
        Compatibility::Period(Period::new(60).unwrap())
            .to_string()
            .contains("some authenticator apps")
    );
}

// ---------------------------------------------------------------- QR

#[cfg(feature = "qr")]
mod qr {
    use super::*;

    fn enrolment_uri() -> KeyUri {
        KeyUri::totp(
            &Totp::default(),
            &secret(RFC),
            "Example Co",
            "ana@example.com",
        )
        .unwrap()
    }

    /// The module matrix (true = dark) drawn by the terminal rendering,
    /// quiet zone included.
    fn terminal_matrix(text: &str) -> Vec<Vec<bool>> {
        let mut rows = Vec::new();
        for line in text.lines() {
            let (mut top, mut bottom) = (Vec::new(), Vec::new());
            for c in line.chars() {
                let (t, b) = match c {
                    '█' => (true, true),
                    '▀' => (true, false),
                    '▄' => (false, true),
                    ' ' => (false, false),
                    other => panic!("unexpected {other:?}"),
                };
                // Blocks are light modules.
                top.push(!t);
                bottom.push(!b);
            }
            rows.push(top);
            rows.push(bottom);
        }
        rows
    }

    fn decode(matrix: &[Vec<bool>]) -> String {
        const SCALE: usize = 4;
        let (h, w) = (matrix.len(), matrix[0].len());
        let mut img = rqrr::PreparedImage::prepare_from_bitmap(w * SCALE, h * SCALE, |x, y| {
            matrix[y / SCALE][x / SCALE]
        });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1);
        grids[0].decode().unwrap().1
    }

    #[test]
    fn terminal_rendering_has_the_expected_shape_and_decodes_to_the_uri() {
        let uri = enrolment_uri();
        let text = uri.to_qr_terminal().unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let side = lines[0].chars().count();
        let n = side - 8;
        assert!(
            n >= 21 && (n - 21).is_multiple_of(4),
            "{n} is not a QR symbol width"
        );
        assert_eq!(lines.len(), side.div_ceil(2));
        assert!(lines.iter().all(|l| l.chars().count() == side));
        assert!(text.ends_with('\n') && text.matches('\n').count() == lines.len());
        // Quiet zone: the first two lines are fully light, and every line
        // starts and ends with four light columns.
        assert!(lines[0].chars().all(|c| c == '█') && lines[1].chars().all(|c| c == '█'));
        let m = terminal_matrix(&text);
        for row in &m[..side] {
            assert!(row[..4].iter().chain(&row[side - 4..]).all(|dark| !dark));
        }
        // The row below the last one is the terminal background.
        assert!(m[side..].iter().all(|r| r.iter().all(|dark| *dark)));
        assert_eq!(decode(&m[..side]), *uri.to_uri_string());
    }

    fn svg_matrix(svg: &str) -> Vec<Vec<bool>> {
        // <svg ... width="W" ...>, then a path of "M{l} {t}h{w}v{h}H{l}V{t}" rectangles.
        let width: usize = svg
            .split("width=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let d = svg
            .split(" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let unit = 8;
        let side = width / unit;
        assert_eq!(side * unit, width);
        let mut m = vec![vec![false; side]; side];
        for rect in d.split('M').filter(|r| !r.is_empty()) {
            let nums: Vec<usize> = rect
                .split(|c: char| !c.is_ascii_digit())
                .filter(|n| !n.is_empty())
                .map(|n| n.parse().unwrap())
                .collect();
            let (l, t, w, h) = (nums[0], nums[1], nums[2], nums[3]);
            for row in &mut m[t / unit..(t + h) / unit] {
                row[l / unit..(l + w) / unit].fill(true);
            }
        }
        m
    }

    #[test]
    fn svg_is_well_formed_has_the_module_count_and_decodes_to_the_uri() {
        let uri = enrolment_uri();
        let svg = uri.to_qr_svg().unwrap();
        assert!(svg.starts_with("<?xml") && svg.contains("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches('<').count(), svg.matches('>').count());
        assert!(svg.contains("viewBox=\"0 0 "));
        let m = svg_matrix(&svg);
        let side = m.len();
        let n = side - 8;
        assert!(
            n >= 21 && (n - 21).is_multiple_of(4),
            "{n} is not a QR symbol width"
        );
        // Same symbol as the terminal rendering, module for module.
        let t = terminal_matrix(&uri.to_qr_terminal().unwrap());
        assert_eq!(m[..], t[..side]);
        let dark = m.iter().flatten().filter(|d| **d).count();
        assert!(
            dark > n * n / 4 && dark < n * n * 3 / 4,
            "{dark} dark modules"
        );
        assert_eq!(decode(&m), *uri.to_uri_string());
    }

    #[test]
    fn hotp_and_explicit_uris_decode_too() {
        let uri = KeyUri::hotp(&Hotp::default(), &secret(RFC), 7, "Bäckerei", "ana")
            .unwrap()
            .with_explicit_defaults(true);
        let m = terminal_matrix(&uri.to_qr_terminal().unwrap());
        let side = m[0].len();
        assert_eq!(decode(&m[..side]), uri.to_string());
    }

    #[test]
    fn a_uri_too_long_for_a_qr_code_is_a_typed_error() {
        let account = "a".repeat(3500);
        let uri = KeyUri::totp(&Totp::default(), &secret(RFC), "X", &account).unwrap();
        let len = uri.to_uri_string().len();
        assert_eq!(
            uri.to_qr_svg(),
            Err(twostep::uri::QrError::DataTooLong { len })
        );
        assert_eq!(
            uri.to_qr_terminal(),
            Err(twostep::uri::QrError::DataTooLong { len })
        );
        assert!(
            !twostep::uri::QrError::DataTooLong { len }
                .to_string()
                .contains(RFC)
        );
    }
}

// ---------------------------------------------------------------- edges

#[test]
fn explicit_defaults_is_off_until_asked_for() {
    let secret = Secret::from_bytes(&[7; 16]).unwrap();
    let uri = KeyUri::totp(&Totp::new(), &secret, "Example", "ana@example.com").unwrap();
    assert!(!uri.explicit_defaults());
    assert!(uri.with_explicit_defaults(true).explicit_defaults());
}

#[test]
fn compatibility_notes_start_below_128_bits_and_above_8_digits() {
    let totp = Totp::new();
    // 16 bytes (128 bits) is not "short"; 15 would be, but secrets start at 10.
    let secret = Secret::from_bytes(&[7; 16]).unwrap();
    let notes: Vec<Compatibility> = KeyUri::totp(&totp, &secret, "Example", "ana@example.com")
        .unwrap()
        .compatibility()
        .collect();
    assert!(notes.is_empty(), "{notes:?}");
    let short = Secret::from_bytes(&[7; 15]).unwrap();
    let notes: Vec<Compatibility> = KeyUri::totp(&totp, &short, "Example", "ana@example.com")
        .unwrap()
        .compatibility()
        .collect();
    assert_eq!(notes, [Compatibility::ShortSecret { len: 15 }]);

    // 9 and 10 digits are outside RFC 4226; 8 is inside it.
    let eight = Compatibility::Digits(Digits::EIGHT).to_string();
    let nine = Compatibility::Digits(Digits::new(9).unwrap()).to_string();
    assert!(!eight.contains("outside RFC 4226"), "{eight}");
    assert!(nine.contains("outside RFC 4226"), "{nine}");
}

#[test]
fn the_parse_input_cap_is_inclusive() {
    let secret = Secret::from_bytes(&[7; 16]).unwrap();
    let text = KeyUri::totp(&Totp::new(), &secret, "Example", "ana@example.com")
        .unwrap()
        .to_uri_string()
        .to_string();
    let pad = KeyUri::MAX_INPUT_LEN - text.len() - "&x=".len();
    let at_cap = format!("{text}&x={}", "a".repeat(pad));
    assert_eq!(at_cap.len(), KeyUri::MAX_INPUT_LEN);
    assert!(KeyUri::parse(&at_cap).is_ok());
    let over = format!("{at_cap}a");
    assert_eq!(
        KeyUri::parse(&over).err().map(|e| e.to_string()),
        Some(msg::too_long(over.len()))
    );
}

#[test]
fn a_plus_is_literal_in_the_label_and_a_space_in_parameters() {
    let uri =
        KeyUri::parse("otpauth://totp/Ex+ample:ana+1@example.com?secret=JBSWY3DPEHPK3PXP").unwrap();
    assert_eq!(uri.issuer(), Some("Ex+ample"));
    assert_eq!(uri.account(), "ana+1@example.com");
    let uri = KeyUri::parse("otpauth://totp/ana?secret=JBSWY3DPEHPK3PXP&issuer=Big+Co").unwrap();
    assert_eq!(uri.issuer(), Some("Big Co"));
}

#[test]
fn a_cloned_key_uri_is_equal_and_prints_the_same() {
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let uri = KeyUri::totp(&Totp::new(), &secret, Some("Example"), "ana@example.com").unwrap();
    let copy = uri.clone();
    drop(uri);
    assert_eq!(
        copy.to_string(),
        "otpauth://totp/Example:ana@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example"
    );
    assert_eq!(copy.secret().expose_secret(), b"12345678901234567890");
}
