use sea_orm::entity::prelude::*;

/// A user's data export (see `crate::exports`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "data_exports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// `pending`, `ready` or `failed`.
    pub status: String,
    pub object_key: String,
    pub size: Option<i64>,
    pub sha256: Option<String>,
    /// Why building it failed, for the operator (the user sees that it failed, and may ask again).
    pub error: Option<String>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub ready_at: Option<TimeDateTimeWithTimeZone>,
    pub expires_at: Option<TimeDateTimeWithTimeZone>,
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
