use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // When an account whose owner asked for its deletion is erased, unless they sign in first.
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(timestamp_with_time_zone_null(Users::DeletionDueAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_users_deletion_due_at")
                    .table(Users::Table)
                    .col(Users::DeletionDueAt)
                    .to_owned(),
            )
            .await?;
        // An event's personal data (details, address, browser) is covered by a hash of its own,
        // which the chain's hash covers: erasing an account can blank that data and the chain
        // still verifies. `pseudonymised_at` marks the events that lost it.
        manager
            .alter_table(
                Table::alter()
                    .table(AuditEvents::Table)
                    .add_column(string_len_null(AuditEvents::PersonalHash, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AuditEvents::Table)
                    .add_column(timestamp_with_time_zone_null(AuditEvents::PseudonymisedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(AuditEvents::Table).drop_column(AuditEvents::PseudonymisedAt).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(AuditEvents::Table).drop_column(AuditEvents::PersonalHash).to_owned())
            .await?;
        manager.drop_index(Index::drop().name("idx_users_deletion_due_at").table(Users::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Users::Table).drop_column(Users::DeletionDueAt).to_owned()).await
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
