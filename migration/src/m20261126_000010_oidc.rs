use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::{add_column, belongs_to_user, drop_column, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // An account's identities at OpenID Connect providers: one (provider, subject) is one account.
        manager
            .create_table(
                Table::create()
                    .table(UserIdentities::Table)
                    .col(string_len(UserIdentities::Provider, 64))
                    .col(string_len(UserIdentities::Subject, 255))
                    .col(uuid(UserIdentities::UserId))
                    .col(string_len_null(UserIdentities::Email, 320))
                    .col(timestamp_with_time_zone(UserIdentities::LinkedAt))
                    .primary_key(Index::create().col(UserIdentities::Provider).col(UserIdentities::Subject))
                    .foreign_key(&mut belongs_to_user(
                        "fk_user_identities_user",
                        UserIdentities::Table,
                        UserIdentities::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("idx_user_identities_user", UserIdentities::Table, [UserIdentities::UserId]))
            .await?;
        // Sign-ins in flight (PKCE verifier, nonce, where to go back to) and identities waiting for
        // the account's password before they are linked. Keyed by the SHA-256 of the secret the
        // browser holds; single use, short-lived.
        manager
            .create_table(
                Table::create()
                    .table(OidcLogins::Table)
                    .col(string_len(OidcLogins::Id, 64).primary_key())
                    .col(string_len(OidcLogins::Purpose, 16))
                    .col(string_len(OidcLogins::Provider, 64))
                    .col(string_len_null(OidcLogins::PkceVerifier, 128))
                    .col(string_len_null(OidcLogins::Nonce, 128))
                    .col(string_len_null(OidcLogins::ReturnTo, 512))
                    .col(string_len_null(OidcLogins::Subject, 255))
                    .col(string_len_null(OidcLogins::Email, 320))
                    .col(uuid_null(OidcLogins::UserId))
                    .col(timestamp_with_time_zone(OidcLogins::ExpiresAt))
                    .col(timestamp_with_time_zone(OidcLogins::CreatedAt))
                    .to_owned(),
            )
            .await?;
        // Which provider a session came from, for RP-initiated logout at sign-out.
        manager.alter_table(add_column(Sessions::Table, string_len_null(Sessions::OidcProvider, 64))).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(drop_column(Sessions::Table, Sessions::OidcProvider)).await?;
        manager.drop_table(Table::drop().table(OidcLogins::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(UserIdentities::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum UserIdentities {
    Table,
    Provider,
    Subject,
    UserId,
    Email,
    LinkedAt,
}

#[derive(DeriveIden)]
enum OidcLogins {
    Table,
    Id,
    Purpose,
    Provider,
    PkceVerifier,
    Nonce,
    ReturnTo,
    Subject,
    Email,
    UserId,
    ExpiresAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    OidcProvider,
}
