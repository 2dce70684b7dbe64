//! Writing an archive: every table exported, the manifest of every stored object with its
//! checksum, and optionally the objects themselves.

use std::{
    fmt,
    path::Path,
    time::{Duration, Instant},
};

use anyhow::Context;
use sea_orm::ConnectionTrait;

use super::{
    BackupError, BackupService, FORMAT, Manifest, ObjectEntry, Result, allow, archive, backend_name,
    database::export,
    location::archive_name,
    rfc3339,
    streams::{file_stream, hash_stream, write_stream},
};
use crate::{Actor, storage::StorageError};

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

impl BackupService {
    /// Writes an archive to BACKUP_URL.
    #[tracing::instrument(skip_all, fields(with_objects), err)]
    pub async fn create(&self, actor: &Actor, with_objects: bool) -> Result<Created> {
        allow(actor)?;
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
