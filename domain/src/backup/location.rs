//! The store archives go to (`BACKUP_URL`), the archives in it, named by their time, and the
//! pruning of the oldest beyond `BACKUP_KEEP`.

use super::{BackupError, BackupService, Result, allow, config::BackupUrl, location_error};
use crate::{
    Actor,
    storage::{Storage, StorageConfig, StorageUrl},
};

const PREFIX: &str = "smartai-";
const SUFFIX: &str = ".tar.gz";

#[derive(Debug, Clone)]
pub struct ArchiveInfo {
    pub name: String,
    pub bytes: u64,
}

impl BackupService {
    /// The store archives go to. Opened on use, so a bad BACKUP_URL fails the backup that needs it
    /// (with the setting named) rather than the server's start.
    pub(super) fn location(&self) -> Result<Storage> {
        let url = match &self.config.url {
            Some(BackupUrl(url)) => url.clone(),
            None => StorageUrl::Folder(self.data_dir.join("backups").to_string_lossy().into_owned()),
        };
        let config = StorageConfig { url: Some(url), presigned_downloads: false, ..self.storage_config.clone() };
        config.open(&self.data_dir).map_err(BackupError::Location)
    }

    /// The archives in BACKUP_URL, oldest first.
    pub async fn list(&self, actor: &Actor) -> Result<Vec<ArchiveInfo>> {
        allow(actor)?;
        let location = self.location()?;
        let mut archives = Vec::new();
        for name in archive_names(&location).await? {
            let bytes = location.size(&name).await.map_err(location_error)?.unwrap_or_default();
            archives.push(ArchiveInfo { name, bytes });
        }
        Ok(archives)
    }

    /// Deletes the oldest archives beyond BACKUP_KEEP; returns their names.
    pub async fn prune(&self, actor: &Actor) -> Result<Vec<String>> {
        allow(actor)?;
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

pub(super) fn archive_name(at: time::OffsetDateTime) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]-[minute]-[second].[subsecond digits:3]Z");
    format!("{PREFIX}{}{SUFFIX}", at.format(&format).unwrap_or_default())
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
}
