//! Boundaries of the small public OTP surface: code values, redacted `Debug`,
//! algorithm names.

use twostep::otp::{Algorithm, Digits};
use twostep::{Code, Hotp, Secret, Totp};

#[test]
fn code_from_value_accepts_exactly_the_values_below_ten_to_the_digits() {
    for d in 6..=10u32 {
        let digits = Digits::new(d).unwrap();
        let limit = 10u64.pow(d);
        assert_eq!(Code::from_value(0, digits).map(|c| c.value()), Some(0));
        assert_eq!(
            Code::from_value(limit - 1, digits).map(|c| c.value()),
            Some(limit - 1)
        );
        assert!(Code::from_value(limit, digits).is_none(), "{d} digits");
        assert!(Code::from_value(u64::MAX, digits).is_none());
        assert_eq!(
            Code::from_value(7, digits).unwrap().to_string().len(),
            d as usize
        );
    }
}

#[test]
fn debug_output_is_exact_and_redacted() {
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    assert_eq!(format!("{secret:?}"), "Secret { len: 20, .. }");
    let code = Code::parse("287082", Digits::SIX).unwrap();
    assert_eq!(format!("{code:?}"), "Code { digits: 6, .. }");
    let hotp = format!("{:?}", Hotp::new().key(&secret));
    assert!(
        hotp.starts_with("KeyedHotp { hotp: Hotp {") && hotp.ends_with(".. }"),
        "{hotp}"
    );
    let totp = format!("{:?}", Totp::new().key(&secret));
    assert!(
        totp.starts_with("KeyedTotp { totp: Totp {") && totp.ends_with(".. }"),
        "{totp}"
    );
    for shown in [hotp, totp] {
        assert!(!shown.contains("1234567890") && !shown.contains("GEZDGNBV"));
    }
}

#[test]
fn algorithm_names_parse_with_an_optional_hyphen_and_nothing_else() {
    let ok = [
        ("SHA1", Algorithm::Sha1),
        ("sha1", Algorithm::Sha1),
        ("Sha-1", Algorithm::Sha1),
        ("SHA-1", Algorithm::Sha1),
        ("SHA256", Algorithm::Sha256),
        ("sha-256", Algorithm::Sha256),
        ("SHA512", Algorithm::Sha512),
        ("SHA-512", Algorithm::Sha512),
    ];
    for (text, want) in ok {
        assert_eq!(text.parse::<Algorithm>(), Ok(want), "{text}");
        assert_eq!(want.as_str().parse::<Algorithm>(), Ok(want));
    }
    for bad in [
        "", "SHA", "SHA-", "SHA1-", "-SHA1", "SHA--1", "SHA 1", "SHAX1", "SHA+1", "XHA-1", "SHA-2",
        "SHA-11", "SHA-25", "SHA-2566", "SHA-5121", "MD5", "SHA224", "SHA-1 ",
    ] {
        assert!(bad.parse::<Algorithm>().is_err(), "{bad:?} parsed");
    }
}

#[test]
fn a_malformed_code_names_its_cause_once_in_an_error_chain() {
    use std::error::Error as _;
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let now = twostep::UnixTime::from_secs(59);
    let err = Totp::new()
        .verify(&secret, "12a456", now, twostep::Window::DEFAULT)
        .unwrap_err();
    let cause = Code::parse("12a456", Digits::SIX).unwrap_err();
    assert_eq!(err, twostep::otp::VerifyError::Malformed(cause));
    // The cause is the source, not part of the message.
    assert_eq!(err.to_string(), "malformed code");
    let source = err.source().map(ToString::to_string);
    assert_eq!(source, Some(cause.to_string()));
    assert!(!err.to_string().contains(&cause.to_string()));
}
