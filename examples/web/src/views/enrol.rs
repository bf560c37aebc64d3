//! The enrolment pages.

use maud::{Markup, PreEscaped, html};
use twostep::KeyUri;
use twostep::backup::ShownCodes;

use super::layout::{csrf, page};

/// The authenticator-app page: QR code, the secret as text, notes, confirm.
pub fn totp(
    email: &str,
    token: &str,
    uri: &KeyUri,
    error: Option<&str>,
) -> Result<Markup, twostep::uri::QrError> {
    let svg = uri.to_qr_svg()?;
    // Drop the XML declaration: the SVG goes inline in the page.
    let svg = svg.find("<svg").and_then(|i| svg.get(i..)).unwrap_or(&svg);
    let secret = uri.secret().to_base32();
    let grouped: Vec<&str> = secret
        .as_bytes()
        .chunks(4)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    let notes: Vec<String> = uri.compatibility().map(|n| n.to_string()).collect();
    Ok(page(
        "Set up an authenticator app",
        Some(email),
        html! {
            @if let Some(e) = error { p.error #error { (e) } }
            ol {
                li { "Open your authenticator app (Google Authenticator, Microsoft Authenticator, 1Password, Aegis, FreeOTP…) and add an account." }
                li { "Scan this QR code:" }
            }
            div.qr #qr { (PreEscaped(svg)) }
            p { "Or type this key: " span.secret.mono #secret { (grouped.join(" ")) } }
            p.muted { "Time-based, 6 digits, every 30 seconds, SHA-1: the settings every app supports." }
            @for n in &notes { p.warn.compat { (n) } }
            form method="post" action="/enrol/totp" {
                (csrf(token))
                label for="code" { "Then type the 6-digit code the app shows" }
                input #code type="text" name="code" required inputmode="numeric" autocomplete="one-time-code";
                p { button #confirm type="submit" { "Confirm" } }
            }
            p.muted { "The key is a secret: do not share a screenshot of this page." }
        },
    ))
}

/// Backup codes, shown this once, with a download.
pub fn backup_codes(email: &str, codes: &ShownCodes, first: bool) -> Markup {
    let text = codes.to_text_block("twostep demo backup codes");
    let href = format!("data:text/plain;charset=utf-8,{}", percent(&text));
    page(
        "Your backup codes",
        Some(email),
        html! {
            @if first { p.ok { "Two-step verification is on." } }
            p { "Each code signs you in once if you lose your phone. Keep them somewhere safe, away from the phone: this is the only time they are shown." }
            ul.codes #codes { @for c in codes.iter() { li.code { (c.to_string()) } } }
            p {
                a #download download="twostep-backup-codes.txt" href=(href) { "Download the codes" }
                " · " a #done href="/account" { "I have saved them" }
            }
        },
    )
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~ ".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect::<String>()
        .replace(' ', "%20")
}

pub fn phone(email: &str, token: &str, error: Option<&str>) -> Markup {
    page(
        "Add a phone for text messages",
        Some(email),
        html! {
            @if let Some(e) = error { p.error { (e) } }
            p.warn { "Codes by text are the weakest second step: a SIM swap or a recycled number can let someone else receive them. Keep an authenticator app or your backup codes as well." }
            form method="post" action="/enrol/phone" {
                (csrf(token))
                label for="number" { "Mobile number, international form" }
                input #number type="tel" name="number" required placeholder="+44 7700 900123" autocomplete="tel";
                p { button #save type="submit" { "Save number" } }
            }
        },
    )
}

/// "Type the code we texted to the new number".
pub fn phone_confirm(email: &str, token: &str, hint: &str, error: Option<&str>) -> Markup {
    page(
        "Confirm your phone",
        Some(email),
        html! {
            @if let Some(e) = error { p.error #error { (e) } }
            p.ok #notice { "We texted a code to the number ending " (hint) "." }
            form method="post" action="/enrol/phone/confirm" {
                (csrf(token))
                label for="code" { "The code in the text" }
                input #code type="text" name="code" required inputmode="numeric" autocomplete="one-time-code";
                p { button #confirm type="submit" { "Confirm number" } }
            }
        },
    )
}
