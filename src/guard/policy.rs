//! The acceptance rule, written once: which steps a login tries, which of
//! them are fresh, how a drift is clamped and learned, and which resync pairs
//! may be recorded. [`Guard::check`](super::Guard::check) and
//! [`Guard::resync`](super::Guard::resync) decide with it, and the time-sync
//! diagnostic asks it what a login would do, so the two cannot disagree.

use super::{Guard, State};
use crate::otp::{Match, NearestFirst, Window, nearest_first};

/// What a guard accepts for one user, from the guard's settings and the
/// user's stored state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Policy {
    window: Window,
    /// The stored drift as the guard applies it: clamped to `max_drift`.
    drift: i64,
    max_drift: u32,
    last_step: Option<u64>,
}

impl Policy {
    pub(crate) const fn new(guard: &Guard, state: &State) -> Self {
        Self {
            window: guard.window(),
            drift: clamp(state.drift(), guard.max_drift()),
            max_drift: guard.max_drift(),
            last_step: state.last_step(),
        }
    }

    /// The learned drift in steps, clamped to the guard's bound.
    pub(crate) const fn drift(&self) -> i64 {
        self.drift
    }

    /// The largest drift the guard learns or a resync records, in steps.
    pub(crate) const fn max_drift(&self) -> u32 {
        self.max_drift
    }

    /// Whether a code `k` steps from the server's step lies in the window
    /// around the learned drift.
    pub(crate) fn in_learned_window(&self, k: i64) -> bool {
        self.window.contains(k.saturating_sub(self.drift))
    }

    /// Whether a login tries the step `k` steps from the server's step: the
    /// union of the window around the learned drift and, so that a device
    /// whose clock was fixed works again at once, the window around the
    /// server's own step. Spent steps aside.
    pub(crate) fn tries(&self, k: i64) -> bool {
        self.in_learned_window(k) || self.window.contains(k)
    }

    /// The offsets from the server's step that a login tries, each once:
    /// the learned window's, then those of the home window it does not hold
    /// (as [`Policy::steps`], relative to the server's step).
    pub(crate) fn tried_offsets(self) -> impl Iterator<Item = i64> {
        let sides = move || {
            i64::from(self.window.behind()).saturating_neg()..=i64::from(self.window.ahead())
        };
        let learned = sides().map(move |w| w.saturating_add(self.drift));
        let home = sides().filter(move |&k| !self.in_learned_window(k));
        learned.chain(home)
    }

    /// Whether a code `k` steps from the server's step lies below every
    /// window a login tries, so that no later login tries it either: the
    /// server's step only moves forward, and the learned drift changes only
    /// when a login or resync is accepted.
    pub(crate) fn is_past(self, k: i64) -> bool {
        self.tried_offsets().min().is_some_and(|lowest| k < lowest)
    }

    /// The steps a login tries at server step `current`, each once, nearest
    /// first: the learned window, then the steps of the home window it does
    /// not hold. With no drift the home window adds nothing. The steps depend
    /// only on public values (the time and the stored drift).
    pub(crate) fn steps(self, current: u64) -> Steps {
        let (behind, ahead) = (self.window.behind(), self.window.ahead());
        let center = current.saturating_add_signed(self.drift);
        Steps {
            learned: nearest_first(center, behind, ahead),
            // With no drift the home window is the learned one: nothing to add.
            home: if self.drift == 0 {
                NearestFirst::empty()
            } else {
                nearest_first(current, behind, ahead)
            },
            center,
            window: self.window,
        }
    }

    /// Whether `step`, matched at server step `current`, lies in the learned
    /// window (rather than only in the home window).
    pub(crate) fn matched_in_learned(&self, step: u64, current: u64) -> bool {
        self.in_learned_window(Match::new(step, current).offset())
    }

    /// The last accepted step: codes at or below it are spent.
    pub(crate) const fn last_step(&self) -> Option<u64> {
        self.last_step
    }

    /// Whether a code at `step` has not been spent (RFC 6238 §5.2: above the
    /// last accepted step).
    pub(crate) fn is_fresh(&self, step: u64) -> bool {
        self.last_step.is_none_or(|last| step > last)
    }

    /// Whether a resync pair whose later code is at `step` (the earlier at
    /// `step − 1`) is fresh: both codes above the last accepted step.
    pub(crate) fn pair_is_fresh(&self, step: u64) -> bool {
        self.is_fresh(step.saturating_sub(1))
    }

    /// Whether a resync may record an offset of `k` steps.
    pub(crate) const fn resync_reaches(&self, k: i64) -> bool {
        k.unsigned_abs() <= self.max_drift as u64
    }

    /// The drift to store after a login matched at offset `observed` (RFC
    /// 6238 §6): follow a phone that runs further ahead at once, follow one
    /// that falls behind a step at a time, and stay within the bound. A match
    /// only in the home window means the device's clock is right again, so
    /// the drift is learned afresh from zero.
    pub(crate) fn learn(&self, observed: i64, in_learned: bool) -> i8 {
        let drift = if in_learned { self.drift } else { 0 };
        let next = if observed > drift {
            observed
        } else if observed < drift.saturating_sub(1) {
            observed.saturating_add(1)
        } else {
            drift
        };
        self.clamp(next)
    }

    /// `drift` clamped to the guard's bound, as stored.
    pub(crate) fn clamp(&self, drift: i64) -> i8 {
        // |bound| <= 100 fits i8.
        i8::try_from(clamp(drift, self.max_drift)).unwrap_or(0)
    }
}

/// `drift` clamped to `±bound`.
const fn clamp(drift: i64, bound: u32) -> i64 {
    let bound = bound as i64;
    if drift > bound {
        bound
    } else if drift < bound.saturating_neg() {
        bound.saturating_neg()
    } else {
        drift
    }
}

/// The iterator of [`Policy::steps`]: the learned window, then the steps of
/// the home window outside it.
#[derive(Clone, Debug)]
pub(crate) struct Steps {
    learned: NearestFirst,
    home: NearestFirst,
    center: u64,
    window: Window,
}

impl Iterator for Steps {
    type Item = u64;

    #[inline]
    fn next(&mut self) -> Option<u64> {
        if let Some(step) = self.learned.next() {
            return Some(step);
        }
        let (center, window) = (self.center, self.window);
        self.home
            .find(|&step| !window.contains(Match::new(step, center).offset()))
    }
}
