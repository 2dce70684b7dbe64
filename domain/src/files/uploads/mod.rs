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
//! request commits the new offset; a part written by a request that then failed is overwritten by
//! the next one (parts are numbered in order, and a retry starts from the same part).

mod hash;

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, Set, TransactionTrait, sea_query::Expr,
};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

pub use hash::ResumableSha256;

use super::{FileInfo, FileName, FileService, ProcessUpload, SNIFF_LEN, sniff};
use crate::{
    Actor, Error,
    entities::{file, resumable_upload as upload},
    error::{Field, Problem},
    jobs::NewJob,
    storage::{PART_SIZE, StagedWriter, StorageError},
};

/// How long a request's hold on an upload lasts unless renewed, and how often it is renewed.
const LEASE: Duration = Duration::from_secs(10);
const RENEW_EVERY: Duration = Duration::from_secs(3);
/// The largest part: the most of an upload a request holds in memory.
const MAX_PART: usize = 2 * PART_SIZE;

/// A stored part: what the store needs to assemble it, and the upload offset where it ends.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Part {
    id: String,
    end: u64,
}

/// Where the stored parts end: the offset the next part begins at.
fn stored_end(parts: &[Part]) -> u64 {
    parts.last().map_or(0, |part| part.end)
}

/// The current part's bytes (S3), kept as they came rather than copied into one buffer.
#[derive(Default)]
struct Gathered {
    frames: Vec<Bytes>,
    len: usize,
}

impl Gathered {
    fn push(&mut self, bytes: Bytes) {
        if !bytes.is_empty() {
            self.len += bytes.len();
            self.frames.push(bytes);
        }
    }

    fn len(&self) -> usize {
        self.len
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn take(&mut self) -> Vec<Bytes> {
        self.len = 0;
        std::mem::take(&mut self.frames)
    }

    /// The bytes as one buffer: a tail is stored as one object.
    fn concat(mut self) -> Bytes {
        match self.frames.len() {
            1 => self.frames.pop().unwrap_or_default(),
            _ => {
                let mut all = BytesMut::with_capacity(self.len);
                self.frames.iter().for_each(|frame| all.extend_from_slice(frame));
                all.freeze()
            }
        }
    }
}

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

    async fn owned_upload(&self, actor: &Actor, id: Uuid) -> Result<upload::Model, UploadError> {
        let owner = actor.user_id()?;
        let row = upload::Entity::find_by_id(id)
            .filter(upload::Column::OwnerId.eq(owner))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        if row.file_id.is_none() && row.expires_at <= OffsetDateTime::now_utc() {
            return Err(UploadError::Expired);
        }
        Ok(row)
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

    /// Appends `body` to the upload at `offset`, which must be where the upload stands. With a
    /// `checksum` (the SHA-256 of the body) the chunk counts only if it arrives whole and matches;
    /// without one, a body cut short keeps what arrived, for the client to resume from. The chunk
    /// that completes the upload makes it a file: type checked, row and processing job committed
    /// together.
    #[tracing::instrument(skip_all, fields(upload = %id, offset), err(level = "info"))]
    pub async fn write_upload<S>(
        &self,
        actor: &Actor,
        id: Uuid,
        offset: u64,
        checksum: Option<[u8; 32]>,
        body: S,
    ) -> Result<UploadState, UploadError>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send,
    {
        let token = Uuid::new_v4();
        let Some(row) = self.lock_upload(actor.user_id()?, id, offset, token).await? else {
            // Not this caller's, expired, finished, at another offset, or another request holds
            // it: say which.
            let now = self.owned_upload(actor, id).await?;
            return Err(match to_u64(now.upload_offset) {
                moved if moved != offset || now.file_id.is_some() => UploadError::OffsetMismatch { current: moved },
                _ => UploadError::Locked,
            });
        };
        let result = self.write_locked(row.clone(), token, checksum, body).await;
        if let Err(UploadError::Other(Error::Invalid { problem: Problem::Unsupported, .. })) = &result {
            // Refused for its type: no later chunk can change that, so its space comes back now.
            self.end_upload(&row).await?;
        } else if result.is_err()
            && let Err(err) = self.release_lease(id, token).await
        {
            tracing::warn!(error = %err, "could not release an upload's lease; it runs out by itself");
        }
        result
    }

    /// Takes the lease of the owner's unfinished, unexpired upload at `offset` if no live request
    /// holds it, and returns the upload as it then stands: one statement, as every chunk pays it.
    async fn lock_upload(
        &self,
        owner: Uuid,
        id: Uuid,
        offset: u64,
        token: Uuid,
    ) -> Result<Option<upload::Model>, UploadError> {
        let now = OffsetDateTime::now_utc();
        let lock = upload::Entity::update_many()
            .col_expr(upload::Column::LockToken, Expr::value(token))
            .col_expr(upload::Column::LockedUntil, Expr::value(now + LEASE))
            .filter(upload::Column::Id.eq(id))
            .filter(upload::Column::OwnerId.eq(owner))
            .filter(upload::Column::UploadOffset.eq(to_i64(offset)))
            .filter(upload::Column::FileId.is_null())
            .filter(upload::Column::ExpiresAt.gt(now))
            .filter(Condition::any().add(upload::Column::LockToken.is_null()).add(upload::Column::LockedUntil.lt(now)));
        Ok(lock.exec_with_returning(&self.db).await?.pop())
    }

    /// Extends the lease; `Locked` when it was lost (it ran out and another request took it).
    async fn renew_lease(&self, id: Uuid, token: Uuid) -> Result<(), UploadError> {
        let renewed = upload::Entity::update_many()
            .col_expr(upload::Column::LockedUntil, Expr::value(OffsetDateTime::now_utc() + LEASE))
            .filter(upload::Column::Id.eq(id))
            .filter(upload::Column::LockToken.eq(token))
            .exec(&self.db)
            .await?;
        if renewed.rows_affected == 1 { Ok(()) } else { Err(UploadError::Locked) }
    }

    async fn write_locked<S>(
        &self,
        row: upload::Model,
        token: Uuid,
        checksum: Option<[u8; 32]>,
        body: S,
    ) -> Result<UploadState, UploadError>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send,
    {
        let length = to_u64(row.length);
        let start = to_u64(row.upload_offset);
        let mut parts: Vec<Part> = serde_json::from_str(&row.parts)
            .map_err(|err| Error::Unexpected(anyhow::Error::new(err).context("an upload's parts do not parse")))?;
        let mut hash = ResumableSha256::restore(&row.hash_state)
            .ok_or_else(|| Error::Unexpected(anyhow::anyhow!("upload {}: damaged hash state", row.id)))?;
        let mut multipart_id = row.multipart_id.clone();
        let mut content_type = row.content_type.clone();

        // The current part's bytes so far (S3): the tail left by the last chunk, then this one's.
        let mut part = Gathered::default();
        if let Some(tail) = &row.tail_key {
            part.push(self.storage.get_bytes(tail).await.map_err(|e| storage_failed(e, "reading an upload's tail"))?);
        }
        if stored_end(&parts) + part.len() as u64 != start {
            return Err(
                Error::Unexpected(anyhow::anyhow!("upload {}: stored bytes disagree with its offset", row.id)).into()
            );
        }
        // The first bytes, while the type is not known yet: the stored ones, then this chunk's.
        let mut head = Vec::new();
        if content_type.is_none() {
            if let Some(id) =
                multipart_id.as_deref().filter(|_| stored_end(&parts) > 0 && self.storage.stages_in_place())
            {
                head = self
                    .storage
                    .read_staged(id, SNIFF_LEN)
                    .await
                    .map_err(|e| storage_failed(e, "reading an upload's first bytes"))?;
                head.truncate(to_usize(stored_end(&parts)));
            }
            part.frames.iter().for_each(|frame| head.extend_from_slice(frame));
            head.truncate(SNIFF_LEN);
        }
        // On a local folder the bytes go in place as they arrive, once the type is known (so a
        // refused file leaves no staging file behind); on S3 they are gathered into parts.
        let in_place = self.storage.stages_in_place();
        let mut writer = None;

        let mut chunk_hash = checksum.map(|_| Sha256::new());
        let mut received = 0u64;
        let mut cut_short = false;
        let mut renewed = std::time::Instant::now();
        let mut body = std::pin::pin!(body);
        while let Some(chunk) = body.next().await {
            let mut chunk = match chunk {
                Ok(chunk) => chunk,
                Err(err) => {
                    tracing::info!(error = %err, received, "upload chunk cut short");
                    cut_short = true;
                    break;
                }
            };
            if start + received + chunk.len() as u64 > length {
                return Err(UploadError::PastLength { length });
            }
            received += chunk.len() as u64;
            hash.update(&chunk);
            if let Some(h) = &mut chunk_hash {
                h.update(&chunk);
            }
            if content_type.is_none() {
                head.extend_from_slice(&chunk[..chunk.len().min(SNIFF_LEN - head.len())]);
                content_type = self.check_type(&row, &head, start + received)?;
            }
            if in_place {
                part.push(chunk);
                if content_type.is_some() {
                    self.write_in_place(&row, &mut multipart_id, &parts, &mut writer, &mut part).await?;
                }
            } else {
                while !chunk.is_empty() {
                    part.push(chunk.split_to((MAX_PART - part.len()).min(chunk.len())));
                    if part.len() == MAX_PART {
                        self.store_part(&row, &mut multipart_id, &mut parts, &mut part).await?;
                    }
                }
            }
            if renewed.elapsed() >= RENEW_EVERY {
                self.renew_lease(row.id, token).await?;
                renewed = std::time::Instant::now();
            }
        }

        if let (Some(expected), Some(h)) = (checksum, chunk_hash) {
            if cut_short {
                // A partial chunk cannot be checked against the checksum of the whole one.
                return Err(UploadError::CutShort);
            }
            if h.finalize().as_slice() != expected {
                return Err(UploadError::ChecksumMismatch);
            }
        }
        let offset = start + received;
        if in_place && received > 0 {
            self.write_in_place(&row, &mut multipart_id, &parts, &mut writer, &mut part).await?;
            if let Some(writer) = writer {
                writer.finish().await.map_err(|e| storage_failed(e, "storing an upload's bytes"))?;
            }
            // One part that ends where the bytes do: what an older version reads as stored.
            parts = vec![Part { id: String::new(), end: offset }];
        } else if offset < length && part.len() >= PART_SIZE {
            self.store_part(&row, &mut multipart_id, &mut parts, &mut part).await?;
        }
        if offset == length {
            return self.complete_upload(row, token, multipart_id, parts, part, hash, content_type).await;
        }
        if received == 0 {
            self.release_lease(row.id, token).await?;
            return self.upload_state(row).await;
        }

        let tail_key = (!part.is_empty()).then(|| format!("uploads/{}/tail-{offset}", row.id));
        if let Some(key) = &tail_key {
            self.storage
                .put_bytes(key, part.concat())
                .await
                .map_err(|e| storage_failed(e, "storing an upload's tail"))?;
        }
        let now = OffsetDateTime::now_utc();
        let save = upload::Entity::update_many()
            .col_expr(upload::Column::UploadOffset, Expr::value(to_i64(offset)))
            .col_expr(upload::Column::Parts, Expr::value(serde_json::to_string(&parts).unwrap_or_default()))
            .col_expr(upload::Column::TailKey, Expr::value(tail_key.clone()))
            .col_expr(upload::Column::MultipartId, Expr::value(multipart_id))
            .col_expr(upload::Column::HashState, Expr::value(hash.save()))
            .col_expr(upload::Column::ContentType, Expr::value(content_type))
            .col_expr(upload::Column::LockToken, Expr::value(Option::<Uuid>::None))
            .col_expr(upload::Column::LockedUntil, Expr::value(Option::<OffsetDateTime>::None))
            .col_expr(upload::Column::ExpiresAt, Expr::value(now + self.upload_expiry))
            .col_expr(upload::Column::UpdatedAt, Expr::value(now))
            .filter(upload::Column::Id.eq(row.id))
            .filter(upload::Column::LockToken.eq(token));
        let Some(saved) = save.exec_with_returning(&self.db).await?.pop() else {
            if let Some(key) = &tail_key {
                self.delete_quietly(key).await;
            }
            return Err(UploadError::Locked);
        };
        if let Some(old) = &row.tail_key {
            self.delete_quietly(old).await;
        }
        if cut_short {
            tracing::info!(offset, "kept the part of the chunk that arrived");
        }
        self.upload_state(saved).await
    }

    /// The file's type, decided once the first [`SNIFF_LEN`] bytes (or all of a shorter file) are
    /// in `head`. A type that is not accepted ends the upload: nothing more of it will be taken.
    fn check_type(&self, row: &upload::Model, head: &[u8], received: u64) -> Result<Option<String>, UploadError> {
        if head.len() < SNIFF_LEN && received < to_u64(row.length) {
            return Ok(None);
        }
        let head = &head[..head.len().min(SNIFF_LEN)];
        match sniff(head, &row.name) {
            Some(content_type) => Ok(Some(content_type.to_owned())),
            None => Err(Error::invalid(Field::File, Problem::Unsupported).into()),
        }
    }

    /// Stores the bytes in `part` as the upload's next part (starting its multipart upload with
    /// the first), leaving `part` empty.
    async fn store_part(
        &self,
        row: &upload::Model,
        multipart_id: &mut Option<String>,
        parts: &mut Vec<Part>,
        part: &mut Gathered,
    ) -> Result<(), UploadError> {
        let id = match multipart_id {
            Some(id) => id.clone(),
            None => multipart_id.insert(self.start_parts(row).await?).clone(),
        };
        let begin = stored_end(parts);
        let end = begin + part.len() as u64;
        let stored = self
            .storage
            .put_part(&row.object_key, &id, parts.len(), begin, part.take())
            .await
            .map_err(|e| storage_failed(e, "storing an upload's part"))?;
        parts.push(Part { id: stored, end });
        Ok(())
    }

    /// Writes the gathered bytes into the upload's staging file on a local folder, after those
    /// already there; the first call of a request opens the file (creating it with the first).
    async fn write_in_place(
        &self,
        row: &upload::Model,
        multipart_id: &mut Option<String>,
        parts: &[Part],
        writer: &mut Option<StagedWriter>,
        part: &mut Gathered,
    ) -> Result<(), UploadError> {
        let writer = match writer {
            Some(writer) => writer,
            None => {
                let id = match multipart_id {
                    Some(id) => id.clone(),
                    None => multipart_id.insert(self.start_parts(row).await?).clone(),
                };
                let opened = self
                    .storage
                    .write_in_place(&id, stored_end(parts))
                    .await
                    .map_err(|e| storage_failed(e, "opening an upload's staging file"))?;
                writer.insert(opened)
            }
        };
        for frame in part.take() {
            writer.write(frame).await.map_err(|e| storage_failed(e, "storing an upload's bytes"))?;
        }
        Ok(())
    }

    async fn start_parts(&self, row: &upload::Model) -> Result<String, UploadError> {
        self.storage
            .start_parts(&row.object_key, row.id)
            .await
            .map_err(|e| storage_failed(e, "starting an upload's parts"))
    }

    async fn release_lease(&self, id: Uuid, token: Uuid) -> Result<(), UploadError> {
        upload::Entity::update_many()
            .col_expr(upload::Column::LockToken, Expr::value(Option::<Uuid>::None))
            .col_expr(upload::Column::LockedUntil, Expr::value(Option::<OffsetDateTime>::None))
            .filter(upload::Column::Id.eq(id))
            .filter(upload::Column::LockToken.eq(token))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Assembles the parts into the file's object, then commits the file's row, its processing job
    /// and the upload's end together. The quota reserved at creation becomes the file's.
    #[allow(clippy::too_many_arguments)]
    async fn complete_upload(
        &self,
        row: upload::Model,
        token: Uuid,
        mut multipart_id: Option<String>,
        mut parts: Vec<Part>,
        mut last: Gathered,
        hash: ResumableSha256,
        content_type: Option<String>,
    ) -> Result<UploadState, UploadError> {
        let length = to_u64(row.length);
        let content_type = content_type.ok_or_else(|| Error::invalid(Field::File, Problem::Unsupported))?;
        if !last.is_empty() {
            self.store_part(&row, &mut multipart_id, &mut parts, &mut last).await?;
        }
        let multipart_id = match multipart_id {
            Some(id) => id,
            None => self.start_parts(&row).await?,
        };
        let parts = parts.into_iter().map(|part| part.id).collect();
        self.storage
            .complete_parts(&row.object_key, &multipart_id, parts, length)
            .await
            .map_err(|e| storage_failed(e, "assembling an upload's parts"))?;

        let now = OffsetDateTime::now_utc();
        let file = file::ActiveModel {
            id: Set(row.id),
            owner_id: Set(row.owner_id),
            name: Set(row.name.clone()),
            content_type: Set(content_type),
            size: Set(row.length),
            sha256: Set(hash.finish()),
            object_key: Set(row.object_key.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            processed_at: Set(None),
            idempotency_key: Set(None),
        };
        let committed = async {
            let txn = self.db.begin().await?;
            let ended = upload::Entity::update_many()
                .col_expr(upload::Column::UploadOffset, Expr::value(row.length))
                .col_expr(upload::Column::FileId, Expr::value(row.id))
                .col_expr(upload::Column::Parts, Expr::value("[]"))
                .col_expr(upload::Column::TailKey, Expr::value(Option::<String>::None))
                .col_expr(upload::Column::MultipartId, Expr::value(Option::<String>::None))
                .col_expr(upload::Column::LockToken, Expr::value(Option::<Uuid>::None))
                .col_expr(upload::Column::LockedUntil, Expr::value(Option::<OffsetDateTime>::None))
                .col_expr(upload::Column::UpdatedAt, Expr::value(now))
                .filter(upload::Column::Id.eq(row.id))
                .filter(upload::Column::LockToken.eq(token))
                .exec(&txn)
                .await?;
            if ended.rows_affected != 1 {
                return Err(UploadError::Locked);
            }
            file.insert(&txn).await?;
            self.jobs.enqueue_in(&txn, NewJob::of(&ProcessUpload { file_id: row.id })).await?;
            txn.commit().await?;
            Ok(())
        };
        match committed.await {
            Ok(()) => {}
            // Another request holds the upload now (this one stalled past its lease): it answers.
            Err(UploadError::Locked) => return Err(UploadError::Locked),
            Err(err) => {
                // The parts are assembled, so the upload cannot go on: it is ended, its quota
                // given back and its object removed (or left for `smartai storage check`).
                tracing::warn!(error = %err, key = %row.object_key, "an upload's bytes are stored but its file could not be saved");
                self.delete_quietly(&row.object_key).await;
                self.end_upload(&row).await?;
                return Err(err);
            }
        }
        if let Some(tail) = &row.tail_key {
            self.delete_quietly(tail).await;
        }
        let row = upload::Entity::find_by_id(row.id).one(&self.db).await?.ok_or(Error::NotFound)?;
        self.upload_state(row).await
    }

    /// Gives up an upload (the protocol's termination): its stored parts go and its reserved quota
    /// comes back. A finished upload's file stays; only the record of its upload goes.
    pub async fn terminate_upload(&self, actor: &Actor, id: Uuid) -> Result<(), UploadError> {
        let owner = actor.user_id()?;
        let row = upload::Entity::find_by_id(id)
            .filter(upload::Column::OwnerId.eq(owner))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
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
