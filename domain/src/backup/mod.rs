//! Backups that restore: `create` writes one archive (a consistent, portable export of every table
//! and a manifest of every stored object with its checksum, optionally the objects themselves) to
//! `BACKUP_URL`; `verify` checks one; `restore` rebuilds a database from one; `copy_database`
//! moves the rows of one database into another (SQLite to PostgreSQL) without an archive.
//!
//! The export is JSON Lines per table, written through the typed entities (see `tables.rs`), so an
//! archive taken on SQLite restores on PostgreSQL and the other way round.

mod archive;
mod database;
mod tables;

use std::{
    collections::BTreeMap,
    fmt,
    path::{Path, PathBuf},
    str::FromStr,
    time::{Duration, Instant},
};

use anyhow::Context;
use bytes::Bytes;
use clap::Args;
use futures_util::{Stream, StreamExt, TryStreamExt};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use archive::{FORMAT, Manifest, ObjectEntry, TableEntry};
pub use database::{copy_database, dump, table_names, uncovered_tables};
use database::{export, load};

use crate::{
    jobs::Job,
    storage::{Storage, StorageConfig, StorageError, StorageUrl},
};

const PREFIX: &str = "smartai-";
const SUFFIX: &str = ".tar.gz";

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Backups")]
pub struct BackupConfig {
    /// Where backup archives go: a folder (path or file:///folder), or s3://bucket/prefix (with the
    /// S3_* settings of storage). Defaults to DATA_DIR/backups.
    #[arg(id = "backup_url", long = "backup-url", env = "BACKUP_URL", value_name = "BACKUP_URL", global = true)]
    pub url: Option<BackupUrl>,

    /// When the scheduled backup runs: a cron expression with seconds, in UTC; empty turns it off.
    /// The default, 02:30 nightly, is after the day's traffic and before the 03:00 retention job,
    /// so the two do not compete for the database.
    #[arg(long = "backup-schedule", env = "BACKUP_SCHEDULE", value_name = "BACKUP_SCHEDULE",
          default_value = "0 30 2 * * *", value_parser = parse_schedule, global = true)]
    pub schedule: String,

    /// How many archives the scheduled backup keeps; older ones are deleted.
    #[arg(long = "backup-keep", env = "BACKUP_KEEP", value_name = "BACKUP_KEEP", default_value_t = 7,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub keep: u32,
}

fn parse_schedule(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if !raw.is_empty() {
        cron::Schedule::from_str(raw).map_err(|e| format!("not a cron expression with seconds ({e})"))?;
    }
    Ok(raw.to_owned())
}

/// A parsed `BACKUP_URL`: a plain path is a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupUrl(StorageUrl);

impl FromStr for BackupUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.contains("://") {
            return s.parse().map(Self);
        }
        if s.trim().is_empty() {
            return Err("an empty location".into());
        }
        Ok(Self(StorageUrl::Folder(s.to_owned())))
    }
}

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

/// What `create` wrote.
#[derive(Debug, Clone)]
pub struct Created {
    pub name: String,
    pub tables: usize,
    pub rows: u64,
    pub objects: usize,
    pub object_bytes: u64,
    pub objects_included: bool,
    /// The archive's size.
    pub bytes: u64,
    pub elapsed: Duration,
}

#[derive(Debug, Clone)]
pub struct ArchiveInfo {
    pub name: String,
    pub bytes: u64,
}

/// What `verify` found.
#[derive(Debug, Clone)]
pub struct Verified {
    pub manifest: Manifest,
    /// Empty when the archive (and, if asked, storage) matches its manifest.
    pub problems: Vec<String>,
}

/// What `restore` did.
#[derive(Debug, Clone)]
pub struct Restored {
    pub manifest: Manifest,
    /// Rows deleted from the target first (it held data and `--force` was given).
    pub wiped_rows: u64,
    pub rows: u64,
    pub objects_restored: usize,
    /// Objects of the manifest missing or different in storage after the restore.
    pub problems: Vec<String>,
    pub elapsed: Duration,
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

    /// The store archives go to. Opened on use, so a bad BACKUP_URL fails the backup that needs it
    /// (with the setting named) rather than the server's start.
    pub fn location(&self) -> Result<Storage> {
        let url = match &self.config.url {
            Some(BackupUrl(url)) => url.clone(),
            None => StorageUrl::Folder(self.data_dir.join("backups").to_string_lossy().into_owned()),
        };
        let config = StorageConfig { url: Some(url), presigned_downloads: false, ..self.storage_config.clone() };
        config.open(&self.data_dir).map_err(BackupError::Location)
    }

    /// Writes an archive to BACKUP_URL.
    #[tracing::instrument(skip_all, fields(with_objects), err)]
    pub async fn create(&self, with_objects: bool) -> Result<Created> {
        let started = Instant::now();
        let location = self.location()?;
        let work = tempfile::tempdir().context("cannot create a temporary folder")?;
        let name = archive_name(time::OffsetDateTime::now_utc());
        let path = work.path().join(&name);
        let mut writer = archive::ArchiveWriter::create(&path)?;

        let (migrations, tables) = export(&self.db, work.path()).await?;
        for table in &tables {
            let file = work.path().join(format!("{}.jsonl", table.name));
            writer.append_file(format!("tables/{}.jsonl", table.name), file.clone()).await?;
            let _ = std::fs::remove_file(file);
        }
        let objects = self.object_manifest(with_objects.then_some((&mut writer, work.path()))).await?;
        let manifest = Manifest {
            format: FORMAT,
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            created_at: rfc3339(time::OffsetDateTime::now_utc()),
            source: backend_name(self.db.get_database_backend()).to_owned(),
            migrations,
            tables,
            objects_included: with_objects,
            objects,
        };
        let json = serde_json::to_vec_pretty(&manifest).context("writing the manifest")?;
        writer.append_bytes(archive::MANIFEST.to_owned(), json).await?;
        writer.finish().await?;

        let bytes = std::fs::metadata(&path).context("reading the archive's size")?.len();
        location
            .put_stream(&name, file_stream(&path).await?, u64::MAX)
            .await
            .map_err(|e| BackupError::Location(anyhow::Error::new(e).context(format!("uploading {name}"))))?;
        Ok(Created {
            name,
            tables: manifest.tables.len(),
            rows: manifest.rows(),
            objects: manifest.objects.len(),
            object_bytes: manifest.object_bytes(),
            objects_included: with_objects,
            bytes,
            elapsed: started.elapsed(),
        })
    }

    /// The archives in BACKUP_URL, oldest first.
    pub async fn list(&self) -> Result<Vec<ArchiveInfo>> {
        let location = self.location()?;
        let mut archives = Vec::new();
        for name in archive_names(&location).await? {
            let bytes = location.size(&name).await.map_err(location_error)?.unwrap_or_default();
            archives.push(ArchiveInfo { name, bytes });
        }
        Ok(archives)
    }

    /// Deletes the oldest archives beyond BACKUP_KEEP; returns their names.
    pub async fn prune(&self) -> Result<Vec<String>> {
        let location = self.location()?;
        let names = archive_names(&location).await?;
        let keep = self.config.keep.max(1) as usize;
        let excess = names.len().saturating_sub(keep);
        let doomed: Vec<String> = names.into_iter().take(excess).collect();
        for name in &doomed {
            location.delete(name).await.map_err(location_error)?;
        }
        Ok(doomed)
    }

    /// The scheduled job: create, prune, and record the metrics.
    pub async fn run_scheduled(&self) -> anyhow::Result<()> {
        let created = self.create(false).await?;
        metrics::histogram!(crate::metric_names::BACKUP_DURATION_SECONDS).record(created.elapsed.as_secs_f64());
        let pruned = self.prune().await?;
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

    /// Checks an archive against its manifest and, with `check_storage`, every object of the
    /// manifest against storage.
    #[tracing::instrument(skip_all, fields(archive), err)]
    pub async fn verify(&self, archive: &str, check_storage: bool) -> Result<Verified> {
        let work = tempfile::tempdir().context("cannot create a temporary folder")?;
        let unpacked = self.open_archive(archive, work.path()).await?;
        let mut problems = unpacked.problems;
        if check_storage {
            problems.extend(check_objects(&self.storage, &unpacked.manifest.objects).await?);
        }
        Ok(Verified { manifest: unpacked.manifest, problems })
    }

    /// Rebuilds the database (whose schema the caller has brought up to date) from an archive,
    /// in one transaction, then restores the archive's objects and checks storage against it.
    #[tracing::instrument(skip_all, fields(archive, force), err)]
    pub async fn restore(&self, archive: &str, force: bool) -> Result<Restored> {
        let started = Instant::now();
        let work = tempfile::tempdir().context("cannot create a temporary folder")?;
        let unpacked = self.open_archive(archive, work.path()).await?;
        if !unpacked.problems.is_empty() {
            return Err(BackupError::Corrupt { archive: archive.to_owned(), problems: unpacked.problems });
        }
        let files: BTreeMap<String, PathBuf> =
            unpacked.tables.iter().map(|(name, (path, ..))| (name.clone(), path.clone())).collect();
        let (wiped_rows, rows) = load(&self.db, &unpacked.manifest, &files, force).await?;

        let mut objects_restored = 0;
        if unpacked.manifest.objects_included {
            for (key, (path, ..)) in &unpacked.objects {
                self.storage
                    .put_stream(key, file_stream(path).await?, u64::MAX)
                    .await
                    .with_context(|| format!("restoring object {key}"))?;
                objects_restored += 1;
            }
        }
        let problems = check_objects(&self.storage, &unpacked.manifest.objects).await?;
        Ok(Restored {
            manifest: unpacked.manifest,
            wiped_rows,
            rows,
            objects_restored,
            problems,
            elapsed: started.elapsed(),
        })
    }

    /// Finds `archive` (a name in BACKUP_URL, or a local file), and unpacks it into `work`.
    async fn open_archive(&self, archive: &str, work: &Path) -> Result<archive::Unpacked> {
        let local = Path::new(archive);
        let path = if local.is_file() {
            local.to_owned()
        } else {
            let location = self.location()?;
            let download = work.join("archive.tar.gz");
            match location.get(archive, None).await {
                Ok(stream) => {
                    write_stream(stream, &download).await?;
                }
                Err(StorageError::NotFound) => {
                    return Err(BackupError::UnknownArchive {
                        name: archive.to_owned(),
                        location: format!("{location:?}"),
                    });
                }
                Err(e) => return Err(location_error(e)),
            }
            download
        };
        archive::unpack(path, work.join("unpacked"))
            .await
            .map_err(|reason| BackupError::Unreadable { archive: archive.to_owned(), reason })
    }

    /// Lists and hashes every object in storage; with a writer, adds each to the archive too.
    async fn object_manifest(
        &self,
        mut into: Option<(&mut archive::ArchiveWriter, &Path)>,
    ) -> Result<Vec<ObjectEntry>> {
        let keys = self.storage.list("").await.context("listing stored objects")?;
        let mut entries = Vec::with_capacity(keys.len());
        for key in keys {
            let stream = match self.storage.get(&key, None).await {
                Ok(stream) => stream,
                // Deleted since it was listed: the database snapshot may still name it, and
                // `verify` will say so; the archive simply does not have it.
                Err(StorageError::NotFound) => continue,
                Err(e) => return Err(anyhow::Error::new(e).context(format!("reading object {key}")).into()),
            };
            let entry = match into.as_mut() {
                Some((writer, work)) => {
                    let path = work.join("object");
                    let (size, sha256) = write_stream(stream, &path).await?;
                    writer.append_file(format!("objects/{key}"), path.clone()).await?;
                    let _ = std::fs::remove_file(&path);
                    ObjectEntry { key, size, sha256 }
                }
                None => {
                    let (size, sha256) = hash_stream(stream).await.with_context(|| format!("reading object {key}"))?;
                    ObjectEntry { key, size, sha256 }
                }
            };
            entries.push(entry);
        }
        Ok(entries)
    }
}

/// Each object of `objects` that storage lacks or holds different bytes for, as a sentence.
async fn check_objects(storage: &Storage, objects: &[ObjectEntry]) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for object in objects {
        match storage.get(&object.key, None).await {
            Err(StorageError::NotFound) => problems.push(format!("object {}: missing from storage", object.key)),
            Err(e) => return Err(anyhow::Error::new(e).context(format!("reading object {}", object.key)).into()),
            Ok(stream) => {
                let (size, sha256) =
                    hash_stream(stream).await.with_context(|| format!("reading object {}", object.key))?;
                if size != object.size || sha256 != object.sha256 {
                    problems.push(format!(
                        "object {}: differs in storage ({size} bytes, sha256 {sha256}; the manifest says {} bytes, {})",
                        object.key, object.size, object.sha256
                    ));
                }
            }
        }
    }
    Ok(problems)
}

async fn archive_names(location: &Storage) -> Result<Vec<String>> {
    let mut names: Vec<String> = location
        .list("")
        .await
        .map_err(location_error)?
        .into_iter()
        .filter(|name| name.starts_with(PREFIX) && name.ends_with(SUFFIX) && !name.contains('/'))
        .collect();
    // The names carry their UTC time with fixed widths: sorting by name is sorting by age.
    names.sort();
    Ok(names)
}

fn archive_name(at: time::OffsetDateTime) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]-[minute]-[second].[subsecond digits:3]Z");
    format!("{PREFIX}{}{SUFFIX}", at.format(&format).unwrap_or_default())
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

async fn hash_stream(
    mut stream: impl Stream<Item = Result<Bytes, StorageError>> + Unpin,
) -> Result<(u64, String), StorageError> {
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = stream.try_next().await? {
        size += chunk.len() as u64;
        hasher.update(&chunk);
    }
    Ok((size, format!("{:x}", hasher.finalize())))
}

/// Streams into a local file; returns its size and SHA-256.
async fn write_stream(
    mut stream: impl Stream<Item = Result<Bytes, StorageError>> + Unpin,
    to: &Path,
) -> Result<(u64, String)> {
    use tokio::io::AsyncWriteExt;
    let mut file = tokio::fs::File::create(to).await.with_context(|| format!("cannot create {}", to.display()))?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.context("reading from storage")?;
        size += chunk.len() as u64;
        hasher.update(&chunk);
        file.write_all(&chunk).await.context("writing a temporary file")?;
    }
    file.flush().await.context("writing a temporary file")?;
    Ok((size, format!("{:x}", hasher.finalize())))
}

/// A local file as a stream of 1 MiB chunks, for `Storage::put_stream`.
async fn file_stream(path: &Path) -> Result<impl Stream<Item = std::io::Result<Bytes>> + Send + use<>> {
    use tokio::io::AsyncReadExt;
    let file = tokio::fs::File::open(path).await.with_context(|| format!("cannot open {}", path.display()))?;
    Ok(futures_util::stream::try_unfold(file, |mut file| async move {
        let mut buf = vec![0; 1 << 20];
        let n = file.read(&mut buf).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.truncate(n);
        Ok(Some((Bytes::from(buf), file)))
    }))
}

impl fmt::Display for Created {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} tables, {} rows, {} objects ({} bytes{}), archive {} bytes, {:.2}s",
            self.name,
            self.tables,
            self.rows,
            self.objects,
            self.object_bytes,
            if self.objects_included { ", included" } else { ", listed with checksums" },
            self.bytes,
            self.elapsed.as_secs_f64()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_names_sort_by_time() {
        let earlier = archive_name(time::macros::datetime!(2026-01-02 03:04:05.006 UTC));
        let later = archive_name(time::macros::datetime!(2026-11-02 03:04:05.100 UTC));
        assert_eq!(earlier, "smartai-2026-01-02T03-04-05.006Z.tar.gz");
        assert!(earlier < later);
    }

    #[test]
    fn parses_backup_locations() {
        assert_eq!("./data/backups".parse(), Ok(BackupUrl(StorageUrl::Folder("./data/backups".into()))));
        assert_eq!(
            "s3://bucket/backups".parse(),
            Ok(BackupUrl(StorageUrl::S3 { bucket: "bucket".into(), prefix: Some("backups".into()) }))
        );
        assert!("ftp://host/x".parse::<BackupUrl>().unwrap_err().contains("ftp"));
        assert!("".parse::<BackupUrl>().is_err());
    }

    #[test]
    fn schedules_are_cron_with_seconds_or_empty() {
        assert_eq!(parse_schedule(""), Ok(String::new()));
        assert!(parse_schedule("0 30 2 * * *").is_ok());
        assert!(parse_schedule("every night").is_err());
    }
}
