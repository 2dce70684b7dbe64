//! Notifications, and how each kind reaches the user.

use serde::{Deserialize, Serialize};

/// A notification as the list shows it; the UI words it from `kind` and `params`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationDto {
    pub id: String,
    pub kind: String,
    /// The values the message names, as strings (`name`, `file_id`).
    pub params: Vec<(String, String)>,
    pub read: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// How one kind of notification reaches the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreferenceDto {
    pub kind: String,
    pub in_app: bool,
    pub email: bool,
}

/// One kind's channels as a settings form posts them: a box left unticked is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelsDto {
    #[serde(default)]
    pub in_app: bool,
    #[serde(default)]
    pub email: bool,
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::{NotificationDto, PreferenceDto};
    use crate::dto::rfc3339;

    impl From<&domain::notifications::NotificationInfo> for NotificationDto {
        fn from(n: &domain::notifications::NotificationInfo) -> Self {
            let params = n
                .params
                .as_object()
                .map(|map| {
                    map.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                        .collect()
                })
                .unwrap_or_default();
            Self { id: n.id.to_string(), kind: n.kind.clone(), params, read: n.read, created_at: rfc3339(n.created_at) }
        }
    }

    impl From<&domain::notifications::Preference> for PreferenceDto {
        fn from(p: &domain::notifications::Preference) -> Self {
            Self { kind: p.kind.to_owned(), in_app: p.in_app, email: p.email }
        }
    }
}
