//! Object storage behind one type: a folder on local disk by default, any S3-compatible bucket in
//! production. Writes stream (memory stays flat whatever the size) and hash as they go.

use std::{
    fmt,
    ops::Range,
    path::{Path, PathBuf},
    str::FromStr,
    sync::Arc,
    time::Duration,
};

use anyhow::Context;
use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt, stream::BoxStream};
use object_store::{
    GetOptions, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart,
    aws::{AmazonS3, AmazonS3Builder},
    local::LocalFileSystem,
    path::Path as ObjectPath,
    signer::{SignedUrlOptions, Signer},
};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sha2::{Digest, Sha256};

mod parts;

pub use parts::StagedWriter;

/// Part size of multipart uploads: S3's minimum, so a stream is held in memory one part at a time.
/// Every part but the last has exactly this size.
pub const PART_SIZE: usize = 5 << 20;

/// The settings `STORAGE_URL`, `S3_*` and `STORAGE_PRESIGNED_DOWNLOADS`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    /// Where files go. Defaults to DATA_DIR/objects.
    #[serde(default, deserialize_with = "crate::config::parse::some")]
    pub url: Option<StorageUrl>,
    /// S3 endpoint for S3-compatible servers; AWS when unset.
    #[serde(default, deserialize_with = "crate::config::parse::some")]
    pub endpoint: Option<url::Url>,
    /// S3 region.
    #[serde(deserialize_with = "crate::config::parse::from_str")]
    pub region: String,
    /// S3 access key id.
    #[serde(default, deserialize_with = "crate::config::parse::some")]
    pub access_key_id: Option<String>,
    /// S3 secret access key.
    #[serde(default, deserialize_with = "crate::config::parse::secret")]
    pub secret_access_key: Option<SecretString>,
    /// On S3, send downloads to a short-lived presigned URL of the bucket.
    #[serde(default, deserialize_with = "crate::config::parse::switch")]
    pub presigned_downloads: bool,
}

impl StorageConfig {
    /// Opens the configured store. The error names the setting at fault.
    pub fn open(&self, data_dir: &Path) -> anyhow::Result<Storage> {
        match &self.url {
            None => Storage::local(&data_dir.join("objects")),
            Some(StorageUrl::Folder(path)) => Storage::local(Path::new(path)),
            Some(StorageUrl::S3 { bucket, prefix }) => {
                let mut builder = AmazonS3Builder::new().with_bucket_name(bucket).with_region(&self.region);
                if let Some(endpoint) = &self.endpoint {
                    // Path-style requests: `bucket.127.0.0.1` cannot resolve.
                    builder = builder
                        .with_endpoint(endpoint.as_str().trim_end_matches('/'))
                        .with_allow_http(endpoint.scheme() == "http")
                        .with_virtual_hosted_style_request(false);
                }
                if let Some(key) = &self.access_key_id {
                    builder = builder.with_access_key_id(key);
                }
                if let Some(secret) = &self.secret_access_key {
                    builder = builder.with_secret_access_key(secret.expose_secret());
                }
                let store = Arc::new(builder.build().context("STORAGE_URL: cannot configure the S3 client")?);
                Ok(Storage {
                    signer: self.presigned_downloads.then(|| store.clone()),
                    parts: PartStore::S3(store.clone()),
                    store,
                    prefix: prefix.clone(),
                    description: format!("s3://{bucket}"),
                    local_folder: None,
                })
            }
        }
    }
}

/// A parsed `STORAGE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageUrl {
    Folder(String),
    S3 { bucket: String, prefix: Option<String> },
}

impl FromStr for StorageUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let url = url::Url::parse(s).map_err(|e| format!("not a URL ({e})"))?;
        match url.scheme() {
            "file" => Ok(Self::Folder(url.path().to_owned())),
            "s3" => {
                let bucket = url.host_str().filter(|b| !b.is_empty()).ok_or("an s3:// URL needs a bucket")?;
                let prefix = Some(url.path().trim_matches('/')).filter(|p| !p.is_empty()).map(str::to_owned);
                Ok(Self::S3 { bucket: bucket.to_owned(), prefix })
            }
            other => Err(format!("unsupported scheme `{other}` (use file:// or s3://)")),
        }
    }
}

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("the object is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("no such object")]
    NotFound,
    #[error("reading the upload failed")]
    Source(#[source] std::io::Error),
    #[error("object storage failed")]
    Backend(#[source] object_store::Error),
}

impl From<object_store::Error> for StorageError {
    fn from(err: object_store::Error) -> Self {
        match err {
            object_store::Error::NotFound { .. } => Self::NotFound,
            other => Self::Backend(other),
        }
    }
}

/// What a completed write stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    pub size: u64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
}

#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    /// Set when downloads go to presigned URLs.
    signer: Option<Arc<AmazonS3>>,
    prefix: Option<String>,
    description: String,
    /// The folder of a local store (its disk is measured for the metrics); `None` on S3.
    local_folder: Option<PathBuf>,
    /// Where the parts of a multipart upload written over several requests go.
    parts: PartStore,
}

/// Multipart uploads whose state outlives the process (resumable uploads): S3's own, or on a
/// local folder one staging file written at each part's offset and renamed into place at the end.
#[derive(Clone)]
enum PartStore {
    S3(Arc<AmazonS3>),
    Folder(PathBuf),
}

impl fmt::Debug for Storage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

impl Storage {
    fn local(folder: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(folder).with_context(|| format!("STORAGE_URL: cannot create {}", folder.display()))?;
        let store = LocalFileSystem::new_with_prefix(folder)
            .with_context(|| format!("STORAGE_URL: cannot use {}", folder.display()))?
            .with_automatic_cleanup(true);
        Ok(Self {
            store: Arc::new(store),
            signer: None,
            prefix: None,
            description: format!("file://{}", folder.display()),
            local_folder: Some(folder.to_owned()),
            parts: PartStore::Folder(folder.to_owned()),
        })
    }

    /// The folder files go to when the store is a local folder; `None` on S3.
    pub fn local_folder(&self) -> Option<&Path> {
        self.local_folder.as_deref()
    }

    fn path(&self, key: &str) -> ObjectPath {
        match &self.prefix {
            Some(prefix) => ObjectPath::from(format!("{prefix}/{key}")),
            None => ObjectPath::from(key),
        }
    }

    /// Streams `body` into `key`, refusing more than `limit` bytes. Nothing is left behind when
    /// the body fails or is too large: the upload is aborted.
    pub async fn put_stream<S>(&self, key: &str, body: S, limit: u64) -> Result<StoredObject, StorageError>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send,
    {
        let upload = self.store.put_multipart(&self.path(key)).await?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut body = std::pin::pin!(body);
        while let Some(chunk) = body.next().await {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(err) => {
                    let _ = writer.abort().await;
                    return Err(StorageError::Source(err));
                }
            };
            size += chunk.len() as u64;
            if size > limit {
                let _ = writer.abort().await;
                return Err(StorageError::TooLarge { limit });
            }
            hasher.update(&chunk);
            // Back-pressure: at most two parts in flight.
            writer.wait_for_capacity(2).await?;
            writer.write(&chunk);
        }
        writer.finish().await?;
        Ok(StoredObject { size, sha256: format!("{:x}", hasher.finalize()) })
    }

    /// The object's bytes (or those in `range`), as a stream.
    pub async fn get(
        &self,
        key: &str,
        range: Option<Range<u64>>,
    ) -> Result<BoxStream<'static, Result<Bytes, StorageError>>, StorageError> {
        let options = GetOptions { range: range.map(Into::into), ..GetOptions::default() };
        let result = self.store.get_opts(&self.path(key), options).await?;
        Ok(result.into_stream().map_err(StorageError::from).boxed())
    }

    /// A URL that downloads the object straight from the bucket for a few minutes, with the given
    /// response headers; `None` unless presigned downloads are configured.
    pub async fn presigned_get(
        &self,
        key: &str,
        content_disposition: &str,
        content_type: &str,
    ) -> Result<Option<url::Url>, StorageError> {
        let Some(signer) = &self.signer else { return Ok(None) };
        let options = SignedUrlOptions::new().with_query([
            ("response-content-disposition", content_disposition),
            ("response-content-type", content_type),
        ]);
        let url =
            signer.signed_url_opts(http::Method::GET, &self.path(key), Duration::from_secs(300), &options).await?;
        Ok(Some(url))
    }

    /// The object's size, or `None` when there is no such object.
    pub async fn size(&self, key: &str) -> Result<Option<u64>, StorageError> {
        match self.store.head(&self.path(key)).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// Removes the object; removing a missing object is not an error (deletes are retried).
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self.store.delete(&self.path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// Stores `bytes` at `key` in one request (small objects).
    pub async fn put_bytes(&self, key: &str, bytes: Bytes) -> Result<(), StorageError> {
        self.store.put(&self.path(key), PutPayload::from(bytes)).await?;
        Ok(())
    }

    /// The whole object in memory (small objects).
    pub async fn get_bytes(&self, key: &str) -> Result<Bytes, StorageError> {
        Ok(self.store.get(&self.path(key)).await?.bytes().await?)
    }

    /// Whether a remote store (S3) answers: a HEAD of a key that need not exist (readiness);
    /// `None` for a local folder.
    pub async fn ping_remote(&self) -> Option<Result<(), StorageError>> {
        if self.local_folder.is_some() {
            return None;
        }
        Some(self.size(".health-check").await.map(|_| ()))
    }

    /// Every key under `prefix`, sorted.
    pub async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        let path = self.path(prefix);
        let strip = self.prefix.as_ref().map(|p| format!("{p}/"));
        let mut keys: Vec<String> = self
            .store
            .list(Some(&path))
            .map_ok(|meta| {
                let key = meta.location.to_string();
                match &strip {
                    Some(strip) => key.strip_prefix(strip.as_str()).unwrap_or(&key).to_owned(),
                    None => key,
                }
            })
            .try_collect()
            .await?;
        keys.sort();
        Ok(keys)
    }
}

pub(crate) fn not_found_or_source(err: std::io::Error) -> StorageError {
    if err.kind() == std::io::ErrorKind::NotFound { StorageError::NotFound } else { StorageError::Source(err) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_storage_urls() {
        assert_eq!("file:///var/lib/smartai".parse(), Ok(StorageUrl::Folder("/var/lib/smartai".into())));
        assert_eq!("s3://bucket".parse(), Ok(StorageUrl::S3 { bucket: "bucket".into(), prefix: None }));
        assert_eq!(
            "s3://bucket/tenant/a".parse(),
            Ok(StorageUrl::S3 { bucket: "bucket".into(), prefix: Some("tenant/a".into()) })
        );
        assert!("ftp://x".parse::<StorageUrl>().unwrap_err().contains("ftp"));
        assert!("s3:///path".parse::<StorageUrl>().is_err());
    }

    #[test]
    fn secrets_are_not_printed() {
        let config = StorageConfig {
            url: Some(StorageUrl::S3 { bucket: "b".into(), prefix: None }),
            endpoint: None,
            region: "us-east-1".into(),
            access_key_id: Some("key".into()),
            secret_access_key: Some("hunter2".into()),
            presigned_downloads: false,
        };
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}
