use sea_orm::entity::prelude::*;

/// A tus upload in progress (or just finished: `file_id` set), continued by whichever instance
/// gets its next request.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "resumable_uploads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub owner_id: Uuid,
    pub name: String,
    pub metadata: String,
    pub length: i64,
    pub upload_offset: i64,
    pub content_type: Option<String>,
    pub object_key: String,
    pub multipart_id: Option<String>,
    pub parts: String,
    pub tail_key: Option<String>,
    pub hash_state: String,
    pub lock_token: Option<Uuid>,
    pub locked_until: Option<TimeDateTimeWithTimeZone>,
    pub file_id: Option<Uuid>,
    pub expires_at: TimeDateTimeWithTimeZone,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
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
