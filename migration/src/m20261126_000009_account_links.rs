use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::{add_column, belongs_to_user, drop_column, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Single-use links sent by e-mail (verify the address, reset the password). Only the
        // SHA-256 of the secret is stored, as for sessions.
        manager
            .create_table(
                Table::create()
                    .table(AccountTokens::Table)
                    .col(string_len(AccountTokens::Id, 64).primary_key())
                    .col(uuid(AccountTokens::UserId))
                    .col(string_len(AccountTokens::Purpose, 32))
                    .col(timestamp_with_time_zone(AccountTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AccountTokens::UsedAt))
                    .col(timestamp_with_time_zone(AccountTokens::CreatedAt))
                    .foreign_key(&mut belongs_to_user(
                        "fk_account_tokens_user",
                        AccountTokens::Table,
                        AccountTokens::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_account_tokens_user_purpose",
                AccountTokens::Table,
                [AccountTokens::UserId, AccountTokens::Purpose, AccountTokens::CreatedAt],
            ))
            .await?;
        manager.alter_table(add_column(Users::Table, timestamp_with_time_zone_null(Users::EmailVerifiedAt))).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(drop_column(Users::Table, Users::EmailVerifiedAt)).await?;
        manager.drop_table(Table::drop().table(AccountTokens::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum AccountTokens {
    Table,
    Id,
    UserId,
    Purpose,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    EmailVerifiedAt,
}
