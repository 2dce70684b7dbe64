use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// An administrator may suspend an account: while `suspended_at` is set its sessions and tokens
/// stop working and it cannot sign in; reactivating clears it. Nullable and only added: the
/// previous release ignores it during a roll.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(timestamp_with_time_zone_null(Users::SuspendedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Users::Table).drop_column(Users::SuspendedAt).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    SuspendedAt,
}
