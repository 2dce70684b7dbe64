use sea_orm::entity::prelude::*;

/// A user's authenticator: pending until `enabled_at` is set by a first valid code.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "two_factor")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    /// The shared secret (base32), sealed with the app's key and bound to the user
    /// (`v1:<key id>:…`, see `crate::keys`). Never shown again once enrolment is confirmed.
    pub secret: String,
    pub enabled_at: Option<TimeDateTimeWithTimeZone>,
    /// The RFC 6238 time step of the last code accepted (a code is accepted once).
    pub last_step: Option<i64>,
    pub created_at: TimeDateTimeWithTimeZone,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("two_factor::Model")
            .field("user_id", &self.user_id)
            .field("enabled_at", &self.enabled_at)
            .field("last_step", &self.last_step)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
