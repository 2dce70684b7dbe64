use sea_orm::entity::prelude::*;

/// A single-use recovery code; `id` is an HMAC of the code and its user under the app's key
/// (`h1:<key id>:…`; `w1:` for one kept as a plain SHA-256 before SECRET_KEYS, see `crate::keys`),
/// so the code, which only its user ever saw, cannot be guessed offline from a copy.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "recovery_codes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: Uuid,
    pub used_at: Option<TimeDateTimeWithTimeZone>,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
