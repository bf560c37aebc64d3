//! Writing an `otpauth://` URI: the canonical text, sized before it is written.

use alloc::string::String;
use core::fmt;

use zeroize::Zeroizing;

use crate::otp::{Algorithm, Digits, Period};
use crate::uri::percent::encode;
use crate::uri::{KeyUri, OtpKind};

impl KeyUri {
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

    pub(super) fn write_uri<W: fmt::Write + ?Sized>(
        &self,
        w: &mut W,
        explicit: bool,
    ) -> fmt::Result {
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

/// A `fmt::Write` that only counts bytes.
pub(super) struct LenCounter(pub(super) usize);

impl fmt::Write for LenCounter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 = self.0.saturating_add(s.len());
        Ok(())
    }
}
