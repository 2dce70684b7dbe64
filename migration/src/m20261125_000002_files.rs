use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::{belongs_to_user, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Files::Table)
                    .col(uuid(Files::Id).primary_key())
                    .col(uuid(Files::OwnerId))
                    .col(string_len(Files::Name, 255))
                    .col(string_len(Files::ContentType, 128))
                    .col(big_integer(Files::Size))
                    .col(string_len(Files::Sha256, 64))
                    .col(string_len(Files::ObjectKey, 255))
                    .col(timestamp_with_time_zone(Files::CreatedAt))
                    .col(timestamp_with_time_zone(Files::UpdatedAt))
                    .foreign_key(&mut belongs_to_user("fk_files_owner", Files::Table, Files::OwnerId))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_files_owner_id", Files::Table, [Files::OwnerId])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Files::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Files {
    Table,
    Id,
    OwnerId,
    Name,
    ContentType,
    Size,
    Sha256,
    ObjectKey,
    CreatedAt,
    UpdatedAt,
}
