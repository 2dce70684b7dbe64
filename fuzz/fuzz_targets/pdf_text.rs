//! A PDF's text, through the bounded reader uploads go through (`files::pdf::extract_text`'s
//! forked child with `RLIMIT_AS`, `RLIMIT_CPU` and a deadline), with the time cut to seconds so a
//! hanging document costs one run. The unbounded reader (pdf-extract on lopdf) hangs on some
//! inputs (a page tree that is its own parent); that is why it is never called directly.
//!
//! The reader runs in the child, so libFuzzer sees no coverage of it: this target mutates the
//! seeds blindly. It checks the part in this process: whatever the child does (dies, hangs,
//! writes garbage), the answer comes back in time, as text of at most `max_text` bytes, as
//! "unreadable", or as "too large".
#![no_main]

use std::time::{Duration, Instant};

use domain::files::pdf::{self, Bounds, Read};
use libfuzzer_sys::fuzz_target;

const BOUNDS: Bounds = Bounds { memory: pdf::MEMORY, cpu_seconds: 2, wall_time: Duration::from_secs(3) };
const MAX_TEXT: usize = 4096;

fuzz_target!(|data: &[u8]| {
    let started = Instant::now();
    let read = pdf::extract_text_within(data, MAX_TEXT, BOUNDS);
    assert!(started.elapsed() < BOUNDS.wall_time + Duration::from_secs(2), "took {:?}", started.elapsed());
    if let Ok(Read::Text(text)) = read {
        assert!(text.len() <= MAX_TEXT, "{} bytes of text, more than {MAX_TEXT}", text.len());
    }
});
