//! Sign-up, sign-in with a password, the second step, signing out.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::Router;
use axum::extract::Form;
use axum::routing::{get, post};
use serde::Deserialize;
use twostep::account::device::DeviceId;
use twostep::account::{self, DeviceLabel, LoginOutcome, Method, Refusal, User};
use twostep::delivered::{self, Binding, Purpose, Reason};

use crate::db::UserId;
use crate::http::{self, AppError, Ctx, DEVICE, Result, cookie, set_cookie};
use crate::state::App;
use crate::views::auth::{self as view, Second};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/signup", get(signup_page).post(signup))
        .route("/signin", get(signin_page).post(signin))
        .route("/signin/second", get(second_page).post(second))
        .route("/signin/sms", post(send_sms))
        .route("/signout", post(signout))
}

#[derive(Deserialize)]
struct Credentials {
    email: String,
    password: String,
}

async fn signup_page(ctx: Ctx) -> Result {
    Ok(ctx.ok(view::signup(&ctx.csrf, None)))
}

async fn signup(ctx: Ctx, Form(f): Form<Credentials>) -> Result {
    let email = f.email.trim().to_lowercase();
    if !email.contains('@') || email.len() > 254 || f.password.chars().count() < 8 {
        let page = view::signup(
            &ctx.csrf,
            Some("Type an e-mail address and a password of at least 8 characters."),
        );
        return Ok(ctx.page(axum::http::StatusCode::UNPROCESSABLE_ENTITY, page));
    }
    let hash = hash_password(f.password).await?;
    let id = match ctx.app.db.create_user(&email, &hash).await {
        Ok(id) => id,
        Err(e) if e.is_email_taken() => {
            let page = view::signup(
                &ctx.csrf,
                Some("That address already has an account: sign in instead."),
            );
            return Ok(ctx.page(axum::http::StatusCode::CONFLICT, page));
        }
        Err(e) => return Err(e.into()),
    };
    ctx.app.db.audit(id, "user", "signed up", ctx.now).await?;
    tracing::info!(user = %id, "signed up");
    ctx.start_session(id, true, "/account").await
}

async fn signin_page(ctx: Ctx) -> Result {
    Ok(ctx.ok(view::signin(&ctx.csrf, None)))
}

async fn signin(ctx: Ctx, Form(f): Form<Credentials>) -> Result {
    let email = f.email.trim().to_lowercase();
    if let Some(wait) = ctx.app.passwords.blocked(&email, ctx.now) {
        let msg = format!(
            "Too many wrong passwords. Try again in {}.",
            crate::views::layout::duration(wait)
        );
        let secs = u64::try_from(wait.whole_seconds()).unwrap_or(1);
        return Ok(ctx.throttled(secs, view::signin(&ctx.csrf, Some(&msg))));
    }
    let user = ctx.app.db.user_by_email(&email).await?;
    // Hash even for an unknown address, so the answer takes as long.
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    if !verify_password(f.password, stored).await? {
        tracing::info!("password refused");
        ctx.app.passwords.failed(&email, ctx.now);
        let page = view::signin(
            &ctx.csrf,
            Some("That e-mail address and password do not match."),
        );
        return Ok(ctx.page(axum::http::StatusCode::UNAUTHORIZED, page));
    }
    let Some(user) = user else {
        return Err("unreachable: verified without a user".into());
    };
    ctx.app.passwords.succeeded(&email);
    let acct = ctx.app.account(user.id).await?;
    if !acct.is_enabled() {
        tracing::info!(user = %user.id, "signed in (no second step enrolled)");
        return ctx.start_session(user.id, true, "/account").await;
    }
    let uid = user.id.to_bytes();
    let u = User::new(&uid)?;
    let remembered = cookie(&ctx.headers, DEVICE).is_some_and(|c| {
        account::check_device(&ctx.app.twostep, &u, &c, ctx.now, &acct).is_remembered()
    });
    if remembered {
        ctx.app
            .db
            .audit(user.id, "user", "signed in on a remembered device", ctx.now)
            .await?;
        tracing::info!(user = %user.id, "signed in (remembered device)");
        return ctx.start_session(user.id, true, "/account").await;
    }
    ctx.start_session(user.id, false, "/signin/second").await
}

async fn hash_password(password: String) -> Result<String> {
    let hash = tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| AppError(format!("os rng: {e}").into()))?;
        let salt = SaltString::encode_b64(&salt).map_err(|e| AppError(e.to_string().into()))?;
        let hash = Argon2::default().hash_password(password.as_bytes(), &salt);
        hash.map(|h| h.to_string())
            .map_err(|e| AppError(e.to_string().into()))
    });
    hash.await?
}

/// Argon2id check in a blocking task; with no stored hash, checks against
/// a dummy one (so an unknown address takes as long) and answers false.
async fn verify_password(password: String, stored: Option<String>) -> Result<bool> {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let known = stored.is_some();
    let stored = match stored {
        Some(s) => s,
        None => DUMMY
            .get_or_try_init(|| hash_password("not a password".into()))
            .await?
            .clone(),
    };
    let ok = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored).is_ok_and(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
    });
    Ok(ok.await? && known)
}

/// The second-step page, with `notice` / `error` and, when the last text went
/// wrong, what the delivery diagnostic tells the person.
async fn second_view(
    ctx: &Ctx,
    notice: Option<String>,
    error: Option<String>,
) -> Result<maud::Markup> {
    let Some(user) = ctx.second_step() else {
        return Err("no second step".into());
    };
    let acct = ctx.app.account(user.id).await?;
    let hash = http::session_hash(&ctx.sid);
    let binding = Binding::new(Purpose::Login, &hash)?;
    let c = &ctx.app.twostep;
    let (d, _) = delivered::diagnose(
        c.delivered_policy(),
        c.delivered_key(),
        &binding,
        delivered::Report::NotReceived,
        delivered::AccountThrottle::Open,
        ctx.now,
        acct.delivered(),
    );
    let went_wrong = matches!(
        d.verdict(),
        delivered::Verdict::SendFailed { .. } | delivered::Verdict::NoReceipt { .. }
    );
    Ok(view::second(&Second {
        token: &ctx.csrf,
        has_totp: acct.totp().is_some(),
        phone_hint: acct.phone().map(|p| p.hint().as_str()),
        notice,
        error,
        delivery: went_wrong.then(|| d.for_user()),
    }))
}

async fn second_page(ctx: Ctx) -> Result {
    if ctx.second_step().is_none() {
        return Ok(ctx.redirect("/signin"));
    }
    Ok(ctx.ok(second_view(&ctx, None, None).await?))
}

#[derive(Deserialize)]
struct CodeForm {
    code: String,
    remember: Option<String>,
}

async fn second(ctx: Ctx, Form(f): Form<CodeForm>) -> Result {
    let Some(user) = ctx.second_step().cloned() else {
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
            account::login(&c, &u, &binding, &f.code, now, a)
        })
        .await??;
    tracing::info!(user = %user.id, outcome = ?outcome, "second step");
    let error = match outcome {
        LoginOutcome::Accepted { method, .. } => {
            return accepted(&ctx, user.id, method, f.remember.is_some()).await;
        }
        LoginOutcome::Throttled { retry_after } => {
            let secs = u64::try_from(retry_after.whole_seconds()).unwrap_or(1);
            let msg = format!(
                "Too many wrong codes. Try again in {}, or use a backup code.",
                crate::views::layout::duration(retry_after)
            );
            return Ok(ctx.throttled(secs, second_view(&ctx, None, Some(msg)).await?));
        }
        LoginOutcome::Locked => {
            "Too many wrong codes: signing in with a code is locked. Use a backup code, or contact support."
        }
        LoginOutcome::Refused { reason } => refusal_text(reason),
        _ => "That code is not right.",
    };
    let page = second_view(&ctx, None, Some(error.into())).await?;
    Ok(ctx.page(axum::http::StatusCode::UNAUTHORIZED, page))
}

/// What the second-step page says about a refused code.
pub fn refusal_text(reason: Refusal) -> &'static str {
    match reason {
        Refusal::Replayed => "That code was already used. Wait for the next code in your app.",
        Refusal::Used => "That code was already used.",
        Refusal::Malformed => "That is not a code: type the 6 digits, or a backup code.",
        Refusal::Expired => "That text code has expired: ask for a new one.",
        Refusal::Superseded => "That code is from an earlier text: use the newest one.",
        Refusal::TooManyChecks => "That text code was tried too many times: ask for a new one.",
        Refusal::NoCodeSent => "No code was texted for this sign-in: ask for one first.",
        Refusal::NotEnrolled => "Two-step verification is not set up for this account.",
        _ => "That code is not right.",
    }
}

async fn accepted(ctx: &Ctx, user: UserId, method: Method, remember: bool) -> Result {
    ctx.app
        .db
        .audit(user, "user", &format!("signed in ({method:?})"), ctx.now)
        .await?;
    let to = if method == Method::BackupCode {
        "/account?notice=backup"
    } else {
        "/account"
    };
    let mut response = ctx.start_session(user, true, to).await?;
    if remember {
        let uid = user.to_bytes();
        let u = User::new(&uid)?;
        let device = DeviceId::generate_os()?;
        let (c, now) = (ctx.app.twostep.clone(), ctx.now);
        let label = ctx
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map_or("a browser", browser_label);
        let label = DeviceLabel::new(label)?;
        let lifetime = twostep::time::Duration::days(30);
        let token = ctx
            .app
            .update(user, |a| {
                account::remember_device(&c, &u, device, label.clone(), now, lifetime, a)
            })
            .await??;
        let cookie = set_cookie(
            &ctx.app,
            DEVICE,
            &token.to_string(),
            Some(lifetime.whole_seconds()),
        );
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// A short label for the device list ("Chrome on Linux"), never the whole
/// user agent.
fn browser_label(ua: &str) -> &'static str {
    match (
        ua.contains("Chrome"),
        ua.contains("Firefox"),
        ua.contains("Linux"),
    ) {
        (true, _, true) => "Chrome on Linux",
        (true, _, false) => "Chrome",
        (_, true, _) => "Firefox",
        _ => "a browser",
    }
}

async fn send_sms(ctx: Ctx) -> Result {
    let Some(user) = ctx.second_step().cloned() else {
        return Ok(ctx.redirect("/signin"));
    };
    let hash = http::session_hash(&ctx.sid);
    let reason = if ctx
        .app
        .account(user.id)
        .await?
        .delivered()
        .latest()
        .is_some()
    {
        Reason::UserResend
    } else {
        Reason::LoginStarted
    };
    let binding = Binding::new(Purpose::Login, &hash)?;
    match crate::routes::outbox::send(&ctx, user.id, &binding, reason).await? {
        Ok(hint) => {
            let notice =
                format!("We texted a code to the number ending {hint}. It works for 10 minutes.");
            Ok(ctx.ok(second_view(&ctx, Some(notice), None).await?))
        }
        Err(retry_after) => {
            let msg = format!(
                "We cannot send another code yet. Try again in {}.",
                crate::views::layout::duration(retry_after)
            );
            let secs = u64::try_from(retry_after.whole_seconds()).unwrap_or(1);
            Ok(ctx.throttled(secs, second_view(&ctx, None, Some(msg)).await?))
        }
    }
}

async fn signout(ctx: Ctx) -> Result {
    ctx.app.db.delete_session(&ctx.sid).await?;
    Ok(ctx.redirect("/"))
}
