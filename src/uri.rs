//! [`KeyUri`]: the `otpauth://` Key URI that authenticator apps scan, built
//! and parsed; [`Compatibility`] notes for enrolment screens.
//!
//! The format is Google's "Key Uri Format" (the Google Authenticator wiki):
//!
//! ```text
//! otpauth://TYPE/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
//! otpauth://hotp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&counter=0
//! ```

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use subtle::ConstantTimeEq;
use thiserror::Error;
use zeroize::Zeroizing;

use crate::otp::Hotp;
use crate::otp::Totp;
use crate::otp::{Algorithm, Digits, Period};
use crate::secret::{Secret, SecretError};
use crate::text::lenient_u64;
use crate::time::UnixTime;

#[cfg(feature = "qr")]
mod qr;
#[cfg(feature = "qr")]
pub use qr::QrError;

/// Why an `otpauth://` URI could not be parsed or built. Payloads carry
/// lengths, positions and parameter names only: never the input text, the
/// label or the secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum UriError {
    /// The input, or the URI the value would serialise to with every parameter
    /// written, is longer than [`KeyUri::MAX_LEN`] bytes.
    #[error("uri of {len} bytes exceeds the limit of {max}")]
    TooLong {
        /// The length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// The text does not start with `otpauth://` (any case).
    #[error("not an otpauth:// uri")]
    Scheme,
    /// The type is neither `totp` nor `hotp`.
    #[error("unknown otp type, expected totp or hotp")]
    UnknownType,
    /// The label has no account name.
    #[error("the label has no account name")]
    MissingAccount,
    /// The issuer or account name contains a control character.
    #[error("issuer or account name contains a control character")]
    ControlCharacter,
    /// The issuer contains `:`, or an account name without an issuer does:
    /// apps would read it as the issuer–account separator.
    #[error("issuer or account name contains ':' where it would be read as the separator")]
    AmbiguousColon,
    /// A `%` not followed by two hexadecimal digits.
    #[error("invalid percent-encoding at byte {position}")]
    InvalidPercentEncoding {
        /// Byte offset of the `%` in the input.
        position: usize,
    },
    /// Percent-decoded text that is not UTF-8.
    #[error("percent-decoded text is not utf-8")]
    InvalidUtf8,
    /// A parameter that twostep reads appears more than once.
    #[error("duplicated parameter {parameter}")]
    DuplicateParameter {
        /// The parameter's name, in lower case.
        parameter: &'static str,
    },
    /// No `secret=` parameter, or an empty one.
    #[error("missing secret")]
    MissingSecret,
    /// The secret is not valid base32 or has an unsupported length.
    #[error("invalid secret: {0}")]
    InvalidSecret(SecretError),
    /// The issuer in the label and the `issuer=` parameter differ.
    #[error("the issuer in the label and the issuer parameter differ")]
    IssuerMismatch,
    /// The `algorithm=` value is not SHA1, SHA256 or SHA512.
    #[error("unknown algorithm")]
    UnknownAlgorithm,
    /// The `digits=` value is not a number from 6 to 10.
    #[error("digits must be a number from 6 to 10")]
    Digits,
    /// The `period=` value is not a number of seconds from 1 to 4294967295.
    #[error("period must be a number of seconds from 1 to 4294967295")]
    Period,
    /// An hotp URI without a `counter=` parameter.
    #[error("missing counter for hotp")]
    MissingCounter,
    /// The `counter=` value is not a number from 0 to 2^64 − 1 (negative included).
    #[error("counter must be a number from 0 to 18446744073709551615")]
    Counter,
    /// The [`Totp`] has a start time T0 other than the epoch, which the Key
    /// URI format cannot carry: apps would show different codes.
    #[error("the key uri format cannot carry a totp start time other than 0")]
    UnsupportedT0,
}

/// Which kind of one-time password a [`KeyUri`] describes, with its parameters.
///
/// ```
/// # fn main() -> Result<(), twostep::UriError> {
/// use twostep::{KeyUri, OtpKind};
/// let uri: KeyUri = "otpauth://hotp/ana?secret=JBSWY3DPEHPK3PXP&counter=7".parse()?;
/// assert!(matches!(uri.kind(), OtpKind::Hotp { counter: 7, .. }));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OtpKind {
    /// Time-based (RFC 6238). Its T0 is always the epoch.
    Totp(Totp),
    /// Counter-based (RFC 4226), with the counter the app starts from.
    Hotp {
        /// Hash and digits.
        hotp: Hotp,
        /// The next counter value.
        counter: u64,
    },
}

/// An `otpauth://` Key URI: what an authenticator app scans from a QR code
/// at enrolment, and what migration tools export.
///
/// Build one from the parameters and the secret, print it (or render a QR
/// code with the `qr` feature), or parse one to import a credential.
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::{KeyUri, Secret, Totp};
/// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?;
/// let uri = KeyUri::totp(&Totp::default(), &secret, "Example", "alice@google.com")?;
/// assert_eq!(
///     *uri.to_uri_string(),
///     "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example"
/// );
/// let parsed: KeyUri = uri.to_uri_string().parse()?;
/// assert!(parsed == uri);
/// # Ok(()) }
/// ```
///
/// # Text form
///
/// Written: the label `Issuer:Account` (or just `Account`), percent-encoded
/// with `%20` for spaces and `%3A` for a `:` inside a name; the secret as
/// unpadded upper-case base32; `issuer=` repeated as a parameter; the
/// algorithm in upper case; `algorithm`, `digits` and `period` only when they
/// differ from SHA1, 6 and 30 unless [`KeyUri::with_explicit_defaults`] asks
/// for all of them; `counter` always for hotp.
///
/// Read: the scheme and type in any case; `:` or `%3A` as the label separator
/// (the first one counts); leading spaces of the account name (`%20` after
/// the separator, as the format allows) ignored; the issuer from the
/// label, the parameter, or both when they are equal; `+` in parameter values
/// as a space (form encoding); parameter names in any case; the algorithm in
/// any case; the secret with lower case, padding, spaces or hyphens. Unknown
/// parameters (`image=`, `color=`, …), `period` on hotp, `counter` on totp
/// and a `#fragment` are ignored silently: they do not change the codes.
/// An empty issuer counts as none.
///
/// A value always satisfies what parsing checks, so every `KeyUri`
/// serialises to at most [`KeyUri::MAX_LEN`] bytes and parses back equal.
///
/// # Security
///
/// The URI contains the secret: [`Display`](fmt::Display), [`KeyUri::to_uri_string`]
/// and the QR renderings reveal it. Show them only to the enrolling user,
/// once, and never log them. [`KeyUri::to_uri_string`] returns a buffer that
/// is wiped on drop; prefer it to `to_string()`. `Debug` redacts the secret,
/// equality compares it in constant time, and no [`UriError`] contains it.
#[derive(Debug)]
pub struct KeyUri {
    kind: OtpKind,
    issuer: Option<String>,
    account: String,
    secret: Secret,
    explicit_defaults: bool,
}

impl KeyUri {
    /// The longest URI accepted or produced: 4096 bytes.
    pub const MAX_LEN: usize = 4096;

    /// A totp URI for `totp`, a copy of `secret`, an optional issuer (the
    /// service name the app shows) and the account name.
    ///
    /// Leading spaces of `account` are dropped, as a parser would drop them.
    ///
    /// # Errors
    ///
    /// [`UriError::UnsupportedT0`] if `totp` has a T0 other than the epoch,
    /// [`UriError::MissingAccount`] for an empty account name,
    /// [`UriError::ControlCharacter`] and [`UriError::AmbiguousColon`] for
    /// names apps would misread, [`UriError::TooLong`] beyond [`KeyUri::MAX_LEN`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Algorithm, Digits, KeyUri, Secret, Totp};
    /// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?;
    /// let totp = Totp::default().with_algorithm(Algorithm::Sha256).with_digits(Digits::EIGHT);
    /// let uri = KeyUri::totp(&totp, &secret, "ACME Co", "ana")?;
    /// assert_eq!(
    ///     *uri.to_uri_string(),
    ///     "otpauth://totp/ACME%20Co:ana?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co&algorithm=SHA256&digits=8"
    /// );
    /// assert!(KeyUri::totp(&totp, &secret, None, "ana")?.issuer().is_none());
    /// # Ok(()) }
    /// ```
    pub fn totp<'a>(
        totp: &Totp,
        secret: &Secret,
        issuer: impl Into<Option<&'a str>>,
        account: &str,
    ) -> Result<Self, UriError> {
        if totp.t0() != UnixTime::EPOCH {
            return Err(UriError::UnsupportedT0);
        }
        Self::build(OtpKind::Totp(*totp), secret, issuer.into(), account)
    }

    /// An hotp URI for `hotp`, a copy of `secret`, the counter the app starts
    /// from, an optional issuer and the account name.
    ///
    /// # Errors
    ///
    /// As [`KeyUri::totp`], without the T0 case.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{Hotp, KeyUri, Secret};
    /// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?;
    /// let uri = KeyUri::hotp(&Hotp::default(), &secret, 0, "Example", "ana")?;
    /// assert_eq!(
    ///     *uri.to_uri_string(),
    ///     "otpauth://hotp/Example:ana?secret=JBSWY3DPEHPK3PXP&issuer=Example&counter=0"
    /// );
    /// # Ok(()) }
    /// ```
    pub fn hotp<'a>(
        hotp: &Hotp,
        secret: &Secret,
        counter: u64,
        issuer: impl Into<Option<&'a str>>,
        account: &str,
    ) -> Result<Self, UriError> {
        let kind = OtpKind::Hotp {
            hotp: *hotp,
            counter,
        };
        Self::build(kind, secret, issuer.into(), account)
    }

    fn build(
        kind: OtpKind,
        secret: &Secret,
        issuer: Option<&str>,
        account: &str,
    ) -> Result<Self, UriError> {
        Self {
            kind,
            issuer: issuer.filter(|i| !i.is_empty()).map(ToOwned::to_owned),
            account: account.trim_start_matches(' ').to_owned(),
            secret: secret.duplicate(),
            explicit_defaults: false,
        }
        .validated()
    }

    /// Checks the invariants that parsing checks, so that every value
    /// serialises to text that parses back to an equal value.
    fn validated(self) -> Result<Self, UriError> {
        if self.account.is_empty() {
            return Err(UriError::MissingAccount);
        }
        let names = self.issuer.iter().chain(core::iter::once(&self.account));
        if names.flat_map(|n| n.chars()).any(char::is_control) {
            return Err(UriError::ControlCharacter);
        }
        let colon_in_issuer = self.issuer.as_deref().is_some_and(|i| i.contains(':'));
        if colon_in_issuer || (self.issuer.is_none() && self.account.contains(':')) {
            return Err(UriError::AmbiguousColon);
        }
        // The longest form (every parameter written) is the bound. Writing
        // into a counter cannot fail.
        let mut counter = LenCounter(0);
        let _ = self.write_uri(&mut counter, true);
        if counter.0 > Self::MAX_LEN {
            return Err(UriError::TooLong {
                len: counter.0,
                max: Self::MAX_LEN,
            });
        }
        Ok(self)
    }

    /// Parses an `otpauth://` URI; see [the text form](KeyUri#text-form)
    /// for what is accepted. `str::parse` does the same.
    ///
    /// # Errors
    ///
    /// A [`UriError`] naming the first problem found; none contains the secret.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::UriError> {
    /// use twostep::{Algorithm, KeyUri, UriError};
    /// let uri = KeyUri::parse("otpauth://totp/ACME%3Aana?secret=jbsw-y3dp-ehpk-3pxp====&algorithm=sha256")?;
    /// assert_eq!((uri.issuer(), uri.account()), (Some("ACME"), "ana"));
    /// assert_eq!(uri.algorithm(), Algorithm::Sha256);
    ///
    /// let mismatch = KeyUri::parse("otpauth://totp/A:ana?secret=JBSWY3DPEHPK3PXP&issuer=B");
    /// assert_eq!(mismatch.err(), Some(UriError::IssuerMismatch));
    /// # Ok(()) }
    /// ```
    pub fn parse(text: &str) -> Result<Self, UriError> {
        if text.len() > Self::MAX_LEN {
            return Err(UriError::TooLong {
                len: text.len(),
                max: Self::MAX_LEN,
            });
        }
        let (scheme, rest) = text.split_once("://").ok_or(UriError::Scheme)?;
        if !scheme.eq_ignore_ascii_case("otpauth") {
            return Err(UriError::Scheme);
        }
        let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (kind_text, label) = path.split_once('/').unwrap_or((path, ""));
        let is_totp = if kind_text.eq_ignore_ascii_case("totp") {
            true
        } else if kind_text.eq_ignore_ascii_case("hotp") {
            false
        } else {
            return Err(UriError::UnknownType);
        };

        let label = decode_text(text, label, false)?;
        let (label_issuer, account) = match label.split_once(':') {
            Some((issuer, account)) => (Some(issuer), account),
            None => (None, label.as_str()),
        };

        let params = Params::split(query, is_totp)?;
        let secret_text = params.secret.ok_or(UriError::MissingSecret)?;
        let secret_text = decode(text, secret_text, true)?;
        let secret_text = core::str::from_utf8(&secret_text).map_err(|_| UriError::InvalidUtf8)?;
        if secret_text.is_empty() {
            return Err(UriError::MissingSecret);
        }
        let secret = Secret::from_base32(secret_text).map_err(UriError::InvalidSecret)?;

        let param_issuer = params
            .issuer
            .map(|raw| decode_text(text, raw, true))
            .transpose()?;
        let label_issuer = label_issuer.filter(|i| !i.is_empty());
        let param_issuer = param_issuer.as_deref().filter(|i| !i.is_empty());
        let issuer = match (label_issuer, param_issuer) {
            (Some(l), Some(p)) if l != p => return Err(UriError::IssuerMismatch),
            (l, p) => l.or(p),
        };

        let mut hotp = Hotp::new();
        if let Some(raw) = params.algorithm {
            let name = decode_text(text, raw, true)?;
            let algorithm = Algorithm::from_str(&name).map_err(|_| UriError::UnknownAlgorithm)?;
            hotp = hotp.with_algorithm(algorithm);
        }
        if let Some(raw) = params.digits {
            let digits = lenient_u64(&decode_text(text, raw, true)?)
                .and_then(|d| u32::try_from(d).ok())
                .and_then(|d| Digits::new(d).ok())
                .ok_or(UriError::Digits)?;
            hotp = hotp.with_digits(digits);
        }
        let kind = if is_totp {
            let mut totp = Totp::new()
                .with_algorithm(hotp.algorithm())
                .with_digits(hotp.digits());
            if let Some(raw) = params.period {
                let period = lenient_u64(&decode_text(text, raw, true)?)
                    .and_then(|p| Period::new(p).ok())
                    .ok_or(UriError::Period)?;
                totp = totp.with_period(period);
            }
            OtpKind::Totp(totp)
        } else {
            let raw = params.counter.ok_or(UriError::MissingCounter)?;
            let counter = lenient_u64(&decode_text(text, raw, true)?).ok_or(UriError::Counter)?;
            OtpKind::Hotp { hotp, counter }
        };

        Self {
            kind,
            issuer: issuer.map(ToOwned::to_owned),
            account: account.trim_start_matches(' ').to_owned(),
            secret,
            explicit_defaults: false,
        }
        .validated()
    }

    /// The same URI, written with every parameter (`algorithm`, `digits`,
    /// `period`) even at its default, for apps or tools that do not assume
    /// the defaults. A formatting choice: equality ignores it, and parsing
    /// always yields `false`.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{KeyUri, Secret, Totp};
    /// let secret = Secret::from_base32("HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ")?;
    /// let uri = KeyUri::totp(&Totp::default(), &secret, "ACME Co", "john.doe@email.com")?
    ///     .with_explicit_defaults(true);
    /// assert_eq!(
    ///     *uri.to_uri_string(),
    ///     "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ\
    ///      &issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30"
    /// );
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn with_explicit_defaults(mut self, explicit: bool) -> Self {
        self.explicit_defaults = explicit;
        self
    }

    /// Whether default parameters are written; see [`KeyUri::with_explicit_defaults`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::UriError> {
    /// let uri = twostep::KeyUri::parse("otpauth://totp/ana?secret=JBSWY3DPEHPK3PXP&digits=6")?;
    /// assert!(!uri.explicit_defaults());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn explicit_defaults(&self) -> bool {
        self.explicit_defaults
    }

    /// Totp or hotp, with the parameters.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::UriError> {
    /// use twostep::{KeyUri, OtpKind, Totp};
    /// let uri = KeyUri::parse("otpauth://totp/ana?secret=JBSWY3DPEHPK3PXP")?;
    /// assert_eq!(uri.kind(), OtpKind::Totp(Totp::default()));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn kind(&self) -> OtpKind {
        self.kind
    }

    /// The hash.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::UriError> {
    /// let uri = twostep::KeyUri::parse("otpauth://totp/ana?secret=JBSWY3DPEHPK3PXP&algorithm=SHA512")?;
    /// assert_eq!(uri.algorithm(), twostep::Algorithm::Sha512);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.hotp_params().algorithm()
    }

    /// The digit count.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::UriError> {
    /// let uri = twostep::KeyUri::parse("otpauth://totp/ana?secret=JBSWY3DPEHPK3PXP&digits=8")?;
    /// assert_eq!(uri.digits().get(), 8);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn digits(&self) -> Digits {
        self.hotp_params().digits()
    }

    /// The period of a totp URI; `None` for hotp.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::UriError> {
    /// let uri = twostep::KeyUri::parse("otpauth://totp/ana?secret=JBSWY3DPEHPK3PXP&period=60")?;
    /// assert_eq!(uri.period().map(|p| p.as_secs()), Some(60));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn period(&self) -> Option<Period> {
        match self.kind {
            OtpKind::Totp(totp) => Some(totp.period()),
            OtpKind::Hotp { .. } => None,
        }
    }

    /// The counter of an hotp URI; `None` for totp.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::UriError> {
    /// let uri = twostep::KeyUri::parse("otpauth://hotp/ana?secret=JBSWY3DPEHPK3PXP&counter=42")?;
    /// assert_eq!(uri.counter(), Some(42));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn counter(&self) -> Option<u64> {
        match self.kind {
            OtpKind::Totp(_) => None,
            OtpKind::Hotp { counter, .. } => Some(counter),
        }
    }

    /// The issuer (service name), if any.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::UriError> {
    /// let uri = twostep::KeyUri::parse("otpauth://totp/ana?secret=JBSWY3DPEHPK3PXP&issuer=B%C3%A4ckerei")?;
    /// assert_eq!(uri.issuer(), Some("Bäckerei"));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The account name.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::UriError> {
    /// let uri = twostep::KeyUri::parse("otpauth://totp/Example:%20ana%20b?secret=JBSWY3DPEHPK3PXP")?;
    /// assert_eq!(uri.account(), "ana b");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The secret, lent.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::UriError> {
    /// let uri = twostep::KeyUri::parse("otpauth://totp/ana?secret=JBSWY3DPEHPK3PXP")?;
    /// assert_eq!(uri.secret().expose_secret(), b"Hello!\xde\xad\xbe\xef");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The secret, taken out of the URI (to store it after an import).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::UriError> {
    /// let uri = twostep::KeyUri::parse("otpauth://totp/ana?secret=JBSWY3DPEHPK3PXP")?;
    /// let secret = uri.into_secret();
    /// assert_eq!(secret.byte_len(), 10);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn into_secret(self) -> Secret {
        self.secret
    }

    /// The URI text in a buffer wiped on drop, sized exactly so that no
    /// reallocation leaves copies behind.
    ///
    /// # Security
    ///
    /// The text contains the secret: show it only to the enrolling user.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{KeyUri, Secret, Totp};
    /// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?;
    /// let uri = KeyUri::totp(&Totp::default(), &secret, None, "ana")?;
    /// assert_eq!(*uri.to_uri_string(), "otpauth://totp/ana?secret=JBSWY3DPEHPK3PXP");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn to_uri_string(&self) -> Zeroizing<String> {
        let mut counter = LenCounter(0);
        let _ = self.write_uri(&mut counter, self.explicit_defaults);
        let mut out = Zeroizing::new(String::with_capacity(counter.0));
        // Writing into a String cannot fail.
        let _ = self.write_uri(&mut *out, self.explicit_defaults);
        out
    }

    /// Known limitations of widely used authenticator apps that apply to
    /// this URI's parameters, for an enrolment screen to warn about. Empty
    /// for the defaults (totp, SHA-1, 6 digits, 30 s) with an issuer and a
    /// secret of at least 128 bits.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::UriError> {
    /// use twostep::{Algorithm, Compatibility, KeyUri};
    /// let uri = KeyUri::parse("otpauth://totp/ana?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA256")?;
    /// let notes: Vec<Compatibility> = uri.compatibility().collect();
    /// assert_eq!(notes, [Compatibility::Algorithm(Algorithm::Sha256), Compatibility::NoIssuer]);
    /// for note in notes {
    ///     println!("warning: {note}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn compatibility(&self) -> impl Iterator<Item = Compatibility> + use<> {
        let algorithm = self.algorithm();
        let digits = self.digits();
        let period = self.period().filter(|p| *p != Period::DEFAULT);
        let colon = self.issuer.is_some() && self.account.contains(':');
        let len = self.secret.byte_len();
        [
            matches!(self.kind, OtpKind::Hotp { .. }).then_some(Compatibility::Hotp),
            (algorithm != Algorithm::Sha1).then_some(Compatibility::Algorithm(algorithm)),
            (digits != Digits::DEFAULT).then_some(Compatibility::Digits(digits)),
            period.map(Compatibility::Period),
            self.issuer.is_none().then_some(Compatibility::NoIssuer),
            colon.then_some(Compatibility::ColonInAccount),
            (len < Secret::MIN_GENERATED_LEN).then_some(Compatibility::ShortSecret { len }),
        ]
        .into_iter()
        .flatten()
    }

    fn hotp_params(&self) -> Hotp {
        match self.kind {
            OtpKind::Totp(totp) => totp.hotp(),
            OtpKind::Hotp { hotp, .. } => hotp,
        }
    }

    fn write_uri<W: fmt::Write + ?Sized>(&self, w: &mut W, explicit: bool) -> fmt::Result {
        let kind = match self.kind {
            OtpKind::Totp(_) => "totp",
            OtpKind::Hotp { .. } => "hotp",
        };
        w.write_str("otpauth://")?;
        w.write_str(kind)?;
        w.write_char('/')?;
        if let Some(issuer) = &self.issuer {
            encode(w, issuer)?;
            w.write_char(':')?;
        }
        encode(w, &self.account)?;
        w.write_str("?secret=")?;
        w.write_str(&self.secret.to_base32())?;
        if let Some(issuer) = &self.issuer {
            w.write_str("&issuer=")?;
            encode(w, issuer)?;
        }
        let hotp = self.hotp_params();
        if explicit || hotp.algorithm() != Algorithm::Sha1 {
            write!(w, "&algorithm={}", hotp.algorithm().as_str())?;
        }
        if explicit || hotp.digits() != Digits::DEFAULT {
            write!(w, "&digits={}", hotp.digits().get())?;
        }
        match self.kind {
            OtpKind::Totp(totp) if explicit || totp.period() != Period::DEFAULT => {
                write!(w, "&period={}", totp.period().as_secs())
            }
            OtpKind::Totp(_) => Ok(()),
            OtpKind::Hotp { counter, .. } => write!(w, "&counter={counter}"),
        }
    }
}

/// The URI text, secret included: see the `# Security` section of [`KeyUri`].
/// Prefer [`KeyUri::to_uri_string`], whose buffer is wiped on drop.
impl fmt::Display for KeyUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_uri(f, self.explicit_defaults)
    }
}

impl FromStr for KeyUri {
    type Err = UriError;

    /// See [`KeyUri::parse`].
    fn from_str(s: &str) -> Result<Self, UriError> {
        Self::parse(s)
    }
}

/// Equal when kind, parameters, issuer, account and secret are equal; the
/// secret is compared in constant time. [`KeyUri::explicit_defaults`] is a
/// formatting choice and is not compared.
impl PartialEq for KeyUri {
    fn eq(&self, other: &Self) -> bool {
        let same_secret: bool = self.secret.ct_eq(&other.secret).into();
        same_secret
            & (self.kind == other.kind)
            & (self.issuer == other.issuer)
            & (self.account == other.account)
    }
}

impl Eq for KeyUri {}

/// A known limitation of some authenticator apps that applies to a
/// [`KeyUri`]; see [`KeyUri::compatibility`]. `Display` gives a sentence for
/// an enrolment screen or a log.
///
/// The notes are deliberately conservative ("some apps"): app behaviour
/// changes between versions, so test the apps your users have.
///
/// ```
/// use twostep::Compatibility;
/// assert_eq!(
///     Compatibility::Hotp.to_string(),
///     "some authenticator apps do not support counter-based (hotp) codes"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Compatibility {
    /// Counter-based codes.
    Hotp,
    /// An algorithm other than SHA-1.
    Algorithm(Algorithm),
    /// A digit count other than 6.
    Digits(Digits),
    /// A period other than 30 s.
    Period(Period),
    /// No issuer.
    NoIssuer,
    /// An account name containing `:`.
    ColonInAccount,
    /// A secret shorter than the 128 bits RFC 4226 §4 requires.
    ShortSecret {
        /// The secret length in bytes.
        len: usize,
    },
}

impl fmt::Display for Compatibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hotp => f.write_str("some authenticator apps do not support counter-based (hotp) codes"),
            Self::Algorithm(a) => write!(
                f,
                "some authenticator apps ignore the algorithm and always use SHA1, so their codes for {a} will not match"
            ),
            Self::Digits(d) if d.get() > 8 => write!(
                f,
                "{} digits are outside RFC 4226 (6 to 8); most authenticator apps cannot show them",
                d.get()
            ),
            Self::Digits(d) => write!(
                f,
                "some authenticator apps ignore the digits parameter and always show 6 digits, not {}",
                d.get()
            ),
            Self::Period(p) => write!(
                f,
                "some authenticator apps ignore the period and always use 30 seconds, not {}",
                p.as_secs()
            ),
            Self::NoIssuer => f.write_str(
                "without an issuer, some authenticator apps show only the account name, which users may confuse with other services",
            ),
            Self::ColonInAccount => f.write_str(
                "the account name contains ':', which some authenticator apps take as the issuer separator",
            ),
            Self::ShortSecret { len } => write!(
                f,
                "the secret has {} bits, fewer than the 128 bits RFC 4226 requires",
                len.saturating_mul(8)
            ),
        }
    }
}

/// The raw values of the parameters twostep reads.
#[derive(Default)]
struct Params<'a> {
    secret: Option<&'a str>,
    issuer: Option<&'a str>,
    algorithm: Option<&'a str>,
    digits: Option<&'a str>,
    period: Option<&'a str>,
    counter: Option<&'a str>,
}

impl<'a> Params<'a> {
    fn split(query: &'a str, is_totp: bool) -> Result<Self, UriError> {
        let mut p = Self::default();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let is = |known: &str| name.eq_ignore_ascii_case(known);
            let (slot, parameter) = if is("secret") {
                (&mut p.secret, "secret")
            } else if is("issuer") {
                (&mut p.issuer, "issuer")
            } else if is("algorithm") {
                (&mut p.algorithm, "algorithm")
            } else if is("digits") {
                (&mut p.digits, "digits")
            } else if is_totp && is("period") {
                (&mut p.period, "period")
            } else if !is_totp && is("counter") {
                (&mut p.counter, "counter")
            } else {
                continue;
            };
            if slot.replace(value).is_some() {
                return Err(UriError::DuplicateParameter { parameter });
            }
        }
        Ok(p)
    }
}

/// Byte offset of `part` (a slice of `whole`) within `whole`.
fn offset_in(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

/// Percent-decodes `raw` (a slice of `input`); `+` becomes a space when
/// `plus_is_space` (form encoding, used in parameter values). The buffer is
/// wiped on drop, as it may hold the secret.
fn decode(input: &str, raw: &str, plus_is_space: bool) -> Result<Zeroizing<Vec<u8>>, UriError> {
    let mut out = Zeroizing::new(Vec::with_capacity(raw.len()));
    let mut bytes = raw.bytes().enumerate();
    while let Some((i, b)) = bytes.next() {
        match b {
            b'%' => {
                let hi = bytes.next().and_then(|(_, h)| char::from(h).to_digit(16));
                let lo = bytes.next().and_then(|(_, l)| char::from(l).to_digit(16));
                let (Some(hi), Some(lo)) = (hi, lo) else {
                    return Err(UriError::InvalidPercentEncoding {
                        position: offset_in(input, raw).saturating_add(i),
                    });
                };
                // Both are below 16, so the byte cannot overflow.
                out.push(u8::try_from(hi.wrapping_mul(16) | lo).unwrap_or(0));
            }
            b'+' if plus_is_space => out.push(b' '),
            _ => out.push(b),
        }
    }
    Ok(out)
}

/// [`decode`] for text that is not secret: an issuer, an account, a name.
fn decode_text(input: &str, raw: &str, plus_is_space: bool) -> Result<String, UriError> {
    let bytes = decode(input, raw, plus_is_space)?;
    core::str::from_utf8(&bytes)
        .map(ToOwned::to_owned)
        .map_err(|_| UriError::InvalidUtf8)
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `@`
/// (which Google's own examples leave as is).
fn encode<W: fmt::Write + ?Sized>(w: &mut W, text: &str) -> fmt::Result {
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@') {
            w.write_char(char::from(b))?;
        } else {
            write!(w, "%{b:02X}")?;
        }
    }
    Ok(())
}

/// A `fmt::Write` that only counts bytes.
struct LenCounter(usize);

impl fmt::Write for LenCounter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 = self.0.saturating_add(s.len());
        Ok(())
    }
}
