//! Enrolment: an authenticator app (QR code, secret as text, confirm with
//! the first code), backup codes shown once, a phone number for texts.

use axum::Router;
use axum::extract::Form;
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;

use crate::account_shim::{self as account, Confirmation, Phone, User};
use crate::http::{Ctx, Result};
use crate::state::{App, ISSUER};
use crate::views::enrol as view;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/enrol/totp", get(totp_page).post(totp_confirm))
        .route("/enrol/phone", get(phone_page).post(phone_save))
}

#[derive(Deserialize)]
struct CodeForm {
    code: String,
}

/// Each visit starts a new pending enrolment with a new secret; the page is
/// never cached (it shows the secret).
async fn totp_page(ctx: Ctx) -> Result {
    let Some(user) = ctx.signed_in().cloned() else {
        return Ok(ctx.redirect("/signin"));
    };
    let uid = user.id.to_string();
    let (c, now) = (ctx.app.twostep.clone(), ctx.now);
    let uri = ctx
        .app
        .db
        .update_account(user.id, |a| {
            account::begin_totp(&c, &User(uid.as_bytes()), ISSUER, &user.email, now, a)
        })
        .await??;
    Ok(ctx.ok(view::totp(&ctx.csrf, &uri, None)?))
}

async fn totp_confirm(ctx: Ctx, Form(f): Form<CodeForm>) -> Result {
    let Some(user) = ctx.signed_in().cloned() else {
        return Ok(ctx.redirect("/signin"));
    };
    let uid = user.id.to_string();
    let (c, now) = (ctx.app.twostep.clone(), ctx.now);
    let confirmation = ctx
        .app
        .db
        .update_account(user.id, |a| {
            account::confirm_totp(&c, &User(uid.as_bytes()), &f.code, now, a)
        })
        .await??;
    tracing::info!(user = user.id, ?confirmation, "authenticator confirmation");
    match confirmation {
        Confirmation::Confirmed => {
            ctx.app
                .db
                .audit(user.id, "user", "authenticator app enrolled", now)
                .await?;
            let has_codes = ctx.app.db.account(user.id).await?.backup().is_some();
            if has_codes {
                return Ok(ctx.redirect("/account?notice=totp"));
            }
            let codes = ctx
                .app
                .db
                .update_account(user.id, |a| account::regenerate_backup_codes(&c, now, a))
                .await??;
            Ok(ctx.ok(view::backup_codes(&codes, true)))
        }
        Confirmation::Wrong => {
            let acct = ctx.app.db.account(user.id).await?;
            let Some(uri) = acct.pending_uri(&c, &User(uid.as_bytes()), ISSUER, &user.email) else {
                return Ok(ctx.redirect("/enrol/totp"));
            };
            let error = "That code is not right. Check that the app shows the code for this account, and that the phone's time is set automatically.";
            Ok(ctx.page(
                StatusCode::UNPROCESSABLE_ENTITY,
                view::totp(&ctx.csrf, &uri, Some(error))?,
            ))
        }
        Confirmation::NothingPending => Ok(ctx.redirect("/enrol/totp")),
    }
}

async fn phone_page(ctx: Ctx) -> Result {
    if ctx.signed_in().is_none() {
        return Ok(ctx.redirect("/signin"));
    }
    Ok(ctx.ok(view::phone(&ctx.csrf, None)))
}

#[derive(Deserialize)]
struct PhoneForm {
    number: String,
}

/// Stores the number (E.164: `+` and 8 to 15 digits) and its hint in the
/// record.
async fn phone_save(ctx: Ctx, Form(f): Form<PhoneForm>) -> Result {
    let Some(user) = ctx.signed_in().cloned() else {
        return Ok(ctx.redirect("/signin"));
    };
    let number: String = f
        .number
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let digits = number.strip_prefix('+').unwrap_or("");
    if !(8..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        let error = "Type the number in international form, for example +44 7700 900123.";
        return Ok(ctx.page(
            StatusCode::UNPROCESSABLE_ENTITY,
            view::phone(&ctx.csrf, Some(error)),
        ));
    }
    let hint = crate::routes::outbox::last_digits(&number);
    ctx.app.db.set_phone(user.id, Some(&number)).await?;
    ctx.app
        .db
        .update_account(user.id, |a| {
            Ok::<_, account::Error>(((), a.set_phone(Some(Phone { hint: hint.clone() }))))
        })
        .await??;
    ctx.app
        .db
        .audit(
            user.id,
            "user",
            &format!("phone number {hint} added"),
            ctx.now,
        )
        .await?;
    Ok(ctx.redirect("/account?notice=phone"))
}
