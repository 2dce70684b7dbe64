//! Linking provider identities to accounts: from the profile, in the session that started it;
//! an identity whose verified address belongs to an account, once that account's password is
//! given; and unlinking, never the last way to sign in.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{FLOW_LIFETIME, Finished, Identity, OidcError, OidcService, ProviderInfo};
use crate::accounts::password::NO_PASSWORD;
use crate::{
    Actor, Error,
    accounts::{Account, SignIn},
    audit::{Context, Event},
    entities::{oidc_login, user, user_identity},
    error::{Field, Problem},
    secret,
    sessions::{ClientInfo, SessionToken},
};

/// An identity linked to the user's account, for the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedIdentity {
    pub provider: String,
    pub display_name: String,
    pub email: Option<String>,
    pub linked_at: OffsetDateTime,
}

/// The providers linked to the user's account, and the configured ones they could link too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedProviders {
    /// In the order they were linked.
    pub linked: Vec<LinkedIdentity>,
    /// In the configuration's order.
    pub available: Vec<ProviderInfo>,
}

impl OidcService {
    /// The end of a linking started from the profile: only in the session, and for the account,
    /// that started it.
    pub(super) async fn connect(
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

    pub(super) async fn account_for(&self, identity: &Identity) -> Result<Option<user::Model>, OidcError> {
        let email = identity.email.as_deref().ok_or(OidcError::EmailMissing)?;
        Ok(user::Entity::find().filter(user::Column::Email.eq(email)).one(&self.inner.db).await?)
    }

    pub(super) async fn await_password(
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

    /// The providers linked to the signed-in user's account, and those they could still link.
    pub async fn linked_providers(&self, actor: &Actor) -> crate::Result<LinkedProviders> {
        let linked = self.identities(actor).await?;
        let available = self.providers().into_iter().filter(|p| !linked.iter().any(|l| l.provider == p.name)).collect();
        Ok(LinkedProviders { linked, available })
    }

    /// The providers linked to the signed-in user's account.
    async fn identities(&self, actor: &Actor) -> crate::Result<Vec<LinkedIdentity>> {
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
}
