//! Reading an `otpauth://` URI: the scheme, the type, the label and the
//! parameters twostep reads.

use alloc::borrow::ToOwned;
use alloc::string::String;
use core::str::FromStr;

use crate::otp::{Algorithm, Digits, Hotp, Period, Totp};
use crate::secret::Secret;
use crate::text::lenient_u64;
use crate::uri::error::Kind;
use crate::uri::percent::{decode, decode_text, offset_in};
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
    /// # fn main() -> Result<(), twostep::uri::UriError> {
    /// use twostep::KeyUri;
    /// use twostep::otp::Algorithm;
    /// let uri = KeyUri::parse("otpauth://totp/ACME%3Aana?secret=jbsw-y3dp-ehpk-3pxp====&algorithm=sha256")?;
    /// assert_eq!((uri.issuer(), uri.account()), (Some("ACME"), "ana"));
    /// assert_eq!(uri.algorithm(), Algorithm::Sha256);
    ///
    /// let mismatch = KeyUri::parse("otpauth://totp/A:ana?secret=JBSWY3DPEHPK3PXP&issuer=B");
    /// assert_eq!(
    ///     mismatch.map(|_| ()).map_err(|e| e.to_string()),
    ///     Err("the issuer in the label and the issuer parameter differ".to_owned())
    /// );
    /// # Ok(()) }
    /// ```
    pub fn parse(text: &str) -> Result<Self, UriError> {
        if text.len() > Self::MAX_INPUT_LEN {
            return Err(UriError::new(Kind::TooLong { len: text.len() }));
        }
        let (is_totp, label, query) = split_uri(text)?;
        let label = decode_text(text, label, false)?;
        let (label_issuer, account) = match label.split_once(':') {
            Some((issuer, account)) => (Some(issuer), account),
            None => (None, label.as_str()),
        };
        let params = Params::split(text, query, is_totp)?;
        let secret = params.secret(text)?;
        let issuer = params.issuer(text, label_issuer)?;
        let kind = params.kind(text, is_totp)?;
        Self {
            kind,
            issuer,
            account: account.trim_start_matches(' ').to_owned(),
            secret,
            explicit_defaults: false,
        }
        .validated()
    }
}

/// The type (`true` for totp), the raw label and the raw query of `text`;
/// a fragment is dropped.
fn split_uri(text: &str) -> Result<(bool, &str, &str), UriError> {
    let (scheme, rest) = text.split_once("://").ok_or(UriError::new(Kind::Scheme))?;
    if !scheme.eq_ignore_ascii_case("otpauth") {
        return Err(UriError::new(Kind::Scheme));
    }
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (kind_text, label) = path.split_once('/').unwrap_or((path, ""));
    if kind_text.eq_ignore_ascii_case("totp") {
        Ok((true, label, query))
    } else if kind_text.eq_ignore_ascii_case("hotp") {
        Ok((false, label, query))
    } else {
        Err(UriError::new(Kind::UnknownType))
    }
}

/// A decimal parameter value (percent-encoded digits allowed), or `invalid`.
fn number(text: &str, raw: &str, invalid: Kind) -> Result<u64, UriError> {
    lenient_u64(&decode_text(text, raw, true)?).ok_or(UriError::new(invalid))
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
    /// The parameters of `query` (a slice of `text`); an `encoder` is refused.
    fn split(text: &str, query: &'a str, is_totp: bool) -> Result<Self, UriError> {
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
            } else if is("encoder") {
                let position = offset_in(text, name);
                return Err(UriError::new(Kind::Encoder { position }));
            } else {
                continue;
            };
            if slot.replace(value).is_some() {
                let position = offset_in(text, name);
                return Err(UriError::new(Kind::DuplicateParameter {
                    parameter,
                    position,
                }));
            }
        }
        Ok(p)
    }

    /// The secret, decoded; its intermediate text is wiped.
    fn secret(&self, text: &str) -> Result<Secret, UriError> {
        let raw = self.secret.ok_or(UriError::new(Kind::MissingSecret))?;
        let decoded = decode(text, raw, true)?;
        let symbols =
            core::str::from_utf8(&decoded).map_err(|_| UriError::new(Kind::InvalidUtf8))?;
        if symbols.is_empty() {
            return Err(UriError::new(Kind::MissingSecret));
        }
        Secret::from_base32(symbols).map_err(|e| UriError::new(Kind::InvalidSecret(e)))
    }

    /// The issuer from the label, the parameter, or both when they agree;
    /// an empty one is none.
    fn issuer(&self, text: &str, in_label: Option<&str>) -> Result<Option<String>, UriError> {
        let param = self
            .issuer
            .map(|raw| decode_text(text, raw, true))
            .transpose()?
            .filter(|i| !i.is_empty());
        if param.as_deref().is_some_and(|p| p.contains(':')) {
            // Named before a mismatch: the label split at this very colon.
            return Err(UriError::new(Kind::ColonInIssuer));
        }
        match (in_label.filter(|i| !i.is_empty()), param) {
            (Some(l), Some(p)) if l != p => Err(UriError::new(Kind::IssuerMismatch)),
            (Some(l), _) => Ok(Some(l.to_owned())),
            (None, p) => Ok(p),
        }
    }

    /// Totp or hotp with the algorithm, digits and period or counter.
    fn kind(&self, text: &str, is_totp: bool) -> Result<OtpKind, UriError> {
        let mut hotp = Hotp::new();
        if let Some(raw) = self.algorithm {
            let algorithm = Algorithm::from_str(&decode_text(text, raw, true)?)
                .map_err(|_| UriError::new(Kind::UnknownAlgorithm))?;
            hotp = hotp.with_algorithm(algorithm);
        }
        if let Some(raw) = self.digits {
            let digits = u32::try_from(number(text, raw, Kind::Digits)?)
                .ok()
                .and_then(|d| Digits::new(d).ok())
                .ok_or(UriError::new(Kind::Digits))?;
            hotp = hotp.with_digits(digits);
        }
        if !is_totp {
            let raw = self.counter.ok_or(UriError::new(Kind::MissingCounter))?;
            let counter = number(text, raw, Kind::Counter)?;
            return Ok(OtpKind::Hotp { hotp, counter });
        }
        let mut totp = Totp::new()
            .with_algorithm(hotp.algorithm())
            .with_digits(hotp.digits());
        if let Some(raw) = self.period {
            let period = Period::new(number(text, raw, Kind::Period)?)
                .map_err(|_| UriError::new(Kind::Period))?;
            totp = totp.with_period(period);
        }
        Ok(OtpKind::Totp(totp))
    }
}
