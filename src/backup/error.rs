//! Errors of backup-code policies, stored sets and redemptions.

use thiserror::Error;

#[cfg(doc)]
use super::{CodeSet, Policy};

/// A problem with a backup-code policy, a stored set, or a redemption's
/// configuration. Payloads carry counts and positions only, never codes,
/// digests, peppers or the stored text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum BackupError {
    /// A code count (in a policy, or slots in a stored set) outside
    /// [`Policy::MIN_COUNT`]`..=`[`Policy::MAX_COUNT`].
    #[error("backup code count must be between {min} and {max}, got {count}")]
    Count {
        /// The count given or found.
        count: usize,
        /// The smallest count allowed.
        min: usize,
        /// The largest count allowed.
        max: usize,
    },
    /// A code length outside
    /// [`Policy::MIN_LENGTH`]`..=`[`Policy::MAX_LENGTH`] symbols.
    #[error("backup code length must be between {min} and {max} symbols, got {symbols}")]
    Length {
        /// The length given or found, in symbols.
        symbols: usize,
        /// The smallest length allowed.
        min: usize,
        /// The largest length allowed.
        max: usize,
    },
    /// A renewal threshold above [`Policy::MAX_COUNT`].
    #[error("renewal threshold must be at most {max}, got {threshold}")]
    RenewalThreshold {
        /// The threshold given.
        threshold: usize,
        /// The largest threshold allowed.
        max: usize,
    },
    /// A PBKDF2 iteration count outside
    /// [`Policy::MIN_ITERATIONS`]`..=`[`Policy::MAX_ITERATIONS`].
    #[error("pbkdf2 iterations must be between {min} and {max}, got {iterations}")]
    Iterations {
        /// The count given or found.
        iterations: u64,
        /// The smallest count allowed.
        min: u32,
        /// The largest count allowed.
        max: u32,
    },
    /// A pepper shorter than [`Policy::MIN_PEPPER_LEN`] or longer than
    /// [`Policy::MAX_PEPPER_LEN`] bytes.
    #[error("pepper must be {min} to {max} bytes, got {len}")]
    PepperLength {
        /// The pepper's length in bytes.
        len: usize,
        /// The shortest pepper allowed.
        min: usize,
        /// The longest pepper allowed.
        max: usize,
    },
    /// The set was hashed with a pepper and the policy has none, or the
    /// other way round: a configuration error, not a wrong code.
    #[error("backup-code set and policy disagree on the pepper (set has one: {set_has_pepper})")]
    PepperMismatch {
        /// Whether the stored set was hashed with a pepper.
        set_has_pepper: bool,
    },
    /// The random source kept producing codes already in the set (it is
    /// broken: with a working CSPRNG this does not happen).
    #[error("the random source repeated itself while generating backup codes")]
    RandomSource,
    /// The storage string is longer than [`CodeSet::MAX_STORAGE_LEN`].
    #[error("storage string of {len} bytes exceeds the limit of {max}")]
    TooLong {
        /// The string's length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// The string does not start with `$twostep-bc$`.
    #[error("not a twostep backup-code storage string")]
    Prefix,
    /// The string's format version (`v=`) is not one this version reads.
    #[error("unsupported backup-code storage format version")]
    Version,
    /// Segments missing, extra, out of order or without their labels.
    #[error("malformed backup-code storage string structure")]
    Structure,
    /// The parameter segment is malformed: a missing, extra, misspelt or
    /// non-canonical parameter.
    #[error("malformed backup-code parameters")]
    Parameters,
    /// An algorithm other than `hmac-sha256` and `pbkdf2-sha256`.
    #[error("unknown backup-code hash algorithm")]
    Algorithm,
    /// The algorithm is not the one for the code length: `hmac-sha256` needs
    /// 23 symbols (112 bits) or more, `pbkdf2-sha256` is for fewer.
    #[error("hash algorithm does not match the code length of {symbols} symbols")]
    AlgorithmMismatch {
        /// The code length found, in symbols.
        symbols: usize,
    },
    /// The salt is not canonical unpadded base64 of 16 bytes.
    #[error("malformed backup-code salt")]
    Salt,
    /// The generation is not a canonical decimal integer of at least 1.
    #[error("malformed backup-code generation")]
    Generation,
    /// A slot is not canonical unpadded base64 of a 32-byte digest, with an
    /// optional leading `-` for a used slot.
    #[error("malformed digest in slot {slot}")]
    Digest {
        /// The slot's index (0-based).
        slot: usize,
    },
    /// Two slots hold the same digest.
    #[error("slot {slot} repeats an earlier digest")]
    DuplicateDigest {
        /// The index (0-based) of the later slot.
        slot: usize,
    },
    /// More slots are used than redemptions the generation counts.
    #[error("{used} used slots exceed what generation {generation} allows")]
    Inconsistent {
        /// The number of used slots.
        used: usize,
        /// The generation found.
        generation: u64,
    },
}
