use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::{add_column, drop_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// An administrator may suspend an account: while `suspended_at` is set its sessions and tokens
/// stop working and it cannot sign in; reactivating clears it. Nullable and only added: the
/// previous release ignores it during a roll.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(add_column(Users::Table, timestamp_with_time_zone_null(Users::SuspendedAt))).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(drop_column(Users::Table, Users::SuspendedAt)).await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    SuspendedAt,
}
