use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::{belongs_to_user, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Resumable (tus) uploads: everything needed to continue one lives in its row, so any instance
/// can take the next chunk, and a restarted one too. The bytes are in the object store: full
/// parts of a multipart upload, plus the last partial part as an object of its own (`tail_key`).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ResumableUploads::Table)
                    .col(uuid(ResumableUploads::Id).primary_key())
                    .col(uuid(ResumableUploads::OwnerId))
                    .col(text(ResumableUploads::Name))
                    // `Upload-Metadata` as the client sent it, echoed by HEAD.
                    .col(text(ResumableUploads::Metadata))
                    .col(big_integer(ResumableUploads::Length))
                    .col(big_integer(ResumableUploads::UploadOffset).default(0))
                    // Decided from the first bytes as soon as they arrive.
                    .col(text_null(ResumableUploads::ContentType))
                    .col(text(ResumableUploads::ObjectKey))
                    .col(text_null(ResumableUploads::MultipartId))
                    // JSON array of the stored parts' ids, in order.
                    .col(text(ResumableUploads::Parts))
                    .col(text_null(ResumableUploads::TailKey))
                    // SHA-256 of the bytes so far, mid-computation (see `files::uploads::hash`).
                    .col(text(ResumableUploads::HashState))
                    // Held by the request writing to the upload; renewed while it writes.
                    .col(uuid_null(ResumableUploads::LockToken))
                    .col(timestamp_with_time_zone_null(ResumableUploads::LockedUntil))
                    // Set when the upload became a file.
                    .col(uuid_null(ResumableUploads::FileId))
                    .col(timestamp_with_time_zone(ResumableUploads::ExpiresAt))
                    .col(timestamp_with_time_zone(ResumableUploads::CreatedAt))
                    .col(timestamp_with_time_zone(ResumableUploads::UpdatedAt))
                    .foreign_key(&mut belongs_to_user(
                        "fk_resumable_uploads_owner",
                        ResumableUploads::Table,
                        ResumableUploads::OwnerId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_resumable_uploads_expires_at",
                ResumableUploads::Table,
                [ResumableUploads::ExpiresAt],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ResumableUploads::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ResumableUploads {
    Table,
    Id,
    OwnerId,
    Name,
    Metadata,
    Length,
    UploadOffset,
    ContentType,
    ObjectKey,
    MultipartId,
    Parts,
    TailKey,
    HashState,
    LockToken,
    LockedUntil,
    FileId,
    ExpiresAt,
    CreatedAt,
    UpdatedAt,
}
