use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: String,
    pub locale: String,
    pub time_zone: String,
    /// The current avatar's images are stored under `avatars/{avatar_id}/`.
    pub avatar_id: Option<Uuid>,
    /// When the user proved they read mail at `email` (followed the link sent to it).
    pub email_verified_at: Option<TimeDateTimeWithTimeZone>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
    /// The owner asked for the account's deletion: it is erased from then on, unless they sign
    /// in before.
    pub deletion_due_at: Option<TimeDateTimeWithTimeZone>,
    /// Set by an administrator: sessions and tokens stop working and signing in is refused.
    /// Archives made before the column existed have none.
    #[serde(default)]
    pub suspended_at: Option<TimeDateTimeWithTimeZone>,
    /// Counts the row's changes (see `crate::concurrency`). Archives made before the column
    /// existed have none: their rows start at the first version.
    #[serde(default = "crate::concurrency::first_version")]
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::session::Entity")]
    Sessions,
}

impl Related<super::session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Sessions.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
