use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The W3C trace context of whatever enqueued the job; null for jobs enqueued before it was
        // kept, which start a trace of their own.
        manager
            .alter_table(
                Table::alter().table(Jobs::Table).add_column(string_len_null(Jobs::Traceparent, 128)).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Jobs::Table).drop_column(Jobs::Traceparent).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Traceparent,
}
