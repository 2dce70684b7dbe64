//! Avatars: a photo the user uploads, decoded with limits (no decompression bombs), turned
//! upright, cropped square, resized to fixed sizes and re-encoded as PNG, which keeps nothing of
//! the original file but its pixels (no EXIF, no GPS position, no embedded payload).
//!
//! The images of one avatar live under `avatars/{avatar_id}/` with a fresh random id per upload,
//! so their URLs can be cached forever and reveal nothing about the user.

use std::io::Cursor;

use bytes::Bytes;
use futures_util::{Stream, StreamExt, stream::BoxStream};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, imageops::FilterType};
use sea_orm::{DatabaseConnection, EntityTrait, sea_query::Expr};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Actor, Error, Result, concurrency,
    entities::user,
    error::{Field, Problem},
    sessions::SessionStore,
    storage::{Storage, StorageError},
};

/// The sizes kept, in pixels (square): the header's and the profile's.
pub const SIZES: [u32; 2] = [64, 256];
/// Largest upload accepted: a phone photo fits.
pub const MAX_BYTES: usize = 10 << 20;
/// Largest width or height decoded.
pub const MAX_DIMENSION: u32 = 8192;
/// Memory the decoder may take; a small file claiming huge dimensions stops here.
const MAX_DECODE_ALLOC: u64 = 256 << 20;

#[derive(Clone)]
pub struct AvatarService {
    db: DatabaseConnection,
    storage: Storage,
    /// The page shell shows the avatar from the cached session: told when it changes.
    sessions: SessionStore,
}

impl AvatarService {
    pub fn new(db: DatabaseConnection, storage: Storage, sessions: SessionStore) -> Self {
        Self { db, storage, sessions }
    }

    /// Replaces the user's avatar with the image in `body`. The new images are stored before the
    /// account points at them, and the old ones removed after, so a crash leaves at worst an
    /// unreferenced folder (which `smartai storage check` finds), never a broken avatar.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn set<S>(&self, actor: &Actor, body: S) -> Result<Uuid>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send,
    {
        let user_id = actor.user_id()?;
        let data = read_limited(body).await?;
        let images = crate::heavy::run(move || render(&data))
            .await
            .map_err(|err| Error::Unexpected(anyhow::Error::new(err).context("resizing the avatar")))??;

        let avatar_id = Uuid::new_v4();
        for (size, png) in SIZES.into_iter().zip(images) {
            let stream = futures_util::stream::once(async move { Ok(Bytes::from(png)) });
            if let Err(err) = self.storage.put_stream(&key(avatar_id, size), stream, MAX_BYTES as u64).await {
                self.remove_images(avatar_id).await;
                return Err(Error::Unexpected(anyhow::Error::new(err).context("storing the avatar")));
            }
        }
        let previous = match self.point_to(user_id, Some(avatar_id)).await {
            Ok(previous) => previous,
            Err(err) => {
                self.remove_images(avatar_id).await;
                return Err(err);
            }
        };
        if let Some(previous) = previous {
            self.remove_images(previous).await;
        }
        Ok(avatar_id)
    }

    /// Back to the initial-letter placeholder.
    pub async fn remove(&self, actor: &Actor) -> Result<()> {
        let user_id = actor.user_id()?;
        if let Some(previous) = self.point_to(user_id, None).await? {
            self.remove_images(previous).await;
        }
        Ok(())
    }

    /// One image of an avatar. Avatar ids are random and unlisted; anyone who has one may see it
    /// (it is shown to other users beside the owner's name).
    pub async fn image(&self, avatar_id: Uuid, size: u32) -> Result<BoxStream<'static, Result<Bytes, StorageError>>> {
        if !SIZES.contains(&size) {
            return Err(Error::NotFound);
        }
        self.storage.get(&key(avatar_id, size), None).await.map_err(|err| match err {
            StorageError::NotFound => Error::NotFound,
            other => Error::Unexpected(anyhow::Error::new(other).context("reading an avatar")),
        })
    }

    /// Sets the account's avatar, returning the one it replaced.
    async fn point_to(&self, user_id: Uuid, avatar_id: Option<Uuid>) -> Result<Option<Uuid>> {
        let row = user::Entity::find_by_id(user_id).one(&self.db).await?.ok_or(Error::Unauthenticated)?;
        let previous = row.avatar_id;
        let changes = user::Entity::update_many()
            .col_expr(user::Column::AvatarId, Expr::value(avatar_id))
            .col_expr(user::Column::UpdatedAt, Expr::value(OffsetDateTime::now_utc()));
        concurrency::write(&self.db, user_id, changes, user::Column::Version, None, Error::Unauthenticated).await?;
        self.sessions.forget_user(user_id).await;
        Ok(previous)
    }

    async fn remove_images(&self, avatar_id: Uuid) {
        for size in SIZES {
            if let Err(err) = self.storage.delete(&key(avatar_id, size)).await {
                tracing::warn!(error = %err, %avatar_id, "could not remove an avatar image");
            }
        }
    }
}

pub(crate) fn key(avatar_id: Uuid, size: u32) -> String {
    format!("avatars/{avatar_id}/{size}.png")
}

async fn read_limited<S>(body: S) -> Result<Vec<u8>>
where
    S: Stream<Item = std::io::Result<Bytes>> + Send,
{
    let mut body = std::pin::pin!(body);
    let mut data = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|err| Error::Unexpected(anyhow::Error::new(err).context("reading the avatar")))?;
        if data.len() + chunk.len() > MAX_BYTES {
            return Err(Error::invalid(Field::Avatar, Problem::TooLarge));
        }
        data.extend_from_slice(&chunk);
    }
    if data.is_empty() {
        return Err(Error::invalid(Field::Avatar, Problem::Required));
    }
    Ok(data)
}

/// Decodes, checks and resizes; one PNG per entry of [`SIZES`] (public for the fuzz target
/// `fuzz/fuzz_targets/image.rs`).
#[doc(hidden)]
pub fn render(data: &[u8]) -> Result<Vec<Vec<u8>>> {
    let unsupported = || Error::invalid(Field::Avatar, Problem::Unsupported);
    // The type comes from the bytes, as for every upload.
    let format = match infer::get(data).map(|kind| kind.mime_type()) {
        Some("image/png") => ImageFormat::Png,
        Some("image/jpeg") => ImageFormat::Jpeg,
        Some("image/gif") => ImageFormat::Gif,
        Some("image/webp") => ImageFormat::WebP,
        _ => return Err(unsupported()),
    };
    let (width, height) =
        ImageReader::with_format(Cursor::new(data), format).into_dimensions().map_err(|_| unsupported())?;
    if width > MAX_DIMENSION || height > MAX_DIMENSION {
        return Err(Error::invalid(Field::Avatar, Problem::Dimensions));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    let mut reader = ImageReader::with_format(Cursor::new(data), format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| unsupported())?;
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(|err| match err {
        image::ImageError::Limits(_) => Error::invalid(Field::Avatar, Problem::Dimensions),
        _ => unsupported(),
    })?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    // Crop to the centred square first, then scale: `resize_to_fill` scales first, which for a
    // very thin image means a huge intermediate (8192x1 becomes 524288x64) and, at the extremes,
    // a rounded size that is not square.
    let side = image.width().min(image.height());
    if side == 0 {
        return Err(unsupported());
    }
    let image = image.crop_imm((image.width() - side) / 2, (image.height() - side) / 2, side, side);
    SIZES
        .into_iter()
        .map(|size| {
            let square = image.resize_exact(size, size, FilterType::Lanczos3).into_rgba8();
            let mut png = Vec::new();
            square
                .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
                .map_err(|err| Error::Unexpected(anyhow::Error::new(err).context("encoding the avatar")))?;
            Ok(png)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Vec::new();
        image.write_to(&mut Cursor::new(&mut out), format).unwrap();
        out
    }

    #[test]
    fn a_photo_becomes_square_pngs_of_each_size() {
        let photo = encode(DynamicImage::new_rgb8(300, 200), ImageFormat::Jpeg);
        let images = render(&photo).unwrap();
        for (png, size) in images.iter().zip(SIZES) {
            let decoded = image::load_from_memory_with_format(png, ImageFormat::Png).unwrap();
            assert_eq!((decoded.width(), decoded.height()), (size, size));
        }
    }

    #[test]
    fn a_thin_strip_still_becomes_square_pngs() {
        for (width, height) in [(MAX_DIMENSION, 1), (1, MAX_DIMENSION), (1, 1), (3, 2)] {
            let strip = encode(DynamicImage::new_rgb8(width, height), ImageFormat::Png);
            let images = render(&strip).unwrap();
            for (png, size) in images.iter().zip(SIZES) {
                let decoded = image::load_from_memory_with_format(png, ImageFormat::Png).unwrap();
                assert_eq!((decoded.width(), decoded.height()), (size, size), "from {width}x{height}");
            }
        }
    }

    #[test]
    fn exif_does_not_survive() {
        // A JPEG with an APP1 Exif segment carrying a marker string.
        let mut photo = encode(DynamicImage::new_rgb8(40, 40), ImageFormat::Jpeg);
        let payload = b"Exif\0\0GPS-SECRET-LOCATION";
        let mut segment = vec![0xFF, 0xE1];
        segment.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        segment.extend_from_slice(payload);
        photo.splice(2..2, segment);
        assert!(photo.windows(10).any(|w| w == b"GPS-SECRET"), "the test photo carries the marker");

        for png in render(&photo).unwrap() {
            assert!(!png.windows(10).any(|w| w == b"GPS-SECRET"));
        }
    }

    #[test]
    fn a_decompression_bomb_is_refused_before_decoding() {
        // A tiny PNG whose header (with a valid checksum) claims 100 000 × 100 000 pixels.
        let mut bomb = encode(DynamicImage::new_luma8(1, 1), ImageFormat::Png);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert!(matches!(render(&bomb), Err(Error::Invalid { field: Field::Avatar, problem: Problem::Dimensions })));
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for byte in data {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { 0xEDB8_8320 ^ (crc >> 1) } else { crc >> 1 };
            }
        }
        !crc
    }

    #[test]
    fn only_images_are_accepted() {
        for junk in [&b"%PDF-1.7 not an image"[..], b"plain text", b"\x89PNG\r\n\x1a\ntruncated"] {
            assert!(
                matches!(render(junk), Err(Error::Invalid { field: Field::Avatar, problem: Problem::Unsupported })),
                "{junk:?}"
            );
        }
    }
}
