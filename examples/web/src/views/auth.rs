//! Home, sign-up, sign-in and the second step.

use maud::{Markup, html};

use super::layout::{csrf, page};

pub fn home() -> Markup {
    page(
        "Welcome",
        None,
        html! {
            p { "A small service that signs you in with a password and a second step: an authenticator app, a text message or a backup code." }
            p { a href="/signup" { "Create an account" } " or " a href="/signin" { "sign in" } "." }
        },
    )
}

pub fn signup(token: &str, error: Option<&str>) -> Markup {
    page(
        "Create an account",
        None,
        html! {
            @if let Some(e) = error { p.error { (e) } }
            form method="post" action="/signup" {
                (csrf(token))
                label for="email" { "E-mail" }
                input #email type="email" name="email" required autocomplete="username";
                label for="password" { "Password (at least 8 characters)" }
                input #password type="password" name="password" required minlength="8" autocomplete="new-password";
                p { button #signup type="submit" { "Create account" } }
            }
        },
    )
}

pub fn signin(token: &str, error: Option<&str>) -> Markup {
    page(
        "Sign in",
        None,
        html! {
            @if let Some(e) = error { p.error { (e) } }
            form method="post" action="/signin" {
                (csrf(token))
                label for="email" { "E-mail" }
                input #email type="email" name="email" required autocomplete="username";
                label for="password" { "Password" }
                input #password type="password" name="password" required autocomplete="current-password";
                p { button #signin type="submit" { "Sign in" } }
            }
        },
    )
}

/// What the second-step page knows about the account.
pub struct Second<'a> {
    pub token: &'a str,
    pub has_totp: bool,
    pub phone_hint: Option<&'a str>,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// What the delivery diagnostic says about the last text, if it went wrong.
    pub delivery: Option<String>,
}

pub fn second(s: &Second<'_>) -> Markup {
    page(
        "Two-step verification",
        None,
        html! {
            @if let Some(n) = &s.notice { p.ok #notice { (n) } }
            @if let Some(e) = &s.error { p.error #error { (e) } }
            @if let Some(d) = &s.delivery { p.warn #delivery { (d) } }
            form method="post" action="/signin/second" {
                (csrf(s.token))
                label for="code" {
                    @if s.has_totp { "The 6-digit code from your authenticator app" }
                    @else { "The code we texted you" }
                    ", or a backup code"
                }
                input #code type="text" name="code" required autocomplete="one-time-code" autofocus;
                label { input #remember type="checkbox" name="remember" value="1"; " Remember this device for 30 days" }
                p { button #verify type="submit" { "Verify" } }
            }
            @if let Some(hint) = s.phone_hint {
                form method="post" action="/signin/sms" {
                    (csrf(s.token))
                    button #sms.secondary type="submit" { "Text me a code (to the number ending " (hint) ")" }
                }
            }
            details {
                summary { "Use a backup code" }
                p { "Type one of the 10-character backup codes you saved into the field above. Each works once." }
            }
            p.muted { "Lost your phone and your codes? Contact support: they will check who you are before unlocking anything." }
            form method="post" action="/signout" { (csrf(s.token)) button.secondary type="submit" { "Cancel" } }
        },
    )
}
