//! [`Code`]: a one-time code, parsed from what a person typed.

use core::fmt;

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use thiserror::Error;

use super::params::Digits;

/// Why typed input is not a code. Carries lengths and positions, never the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum CodeError {
    /// More than [`Code::MAX_INPUT`] bytes of input.
    #[error("input of {len} bytes exceeds the limit of {max}")]
    TooLong {
        /// The input length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// A byte that is neither an ASCII digit nor a separator between digits.
    #[error("unexpected character at byte {position}")]
    InvalidCharacter {
        /// Byte offset of the first offending byte.
        position: usize,
    },
    /// The wrong number of digits (zero included).
    #[error("expected {expected} digits, found {found}")]
    WrongLength {
        /// The configured digit count.
        expected: u32,
        /// The number of digits found.
        found: usize,
    },
}

/// A one-time code: a value below `10^digits` and its digit count.
///
/// Fixed-size and allocation-free. `Display` zero-pads to the digit count;
/// `Debug` does not show the value (a live code is a credential). Equality
/// is constant time.
///
/// ```
/// # fn main() -> Result<(), twostep::otp::CodeError> {
/// use twostep::Code;
/// use twostep::otp::Digits;
/// let c = Code::parse("012 345", Digits::SIX)?;
/// assert_eq!(c.to_string(), "012345");
/// assert_eq!(c, Code::parse("012-345", Digits::SIX)?);
/// assert!(Code::parse("12345a", Digits::SIX).is_err());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy)]
pub struct Code {
    value: u64,
    digits: Digits,
}

impl Code {
    /// The longest input accepted, in bytes.
    pub const MAX_INPUT: usize = 64;

    /// Parses typed input: exactly `digits` ASCII digits, with ASCII spaces and
    /// hyphens allowed between digits (`"123 456"`, `"123-456"`).
    ///
    /// # Errors
    ///
    /// [`CodeError::TooLong`] over 64 bytes, [`CodeError::InvalidCharacter`] for
    /// anything else (letters, `+`, non-ASCII digits, a leading or trailing
    /// separator) and [`CodeError::WrongLength`] for the wrong digit count.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::otp::CodeError> {
    /// use twostep::Code;
    /// use twostep::otp::Digits;
    /// assert_eq!(Code::parse("1234 5678", Digits::EIGHT)?.to_string(), "12345678");
    /// assert!(Code::parse(" 123456", Digits::SIX).is_err());
    /// # Ok(()) }
    /// ```
    pub fn parse(input: &str, digits: Digits) -> Result<Self, CodeError> {
        let bytes = input.as_bytes();
        if bytes.len() > Self::MAX_INPUT {
            return Err(CodeError::TooLong {
                len: bytes.len(),
                max: Self::MAX_INPUT,
            });
        }
        // One pass with no branch or index on the typed bytes (they are the
        // secret half of a comparison): each byte is classified by arithmetic
        // and folded into masks; only the verdict (well formed or not, a
        // public outcome) is branched on, once.
        let mut value: u64 = 0;
        let mut found: u64 = 0;
        let mut bad = Choice::from(0);
        let mut first_bad: u64 = 0;
        let mut pending = Choice::from(0);
        let mut first_pending: u64 = 0;
        for (position, &b) in (0u64..).zip(bytes) {
            let d = b.wrapping_sub(b'0');
            let is_digit = Choice::from(below_ten(d));
            let after_digit = !found.ct_eq(&0);
            let is_sep = (b.ct_eq(&b' ') | b.ct_eq(&b'-')) & after_digit;
            let wrong = !(is_digit | is_sep);
            first_bad.conditional_assign(&position, wrong & !bad);
            bad |= wrong;
            first_pending.conditional_assign(&position, is_sep & !pending);
            pending = (pending | is_sep) & !is_digit;
            // At most 64 digits: the value wraps only for inputs that then
            // fail the digit count, so wrapping arithmetic loses nothing.
            let next = value.wrapping_mul(10).wrapping_add(u64::from(d));
            value = u64::conditional_select(&value, &next, is_digit);
            found = found.wrapping_add(u64::from(is_digit.unwrap_u8()));
        }
        let expected = digits.get();
        let right_length = found.ct_eq(&u64::from(expected));
        let well_formed = !bad & !pending & right_length;
        if !bool::from(well_formed) {
            return Err(Self::malformed(
                [bad, pending],
                [first_bad, first_pending],
                expected,
                found,
            ));
        }
        // Exactly `digits` <= 10 digits: below 10^10, so nothing wrapped.
        Ok(Self { value, digits })
    }

    /// Why input that [`Code::parse`] refused is not a code: the first
    /// character that cannot stand where it is, else a trailing separator,
    /// else the digit count.
    fn malformed(
        [bad, pending]: [Choice; 2],
        [first_bad, first_pending]: [u64; 2],
        expected: u32,
        found: u64,
    ) -> CodeError {
        let position = |p: u64| usize::try_from(p).unwrap_or(usize::MAX);
        if bool::from(bad) {
            CodeError::InvalidCharacter {
                position: position(first_bad),
            }
        } else if bool::from(pending) {
            CodeError::InvalidCharacter {
                position: position(first_pending),
            }
        } else {
            CodeError::WrongLength {
                expected,
                found: position(found),
            }
        }
    }

    /// A code from its numeric value.
    ///
    /// Returns `None` if `value >= 10^digits`.
    ///
    /// ```
    /// use twostep::Code;
    /// use twostep::otp::Digits;
    /// assert_eq!(Code::from_value(42, Digits::SIX).map(|c| c.to_string()), Some("000042".into()));
    /// assert!(Code::from_value(1_000_000, Digits::SIX).is_none());
    /// ```
    #[must_use]
    pub fn from_value(value: u64, digits: Digits) -> Option<Self> {
        (value < digits.modulus()).then_some(Self { value, digits })
    }

    /// Builds a code from a truncated HMAC value (31 bits) — RFC 4226 §5.3 step 3.
    ///
    /// Constant time in `truncated` (secret-derived): each arm divides by a
    /// constant, which compiles to multiply-and-shift. A remainder by the
    /// run-time modulus compiles to a `div` (operand-dependent latency) behind
    /// a `truncated < modulus` branch that skips it, which the valgrind check
    /// (`scripts/ct_check.sh`) flags. The match is on the public digit count.
    pub(crate) fn from_truncated(truncated: u32, digits: Digits) -> Self {
        let value = match digits.get() {
            6 => truncated.wrapping_rem(1_000_000),
            7 => truncated.wrapping_rem(10_000_000),
            8 => truncated.wrapping_rem(100_000_000),
            9 => truncated.wrapping_rem(1_000_000_000),
            // 10 digits: 10^10 exceeds any 31-bit value, which is its own code.
            _ => truncated,
        };
        Self {
            value: u64::from(value),
            digits,
        }
    }

    /// The numeric value.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::otp::CodeError> {
    /// assert_eq!(twostep::Code::parse("000042", twostep::otp::Digits::SIX)?.value(), 42);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn value(&self) -> u64 {
        self.value
    }

    /// The digit count.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::otp::CodeError> {
    /// assert_eq!(twostep::Code::parse("000042", twostep::otp::Digits::SIX)?.digits().get(), 6);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn digits(&self) -> Digits {
        self.digits
    }
}

impl ConstantTimeEq for Code {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.value.ct_eq(&other.value) & self.digits.get().ct_eq(&other.digits.get())
    }
}

impl PartialEq for Code {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for Code {}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:0width$}",
            self.value,
            width = self.digits.get() as usize
        )
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Code")
            .field("digits", &self.digits.get())
            .finish_non_exhaustive()
    }
}

/// 1 if `d < 10`, else 0, by arithmetic (no comparison the compiler could
/// turn into a branch).
const fn below_ten(d: u8) -> u8 {
    // The shifted value is 0 or 1, so the cast keeps it whole.
    ((d as u16).wrapping_sub(10) >> 15) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_truncated_is_the_remainder_for_every_digit_count() {
        let samples = [
            0u32,
            1,
            999_999,
            1_000_000,
            1_000_001,
            99_999_999,
            100_000_000,
            999_999_999,
            1_000_000_000,
            0x7fff_ffff,
        ];
        for d in 6..=10u32 {
            let digits = Digits::new(d).unwrap();
            let m = 10u64.pow(d);
            let strided = (0..0x7fff_ffffu32).step_by(65_537);
            for t in samples.into_iter().chain(strided) {
                let got = Code::from_truncated(t, digits);
                assert_eq!(got.value(), u64::from(t) % m, "t={t} digits={d}");
                assert_eq!(got.digits(), digits);
            }
        }
    }
}
