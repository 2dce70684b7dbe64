use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::{add_column, drop_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The W3C trace context of whatever enqueued the job; null for jobs enqueued before it was
        // kept, which start a trace of their own.
        manager.alter_table(add_column(Jobs::Table, string_len_null(Jobs::Traceparent, 128))).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(drop_column(Jobs::Table, Jobs::Traceparent)).await
    }
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Traceparent,
}
