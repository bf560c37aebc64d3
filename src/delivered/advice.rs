//! The words of a [`Diagnosis`]: for the person, for support, and the fix.
//! Built from the verdict and the delivery log only: no code, no nonce.

use alloc::format;
use alloc::string::String;
use core::fmt::Write as _;

use super::diagnose::{Diagnosis, Verdict};
use super::key::Channel;
use super::log::{FailureKind, Reason, Status};
use super::message::words;
use crate::time::Utc;

impl Diagnosis {
    /// Plain words for the person.
    ///
    /// ```
    /// # use twostep::delivered::*;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let binding = Binding::new(Purpose::Login, b"s")?;
    /// let (d, _) = diagnose(&Policy::DEFAULT, &key, &binding, Report::Unasked, AccountThrottle::Open, twostep::UnixTime::from_secs(1), &State::new());
    /// assert!(d.for_user().contains("did not come from us"));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn for_user(&self) -> String {
        let number = self
            .hint()
            .map_or_else(String::new, |h| format!(" ending in {h}"));
        match self.verdict {
            Verdict::RightInTime => "The code you typed is right and was in time. Please try again on the page where you asked for it; if that page was reloaded or opened in another tab, start the login again.".into(),
            Verdict::TypedLate { late_by } => format!("The code was right, but it had expired {} earlier. Request a new code and type it within a few minutes.", words(late_by)),
            Verdict::Expired { .. } => "The code had expired. Request a new code and type it within a few minutes.".into(),
            Verdict::Superseded => "You typed the code of an earlier message: a newer message replaced it. Use the code from the latest message.".into(),
            Verdict::WrongCode { .. } => "That is not the code we sent. Check the latest message and type its code again.".into(),
            Verdict::Malformed => "That is not a code: type the digits from the message only.".into(),
            Verdict::AlreadyUsed => "This code was already used to sign in. If that was not you, change your password now.".into(),
            Verdict::CodeChecksUsed => "This code was tried too many times and no longer works. Request a new code.".into(),
            Verdict::AccountThrottled { .. } => "There were too many wrong codes, so signing in is paused for a while. Try again later, or use one of your backup codes.".into(),
            Verdict::AccountLocked => "There were too many wrong codes, so signing in is locked. Use one of your backup codes, or ask us to unlock your account.".into(),
            Verdict::NoRecentCode { .. } => "We have not sent you a code in the last few minutes. Go back to the sign-in page and request a new code.".into(),
            Verdict::SendFailed { failure } => match failure.kind() {
                FailureKind::InvalidNumber => format!("Your phone company says the number{number} cannot receive texts. Is it the right number?"),
                FailureKind::Blocked => format!("The message to the number{number} was blocked, by your phone company or by a blocking setting on the phone. Check the phone's blocked or filtered senders."),
                _ => format!("The message could not reach the phone{number}. Check that the phone has signal and can receive text messages, restart it, then request a new code. Is the number{number} right?"),
            },
            Verdict::InTransit { .. } => "The message was sent moments ago. Please wait a minute: texts can take a little while.".into(),
            Verdict::Delivered { .. } => format!("Your phone company confirmed the message reached the phone{number}. Look in the phone's messages, including filtered or unknown senders, and check that the right SIM is active."),
            Verdict::NoReceipt { .. } => "The message was sent but your phone company has not confirmed it yet: this is usually a carrier delay. Wait a few minutes, then request one new code (not several: each one replaces the last).".into(),
            Verdict::SendLimit { .. } => "We have sent the most codes allowed for now. Wait until you can request another, or use one of your backup codes.".into(),
            Verdict::AutomaticReverify => "Your sign-in session expired (for example after your browser restarted), so we sent a new code automatically. Nothing to worry about.".into(),
            Verdict::UnexpectedRequest { reason: Reason::PhoneChange } => "Someone tried to change the phone number on your account. If that was not you, change your password now and do not share the code.".into(),
            Verdict::UnexpectedRequest { .. } => "Someone signed in with your password and asked for this code. If that was not you, change your password now, and never share the code with anyone.".into(),
            Verdict::NotFromUs => "We did not send you a code in the last day: that message did not come from us. Do not use or share it.".into(),
        }
    }

    /// The facts for support, in English: the verdict, the latest send and
    /// its status, checks used, the next send. Times are UTC, as
    /// "2026-11-27 12:00:00 UTC". No code or nonce. Every fact here is also
    /// data: [`Diagnosis::verdict`], [`Diagnosis::entry`],
    /// [`Diagnosis::checks`], [`Diagnosis::max_checks`],
    /// [`Diagnosis::next_send_at`] (and serde, feature `serde`), for an
    /// application that writes or translates its own text.
    ///
    /// ```
    /// # use twostep::delivered::*;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let binding = Binding::new(Purpose::Login, b"s")?;
    /// let (d, _) = diagnose(&Policy::DEFAULT, &key, &binding, Report::NotReceived, AccountThrottle::Open, twostep::UnixTime::from_secs(1), &State::new());
    /// assert!(d.for_support().starts_with("verdict: no code sent"));
    /// let state: State = "d1;-;-;1.1;0,1795780800,s,l,0,42,SM1,d,-,1795780803".parse()?;
    /// let (d, _) = diagnose(&Policy::DEFAULT, &key, &binding, Report::NotReceived, AccountThrottle::Open, twostep::UnixTime::from_secs(1_795_780_863), &state);
    /// assert_eq!(
    ///     d.for_support(),
    ///     "verdict: delivered 60 s ago; latest send #0 by sms at 2026-11-27 12:00:00 UTC \
    ///      (login started, to …42, provider id SM1), status delivered at 2026-11-27 12:00:03 UTC; \
    ///      checks of the current code 0/5"
    /// );
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn for_support(&self) -> String {
        let mut out = format!("verdict: {}", verdict_words(self.verdict));
        if let Some(e) = self.entry {
            let _ = write!(
                out,
                "; latest send #{} by {} at {} ({}",
                e.id.get(),
                channel_words(e.channel),
                Utc(e.at),
                reason_words(e.reason)
            );
            if let Some(h) = e.hint {
                let _ = write!(out, ", to …{h}");
            }
            if let Some(p) = e.provider_id {
                let _ = write!(out, ", provider id {p}");
            }
            let _ = write!(out, "), status {}", status_words(e.status));
            if let Some(t) = e.status_at {
                let _ = write!(out, " at {}", Utc(t));
            }
        } else {
            out.push_str("; no send in the log");
        }
        let _ = write!(
            out,
            "; checks of the current code {}/{}",
            self.checks, self.max_checks
        );
        if let Some(t) = self.next_send_at {
            let _ = write!(out, "; next send allowed at {}", Utc(t));
        }
        out
    }

    /// What to do next.
    ///
    /// ```
    /// # use twostep::delivered::*;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let key = Key::from_bytes(&[0x5a; 32])?;
    /// # let binding = Binding::new(Purpose::Login, b"s")?;
    /// let (d, _) = diagnose(&Policy::DEFAULT, &key, &binding, Report::NotReceived, AccountThrottle::Open, twostep::UnixTime::from_secs(1), &State::new());
    /// assert_eq!(d.fix(), "request a new code");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub const fn fix(&self) -> &'static str {
        match self.verdict {
            Verdict::RightInTime => {
                "retry on the original login page; check the login session and account layer"
            }
            Verdict::TypedLate { .. }
            | Verdict::Expired { .. }
            | Verdict::CodeChecksUsed
            | Verdict::NoRecentCode { .. } => "request a new code",
            Verdict::Superseded | Verdict::WrongCode { .. } => {
                "type the code of the latest message"
            }
            Verdict::Malformed => "type the digits only",
            Verdict::AlreadyUsed | Verdict::UnexpectedRequest { .. } => {
                "if it was not them: change the password, review sessions, consider an authenticator app"
            }
            Verdict::AccountThrottled { .. } => {
                "wait until the back-off ends, or sign in with a backup code"
            }
            Verdict::AccountLocked => {
                "sign in with a backup code, or unlock the account after verifying the person"
            }
            Verdict::SendFailed { .. } => {
                "confirm the number and that the phone receives SMS; then request a new code or offer voice"
            }
            Verdict::InTransit { .. } => "wait a minute",
            Verdict::Delivered { .. } => {
                "look in the phone's messages, filtered or blocked senders, the right SIM"
            }
            Verdict::NoReceipt { .. } => "wait a few minutes, then request one new code",
            Verdict::SendLimit { .. } => {
                "wait for the next allowed send, or sign in with a backup code"
            }
            Verdict::AutomaticReverify => "nothing to do",
            Verdict::NotFromUs => "ignore the message; it may be phishing",
        }
    }
}

/// The verdict for support: its name and its facts, durations in seconds,
/// times in UTC.
fn verdict_words(v: Verdict) -> String {
    let secs = |d: crate::time::Duration| d.whole_seconds();
    match v {
        Verdict::RightInTime => "right code, typed in time".into(),
        Verdict::TypedLate { late_by } => format!("typed late by {} s", secs(late_by)),
        Verdict::Expired { ago } => format!(
            "wrong code, and expired {} s before it was typed",
            secs(ago)
        ),
        Verdict::Superseded => "code of an earlier message, replaced by a resend".into(),
        Verdict::WrongCode { checks_left } => format!("wrong code, {checks_left} checks left"),
        Verdict::Malformed => "not a code".into(),
        Verdict::AlreadyUsed => "code already used".into(),
        Verdict::CodeChecksUsed => "code checked too many times".into(),
        Verdict::AccountThrottled { until } => format!("account throttled until {}", Utc(until)),
        Verdict::AccountLocked => "account locked".into(),
        Verdict::NoRecentCode { last_sent: Some(t) } => {
            format!("no recent code (last sent at {})", Utc(t))
        }
        Verdict::NoRecentCode { last_sent: None } => "no code sent".into(),
        Verdict::SendFailed { failure } => {
            let code = failure
                .provider_code()
                .map_or_else(String::new, |c| format!(", provider error {c}"));
            format!("send failed: {}{code}", failure_words(failure.kind()))
        }
        Verdict::InTransit { since } => format!("in transit for {} s", secs(since)),
        Verdict::Delivered { ago } => format!("delivered {} s ago", secs(ago)),
        Verdict::NoReceipt { since } => format!("no delivery receipt after {} s", secs(since)),
        Verdict::SendLimit { next_send_at } => {
            format!("send cap reached until {}", Utc(next_send_at))
        }
        Verdict::AutomaticReverify => "sent automatically for a re-verification".into(),
        Verdict::UnexpectedRequest { reason } => {
            format!(
                "unexpected request ({}): security warning",
                reason_words(reason)
            )
        }
        Verdict::NotFromUs => "no code sent in the last day: not from us".into(),
    }
}

const fn channel_words(c: Channel) -> &'static str {
    match c {
        Channel::Sms => "sms",
        Channel::Voice => "voice",
        Channel::Email => "e-mail",
    }
}

const fn reason_words(r: Reason) -> &'static str {
    match r {
        Reason::LoginStarted => "login started",
        Reason::UserResend => "resend asked",
        Reason::SessionReverify => "automatic re-verification",
        Reason::PhoneChange => "phone change",
        Reason::Recovery => "recovery",
    }
}

const fn failure_words(k: FailureKind) -> &'static str {
    match k {
        FailureKind::Unreachable => "handset unreachable",
        FailureKind::Blocked => "blocked",
        FailureKind::InvalidNumber => "invalid number",
        FailureKind::Other => "other error",
    }
}

const fn status_words(s: Status) -> &'static str {
    match s {
        Status::Requested => "not reported",
        Status::Queued => "queued",
        Status::Sent => "sent",
        Status::Delivered => "delivered",
        Status::Failed(_) => "failed",
        Status::Undelivered(_) => "undelivered",
    }
}
