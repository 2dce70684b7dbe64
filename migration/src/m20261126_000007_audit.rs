use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::index;

/// The hash the first event links to: there is no event before it.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Append-only and hash-chained. No foreign key to users: the record of an account outlives it.
        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    // Assigned by the service, one more than the last, never by the database.
                    .col(big_integer(AuditEvents::Seq).primary_key())
                    .col(uuid_null(AuditEvents::UserId))
                    .col(uuid_null(AuditEvents::ActorId))
                    .col(string_len(AuditEvents::Event, 64))
                    .col(text(AuditEvents::Details))
                    .col(string_len_null(AuditEvents::Ip, 64))
                    .col(text_null(AuditEvents::UserAgent))
                    .col(string_len_null(AuditEvents::RequestId, 128))
                    .col(timestamp_with_time_zone(AuditEvents::CreatedAt))
                    .col(string_len(AuditEvents::PrevHash, 64))
                    .col(string_len(AuditEvents::Hash, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_audit_events_user_seq",
                AuditEvents::Table,
                [AuditEvents::UserId, AuditEvents::Seq],
            ))
            .await?;
        // One row: the newest event's number and hash. Appends lock it, so the chain never forks,
        // and `verify` compares it with the last row, so deleting the newest events shows.
        manager
            .create_table(
                Table::create()
                    .table(AuditHead::Table)
                    .col(integer(AuditHead::Id).primary_key())
                    .col(big_integer(AuditHead::Seq))
                    .col(string_len(AuditHead::Hash, 64))
                    .to_owned(),
            )
            .await?;
        let head = Query::insert()
            .into_table(AuditHead::Table)
            .columns([AuditHead::Id, AuditHead::Seq, AuditHead::Hash])
            .values_panic([1.into(), 0i64.into(), GENESIS.into()])
            .to_owned();
        manager.exec_stmt(head).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AuditHead::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(AuditEvents::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Seq,
    UserId,
    ActorId,
    Event,
    Details,
    Ip,
    UserAgent,
    RequestId,
    CreatedAt,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    Id,
    Seq,
    Hash,
}
