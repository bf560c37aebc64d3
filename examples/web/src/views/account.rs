//! The account page.

use maud::{Markup, html};
use twostep::backup::Policy;

use super::layout::{button, csrf, page as frame, time};
use twostep::account::Account;

pub struct Page<'a> {
    pub token: &'a str,
    pub email: &'a str,
    pub account: &'a Account,
    pub policy: &'a Policy,
    pub notice: Option<&'a str>,
    pub error: Option<&'a str>,
}

pub fn page(p: &Page<'_>) -> Markup {
    let a = p.account;
    frame(
        "Your account",
        Some(p.email),
        html! {
            @if let Some(n) = p.notice { p.ok #notice { (n) } }
            @if let Some(e) = p.error { p.error #error { (e) } }
            h2 { "Two-step verification" }
            @if !a.is_enabled() {
                p.warn #off { "Two-step verification is off. Turn it on so a stolen password is not enough to sign in." }
            }
            table {
                tr {
                    th { "Authenticator app" }
                    td #totp-status { @if a.totp().is_some() { "On" } @else { "Not set up" } }
                    td { a href="/enrol/totp" { @if a.totp().is_some() { "Replace" } @else { "Set up" } } }
                }
                tr {
                    th { "Text messages" }
                    td #phone-status { @match a.phone() { Some(ph) => { "To the number ending " (ph.hint().as_str()) }, None => "No phone" } }
                    td { a href="/enrol/phone" { @if a.phone().is_some() { "Change number" } @else { "Add a phone" } } }
                }
                tr {
                    th { "Backup codes" }
                    td {
                        @match a.backup_codes() {
                            Some(set) => { span #codes-left { (set.remaining()) } " of " (set.slot_count()) " left" }
                            None => "None yet",
                        }
                    }
                    td { (button(p.token, "/account/backup-codes", "New backup codes", "secondary")) }
                }
            }
            @if a.backup_codes().is_some_and(|s| s.needs_renewal(p.policy)) {
                p.warn #renew { "You are running out of backup codes. Make new ones: the old ones stop working." }
            }
            h2 { "Remembered devices" }
            @if a.devices().len() == 0 { p.muted #no-devices { "No device skips the second step." } }
            @else {
                table #devices {
                    @for d in a.devices() {
                        tr.device {
                            td { (d.label().as_str()) } td { "remembered " (time(d.remembered_at())) } td { "until " (time(d.expires_at())) }
                            td {
                                form.inline method="post" action="/account/devices/forget" {
                                    (csrf(p.token))
                                    input type="hidden" name="device" value=(d.id().to_string());
                                    button.secondary type="submit" { "Forget" }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "Sessions" }
            p { "Signed in somewhere you should not be? This signs out every session and forgets every remembered device." }
            p { (button(p.token, "/account/sign-out-everywhere", "Sign out everywhere", "secondary")) (button(p.token, "/signout", "Sign out", "secondary")) }
            @if a.is_enabled() {
                h2 { "Turn off two-step verification" }
                form method="post" action="/account/disable" {
                    (csrf(p.token))
                    label for="disable-code" { "Confirm with a code from your app, a text or a backup code" }
                    input #disable-code type="text" name="code" required autocomplete="one-time-code";
                    p { button.danger type="submit" { "Turn off" } }
                }
            }
        },
    )
}
