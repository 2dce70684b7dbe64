//! The image paths: an upload's thumbnail (`files::thumbnail`) and an avatar (`avatars::render`),
//! both decoding with limits (8192 px a side, 256 MiB of memory).
//!
//! Properties: whatever the bytes claim, a decode stays within the limits (libFuzzer's
//! `-rss_limit_mb` catches one that does not); a thumbnail is a PNG of at most 256 px a side; an
//! avatar is one square PNG per size.
#![no_main]

use std::io::Cursor;

use domain::{avatars, files};
use image::{ImageFormat, ImageReader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(png) = files::thumbnail(data) {
        let (width, height) = dimensions(&png);
        let size = files::THUMBNAIL_SIZE;
        assert!(width <= size && height <= size && width > 0 && height > 0, "a {width}x{height} thumbnail");
    }
    if data.len() <= avatars::MAX_BYTES
        && let Ok(pngs) = avatars::render(data)
    {
        assert_eq!(pngs.len(), avatars::SIZES.len());
        for (png, size) in pngs.iter().zip(avatars::SIZES) {
            assert_eq!(dimensions(png), (size, size));
        }
    }
});

fn dimensions(png: &[u8]) -> (u32, u32) {
    ImageReader::with_format(Cursor::new(png), ImageFormat::Png).into_dimensions().expect("the output is a PNG")
}
