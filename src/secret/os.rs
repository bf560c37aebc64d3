//! The operating system's random source (feature `getrandom`) as an
//! infallible generator whose failure is reported afterwards: the one
//! adapter behind every `*_os` function of the crate.

use core::convert::Infallible;

use rand_core::{TryCryptoRng, TryRng};

/// Fills from `getrandom`; on a failure it writes zeros and remembers, so
/// that [`with_os_rng`] discards whatever was generated.
#[derive(Debug)]
pub(crate) struct OsRng {
    failed: bool,
}

impl TryRng for OsRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        if getrandom::fill(dst).is_err() {
            dst.fill(0);
            self.failed = true;
        }
        Ok(())
    }
}

impl TryCryptoRng for OsRng {}

/// The OS source failed while a `*_os` function drew from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OsRandomFailed;

/// Runs `f` on the OS source; its result only if the source never failed
/// (a result built from the zeros of a failed fill is dropped here).
pub(crate) fn with_os_rng<T>(f: impl FnOnce(&mut OsRng) -> T) -> Result<T, OsRandomFailed> {
    let mut rng = OsRng { failed: false };
    let result = f(&mut rng);
    if rng.failed {
        return Err(OsRandomFailed);
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use rand_core::Rng;

    use super::*;

    #[test]
    fn draws_differ_and_report_success() {
        let (a, b) = with_os_rng(|r| (r.next_u64(), r.next_u64())).unwrap();
        // Two equal 64-bit draws from a working source: about 2^-64.
        assert_ne!(a, b);
    }

    #[test]
    fn a_recorded_failure_discards_the_result() {
        let out = with_os_rng(|r| {
            r.failed = true;
            1
        });
        assert_eq!(out, Err(OsRandomFailed));
    }
}
