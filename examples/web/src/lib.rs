//! twostep's reference web service: sign-up and sign-in with a password and a
//! second step (authenticator app, SMS code, backup code, remembered device),
//! the account page, a development SMS outbox and a support desk, on SQLite
//! or PostgreSQL.
//!
//! `cargo run -p twostep-web` serves it on <http://127.0.0.1:3000>; `config`
//! lists the environment it reads. The binary (`main.rs`) calls [`serve`];
//! the tests drive it over HTTP and in a browser.

mod clock;
pub mod config;
pub mod db;
mod http;
mod limit;
mod routes;
mod state;
mod views;

use std::net::{Ipv4Addr, SocketAddr};

/// Serves the service on 127.0.0.1 until Ctrl-C.
///
/// # Errors
///
/// A configuration, database or socket failure at start-up.
pub async fn serve(config: config::Config) -> Result<(), config::Error> {
    let db = db::Db::connect(&config.database_url).await?;
    let app = state::App::new(config, db)?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, app.config.port));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tracing::info!(%local, dev = app.config.dev_mode, backend = ?app.db.backend(), "listening on http://{local}/");
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
