//! [`Compatibility`]: what some authenticator apps do not support.

use core::fmt;

use crate::otp::{Algorithm, Digits, Period};
use crate::secret::Secret;
use crate::uri::{KeyUri, OtpKind};

impl KeyUri {
    /// Known limitations of widely used authenticator apps that apply to
    /// this URI's parameters, for an enrolment screen to warn about. Empty
    /// for the defaults (totp, SHA-1, 6 digits, 30 s) with an issuer and a
    /// secret of at least 128 bits.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::uri::UriError> {
    /// use twostep::KeyUri;
    /// use twostep::otp::Algorithm;
    /// use twostep::uri::Compatibility;
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
}

/// A known limitation of some authenticator apps that applies to a
/// [`KeyUri`]; see [`KeyUri::compatibility`]. `Display` gives a sentence for
/// an enrolment screen or a log.
///
/// The notes are deliberately conservative ("some apps"): app behaviour
/// changes between versions, so test the apps your users have.
///
/// ```
/// use twostep::uri::Compatibility;
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
