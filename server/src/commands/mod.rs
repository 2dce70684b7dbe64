//! The command-line doors: each is a thin call onto the same services the web app uses.
//!
//! One module per command. Where a command prints a report, the report is a type of its own that
//! implements `Display`, so what a command does and what it prints can be read apart.

mod api;
mod audit;
mod backup;
mod jobs;
mod keys;
mod mail;
mod migrate;
mod migrate_data;
mod serve;
mod storage;
mod user;
mod worker;

use std::fmt;

use crate::cli::{BackupAction, Cli, Command, KeysAction, StorageAction};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve);
    // The operator's one-shot commands migrate first where `serve` would (the embedded SQLite
    // database by default, or MIGRATE_ON_START); `serve` does it in `Application::build`, `worker`
    // never (a fleet's workers wait for `smartai migrate up`), and restore and migrate-data always.
    let one_shot = !matches!(
        command,
        Command::Serve
            | Command::Worker
            | Command::Migrate { .. }
            | Command::MigrateData { .. }
            | Command::Api { .. }
            | Command::Keys { action: KeysAction::Generate }
            | Command::Backup { action: BackupAction::Restore { .. } }
    );
    if one_shot && cli.server.migrates_on_start(&cli.domain.database) {
        crate::migrate::up_at(&cli.domain.database).await?;
    }
    match command {
        Command::Serve => serve::run(cli.domain, cli.server).await,
        Command::Migrate { action } => migrate::run(&cli.domain, action).await,
        Command::User { action } => user::run(&cli.domain, action).await,
        Command::Storage { action: StorageAction::Check { fix } } => storage::check(&cli.domain, fix).await,
        Command::Storage { action: StorageAction::Reindex } => storage::reindex(&cli.domain).await,
        Command::Worker => worker::run(&cli.domain, &cli.server).await,
        Command::Jobs { action } => jobs::run(&cli.domain, action).await,
        Command::Mail { action } => mail::run(&cli.domain, action).await,
        Command::Audit { action } => audit::run(&cli.domain, action).await,
        Command::Keys { action } => keys::run(&cli.domain, action).await,
        Command::Backup { action } => backup::run(&cli.domain, action).await,
        Command::MigrateData { from, to, force } => migrate_data::run(&cli.domain, from, to, force).await,
        Command::Api { action } => api::run(action),
    }
}

/// Writes a report's lines with a newline between them and none after the last, for
/// `println!("{report}")` to end it.
struct Lines<'a, 'f> {
    f: &'a mut fmt::Formatter<'f>,
    first: bool,
}

impl<'a, 'f> Lines<'a, 'f> {
    fn new(f: &'a mut fmt::Formatter<'f>) -> Self {
        Self { f, first: true }
    }

    fn line(&mut self, text: fmt::Arguments<'_>) -> fmt::Result {
        if !std::mem::take(&mut self.first) {
            self.f.write_str("\n")?;
        }
        self.f.write_fmt(text)
    }
}

/// Ctrl+C or SIGTERM (what `docker stop` and Kubernetes send).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested");
}
