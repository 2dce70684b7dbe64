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

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait, sea_query::Expr};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

pub use consistency::ConsistencyReport;
pub use download::{Download, content_disposition};
pub use erasure::OwnedObjects;
pub use listing::{ListQuery, SortBy};
pub use processing::{ProcessUpload, THUMBNAIL_SIZE, text_key, thumbnail, thumbnail_key};
pub use rules::{ByteSize, FileName, sniff};
pub use shares::{NewShare, ShareInfo};
pub use uploads::{NewUpload, ResumableSha256, UploadError, UploadState};

use crate::{
    Actor, Error, Result, concurrency, entities::file, jobs::Queue, notifications::NotificationService,
    storage::Storage,
};

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
    /// Counts the changes of what its owner sees (its name): what a change based on this copy
    /// names (see `crate::concurrency`), and the REST API's ETag.
    pub version: i64,
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
            version: m.version,
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

    /// Renames one of the user's files. With `expected_version`, the version of the file the
    /// change is based on: when it changed since, nothing is written and the answer is
    /// [`Error::StaleVersion`] (checked before the name, as a conditional request's precondition
    /// comes before its content, and again by the write itself).
    pub async fn rename(&self, actor: &Actor, id: Uuid, name: &str, expected_version: Option<i64>) -> Result<FileInfo> {
        let row = self.owned(actor, id).await?;
        concurrency::check(expected_version, row.version)?;
        let name = FileName::parse(name)?;
        let changes = file::Entity::update_many()
            .col_expr(file::Column::Name, Expr::value(name.as_ref()))
            .col_expr(file::Column::UpdatedAt, Expr::value(OffsetDateTime::now_utc()));
        let version = file::Column::Version;
        let renamed = concurrency::write(&self.db, row.id, changes, version, expected_version, Error::NotFound).await?;
        Ok(renamed.into())
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
