//! `otpauth://` Key URIs: parsing and the round trip through
//! `to_uri_string`.
//!
//! Input: arbitrary bytes, parsed as a URI when they are UTF-8.
//!
//! Oracles: nothing panics; input over `KeyUri::MAX_INPUT_LEN` is refused as too long;
//! anything that parses serialises (plain and with explicit defaults) to
//! text within `MAX_INPUT_LEN` that parses back to an equal value with the same
//! accessors, and serialising that value again gives the same text (stable);
//! `Display` equals `to_uri_string`; building the same URI with
//! `KeyUri::totp` / `KeyUri::hotp` from the parsed parts gives an equal value
//! and the same text; `compatibility` never panics; no name holds a control
//! character or a bidi control.
#![no_main]

use libfuzzer_sys::fuzz_target;
use twostep::uri::{KeyUri, OtpKind};

fn same_parts(a: &KeyUri, b: &KeyUri) {
    assert!(a == b);
    assert_eq!(a.kind(), b.kind());
    assert_eq!(a.issuer(), b.issuer());
    assert_eq!(a.account(), b.account());
    assert_eq!(a.secret().expose_secret(), b.secret().expose_secret());
    assert_eq!((a.algorithm(), a.digits()), (b.algorithm(), b.digits()));
    assert_eq!((a.period(), a.counter()), (b.period(), b.counter()));
}

/// Serialises `uri`, parses the text back, and checks equality and stability.
fn round_trip(uri: &KeyUri) -> String {
    let text = uri.to_uri_string();
    assert!(text.len() <= KeyUri::MAX_INPUT_LEN);
    assert_eq!(uri.to_string(), *text, "Display equals to_uri_string");
    let again = KeyUri::parse(&text).expect("a serialised URI parses");
    same_parts(&again, uri);
    assert!(!again.explicit_defaults());
    let again = again.with_explicit_defaults(uri.explicit_defaults());
    assert_eq!(*again.to_uri_string(), *text, "serialising is stable");
    text.to_string()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let uri = match KeyUri::parse(text) {
        Ok(uri) => uri,
        Err(e) => {
            if text.len() > KeyUri::MAX_INPUT_LEN {
                let too_long = format!("uri of {} bytes exceeds the limit of 4096", text.len());
                assert_eq!(e.to_string(), too_long);
            }
            let _ = e.to_string();
            return;
        }
    };
    assert!(!uri.explicit_defaults());
    assert!(!uri.account().is_empty());
    assert!(!uri.account().starts_with(' '));
    assert!(
        uri.issuer()
            .is_none_or(|i| !i.is_empty() && !i.contains(':'))
    );
    let bidi = |c: char| {
        matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
    };
    for name in uri.issuer().into_iter().chain([uri.account()]) {
        assert!(
            !name.chars().any(|c| c.is_control() || bidi(c)),
            "a control or bidi character in a name"
        );
    }
    for note in uri.compatibility() {
        let _ = note.to_string();
    }

    let plain = round_trip(&uri);
    let explicit = uri.with_explicit_defaults(true);
    let full = round_trip(&explicit);
    assert!(full.len() >= plain.len());
    let uri = explicit.with_explicit_defaults(false);

    // The builders agree with the parser.
    let built = match uri.kind() {
        OtpKind::Totp(totp) => KeyUri::totp(&totp, uri.secret(), uri.issuer(), uri.account()),
        OtpKind::Hotp { hotp, counter } => {
            KeyUri::hotp(&hotp, uri.secret(), counter, uri.issuer(), uri.account())
        }
        other => panic!("unknown kind {other:?}"),
    }
    .expect("the parts of a parsed URI build a URI");
    same_parts(&built, &uri);
    assert_eq!(*built.to_uri_string(), plain);
});
