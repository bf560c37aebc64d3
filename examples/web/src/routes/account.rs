//! The account page: what is enrolled, backup codes left, regenerate,
//! remembered devices, sign out everywhere, turn two-step off.

use axum::Router;
use axum::extract::{Form, Query};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use twostep::account::device::DeviceId;
use twostep::account::{self, AccountError, LoginOutcome, User};
use twostep::delivered::{Binding, Purpose};

use crate::http::{self, Ctx, Result};
use crate::state::{App, os_rng};
use crate::views::account as view;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/account", get(page))
        .route("/account/backup-codes", post(regenerate))
        .route("/account/devices/forget", post(forget))
        .route("/account/sign-out-everywhere", post(sign_out_everywhere))
        .route("/account/disable", post(disable))
}

#[derive(Deserialize)]
struct Notice {
    notice: Option<String>,
}

fn notice_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "backup" => "You signed in with a backup code: that code is now used up.",
        "totp" => "Your authenticator app is set up.",
        "phone" => {
            "Your phone number is saved: you can now ask for a code by text when you sign in."
        }
        "everywhere" => "Every other session is signed out and every remembered device forgotten.",
        "forgot" => "That device is forgotten: it will need the second step next time.",
        "disabled" => "Two-step verification is off.",
        _ => return None,
    })
}

async fn page(ctx: Ctx, Query(q): Query<Notice>) -> Result {
    let Some(user) = ctx.signed_in().cloned() else {
        return Ok(ctx.redirect("/signin"));
    };
    let acct = ctx.app.account(user.id).await?;
    let notice = q.notice.as_deref().and_then(notice_text);
    Ok(ctx.ok(view::page(&view::Page {
        token: &ctx.csrf,
        email: &user.email,
        account: &acct,
        policy: ctx.app.twostep.backup_policy(),
        notice,
        error: None,
    })))
}

async fn regenerate(ctx: Ctx) -> Result {
    let Some(user) = ctx.signed_in().cloned() else {
        return Ok(ctx.redirect("/signin"));
    };
    let (c, now) = (ctx.app.twostep.clone(), ctx.now);
    let codes = ctx
        .app
        .update(user.id, |a| {
            account::regenerate_backup_codes(&c, &mut os_rng(), a)
        })
        .await??;
    ctx.app
        .db
        .audit(user.id, "user", "new backup codes", now)
        .await?;
    Ok(ctx.ok(crate::views::enrol::backup_codes(
        &user.email,
        &codes,
        false,
    )))
}

#[derive(Deserialize)]
struct DeviceForm {
    device: String,
}

async fn forget(ctx: Ctx, Form(f): Form<DeviceForm>) -> Result {
    let Some(user) = ctx.signed_in().cloned() else {
        return Ok(ctx.redirect("/signin"));
    };
    let Ok(device) = f.device.parse::<DeviceId>() else {
        return Ok(ctx.redirect("/account"));
    };
    ctx.app
        .update(user.id, |a| {
            Ok::<_, AccountError>(((), account::forget_device(device, a)))
        })
        .await??;
    ctx.app
        .db
        .audit(user.id, "user", "forgot a remembered device", ctx.now)
        .await?;
    Ok(ctx.redirect("/account?notice=forgot"))
}

/// Bumps the record's device epoch (every remembered device fails its check
/// from now on) and deletes every session but this one's successor.
async fn sign_out_everywhere(ctx: Ctx) -> Result {
    let Some(user) = ctx.signed_in().cloned() else {
        return Ok(ctx.redirect("/signin"));
    };
    ctx.app
        .update(user.id, |a| {
            Ok::<_, AccountError>(((), account::sign_out_everywhere(a)))
        })
        .await??;
    ctx.app.db.delete_sessions_of(user.id).await?;
    ctx.app
        .db
        .audit(user.id, "user", "signed out everywhere", ctx.now)
        .await?;
    tracing::info!(user = %user.id, "signed out everywhere");
    ctx.start_session(user.id, true, "/account?notice=everywhere")
        .await
}

#[derive(Deserialize)]
struct CodeForm {
    code: String,
}

/// Turning two-step off is a sensitive action: it needs a code checked now,
/// whatever the session's age.
async fn disable(ctx: Ctx, Form(f): Form<CodeForm>) -> Result {
    let Some(user) = ctx.signed_in().cloned() else {
        return Ok(ctx.redirect("/signin"));
    };
    let uid = user.id.to_bytes();
    let u = User::new(&uid)?;
    let hash = http::session_hash(&ctx.sid);
    let binding = Binding::new(Purpose::Login, &hash)?;
    let (c, now) = (ctx.app.twostep.clone(), ctx.now);
    let outcome = ctx
        .app
        .update(user.id, |a| {
            account::disable(&c, &u, &binding, &f.code, now, a)
        })
        .await??;
    if let LoginOutcome::Accepted { .. } = outcome {
        ctx.app.db.set_phone(user.id, None).await?;
        ctx.app
            .db
            .audit(user.id, "user", "two-step verification turned off", now)
            .await?;
        return Ok(ctx.redirect("/account?notice=disabled"));
    }
    let acct = ctx.app.account(user.id).await?;
    let error = Some("That code is not right: two-step verification stays on.");
    let page = view::page(&view::Page {
        token: &ctx.csrf,
        email: &user.email,
        account: &acct,
        policy: ctx.app.twostep.backup_policy(),
        notice: None,
        error,
    });
    match outcome {
        LoginOutcome::Throttled { retry_after } => Ok(ctx.throttled(
            u64::try_from(retry_after.whole_seconds()).unwrap_or(1),
            page,
        )),
        _ => Ok(ctx.page(StatusCode::UNAUTHORIZED, page)),
    }
}
