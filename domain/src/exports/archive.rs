//! Writes an export's zip straight into storage: the zip writer runs on a blocking thread and
//! hands its output, in chunks, to the upload that reads them. Memory stays at a few chunks
//! whatever the size of the user's files.

use std::io::{self, Write};

use bytes::Bytes;
use futures_util::StreamExt;
use time::OffsetDateTime;
use tokio::sync::mpsc;
use zip::{CompressionMethod, ZipWriter, write::SimpleFileOptions};

use crate::storage::{Storage, StoredObject};

/// Bytes handed to storage at a time, and how many may wait: the memory an export takes.
const CHUNK: usize = 256 << 10;
const IN_FLIGHT: usize = 4;

/// One entry of the archive.
pub(crate) enum Entry {
    /// A document the export wrote (JSON).
    Document { name: String, bytes: Vec<u8> },
    /// A stored object, copied as it is read.
    Object { name: String, key: String, content_type: String, modified: OffsetDateTime },
}

/// Writes `entries` as one zip at `key`. A failure anywhere removes what was written.
pub(crate) async fn store(storage: &Storage, key: &str, entries: Vec<Entry>) -> anyhow::Result<StoredObject> {
    let (sender, receiver) = mpsc::channel::<io::Result<Bytes>>(IN_FLIGHT);
    let source = storage.clone();
    let runtime = tokio::runtime::Handle::current();
    let writer = tokio::task::spawn_blocking(move || {
        let written = write(&source, &runtime, ChannelWriter::new(sender.clone()), entries);
        if let Err(err) = &written {
            // The upload must fail too, not keep a truncated archive.
            let _ = sender.blocking_send(Err(io::Error::other(format!("{err:#}"))));
        }
        written
    });
    let body = tokio_stream_of(receiver);
    let stored = storage.put_stream(key, body, u64::MAX).await;
    let written = writer.await.map_err(|err| anyhow::anyhow!("the export's writer panicked: {err}"));
    match (stored, written) {
        (Ok(stored), Ok(Ok(()))) => Ok(stored),
        (stored, written) => {
            if let Err(err) = storage.delete(key).await {
                tracing::warn!(error = %err, key, "could not remove a failed export");
            }
            // The writer's error says what went wrong; storage's only that the stream broke.
            written??;
            Err(anyhow::Error::new(stored.expect_err("one side failed")).context("storing the export"))
        }
    }
}

fn tokio_stream_of(
    mut receiver: mpsc::Receiver<io::Result<Bytes>>,
) -> impl futures_util::Stream<Item = io::Result<Bytes>> {
    futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}

fn write(
    storage: &Storage,
    runtime: &tokio::runtime::Handle,
    out: ChannelWriter,
    entries: Vec<Entry>,
) -> anyhow::Result<()> {
    let mut zip = ZipWriter::new_stream(out);
    for entry in entries {
        match entry {
            Entry::Document { name, bytes } => {
                zip.start_file(name, options(CompressionMethod::Deflated, OffsetDateTime::now_utc()))?;
                zip.write_all(&bytes)?;
            }
            Entry::Object { name, key, content_type, modified } => {
                zip.start_file(name, options(method_for(&content_type), modified))?;
                let mut chunks = runtime.block_on(storage.get(&key, None))?;
                while let Some(chunk) = runtime.block_on(chunks.next()) {
                    zip.write_all(&chunk?)?;
                }
            }
        }
    }
    zip.finish()?.flush()?;
    Ok(())
}

fn options(method: CompressionMethod, modified: OffsetDateTime) -> SimpleFileOptions {
    let modified = time::PrimitiveDateTime::new(modified.date(), modified.time());
    let options = SimpleFileOptions::default().compression_method(method).large_file(true);
    // Dates before 1980 do not fit the format; such an entry keeps the format's default.
    match zip::DateTime::try_from(modified) {
        Ok(modified) => options.last_modified_time(modified),
        Err(_) => options,
    }
}

/// Already-compressed formats are stored as they are: deflating them again costs CPU for nothing.
fn method_for(content_type: &str) -> CompressionMethod {
    let compressed = content_type.starts_with("image/") && content_type != "image/svg+xml"
        || content_type.starts_with("video/")
        || content_type.starts_with("audio/")
        || matches!(content_type, "application/zip" | "application/gzip" | "application/pdf");
    if compressed { CompressionMethod::Stored } else { CompressionMethod::Deflated }
}

/// A `Write` that sends its bytes, a chunk at a time, to the async side.
struct ChannelWriter {
    sender: mpsc::Sender<io::Result<Bytes>>,
    buffer: Vec<u8>,
}

impl ChannelWriter {
    fn new(sender: mpsc::Sender<io::Result<Bytes>>) -> Self {
        Self { sender, buffer: Vec::with_capacity(CHUNK) }
    }

    fn send(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK)));
        self.sender
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "storage stopped reading the export"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let taken = bytes.len().min(CHUNK - self.buffer.len());
        self.buffer.extend_from_slice(&bytes[..taken]);
        if self.buffer.len() == CHUNK {
            self.send()?;
        }
        Ok(taken)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}
