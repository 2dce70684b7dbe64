//! Multipart uploads whose state outlives the process (resumable uploads): S3's own parts, or on
//! a local folder one staging file written in place and renamed into the object at the end.

use std::{path::Path, sync::Arc};

use bytes::Bytes;
use object_store::multipart::{MultipartStore, PartId};

use super::{PartStore, Storage, StorageError, not_found_or_source};

impl Storage {
    /// Begins a multipart upload to `key` that later requests, in this process or another, continue
    /// with [`Storage::put_part`]; `upload` names its staging file on a local folder. Returns the
    /// id they need.
    pub async fn start_parts(&self, key: &str, upload: uuid::Uuid) -> Result<String, StorageError> {
        match &self.parts {
            PartStore::S3(s3) => Ok(s3.create_multipart(&self.path(key)).await?),
            PartStore::Folder(folder) => {
                let staging = format!("uploads/{upload}/data");
                let file = folder.join(&staging);
                if let Some(parent) = file.parent() {
                    tokio::fs::create_dir_all(parent).await.map_err(StorageError::Source)?;
                }
                tokio::fs::File::create(&file).await.map_err(StorageError::Source)?;
                Ok(staging)
            }
        }
    }

    /// Writes part `index` (from 0), which begins `offset` bytes into the object. Parts may differ
    /// in size, but every part but the last must be at least [`PART_SIZE`] bytes (S3's minimum).
    /// Writing a part again replaces it. Returns the id [`Storage::complete_parts`] needs for it.
    /// The bytes are sent as they came, not copied into one buffer first.
    pub async fn put_part(
        &self,
        key: &str,
        id: &str,
        index: usize,
        offset: u64,
        bytes: Vec<Bytes>,
    ) -> Result<String, StorageError> {
        match &self.parts {
            PartStore::S3(s3) => {
                let id = id.to_owned();
                Ok(s3.put_part(&self.path(key), &id, index, bytes.into_iter().collect()).await?.content_id)
            }
            PartStore::Folder(folder) => {
                let mut writer = StagedWriter::open(folder, id, offset).await?;
                for frame in bytes {
                    writer.write(frame).await?;
                }
                writer.finish().await?;
                Ok(String::new())
            }
        }
    }

    /// Whether parts are written in place ([`Storage::write_in_place`]): on a local folder any
    /// number of bytes can go at any offset of the staging file, so nothing need be gathered
    /// into parts of [`PART_SIZE`] as on S3.
    pub fn stages_in_place(&self) -> bool {
        matches!(self.parts, PartStore::Folder(_))
    }

    /// A writer of the staging file `id` from `offset` on, on a local folder: a resumable upload's
    /// bytes go there as they arrive, so the write overlaps the network.
    pub async fn write_in_place(&self, id: &str, offset: u64) -> Result<StagedWriter, StorageError> {
        StagedWriter::open(self.staging_folder()?, id, offset).await
    }

    /// The first `len` bytes of the staging file `id` on a local folder (fewer if it is shorter).
    pub async fn read_staged(&self, id: &str, len: usize) -> Result<Vec<u8>, StorageError> {
        use tokio::io::AsyncReadExt;

        let folder = self.staging_folder()?;
        let file = tokio::fs::File::open(folder.join(id)).await.map_err(not_found_or_source)?;
        let mut head = Vec::with_capacity(len);
        file.take(len as u64).read_to_end(&mut head).await.map_err(StorageError::Source)?;
        Ok(head)
    }

    fn staging_folder(&self) -> Result<&Path, StorageError> {
        match &self.parts {
            PartStore::Folder(folder) => Ok(folder),
            PartStore::S3(_) => {
                Err(StorageError::Source(std::io::Error::other("parts on S3 are not written in place")))
            }
        }
    }

    /// Makes the parts the object at `key`, `length` bytes long: assembled by S3 itself, or the
    /// staging file renamed; no byte is copied.
    pub async fn complete_parts(
        &self,
        key: &str,
        id: &str,
        parts: Vec<String>,
        length: u64,
    ) -> Result<(), StorageError> {
        match &self.parts {
            PartStore::S3(s3) => {
                let parts = parts.into_iter().map(|content_id| PartId { content_id }).collect();
                s3.complete_multipart(&self.path(key), &id.to_owned(), parts).await?;
            }
            PartStore::Folder(folder) => {
                let staging = folder.join(id);
                let file =
                    tokio::fs::OpenOptions::new().write(true).open(&staging).await.map_err(not_found_or_source)?;
                file.set_len(length).await.map_err(StorageError::Source)?;
                let target = folder.join(key);
                if let Some(parent) = target.parent() {
                    tokio::fs::create_dir_all(parent).await.map_err(StorageError::Source)?;
                }
                tokio::fs::rename(&staging, &target).await.map_err(StorageError::Source)?;
                if let Some(dir) = staging.parent() {
                    let _ = tokio::fs::remove_dir(dir).await;
                }
            }
        }
        Ok(())
    }

    /// Drops a multipart upload and its parts; one already gone is not an error.
    pub async fn abort_parts(&self, key: &str, id: &str) -> Result<(), StorageError> {
        match &self.parts {
            PartStore::S3(s3) => match s3.abort_multipart(&self.path(key), &id.to_owned()).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(err) => Err(err.into()),
            },
            PartStore::Folder(folder) => {
                let staging = folder.join(id);
                match tokio::fs::remove_file(&staging).await {
                    Ok(()) => {}
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                    Err(err) => return Err(StorageError::Source(err)),
                }
                if let Some(dir) = staging.parent() {
                    let _ = tokio::fs::remove_dir(dir).await;
                }
                Ok(())
            }
        }
    }
}

/// A staging file on a local folder, written from one offset on. Frames are written in batches of
/// [`STAGE_BATCH`] on a blocking thread, one batch at a time, while the next one is received.
/// No fsync, as for every other object on a local folder (object_store's LocalFileSystem does not
/// sync either): a killed process loses nothing, only a machine that loses power may, and then
/// the processing job's checksum check says so.
pub struct StagedWriter {
    file: Arc<std::fs::File>,
    offset: u64,
    batch: Vec<Bytes>,
    batch_len: usize,
    in_flight: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// How many bytes a staged write gathers before it goes to disk.
const STAGE_BATCH: usize = 1 << 20;

impl StagedWriter {
    async fn open(folder: &Path, id: &str, offset: u64) -> Result<Self, StorageError> {
        let path = folder.join(id);
        let file = tokio::task::spawn_blocking(move || std::fs::OpenOptions::new().write(true).open(path))
            .await
            .map_err(std::io::Error::other)
            .map_err(StorageError::Source)?
            .map_err(not_found_or_source)?;
        Ok(Self { file: Arc::new(file), offset, batch: Vec::new(), batch_len: 0, in_flight: None })
    }

    /// Takes the next bytes; they are on disk once [`StagedWriter::finish`] returns.
    pub async fn write(&mut self, bytes: Bytes) -> Result<(), StorageError> {
        self.batch_len += bytes.len();
        self.batch.push(bytes);
        if self.batch_len >= STAGE_BATCH {
            self.send().await?;
        }
        Ok(())
    }

    /// Writes what is left and waits for every write to finish.
    pub async fn finish(mut self) -> Result<(), StorageError> {
        if !self.batch.is_empty() {
            self.send().await?;
        }
        self.wait().await
    }

    async fn send(&mut self) -> Result<(), StorageError> {
        self.wait().await?;
        let batch = std::mem::take(&mut self.batch);
        let mut at = self.offset;
        self.offset += self.batch_len as u64;
        self.batch_len = 0;
        let file = Arc::clone(&self.file);
        self.in_flight = Some(tokio::task::spawn_blocking(move || {
            use std::os::unix::fs::FileExt;
            for bytes in &batch {
                file.write_all_at(bytes, at)?;
                at += bytes.len() as u64;
            }
            Ok(())
        }));
        Ok(())
    }

    async fn wait(&mut self) -> Result<(), StorageError> {
        if let Some(write) = self.in_flight.take() {
            write.await.map_err(std::io::Error::other).and_then(|done| done).map_err(StorageError::Source)?;
        }
        Ok(())
    }
}
