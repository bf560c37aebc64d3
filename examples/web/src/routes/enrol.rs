//! Enrolment: an authenticator app (QR code, secret as text, confirm with
//! the first code), backup codes shown once, a phone number for texts
//! (confirmed with a code sent to it).

use axum::Router;
use axum::extract::Form;
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;
use twostep::KeyUri;
use twostep::account::{self, Account, Confirmation, Phone, User};
use twostep::delivered::{Binding, Channel, Hint, Purpose, Reason};

use crate::http::{self, Ctx, Result};
use crate::state::{App, ISSUER, os_rng};
use crate::views::enrol as view;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/enrol/totp", get(totp_page).post(totp_confirm))
        .route("/enrol/phone", get(phone_page).post(phone_save))
        .route(
            "/enrol/phone/confirm",
            get(phone_confirm_page).post(phone_confirm),
        )
}

#[derive(Deserialize)]
struct CodeForm {
    code: String,
}

/// Each visit starts a new pending enrolment with a new secret (sealed in
/// the record); the page is never cached (it shows the secret).
async fn totp_page(ctx: Ctx) -> Result {
    let Some(user) = ctx.signed_in().cloned() else {
        return Ok(ctx.redirect("/signin"));
    };
    let uid = user.id.to_bytes();
    let u = User::new(&uid)?;
    let (c, now) = (ctx.app.twostep.clone(), ctx.now);
    let uri = ctx
        .app
        .update(user.id, |a| {
            account::begin_totp(&c, &u, ISSUER, &user.email, now, &mut os_rng(), a)
        })
        .await??;
    Ok(ctx.ok(view::totp(&user.email, &ctx.csrf, &uri, None)?))
}

/// The pending enrolment's Key URI again (after a wrong first code), from
/// its sealed secret.
fn pending_uri(app: &App, u: &User<'_>, email: &str, a: &Account) -> Result<Option<KeyUri>> {
    let Some(pending) = a.pending_totp() else {
        return Ok(None);
    };
    let secret = app
        .twostep
        .keyring()
        .open_secret(u.id(), pending.sealed())?;
    Ok(Some(KeyUri::totp(&pending.totp(), &secret, ISSUER, email)?))
}

async fn totp_confirm(ctx: Ctx, Form(f): Form<CodeForm>) -> Result {
    let Some(user) = ctx.signed_in().cloned() else {
        return Ok(ctx.redirect("/signin"));
    };
    let uid = user.id.to_bytes();
    let u = User::new(&uid)?;
    let (c, now) = (ctx.app.twostep.clone(), ctx.now);
    let confirmation = ctx
        .app
        .update(user.id, |a| account::confirm_totp(&c, &u, &f.code, now, a))
        .await??;
    tracing::info!(user = %user.id, ?confirmation, "authenticator confirmation");
    let error = match confirmation {
        Confirmation::Confirmed => {
            ctx.app
                .db
                .audit(user.id, "user", "authenticator app enrolled", now)
                .await?;
            if ctx.app.account(user.id).await?.backup_codes().is_some() {
                return Ok(ctx.redirect("/account?notice=totp"));
            }
            let codes = ctx
                .app
                .update(user.id, |a| {
                    account::regenerate_backup_codes(&c, &mut os_rng(), a)
                })
                .await??;
            return Ok(ctx.ok(view::backup_codes(&user.email, &codes, true)));
        }
        Confirmation::Throttled { retry_after } => {
            let secs = u64::try_from(retry_after.whole_seconds()).unwrap_or(1);
            let page = crate::views::layout::message(
                "Too many wrong codes",
                "Wait a little, then try again.",
            );
            return Ok(ctx.throttled(secs, page));
        }
        Confirmation::Locked => "Too many wrong codes: ask support to unlock your account.",
        _ => {
            "That code is not right. Check that the app shows the code for this account, and that the phone's time is set automatically."
        }
    };
    let acct = ctx.app.account(user.id).await?;
    let Some(uri) = pending_uri(&ctx.app, &u, &user.email, &acct)? else {
        return Ok(ctx.redirect("/enrol/totp"));
    };
    Ok(ctx.page(
        StatusCode::UNPROCESSABLE_ENTITY,
        view::totp(&user.email, &ctx.csrf, &uri, Some(error))?,
    ))
}

async fn phone_page(ctx: Ctx) -> Result {
    let Some(user) = ctx.signed_in() else {
        return Ok(ctx.redirect("/signin"));
    };
    Ok(ctx.ok(view::phone(&user.email, &ctx.csrf, None)))
}

#[derive(Deserialize)]
struct PhoneForm {
    number: String,
}

/// Stores the number (E.164: `+` and 8 to 15 digits) as pending and texts
/// it a code; the number counts only once that code comes back.
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
            view::phone(&user.email, &ctx.csrf, Some(error)),
        ));
    }
    let hint = crate::routes::outbox::last_digits(&number);
    let phone = Phone::new(Channel::Sms, Hint::new(&hint)?)?;
    ctx.app.db.set_phone(user.id, Some(&number)).await?;
    ctx.app
        .update(user.id, |a| {
            Ok::<_, account::AccountError>(((), account::begin_phone(phone, a)))
        })
        .await??;
    let hash = http::session_hash(&ctx.sid);
    let binding = Binding::new(Purpose::ConfirmPhone, &hash)?;
    match crate::routes::outbox::send(&ctx, user.id, &binding, Reason::PhoneChange).await? {
        Ok(hint) => Ok(ctx.ok(view::phone_confirm(&user.email, &ctx.csrf, &hint, None))),
        Err(wait) => {
            let secs = u64::try_from(wait.whole_seconds()).unwrap_or(1);
            let msg = format!(
                "We cannot send another code yet: try again in {}.",
                crate::views::layout::duration(wait)
            );
            Ok(ctx.throttled(secs, view::phone(&user.email, &ctx.csrf, Some(&msg))))
        }
    }
}

async fn phone_confirm_page(ctx: Ctx) -> Result {
    let Some(user) = ctx.signed_in().cloned() else {
        return Ok(ctx.redirect("/signin"));
    };
    let acct = ctx.app.account(user.id).await?;
    let Some(pending) = acct.pending_phone() else {
        return Ok(ctx.redirect("/enrol/phone"));
    };
    Ok(ctx.ok(view::phone_confirm(
        &user.email,
        &ctx.csrf,
        pending.hint().as_str(),
        None,
    )))
}

async fn phone_confirm(ctx: Ctx, Form(f): Form<CodeForm>) -> Result {
    let Some(user) = ctx.signed_in().cloned() else {
        return Ok(ctx.redirect("/signin"));
    };
    let hash = http::session_hash(&ctx.sid);
    let binding = Binding::new(Purpose::ConfirmPhone, &hash)?;
    let (c, now) = (ctx.app.twostep.clone(), ctx.now);
    let confirmation = ctx
        .app
        .update(user.id, |a| {
            account::confirm_phone(&c, &binding, &f.code, now, a)
        })
        .await??;
    tracing::info!(user = %user.id, ?confirmation, "phone confirmation");
    if confirmation.is_confirmed() {
        let hint = ctx
            .app
            .account(user.id)
            .await?
            .phone()
            .map(|p| p.hint().to_string())
            .unwrap_or_default();
        ctx.app
            .db
            .audit(
                user.id,
                "user",
                &format!("phone number ending {hint} added"),
                now,
            )
            .await?;
        return Ok(ctx.redirect("/account?notice=phone"));
    }
    let hint = ctx
        .app
        .account(user.id)
        .await?
        .pending_phone()
        .map(|p| p.hint().to_string())
        .unwrap_or_default();
    let error = match confirmation {
        Confirmation::Refused { reason } => crate::routes::auth::refusal_text(reason),
        _ => "Too many wrong codes: wait a little, then try again.",
    };
    Ok(ctx.page(
        StatusCode::UNPROCESSABLE_ENTITY,
        view::phone_confirm(&user.email, &ctx.csrf, &hint, Some(error)),
    ))
}
