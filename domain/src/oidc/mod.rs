//! Sign-in through OpenID Connect providers: the authorization code flow with PKCE, `state` and
//! `nonce`, through the `openidconnect` crate, which checks the ID token's signature, issuer,
//! audience and expiry. A provider's metadata is discovered at first use and kept.
//!
//! Who gets signed in:
//! - an identity already linked signs into its account (through its second factor, when it has one);
//! - a signed-in user links another provider only by a form post from the profile
//!   ([`OidcService::start_connect`]): that flow is bound to the session and the account that
//!   started it, and the callback links nothing in any other session (a sign-in started elsewhere,
//!   say by a link planted in a page, never links an identity to whoever happens to be signed in);
//! - an identity whose *verified* e-mail address belongs to an account is linked only after that
//!   account's password is given ([`OidcService::link`]): no silent takeover;
//! - an *unverified* address that belongs to an account is refused;
//! - otherwise a new account is created, with no usable password.
//!
//! The provider's metadata is in `discovery`, a sign-in from its start to its callback in
//! `flow`, linking identities to accounts in `linking`, the accounts a provider signs into in
//! `accounts`, and the check of where to send the browser back to in `return_path`.

mod accounts;
mod config;
mod discovery;
mod flow;
mod linking;
mod return_path;

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use time::Duration;
use tokio::sync::OnceCell;

pub use config::{OidcConfig, ProviderConfig};
pub use flow::{Callback, Finished, Started};
pub use linking::{LinkedIdentity, LinkedProviders};
pub use return_path::local_return_path;

use crate::{Error, accounts::AccountService, audit::AuditLog, sessions::SessionStore};
use discovery::Provider;

/// How long a sign-in in flight, or an identity waiting for the password, stays valid.
const FLOW_LIFETIME: Duration = Duration::minutes(10);

/// Why a provider sign-in did not end signed in. [`OidcError::code`] is a stable wire code, the
/// suffix of its translation key.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("no such provider")]
    UnknownProvider,
    #[error("the user or the provider refused the sign-in")]
    Denied,
    #[error("unknown, expired, used or mismatched state")]
    State,
    #[error("the provider's answer was refused: {0:#}")]
    Failed(anyhow::Error),
    #[error("an account uses this e-mail address, which the provider has not verified")]
    EmailUnverified,
    #[error("the provider gave no e-mail address")]
    EmailMissing,
    #[error("the account to link uses two-factor sign-in; link from the profile once signed in")]
    TwoFactor,
    #[error("this provider identity is linked to another account")]
    LinkedElsewhere,
    #[error(transparent)]
    Domain(#[from] Error),
}

impl OidcError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownProvider => "provider",
            Self::Denied => "denied",
            Self::State => "state",
            Self::Failed(_) => "failed",
            Self::EmailUnverified => "unverified",
            Self::EmailMissing => "email",
            Self::TwoFactor => "two_factor",
            Self::LinkedElsewhere => "linked_elsewhere",
            Self::Domain(_) => "internal",
        }
    }
}

impl From<sea_orm::DbErr> for OidcError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Domain(err.into())
    }
}

/// A provider as the sign-in page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderInfo {
    pub name: String,
    pub display_name: String,
}

struct Inner {
    db: DatabaseConnection,
    accounts: AccountService,
    sessions: SessionStore,
    audit: AuditLog,
    http: reqwest::Client,
    public_url: url::Url,
    providers: Vec<Provider>,
}

#[derive(Clone)]
pub struct OidcService {
    inner: Arc<Inner>,
}

impl OidcService {
    pub fn new(
        db: DatabaseConnection,
        accounts: AccountService,
        sessions: SessionStore,
        audit: AuditLog,
        public_url: url::Url,
        config: &OidcConfig,
    ) -> Self {
        // Redirects off: a provider redirecting its token endpoint elsewhere is not followed (SSRF).
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .expect("an HTTP client with default TLS settings builds");
        let providers =
            config.providers.iter().map(|c| Provider { config: c.clone(), discovered: OnceCell::new() }).collect();
        Self { inner: Arc::new(Inner { db, accounts, sessions, audit, http, public_url, providers }) }
    }

    /// The configured providers, in their configured order.
    pub fn providers(&self) -> Vec<ProviderInfo> {
        self.inner
            .providers
            .iter()
            .map(|p| ProviderInfo { name: p.config.name.clone(), display_name: p.config.display_name.clone() })
            .collect()
    }

    fn provider(&self, name: &str) -> Result<&Provider, OidcError> {
        self.inner.providers.iter().find(|p| p.config.name == name).ok_or(OidcError::UnknownProvider)
    }

    /// Where the provider sends the browser back to.
    pub fn redirect_uri(&self, provider: &str) -> String {
        format!("{}auth/oidc/{provider}/callback", self.inner.public_url)
    }
}

struct Identity {
    provider: String,
    subject: String,
    email: Option<String>,
    email_verified: bool,
    name: Option<String>,
}
