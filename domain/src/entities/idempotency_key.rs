use sea_orm::entity::prelude::*;

/// The stored first answer to a POST that carried an `Idempotency-Key`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// SHA-256 of method, path and body: a key reused for another request is refused.
    pub fingerprint: String,
    /// None while the first request is still being answered.
    pub status: Option<i16>,
    /// JSON object of the response headers worth replaying (content type, location, ETag).
    pub headers: Option<String>,
    pub body: Option<String>,
    pub created_at: TimeDateTimeWithTimeZone,
    /// Until when the process answering the first request holds the key (renewed while it
    /// answers); a claim whose lease ran out was abandoned and may be taken over.
    pub lease_until: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
