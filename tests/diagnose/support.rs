//! What the diagnostic tests vary, gathered in one value: the guard's
//! window and drift bound, the user's learned drift and last accepted step
//! (as a stored guard state), and the diagnostic's own options.
#![allow(clippy::unwrap_used, dead_code)]

use time::Duration;
use twostep::diagnose::{DiagnoseError, DiagnoseOptions, Diagnosis, Observation};
use twostep::guard::{ConfigError as GuardConfigError, State as GuardState};
use twostep::{Guard, Secret, Totp, Window};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Setup {
    pub(crate) window: Window,
    pub(crate) drift: i64,
    pub(crate) last: Option<u64>,
    pub(crate) bound: u32,
    pub(crate) options: DiagnoseOptions,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            window: Window::DEFAULT,
            drift: 0,
            last: None,
            bound: 20,
            options: DiagnoseOptions::default(),
        }
    }
}

impl Setup {
    pub(crate) fn with_window(self, window: Window) -> Self {
        Self { window, ..self }
    }

    /// The learned drift as stored (the guard clamps it to its bound).
    pub(crate) fn with_drift(self, drift: i64) -> Self {
        Self { drift, ..self }
    }

    pub(crate) fn with_last_accepted_step(self, last: Option<u64>) -> Self {
        Self { last, ..self }
    }

    /// The guard's drift bound, which is also the reach of a resync.
    pub(crate) fn with_resync_bound(self, bound: u32) -> Result<Self, GuardConfigError> {
        Guard::new(Totp::new()).with_max_drift(bound)?;
        Ok(Self { bound, ..self })
    }

    pub(crate) fn with_search_range(self, range: Duration) -> Result<Self, DiagnoseError> {
        let options = self.options.with_search_range(range)?;
        Ok(Self { options, ..self })
    }

    pub(crate) fn with_typing_delay(self, delay: Duration) -> Result<Self, DiagnoseError> {
        let options = self.options.with_typing_delay(delay)?;
        Ok(Self { options, ..self })
    }

    pub(crate) fn guard(&self, totp: Totp) -> Guard {
        Guard::new(totp)
            .with_window(self.window)
            .with_max_drift(self.bound)
            .unwrap()
    }

    /// The stored state; a drift beyond what the text form holds is stored
    /// at its limit (±100 steps).
    pub(crate) fn state(&self) -> GuardState {
        let last = self.last.map_or("-".to_owned(), |s| s.to_string());
        let drift = self.drift.clamp(-100, 100);
        format!("g1.{last}.{drift}.0.-").parse().unwrap()
    }

    pub(crate) fn diagnose(
        &self,
        totp: Totp,
        secret: &Secret,
        obs: &[Observation<'_>],
    ) -> Result<Diagnosis, DiagnoseError> {
        twostep::diagnose(&self.guard(totp), secret, &self.state(), obs, &self.options)
            .map(|(d, _)| d)
    }
}
