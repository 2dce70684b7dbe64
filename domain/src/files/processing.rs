//! What happens to an upload after it is stored, as a background job: its checksum is checked
//! against the stored bytes, an image gets a thumbnail, a text file its text for search, and the
//! owner a notification. The job runs at least once, so it does nothing to a file already
//! processed (or deleted since).

use std::{io::Cursor, time::Duration};

use bytes::Bytes;
use futures_util::{StreamExt, stream};
use image::{ImageFormat, ImageReader, Limits};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait, sea_query::Expr};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use super::FileService;
use crate::{entities::file, jobs::Job, notifications::NotificationService};

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
        let keep_bytes = row.content_type.starts_with("image/") && u64::try_from(row.size)? <= MAX_THUMBNAIL_SOURCE
            || row.content_type.starts_with("text/");
        let mut bytes = self.storage.get(&row.object_key, None).await?;
        let mut hasher = Sha256::new();
        let mut kept = Vec::new();
        while let Some(chunk) = bytes.next().await {
            let chunk = chunk?;
            hasher.update(&chunk);
            if keep_bytes && (row.content_type.starts_with("image/") || kept.len() < MAX_TEXT) {
                kept.extend_from_slice(&chunk);
            }
        }
        if format!("{:x}", hasher.finalize()) != row.sha256 {
            tracing::error!(file_id = %row.id, "stored bytes do not match the checksum taken at upload");
            return self.finish(&row, "file_failed").await;
        }

        if row.content_type.starts_with("image/") && !kept.is_empty() {
            let data = std::mem::take(&mut kept);
            match tokio::task::spawn_blocking(move || thumbnail(&data)).await? {
                Ok(png) => self.put(&thumbnail_key(row.id), png).await?,
                Err(err) => tracing::warn!(file_id = %row.id, error = %err, "no thumbnail for this image"),
            }
        } else if row.content_type.starts_with("text/") {
            kept.truncate(MAX_TEXT);
            let text = String::from_utf8_lossy(&kept).into_owned();
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
        let marked = file::Entity::update_many()
            .col_expr(file::Column::ProcessedAt, Expr::value(OffsetDateTime::now_utc()))
            .filter(file::Column::Id.eq(row.id))
            .filter(file::Column::ProcessedAt.is_null())
            .exec(&txn)
            .await?;
        if marked.rows_affected == 1 {
            let params = serde_json::json!({ "name": row.name, "file_id": row.id });
            NotificationService::insert_in(&txn, row.owner_id, kind, params).await?;
        }
        txn.commit().await?;
        if marked.rows_affected == 1 {
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

    /// The text kept of a processed text file, for search.
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

fn thumbnail(data: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(crate::avatars::MAX_DIMENSION);
    limits.max_image_height = Some(crate::avatars::MAX_DIMENSION);
    limits.max_alloc = Some(512 << 20);
    let mut reader = ImageReader::new(Cursor::new(data)).with_guessed_format()?;
    reader.limits(limits);
    let image = reader.decode()?;
    let mut png = Vec::new();
    image.thumbnail(THUMBNAIL_SIZE, THUMBNAIL_SIZE).write_to(&mut Cursor::new(&mut png), ImageFormat::Png)?;
    Ok(png)
}
