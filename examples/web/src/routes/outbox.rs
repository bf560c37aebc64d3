//! The development SMS provider: sending a text puts it in the outbox, and
//! the outbox page's buttons stand in for the provider's status callbacks
//! (delivered, failed, delayed), fed to `delivered::record_status`.

use axum::Router;
use axum::extract::{Form, Path};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use twostep::delivered::{
    self, Binding, Failure, FailureKind, IssueError, Issuer, Purpose, Reason, Status,
};
use twostep::time::Duration;

use crate::account_shim::{self as account, User};
use crate::http::{Ctx, Result, random_id};
use crate::state::{App, DOMAIN, ISSUER};
use crate::views::outbox as view;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/outbox", get(page))
        .route("/outbox/{id}/status", post(set_status))
}

/// Sends a sign-in code to the user's phone through the outbox. `Ok(Err(wait))`
/// when the cooldown or a send cap holds it back.
pub async fn send(
    ctx: &Ctx,
    user: i64,
    session_hash: &[u8; 32],
    reason: Reason,
) -> Result<std::result::Result<String, Duration>> {
    let Some(number) = ctx.app.db.phone(user).await? else {
        return Err("no phone number".into());
    };
    let binding = Binding::new(Purpose::Login, session_hash)?;
    let uid = user.to_string();
    let (c, now) = (ctx.app.twostep.clone(), ctx.now);
    let sent = ctx
        .app
        .db
        .update_account(user, |a| {
            let (message, next) =
                account::send_code(&c, &User(uid.as_bytes()), &binding, reason, now, a)?;
            // The provider's id is known before the send here; a real provider
            // returns it, and record_sent is then its own compare-and-swap.
            let provider_id = format!(
                "dev-{}",
                random_id().map_err(|e| e.0)?.get(..12).unwrap_or("0")
            );
            let hint = last_digits(&number);
            let state =
                delivered::record_sent(message.id(), &provider_id, &hint, next.delivered())?;
            let text = message.sms_text(&Issuer::new(ISSUER, DOMAIN)?);
            Ok::<_, account::Error>(((provider_id, hint, text), next.with_delivered(state)))
        })
        .await?;
    match sent {
        Ok((provider_id, hint, text)) => {
            ctx.app
                .db
                .push_outbox(user, &number, &text, &provider_id, now)
                .await?;
            tracing::info!(user, provider_id, ?reason, "text message sent");
            Ok(Ok(hint))
        }
        Err(e) => match e.downcast_ref::<IssueError>() {
            Some(IssueError::TooSoon { next_send_at, .. }) => {
                let wait = next_send_at.as_secs().saturating_sub(now.as_secs());
                Ok(Err(Duration::seconds(
                    i64::try_from(wait).unwrap_or(i64::MAX),
                )))
            }
            _ => Err(e.into()),
        },
    }
}

/// The last two digits (`"42"`), for the pages and the delivery log.
pub fn last_digits(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    digits.iter().skip(digits.len().saturating_sub(2)).collect()
}

async fn page(ctx: Ctx) -> Result {
    if !ctx.app.config.dev_mode {
        return Ok(ctx.page(
            StatusCode::NOT_FOUND,
            crate::views::layout::message("Not found", ""),
        ));
    }
    let messages = ctx.app.db.outbox().await?;
    Ok(ctx.ok(view::page(&ctx.csrf, &messages)))
}

#[derive(Deserialize)]
struct StatusForm {
    status: String,
}

/// What a provider's callback would report for each button.
fn status_of(button: &str) -> Option<Status> {
    match button {
        "delivered" => Some(Status::Delivered),
        // Twilio's 30003: "unreachable destination handset".
        "failed" => Some(Status::Undelivered(Failure::new(
            FailureKind::Unreachable,
            Some(30003),
        ))),
        // Handed to the carrier, no receipt: the diagnostic calls it a delay.
        "delayed" => Some(Status::Sent),
        _ => None,
    }
}

async fn set_status(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<StatusForm>) -> Result {
    if !ctx.app.config.dev_mode {
        return Ok(ctx.page(
            StatusCode::NOT_FOUND,
            crate::views::layout::message("Not found", ""),
        ));
    }
    let (Some(message), Some(status)) =
        (ctx.app.db.outbox_message(id).await?, status_of(&f.status))
    else {
        return Ok(ctx.page(
            StatusCode::NOT_FOUND,
            crate::views::layout::message("Not found", "No such message."),
        ));
    };
    let now = ctx.now;
    let pid = message.provider_id.clone();
    let recorded = ctx
        .app
        .db
        .update_account(message.user, |a| {
            delivered::record_status(&pid, status, now, a.delivered())
                .map(|s| ((), a.with_delivered(s)))
        })
        .await?;
    if let Err(e) = recorded {
        // Evicted from the log (it keeps the last ten): a real callback is answered 200 all the same.
        tracing::warn!(error = %e, "status for a message not in the log");
    }
    ctx.app.db.set_outbox_status(id, &f.status).await?;
    tracing::info!(provider_id = %message.provider_id, status = %f.status, "provider status recorded");
    Ok(ctx.redirect("/outbox"))
}
