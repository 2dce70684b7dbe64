use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub owner_id: Uuid,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub object_key: String,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
    /// When the processing job finished with it (checksum checked, thumbnail and text made).
    pub processed_at: Option<TimeDateTimeWithTimeZone>,
    /// The `Idempotency-Key` of the upload that made it (see `FileService::upload_once`). Archives
    /// made before the column existed have none.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Counts the changes its owner sees (see `crate::concurrency`). Archives made before the
    /// column existed have none: their rows start at the first version.
    #[serde(default = "crate::concurrency::first_version")]
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::OwnerId",
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
