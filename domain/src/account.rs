//! An account as the rest of the system sees it: what the account services (`accounts`) answer
//! with and what the sessions load with every request, so it sits below both.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Role, entities::user};

/// An account as the rest of the system sees it (no password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub locale: String,
    pub time_zone: String,
    pub avatar_id: Option<Uuid>,
    pub email_verified: bool,
    /// Suspended by an administrator.
    pub suspended: bool,
    pub created_at: OffsetDateTime,
    /// Counts the account's changes: what a change based on this copy names (see
    /// `crate::concurrency`), and the REST API's ETag.
    pub version: i64,
}

impl From<user::Model> for Account {
    fn from(m: user::Model) -> Self {
        Self {
            id: m.id,
            email: m.email,
            display_name: m.display_name,
            role: Role::parse(&m.role),
            locale: m.locale,
            time_zone: m.time_zone,
            avatar_id: m.avatar_id,
            email_verified: m.email_verified_at.is_some(),
            suspended: m.suspended_at.is_some(),
            created_at: m.created_at,
            version: m.version,
        }
    }
}
