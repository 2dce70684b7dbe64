use sea_orm::entity::prelude::*;

/// A job of the SQL queue (`jobs::sql` reads and writes it with its own statements; this entity
/// is what backups copy). Times are Unix milliseconds.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub queue: String,
    pub kind: String,
    pub payload: String,
    pub priority: i16,
    pub state: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub timeout_ms: i64,
    pub run_at: i64,
    pub locked_until: Option<i64>,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub request_id: Option<String>,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
