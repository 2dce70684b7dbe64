//! What an upload's bytes are kept as between chunks: the stored parts, and on S3 the part being
//! gathered.

use bytes::{Bytes, BytesMut};

use crate::storage::PART_SIZE;

/// The largest part: the most of an upload a request holds in memory.
pub(super) const MAX_PART: usize = 2 * PART_SIZE;

/// A stored part: what the store needs to assemble it, and the upload offset where it ends.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct Part {
    pub(super) id: String,
    pub(super) end: u64,
}

/// Where the stored parts end: the offset the next part begins at.
pub(super) fn stored_end(parts: &[Part]) -> u64 {
    parts.last().map_or(0, |part| part.end)
}

/// The current part's bytes (S3), kept as they came rather than copied into one buffer.
#[derive(Default)]
pub(super) struct Gathered {
    pub(super) frames: Vec<Bytes>,
    len: usize,
}

impl Gathered {
    pub(super) fn push(&mut self, bytes: Bytes) {
        if !bytes.is_empty() {
            self.len += bytes.len();
            self.frames.push(bytes);
        }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(super) fn take(&mut self) -> Vec<Bytes> {
        self.len = 0;
        std::mem::take(&mut self.frames)
    }

    /// The bytes as one buffer: a tail is stored as one object.
    pub(super) fn concat(mut self) -> Bytes {
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
