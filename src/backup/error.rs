//! Errors of backup codes: [`ConfigError`] for a policy or a call that does
//! not fit the set, [`ParseError`] for a storage string that is not one.

use core::fmt;

use thiserror::Error;

use super::{CodeSet, Policy};

/// A backup-code policy out of bounds, or a generation or redemption that
/// does not fit its configuration. Payloads carry the counts and lengths
/// given, never codes, digests or peppers.
///
/// ```
/// use twostep::backup::{ConfigError, Policy};
/// let err = Policy::DEFAULT.with_count(21).unwrap_err();
/// assert_eq!(err, ConfigError::Count { count: 21 });
/// assert_eq!(err.to_string(), "backup code count must be between 1 and 20, got 21");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A code count outside [`Policy::MIN_COUNT`]`..=`[`Policy::MAX_COUNT`].
    #[error(
        "backup code count must be between {} and {}, got {count}",
        Policy::MIN_COUNT,
        Policy::MAX_COUNT
    )]
    Count {
        /// The count given.
        count: usize,
    },
    /// A code length outside [`Policy::MIN_LENGTH`]`..=`[`Policy::MAX_LENGTH`]
    /// symbols.
    #[error(
        "backup code length must be between {} and {} symbols, got {symbols}",
        Policy::MIN_LENGTH,
        Policy::MAX_LENGTH
    )]
    Length {
        /// The length given, in symbols.
        symbols: usize,
    },
    /// A renewal threshold above [`Policy::MAX_COUNT`].
    #[error(
        "renewal threshold must be at most {}, got {threshold}",
        Policy::MAX_COUNT
    )]
    RenewalThreshold {
        /// The threshold given.
        threshold: usize,
    },
    /// A PBKDF2 iteration count outside
    /// [`Policy::MIN_ITERATIONS`]`..=`[`Policy::MAX_ITERATIONS`].
    #[error(
        "pbkdf2 iterations must be between {} and {}, got {iterations}",
        Policy::MIN_ITERATIONS,
        Policy::MAX_ITERATIONS
    )]
    Iterations {
        /// The count given.
        iterations: u32,
    },
    /// A pepper shorter than [`Policy::MIN_PEPPER_LEN`] or longer than
    /// [`Policy::MAX_PEPPER_LEN`] bytes.
    #[error(
        "pepper must be {} to {} bytes, got {len}",
        Policy::MIN_PEPPER_LEN,
        Policy::MAX_PEPPER_LEN
    )]
    PepperLength {
        /// The pepper's length in bytes.
        len: usize,
    },
    /// The set was hashed with a pepper and the policy has none, or the
    /// other way round: a configuration error, not a wrong code.
    #[error("backup-code set and policy disagree on the pepper (set has one: {set_has_pepper})")]
    PepperMismatch {
        /// Whether the stored set was hashed with a pepper.
        set_has_pepper: bool,
    },
    /// The random source failed (the OS source of
    /// [`CodeSet::generate_os`]), or kept producing codes already in the set
    /// (it is broken: with a working CSPRNG this does not happen).
    #[error("the random source failed or repeated itself while generating backup codes")]
    RandomSource,
}

/// A string that is not a backup-code storage string ([`CodeSet`]'s
/// `FromStr`).
///
/// Opaque: `Display` names the first malformed part precisely (with a slot
/// index or a length where that helps), and the detail may change between
/// versions without breaking callers. Never shows the input.
///
/// ```
/// use twostep::backup::{CodeSet, ParseError};
/// let err: ParseError = "$twostep-bc$v=9$".parse::<CodeSet>().unwrap_err();
/// assert_eq!(err.to_string(), "unsupported backup-code storage format version");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParseError {
    kind: ParseKind,
}

/// What was wrong, for [`ParseError`]'s `Display`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum ParseKind {
    /// Longer than [`CodeSet::MAX_STORAGE_LEN`].
    TooLong { len: usize },
    /// Not starting with `$twostep-bc$`.
    Prefix,
    /// A `v=` this version does not read.
    Version,
    /// Segments missing, extra, out of order or without their labels.
    Structure,
    /// A missing, extra, misspelt or non-canonical parameter.
    Parameters,
    /// An algorithm other than `hmac-sha256` and `pbkdf2-sha256`.
    Algorithm,
    /// A PBKDF2 cost out of bounds.
    Iterations { iterations: u64 },
    /// A code length out of bounds.
    Length { symbols: u64 },
    /// The algorithm is not the one for the code length.
    AlgorithmMismatch { symbols: usize },
    /// Not canonical unpadded base64 of 16 bytes.
    Salt,
    /// Not a canonical decimal of at least 1.
    Generation,
    /// A slot count out of bounds.
    Count { count: usize },
    /// A slot that is not a canonical digest.
    Digest { slot: usize },
    /// A slot repeating an earlier one.
    DuplicateDigest { slot: usize },
    /// More used slots than the generation allows.
    Inconsistent { used: usize, generation: u64 },
}

impl From<ParseKind> for ParseError {
    fn from(kind: ParseKind) -> Self {
        Self { kind }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ParseKind::TooLong { len } => write!(
                f,
                "storage string of {len} bytes exceeds the limit of {}",
                CodeSet::MAX_STORAGE_LEN
            ),
            ParseKind::Prefix => f.write_str("not a twostep backup-code storage string"),
            ParseKind::Version => f.write_str("unsupported backup-code storage format version"),
            ParseKind::Structure => f.write_str("malformed backup-code storage string structure"),
            ParseKind::Parameters => f.write_str("malformed backup-code parameters"),
            ParseKind::Algorithm => f.write_str("unknown backup-code hash algorithm"),
            ParseKind::Iterations { iterations } => write!(
                f,
                "pbkdf2 iterations must be between {} and {}, got {iterations}",
                Policy::MIN_ITERATIONS,
                Policy::MAX_ITERATIONS
            ),
            ParseKind::Length { symbols } => write!(
                f,
                "backup code length must be between {} and {} symbols, got {symbols}",
                Policy::MIN_LENGTH,
                Policy::MAX_LENGTH
            ),
            ParseKind::AlgorithmMismatch { symbols } => write!(
                f,
                "hash algorithm does not match the code length of {symbols} symbols"
            ),
            ParseKind::Salt => f.write_str("malformed backup-code salt"),
            ParseKind::Generation => f.write_str("malformed backup-code generation"),
            ParseKind::Count { count } => write!(
                f,
                "backup code count must be between {} and {}, got {count}",
                Policy::MIN_COUNT,
                Policy::MAX_COUNT
            ),
            ParseKind::Digest { slot } => write!(f, "malformed digest in slot {slot}"),
            ParseKind::DuplicateDigest { slot } => {
                write!(f, "slot {slot} repeats an earlier digest")
            }
            ParseKind::Inconsistent { used, generation } => write!(
                f,
                "{used} used slots exceed what generation {generation} allows"
            ),
        }
    }
}

impl fmt::Debug for ParseError {
    /// `ParseError("…")`, with the `Display` text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ParseError(\"")?;
        fmt::Display::fmt(self, f)?;
        f.write_str("\")")
    }
}

impl core::error::Error for ParseError {}
