//! Backups that restore: `create` writes one archive (a consistent, portable export of every table
//! and a manifest of every stored object with its checksum, optionally the objects themselves) to
//! `BACKUP_URL`; `verify` checks one; `restore` rebuilds a database from one; `copy_database`
//! moves the rows of one database into another (SQLite to PostgreSQL) without an archive.
//!
//! The export is JSON Lines per table, written through the typed entities (see `tables.rs`), so an
//! archive taken on SQLite restores on PostgreSQL and the other way round.
//!
//! The settings are in `config`, where archives go and which are kept in `location`, writing
//! one in `create`, checking and restoring one in `restore`, the archive's format in
//! `archive`, and the tables' export and import in `database` and `tables`.

mod archive;
mod config;
mod create;
mod database;
mod location;
mod restore;
mod streams;
mod tables;

use std::{path::PathBuf, time::Duration};

use sea_orm::{DatabaseBackend, DatabaseConnection};
use serde::{Deserialize, Serialize};

pub use archive::{FORMAT, Manifest, ObjectEntry, TableEntry};
pub use config::{BackupConfig, BackupUrl};
pub use create::Created;
pub use database::{copy_database, dump, table_names, uncovered_tables};
pub use location::ArchiveInfo;
pub use restore::{Restored, Verified};

use crate::{
    Actor,
    jobs::Job,
    storage::{Storage, StorageConfig, StorageError},
};

/// Why a backup command failed, in words an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("no archive named `{name}` in {location}, and no such file")]
    UnknownArchive { name: String, location: String },
    #[error("archive {archive}: {reason:#}")]
    Unreadable { archive: String, reason: anyhow::Error },
    #[error("archive {archive} failed its checks:\n  {}", problems.join("\n  "))]
    Corrupt { archive: String, problems: Vec<String> },
    #[error(
        "the archive comes from a newer schema than this version of smartai knows (unknown migrations: {}); \
         upgrade smartai first",
        unknown.join(", ")
    )]
    NewerSchema { unknown: Vec<String> },
    #[error(
        "the target database already holds {users} user(s); restore into an empty database, or pass --force to wipe it"
    )]
    NotEmpty { users: u64 },
    #[error(
        "the database has tables the backup does not know: {} (add them to domain/src/backup/tables.rs)",
        tables.join(", ")
    )]
    UncoveredTables { tables: Vec<String> },
    #[error("not allowed: backups are for administrators and the operator")]
    Forbidden,
    #[error("BACKUP_URL: {0:#}")]
    Location(anyhow::Error),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

type Result<T, E = BackupError> = std::result::Result<T, E>;

/// The scheduled backup: an archive (without the objects' bytes), then the oldest beyond
/// `BACKUP_KEEP` deleted. A redelivery makes one more archive, which the pruning then drops.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ScheduledBackup {}

impl Job for ScheduledBackup {
    const KIND: &'static str = "maintenance.backup";
    const MAX_ATTEMPTS: u32 = 3;
    const TIMEOUT: Duration = Duration::from_secs(3 * 3600);
}

/// One table's rows on both sides of `copy_database`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    pub name: String,
    pub source_rows: u64,
    pub target_rows: u64,
}

#[derive(Clone)]
pub struct BackupService {
    db: DatabaseConnection,
    storage: Storage,
    config: BackupConfig,
    storage_config: StorageConfig,
    data_dir: PathBuf,
}

impl BackupService {
    pub fn new(
        db: DatabaseConnection,
        storage: Storage,
        config: BackupConfig,
        storage_config: StorageConfig,
        data_dir: PathBuf,
    ) -> Self {
        Self { db, storage, config, storage_config, data_dir }
    }

    pub fn config(&self) -> &BackupConfig {
        &self.config
    }

    /// The scheduled job (its handler acts as [`Actor::System`]): create, prune, and record the
    /// metrics.
    pub async fn run_scheduled(&self, actor: &Actor) -> anyhow::Result<()> {
        let created = self.create(actor, false).await?;
        metrics::histogram!(crate::metric_names::BACKUP_DURATION_SECONDS).record(created.elapsed.as_secs_f64());
        let pruned = self.prune(actor).await?;
        metrics::gauge!(crate::metric_names::BACKUP_LAST_SUCCESS_TIMESTAMP_SECONDS)
            .set(time::OffsetDateTime::now_utc().unix_timestamp() as f64);
        tracing::info!(
            archive = %created.name,
            rows = created.rows,
            objects = created.objects,
            bytes = created.bytes,
            pruned = pruned.len(),
            "backup: archive written"
        );
        Ok(())
    }
}

/// Archives hold every account's data and a restore replaces it all: administrators only, or
/// the operator (the CLI) and the platform (the scheduled job), who act as [`Actor::System`].
fn allow(actor: &Actor) -> Result<()> {
    actor.require_admin().map_err(|_| BackupError::Forbidden)
}

fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

fn backend_name(backend: DatabaseBackend) -> &'static str {
    match backend {
        DatabaseBackend::Postgres => "postgres",
        DatabaseBackend::Sqlite => "sqlite",
        DatabaseBackend::MySql => "mysql",
    }
}

fn location_error(err: StorageError) -> BackupError {
    BackupError::Location(anyhow::Error::new(err))
}
