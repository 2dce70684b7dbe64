use sea_orm_migration::{prelude::*, schema::*};

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
            .alter_table(
                Table::alter()
                    .table(IdempotencyKeys::Table)
                    .add_column(timestamp_with_time_zone_null(IdempotencyKeys::LeaseUntil))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(IdempotencyKeys::Table).drop_column(IdempotencyKeys::LeaseUntil).to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    LeaseUntil,
}
