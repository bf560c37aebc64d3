//! [`KeyUri`]: the `otpauth://` Key URI that authenticator apps scan, built
//! and parsed; [`Compatibility`] notes for enrolment screens.
//!
//! The format is Google's "Key Uri Format" (the Google Authenticator wiki):
//!
//! ```text
//! otpauth://TYPE/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
//! otpauth://hotp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&counter=0
//! ```
//!
//! - [`KeyUri`]: build one with [`KeyUri::totp`] or [`KeyUri::hotp`], write
//!   it with [`KeyUri::to_uri_string`] (or as a QR code with the `qr`
//!   feature: `KeyUri::to_qr_svg`, `KeyUri::to_qr_terminal`), read one with
//!   [`KeyUri::parse`].
//! - [`UriError`]: why a URI could not be parsed or built (opaque; its
//!   message says what and where).
//! - [`Compatibility`]: what some authenticator apps do not support, for an
//!   enrolment screen to warn about.
//!
//! ```
//! # fn main() -> Result<(), twostep::Error> {
//! use twostep::otp::Totp;
//! use twostep::secret::Secret;
//! use twostep::uri::KeyUri;
//!
//! let secret = Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?; // 160 bits
//! let uri = KeyUri::totp(&Totp::default(), &secret, "Example", "ana@example.com")?;
//! let text = uri.to_uri_string(); // contains the secret: show it to this user only
//! assert!(KeyUri::parse(&text)? == uri);
//! assert_eq!(uri.compatibility().count(), 0);
//! # Ok(()) }
//! ```

use alloc::borrow::ToOwned;
use alloc::string::String;

use subtle::ConstantTimeEq;

use crate::otp::Hotp;
use crate::otp::Totp;
use crate::otp::{Algorithm, Digits, Period};
use crate::secret::Secret;
use crate::time::UnixTime;
use error::Kind;

mod compat;
mod error;
mod name;
mod parse;
mod percent;
#[cfg(feature = "qr")]
mod qr;
mod write;

pub use compat::Compatibility;
pub use error::UriError;
#[cfg(feature = "qr")]
pub use qr::QrError;

/// Which kind of one-time password a [`KeyUri`] describes, with its parameters.
///
/// ```
/// # fn main() -> Result<(), twostep::uri::UriError> {
/// use twostep::KeyUri;
/// use twostep::uri::OtpKind;
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
/// An `encoder=` parameter (Steam Guard) is refused: apps that read it show
/// codes other than the RFC 6238 digits twostep verifies. An empty issuer
/// counts as none.
///
/// Refused in the issuer and the account name, built or parsed: control
/// characters, bidi controls and other invisible format characters (Unicode
/// general category Cf, such as U+202E, which would let a label read as
/// another service's) and the line and paragraph separators; a `:` in the
/// issuer; a `:` in the account name when there is no issuer.
///
/// A value always satisfies what parsing checks, so every `KeyUri`
/// serialises to at most [`KeyUri::MAX_INPUT_LEN`] bytes and parses back equal.
///
/// # Security
///
/// The URI contains the secret: [`Display`](core::fmt::Display), [`KeyUri::to_uri_string`]
/// and the QR renderings reveal it. Show them only to the enrolling user,
/// once, and never log them. [`KeyUri::to_uri_string`] returns a buffer that
/// is wiped on drop; prefer it to `to_string()`. `Debug` redacts the secret,
/// equality compares it in constant time, and no [`UriError`] contains it.
/// `Clone` copies the secret (as [`Secret::duplicate`]); each copy is wiped
/// on drop.
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::{KeyUri, Secret, Totp};
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let uri = KeyUri::totp(&Totp::new(), &secret, Some("Example"), "ana@example.com")?;
/// let copy = uri.clone();
/// assert!(copy == uri);
/// # Ok(()) }
/// ```
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
    pub const MAX_INPUT_LEN: usize = 4096;

    /// A totp URI for `totp`, a copy of `secret`, an optional issuer (the
    /// service name the app shows) and the account name.
    ///
    /// Leading spaces of `account` are dropped, as a parser would drop them.
    ///
    /// # Errors
    ///
    /// A [`UriError`] if `totp` has a T0 other than the epoch (the format
    /// cannot carry it), for an empty account name, for names apps would
    /// misread or that would read as another's (control, bidi or format
    /// characters, a `:` where it would be read as the separator; see [the
    /// text form](KeyUri#text-form)), and for a URI longer than
    /// [`KeyUri::MAX_INPUT_LEN`].
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{KeyUri, Secret, Totp};
    /// use twostep::otp::{Algorithm, Digits};
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
            return Err(UriError::new(Kind::UnsupportedT0));
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
        name::check(self.issuer.as_deref(), &self.account)?;
        // The longest form (every parameter written) is the bound. Writing
        // into a counter cannot fail.
        let mut counter = write::LenCounter(0);
        let _ = self.write_uri(&mut counter, true);
        if counter.0 > Self::MAX_INPUT_LEN {
            return Err(UriError::new(Kind::TooLong { len: counter.0 }));
        }
        Ok(self)
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
    /// # fn main() -> Result<(), twostep::uri::UriError> {
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
    /// # fn main() -> Result<(), twostep::uri::UriError> {
    /// use twostep::{KeyUri, Totp};
    /// use twostep::uri::OtpKind;
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
    /// # fn main() -> Result<(), twostep::uri::UriError> {
    /// let uri = twostep::KeyUri::parse("otpauth://totp/ana?secret=JBSWY3DPEHPK3PXP&algorithm=SHA512")?;
    /// assert_eq!(uri.algorithm(), twostep::otp::Algorithm::Sha512);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.hotp_params().algorithm()
    }

    /// The digit count.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::uri::UriError> {
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
    /// # fn main() -> Result<(), twostep::uri::UriError> {
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
    /// # fn main() -> Result<(), twostep::uri::UriError> {
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
    /// # fn main() -> Result<(), twostep::uri::UriError> {
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
    /// # fn main() -> Result<(), twostep::uri::UriError> {
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
    /// # fn main() -> Result<(), twostep::uri::UriError> {
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
    /// # fn main() -> Result<(), twostep::uri::UriError> {
    /// let uri = twostep::KeyUri::parse("otpauth://totp/ana?secret=JBSWY3DPEHPK3PXP")?;
    /// let secret = uri.into_secret();
    /// assert_eq!(secret.byte_len(), 10);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn into_secret(self) -> Secret {
        self.secret
    }

    fn hotp_params(&self) -> Hotp {
        match self.kind {
            OtpKind::Totp(totp) => totp.hotp(),
            OtpKind::Hotp { hotp, .. } => hotp,
        }
    }
}

/// Equal when kind, parameters, issuer, account and secret are equal; the
/// secret is compared in constant time. [`KeyUri::explicit_defaults`] is a
/// formatting choice and is not compared.
impl Clone for KeyUri {
    fn clone(&self) -> Self {
        Self {
            kind: self.kind,
            issuer: self.issuer.clone(),
            account: self.account.clone(),
            secret: self.secret.duplicate(),
            explicit_defaults: self.explicit_defaults,
        }
    }
}

impl PartialEq for KeyUri {
    #[expect(
        clippy::needless_bitwise_bool,
        reason = "every field is compared whatever the secret comparison gave"
    )]
    fn eq(&self, other: &Self) -> bool {
        let same_secret: bool = self.secret.ct_eq(&other.secret).into();
        same_secret
            & (self.kind == other.kind)
            & (self.issuer == other.issuer)
            & (self.account == other.account)
    }
}

impl Eq for KeyUri {}
