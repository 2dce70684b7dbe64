//! `smartai serve` (and `smartai` alone): the web app, until Ctrl+C or SIGTERM.

use super::shutdown_signal;
use crate::{settings::ServerConfig, startup::Application};

pub(super) async fn run(domain: domain::config::Config, server: ServerConfig) -> anyhow::Result<()> {
    let app = Application::build(&domain, &server).await?;
    // Start-up hashes a dummy password (argon2 takes 19 MiB) and reads the schema: give back what
    // that freed rather than idle on it.
    domain::heavy::release_memory();
    let url = match &domain.public_url {
        Some(url) => url.to_string(),
        None => format!("http://{}/", app.address()),
    };
    tracing::info!(%url, database = %domain.database.url(), "listening");
    println!("SmartAIPlatForm is running at {url}  (Ctrl+C stops it)");
    app.run_until_stopped(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}
