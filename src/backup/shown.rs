//! [`ShownCodes`]: the plaintext codes of a new set, shown once.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write as _};

use zeroize::Zeroizing;

/// Freshly generated plaintext codes: show them once, then drop them.
///
/// Wiped on drop (best effort); `Debug` shows only the shape. `Display`
/// writes one grouped code per line; [`ShownCodes::to_text_block`] adds a
/// title and numbers for a download or print-out.
///
/// ```
/// # fn main() -> Result<(), twostep::backup::ConfigError> {
/// use rand_core::SeedableRng;
/// use twostep::backup::{CodeSet, Policy};
/// let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
/// let (codes, _set) = CodeSet::generate(&Policy::DEFAULT, &mut rng)?;
/// assert_eq!(codes.len(), 10);
/// assert_eq!(format!("{codes:?}"), "ShownCodes { count: 10, length: 24, .. }");
/// let first = codes.to_string().lines().next().map(str::len);
/// assert_eq!(first, Some(29)); // XXXX-XXXX-XXXX-XXXX-XXXX-XXXX
/// # Ok(()) }
/// ```
pub struct ShownCodes {
    /// The symbols of every code, back to back, as ASCII.
    pub(super) symbols: Zeroizing<Vec<u8>>,
    pub(super) length: usize,
}

impl ShownCodes {
    /// The number of codes.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// let policy = twostep::backup::Policy::DEFAULT.with_count(5)?;
    /// let (codes, _) = twostep::backup::CodeSet::generate(&policy, &mut rng)?;
    /// assert_eq!(codes.len(), 5);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.symbols.len().checked_div(self.length).unwrap_or(0)
    }

    /// Whether there are no codes (never, for a generated set).
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// let (codes, _) = twostep::backup::CodeSet::generate(&twostep::backup::Policy::DEFAULT, &mut rng)?;
    /// assert!(!codes.is_empty());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.symbols.is_empty()
    }

    /// The code of slot `index` (0-based), or `None` past the end.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// let (codes, _) = twostep::backup::CodeSet::generate(&twostep::backup::Policy::DEFAULT, &mut rng)?;
    /// assert!(codes.get(9).is_some() && codes.get(10).is_none());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn get(&self, index: usize) -> Option<ShownCode<'_>> {
        self.iter().nth(index)
    }

    /// The codes in slot order.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// let (codes, _) = twostep::backup::CodeSet::generate(&twostep::backup::Policy::DEFAULT, &mut rng)?;
    /// assert!(codes.iter().all(|c| c.to_string().len() == 29));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn iter(&self) -> impl ExactSizeIterator<Item = ShownCode<'_>> + '_ {
        self.symbols
            .chunks_exact(self.length.max(1))
            .map(|symbols| ShownCode { symbols })
    }

    /// The codes as a text block to download or print: the title line (its
    /// control characters replaced by spaces), a blank line, then one
    /// numbered, grouped code per line. The string is wiped on drop and is
    /// allocated once, at its final size, so no stray copies are left behind.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::backup::ConfigError> {
    /// # use rand_core::SeedableRng;
    /// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    /// let policy = twostep::backup::Policy::DEFAULT.with_count(2)?.with_length(12)?.with_iterations(1_000)?;
    /// let (codes, _) = twostep::backup::CodeSet::generate(&policy, &mut rng)?;
    /// let text = codes.to_text_block("Backup codes for ana@example.com");
    /// let lines: Vec<&str> = text.lines().collect();
    /// assert_eq!(lines[0], "Backup codes for ana@example.com");
    /// assert_eq!(lines[1], "");
    /// assert_eq!(lines[2], format!("1. {}", codes.get(0).unwrap()));
    /// assert_eq!(lines.len(), 4);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn to_text_block(&self, title: &str) -> Zeroizing<String> {
        let count = self.len();
        let width = decimal_width(count);
        let grouped = grouped_len(self.length);
        // title + "\n\n" + per code: number, ". ", code, "\n".
        let capacity = title
            .len()
            .saturating_add(2)
            .saturating_add(count.saturating_mul(width.saturating_add(3).saturating_add(grouped)));
        let mut out = Zeroizing::new(String::with_capacity(capacity));
        out.extend(title.chars().map(|c| if c.is_control() { ' ' } else { c }));
        out.push_str("\n\n");
        for (i, code) in self.iter().enumerate() {
            // Writing to a String cannot fail.
            let _ = writeln!(out, "{:>width$}. {code}", i.saturating_add(1));
        }
        out
    }
}

fn decimal_width(n: usize) -> usize {
    let mut width = 1usize;
    let mut n = n / 10;
    while n > 0 {
        width = width.saturating_add(1);
        n /= 10;
    }
    width
}

/// Length of a code of `symbols` symbols in groups of four with hyphens.
fn grouped_len(symbols: usize) -> usize {
    symbols.saturating_add(symbols.saturating_sub(1) / 4)
}

impl fmt::Display for ShownCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, code) in self.iter().enumerate() {
            if i > 0 {
                f.write_char('\n')?;
            }
            fmt::Display::fmt(&code, f)?;
        }
        Ok(())
    }
}

impl fmt::Debug for ShownCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShownCodes")
            .field("count", &self.len())
            .field("length", &self.length)
            .finish_non_exhaustive()
    }
}

/// One plaintext code, borrowed from [`ShownCodes`].
///
/// `Display` writes it in groups of four (`7F3K-9QXD-…`); the alternate form
/// `{:#}` writes it ungrouped. `Debug` does not show it.
///
/// ```
/// # fn main() -> Result<(), twostep::backup::ConfigError> {
/// # use rand_core::SeedableRng;
/// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
/// let (codes, _) = twostep::backup::CodeSet::generate(&twostep::backup::Policy::DEFAULT, &mut rng)?;
/// let code = codes.get(0).unwrap();
/// assert_eq!(format!("{code}").replace('-', ""), format!("{code:#}"));
/// assert_eq!(format!("{code:?}"), "ShownCode(..)");
/// # Ok(()) }
/// ```
#[derive(Clone, Copy)]
pub struct ShownCode<'a> {
    symbols: &'a [u8],
}

impl fmt::Display for ShownCode<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &s) in self.symbols.iter().enumerate() {
            if i > 0 && i % 4 == 0 && !f.alternate() {
                f.write_char('-')?;
            }
            f.write_char(char::from(s))?;
        }
        Ok(())
    }
}

impl fmt::Debug for ShownCode<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ShownCode(..)")
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use crate::backup::{CodeSet, ConfigError, Policy};
    use rand_core::SeedableRng;
    use std::{
        string::{String, ToString},
        vec::Vec,
    };

    fn rng() -> rand_chacha::ChaCha20Rng {
        rand_chacha::ChaCha20Rng::seed_from_u64(4)
    }

    #[test]
    fn broken_rng_is_an_error_not_a_hang() {
        struct Stuck;
        impl rand_core::TryRng for Stuck {
            type Error = core::convert::Infallible;
            fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
                Ok(0)
            }
            fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
                Ok(0)
            }
            fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
                dst.fill(0);
                Ok(())
            }
        }
        impl rand_core::TryCryptoRng for Stuck {}
        let one = Policy::DEFAULT.with_count(1).unwrap();
        assert!(CodeSet::generate(&one, &mut Stuck).is_ok());
        let two = Policy::DEFAULT.with_count(2).unwrap();
        assert_eq!(
            CodeSet::generate(&two, &mut Stuck).err(),
            Some(ConfigError::RandomSource)
        );
    }

    #[test]
    fn duplicate_draws_are_redrawn() {
        // Repeats each 24-byte draw once: every second draw duplicates the
        // previous code and must be replaced by a fresh one.
        struct Twice(rand_chacha::ChaCha20Rng, Vec<u8>, bool);
        impl rand_core::TryRng for Twice {
            type Error = core::convert::Infallible;
            fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
                Ok(rand_core::Rng::next_u32(&mut self.0))
            }
            fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
                Ok(rand_core::Rng::next_u64(&mut self.0))
            }
            fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
                if dst.len() == 24 && self.2 {
                    dst.copy_from_slice(&self.1);
                } else {
                    rand_core::Rng::fill_bytes(&mut self.0, dst);
                    self.1 = dst.to_vec();
                }
                self.2 = !self.2 && dst.len() == 24;
                Ok(())
            }
        }
        impl rand_core::TryCryptoRng for Twice {}
        let mut rng = Twice(rng(), Vec::new(), false);
        let policy = Policy::DEFAULT.with_count(5).unwrap();
        let (codes, set) = CodeSet::generate(&policy, &mut rng).unwrap();
        let all: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
        for (i, c) in all.iter().enumerate() {
            assert!(!all[..i].contains(c));
        }
        assert_eq!(set.slot_count(), 5);
    }
}
