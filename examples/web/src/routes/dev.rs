//! Development mode only: move the service's clock, so tests can wait out a
//! back-off or a session's lifetime without waiting. Off (404) unless
//! `TWOSTEP_WEB_DEV=1`.

use axum::Router;
use axum::extract::Form;
use axum::http::StatusCode;
use axum::routing::get;
use maud::html;
use serde::Deserialize;

use crate::http::{Ctx, Result};
use crate::state::App;
use crate::views::layout::{csrf, message, page, time};

pub fn routes() -> Router<App> {
    Router::new().route("/dev/clock", get(clock_page).post(set_clock))
}

fn not_found(ctx: &Ctx) -> axum::response::Response {
    ctx.page(StatusCode::NOT_FOUND, message("Not found", ""))
}

async fn clock_page(ctx: Ctx) -> Result {
    if !ctx.app.config.dev_mode {
        return Ok(not_found(&ctx));
    }
    Ok(ctx.ok(page("Development clock", None, html! {
        p.warn { "Development mode only. The service believes it is " span #now { (time(ctx.now)) } "." }
        form method="post" action="/dev/clock" {
            (csrf(&ctx.csrf))
            label for="offset" { "Seconds ahead of the real time" }
            input #offset type="number" name="offset" value=(ctx.app.clock.offset());
            p { button #set type="submit" { "Set" } }
        }
    })))
}

#[derive(Deserialize)]
struct Offset {
    offset: i64,
}

async fn set_clock(ctx: Ctx, Form(f): Form<Offset>) -> Result {
    if !ctx.app.config.dev_mode {
        return Ok(not_found(&ctx));
    }
    ctx.app.clock.set_offset(f.offset);
    tracing::warn!(offset = f.offset, "development clock moved");
    Ok(ctx.redirect("/dev/clock"))
}
