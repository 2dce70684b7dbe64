use sea_orm::entity::prelude::*;

/// An account's identity at an OpenID Connect provider.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "user_identities")]
pub struct Model {
    /// The provider's name in the configuration (`OIDC_PROVIDERS`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub provider: String,
    /// The provider's `sub` claim: its stable id for the user.
    #[sea_orm(primary_key, auto_increment = false)]
    pub subject: String,
    pub user_id: Uuid,
    /// The e-mail address the provider gave when the identity was linked.
    pub email: Option<String>,
    pub linked_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
