//! Reading a stored file: its bytes (or a range of them), the start of it as text, or a
//! presigned URL of the storage service.

use std::ops::Range;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use uuid::Uuid;

use super::{FileInfo, FileService};
use crate::{
    Actor, Error, Result,
    entities::file,
    storage::{Storage, StorageError},
};

/// A file someone may read, and the way to its bytes.
pub struct Download {
    pub info: FileInfo,
    key: String,
    storage: Storage,
}

impl Download {
    pub(crate) fn new(info: FileInfo, key: String, storage: Storage) -> Self {
        Self { info, key, storage }
    }

    /// The bytes, or the bytes in `range`.
    pub async fn bytes(&self, range: Option<Range<u64>>) -> Result<BoxStream<'static, Result<Bytes, StorageError>>> {
        self.storage.get(&self.key, range).await.map_err(|err| match err {
            StorageError::NotFound => Error::NotFound,
            other => Error::Unexpected(anyhow::Error::new(other).context("reading a stored file")),
        })
    }

    /// The first `limit` bytes as text (a preview): a character cut at the end is dropped.
    pub async fn text_start(&self, limit: u64) -> Result<String> {
        use futures_util::TryStreamExt;

        let end = self.info.size.min(limit);
        let chunks: Vec<Bytes> = self
            .bytes(Some(0..end))
            .await?
            .try_collect()
            .await
            .map_err(|err| Error::Unexpected(anyhow::Error::new(err).context("reading a stored file")))?;
        let bytes = chunks.concat();
        let text = match std::str::from_utf8(&bytes) {
            Ok(text) => text,
            Err(err) => std::str::from_utf8(&bytes[..err.valid_up_to()]).unwrap_or_default(),
        };
        Ok(text.to_owned())
    }

    /// A short-lived URL of the storage service itself, when it offers them and the operator
    /// turned them on: the bytes then bypass this server.
    pub async fn presigned_url(&self) -> Result<Option<url::Url>> {
        let disposition = content_disposition("attachment", &self.info.name);
        self.storage
            .presigned_get(&self.key, &disposition, &self.info.content_type)
            .await
            .map_err(|err| Error::Unexpected(anyhow::Error::new(err).context("signing a download URL")))
    }
}

/// A `Content-Disposition` value that keeps any name safe: an ASCII fallback and the exact name
/// in RFC 5987 encoding.
pub fn content_disposition(kind: &str, name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '%') || c == ' ' { c } else { '_' })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

impl FileService {
    /// The file, ready to be read.
    pub async fn download(&self, actor: &Actor, id: Uuid) -> Result<Download> {
        Ok(self.reader(self.owned(actor, id).await?))
    }

    pub(super) fn reader(&self, row: file::Model) -> Download {
        let key = row.object_key.clone();
        Download { info: row.into(), key, storage: self.storage.clone() }
    }
}
