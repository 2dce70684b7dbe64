use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A TOTP secret sealed with the app's key (`v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`)
/// is about 100 characters; the base32 secret it replaces was 32. Recovery-code and audit hashes
/// keep their width (`h1:`/`a1:<key id>:<43 characters>` fits 64).
///
/// SQLite does not enforce a `varchar` length (and cannot change a column's type in place), so
/// only PostgreSQL's column changes.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        manager
            .alter_table(
                Table::alter().table(TwoFactor::Table).modify_column(string_len(TwoFactor::Secret, 255)).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The code before this migration cannot open a sealed secret nor check a keyed recovery
        // code (and the sealed secrets do not fit the old width): those accounts enrol again.
        let db = manager.get_connection();
        db.execute_unprepared("DELETE FROM two_factor WHERE secret LIKE 'v1:%'").await?;
        db.execute_unprepared("DELETE FROM recovery_codes WHERE id LIKE 'h1:%' OR id LIKE 'w1:%'").await?;
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        manager
            .alter_table(
                Table::alter().table(TwoFactor::Table).modify_column(string_len(TwoFactor::Secret, 64)).to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum TwoFactor {
    Table,
    Secret,
}
