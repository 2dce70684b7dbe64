use sea_orm::entity::prelude::*;

/// One security event. Rows are only ever appended; each holds the hash of the one before.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    /// 1, 2, 3, … with no gaps: the chain's order.
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    /// The account the event is about (none for a failed sign-in with an unknown address).
    pub user_id: Option<Uuid>,
    /// Who caused it (none for the operator or the system).
    pub actor_id: Option<Uuid>,
    /// A stable code (`sign_in`), worded by the UI.
    pub event: String,
    /// JSON object with whatever else the event names.
    pub details: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub created_at: TimeDateTimeWithTimeZone,
    /// The previous event's hash (64 zeros for the first).
    pub prev_hash: String,
    /// The chain's hash: see [`crate::audit`] for what each version covers.
    pub hash: String,
    /// HMAC of the personal fields (details, address, browser), which `hash` covers in their
    /// place (events from before it: none, `hash` covers those fields themselves).
    pub personal_hash: Option<String>,
    /// When the account's erasure blanked the personal fields.
    pub pseudonymised_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
