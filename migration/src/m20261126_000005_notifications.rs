use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::{add_column, belongs_to_user, drop_column, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(uuid(Notifications::Id).primary_key())
                    .col(uuid(Notifications::UserId))
                    .col(string_len(Notifications::Kind, 64))
                    .col(text(Notifications::Params))
                    .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                    .col(timestamp_with_time_zone(Notifications::CreatedAt))
                    .foreign_key(&mut belongs_to_user(
                        "fk_notifications_user",
                        Notifications::Table,
                        Notifications::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_notifications_user_created",
                Notifications::Table,
                [Notifications::UserId, Notifications::CreatedAt],
            ))
            .await?;
        manager.alter_table(add_column(Files::Table, timestamp_with_time_zone_null(Files::ProcessedAt))).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(drop_column(Files::Table, Files::ProcessedAt)).await?;
        manager.drop_table(Table::drop().table(Notifications::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    Kind,
    Params,
    ReadAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Files {
    Table,
    ProcessedAt,
}
