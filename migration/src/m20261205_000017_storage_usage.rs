use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::belongs_to_user;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Bytes each user's files take, reserved by one conditional UPDATE per upload
        // (`used + n <= quota`), so parallel uploads cannot together pass the quota.
        manager
            .create_table(
                Table::create()
                    .table(StorageUsage::Table)
                    .col(uuid(StorageUsage::UserId).primary_key())
                    .col(big_integer(StorageUsage::Used).default(0))
                    .foreign_key(&mut belongs_to_user(
                        "fk_storage_usage_user",
                        StorageUsage::Table,
                        StorageUsage::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        // What the files already take.
        let backfill = Query::insert()
            .into_table(StorageUsage::Table)
            .columns([StorageUsage::UserId, StorageUsage::Used])
            .select_from(
                Query::select()
                    .column(Files::OwnerId)
                    .expr(Expr::col(Files::Size).sum().cast_as(Alias::new("BIGINT")))
                    .from(Files::Table)
                    .group_by_col(Files::OwnerId)
                    .to_owned(),
            )
            .map_err(|err| DbErr::Migration(err.to_string()))?
            .to_owned();
        manager.exec_stmt(backfill).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(StorageUsage::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum StorageUsage {
    Table,
    UserId,
    Used,
}

#[derive(DeriveIden)]
enum Files {
    Table,
    OwnerId,
    Size,
}
