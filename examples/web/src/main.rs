//! `cargo run -p twostep-web`: the reference service on 127.0.0.1.

use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> Result<(), twostep_web::config::Error> {
    // Log lines carry methods, paths, user ids and outcomes, never codes,
    // passwords, cookies or secrets: handlers log only the fields they name,
    // and no request or response body is ever logged.
    let filter = EnvFilter::try_from_env("TWOSTEP_WEB_LOG")
        .unwrap_or_else(|_| EnvFilter::new("twostep_web=info,warn"));
    tracing_subscriber::fmt().with_env_filter(filter).init();
    twostep_web::serve(twostep_web::config::Config::from_env()?).await
}
