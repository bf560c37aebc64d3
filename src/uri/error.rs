//! [`UriError`]: why a Key URI could not be parsed or built.

use core::fmt;

use crate::otp::UnknownAlgorithm;
use crate::secret::SecretError;
use crate::uri::KeyUri;

/// Why an `otpauth://` URI could not be parsed or built.
///
/// Opaque, in the manner of `semver::Error`: [`Display`](fmt::Display) says
/// precisely what is wrong, with byte positions where they help, and the
/// details may become more precise in a later release without breaking
/// callers. For an invalid secret, [`source`](core::error::Error::source)
/// returns the [`SecretError`]. No message contains the input text, the label
/// or the secret.
///
/// ```
/// use core::error::Error as _;
/// use twostep::secret::SecretError;
/// use twostep::uri::KeyUri;
///
/// let bad = KeyUri::parse("otpauth://totp/ana?secret=JBSWY3DPEHPK3PXP&issuer=A%4").err();
/// let message = bad.map(|e| e.to_string());
/// assert_eq!(message.as_deref(), Some("invalid percent-encoding at byte 51"));
///
/// // An invalid secret: the message says which parameter, `source()` says why.
/// let bad = KeyUri::parse("otpauth://totp/ana?secret=JBSWY3DP").err();
/// let message = bad.as_ref().map(ToString::to_string);
/// assert_eq!(message.as_deref(), Some("invalid secret parameter"));
/// let why = bad.as_ref().and_then(|e| e.source()?.downcast_ref::<SecretError>());
/// assert_eq!(why, Some(&SecretError::Length { len: 5, min: 10 }));
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct UriError {
    kind: Kind,
}

/// What went wrong; private so that it can grow and split.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Kind {
    /// The input, or the longest text the value would serialise to, is over
    /// [`KeyUri::MAX_INPUT_LEN`] bytes.
    TooLong {
        len: usize,
    },
    Scheme,
    UnknownType,
    MissingAccount,
    /// A control character (general category Cc).
    Control(Field),
    /// A bidi control, another format character (general category Cf), or
    /// a line or paragraph separator.
    Format(Field),
    /// A `:` in the issuer, which apps take for the end of the issuer.
    ColonInIssuer,
    /// A `:` in an account name without an issuer: apps would read the part
    /// before it as the issuer.
    ColonWithoutIssuer,
    /// An `encoder=` parameter (Steam Guard) at this byte offset: apps that
    /// read it show codes that are not the RFC 6238 digits.
    Encoder {
        position: usize,
    },
    InvalidPercentEncoding {
        position: usize,
    },
    InvalidUtf8,
    /// A parameter that twostep reads, again at this byte offset.
    DuplicateParameter {
        parameter: &'static str,
        position: usize,
    },
    MissingSecret,
    InvalidSecret(SecretError),
    IssuerMismatch,
    UnknownAlgorithm,
    Digits,
    Period,
    MissingCounter,
    Counter,
    UnsupportedT0,
}

/// Which name a problem is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Field {
    Issuer,
    Account,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Issuer => "the issuer",
            Self::Account => "the account name",
        })
    }
}

impl UriError {
    pub(super) const fn new(kind: Kind) -> Self {
        Self { kind }
    }
}

impl fmt::Display for UriError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::TooLong { len } => write!(
                f,
                "uri of {len} bytes exceeds the limit of {}",
                KeyUri::MAX_INPUT_LEN
            ),
            Kind::Scheme => f.write_str("not an otpauth:// uri"),
            Kind::UnknownType => f.write_str("unknown otp type, expected totp or hotp"),
            Kind::MissingAccount => f.write_str("the label has no account name"),
            Kind::Control(field) => write!(f, "{field} contains a control character"),
            Kind::Format(field) => write!(
                f,
                "{field} contains a bidi control or another invisible format character"
            ),
            Kind::ColonInIssuer => {
                f.write_str("the issuer contains ':', which apps read as the end of the issuer")
            }
            Kind::ColonWithoutIssuer => f.write_str(
                "the account name contains ':' but there is no issuer, so apps would read the part before it as the issuer",
            ),
            Kind::Encoder { position } => write!(
                f,
                "unsupported encoder parameter at byte {position}: apps that read it show codes twostep does not verify"
            ),
            Kind::InvalidPercentEncoding { position } => {
                write!(f, "invalid percent-encoding at byte {position}")
            }
            Kind::InvalidUtf8 => f.write_str("percent-decoded text is not utf-8"),
            Kind::DuplicateParameter {
                parameter,
                position,
            } => write!(f, "duplicated parameter {parameter} at byte {position}"),
            Kind::MissingSecret => f.write_str("missing secret"),
            Kind::InvalidSecret(_) => f.write_str("invalid secret parameter"),
            Kind::IssuerMismatch => {
                f.write_str("the issuer in the label and the issuer parameter differ")
            }
            Kind::UnknownAlgorithm => fmt::Display::fmt(&UnknownAlgorithm, f),
            Kind::Digits => f.write_str("digits must be a number from 6 to 10"),
            Kind::Period => f.write_str("period must be a number of seconds from 1 to 4294967295"),
            Kind::MissingCounter => f.write_str("missing counter for hotp"),
            Kind::Counter => f.write_str("counter must be a number from 0 to 18446744073709551615"),
            Kind::UnsupportedT0 => {
                f.write_str("the key uri format cannot carry a totp start time other than 0")
            }
        }
    }
}

/// `UriError("message")`, as `semver::Error` prints itself.
impl fmt::Debug for UriError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UriError(\"")?;
        fmt::Display::fmt(self, f)?;
        f.write_str("\")")
    }
}

impl core::error::Error for UriError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match &self.kind {
            Kind::InvalidSecret(inner) => Some(inner),
            _ => None,
        }
    }
}
