//! Personal access tokens, as their owner sees them.

use serde::{Deserialize, Serialize};

/// A personal access token in its owner's list: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenDto {
    pub id: String,
    pub name: String,
    /// `read`, `write`, `admin`.
    pub scopes: Vec<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub expires_at: String,
    pub last_used_at: Option<String>,
    pub last_used_ip: Option<String>,
    /// Past its expiry: it no longer works (and is purged a week later).
    pub expired: bool,
}

/// A token just created: its secret (`sat_…`) is shown this once.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTokenDto {
    pub token: TokenDto,
    pub secret: String,
}

impl std::fmt::Debug for NewTokenDto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewTokenDto").field("token", &self.token).field("secret", &"***").finish()
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use time::OffsetDateTime;

    use super::TokenDto;
    use crate::dto::rfc3339;

    impl From<&domain::accounts::TokenInfo> for TokenDto {
        fn from(t: &domain::accounts::TokenInfo) -> Self {
            Self {
                id: t.id.to_string(),
                name: t.name.clone(),
                scopes: t.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
                created_at: rfc3339(t.created_at),
                expires_at: rfc3339(t.expires_at),
                last_used_at: t.last_used_at.map(rfc3339),
                last_used_ip: t.last_used_ip.clone(),
                expired: OffsetDateTime::now_utc() >= t.expires_at,
            }
        }
    }
}
