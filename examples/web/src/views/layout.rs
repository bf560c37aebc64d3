//! The page frame, the CSRF field and small shared pieces.

use maud::{DOCTYPE, Markup, PreEscaped, html};
use twostep::UnixTime;

const STYLE: &str = "
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
header{background:#1d2330;color:#fff;padding:.6em 1.2em;display:flex;gap:1.2em;align-items:center}
header a{color:#cfe0ff;text-decoration:none} header .brand{font-weight:700;color:#fff;margin-right:auto}
main{max-width:46em;margin:1.5em auto;background:#fff;padding:1.2em 1.6em;border-radius:8px;box-shadow:0 1px 3px #0002}
h1{font-size:1.4em;margin-top:0} label{display:block;margin:.6em 0 .2em}
input[type=text],input[type=email],input[type=password],input[type=tel],input[type=number]{font:inherit;padding:.35em .5em;width:18em;border:1px solid #aab;border-radius:4px}
button{font:inherit;padding:.35em .9em;border-radius:4px;border:1px solid #2d5bd1;background:#2d5bd1;color:#fff;cursor:pointer;margin:.3em .3em .3em 0}
button.secondary{background:#fff;color:#2d5bd1} button.danger{background:#b3261e;border-color:#b3261e}
.note{background:#eef4ff;border-left:4px solid #2d5bd1;padding:.5em .8em;margin:.8em 0}
.warn{background:#fff4e5;border-left:4px solid #e08a00;padding:.5em .8em;margin:.8em 0}
.error{background:#fdecea;border-left:4px solid #b3261e;padding:.5em .8em;margin:.8em 0}
.ok{background:#e9f7ef;border-left:4px solid #1e8e3e;padding:.5em .8em;margin:.8em 0}
table{border-collapse:collapse;width:100%;font-size:.9em} td,th{border-bottom:1px solid #dde;padding:.3em .4em;text-align:left;vertical-align:top}
code,.mono{font-family:ui-monospace,monospace} pre{white-space:pre-wrap} .secret{font-size:1.1em;letter-spacing:.08em}
.codes{columns:2;font-family:ui-monospace,monospace;font-size:1.1em} .qr svg{width:220px;height:220px}
form.inline{display:inline} .muted{color:#667}
";

/// The whole page: header with the links for who is signed in.
pub fn page(title: &str, signed_in: Option<&str>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="same-origin";
                title { (title) " · twostep demo" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    a.brand href="/" { "twostep demo" }
                    @if let Some(email) = signed_in {
                        a href="/account" { "Account" }
                        span.muted { (email) }
                    } @else {
                        a href="/signin" { "Sign in" }
                        a href="/signup" { "Sign up" }
                    }
                    a href="/outbox" { "SMS outbox" }
                    a href="/support" { "Support desk" }
                }
                main { h1 { (title) } (body) }
            }
        }
    }
}

/// A page with one message, for errors.
pub fn message(title: &str, text: &str) -> Markup {
    page(title, None, html! { p { (text) } })
}

/// The hidden CSRF field every form carries.
pub fn csrf(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// A POST form with one button.
pub fn button(token: &str, action: &str, label: &str, class: &str) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (csrf(token))
            button class=(class) type="submit" { (label) }
        }
    }
}

/// `2026-12-01 13:05:09 UTC`.
pub fn time(t: UnixTime) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    time::OffsetDateTime::try_from(t)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_else(|| t.as_secs().to_string())
}

/// A duration in words: `5 min`, `40 s`, `2 h 5 min`.
pub fn duration(d: twostep::time::Duration) -> String {
    let s = d.whole_seconds().max(0);
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}
