//! The accounts a provider signs into: a new one, with no usable password, for an identity no
//! account has, and the session it opens.

use sea_orm::{ActiveModelTrait, EntityTrait, Set, SqlErr, TransactionTrait};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Identity, OidcError, OidcService};
use crate::accounts::password::NO_PASSWORD;
use crate::{
    Actor, Role,
    accounts::{Account, DisplayName, Email, Locale, TimeZone},
    audit::{Context, Event},
    entities::{user, user_identity},
    sessions::{ClientInfo, SessionToken},
};

impl OidcService {
    pub(super) async fn create_account(
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
            version: Set(crate::concurrency::FIRST_VERSION),
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

    pub(super) async fn open_session(
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
}
