use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::{add_column, drop_column, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // When an account whose owner asked for its deletion is erased, unless they sign in first.
        manager.alter_table(add_column(Users::Table, timestamp_with_time_zone_null(Users::DeletionDueAt))).await?;
        manager.create_index(index("idx_users_deletion_due_at", Users::Table, [Users::DeletionDueAt])).await?;
        // An event's personal data (details, address, browser) is covered by a hash of its own,
        // which the chain's hash covers: erasing an account can blank that data and the chain
        // still verifies. `pseudonymised_at` marks the events that lost it.
        manager.alter_table(add_column(AuditEvents::Table, string_len_null(AuditEvents::PersonalHash, 64))).await?;
        manager
            .alter_table(add_column(AuditEvents::Table, timestamp_with_time_zone_null(AuditEvents::PseudonymisedAt)))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(drop_column(AuditEvents::Table, AuditEvents::PseudonymisedAt)).await?;
        manager.alter_table(drop_column(AuditEvents::Table, AuditEvents::PersonalHash)).await?;
        manager.drop_index(Index::drop().name("idx_users_deletion_due_at").table(Users::Table).to_owned()).await?;
        manager.alter_table(drop_column(Users::Table, Users::DeletionDueAt)).await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    DeletionDueAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    PersonalHash,
    PseudonymisedAt,
}
