use sea_orm_migration::{prelude::*, schema::*};

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
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_file_shares_file")
                            .from(FileShares::Table, FileShares::FileId)
                            .to(Files::Table, Files::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_file_shares_file_id")
                    .table(FileShares::Table)
                    .col(FileShares::FileId)
                    .to_owned(),
            )
            .await?;
        manager.alter_table(Table::alter().table(Users::Table).add_column(uuid_null(Users::AvatarId)).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Users::Table).drop_column(Users::AvatarId).to_owned()).await?;
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
enum Files {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    AvatarId,
}
