use sea_orm::entity::prelude::*;

/// A sign-in through a provider in flight (`purpose = "login"`: PKCE verifier, nonce, return path),
/// or a provider identity waiting for the account's password (`purpose = "link"`: subject, e-mail,
/// account), or the linking of a provider to the signed-in account (`purpose = "connect"`: the
/// account and the session that asked). Single use, short-lived.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "oidc_logins")]
pub struct Model {
    /// Hex SHA-256 of the secret the browser holds (the `state`, or the link cookie).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub purpose: String,
    pub provider: String,
    pub pkce_verifier: Option<String>,
    pub nonce: Option<String>,
    pub return_to: Option<String>,
    pub subject: Option<String>,
    pub email: Option<String>,
    pub user_id: Option<Uuid>,
    /// For `purpose = "connect"` (linking a provider from the profile): hex SHA-256 of the id of
    /// the session that started it.
    pub session_id: Option<String>,
    pub expires_at: TimeDateTimeWithTimeZone,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
