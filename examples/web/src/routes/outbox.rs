//! The development SMS provider: sending a text puts it in the outbox, and
//! the outbox page's buttons stand in for the provider's status callbacks
//! (delivered, failed, delayed), fed to `delivered::record_status`.

use axum::Router;
use axum::extract::{Form, Path};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use twostep::account::{self, AccountError};
use twostep::delivered::{
    self, Binding, Channel, Failure, FailureKind, IssueError, Issuer, Reason, Status,
};
use twostep::time::Duration;

use crate::db::{OutboxStatus, UserId};
use crate::http::{Ctx, Result};
use crate::state::{App, DOMAIN, ISSUER, os_rng};
use crate::views::outbox as view;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/outbox", get(page))
        .route("/outbox/{id}/status", post(set_status))
}

/// Texts a code for `binding` (a sign-in, or confirming a new number) to
/// the user's phone through the outbox, and returns the number's hint.
/// `Ok(Err(wait))` when the cooldown or a send cap holds it back.
pub async fn send(
    ctx: &Ctx,
    user: UserId,
    binding: &Binding<'_>,
    reason: Reason,
) -> Result<std::result::Result<String, Duration>> {
    let Some(number) = ctx.app.db.phone(user).await? else {
        return Err("no phone number".into());
    };
    let (c, now) = (ctx.app.twostep.clone(), ctx.now);
    let issuer = Issuer::new(ISSUER, DOMAIN)?;
    let sent = ctx
        .app
        .update(user, |a| {
            let (message, next) = account::send_code(&c, binding, reason, now, &mut os_rng(), a)?;
            let text = message.sms_text(&issuer);
            Ok::<_, AccountError>(((message.id(), text), next))
        })
        .await?;
    let (id, text) = match sent {
        Ok(sent) => sent,
        Err(e) => match e {
            AccountError::Issue(IssueError::TooSoon { next_send_at, .. }) => {
                let wait = next_send_at.as_secs().saturating_sub(now.as_secs());
                return Ok(Err(Duration::seconds(
                    i64::try_from(wait).unwrap_or(i64::MAX),
                )));
            }
            _ => return Err(e.into()),
        },
    };
    // The provider answers the send with its id for the message; the
    // delivery log records it, and its status callbacks name it.
    let message = ctx
        .app
        .db
        .push_outbox(user, Channel::Sms, &number, &text, now)
        .await?;
    let provider_id = message.provider_id();
    let hint = last_digits(&number);
    ctx.app
        .update(user, |a| {
            let state = delivered::record_sent(id, &provider_id, &hint, a.delivered())?;
            Ok::<_, delivered::LogError>(((), account::with_delivered(a, state)))
        })
        .await??;
    tracing::info!(%user, provider_id, ?reason, "text message sent");
    Ok(Ok(hint))
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
fn status_of(button: OutboxStatus) -> Status {
    match button {
        OutboxStatus::Delivered => Status::Delivered,
        // Twilio's 30003: "unreachable destination handset".
        OutboxStatus::Failed => {
            Status::Undelivered(Failure::new(FailureKind::Unreachable, Some(30003)))
        }
        // Handed to the carrier, no receipt: the diagnostic calls it a delay.
        OutboxStatus::Delayed | OutboxStatus::Sent => Status::Sent,
    }
}

async fn set_status(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<StatusForm>) -> Result {
    if !ctx.app.config.dev_mode {
        return Ok(ctx.page(
            StatusCode::NOT_FOUND,
            crate::views::layout::message("Not found", ""),
        ));
    }
    let now = ctx.now;
    let Ok(button) = f.status.parse::<OutboxStatus>() else {
        return Ok(ctx.page(
            StatusCode::BAD_REQUEST,
            crate::views::layout::message("Bad request", "No such status."),
        ));
    };
    let Some(message) = ctx.app.db.set_outbox_status(id, button, now).await? else {
        return Ok(ctx.page(
            StatusCode::NOT_FOUND,
            crate::views::layout::message("Not found", "No such message."),
        ));
    };
    let pid = message.provider_id();
    let status = status_of(button);
    let recorded = ctx
        .app
        .update(message.user, |a| {
            delivered::record_status(&pid, status, now, a.delivered())
                .map(|s| ((), account::with_delivered(a, s)))
        })
        .await?;
    if let Err(e) = recorded {
        // Evicted from the log (it keeps the last ten): a real callback is answered 200 all the same.
        tracing::warn!(error = %e, "status for a message not in the log");
    }
    tracing::info!(provider_id = %pid, status = %button, "provider status recorded");
    Ok(ctx.redirect("/outbox"))
}
