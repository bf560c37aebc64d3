//! QR codes of a [`KeyUri`] (feature `qr`): SVG text and a terminal rendering.
//!
//! Encoding is done by the `qrcode` crate, at error-correction level M (15 %)
//! in the smallest version that fits.

use alloc::string::String;

use qrcode::{Color, QrCode};
use thiserror::Error;

use crate::uri::KeyUri;

/// Why a QR code could not be made.
///
/// ```
/// # fn main() -> Result<(), twostep::Error> {
/// use twostep::{KeyUri, Secret, Totp};
/// use twostep::uri::QrError;
/// // A 2 KiB account name fits a Key URI (4 KiB) but not a QR code.
/// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?;
/// let uri = KeyUri::totp(&Totp::default(), &secret, "Example", &"a".repeat(2400))?;
/// assert!(matches!(uri.to_qr_svg(), Err(QrError::DataTooLong { .. })));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum QrError {
    /// The URI does not fit in the largest QR code (version 40) at level M,
    /// about 2300 bytes: shorten the issuer or account name, or the secret.
    #[error("uri of {len} bytes does not fit in a qr code")]
    DataTooLong {
        /// The URI length in bytes.
        len: usize,
    },
    /// The encoder failed for another reason.
    #[error("qr encoding failed")]
    Encoding,
}

/// Light modules around the symbol, as ISO/IEC 18004 requires.
const QUIET_ZONE: usize = 4;

impl KeyUri {
    /// The QR code of [`KeyUri::to_uri_string`] as a standalone SVG document:
    /// black modules on a white square, 8 units per module, with a 4-module
    /// quiet zone. Scale it freely (it has a `viewBox`).
    ///
    /// # Errors
    ///
    /// [`QrError::DataTooLong`] if the URI does not fit in a QR code.
    ///
    /// # Security
    ///
    /// The picture encodes the secret: show it only to the enrolling user and
    /// do not cache or log it. The returned `String` is not wiped on drop.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{KeyUri, Secret, Totp};
    /// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?;
    /// let uri = KeyUri::totp(&Totp::default(), &secret, "Example", "alice@google.com")?;
    /// let svg = uri.to_qr_svg()?;
    /// assert!(svg.starts_with("<?xml") && svg.ends_with("</svg>"));
    /// # Ok(()) }
    /// ```
    pub fn to_qr_svg(&self) -> Result<String, QrError> {
        let code = self.qr_code()?;
        Ok(code
            .render::<qrcode::render::svg::Color<'_>>()
            .quiet_zone(true)
            .build())
    }

    /// The QR code as text for a terminal: Unicode half blocks (`▀`, `▄`,
    /// `█` and space), two modules per character cell, with a 4-module quiet
    /// zone. Each of the ⌈(n + 8) / 2⌉ lines has n + 8 characters and ends
    /// in `\n`, where n is the symbol's width in modules.
    ///
    /// Drawn for the usual light-on-dark terminal: the block characters are
    /// the *light* modules, so the code has the right polarity on a dark
    /// background. (On a light background it appears inverted, which many,
    /// but not all, scanners also read.)
    ///
    /// # Errors
    ///
    /// [`QrError::DataTooLong`] if the URI does not fit in a QR code.
    ///
    /// # Security
    ///
    /// As for [`KeyUri::to_qr_svg`]: the text encodes the secret.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::Error> {
    /// use twostep::{KeyUri, Secret, Totp};
    /// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?;
    /// let uri = KeyUri::totp(&Totp::default(), &secret, "Example", "alice@google.com")?;
    /// let qr = uri.to_qr_terminal()?;
    /// let width = qr.lines().next().map_or(0, |l| l.chars().count());
    /// assert!(width >= 21 + 8 && qr.lines().all(|l| l.chars().count() == width));
    /// print!("{qr}");
    /// # Ok(()) }
    /// ```
    pub fn to_qr_terminal(&self) -> Result<String, QrError> {
        let code = self.qr_code()?;
        let n = code.width();
        let colors = code.to_colors();
        let side = n.saturating_add(QUIET_ZONE.saturating_mul(2));
        // Light outside the symbol (quiet zone), dark below the last row
        // (the terminal background).
        let light = |x: usize, y: usize| -> bool {
            if y >= side {
                return false;
            }
            let (Some(mx), Some(my)) = (x.checked_sub(QUIET_ZONE), y.checked_sub(QUIET_ZONE))
            else {
                return true;
            };
            if mx >= n || my >= n {
                return true;
            }
            let index = my.checked_mul(n).and_then(|i| i.checked_add(mx));
            index.and_then(|i| colors.get(i)) != Some(&Color::Dark)
        };
        let rows = side.div_ceil(2);
        // Each cell is 3 bytes of UTF-8 at most, plus a newline per row.
        let mut out =
            String::with_capacity(rows.saturating_mul(side.saturating_mul(3).saturating_add(1)));
        for row in 0..rows {
            let top = row.saturating_mul(2);
            for x in 0..side {
                out.push(match (light(x, top), light(x, top.saturating_add(1))) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                });
            }
            out.push('\n');
        }
        Ok(out)
    }

    fn qr_code(&self) -> Result<QrCode, QrError> {
        let text = self.to_uri_string();
        QrCode::new(text.as_bytes()).map_err(|e| match e {
            qrcode::types::QrError::DataTooLong => QrError::DataTooLong { len: text.len() },
            _ => QrError::Encoding,
        })
    }
}
