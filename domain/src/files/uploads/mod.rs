//! Resumable uploads (the tus protocol's model): a file announced with its length, then sent in
//! chunks, each continuing at the offset the last one reached, over as many requests, connections
//! and server instances as it takes.
//!
//! Everything needed to continue lives in the upload's row: the offset, the ids of the stored
//! parts, the key of the last partial part and the SHA-256 state. The bytes go straight to the
//! object store. On a local folder they are written in place into the upload's staging file as
//! they arrive. On S3 they become multipart parts: a chunk's bytes become one part when they
//! reach [`MAX_PART`], and again when the chunk ends with at least [`PART_SIZE`] (S3's minimum)
//! in hand, so a client's chunks of 5 to 10 MiB each become exactly one part. Fewer bytes at the
//! end of a chunk are stored as an object of their own (the tail), read back by the next chunk.
//! So a request holds at most one part in memory, and nothing is lost with the process that
//! served it.
//!
//! One request writes to an upload at a time: it holds a lease on the row, renewed as it goes, so
//! the lease of a process that died runs out in seconds. A chunk's bytes count only once its
//! request commits the new offset; bytes written by a request that then failed are overwritten by
//! the next one (parts are numbered in order and a retry starts from the same part; in place, a
//! retry writes from the same offset).
//!
//! Here: announcing, reading, ending and expiring uploads. `chunk` writes a chunk, `lease` holds
//! the row while it does, `parts` gathers S3 parts, and `complete` turns the last chunk into a file.

mod chunk;
mod complete;
mod hash;
mod lease;
mod parts;

use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, Set, TransactionTrait};
use time::OffsetDateTime;
use uuid::Uuid;

pub use hash::ResumableSha256;

use super::{FileInfo, FileName, FileService};
use crate::{
    Actor, Error,
    entities::{file, resumable_upload as upload},
    error::{Field, Problem},
    storage::StorageError,
};

/// An upload as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadState {
    pub id: Uuid,
    pub length: u64,
    pub offset: u64,
    /// `Upload-Metadata` as the client sent it.
    pub metadata: String,
    pub expires_at: OffsetDateTime,
    /// The file the upload became, once complete.
    pub file: Option<FileInfo>,
}

/// What a new upload announces.
#[derive(Debug, Clone)]
pub struct NewUpload<'a> {
    pub name: &'a str,
    pub length: u64,
    pub metadata: &'a str,
}

/// Why an upload request is refused; the protocol gives most of these a status of their own.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("the upload is at offset {current}")]
    OffsetMismatch { current: u64 },
    #[error("the upload expired")]
    Expired,
    #[error("another request is writing to this upload; retry in a moment")]
    Locked,
    #[error("the chunk does not match its Upload-Checksum")]
    ChecksumMismatch,
    #[error("the file is larger than the largest allowed ({limit} bytes)")]
    TooLarge { limit: u64 },
    #[error("the file does not fit in the storage left ({remaining} bytes)")]
    OverQuota { remaining: u64 },
    #[error("the chunk goes past the upload's length ({length} bytes)")]
    PastLength { length: u64 },
    #[error("the chunk was cut short, so its Upload-Checksum cannot be checked")]
    CutShort,
    #[error(transparent)]
    Other(#[from] Error),
}

impl From<sea_orm::DbErr> for UploadError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Other(err.into())
    }
}

fn storage_failed(err: StorageError, doing: &'static str) -> UploadError {
    UploadError::Other(Error::Unexpected(anyhow::Error::new(err).context(doing)))
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or_default()
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

impl FileService {
    /// Announces an upload of `length` bytes and reserves them from the owner's quota, so that
    /// the upload cannot fail for want of space once its bytes are sent.
    pub async fn create_upload(&self, actor: &Actor, new: NewUpload<'_>) -> Result<UploadState, UploadError> {
        let owner = actor.user_id()?;
        let name = FileName::clean(new.name)?;
        if new.length == 0 {
            return Err(Error::invalid(Field::File, Problem::Required).into());
        }
        if new.length > self.max_size {
            return Err(UploadError::TooLarge { limit: self.max_size });
        }
        let id = Uuid::now_v7();
        let now = OffsetDateTime::now_utc();
        let row = upload::ActiveModel {
            id: Set(id),
            owner_id: Set(owner),
            name: Set(name.as_ref().to_owned()),
            metadata: Set(new.metadata.to_owned()),
            length: Set(to_i64(new.length)),
            upload_offset: Set(0),
            content_type: Set(None),
            object_key: Set(format!("files/{owner}/{id}")),
            multipart_id: Set(None),
            parts: Set("[]".into()),
            tail_key: Set(None),
            hash_state: Set(ResumableSha256::default().save()),
            lock_token: Set(None),
            locked_until: Set(None),
            file_id: Set(None),
            expires_at: Set(now + self.upload_expiry),
            created_at: Set(now),
            updated_at: Set(now),
        };
        let txn = self.db.begin().await?;
        if !self.reserve(&txn, owner, new.length).await? {
            txn.rollback().await?;
            let remaining = self.quota.saturating_sub(self.usage(actor).await?);
            return Err(UploadError::OverQuota { remaining });
        }
        let model = row.insert(&txn).await?;
        txn.commit().await?;
        self.upload_state(model).await
    }

    /// Where the upload stands. Anyone else's upload is not found.
    pub async fn upload_status(&self, actor: &Actor, id: Uuid) -> Result<UploadState, UploadError> {
        let row = self.owned_upload(actor, id).await?;
        self.upload_state(row).await
    }

    /// The caller's upload while it can still go on (or once it is finished).
    async fn owned_upload(&self, actor: &Actor, id: Uuid) -> Result<upload::Model, UploadError> {
        let row = self.find_owned_upload(actor, id).await?;
        if row.file_id.is_none() && row.expires_at <= OffsetDateTime::now_utc() {
            return Err(UploadError::Expired);
        }
        Ok(row)
    }

    /// The caller's upload, expired or not; anyone else's is not found.
    async fn find_owned_upload(&self, actor: &Actor, id: Uuid) -> Result<upload::Model, Error> {
        upload::Entity::find_by_id(id)
            .filter(upload::Column::OwnerId.eq(actor.user_id()?))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)
    }

    async fn upload_state(&self, row: upload::Model) -> Result<UploadState, UploadError> {
        let file = match row.file_id {
            Some(id) => file::Entity::find_by_id(id).one(&self.db).await?.map(FileInfo::from),
            None => None,
        };
        Ok(UploadState {
            id: row.id,
            length: to_u64(row.length),
            offset: to_u64(row.upload_offset),
            metadata: row.metadata,
            expires_at: row.expires_at,
            file,
        })
    }

    /// Gives up an upload (the protocol's termination): its stored parts go and its reserved quota
    /// comes back. A finished upload's file stays; only the record of its upload goes.
    pub async fn terminate_upload(&self, actor: &Actor, id: Uuid) -> Result<(), UploadError> {
        let row = self.find_owned_upload(actor, id).await?;
        if row.lock_token.is_some() && row.locked_until.is_some_and(|until| until > OffsetDateTime::now_utc()) {
            return Err(UploadError::Locked);
        }
        self.end_upload(&row).await
    }

    /// Removes the upload's row (giving back its quota if it never became a file), then its bytes.
    async fn end_upload(&self, row: &upload::Model) -> Result<(), UploadError> {
        let txn = self.db.begin().await?;
        let deleted = upload::Entity::delete_by_id(row.id).exec(&txn).await?.rows_affected == 1;
        if deleted && row.file_id.is_none() {
            Self::release(&txn, row.owner_id, row.length).await?;
        }
        txn.commit().await?;
        if row.file_id.is_none() {
            if let Some(id) = &row.multipart_id
                && let Err(err) = self.storage.abort_parts(&row.object_key, id).await
            {
                tracing::warn!(error = %err, upload = %row.id, "an ended upload's parts remain");
            }
            if let Some(tail) = &row.tail_key {
                self.delete_quietly(tail).await;
            }
        }
        Ok(())
    }

    /// Ends the uploads whose time ran out (and forgets finished ones as old): the nightly job.
    pub async fn purge_expired_uploads(&self) -> Result<u64, Error> {
        let now = OffsetDateTime::now_utc();
        let expired = upload::Entity::find()
            .filter(upload::Column::ExpiresAt.lt(now))
            .filter(
                Condition::any().add(upload::Column::LockedUntil.is_null()).add(upload::Column::LockedUntil.lt(now)),
            )
            .all(&self.db)
            .await?;
        let mut ended = 0;
        for row in &expired {
            match self.end_upload(row).await {
                Ok(()) => ended += 1,
                Err(UploadError::Other(err)) => return Err(err),
                Err(other) => tracing::warn!(error = %other, upload = %row.id, "an expired upload was not ended"),
            }
        }
        Ok(ended)
    }

    /// The uploads in progress, whose objects (`uploads/<id>/…`: tails, and staging files on a
    /// local folder) the storage check must not take for orphans.
    pub(super) async fn uploads_in_progress(&self) -> Result<std::collections::HashSet<Uuid>, Error> {
        let rows = upload::Entity::find().filter(upload::Column::FileId.is_null()).all(&self.db).await?;
        Ok(rows.into_iter().map(|row| row.id).collect())
    }

    async fn delete_quietly(&self, key: &str) {
        if let Err(err) = self.storage.delete(key).await {
            tracing::warn!(error = %err, %key, "an object that is no longer needed remains");
        }
    }
}
