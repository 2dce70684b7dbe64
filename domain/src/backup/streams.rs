//! Bytes between storage and local files, hashed on the way.

use std::path::Path;

use anyhow::Context;
use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use sha2::{Digest, Sha256};

use super::Result;
use crate::storage::StorageError;

pub(super) async fn hash_stream(
    mut stream: impl Stream<Item = Result<Bytes, StorageError>> + Unpin,
) -> Result<(u64, String), StorageError> {
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = stream.try_next().await? {
        size += chunk.len() as u64;
        hasher.update(&chunk);
    }
    Ok((size, format!("{:x}", hasher.finalize())))
}

/// Streams into a local file; returns its size and SHA-256.
pub(super) async fn write_stream(
    mut stream: impl Stream<Item = Result<Bytes, StorageError>> + Unpin,
    to: &Path,
) -> Result<(u64, String)> {
    use tokio::io::AsyncWriteExt;
    let mut file = tokio::fs::File::create(to).await.with_context(|| format!("cannot create {}", to.display()))?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.context("reading from storage")?;
        size += chunk.len() as u64;
        hasher.update(&chunk);
        file.write_all(&chunk).await.context("writing a temporary file")?;
    }
    file.flush().await.context("writing a temporary file")?;
    Ok((size, format!("{:x}", hasher.finalize())))
}

/// A local file as a stream of 1 MiB chunks, for `Storage::put_stream`.
pub(super) async fn file_stream(path: &Path) -> Result<impl Stream<Item = std::io::Result<Bytes>> + Send + use<>> {
    use tokio::io::AsyncReadExt;
    let file = tokio::fs::File::open(path).await.with_context(|| format!("cannot open {}", path.display()))?;
    Ok(futures_util::stream::try_unfold(file, |mut file| async move {
        let mut buf = vec![0; 1 << 20];
        let n = file.read(&mut buf).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.truncate(n);
        Ok(Some((Bytes::from(buf), file)))
    }))
}
