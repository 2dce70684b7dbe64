use sea_orm_migration::{prelude::*, schema::*};

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
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_data_exports_user")
                            .from(DataExports::Table, DataExports::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_data_exports_user")
                    .table(DataExports::Table)
                    .col(DataExports::UserId)
                    .col(DataExports::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_data_exports_expires_at")
                    .table(DataExports::Table)
                    .col(DataExports::ExpiresAt)
                    .to_owned(),
            )
            .await
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

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
