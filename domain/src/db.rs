//! Opening the database.

use anyhow::Context;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};

use crate::config::{Backend, DatabaseConfig};

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
    options
        .max_connections(config.max_connections)
        .connect_timeout(config.connect_timeout)
        .acquire_timeout(config.connect_timeout)
        .sqlx_logging(false);
    let db = Database::connect(options)
        .await
        .with_context(|| format!("DATABASE_URL: cannot connect to {}", url.redacted()))?;
    if url.backend() == Backend::Sqlite {
        // WAL lets readers proceed while a write is in progress; the setting persists in the file.
        db.execute_unprepared("PRAGMA journal_mode=WAL").await.context("DATABASE_URL: cannot enable WAL")?;
    }
    Ok(db)
}
