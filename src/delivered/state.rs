//! [`State`]: the per-user value that [`issue`](super::issue),
//! [`verify`](super::verify) and the log functions turn into a new one.

use super::key::{FINGERPRINT_LEN, NONCE_LEN};
use super::log::{Entry, LOG_CAPACITY};
use super::policy::{Cap, Policy};
use crate::otp::Digits;
use crate::time::UnixTime;

/// One code: its nonce (the code is derived from it, never stored), the
/// keyed fingerprint of its binding, its life and its checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Challenge {
    pub(crate) no: u32,
    pub(crate) nonce: [u8; NONCE_LEN],
    pub(crate) fingerprint: [u8; FINGERPRINT_LEN],
    pub(crate) digits: Digits,
    pub(crate) issued_at: UnixTime,
    pub(crate) expires_at: UnixTime,
    pub(crate) checks: u8,
    pub(crate) used: bool,
}

/// Per-user state of delivered codes: the current code's challenge, the one
/// it replaced (to recognise a superseded code), and the delivery log of
/// the last ten sends.
///
/// No code is stored: only a random nonce per code, from which the code is
/// derived with the server-held [`Key`](super::Key). The state is a plain
/// value without heap allocation; every operation returns a new one.
///
/// # Storing it
///
/// Keep it in one column per user (or per user and purpose), as text
/// ([`Display`](core::fmt::Display) / [`FromStr`](core::str::FromStr)) or,
/// with the `serde` feature, as the same string through serde. Write every
/// new state with compare-and-swap (`UPDATE … SET state = ?new WHERE user =
/// ? AND state = ?old`), retrying the whole call on a conflict, exactly as
/// for the guard state: then two concurrent checks cannot both use one
/// code, and two concurrent resends cannot both pass the caps.
///
/// # Text form (stable)
///
/// `d1;<current>;<previous>;<next message>.<next code>[;<entry>]…`, at most
/// [`State::MAX_LEN`] bytes. A challenge is `-` or
/// `<no>,<nonce>,<fingerprint>,<digits>,<issued>,<expires>,<checks>,<l|u>`
/// (hex in lowercase, 32 digits each; `u` once used). An entry is
/// `<id>,<at>,<s|v|e>,<l|r|a|p|c>,<code no>,<hint>,<provider id>,<status>,<failure>,<status at>`
/// with an empty hint or provider id when unknown, status one of `r q s d f
/// u` (requested, queued, sent, delivered, failed, undelivered), failure `-`
/// or `n`/`b`/`i`/`o` (unreachable, blocked, invalid number, other) with the
/// provider's code, and `-` for no status time. Decimals are canonical, so
/// text → state → text reproduces the text exactly. `d1` strings will parse
/// in every later version; a new layout would get a new tag.
///
/// ```
/// # fn main() -> Result<(), twostep::delivered::StateError> {
/// use twostep::delivered::State;
/// assert_eq!(State::new().to_string(), "d1;-;-;0.0");
/// let text = "d1;-;-;1.1;0,1795780800,s,l,0,42,SM1,u,n30003,1795780830";
/// assert_eq!(text.parse::<State>()?.to_string(), text);
/// assert!("d1;-;-;01.0".parse::<State>().is_err()); // not canonical
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct State {
    pub(crate) current: Option<Challenge>,
    pub(crate) previous: Option<Challenge>,
    pub(crate) next_message: u32,
    pub(crate) next_code: u32,
    /// Sends ordered by id, filled from the front.
    pub(crate) log: [Option<Entry>; LOG_CAPACITY],
}

impl State {
    /// The longest text form accepted, in bytes.
    pub const MAX_LEN: usize = 2560;

    /// A state with no code and an empty log.
    ///
    /// ```
    /// assert_eq!(twostep::delivered::State::new().log().count(), 0);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The sends in the log, oldest first (the last ten).
    ///
    /// ```
    /// assert!(twostep::delivered::State::new().log().next().is_none());
    /// ```
    #[must_use = "an iterator does nothing unless consumed"]
    pub fn log(&self) -> impl DoubleEndedIterator<Item = &Entry> + '_ {
        self.log.iter().flatten()
    }

    /// The most recent send.
    ///
    /// ```
    /// assert!(twostep::delivered::State::new().latest().is_none());
    /// ```
    #[must_use]
    pub fn latest(&self) -> Option<&Entry> {
        self.log().next_back()
    }

    /// When the current code expires, if a code was issued and not used.
    ///
    /// ```
    /// assert_eq!(twostep::delivered::State::new().code_expires_at(), None);
    /// ```
    #[must_use]
    pub fn code_expires_at(&self) -> Option<UnixTime> {
        self.current.filter(|c| !c.used).map(|c| c.expires_at)
    }

    /// Checks made against the current code.
    ///
    /// ```
    /// assert_eq!(twostep::delivered::State::new().checks(), 0);
    /// ```
    #[must_use]
    pub fn checks(&self) -> u32 {
        self.current.map_or(0, |c| u32::from(c.checks))
    }

    /// The earliest instant at which [`issue`](super::issue) sends again
    /// under `policy` (the epoch if it may send now), and the limit that
    /// decides it. Show it on the page as "send again in 20 s".
    ///
    /// ```
    /// use twostep::delivered::{Policy, State};
    /// assert_eq!(State::new().next_send_at(&Policy::DEFAULT).0, twostep::UnixTime::EPOCH);
    /// ```
    #[must_use]
    pub fn next_send_at(&self, policy: &Policy) -> (UnixTime, Option<Limit>) {
        let mut at: [u64; LOG_CAPACITY] = [0; LOG_CAPACITY];
        let mut n = 0usize;
        for (slot, e) in at.iter_mut().zip(self.log()) {
            *slot = e.at.as_secs();
            n = n.saturating_add(1);
        }
        let times = at.get_mut(..n).unwrap_or_default();
        times.sort_unstable_by(|a, b| b.cmp(a)); // newest first
        let mut best = (0u64, None);
        if let Some(&latest) = times.first() {
            let since = latest.saturating_sub(policy.short_cap().window_secs());
            let recent = times.iter().filter(|&&t| t > since).count();
            let doublings = u32::try_from(recent.saturating_sub(1))
                .unwrap_or(u32::MAX)
                .min(16);
            let grown = policy
                .cooldown_secs()
                .saturating_mul(1u64 << doublings)
                .min(Policy::MAX_GROWN_COOLDOWN.whole_seconds().unsigned_abs());
            best = (latest.saturating_add(grown), Some(Limit::Cooldown));
        }
        for (cap, limit) in [
            (policy.short_cap(), Limit::ShortCap),
            (policy.long_cap(), Limit::LongCap),
        ] {
            let t = cap_reopens(times, cap);
            if t > best.0 {
                best = (t, Some(limit));
            }
        }
        (UnixTime::from_secs(best.0), best.1)
    }

    pub(crate) fn entry_mut(&mut self, pick: impl Fn(&Entry) -> bool) -> Option<&mut Entry> {
        self.log.iter_mut().flatten().find(|e| pick(e))
    }

    /// Appends a send, evicting the one sent earliest when the log is full
    /// (so the ten latest send times, which the caps need, are always kept).
    pub(crate) fn push(&mut self, entry: Entry) {
        let full = self.log.iter().all(Option::is_some);
        if full {
            let oldest = self
                .log
                .iter()
                .enumerate()
                .filter_map(|(i, e)| e.map(|e| (e.at, i)))
                .min()
                .map_or(0, |(_, i)| i);
            if let Some(slot) = self.log.get_mut(oldest) {
                *slot = None;
            }
            // Close the gap, keeping the order by id.
            if let Some(tail) = self.log.get_mut(oldest..) {
                tail.rotate_left(1);
            }
        }
        if let Some(slot) = self.log.iter_mut().find(|s| s.is_none()) {
            *slot = Some(entry);
        }
    }
}

/// When a cap lets the next send through: `sends` sends within the window
/// keep it closed until the `sends`-th newest leaves the window.
fn cap_reopens(newest_first: &[u64], cap: Cap) -> u64 {
    let k = usize::try_from(cap.sends()).unwrap_or(usize::MAX);
    newest_first
        .get(k.saturating_sub(1))
        .filter(|_| k >= 1)
        .map_or(0, |&t| t.saturating_add(cap.window_secs()))
}

/// The limit that holds back the next send.
///
/// ```
/// use twostep::delivered::{Limit, Policy, State};
/// let state: State = "d1;-;-;1.1;0,1795780800,s,l,0,,,r,-,-".parse()?;
/// assert_eq!(state.next_send_at(&Policy::DEFAULT).1, Some(Limit::Cooldown));
/// # Ok::<(), twostep::delivered::StateError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum Limit {
    /// The resend cooldown after the latest send.
    Cooldown,
    /// The short send cap.
    ShortCap,
    /// The long send cap.
    LongCap,
}
