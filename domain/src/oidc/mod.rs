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

mod config;

use std::sync::Arc;

use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    TokenResponse,
    core::{CoreAuthenticationFlow, CoreClient},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set, SqlErr,
    TransactionTrait,
};
use secrecy::ExposeSecret;
use time::{Duration, OffsetDateTime};
use tokio::sync::OnceCell;
use uuid::Uuid;

pub use config::{OidcConfig, ProviderConfig};

use crate::{
    Actor, Error, Role,
    accounts::{
        Account, AccountService, DisplayName, Email, Locale, PendingSignIn, SignIn, TimeZone, password::NO_PASSWORD,
    },
    audit::{AuditLog, Context, Event},
    entities::{oidc_login, session, user, user_identity},
    error::{Field, Problem},
    secret,
    sessions::{ClientInfo, SessionStore, SessionToken},
};

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

/// An identity linked to the user's account, for the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedIdentity {
    pub provider: String,
    pub display_name: String,
    pub email: Option<String>,
    pub linked_at: OffsetDateTime,
}

/// The start of a sign-in: send the browser to `url`, and give it `state` to keep (a cookie), so
/// the callback comes back in the same browser.
pub struct Started {
    pub url: url::Url,
    pub state: String,
}

/// What the provider sent back to the callback, and the state the browser kept.
#[derive(Default)]
pub struct Callback<'a> {
    pub code: Option<&'a str>,
    pub state: Option<&'a str>,
    pub error: Option<&'a str>,
    pub kept_state: Option<&'a str>,
}

pub enum Finished {
    SignedIn {
        account: Account,
        token: SessionToken,
        return_to: Option<String>,
    },
    /// An account has the identity's verified e-mail address: it is linked once the account's
    /// password is given with this secret (keep it in the browser, not in a URL).
    LinkNeeded {
        secret: String,
        provider: String,
    },
    /// The account has two-factor on: the sign-in waits for a code, as after a right password.
    NeedsSecondFactor(PendingSignIn),
    /// The signed-in user linked this provider from the profile; the session stays as it was.
    Connected {
        provider: String,
    },
}

type Client =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

struct Discovered {
    client: Client,
    end_session: Option<openidconnect::EndSessionUrl>,
}

struct Provider {
    config: ProviderConfig,
    discovered: OnceCell<Discovered>,
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

    /// The provider's metadata, discovered at first use and kept; a failed discovery is tried
    /// again next time (a provider down at start-up does not stop the app).
    async fn discover<'a>(&'a self, provider: &'a Provider) -> Result<&'a Discovered, OidcError> {
        provider
            .discovered
            .get_or_try_init(|| async {
                let config = &provider.config;
                let issuer = IssuerUrl::new(config.issuer.clone()).map_err(|e| OidcError::Failed(e.into()))?;
                let metadata =
                    ProviderMetadataWithLogout::discover_async(issuer, &self.inner.http).await.map_err(|e| {
                        OidcError::Failed(
                            anyhow::Error::new(e).context(format!("discovery of {} failed", config.issuer)),
                        )
                    })?;
                let end_session = metadata.additional_metadata().end_session_endpoint.clone();
                let redirect =
                    RedirectUrl::new(self.redirect_uri(&config.name)).map_err(|e| OidcError::Failed(e.into()))?;
                let client = CoreClient::from_provider_metadata(
                    metadata,
                    ClientId::new(config.client_id.clone()),
                    Some(ClientSecret::new(config.client_secret.expose_secret().to_owned())),
                )
                .set_redirect_uri(redirect);
                tracing::info!(provider = %config.name, issuer = %config.issuer, "OpenID Connect provider discovered");
                Ok(Discovered { client, end_session })
            })
            .await
    }

    /// Starts a sign-in: the URL of the provider's authorization endpoint, with a fresh PKCE
    /// challenge, state and nonce. A signed-in user starting here signs in (perhaps as someone
    /// else); linking goes through [`Self::start_connect`].
    #[tracing::instrument(skip_all, fields(provider = %name), err(level = "info"))]
    pub async fn start(&self, name: &str, return_to: Option<&str>) -> Result<Started, OidcError> {
        let return_to = return_to.and_then(|p| local_return_path(&self.inner.public_url, p));
        self.begin(name, "login", return_to, None).await
    }

    /// Starts linking another provider to the signed-in account (a form post from the profile,
    /// which the CSRF check guards). The flow remembers the account and the session: the callback
    /// links only there.
    #[tracing::instrument(skip_all, fields(provider = %name), err(level = "info"))]
    pub async fn start_connect(&self, actor: &Actor, name: &str) -> Result<Started, OidcError> {
        let user_id = actor.user_id()?;
        let session_id = actor.session_id().ok_or(Error::Forbidden)?;
        self.begin(name, "connect", Some("/profile?saved=linked".into()), Some((user_id, secret::digest(session_id))))
            .await
    }

    async fn begin(
        &self,
        name: &str,
        purpose: &str,
        return_to: Option<String>,
        owner: Option<(Uuid, String)>,
    ) -> Result<Started, OidcError> {
        let provider = self.provider(name)?;
        let discovered = self.discover(provider).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = discovered.client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in provider.config.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        let now = OffsetDateTime::now_utc();
        let (user_id, session_id) = owner.unzip();
        oidc_login::ActiveModel {
            id: Set(secret::digest(state.secret())),
            purpose: Set(purpose.into()),
            provider: Set(name.to_owned()),
            pkce_verifier: Set(Some(verifier.secret().clone())),
            nonce: Set(Some(nonce.secret().clone())),
            return_to: Set(return_to),
            subject: Set(None),
            email: Set(None),
            user_id: Set(user_id),
            session_id: Set(session_id),
            expires_at: Set(now + FLOW_LIFETIME),
            created_at: Set(now),
        }
        .insert(&self.inner.db)
        .await?;
        Ok(Started { url, state: state.secret().clone() })
    }

    /// Takes (once) the record of a sign-in in flight or of an identity waiting for a password.
    async fn take(&self, secret: &str, purpose: &str, provider: Option<&str>) -> Result<oidc_login::Model, OidcError> {
        let id = secret::digest(secret);
        let found = oidc_login::Entity::find_by_id(id.clone()).one(&self.inner.db).await?.ok_or(OidcError::State)?;
        let deleted =
            oidc_login::Entity::delete_many().filter(oidc_login::Column::Id.eq(id)).exec(&self.inner.db).await?;
        let purpose_fits = found.purpose == purpose || purpose == "login" && found.purpose == "connect";
        let fits = purpose_fits && provider.is_none_or(|p| p == found.provider);
        if deleted.rows_affected == 0 || !fits || found.expires_at <= OffsetDateTime::now_utc() {
            return Err(OidcError::State);
        }
        Ok(found)
    }

    /// Finishes a sign-in at the callback: checks the state against the one the browser kept,
    /// exchanges the code (with the PKCE verifier), verifies the ID token and its nonce, and
    /// decides whom to sign in (see the module's documentation).
    #[tracing::instrument(skip_all, fields(provider = %name), err(level = "info"))]
    pub async fn finish(
        &self,
        actor: &Actor,
        name: &str,
        callback: Callback<'_>,
        locale: Locale,
        client: &ClientInfo,
    ) -> Result<Finished, OidcError> {
        let provider = self.provider(name)?;
        let state = callback.state.ok_or(OidcError::State)?;
        if callback.kept_state != Some(state) {
            return Err(OidcError::State);
        }
        let flow = self.take(state, "login", Some(name)).await?;
        if let Some(error) = callback.error {
            tracing::info!(error, "the provider refused the sign-in");
            return Err(if error == "access_denied" {
                OidcError::Denied
            } else {
                OidcError::Failed(anyhow::anyhow!("{error}"))
            });
        }
        let code = callback.code.ok_or_else(|| OidcError::Failed(anyhow::anyhow!("no code")))?;
        let discovered = self.discover(provider).await?;
        let verifier = PkceCodeVerifier::new(flow.pkce_verifier.clone().unwrap_or_default());
        let response = discovered
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| OidcError::Failed(e.into()))?
            .set_pkce_verifier(verifier)
            .request_async(&self.inner.http)
            .await
            .map_err(|e| OidcError::Failed(anyhow::Error::new(e).context("the code exchange failed")))?;
        let id_token = response.id_token().ok_or_else(|| OidcError::Failed(anyhow::anyhow!("no ID token")))?;
        let nonce = Nonce::new(flow.nonce.clone().unwrap_or_default());
        let claims = id_token
            .claims(&discovered.client.id_token_verifier(), &nonce)
            .map_err(|e| OidcError::Failed(anyhow::Error::new(e).context("the ID token was refused")))?;
        let identity = Identity {
            provider: name.to_owned(),
            subject: claims.subject().as_str().to_owned(),
            email: claims.email().map(|e| e.as_str().trim().to_lowercase()),
            email_verified: claims.email_verified().unwrap_or(false),
            name: claims.name().and_then(|n| n.get(None)).map(|n| n.as_str().to_owned()),
        };
        let return_to = flow.return_to.clone();
        let db = &self.inner.db;
        let linked =
            user_identity::Entity::find_by_id((identity.provider.clone(), identity.subject.clone())).one(db).await?;
        if flow.purpose == "connect" {
            return self.connect(actor, &flow, linked, &identity, client).await;
        }
        let user_id = match linked {
            Some(linked) => linked.user_id,
            None => match self.account_for(&identity).await? {
                Some(existing) if identity.email_verified => {
                    return Ok(Finished::LinkNeeded {
                        secret: self.await_password(existing.id, &identity, return_to).await?,
                        provider: name.to_owned(),
                    });
                }
                Some(_) => return Err(OidcError::EmailUnverified),
                None => self.create_account(&identity, locale, client).await?,
            },
        };
        // The provider stands for the password, not for the second factor.
        if self.inner.accounts.two_factor().is_enabled(user_id).await? {
            if let Some(session_id) = actor.session_id() {
                self.inner.sessions.revoke(session_id).await?;
            }
            return Ok(Finished::NeedsSecondFactor(self.inner.accounts.two_factor().open_challenge(user_id).await?));
        }
        let (account, token) = self.open_session(actor, user_id, name, client).await?;
        Ok(Finished::SignedIn { account, token, return_to })
    }

    /// The end of a linking started from the profile: only in the session, and for the account,
    /// that started it.
    async fn connect(
        &self,
        actor: &Actor,
        flow: &oidc_login::Model,
        linked: Option<user_identity::Model>,
        identity: &Identity,
        client: &ClientInfo,
    ) -> Result<Finished, OidcError> {
        let same_session = actor.session_id().map(secret::digest) == flow.session_id;
        let same_user = actor.user_id().ok() == flow.user_id;
        let (true, true, Some(user_id)) = (same_session, same_user, flow.user_id) else {
            tracing::warn!("a provider link came back in another session than the one that started it: refused");
            return Err(OidcError::State);
        };
        match linked {
            Some(linked) if linked.user_id == user_id => {}
            Some(_) => return Err(OidcError::LinkedElsewhere),
            None => self.add_identity(user_id, identity, client).await?,
        }
        Ok(Finished::Connected { provider: identity.provider.clone() })
    }

    async fn account_for(&self, identity: &Identity) -> Result<Option<user::Model>, OidcError> {
        let email = identity.email.as_deref().ok_or(OidcError::EmailMissing)?;
        Ok(user::Entity::find().filter(user::Column::Email.eq(email)).one(&self.inner.db).await?)
    }

    async fn await_password(
        &self,
        user_id: Uuid,
        identity: &Identity,
        return_to: Option<String>,
    ) -> Result<String, OidcError> {
        let secret = secret::random_token();
        let now = OffsetDateTime::now_utc();
        oidc_login::ActiveModel {
            id: Set(secret::digest(&secret)),
            purpose: Set("link".into()),
            provider: Set(identity.provider.clone()),
            pkce_verifier: Set(None),
            nonce: Set(None),
            return_to: Set(return_to),
            subject: Set(Some(identity.subject.clone())),
            email: Set(identity.email.clone()),
            user_id: Set(Some(user_id)),
            session_id: Set(None),
            expires_at: Set(now + FLOW_LIFETIME),
            created_at: Set(now),
        }
        .insert(&self.inner.db)
        .await?;
        Ok(secret)
    }

    /// Links a waiting identity once its account's password is given (throttled like sign-in),
    /// and signs that account in.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn link(
        &self,
        actor: &Actor,
        secret: &str,
        password: &str,
        client: &ClientInfo,
    ) -> Result<(Account, SessionToken, Option<String>), OidcError> {
        let id = secret::digest(secret);
        let db = &self.inner.db;
        let waiting = oidc_login::Entity::find_by_id(id).one(db).await?.ok_or(OidcError::State)?;
        let (Some(user_id), Some(subject), "link") =
            (waiting.user_id, waiting.subject.clone(), waiting.purpose.as_str())
        else {
            return Err(OidcError::State);
        };
        if waiting.expires_at <= OffsetDateTime::now_utc() {
            return Err(OidcError::State);
        }
        let user = user::Entity::find_by_id(user_id).one(db).await?.ok_or(OidcError::State)?;
        // A password alone must not open an account that also wants a code: that user signs in
        // fully first and links the provider from the profile.
        let SignIn::Done(account, token) = self.inner.accounts.sign_in(actor, &user.email, password, client).await?
        else {
            return Err(OidcError::TwoFactor);
        };
        self.take(secret, "link", None).await?;
        let identity =
            Identity { provider: waiting.provider, subject, email: waiting.email, email_verified: true, name: None };
        self.add_identity(account.id, &identity, client).await?;
        Ok((account, token, waiting.return_to))
    }

    async fn add_identity(&self, user_id: Uuid, identity: &Identity, client: &ClientInfo) -> Result<(), OidcError> {
        user_identity::ActiveModel {
            provider: Set(identity.provider.clone()),
            subject: Set(identity.subject.clone()),
            user_id: Set(user_id),
            email: Set(identity.email.clone()),
            linked_at: Set(OffsetDateTime::now_utc()),
        }
        .insert(&self.inner.db)
        .await?;
        let context = Context::own(user_id, client).detail("provider", identity.provider.as_str());
        self.inner.audit.record(Event::ProviderLinked, context).await?;
        tracing::info!(%user_id, provider = %identity.provider, "provider linked");
        Ok(())
    }

    async fn create_account(
        &self,
        identity: &Identity,
        locale: Locale,
        client: &ClientInfo,
    ) -> Result<Uuid, OidcError> {
        let email = Email::parse(identity.email.as_deref().ok_or(OidcError::EmailMissing)?)
            .map_err(|_| OidcError::EmailMissing)?;
        let display_name = identity
            .name
            .as_deref()
            .and_then(|n| DisplayName::parse(n.trim()).ok())
            .unwrap_or_else(|| DisplayName::from_email(&email));
        let now = OffsetDateTime::now_utc();
        let id = Uuid::now_v7();
        let txn = self.inner.db.begin().await?;
        let created = user::ActiveModel {
            id: Set(id),
            email: Set(email.as_ref().to_owned()),
            password_hash: Set(NO_PASSWORD.into()),
            display_name: Set(display_name.as_ref().to_owned()),
            role: Set(Role::User.as_str().to_owned()),
            locale: Set(locale.as_str().to_owned()),
            time_zone: Set(TimeZone::utc().as_ref().to_owned()),
            avatar_id: Set(None),
            email_verified_at: Set(identity.email_verified.then_some(now)),
            created_at: Set(now),
            updated_at: Set(now),
            deletion_due_at: Set(None),
            suspended_at: Set(None),
        }
        .insert(&txn)
        .await;
        match created {
            Ok(_) => {}
            // Another sign-up took the address a moment ago.
            Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                return Err(OidcError::EmailUnverified);
            }
            Err(err) => return Err(err.into()),
        }
        user_identity::ActiveModel {
            provider: Set(identity.provider.clone()),
            subject: Set(identity.subject.clone()),
            user_id: Set(id),
            email: Set(identity.email.clone()),
            linked_at: Set(now),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        let context = || Context::own(id, client).detail("provider", identity.provider.as_str());
        self.inner.audit.record(Event::SignUp, context()).await?;
        self.inner.audit.record(Event::ProviderLinked, context()).await?;
        tracing::info!(user_id = %id, provider = %identity.provider, "account created through a provider");
        Ok(id)
    }

    async fn open_session(
        &self,
        actor: &Actor,
        user_id: Uuid,
        provider: &str,
        client: &ClientInfo,
    ) -> Result<(Account, SessionToken), OidcError> {
        let user = user::Entity::find_by_id(user_id).one(&self.inner.db).await?.ok_or(OidcError::State)?;
        if let Some(session_id) = actor.session_id() {
            self.inner.sessions.revoke(session_id).await?;
        }
        let token = self.inner.sessions.create_through(user_id, client, Some(provider)).await?;
        let context = Context::own(user_id, client).detail("provider", provider);
        self.inner.audit.record(Event::SignIn, context).await?;
        crate::accounts::pending_deletion::cancel_on_sign_in(&self.inner.db, &self.inner.audit, user_id, client)
            .await?;
        tracing::info!(%user_id, provider, "signed in through a provider");
        Ok((user.into(), token))
    }

    /// The providers linked to the signed-in user's account.
    pub async fn identities(&self, actor: &Actor) -> crate::Result<Vec<LinkedIdentity>> {
        let id = actor.user_id()?;
        let rows = user_identity::Entity::find()
            .filter(user_identity::Column::UserId.eq(id))
            .order_by_asc(user_identity::Column::LinkedAt)
            .all(&self.inner.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| LinkedIdentity {
                display_name: self
                    .provider(&row.provider)
                    .map(|p| p.config.display_name.clone())
                    .unwrap_or_else(|_| row.provider.clone()),
                provider: row.provider,
                email: row.email,
                linked_at: row.linked_at,
            })
            .collect())
    }

    /// Unlinks a provider from the signed-in user's account, unless it is the last way to sign in
    /// (no password and no other provider).
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn unlink(&self, actor: &Actor, provider: &str, client: &ClientInfo) -> crate::Result<()> {
        let id = actor.user_id()?;
        let db = &self.inner.db;
        let user = user::Entity::find_by_id(id).one(db).await?.ok_or(Error::Unauthenticated)?;
        let identities = user_identity::Entity::find().filter(user_identity::Column::UserId.eq(id)).all(db).await?;
        if !identities.iter().any(|i| i.provider == provider) {
            return Err(Error::NotFound);
        }
        let others = identities.iter().filter(|i| i.provider != provider).count();
        if user.password_hash == NO_PASSWORD && others == 0 {
            return Err(Error::invalid(Field::Provider, Problem::LastSignInMethod));
        }
        user_identity::Entity::delete_many()
            .filter(user_identity::Column::UserId.eq(id))
            .filter(user_identity::Column::Provider.eq(provider))
            .exec(db)
            .await?;
        let context = Context::own(id, client).detail("provider", provider);
        self.inner.audit.record(Event::ProviderUnlinked, context).await?;
        Ok(())
    }

    /// Where to send the browser after signing out, when the session came from a provider that
    /// supports RP-initiated logout: its end-session endpoint, coming back to the app's home.
    pub async fn logout_url(&self, actor: &Actor) -> Option<url::Url> {
        let session_id = actor.session_id()?;
        let session = session::Entity::find_by_id(session_id.to_owned()).one(&self.inner.db).await.ok()??;
        let provider = self.provider(session.oidc_provider.as_deref()?).ok()?;
        let discovered = self.discover(provider).await.ok()?;
        let endpoint = discovered.end_session.clone()?;
        let back = PostLogoutRedirectUrl::new(self.inner.public_url.to_string()).ok()?;
        let request = openidconnect::LogoutRequest::from(endpoint)
            .set_client_id(ClientId::new(provider.config.client_id.clone()))
            .set_post_logout_redirect_uri(back);
        Some(request.http_get_url())
    }

    /// Removes sign-ins that were never finished.
    pub async fn purge_expired(&self) -> crate::Result<u64> {
        let result = oidc_login::Entity::delete_many()
            .filter(oidc_login::Column::ExpiresAt.lte(OffsetDateTime::now_utc()))
            .exec(&self.inner.db)
            .await?;
        Ok(result.rows_affected)
    }
}

struct Identity {
    provider: String,
    subject: String,
    email: Option<String>,
    email_verified: bool,
    name: Option<String>,
}

/// `path` as a place on this site to send the browser back to, or `None`. Browsers drop tabs and
/// newlines from URLs and read `\` as `/`, so `/\t/evil.example` is `//evil.example` to them: any
/// control character, backslash or space is refused outright, and what is left must resolve against
/// `PUBLIC_URL` to the same origin.
///
/// Dot segments resolve away (`/.//evil.example`, `/%2e%2e//evil.example` become `//evil.example`),
/// so the check that the path starts with a single `/` is made again on the resolved path: a
/// leading empty segment there is another host to a browser.
pub fn local_return_path(public_url: &url::Url, path: &str) -> Option<String> {
    if !path.starts_with('/') || path.starts_with("//") || path.len() > 512 {
        return None;
    }
    if path.chars().any(|c| c.is_control() || c == '\\' || c.is_whitespace()) {
        return None;
    }
    let resolved = public_url.join(path).ok()?;
    if resolved.origin() != public_url.origin() {
        return None;
    }
    if resolved.path().starts_with("//") {
        return None;
    }
    let mut kept = resolved.path().to_owned();
    if let Some(query) = resolved.query() {
        kept.push('?');
        kept.push_str(query);
    }
    Some(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_kept_to_return_to() {
        let public = url::Url::parse("https://app.example/").unwrap();
        let kept = |p: &str| local_return_path(&public, p);
        assert_eq!(kept("/files?x=1").as_deref(), Some("/files?x=1"));
        assert_eq!(kept("/profile").as_deref(), Some("/profile"));
        for evil in [
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/%09/evil.example/../..",
            "/ /evil.example",
            "/\u{7f}/evil.example",
            "/\\/evil.example",
            "evil.example",
            "",
        ] {
            let got = kept(evil);
            // Whatever is kept must be a path on this site when a browser resolves it.
            if let Some(path) = &got {
                let url = public.join(path).unwrap();
                assert_eq!(url.origin(), public.origin(), "{evil:?} -> {path:?}");
                assert!(path.starts_with('/') && !path.starts_with("//"), "{evil:?} -> {path:?}");
            }
            assert!(got.is_none() || evil.starts_with("/%09"), "{evil:?} was kept as {got:?}");
        }
    }

    /// Found by the fuzz target `return_path`: dot segments, plain or percent-encoded, that
    /// resolve to a path starting with `//`, which a browser reads as another host.
    #[test]
    fn dot_segments_cannot_make_a_path_to_another_host() {
        for public in ["https://app.example/", "https://example.org/smartai/"] {
            let public = url::Url::parse(public).unwrap();
            for evil in [
                "/.//evil.example",
                "/..//evil.example",
                "/%2e%2e//F2%x",
                "/%2E//evil.example/x?y",
                "/a/..//evil.example",
                "/././/evil.example",
                "/files/../..//evil.example",
            ] {
                assert_eq!(local_return_path(&public, evil), None, "{evil:?} on {public}");
            }
            assert_eq!(local_return_path(&public, "/a/./b/../files?x=//y").as_deref(), Some("/a/files?x=//y"));
        }
    }
}
