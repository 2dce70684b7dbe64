//! Files: upload (streamed, type checked from the bytes, within size and quota), list, read,
//! rename, delete and share, each for its owner only. The object is written first and the row
//! second, so a crash in between leaves an orphan object no user can see, never a row without its
//! bytes.
//!
//! Here are the service and the file as its owner sees it; an upload in one request is in
//! `upload`, a resumable one in `uploads`, the quota's bookkeeping in `quota`, listing in
//! `listing`, reading in `download`, and the storage check in `consistency`.

mod consistency;
mod download;
mod erasure;
mod listing;
pub mod pdf;
mod processing;
mod quota;
mod rules;
mod shares;
mod upload;
mod uploads;

use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

pub use consistency::ConsistencyReport;
pub use download::{Download, content_disposition};
pub use erasure::OwnedObjects;
pub use listing::{FilePage, ListQuery, SortBy};
pub use processing::{ProcessUpload, THUMBNAIL_SIZE, text_key, thumbnail, thumbnail_key};
pub use rules::{ByteSize, FileName, sniff};
pub use shares::{NewShare, ShareInfo};
pub use uploads::{NewUpload, ResumableSha256, UploadError, UploadState};

use crate::{Actor, Error, Result, entities::file, jobs::Queue, notifications::NotificationService, storage::Storage};

/// How many leading bytes the type check looks at.
const SNIFF_LEN: usize = 8192;

/// The settings `FILES_*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Largest file a user may upload.
    #[serde(deserialize_with = "crate::config::parse::from_str")]
    pub max_size: ByteSize,
    /// Storage each user may fill in total.
    #[serde(deserialize_with = "crate::config::parse::from_str")]
    pub quota: ByteSize,
    /// How long an unfinished resumable upload is kept after its last chunk.
    #[serde(deserialize_with = "crate::config::parse::duration")]
    pub upload_expiry: std::time::Duration,
}

/// A stored file, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    pub id: Uuid,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub created_at: OffsetDateTime,
}

impl From<file::Model> for FileInfo {
    fn from(m: file::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            content_type: m.content_type,
            size: u64::try_from(m.size).unwrap_or_default(),
            sha256: m.sha256,
            created_at: m.created_at,
        }
    }
}

#[derive(Clone)]
pub struct FileService {
    db: DatabaseConnection,
    storage: Storage,
    jobs: Queue,
    notifications: NotificationService,
    max_size: u64,
    quota: u64,
    upload_expiry: std::time::Duration,
}

impl FileService {
    pub fn new(
        db: DatabaseConnection,
        storage: Storage,
        jobs: Queue,
        notifications: NotificationService,
        config: &FileConfig,
    ) -> Self {
        Self {
            db,
            storage,
            jobs,
            notifications,
            max_size: config.max_size.0,
            quota: config.quota.0,
            upload_expiry: config.upload_expiry,
        }
    }

    /// Bytes each user may store.
    pub fn quota(&self) -> u64 {
        self.quota
    }

    /// The largest file a user may upload.
    pub fn max_size(&self) -> u64 {
        self.max_size
    }

    /// One of the user's files. Anyone else's file is `NotFound`, not `Forbidden`: its existence
    /// is not revealed.
    async fn owned(&self, actor: &Actor, id: Uuid) -> Result<file::Model> {
        let owner = actor.user_id()?;
        file::Entity::find_by_id(id).filter(file::Column::OwnerId.eq(owner)).one(&self.db).await?.ok_or(Error::NotFound)
    }

    pub async fn get(&self, actor: &Actor, id: Uuid) -> Result<FileInfo> {
        Ok(self.owned(actor, id).await?.into())
    }

    pub async fn rename(&self, actor: &Actor, id: Uuid, name: &str) -> Result<FileInfo> {
        let name = FileName::parse(name)?;
        let row = self.owned(actor, id).await?;
        let mut model: file::ActiveModel = row.into();
        model.name = Set(name.as_ref().to_owned());
        model.updated_at = Set(OffsetDateTime::now_utc());
        Ok(model.update(&self.db).await?.into())
    }

    /// Removes the row (and with it the file's share links), then the object. A failure between
    /// the two leaves an orphan object that no user can reach (and that a storage check can
    /// find), never a row without its bytes.
    pub async fn delete(&self, actor: &Actor, id: Uuid) -> Result<()> {
        let row = self.owned(actor, id).await?;
        let txn = self.db.begin().await?;
        // Given back only by the delete that removed the row: two deletes at once free it once.
        if file::Entity::delete_by_id(row.id).exec(&txn).await?.rows_affected == 1 {
            Self::release(&txn, row.owner_id, row.size).await?;
        }
        txn.commit().await?;
        for key in [row.object_key.clone(), thumbnail_key(row.id), text_key(row.id)] {
            if let Err(err) = self.storage.delete(&key).await {
                tracing::warn!(error = %err, %key, "file deleted, an object of it remains");
            }
        }
        Ok(())
    }
}
