use sea_orm::entity::prelude::*;

/// A feature flag as an administrator set it (see `crate::flags`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "feature_flags")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub enabled: bool,
    pub rollout: i16,
    /// JSON arrays: user ids, role names.
    pub allow_users: String,
    pub deny_users: String,
    pub allow_roles: String,
    pub deny_roles: String,
    pub updated_at: TimeDateTimeWithTimeZone,
    pub updated_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
