//! The router: one module per area of the site.

mod account;
mod auth;
mod dev;
mod enrol;
mod outbox;
mod support;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use twostep::UnixTime;

use crate::db::Session;
use crate::http::{Ctx, Result};
use crate::state::App;

/// Every page; the CSRF check wraps them all.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/", get(home))
        .merge(auth::routes())
        .merge(enrol::routes())
        .merge(account::routes())
        .merge(outbox::routes())
        .merge(support::routes())
        .merge(dev::routes())
        .layer(from_fn_with_state(app.clone(), crate::http::csrf_guard))
        .with_state(app)
}

async fn home(ctx: Ctx) -> Result {
    if ctx.signed_in().is_some() {
        return Ok(ctx.redirect("/account"));
    }
    Ok(ctx.ok(crate::views::auth::home()))
}

/// Sessions end after 24 hours, or after 1 hour without a request (NIST SP
/// 800-63B rev. 4 at AAL2).
pub fn session_expired(s: &Session, now: UnixTime) -> bool {
    let age = now.as_secs().saturating_sub(s.created_at.as_secs());
    let idle = now.as_secs().saturating_sub(s.last_active.as_secs());
    age >= 24 * 3600 || idle >= 3600
}
