use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::{belongs_to_user, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One authenticator per account. The secret is pending (`enabled_at` null) until the user
        // proves with a code that their app has it; `last_step` is the RFC 6238 time step of the
        // last code accepted, so a code is never accepted twice.
        manager
            .create_table(
                Table::create()
                    .table(TwoFactor::Table)
                    .col(uuid(TwoFactor::UserId).primary_key())
                    .col(string_len(TwoFactor::Secret, 64))
                    .col(timestamp_with_time_zone_null(TwoFactor::EnabledAt))
                    .col(big_integer_null(TwoFactor::LastStep))
                    .col(timestamp_with_time_zone(TwoFactor::CreatedAt))
                    .foreign_key(&mut belongs_to_user("fk_two_factor_user", TwoFactor::Table, TwoFactor::UserId))
                    .to_owned(),
            )
            .await?;
        // Single-use recovery codes: only the SHA-256 of each is stored.
        manager
            .create_table(
                Table::create()
                    .table(RecoveryCodes::Table)
                    .col(string_len(RecoveryCodes::Id, 64).primary_key())
                    .col(uuid(RecoveryCodes::UserId))
                    .col(timestamp_with_time_zone_null(RecoveryCodes::UsedAt))
                    .col(timestamp_with_time_zone(RecoveryCodes::CreatedAt))
                    .foreign_key(&mut belongs_to_user(
                        "fk_recovery_codes_user",
                        RecoveryCodes::Table,
                        RecoveryCodes::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_recovery_codes_user", RecoveryCodes::Table, [RecoveryCodes::UserId])).await?;
        // A sign-in whose password was right, waiting for its second factor: single use, short
        // lived, and only the SHA-256 of the challenge handed to the client is stored.
        manager
            .create_table(
                Table::create()
                    .table(SignInChallenges::Table)
                    .col(string_len(SignInChallenges::Id, 64).primary_key())
                    .col(uuid(SignInChallenges::UserId))
                    .col(timestamp_with_time_zone(SignInChallenges::ExpiresAt))
                    .col(timestamp_with_time_zone(SignInChallenges::CreatedAt))
                    .foreign_key(&mut belongs_to_user(
                        "fk_sign_in_challenges_user",
                        SignInChallenges::Table,
                        SignInChallenges::UserId,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(SignInChallenges::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(RecoveryCodes::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(TwoFactor::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum TwoFactor {
    Table,
    UserId,
    Secret,
    EnabledAt,
    LastStep,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SignInChallenges {
    Table,
    Id,
    UserId,
    ExpiresAt,
    CreatedAt,
}
