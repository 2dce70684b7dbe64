use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::{add_column, drop_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Accounts and files count their changes in `version`: an update names the version it was
/// based on and writes only while the row is still at it (`UPDATE … WHERE id = ? AND version = ?`),
/// so the REST API's `If-Match` has no window between its check and its write. `NOT NULL` with a
/// default and only added: existing rows start at 1, and the previous release's `INSERT`s, which
/// do not name it, still work during a roll.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(add_column(Users::Table, big_integer(Users::Version).default(1))).await?;
        manager.alter_table(add_column(Files::Table, big_integer(Files::Version).default(1))).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(drop_column(Files::Table, Files::Version)).await?;
        manager.alter_table(drop_column(Users::Table, Users::Version)).await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Version,
}

#[derive(DeriveIden)]
enum Files {
    Table,
    Version,
}
