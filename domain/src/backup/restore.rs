//! Checking an archive against its manifest (and storage against it), and restoring a database
//! and its objects from one.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use anyhow::Context;

use super::{
    BackupError, BackupService, Manifest, ObjectEntry, Result, allow, archive,
    database::load,
    location_error,
    streams::{file_stream, hash_stream, write_stream},
};
use crate::{
    Actor,
    storage::{Storage, StorageError},
};

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

impl BackupService {
    /// Checks an archive against its manifest and, with `check_storage`, every object of the
    /// manifest against storage.
    #[tracing::instrument(skip_all, fields(archive), err)]
    pub async fn verify(&self, actor: &Actor, archive: &str, check_storage: bool) -> Result<Verified> {
        allow(actor)?;
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
    pub async fn restore(&self, actor: &Actor, archive: &str, force: bool) -> Result<Restored> {
        allow(actor)?;
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
