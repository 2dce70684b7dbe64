use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // When the session's user last proved who they are (signed in, or typed the password
        // again): sensitive changes want it recent. Null for sessions opened before it was kept,
        // which count from their creation.
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .add_column(timestamp_with_time_zone_null(Sessions::AuthenticatedAt))
                    .to_owned(),
            )
            .await?;
        // The session that started the linking of a provider (hex SHA-256 of its id): the callback
        // links only in that session.
        manager
            .alter_table(
                Table::alter()
                    .table(OidcLogins::Table)
                    .add_column(string_len_null(OidcLogins::SessionId, 64))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(OidcLogins::Table).drop_column(OidcLogins::SessionId).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Sessions::Table).drop_column(Sessions::AuthenticatedAt).to_owned())
            .await
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
