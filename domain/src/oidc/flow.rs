//! One sign-in through a provider, from its start (a fresh PKCE challenge, `state` and `nonce`,
//! kept in `oidc_logins`) to the callback, which takes that record once and decides whom to sign
//! in.

use openidconnect::{
    AuthorizationCode, CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier, Scope, TokenResponse,
    core::CoreAuthenticationFlow,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{FLOW_LIFETIME, Identity, OidcError, OidcService, local_return_path};
use crate::{
    Actor, Error,
    accounts::{Account, Locale, PendingSignIn},
    entities::{oidc_login, user_identity},
    secret,
    sessions::{ClientInfo, SessionToken},
};

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

impl OidcService {
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
    pub(super) async fn take(
        &self,
        secret: &str,
        purpose: &str,
        provider: Option<&str>,
    ) -> Result<oidc_login::Model, OidcError> {
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

    /// Removes sign-ins that were never finished.
    pub async fn purge_expired(&self) -> crate::Result<u64> {
        let result = oidc_login::Entity::delete_many()
            .filter(oidc_login::Column::ExpiresAt.lte(OffsetDateTime::now_utc()))
            .exec(&self.inner.db)
            .await?;
        Ok(result.rows_affected)
    }
}
