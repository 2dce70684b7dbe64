//! Writing a chunk: its bytes hashed and stored as they arrive (in place on a local folder,
//! gathered into parts on S3), the type checked from the first bytes, the new offset committed.

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    ResumableSha256, UploadError, UploadState,
    lease::RENEW_EVERY,
    parts::{Gathered, MAX_PART, Part, stored_end},
    storage_failed, to_i64, to_u64, to_usize,
};
use crate::{
    Actor, Error,
    entities::resumable_upload as upload,
    error::{Field, Problem},
    files::{FileService, SNIFF_LEN, sniff},
    storage::{PART_SIZE, StagedWriter},
};

impl FileService {
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

    pub(super) async fn write_locked<S>(
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
        // On a local folder the bytes go in place as they arrive, once the type is known (so a
        // refused file leaves no staging file behind); on S3 they are gathered into parts.
        let in_place = self.storage.stages_in_place();
        // The first bytes, while the type is not known yet: the stored ones, then this chunk's.
        let mut head = Vec::new();
        if content_type.is_none() {
            if let Some(id) = multipart_id.as_deref().filter(|_| stored_end(&parts) > 0 && in_place) {
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
    pub(super) fn check_type(
        &self,
        row: &upload::Model,
        head: &[u8],
        received: u64,
    ) -> Result<Option<String>, UploadError> {
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
    pub(super) async fn store_part(
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
    pub(super) async fn write_in_place(
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

    pub(super) async fn start_parts(&self, row: &upload::Model) -> Result<String, UploadError> {
        self.storage
            .start_parts(&row.object_key, row.id)
            .await
            .map_err(|e| storage_failed(e, "starting an upload's parts"))
    }
}
