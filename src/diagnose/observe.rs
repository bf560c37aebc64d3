//! The first step: what the user typed, parsed, each with its server step
//! and the seconds into that step at which it arrived.

use core::fmt;

use super::{DiagnoseError, MAX_OBSERVATIONS};
use crate::otp::{Code, CodeError, Totp};
use crate::time::{TimeError, UnixTime};

/// A code that a user typed and the server time at which it arrived.
///
/// The typed text is parsed when the diagnosis runs, with the digit count of
/// the [`Totp`]; an already parsed [`Code`] works too.
/// `Debug` does not show the code.
///
/// ```
/// use twostep::diagnose::Observation;
/// use twostep::UnixTime;
/// let typed = Observation::new("123 456", UnixTime::from_secs(1_700_000_000));
/// assert_eq!(typed.at().as_secs(), 1_700_000_000);
/// ```
#[derive(Clone, Copy)]
pub struct Observation<'a> {
    input: Typed<'a>,
    at: UnixTime,
}

#[derive(Clone, Copy)]
enum Typed<'a> {
    Text(&'a str),
    Code(Code),
}

impl<'a> Observation<'a> {
    /// `input` as the user typed it (spaces and hyphens between digits are
    /// fine), arriving at server time `at`.
    ///
    /// ```
    /// use twostep::diagnose::Observation;
    /// use twostep::UnixTime;
    /// let o = Observation::new("123-456", UnixTime::from_secs(60));
    /// assert_eq!(o.at(), UnixTime::from_secs(60));
    /// ```
    #[must_use]
    pub const fn new(input: &'a str, at: UnixTime) -> Self {
        Self {
            input: Typed::Text(input),
            at,
        }
    }

    /// An already parsed `code`, arriving at server time `at`.
    ///
    /// ```
    /// # fn main() -> Result<(), twostep::otp::CodeError> {
    /// use twostep::diagnose::Observation;
    /// use twostep::{Code, UnixTime};
    /// use twostep::otp::Digits;
    /// let o = Observation::from_code(Code::parse("123456", Digits::SIX)?, UnixTime::from_secs(60));
    /// assert_eq!(o.at().as_secs(), 60);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn from_code(code: Code, at: UnixTime) -> Observation<'static> {
        Observation {
            input: Typed::Code(code),
            at,
        }
    }

    /// The server time at which the code arrived.
    ///
    /// ```
    /// use twostep::diagnose::Observation;
    /// use twostep::UnixTime;
    /// assert_eq!(Observation::new("1", UnixTime::EPOCH).at(), UnixTime::EPOCH);
    /// ```
    #[must_use]
    pub const fn at(&self) -> UnixTime {
        self.at
    }

    /// The typed input as a code of `totp`'s shape.
    fn parse(&self, totp: &Totp) -> Result<Code, CodeError> {
        let digits = totp.digits();
        match self.input {
            Typed::Text(text) => Code::parse(text, digits),
            Typed::Code(code) if code.digits() == digits => Ok(code),
            Typed::Code(code) => Err(CodeError::WrongLength {
                expected: digits.get(),
                found: code.digits().get() as usize,
            }),
        }
    }
}

impl fmt::Debug for Observation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Observation")
            .field("at", &self.at)
            .finish_non_exhaustive()
    }
}

/// One parsed observation: its code, the server step at its arrival and the
/// seconds into that step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Observed {
    pub(super) code: Code,
    pub(super) step: u64,
    /// `0 <= phase < period`.
    pub(super) phase: i64,
    /// Its position in the slice given.
    pub(super) index: usize,
}

impl Observed {
    /// The order of arrival: server step, then phase, then position.
    pub(super) const fn arrival(&self) -> (u64, i64, usize) {
        (self.step, self.phase, self.index)
    }
}

/// The observations of one diagnosis, in the order given.
#[derive(Clone, Copy, Debug)]
pub(super) struct Observations {
    items: [Observed; MAX_OBSERVATIONS],
    len: usize,
}

impl Observations {
    pub(super) fn as_slice(&self) -> &[Observed] {
        self.items.get(..self.len).unwrap_or(&[])
    }

    /// The latest arrival (the last given among equal times).
    pub(super) fn latest(&self) -> Option<&Observed> {
        self.as_slice().iter().max_by_key(|o| o.arrival())
    }

    /// How many different codes were typed (the same code twice is one).
    pub(super) fn distinct_codes(&self) -> usize {
        let given = self.as_slice();
        given
            .iter()
            .enumerate()
            .filter(|(i, o)| !given.iter().take(*i).any(|p| p.code == o.code))
            .count()
    }
}

/// The parsed observations, or the first one that is not a code.
#[derive(Clone, Copy, Debug)]
#[expect(
    clippy::large_enum_variant,
    reason = "made once per diagnosis on the stack: boxing would allocate"
)]
pub(super) enum Parsed {
    Ready(Observations),
    Malformed {
        observation: usize,
        error: CodeError,
    },
}

/// Checks the count, parses every input and places each arrival in its step.
pub(super) fn observe(
    totp: &Totp,
    observations: &[Observation<'_>],
) -> Result<Parsed, DiagnoseError> {
    let len = observations.len();
    if len == 0 {
        return Err(DiagnoseError::NoObservations);
    }
    if len > MAX_OBSERVATIONS {
        return Err(DiagnoseError::TooManyObservations {
            count: len,
            max: MAX_OBSERVATIONS,
        });
    }
    let filler = Observed {
        code: Code::from_truncated(0, totp.digits()),
        step: 0,
        phase: 0,
        index: 0,
    };
    let mut items = [filler; MAX_OBSERVATIONS];
    // Every input is parsed before any time is placed: a malformed input is
    // reported even when another arrived before T0.
    for (index, (slot, o)) in items.iter_mut().zip(observations).enumerate() {
        match o.parse(totp) {
            Ok(code) => slot.code = code,
            Err(error) => {
                return Ok(Parsed::Malformed {
                    observation: index,
                    error,
                });
            }
        }
    }
    for (index, (slot, o)) in items.iter_mut().zip(observations).enumerate() {
        *slot = place(totp, slot.code, o.at, index)?;
    }
    Ok(Parsed::Ready(Observations { items, len }))
}

/// `code` arriving at `at`: its server step and phase.
fn place(totp: &Totp, code: Code, at: UnixTime, index: usize) -> Result<Observed, TimeError> {
    let step = totp.step_at(at)?;
    let start = totp.step_start(step)?.as_secs();
    // 0 <= at - start < period <= u32::MAX.
    let phase =
        i64::try_from(at.as_secs().saturating_sub(start)).map_err(|_| TimeError::OutOfRange)?;
    Ok(Observed {
        code,
        step,
        phase,
        index,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::Period;

    #[test]
    fn every_input_is_parsed_before_any_time_is_placed() {
        let totp = Totp::new().with_t0(UnixTime::from_secs(100));
        let early = Observation::new("123456", UnixTime::from_secs(5)); // before T0
        let typo = Observation::new("12a456", UnixTime::from_secs(500));
        let parsed = observe(&totp, &[early, typo]);
        assert!(matches!(
            parsed,
            Ok(Parsed::Malformed { observation: 1, .. })
        ));
        assert_eq!(
            observe(&totp, &[early]).err(),
            Some(DiagnoseError::Time(TimeError::BeforeT0))
        );
    }

    #[test]
    fn each_arrival_is_placed_in_its_step_with_its_phase() {
        let totp = Totp::new().with_period(Period::new(60).unwrap_or(Period::DEFAULT));
        let obs = [
            Observation::new("111111", UnixTime::from_secs(6_059)),
            Observation::new("111111", UnixTime::from_secs(6_000)),
            Observation::new("222222", UnixTime::from_secs(30)),
        ];
        let Ok(Parsed::Ready(ready)) = observe(&totp, &obs) else {
            panic!("three codes");
        };
        let placed: Vec<_> = ready
            .as_slice()
            .iter()
            .map(|o| (o.step, o.phase, o.index))
            .collect();
        assert_eq!(placed, [(100, 59, 0), (100, 0, 1), (0, 30, 2)]);
        assert_eq!(ready.distinct_codes(), 2);
    }

    #[test]
    fn the_count_is_checked_first() {
        let totp = Totp::new();
        assert_eq!(
            observe(&totp, &[]).err(),
            Some(DiagnoseError::NoObservations)
        );
        let nine = [Observation::new("x", UnixTime::EPOCH); MAX_OBSERVATIONS + 1];
        assert_eq!(
            observe(&totp, &nine).err(),
            Some(DiagnoseError::TooManyObservations { count: 9, max: 8 })
        );
    }
}
