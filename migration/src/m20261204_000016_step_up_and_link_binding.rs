use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::{add_column, drop_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // When the session's user last proved who they are (signed in, or typed the password
        // again): sensitive changes want it recent. Null for sessions opened before it was kept,
        // which count from their creation.
        manager
            .alter_table(add_column(Sessions::Table, timestamp_with_time_zone_null(Sessions::AuthenticatedAt)))
            .await?;
        // The session that started the linking of a provider (hex SHA-256 of its id): the callback
        // links only in that session.
        manager.alter_table(add_column(OidcLogins::Table, string_len_null(OidcLogins::SessionId, 64))).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(drop_column(OidcLogins::Table, OidcLogins::SessionId)).await?;
        manager.alter_table(drop_column(Sessions::Table, Sessions::AuthenticatedAt)).await
    }
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    AuthenticatedAt,
}

#[derive(DeriveIden)]
enum OidcLogins {
    Table,
    SessionId,
}
