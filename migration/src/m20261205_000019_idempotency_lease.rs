use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::{add_column, drop_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A claimed `Idempotency-Key` is held by a lease its process renews while it answers, so that the
/// claim of a process that died mid-request (SIGKILL, a lost machine) expires in seconds and a
/// retry takes it over, instead of being refused until the key itself expires a day later.
/// NULL on the claims of processes older than this migration (they do not renew; see
/// `domain::idempotency::LEGACY_LEASE`).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(add_column(IdempotencyKeys::Table, timestamp_with_time_zone_null(IdempotencyKeys::LeaseUntil)))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(drop_column(IdempotencyKeys::Table, IdempotencyKeys::LeaseUntil)).await
    }
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    LeaseUntil,
}
