//! Reading an `otpauth://` URI: the scheme, the type, the label and the
//! parameters twostep reads.

use alloc::borrow::ToOwned;
use core::str::FromStr;

use crate::otp::{Algorithm, Digits, Hotp, Period, Totp};
use crate::secret::Secret;
use crate::text::lenient_u64;
use crate::uri::percent::{decode, decode_text};
use crate::uri::{KeyUri, OtpKind, UriError};

impl KeyUri {
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
}

impl FromStr for KeyUri {
    type Err = UriError;

    /// See [`KeyUri::parse`].
    fn from_str(s: &str) -> Result<Self, UriError> {
        Self::parse(s)
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
