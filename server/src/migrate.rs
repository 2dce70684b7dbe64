//! Keeping the schema current: the `migration` crate's migrations, applied by `smartai migrate up`
//! (and by `serve` when MIGRATE_ON_START says so), one process at a time; every other command only
//! checks that the schema is not behind. See docs/migrations.md.

use std::time::Duration;

use anyhow::{Context, bail};
use migration::{Migrator, MigratorTrait, SchemaManager};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, FromQueryResult, Statement};

/// The PostgreSQL advisory lock `smartai migrate up` holds while it migrates: any 64-bit number
/// no other program on the database uses ("smartai" in ASCII, then 1 for migrations).
const LOCK_KEY: i64 = 0x736d_6172_7461_6901;

/// The command to run when the schema is behind; every refusal names it.
pub const UP_COMMAND: &str = "smartai migrate up";

/// How this binary's migrations compare with those the database records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    /// Known to this binary and applied.
    pub applied: Vec<String>,
    /// Known to this binary, not applied yet: the schema is behind.
    pub pending: Vec<String>,
    /// Applied, but unknown to this binary: a newer version migrated the database (a rolling
    /// update in progress, or this binary is the old one).
    pub unknown: Vec<String>,
}

impl Schema {
    pub fn is_behind(&self) -> bool {
        !self.pending.is_empty()
    }

    pub fn is_ahead(&self) -> bool {
        !self.unknown.is_empty()
    }
}

#[derive(FromQueryResult)]
struct Version {
    version: String,
}

/// Reads the schema's state without writing anything (a fresh database has no migration table
/// yet: everything is pending).
pub async fn schema(db: &DatabaseConnection) -> anyhow::Result<Schema> {
    let known: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
    let table = "seaql_migrations";
    let recorded: Vec<String> = if SchemaManager::new(db).has_table(table).await.context("reading the schema failed")? {
        let sql = format!("SELECT version FROM {table} ORDER BY version");
        Version::find_by_statement(Statement::from_string(db.get_database_backend(), sql))
            .all(db)
            .await
            .context("reading the applied migrations failed")?
            .into_iter()
            .map(|v| v.version)
            .collect()
    } else {
        Vec::new()
    };
    let (applied, pending) = known.into_iter().partition(|name| recorded.contains(name));
    let unknown =
        recorded.into_iter().filter(|name| !Migrator::migrations().iter().any(|m| m.name() == name)).collect();
    Ok(Schema { applied, pending, unknown })
}

/// What every command but `migrate up` does before touching data: refuse a schema that is behind
/// this binary (naming the pending migrations and the command that applies them); carry on, with
/// a warning, on a schema ahead of it (a newer version migrated it, as a rolling update does).
pub async fn require_current(db: &DatabaseConnection) -> anyhow::Result<Schema> {
    let schema = schema(db).await?;
    if schema.is_behind() {
        bail!(
            "the database schema is behind this smartai: {} migration(s) pending ({}); run `{UP_COMMAND}` first \
             (or, for `serve` alone, set MIGRATE_ON_START=true)",
            schema.pending.len(),
            schema.pending.join(", ")
        );
    }
    if schema.is_ahead() {
        tracing::warn!(
            unknown = schema.unknown.join(","),
            "the database schema is ahead of this smartai: a newer version applied migrations it does not know; \
             carrying on (as during a rolling update)"
        );
    }
    Ok(schema)
}

/// Applies every pending migration, one process at a time (see [`MigrationLock`]), so that several
/// started together apply each migration once: the others wait, then find nothing to do. Refuses
/// a schema ahead of this binary: an older binary must not migrate what a newer one shaped.
pub async fn up(db: &DatabaseConnection) -> anyhow::Result<Schema> {
    let lock = MigrationLock::acquire(db).await?;
    let result = async {
        let before = schema(db).await?;
        if before.is_ahead() {
            bail!(
                "the database schema is ahead of this smartai (unknown migrations: {}): migrate with the newer version",
                before.unknown.join(", ")
            );
        }
        if before.is_behind() {
            tracing::info!(pending = before.pending.join(","), "applying database migrations");
            Migrator::up(db, None).await.context("applying database migrations failed")?;
        }
        Ok(before)
    }
    .await;
    lock.release().await;
    result
}

pub async fn down(db: &DatabaseConnection, steps: u32) -> anyhow::Result<()> {
    let lock = MigrationLock::acquire(db).await?;
    let result = Migrator::down(db, Some(steps)).await.context("reverting database migrations failed");
    lock.release().await;
    result
}

/// Connects to the configured database, applies what is pending, and closes: `smartai migrate up`,
/// and `serve` with MIGRATE_ON_START.
pub async fn up_at(config: &domain::config::DatabaseConfig) -> anyhow::Result<Schema> {
    let db = domain::db::connect(config).await?;
    let result = up(&db).await;
    let _ = db.close().await;
    result
}

/// Held for a whole migration run, and freed by `release` or by the process's death:
/// - on PostgreSQL, a session-level advisory lock on a connection of its own (taken from the pool
///   and detached from it), which the server drops with the connection;
/// - on SQLite, an exclusive lock on a file beside the database's (`<database>.migrate-lock`),
///   which the kernel drops with the file. One SQLite file may be shared by several processes
///   (`serve` and `worker`, or the old and the new release during a restart), and SQLite's own
///   locks last one transaction while a run is many.
enum MigrationLock {
    Postgres(sea_orm::sqlx::PgConnection),
    Sqlite(std::fs::File),
    /// An in-memory database: one connection's own.
    None,
}

impl MigrationLock {
    async fn acquire(db: &DatabaseConnection) -> anyhow::Result<Self> {
        match db.get_database_backend() {
            DatabaseBackend::Postgres => Self::postgres(db).await,
            DatabaseBackend::Sqlite => Self::sqlite(db).await,
            _ => Ok(Self::None),
        }
    }

    async fn postgres(db: &DatabaseConnection) -> anyhow::Result<Self> {
        use sea_orm::sqlx;

        let mut conn = db
            .get_postgres_connection_pool()
            .acquire()
            .await
            .context("opening the migration lock's connection")?
            .detach();
        let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(LOCK_KEY)
            .fetch_one(&mut conn)
            .await
            .context("taking the migration lock")?;
        if !locked {
            tracing::info!("another process is migrating this database; waiting for it");
            let started = std::time::Instant::now();
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(LOCK_KEY)
                .execute(&mut conn)
                .await
                .context("waiting for the migration lock")?;
            tracing::info!(waited = ?started.elapsed(), "migration lock taken");
        }
        Ok(Self::Postgres(conn))
    }

    async fn sqlite(db: &DatabaseConnection) -> anyhow::Result<Self> {
        // SQLite's own answer: the main database's file, empty for any in-memory form
        // (`sqlite::memory:`, `?mode=memory`), which sqlx names `file:sqlx-in-memory-N`.
        let statement = Statement::from_string(
            DatabaseBackend::Sqlite,
            "SELECT file FROM pragma_database_list WHERE name = 'main'",
        );
        let file: String = db
            .query_one(statement)
            .await
            .context("finding the SQLite file to lock for migrations")?
            .and_then(|row| row.try_get::<String>("", "file").ok())
            .unwrap_or_default();
        if file.is_empty() {
            return Ok(Self::None);
        }
        let path = std::path::PathBuf::from(format!("{file}.migrate-lock"));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("opening the migration lock {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(Self::Sqlite(file)),
            Err(std::fs::TryLockError::WouldBlock) => {
                tracing::info!("another process is migrating this database; waiting for it");
                let started = std::time::Instant::now();
                let file = tokio::task::spawn_blocking(move || file.lock().map(|()| file))
                    .await
                    .context("waiting for the migration lock")?
                    .with_context(|| format!("waiting for the migration lock {}", path.display()))?;
                tracing::info!(waited = ?started.elapsed(), "migration lock taken");
                Ok(Self::Sqlite(file))
            }
            Err(std::fs::TryLockError::Error(err)) => {
                Err(err).with_context(|| format!("taking the migration lock {}", path.display()))
            }
        }
    }

    async fn release(self) {
        use sea_orm::sqlx::{self, Connection};

        match self {
            Self::Postgres(mut conn) => {
                if let Err(err) = sqlx::query("SELECT pg_advisory_unlock($1)").bind(LOCK_KEY).execute(&mut conn).await {
                    tracing::warn!(error = %err, "releasing the migration lock failed; closing its connection frees it");
                }
                let _ = tokio::time::timeout(Duration::from_secs(5), conn.close()).await;
            }
            // Closing the file releases its lock.
            Self::Sqlite(file) => drop(file),
            Self::None => {}
        }
    }
}
