//! The support desk, for operators (`TWOSTEP_WEB_OPERATORS`): look a user
//! up; run the time-sync diagnostic on two codes the person reads out; read
//! the delivery log and the delivery diagnostic; reset the lock after an
//! identity check. Every action goes to the audit log.

use axum::Router;
use axum::extract::{Form, Query};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use twostep::Guard;
use twostep::account::{self, Account, AccountError, User};
use twostep::delivered::{self, AccountThrottle, Binding, Purpose, Report};
use twostep::diagnose::{DiagnoseOptions, Observation};
use twostep::guard::Blocked;

use crate::db::User as DbUser;
use crate::http::{Ctx, Result};
use crate::state::App;
use crate::views::support::{self as view, Facts};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/support", get(page))
        .route("/support/timesync", post(timesync))
        .route("/support/unlock", post(unlock))
}

/// The signed-in operator's e-mail address, if this is an operator.
fn operator(ctx: &Ctx) -> Option<String> {
    ctx.signed_in()
        .map(|u| u.email.clone())
        .filter(|e| ctx.app.config.operators.contains(e))
}

fn denied(ctx: &Ctx) -> axum::response::Response {
    let page = crate::views::layout::message(
        "Support desk",
        "Only operators may open the support desk: sign in with an address listed in TWOSTEP_WEB_OPERATORS.",
    );
    ctx.page(StatusCode::FORBIDDEN, page)
}

#[derive(Deserialize)]
struct Lookup {
    email: Option<String>,
}

async fn page(ctx: Ctx, Query(q): Query<Lookup>) -> Result {
    let Some(op) = operator(&ctx) else {
        return Ok(denied(&ctx));
    };
    let email = q
        .email
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty());
    let facts = match &email {
        Some(e) => lookup(&ctx, &op, e, None).await?,
        None => None,
    };
    Ok(ctx.ok(view::page(&ctx.csrf, &op, email.as_deref(), facts.as_ref())))
}

/// Everything the desk shows about one user; `result` is the outcome of
/// the action just taken.
async fn lookup(ctx: &Ctx, op: &str, email: &str, result: Option<String>) -> Result<Option<Facts>> {
    let Some(user) = ctx.app.db.user_by_email(email).await? else {
        return Ok(None);
    };
    ctx.app
        .db
        .audit(user.id, op, "support desk looked the account up", ctx.now)
        .await?;
    let acct = ctx.app.account(user.id).await?;
    let c = &ctx.app.twostep;
    // "I don't get the code": no login attempt binds it, any binding will do.
    let binding = Binding::new(Purpose::Login, b"support desk")?;
    let throttle = match c.guard().blocked(ctx.now, acct.guard()) {
        Some(Blocked::Throttled { retry_after }) => AccountThrottle::Throttled {
            until: ctx.now.checked_add(retry_after).unwrap_or(ctx.now),
        },
        Some(Blocked::Locked) => AccountThrottle::Locked,
        _ => AccountThrottle::Open,
    };
    // The diagnostic only reads the state for these two reports: what it
    // returns is the state unchanged, nothing to store.
    let diagnose = |report| {
        let (d, _) = delivered::diagnose(
            c.delivered_policy(),
            c.delivered_key(),
            &binding,
            report,
            throttle,
            ctx.now,
            acct.delivered(),
        );
        (d.for_support(), d.for_user())
    };
    let delivery = acct
        .delivered()
        .latest()
        .map(|_| diagnose(Report::NotReceived));
    let unasked = acct.delivered().latest().map(|_| diagnose(Report::Unasked));
    Ok(Some(Facts {
        locked: matches!(throttle, AccountThrottle::Locked),
        throttled_until: match throttle {
            AccountThrottle::Throttled { until } => Some(until),
            _ => None,
        },
        audit: ctx.app.db.audit_log(user.id).await?,
        user,
        account: acct,
        delivery,
        unasked,
        result,
    }))
}

#[derive(Deserialize)]
struct TimeSync {
    email: String,
    code1: String,
    code2: String,
    /// Seconds between the two codes as the person read them out.
    gap: u32,
}

/// The time-sync diagnostic: the first code observed `gap` seconds ago, the
/// second now. It counts as an attempt at the user's guard (its new state is
/// stored), like a login.
async fn timesync(ctx: Ctx, Form(f): Form<TimeSync>) -> Result {
    let Some(op) = operator(&ctx) else {
        return Ok(denied(&ctx));
    };
    let email = f.email.trim().to_lowercase();
    let Some(user) = ctx.app.db.user_by_email(&email).await? else {
        return Ok(ctx.redirect("/support"));
    };
    let (c, now) = (ctx.app.twostep.clone(), ctx.now);
    let first = now
        .checked_add_signed(-i64::from(f.gap.min(600)))
        .unwrap_or(now);
    let uid = user.id.to_bytes();
    let u = User::new(&uid)?;
    let acct = ctx.app.account(user.id).await?;
    let text = diagnose(&c, &u, &acct, [(&f.code1, first), (&f.code2, now)])?;
    ctx.app
        .db
        .audit(user.id, &op, "time-sync diagnostic run", now)
        .await?;
    let facts = lookup(&ctx, &op, &email, Some(text)).await?;
    Ok(ctx.ok(view::page(&ctx.csrf, &op, Some(&email), facts.as_ref())))
}

/// The time-sync diagnostic on the user's own TOTP parameters and guard.
///
/// The guard state it returns is not stored: the record has no way to take
/// a guard state back, so these two codes do not count as attempts.
fn diagnose(
    c: &account::Config,
    user: &User<'_>,
    a: &Account,
    codes: [(&str, twostep::UnixTime); 2],
) -> std::result::Result<String, AccountError> {
    let Some(enrolment) = a.totp() else {
        return Ok("No authenticator app is enrolled.".into());
    };
    let secret = c.keyring().open_secret(user.id(), enrolment.sealed())?;
    let base = c.guard();
    let guard = Guard::new(enrolment.totp())
        .with_window(base.window())
        .with_throttle(base.throttle());
    let guard = guard.with_max_drift(base.max_drift()).unwrap_or(guard);
    let seen = codes.map(|(code, at)| Observation::new(code, at));
    match twostep::diagnose(
        &guard,
        &secret,
        a.guard(),
        &seen,
        &DiagnoseOptions::default(),
    ) {
        Ok((d, _state)) => Ok(d.to_string()),
        Err(e) => Ok(format!("The diagnostic could not run: {e}.")),
    }
}

#[derive(Deserialize)]
struct Unlock {
    email: String,
    identity_checked: Option<String>,
}

async fn unlock(ctx: Ctx, Form(f): Form<Unlock>) -> Result {
    let Some(op) = operator(&ctx) else {
        return Ok(denied(&ctx));
    };
    let email = f.email.trim().to_lowercase();
    let Some(user): Option<DbUser> = ctx.app.db.user_by_email(&email).await? else {
        return Ok(ctx.redirect("/support"));
    };
    let result = if f.identity_checked.is_some() {
        ctx.app
            .update(user.id, |a| {
                Ok::<_, AccountError>(((), a.with_failures_reset()))
            })
            .await??;
        ctx.app
            .db
            .audit(user.id, &op, "lock reset after an identity check", ctx.now)
            .await?;
        tracing::info!(user = %user.id, "lock reset by support");
        "The lock is reset: the person can sign in with a code again."
    } else {
        "Check the person's identity first (tick the box to confirm you did)."
    };
    let facts = lookup(&ctx, &op, &email, Some(result.into())).await?;
    Ok(ctx.ok(view::page(&ctx.csrf, &op, Some(&email), facts.as_ref())))
}
