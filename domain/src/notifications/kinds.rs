//! The kinds of notification, how each reaches a user by default, and where each one leads.

use serde::{Deserialize, Serialize};

use crate::entities::notification_preference;

/// A kind of notification and how it reaches a user who has not chosen otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// Stable code: the key of its texts (`notification-<name>`, `mail-<name>-subject`).
    pub name: &'static str,
    pub in_app: bool,
    pub email: bool,
}

/// Every kind there is, in the order the settings list them.
pub const KINDS: &[Kind] = &[
    Kind { name: "file_processed", in_app: true, email: false },
    Kind { name: "file_failed", in_app: true, email: true },
    // A file refused for good (a PDF that is a decompression bomb): it stays, but has no text.
    Kind { name: "file_refused", in_app: true, email: true },
    Kind { name: "export_ready", in_app: true, email: true },
];

impl Kind {
    /// How this kind reaches a user: their stored choice, or the default.
    pub(super) fn for_user(&'static self, choice: Option<&notification_preference::Model>) -> Preference {
        Preference {
            kind: self.name,
            in_app: choice.map_or(self.in_app, |c| c.in_app),
            email: choice.map_or(self.email, |c| c.email),
        }
    }
}

pub(super) fn kind(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.name == name)
}

/// How one kind reaches one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preference {
    pub kind: &'static str,
    pub in_app: bool,
    pub email: bool,
}

/// Where the thing a notification is about can be seen.
pub fn link_path(kind: &str, params: &serde_json::Value) -> Option<String> {
    match kind {
        "file_processed" | "file_failed" => Some(format!("/files/{}", params.get("file_id")?.as_str()?)),
        "export_ready" => Some("/profile#data-export".into()),
        _ => None,
    }
}
