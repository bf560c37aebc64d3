//! twostep's reference web service: sign-up and sign-in with a password and a
//! second step (authenticator app, SMS code, backup code, remembered device),
//! the account page, a development SMS outbox and a support desk.
//!
//! `cargo run -p twostep-web` serves it on <http://127.0.0.1:3000> with a
//! SQLite file; see `config.rs` for the environment it reads.

mod account_shim;
mod clock;
mod config;
#[path = "dev_store.rs"]
mod db;
mod http;
mod routes;
mod state;
mod views;

use std::net::{Ipv4Addr, SocketAddr};

use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // Log lines carry methods, paths and outcomes, never codes, passwords,
    // cookies or secrets: handlers log only what they name explicitly, and
    // no request or response body is ever logged.
    let filter = EnvFilter::try_from_env("TWOSTEP_WEB_LOG")
        .unwrap_or_else(|_| EnvFilter::new("twostep_web=info,warn"));
    tracing_subscriber::fmt().with_env_filter(filter).init();

    let config = config::Config::from_env()?;
    let db = db::Db::connect(&config.database_url).await?;
    let app = state::App::new(config, db)?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, app.config.port));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tracing::info!(%local, dev = app.config.dev_mode, "listening on http://{local}/");
    if app.config.dev_mode {
        tracing::warn!("development mode: the SMS outbox and the clock endpoint are open");
    }
    axum::serve(listener, routes::router(app))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
