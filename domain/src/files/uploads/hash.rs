//! SHA-256 that can stop after any byte and go on in another process: the upload's running hash
//! is saved in its row after each chunk. `sha2` keeps its state private, but exposes the
//! compression function, and the rest of SHA-256 (buffering and padding) is a few lines.

use sha2::digest::{consts::U64, generic_array::GenericArray};

const BLOCK: usize = 64;
/// Blocks handed to the compression function at once. It takes whole blocks, which a slice of
/// bytes is not, so they are copied into a buffer on the stack first (a `Vec` of them cost an
/// allocation and fresh pages for every frame of a request body: 10% of an upload's CPU).
const BATCH_BLOCKS: usize = 64;

/// SHA-256's initial hash value (FIPS 180-4, 5.3.3).
const INITIAL: [u32; 8] =
    [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumableSha256 {
    state: [u32; 8],
    /// Bytes hashed so far, including `pending`.
    length: u64,
    /// The start of a block not yet full.
    pending: Vec<u8>,
}

impl Default for ResumableSha256 {
    fn default() -> Self {
        Self { state: INITIAL, length: 0, pending: Vec::with_capacity(BLOCK) }
    }
}

impl ResumableSha256 {
    pub fn update(&mut self, mut data: &[u8]) {
        self.length += data.len() as u64;
        if !self.pending.is_empty() {
            let take = (BLOCK - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.pending.len() < BLOCK {
                return;
            }
            compress(&mut self.state, &self.pending);
            self.pending.clear();
        }
        let whole = data.len() / BLOCK * BLOCK;
        compress(&mut self.state, &data[..whole]);
        self.pending.extend_from_slice(&data[whole..]);
    }

    /// Lowercase hex of the digest.
    pub fn finish(mut self) -> String {
        let bits = self.length.wrapping_mul(8);
        let mut tail = std::mem::take(&mut self.pending);
        tail.push(0x80);
        while tail.len() % BLOCK != BLOCK - 8 {
            tail.push(0);
        }
        tail.extend_from_slice(&bits.to_be_bytes());
        compress(&mut self.state, &tail);
        self.state.iter().map(|word| format!("{word:08x}")).collect()
    }

    /// `state:length:pending`, all hex but the length: what the upload's row keeps.
    pub fn save(&self) -> String {
        let state: String = self.state.iter().map(|word| format!("{word:08x}")).collect();
        let pending: String = self.pending.iter().map(|byte| format!("{byte:02x}")).collect();
        format!("{state}:{}:{pending}", self.length)
    }

    pub fn restore(saved: &str) -> Option<Self> {
        let mut fields = saved.split(':');
        let (state, length, pending) = (fields.next()?, fields.next()?, fields.next()?);
        if fields.next().is_some() || state.len() != 64 {
            return None;
        }
        let mut words = [0u32; 8];
        if !state.is_ascii() {
            return None;
        }
        for (i, word) in words.iter_mut().enumerate() {
            *word = u32::from_str_radix(&state[i * 8..i * 8 + 8], 16).ok()?;
        }
        if pending.len() % 2 != 0 || !pending.is_ascii() {
            return None;
        }
        let pending = (0..pending.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&pending[i..i + 2], 16).ok())
            .collect::<Option<Vec<u8>>>()?;
        let length: u64 = length.parse().ok()?;
        if pending.len() >= BLOCK || length % BLOCK as u64 != pending.len() as u64 {
            return None;
        }
        Some(Self { state: words, length, pending })
    }
}

/// Runs the compression function over `data`, a whole number of blocks.
fn compress(state: &mut [u32; 8], data: &[u8]) {
    let mut batch = [GenericArray::<u8, U64>::default(); BATCH_BLOCKS];
    for run in data.chunks(BLOCK * BATCH_BLOCKS) {
        let mut count = 0;
        for (slot, block) in batch.iter_mut().zip(run.chunks_exact(BLOCK)) {
            slot.copy_from_slice(block);
            count += 1;
        }
        sha2::compress256(state, &batch[..count]);
    }
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    use super::*;

    fn reference(data: &[u8]) -> String {
        format!("{:x}", Sha256::digest(data))
    }

    #[test]
    fn matches_sha256_however_the_bytes_are_cut_and_saved() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for len in [0, 1, 55, 56, 63, 64, 65, 119, 128, 1000, 10_000] {
            let data = &data[..len];
            // 10,000 at once is more than one batch of blocks.
            for cut in [1, 3, 63, 64, 65, 500, 10_000] {
                let mut hash = ResumableSha256::default();
                for chunk in data.chunks(cut) {
                    hash.update(chunk);
                    hash = ResumableSha256::restore(&hash.save()).expect("a saved state restores");
                }
                assert_eq!(hash.finish(), reference(data), "{len} bytes in chunks of {cut}");
            }
        }
    }

    #[test]
    fn a_damaged_state_is_refused() {
        let mut hash = ResumableSha256::default();
        hash.update(b"abc");
        let saved = hash.save();
        assert!(ResumableSha256::restore(&saved).is_some());
        assert!(ResumableSha256::restore(&saved.replace(":3:", ":4:")).is_none());
        assert!(ResumableSha256::restore("zz").is_none());
        assert!(ResumableSha256::restore(&format!("{saved}:x")).is_none());
    }
}
