use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_parts::{Files, belongs_to_user, cascade, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Conversations::Table)
                    .col(uuid(Conversations::Id).primary_key())
                    .col(uuid(Conversations::OwnerId))
                    .col(string_len(Conversations::Title, 120))
                    .col(timestamp_with_time_zone(Conversations::CreatedAt))
                    .col(timestamp_with_time_zone(Conversations::UpdatedAt))
                    .foreign_key(&mut belongs_to_user(
                        "fk_conversations_owner",
                        Conversations::Table,
                        Conversations::OwnerId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_conversations_owner_updated",
                Conversations::Table,
                [Conversations::OwnerId, Conversations::UpdatedAt],
            ))
            .await?;
        // `sources` is JSON kept as text: it is only ever read back whole, with its message.
        manager
            .create_table(
                Table::create()
                    .table(Messages::Table)
                    .col(uuid(Messages::Id).primary_key())
                    .col(uuid(Messages::ConversationId))
                    .col(string_len(Messages::Speaker, 16))
                    .col(text(Messages::Content))
                    .col(text(Messages::Sources))
                    .col(boolean(Messages::Stopped))
                    .col(big_integer(Messages::Tokens))
                    .col(timestamp_with_time_zone(Messages::CreatedAt))
                    .foreign_key(&mut cascade(
                        "fk_messages_conversation",
                        Messages::Table,
                        Messages::ConversationId,
                        Conversations::Table,
                        Conversations::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_messages_conversation_created",
                Messages::Table,
                [Messages::ConversationId, Messages::CreatedAt],
            ))
            .await?;
        // Passages of the users' files, the source of truth the search indexes are built from. The
        // id only grows, so (count, largest id) of a user's passages tells an index it is stale.
        manager
            .create_table(
                Table::create()
                    .table(Passages::Table)
                    .col(big_integer(Passages::Id).auto_increment().primary_key())
                    .col(uuid(Passages::OwnerId))
                    .col(uuid(Passages::FileId))
                    .col(integer(Passages::Ordinal))
                    .col(text(Passages::Text))
                    .foreign_key(&mut belongs_to_user("fk_passages_owner", Passages::Table, Passages::OwnerId))
                    .foreign_key(&mut cascade(
                        "fk_passages_file",
                        Passages::Table,
                        Passages::FileId,
                        Files::Table,
                        Files::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_passages_owner", Passages::Table, [Passages::OwnerId])).await?;
        manager.create_index(index("idx_passages_file", Passages::Table, [Passages::FileId])).await?;
        // One row per user and UTC day (`YYYY-MM-DD`, text so both databases compare it alike).
        manager
            .create_table(
                Table::create()
                    .table(AssistantUsage::Table)
                    .col(uuid(AssistantUsage::OwnerId))
                    .col(string_len(AssistantUsage::Day, 10))
                    .col(integer(AssistantUsage::Messages))
                    .col(big_integer(AssistantUsage::Tokens))
                    .primary_key(Index::create().col(AssistantUsage::OwnerId).col(AssistantUsage::Day))
                    .foreign_key(&mut belongs_to_user(
                        "fk_assistant_usage_owner",
                        AssistantUsage::Table,
                        AssistantUsage::OwnerId,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AssistantUsage::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Passages::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Messages::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Conversations::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Id,
    OwnerId,
    Title,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    ConversationId,
    Speaker,
    Content,
    Sources,
    Stopped,
    Tokens,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Passages {
    Table,
    Id,
    OwnerId,
    FileId,
    Ordinal,
    Text,
}

#[derive(DeriveIden)]
enum AssistantUsage {
    Table,
    OwnerId,
    Day,
    Messages,
    Tokens,
}
