//! Opening the database.

use std::time::{Duration, Instant};

use anyhow::Context;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

use crate::config::DatabaseConfig;

/// Connects to the configured database (creating the SQLite folder when needed). The error names
/// the setting, so a bad `DATABASE_URL` is one clear line at start-up.
pub async fn connect(config: &DatabaseConfig) -> anyhow::Result<DatabaseConnection> {
    let url = config.url();
    if let Some(path) = url.sqlite_path()
        && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).with_context(|| format!("DATA_DIR: cannot create {}", dir.display()))?;
    }
    let mut options = ConnectOptions::new(url.as_ref());
    // sea-orm gives both timeouts to the pool's one acquire timeout: the pool gets the short
    // per-request one, and start-up waits up to the connect timeout below on its own.
    options
        .max_connections(config.max_connections)
        .acquire_timeout(config.acquire_timeout)
        .connect_lazy(true)
        .sqlx_logging(false)
        // On every pooled connection, not just the first: WAL lets readers proceed while a write is
        // in progress, and NORMAL syncs at checkpoints instead of at every commit. SQLite's default
        // (FULL) fsyncs each commit, which also forces out whatever file bytes the request just
        // wrote: a resumable upload ran at a tenth of the disk's speed. A power cut may lose the
        // last commits but never corrupts the file; Rails and PocketBase ship the same setting.
        .map_sqlx_sqlite_opts(|sqlite| {
            sqlite.journal_mode(SqliteJournalMode::Wal).synchronous(SqliteSynchronous::Normal)
        });
    let db = Database::connect(options)
        .await
        .with_context(|| format!("DATABASE_URL: cannot connect to {}", url.redacted()))?;
    wait_until_reachable(&db, config.connect_timeout)
        .await
        .with_context(|| format!("DATABASE_URL: cannot connect to {}", url.redacted()))?;
    Ok(db)
}

/// Start-up: the first connection, retried while the database is not there yet (refused, or the
/// pool's acquire timeout passed) for up to `limit`; any other error (a wrong password, no such
/// database) at once.
async fn wait_until_reachable(db: &DatabaseConnection, limit: Duration) -> Result<(), DbErr> {
    let started = Instant::now();
    loop {
        let left = limit.saturating_sub(started.elapsed());
        let ping = tokio::time::timeout(left, db.ping()).await;
        match ping.unwrap_or(Err(DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout))) {
            Ok(()) => return Ok(()),
            Err(err)
                if crate::error::is_unavailable(&err) && started.elapsed() + Duration::from_millis(100) < limit =>
            {
                tracing::debug!(error = %err, "the database is not reachable yet; retrying");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(err) => return Err(err),
        }
    }
}
