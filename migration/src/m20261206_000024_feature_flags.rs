use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Feature flags as an administrator set them. A flag the code knows but that has no row here is
/// at its default (see `domain::flags::Flag`). The lists are JSON arrays (user ids, role names).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FeatureFlags::Table)
                    .col(string_len(FeatureFlags::Key, 64).primary_key())
                    .col(boolean(FeatureFlags::Enabled))
                    // 0 to 100: the share of users, by a stable hash of flag and user, who get it.
                    .col(small_integer(FeatureFlags::Rollout))
                    .col(text(FeatureFlags::AllowUsers))
                    .col(text(FeatureFlags::DenyUsers))
                    .col(text(FeatureFlags::AllowRoles))
                    .col(text(FeatureFlags::DenyRoles))
                    .col(timestamp_with_time_zone(FeatureFlags::UpdatedAt))
                    .col(uuid_null(FeatureFlags::UpdatedBy))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(FeatureFlags::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum FeatureFlags {
    Table,
    Key,
    Enabled,
    Rollout,
    AllowUsers,
    DenyUsers,
    AllowRoles,
    DenyRoles,
    UpdatedAt,
    UpdatedBy,
}
