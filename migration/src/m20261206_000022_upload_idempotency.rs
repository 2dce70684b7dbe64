use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::{add_column, drop_column, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// An upload remembers the `Idempotency-Key` it was sent with, in the same transaction that makes
/// its row. A process killed after that commit but before it kept its answer leaves a claim that
/// a retry takes over when the lease runs out; the retry then finds the file instead of storing it
/// a second time. Nullable and only added: the previous release runs against it during a roll.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(add_column(Files::Table, string_len_null(Files::IdempotencyKey, 255))).await?;
        manager
            .create_index(index(
                "idx_files_owner_idempotency_key",
                Files::Table,
                [Files::OwnerId, Files::IdempotencyKey],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("idx_files_owner_idempotency_key").table(Files::Table).to_owned())
            .await?;
        manager.alter_table(drop_column(Files::Table, Files::IdempotencyKey)).await
    }
}

#[derive(DeriveIden)]
enum Files {
    Table,
    OwnerId,
    IdempotencyKey,
}
