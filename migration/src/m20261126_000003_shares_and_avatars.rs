use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::{Files, add_column, cascade, drop_column, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FileShares::Table)
                    .col(uuid(FileShares::Id).primary_key())
                    .col(uuid(FileShares::FileId))
                    .col(string_len_uniq(FileShares::TokenHash, 64))
                    .col(timestamp_with_time_zone(FileShares::ExpiresAt))
                    .col(timestamp_with_time_zone(FileShares::CreatedAt))
                    .foreign_key(&mut cascade(
                        "fk_file_shares_file",
                        FileShares::Table,
                        FileShares::FileId,
                        Files::Table,
                        Files::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_file_shares_file_id", FileShares::Table, [FileShares::FileId])).await?;
        manager.alter_table(add_column(Users::Table, uuid_null(Users::AvatarId))).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(drop_column(Users::Table, Users::AvatarId)).await?;
        manager.drop_table(Table::drop().table(FileShares::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum FileShares {
    Table,
    Id,
    FileId,
    TokenHash,
    ExpiresAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    AvatarId,
}
