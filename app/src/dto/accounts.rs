//! The signed-in user and their own account: the profile, their data exports and their security
//! events.

use serde::{Deserialize, Serialize};

/// The signed-in user, as the shell needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDto {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub is_admin: bool,
    pub locale: String,
    /// The small avatar image, when the user has set one.
    pub avatar_url: Option<String>,
    /// Notifications not read yet (the bell's badge).
    pub unread_notifications: u64,
    /// Whether the assistant's feature flag is on for this user (decided by the server, so the
    /// rendered page and the hydrated one agree).
    pub assistant: bool,
}

/// Everything the profile page shows and edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileDto {
    pub email: String,
    pub display_name: String,
    pub locale: String,
    pub time_zone: String,
    pub role: String,
    /// Whether the user followed the link sent to `email`.
    pub email_verified: bool,
    /// `YYYY-MM-DD`, in UTC.
    pub member_since: String,
    /// The large avatar image, when the user has set one.
    pub avatar_url: Option<String>,
    /// Days between asking for the account's deletion and its erasure.
    pub deletion_grace_days: u64,
    /// Hours a ready data export can be downloaded.
    pub export_hours: u64,
}

/// A data export, as the profile lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportDto {
    pub id: String,
    /// `pending`, `ready`, `failed` or `expired`.
    pub status: String,
    pub size: Option<u64>,
    /// RFC 3339, in the viewer's time zone.
    pub created_at: String,
    pub expires_at: Option<String>,
}

impl ExportDto {
    /// Where its zip is downloaded (signed in as its owner).
    pub fn download_url(&self) -> String {
        format!("/account/exports/{}/download", self.id)
    }
}

/// A security event on the user's own account, as the profile lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEventDto {
    /// Stable code (`sign_in`); the UI words it with `audit-event-<event>`.
    pub event: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The `x-request-id` of the request that caused it.
    pub request_id: Option<String>,
}

/// The avatar image URL of a given size.
pub fn avatar_url(avatar_id: &str, size: u32) -> String {
    format!("/avatars/{avatar_id}/{size}.png")
}

#[cfg(feature = "ssr")]
mod ssr {
    use domain::accounts::Account;

    use super::{AuditEventDto, ExportDto, ProfileDto, UserDto, avatar_url};
    use crate::dto::rfc3339;

    impl From<&Account> for UserDto {
        fn from(a: &Account) -> Self {
            Self {
                id: a.id.to_string(),
                email: a.email.clone(),
                display_name: a.display_name.clone(),
                is_admin: a.role == domain::Role::Admin,
                locale: a.locale.clone(),
                avatar_url: a.avatar_id.map(|id| avatar_url(&id.to_string(), 64)),
                unread_notifications: 0,
                assistant: false,
            }
        }
    }

    impl From<&Account> for ProfileDto {
        fn from(a: &Account) -> Self {
            let date = a.created_at.date();
            Self {
                email: a.email.clone(),
                display_name: a.display_name.clone(),
                locale: a.locale.clone(),
                time_zone: a.time_zone.clone(),
                role: a.role.as_str().into(),
                email_verified: a.email_verified,
                member_since: format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day()),
                avatar_url: a.avatar_id.map(|id| avatar_url(&id.to_string(), 256)),
                deletion_grace_days: 0,
                export_hours: 0,
            }
        }
    }

    impl From<&domain::exports::ExportInfo> for ExportDto {
        fn from(e: &domain::exports::ExportInfo) -> Self {
            Self {
                id: e.id.to_string(),
                status: e.status.as_str().to_owned(),
                size: e.size,
                created_at: rfc3339(e.created_at),
                expires_at: e.expires_at.map(rfc3339),
            }
        }
    }

    impl From<&domain::audit::AuditEntry> for AuditEventDto {
        fn from(e: &domain::audit::AuditEntry) -> Self {
            Self {
                event: e.event.clone(),
                at: rfc3339(e.created_at),
                ip: e.ip.clone(),
                user_agent: e.user_agent.clone(),
                request_id: e.request_id.clone(),
            }
        }
    }
}
