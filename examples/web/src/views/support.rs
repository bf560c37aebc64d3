//! The support desk page.

use maud::{Markup, html};
use twostep::UnixTime;
use twostep::delivered::Status;

use super::layout::{csrf, page as frame, time};
use crate::db::{AuditEntry, User};
use twostep::account::Account;

/// What the desk knows about the user looked up.
pub struct Facts {
    pub user: User,
    pub account: Account,
    pub locked: bool,
    pub throttled_until: Option<UnixTime>,
    /// The delivery diagnostic for "I don't get the code": for support, for the person.
    pub delivery: Option<(String, String)>,
    /// The same for "I got a code I did not ask for".
    pub unasked: Option<(String, String)>,
    pub audit: Vec<AuditEntry>,
    pub result: Option<String>,
}

pub fn page(token: &str, operator: &str, email: Option<&str>, facts: Option<&Facts>) -> Markup {
    frame(
        "Support desk",
        Some(operator),
        html! {
            form method="get" action="/support" {
                label for="lookup" { "Look up a user by e-mail" }
                input #lookup type="email" name="email" value=[email];
                " " button #find type="submit" { "Look up" }
            }
            @if let (Some(e), None) = (email, facts) { p.error { "No account for " (e) "." } }
            @if let Some(f) = facts { (user(token, f)) }
        },
    )
}

fn user(token: &str, f: &Facts) -> Markup {
    let a = &f.account;
    let g = a.guard();
    html! {
        @if let Some(r) = &f.result { pre.note #result { (r) } }
        h2 { (f.user.email) }
        table #facts {
            tr { th { "Authenticator app" } td { @if a.totp().is_some() { "enrolled" } @else { "none" } } }
            tr { th { "Phone" } td { @match a.phone() { Some(p) => { "ending " (p.hint().as_str()) }, None => "none" } } }
            tr { th { "Backup codes" } td { @match a.backup_codes() { Some(s) => { (s.remaining()) " left" }, None => "none" } } }
            tr { th { "Failed attempts" } td #failures { (g.failures()) } }
            tr { th { "Sign-in" } td #lock {
                @if f.locked { "locked" }
                @else if let Some(t) = f.throttled_until { "paused until " (time(t)) }
                @else { "open" }
            } }
            tr { th { "Learned clock drift" } td { (g.drift()) " time steps" } }
        }
        h3 { "Delivery log" }
        @if a.delivered().log().next().is_none() { p.muted { "No message sent." } }
        @else {
            table #delivery-log {
                tr { th { "Sent" } th { "Why" } th { "To" } th { "Provider id" } th { "Status" } }
                @for e in a.delivered().log().rev() {
                    tr {
                        td { (time(e.at())) }
                        td { (format!("{:?}", e.reason())) }
                        td { @if let Some(h) = e.hint() { (h.as_str()) } }
                        td.mono { @if let Some(p) = e.provider_id() { (p.as_str()) } }
                        td.status { (status(e.status())) @if let Some(t) = e.status_at() { " at " (time(t)) } }
                    }
                }
            }
        }
        @if let Some((support, person)) = &f.delivery {
            h3 { "Delivery diagnostic (\"I don't get the code\")" }
            pre.note #delivery-support { (support) }
            p { "Tell the person: " q #delivery-user { (person) } }
        }
        @if let Some((support, person)) = &f.unasked {
            details {
                summary { "\"I got a code I did not ask for\"" }
                pre.note #unasked-support { (support) }
                p { "Tell the person: " q #unasked-user { (person) } }
            }
        }
        h3 { "Time-sync diagnostic" }
        p { "Ask the person to read out the code their app shows, then the next one. The first is taken as read " i { "gap" } " seconds before the second." }
        form method="post" action="/support/timesync" {
            (csrf(token))
            input type="hidden" name="email" value=(f.user.email);
            label for="code1" { "First code" } input #code1 type="text" name="code1" required inputmode="numeric";
            label for="code2" { "Second code" } input #code2 type="text" name="code2" required inputmode="numeric";
            label for="gap" { "Seconds between them" } input #gap type="number" name="gap" value="30" min="0" max="600";
            p { button #diagnose type="submit" { "Diagnose" } }
        }
        h3 { "Reset the lock" }
        form method="post" action="/support/unlock" {
            (csrf(token))
            input type="hidden" name="email" value=(f.user.email);
            label { input #identity type="checkbox" name="identity_checked" value="1"; " I checked the person's identity (for example a call back to the number on file and a question only they can answer)" }
            p { button #unlock.danger type="submit" { "Reset the lock" } }
        }
        h3 { "Audit log" }
        table #audit { @for e in &f.audit { tr { td { (time(e.at)) } td { (e.actor) } td { (e.event) } } } }
    }
}

fn status(s: Status) -> String {
    match s {
        Status::Delivered => "delivered".into(),
        Status::Failed(f) | Status::Undelivered(f) => format!(
            "failed ({:?}{})",
            f.kind(),
            f.provider_code()
                .map(|c| format!(", code {c}"))
                .unwrap_or_default()
        ),
        other => format!("{other:?}").to_lowercase(),
    }
}
