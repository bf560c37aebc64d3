//! The router: one module per area of the site.

mod account;
mod auth;
mod dev;
mod enrol;
mod outbox;
mod support;

use axum::Router;
use axum::middleware::{from_fn_with_state, map_response};
use axum::routing::get;
use twostep::UnixTime;
use twostep::account::reverify;

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
        .layer(map_response(crate::http::security_headers))
        .with_state(app)
}

async fn home(ctx: Ctx) -> Result {
    if ctx.signed_in().is_some() {
        return Ok(ctx.redirect("/account"));
    }
    Ok(ctx.ok(crate::views::auth::home()))
}

/// A signed-in session ends when twostep's AAL2 re-verification policy
/// (NIST SP 800-63B rev. 4: 24 hours overall, 1 hour idle) asks for the
/// second factor again; a session waiting for its second step ends after
/// 15 minutes.
pub fn session_expired(s: &Session, now: UnixTime) -> bool {
    match s.verified_at {
        Some(verified_at) => {
            let session = reverify::Session {
                verified_at,
                last_active: s.last_active,
            };
            !reverify::check(
                &reverify::Policy::AAL2,
                &session,
                now,
                reverify::Action::Normal,
            )
            .is_fresh()
        }
        None => now.as_secs().saturating_sub(s.created_at.as_secs()) >= 15 * 60,
    }
}
