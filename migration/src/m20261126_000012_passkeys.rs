use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::belongs_to_user;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Passkeys::Table)
                    .col(uuid(Passkeys::Id).primary_key())
                    .col(uuid(Passkeys::UserId))
                    .col(string_len_uniq(Passkeys::CredentialId, 1024))
                    .col(string_len(Passkeys::Name, 80))
                    .col(text(Passkeys::Credential))
                    .col(timestamp_with_time_zone(Passkeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(Passkeys::LastUsedAt))
                    .foreign_key(&mut belongs_to_user("fk_passkeys_user", Passkeys::Table, Passkeys::UserId))
                    .to_owned(),
            )
            .await?;
        // A ceremony in progress (the browser is asking the authenticator): single use, minutes long.
        manager
            .create_table(
                Table::create()
                    .table(WebauthnChallenges::Table)
                    .col(uuid(WebauthnChallenges::Id).primary_key())
                    .col(uuid_null(WebauthnChallenges::UserId))
                    .col(text(WebauthnChallenges::State))
                    .col(timestamp_with_time_zone(WebauthnChallenges::ExpiresAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(WebauthnChallenges::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Passkeys::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Passkeys {
    Table,
    Id,
    UserId,
    CredentialId,
    Name,
    Credential,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum WebauthnChallenges {
    Table,
    Id,
    UserId,
    State,
    ExpiresAt,
}
