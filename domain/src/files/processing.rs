//! What happens to an upload after it is stored, as a background job: its checksum is checked
//! against the stored bytes, an image gets a thumbnail, a text file or a PDF its text for search
//! and its passages for the assistant, and the owner a notification. The job runs at least once, so it does nothing to a file already
//! processed (or deleted since). Decodes run a few at a time ([`crate::heavy`]) under limits: an
//! image claiming huge dimensions gets no thumbnail, and a PDF that needs more memory or time
//! than its reader may take is refused for good (`file_refused`, the job buried, no retry).

use std::{io::Cursor, time::Duration};

use bytes::Bytes;
use futures_util::{StreamExt, stream};
use image::{ImageFormat, ImageReader, Limits};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait, sea_query::Expr};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{FileService, pdf};
use crate::{
    assistant::store_passages,
    entities::file,
    jobs::{Job, Permanent},
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessUpload {
    pub file_id: Uuid,
}

impl Job for ProcessUpload {
    const KIND: &'static str = "files.process";
    const TIMEOUT: Duration = Duration::from_secs(600);
}

/// Images larger than this get no thumbnail (they would be decoded in memory).
const MAX_THUMBNAIL_SOURCE: u64 = 40 << 20;
/// Memory an image decode may take: a small file claiming huge dimensions is refused here.
pub const MAX_IMAGE_ALLOC: u64 = 256 << 20;
/// PDFs larger than this get no text (they would be parsed in memory).
const MAX_PDF_SOURCE: u64 = 40 << 20;
/// Text kept for search, per file.
const MAX_TEXT: usize = 1 << 20;
pub const THUMBNAIL_SIZE: u32 = 256;

pub fn thumbnail_key(file_id: Uuid) -> String {
    format!("derived/{file_id}/thumbnail.png")
}

pub fn text_key(file_id: Uuid) -> String {
    format!("derived/{file_id}/text.txt")
}

impl FileService {
    pub async fn process(&self, file_id: Uuid) -> anyhow::Result<()> {
        let Some(row) = file::Entity::find_by_id(file_id).one(&self.db).await? else { return Ok(()) };
        if row.processed_at.is_some() {
            return Ok(());
        }
        let (is_image, is_pdf) = (row.content_type.starts_with("image/"), row.content_type == "application/pdf");
        let is_text = row.content_type.starts_with("text/");
        let size = u64::try_from(row.size)?;
        // Images and PDFs are read whole, text only as far as search keeps it.
        let keep_whole = is_image && size <= MAX_THUMBNAIL_SOURCE || is_pdf && size <= MAX_PDF_SOURCE;
        let mut bytes = self.storage.get(&row.object_key, None).await?;
        let mut hasher = Sha256::new();
        let mut kept = Vec::new();
        while let Some(chunk) = bytes.next().await {
            let chunk = chunk?;
            hasher.update(&chunk);
            if keep_whole || is_text && kept.len() < MAX_TEXT {
                kept.extend_from_slice(&chunk);
            }
        }
        if format!("{:x}", hasher.finalize()) != row.sha256 {
            tracing::error!(file_id = %row.id, "stored bytes do not match the checksum taken at upload");
            return self.finish(&row, "file_failed").await;
        }

        if is_image && !kept.is_empty() {
            let data = std::mem::take(&mut kept);
            match crate::heavy::run(move || thumbnail(&data)).await? {
                Ok(png) => self.put(&thumbnail_key(row.id), png).await?,
                Err(err) => tracing::warn!(file_id = %row.id, error = %err, "no thumbnail for this image"),
            }
        } else if is_pdf && !kept.is_empty() {
            let data = std::mem::take(&mut kept);
            // Read in a child process with memory and time limits; the file is fine even when its
            // text is out of reach (it is still processed), but not when it is a bomb.
            match crate::heavy::run(move || pdf::extract_text(&data, MAX_TEXT)).await? {
                Ok(pdf::Read::Text(text)) if !text.trim().is_empty() => {
                    store_passages(&self.db, row.owner_id, row.id, &text).await?;
                    self.put(&text_key(row.id), text.into_bytes()).await?;
                }
                Ok(pdf::Read::Text(_)) => tracing::warn!(file_id = %row.id, "no text in this PDF"),
                Ok(pdf::Read::Unreadable(why)) => {
                    tracing::warn!(file_id = %row.id, error = %why, "no text from this PDF")
                }
                Err(refused) => {
                    tracing::warn!(file_id = %row.id, error = %refused, "PDF refused");
                    // Its owner learns why, once; the job then goes to the dead-letter set at once
                    // instead of trying again (every attempt would be the same bomb).
                    self.finish(&row, "file_refused").await?;
                    return Err(Permanent::new(format!("file {}: {refused}", row.id)).into());
                }
            }
        } else if is_text {
            kept.truncate(MAX_TEXT);
            let text = String::from_utf8_lossy(&kept).into_owned();
            store_passages(&self.db, row.owner_id, row.id, &text).await?;
            self.put(&text_key(row.id), text.into_bytes()).await?;
        }
        self.finish(&row, "file_processed").await
    }

    /// The processing job was buried (its last attempt failed, timed out or was lost): the owner
    /// learns the file failed, once, unless it was processed or deleted meanwhile.
    pub async fn processing_failed(&self, file_id: Uuid) -> anyhow::Result<()> {
        let Some(row) = file::Entity::find_by_id(file_id).one(&self.db).await? else { return Ok(()) };
        if row.processed_at.is_some() {
            return Ok(());
        }
        self.finish(&row, "file_failed").await
    }

    /// Marks the file processed and notifies its owner, in one transaction that does nothing if
    /// another delivery of the job got there first: the effect happens exactly once, however
    /// often the job runs.
    async fn finish(&self, row: &file::Model, kind: &str) -> anyhow::Result<()> {
        let txn = self.db.begin().await?;
        let mut shown = false;
        let marked = file::Entity::update_many()
            .col_expr(file::Column::ProcessedAt, Expr::value(OffsetDateTime::now_utc()))
            .filter(file::Column::Id.eq(row.id))
            .filter(file::Column::ProcessedAt.is_null())
            .exec(&txn)
            .await?;
        if marked.rows_affected == 1 {
            let params = serde_json::json!({ "name": row.name, "file_id": row.id });
            shown = self.notifications.notify_in(&txn, row.owner_id, kind, params).await?;
        }
        txn.commit().await?;
        if shown {
            self.notifications.announce(row.owner_id).await;
        }
        Ok(())
    }

    async fn put(&self, key: &str, data: Vec<u8>) -> anyhow::Result<()> {
        let size = data.len() as u64;
        let body = stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(data)) });
        self.storage.put_stream(key, body, size).await?;
        Ok(())
    }

    /// Stores the passages of every processed file from the text kept of it; returns the files
    /// and passages. For installs whose files were processed before the assistant existed.
    pub async fn reindex_passages(&self, actor: &crate::Actor) -> crate::Result<(usize, usize)> {
        if !matches!(actor, crate::Actor::System) {
            return Err(crate::Error::Forbidden);
        }
        let rows = file::Entity::find().filter(file::Column::ProcessedAt.is_not_null()).all(&self.db).await?;
        let (mut files, mut passages) = (0, 0);
        for row in rows {
            if let Some(text) = self.extracted_text(row.id).await? {
                passages += store_passages(&self.db, row.owner_id, row.id, &text).await?;
                files += 1;
            }
        }
        Ok((files, passages))
    }

    /// The text kept of a processed text file or PDF, for search.
    pub async fn extracted_text(&self, file_id: Uuid) -> anyhow::Result<Option<String>> {
        use futures_util::TryStreamExt;

        match self.storage.get(&text_key(file_id), None).await {
            Ok(bytes) => {
                let chunks: Vec<Bytes> = bytes.try_collect().await?;
                Ok(Some(String::from_utf8_lossy(&chunks.concat()).into_owned()))
            }
            Err(crate::storage::StorageError::NotFound) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }
}

/// A PNG of at most [`THUMBNAIL_SIZE`] pixels a side of the image in `data`, decoded under limits
/// (public for the fuzz target `fuzz/fuzz_targets/image.rs`).
#[doc(hidden)]
pub fn thumbnail(data: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(crate::avatars::MAX_DIMENSION);
    limits.max_image_height = Some(crate::avatars::MAX_DIMENSION);
    limits.max_alloc = Some(MAX_IMAGE_ALLOC);
    let mut reader = ImageReader::new(Cursor::new(data)).with_guessed_format()?;
    reader.limits(limits);
    let image = reader.decode()?;
    let mut png = Vec::new();
    image.thumbnail(THUMBNAIL_SIZE, THUMBNAIL_SIZE).write_to(&mut Cursor::new(&mut png), ImageFormat::Png)?;
    Ok(png)
}
