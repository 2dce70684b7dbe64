//! Signing in and staying signed in: the answer to a password, two-factor authentication, passkeys,
//! sign-in providers and the sessions that result.

use serde::{Deserialize, Serialize};

use super::UserDto;

/// What a right password gets: the user, signed in, or (with two-factor on) the challenge a code
/// must answer at `auth/sign_in_code`. The first is the plain user, as before two-factor existed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SignInDto {
    SignedIn(UserDto),
    SecondFactorDue { challenge: String },
}

/// Where the user's two-factor authentication stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorDto {
    pub enabled: bool,
    /// Recovery codes not used yet.
    pub recovery_codes_left: u64,
}

/// A new authenticator secret, shown once while two-factor is being turned on.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentDto {
    /// Base32, for typing into the app by hand.
    pub secret: String,
    pub otpauth_url: String,
    /// The QR code, a `data:image/png;base64,…` URL.
    pub qr_code: String,
}

impl std::fmt::Debug for EnrolmentDto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EnrolmentDto(***)")
    }
}

/// A signed-in session in the user's sessions list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionDto {
    pub id: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub last_seen_at: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub current: bool,
}

/// A passkey in its owner's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyDto {
    pub id: String,
    pub name: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub last_used_at: Option<String>,
}

/// An OpenID Connect provider one can sign in with ("Sign in with {display_name}").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderDto {
    pub name: String,
    pub display_name: String,
}

/// The providers of the signed-in user's account: those linked and those one could link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedProvidersDto {
    pub linked: Vec<LinkedProviderDto>,
    pub available: Vec<ProviderDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedProviderDto {
    pub name: String,
    pub display_name: String,
    /// The e-mail address the provider gave.
    pub email: Option<String>,
    /// RFC 3339, UTC.
    pub linked_at: String,
}

/// Where a provider sign-in starts: a plain link, so it works without JavaScript.
pub fn provider_start_url(name: &str) -> String {
    format!("/auth/oidc/{name}/start")
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::{PasskeyDto, SessionDto};
    use crate::dto::rfc3339;

    impl From<&domain::sessions::SessionInfo> for SessionDto {
        fn from(s: &domain::sessions::SessionInfo) -> Self {
            Self {
                id: s.id.clone(),
                created_at: rfc3339(s.created_at),
                last_seen_at: rfc3339(s.last_seen_at),
                ip: s.ip.clone(),
                user_agent: s.user_agent.clone(),
                current: s.current,
            }
        }
    }

    impl From<&domain::accounts::PasskeyInfo> for PasskeyDto {
        fn from(p: &domain::accounts::PasskeyInfo) -> Self {
            Self {
                id: p.id.to_string(),
                name: p.name.clone(),
                created_at: rfc3339(p.created_at),
                last_used_at: p.last_used_at.map(rfc3339),
            }
        }
    }
}
