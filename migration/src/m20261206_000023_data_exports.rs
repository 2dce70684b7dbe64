use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::{belongs_to_user, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A user's data exports: asked for on the profile, built by a job into one zip in storage,
/// downloadable by its owner until it expires (then the nightly job removes row and object).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DataExports::Table)
                    .col(uuid(DataExports::Id).primary_key())
                    .col(uuid(DataExports::UserId))
                    // pending, ready or failed
                    .col(string_len(DataExports::Status, 16))
                    .col(string(DataExports::ObjectKey))
                    .col(big_integer_null(DataExports::Size))
                    .col(string_len_null(DataExports::Sha256, 64))
                    .col(text_null(DataExports::Error))
                    .col(timestamp_with_time_zone(DataExports::CreatedAt))
                    .col(timestamp_with_time_zone_null(DataExports::ReadyAt))
                    .col(timestamp_with_time_zone_null(DataExports::ExpiresAt))
                    .foreign_key(&mut belongs_to_user("fk_data_exports_user", DataExports::Table, DataExports::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_data_exports_user",
                DataExports::Table,
                [DataExports::UserId, DataExports::CreatedAt],
            ))
            .await?;
        manager.create_index(index("idx_data_exports_expires_at", DataExports::Table, [DataExports::ExpiresAt])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(DataExports::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum DataExports {
    Table,
    Id,
    UserId,
    Status,
    ObjectKey,
    Size,
    Sha256,
    Error,
    CreatedAt,
    ReadyAt,
    ExpiresAt,
}
