use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Times are Unix milliseconds: the claim query compares them on both databases alike.
        manager
            .create_table(
                Table::create()
                    .table(Jobs::Table)
                    .col(uuid(Jobs::Id).primary_key())
                    .col(string_len(Jobs::Queue, 64))
                    .col(string_len(Jobs::Kind, 128))
                    .col(text(Jobs::Payload))
                    .col(small_integer(Jobs::Priority))
                    .col(string_len(Jobs::State, 16))
                    .col(integer(Jobs::Attempts))
                    .col(integer(Jobs::MaxAttempts))
                    .col(big_integer(Jobs::TimeoutMs))
                    .col(big_integer(Jobs::RunAt))
                    .col(big_integer_null(Jobs::LockedUntil))
                    .col(string_len_null(Jobs::LockedBy, 128))
                    .col(text_null(Jobs::LastError))
                    .col(string_len_null(Jobs::RequestId, 64))
                    .col(big_integer(Jobs::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("idx_jobs_claim", Jobs::Table, [Jobs::State, Jobs::Queue, Jobs::Priority, Jobs::RunAt]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(JobTicks::Table)
                    .col(string_len(JobTicks::Name, 128))
                    .col(big_integer(JobTicks::Tick))
                    .primary_key(Index::create().col(JobTicks::Name).col(JobTicks::Tick))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(JobOutbox::Table)
                    .col(uuid(JobOutbox::Id).primary_key())
                    .col(text(JobOutbox::Job))
                    .col(big_integer(JobOutbox::RunAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(JobOutbox::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(JobTicks::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Jobs::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    Queue,
    Kind,
    Payload,
    Priority,
    State,
    Attempts,
    MaxAttempts,
    TimeoutMs,
    RunAt,
    LockedUntil,
    LockedBy,
    LastError,
    RequestId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum JobTicks {
    Table,
    Name,
    Tick,
}

#[derive(DeriveIden)]
enum JobOutbox {
    Table,
    Id,
    Job,
    RunAt,
}
