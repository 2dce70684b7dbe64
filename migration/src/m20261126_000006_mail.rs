use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::{belongs_to_user, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Only choices that differ from a kind's default are stored; no row means the default.
        manager
            .create_table(
                Table::create()
                    .table(NotificationPreferences::Table)
                    .col(uuid(NotificationPreferences::UserId))
                    .col(string_len(NotificationPreferences::Kind, 64))
                    .col(boolean(NotificationPreferences::InApp))
                    .col(boolean(NotificationPreferences::Email))
                    .primary_key(
                        Index::create().col(NotificationPreferences::UserId).col(NotificationPreferences::Kind),
                    )
                    .foreign_key(&mut belongs_to_user(
                        "fk_notification_preferences_user",
                        NotificationPreferences::Table,
                        NotificationPreferences::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        // E-mails written here instead of sent when no SMTP server is configured.
        manager
            .create_table(
                Table::create()
                    .table(MailOutbox::Table)
                    .col(uuid(MailOutbox::Id).primary_key())
                    .col(string_len(MailOutbox::ToAddress, 320))
                    .col(text(MailOutbox::Subject))
                    .col(text(MailOutbox::Body))
                    .col(timestamp_with_time_zone(MailOutbox::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_mail_outbox_to_created",
                MailOutbox::Table,
                [MailOutbox::ToAddress, MailOutbox::CreatedAt],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(MailOutbox::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(NotificationPreferences::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum NotificationPreferences {
    Table,
    UserId,
    Kind,
    InApp,
    Email,
}

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    Id,
    ToAddress,
    Subject,
    Body,
    CreatedAt,
}
