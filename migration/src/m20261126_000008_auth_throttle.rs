use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Sign-in attempts per account (the normalised e-mail, whether or not it has an account) and
        // per client network. Times are Unix milliseconds: one statement counts an attempt and
        // computes its lock-out on both databases alike.
        manager
            .create_table(
                Table::create()
                    .table(AuthThrottle::Table)
                    .col(string_len(AuthThrottle::Scope, 16))
                    .col(string_len(AuthThrottle::Key, 320))
                    .col(integer(AuthThrottle::Failures))
                    .col(big_integer(AuthThrottle::WindowStart))
                    .col(big_integer(AuthThrottle::LastFailureAt))
                    .col(big_integer_null(AuthThrottle::LockedUntil))
                    .primary_key(Index::create().col(AuthThrottle::Scope).col(AuthThrottle::Key))
                    .to_owned(),
            )
            .await?;
        // The nightly purge looks rows up by age.
        manager
            .create_index(index(
                "idx_auth_throttle_last_failure_at",
                AuthThrottle::Table,
                [AuthThrottle::LastFailureAt],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AuthThrottle::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum AuthThrottle {
    Table,
    Scope,
    Key,
    Failures,
    WindowStart,
    LastFailureAt,
    LockedUntil,
}
