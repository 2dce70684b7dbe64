use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub conversation_id: Uuid,
    /// `user` or `assistant`.
    pub speaker: String,
    pub content: String,
    /// The answer's sources as a JSON array (`[]` for questions).
    pub sources: String,
    /// The answer was stopped (or failed) before it was complete.
    pub stopped: bool,
    /// Tokens the message cost (estimated when the provider does not say).
    pub tokens: i64,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
