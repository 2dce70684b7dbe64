//! The database side of a backup: one consistent snapshot of every table written as JSON Lines,
//! and loading those files into another database in one transaction.

use std::{
    collections::BTreeMap,
    fs::File,
    io::{BufReader, BufWriter, Write},
    path::{Path, PathBuf},
};

use anyhow::Context;
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, EntityTrait, IsolationLevel,
    PaginatorTrait, Statement, TransactionTrait,
};

use super::{BackupError, FORMAT, Manifest, Result, TableCopy, TableEntry, archive, backend_name, rfc3339, tables};
use crate::entities::user;

/// Copies every row of `from` into `to` (whose schema the caller has brought up to date), in one
/// transaction on each side; returns the row counts of both, table by table.
pub async fn copy_database(from: &DatabaseConnection, to: &DatabaseConnection, force: bool) -> Result<Vec<TableCopy>> {
    let work = tempfile::tempdir().context("cannot create a temporary folder")?;
    let (migrations, tables) = export(from, work.path()).await?;
    let files: BTreeMap<String, PathBuf> =
        tables.iter().map(|t| (t.name.clone(), work.path().join(format!("{}.jsonl", t.name)))).collect();
    let manifest = Manifest {
        format: FORMAT,
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        created_at: rfc3339(time::OffsetDateTime::now_utc()),
        source: backend_name(from.get_database_backend()).to_owned(),
        migrations,
        tables,
        objects_included: false,
        objects: Vec::new(),
    };
    load(to, &manifest, &files, force).await?;
    let mut counts = Vec::new();
    for table in tables::all().into_iter().filter(|t| t.kept()) {
        let source_rows = manifest.tables.iter().find(|t| t.name == table.name()).map_or(0, |t| t.rows);
        counts.push(TableCopy { name: table.name().to_owned(), source_rows, target_rows: table.count(to).await? });
    }
    Ok(counts)
}

/// Every row of every table, sorted by primary key, as the archive would hold them: for
/// comparing two databases in tests and after a move.
pub async fn dump(db: &DatabaseConnection) -> Result<BTreeMap<String, Vec<serde_json::Value>>> {
    let work = tempfile::tempdir().context("cannot create a temporary folder")?;
    let (_, tables) = export(db, work.path()).await?;
    let mut rows = BTreeMap::new();
    for table in tables {
        let text = std::fs::read_to_string(work.path().join(format!("{}.jsonl", table.name)))
            .context("reading the exported rows")?;
        let values = text.lines().map(serde_json::from_str).collect::<Result<Vec<_>, _>>().context("parsing rows")?;
        rows.insert(table.name, values);
    }
    Ok(rows)
}

/// The tables of the database that the backup's list does not cover.
pub async fn uncovered_tables(db: &impl ConnectionTrait) -> Result<Vec<String>> {
    let known = table_names();
    Ok(database_tables(db).await?.into_iter().filter(|t| t != "seaql_migrations" && !known.contains(t)).collect())
}

/// The names of the tables a backup knows, in restore order: those it carries and those a restore
/// only empties (scratch tables, left out of archives).
pub fn table_names() -> Vec<String> {
    tables::all().iter().map(|t| t.name().to_owned()).collect()
}

/// Writes `dir/NAME.jsonl` for every table, from one snapshot of the database: REPEATABLE READ
/// on PostgreSQL; on SQLite a transaction, whose first read fixes the snapshot (WAL mode).
pub(super) async fn export(db: &DatabaseConnection, dir: &Path) -> Result<(Vec<String>, Vec<TableEntry>)> {
    let txn = match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            db.begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly)).await
        }
        _ => db.begin().await,
    }
    .context("starting the export transaction")?;
    let uncovered = uncovered_tables(&txn).await?;
    if !uncovered.is_empty() {
        return Err(BackupError::UncoveredTables { tables: uncovered });
    }
    let migrations = applied_migrations(&txn).await?;
    let mut entries = Vec::new();
    for table in tables::all().into_iter().filter(|t| t.kept()) {
        let path = dir.join(format!("{}.jsonl", table.name()));
        let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        let mut out = archive::Hashing::new(BufWriter::new(file));
        let rows = table.export(&txn, &mut out).await?;
        out.flush().context("writing the export")?;
        let (_, bytes, _, sha256) = out.finish();
        entries.push(TableEntry { name: table.name().to_owned(), rows, bytes, sha256 });
    }
    txn.commit().await.context("ending the export transaction")?;
    Ok((migrations, entries))
}

/// Empties every table of `db` and loads the files of `manifest`, in one transaction: a failure
/// leaves the database as it was. Returns the rows wiped and the rows loaded.
pub(super) async fn load(
    db: &DatabaseConnection,
    manifest: &Manifest,
    files: &BTreeMap<String, PathBuf>,
    force: bool,
) -> Result<(u64, u64)> {
    let applied = applied_migrations(db).await?;
    let unknown: Vec<String> = manifest.migrations.iter().filter(|m| !applied.contains(m)).cloned().collect();
    if !unknown.is_empty() {
        return Err(BackupError::NewerSchema { unknown });
    }
    let known = table_names();
    let strangers: Vec<String> =
        manifest.tables.iter().filter(|t| !known.contains(&t.name)).map(|t| t.name.clone()).collect();
    if !strangers.is_empty() {
        return Err(
            anyhow::anyhow!("the archive has tables this version does not know: {}", strangers.join(", ")).into()
        );
    }
    let users = user::Entity::find().count(db).await.context("counting users")?;
    if users > 0 && !force {
        return Err(BackupError::NotEmpty { users });
    }

    let txn = db.begin().await.context("starting the restore transaction")?;
    let all = tables::all();
    let mut wiped = 0;
    // Children first; this also clears rows the migrations themselves insert (the audit head).
    for table in all.iter().rev() {
        wiped += table.wipe(&txn).await?;
    }
    let mut rows = 0;
    for table in &all {
        let Some(entry) = manifest.tables.iter().find(|t| t.name == table.name()) else { continue };
        let path = files.get(&entry.name).with_context(|| format!("table {}: no file", entry.name))?;
        let mut lines = BufReader::new(File::open(path).with_context(|| format!("cannot open {}", path.display()))?);
        let loaded = import_into(table.as_ref(), &txn, &mut lines).await?;
        if loaded != entry.rows {
            return Err(anyhow::anyhow!(
                "table {}: loaded {loaded} rows, the manifest says {}",
                entry.name,
                entry.rows
            )
            .into());
        }
        rows += loaded;
    }
    restart_sequences(&txn).await?;
    recount_storage(&txn).await?;
    txn.commit().await.context("committing the restore")?;
    // Rows the migrations seed are not what a user would call "wiped".
    let wiped = if users > 0 { wiped } else { 0 };
    Ok((wiped, rows))
}

/// Tables whose id PostgreSQL hands out from a sequence. Rows are loaded with their ids, which
/// leaves the sequence behind, so the next insert would collide with a restored row.
const SEQUENCES: &[(&str, &str)] = &[("passages", "id")];

async fn restart_sequences(txn: &DatabaseTransaction) -> Result<()> {
    if txn.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(()); // SQLite's rowids continue from the largest stored one.
    }
    for (table, column) in SEQUENCES {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), COALESCE(MAX({column}), 0) + 1, false) FROM {table}"
        );
        txn.execute_unprepared(&sql).await.with_context(|| format!("restarting the id sequence of {table}"))?;
    }
    Ok(())
}

/// The bytes each user's files take, counted from the files restored: an archive made before
/// `storage_usage` existed has none, and one made during a resumable upload counts the space that
/// upload reserved, but the upload itself is not restored (its parts are not in the archive).
async fn recount_storage(txn: &DatabaseTransaction) -> Result<()> {
    let backend = txn.get_database_backend();
    for sql in [
        "DELETE FROM storage_usage",
        "INSERT INTO storage_usage (user_id, used) SELECT owner_id, CAST(SUM(size) AS BIGINT) FROM files GROUP BY owner_id",
    ] {
        txn.execute(Statement::from_string(backend, sql)).await.context("counting the storage each user takes")?;
    }
    Ok(())
}

async fn import_into(
    table: &dyn tables::Table,
    txn: &DatabaseTransaction,
    lines: &mut BufReader<File>,
) -> anyhow::Result<u64> {
    table.import(txn, lines).await
}

/// The migrations recorded in `seaql_migrations`, sorted.
async fn applied_migrations(db: &impl ConnectionTrait) -> Result<Vec<String>> {
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT version FROM seaql_migrations ORDER BY version",
        ))
        .await
        .context("reading the applied migrations (is the schema migrated?)")?;
    rows.iter().map(|row| row.try_get::<String>("", "version").map_err(|e| anyhow::Error::new(e).into())).collect()
}

async fn database_tables(db: &impl ConnectionTrait) -> Result<Vec<String>> {
    let sql = match db.get_database_backend() {
        DatabaseBackend::Postgres => "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()",
        _ => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    };
    let rows = db.query_all(Statement::from_string(db.get_database_backend(), sql)).await.context("listing tables")?;
    let mut names = rows
        .iter()
        .map(|row| row.try_get::<String>("", "name"))
        .collect::<Result<Vec<_>, _>>()
        .context("listing tables")?;
    names.sort();
    Ok(names)
}
