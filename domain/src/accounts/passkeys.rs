//! Passkeys (WebAuthn): registered on the profile, then enough on their own to sign in. The
//! ceremonies and every check (challenge, origin, signature, counter, user verification) are
//! webauthn-rs's; this keeps its state between the challenge and the answer in the database, so
//! any instance can finish what another started, and each challenge works once within minutes.

use std::sync::Arc;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Serialize, de::DeserializeOwned};
use time::OffsetDateTime;
use uuid::Uuid;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Webauthn, WebauthnBuilder,
};

use super::Account;
use crate::{
    Actor, Error, Result,
    audit::{AuditLog, Context, Event},
    entities::{passkey, user, webauthn_challenge},
    error::{Field, Problem},
    sessions::{ClientInfo, SessionStore, SessionToken},
};

/// How long the browser has to answer a challenge.
const CHALLENGE_LIFETIME: time::Duration = time::Duration::minutes(5);

/// A passkey as its owner sees it in their list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyInfo {
    pub id: Uuid,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

impl From<passkey::Model> for PasskeyInfo {
    fn from(m: passkey::Model) -> Self {
        Self { id: m.id, name: m.name, created_at: m.created_at, last_used_at: m.last_used_at }
    }
}

/// What the browser passes to `navigator.credentials.create()` or `.get()`, with the id of the
/// challenge to send back with the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Ceremony {
    pub challenge: Uuid,
    pub options: serde_json::Value,
}

#[derive(Clone)]
pub struct PasskeyService {
    db: DatabaseConnection,
    /// None when `PUBLIC_URL` cannot be a relying party (an IP address): passkeys are then off.
    webauthn: Option<Arc<Webauthn>>,
    sessions: SessionStore,
    audit: AuditLog,
    step_up: super::StepUp,
}

fn refused() -> Error {
    Error::invalid(Field::Passkey, Problem::Malformed)
}

fn expired() -> Error {
    Error::invalid(Field::Passkey, Problem::Expired)
}

impl PasskeyService {
    /// The relying party is the app at `public_url`: its host is the RP id, its origin the only
    /// one whose answers count. Browsers take only a domain as RP id, so with an IP address in
    /// `PUBLIC_URL` passkeys are off (and say so), while everything else works.
    pub fn new(
        db: DatabaseConnection,
        public_url: &url::Url,
        sessions: SessionStore,
        audit: AuditLog,
        step_up: super::StepUp,
    ) -> Self {
        let webauthn = match public_url.host() {
            Some(url::Host::Domain(rp_id)) => WebauthnBuilder::new(rp_id, public_url)
                .and_then(|b| b.rp_name("SmartAIPlatForm").build())
                .map_err(|err| tracing::warn!(%public_url, error = %err, "passkeys are off: PUBLIC_URL is no WebAuthn origin"))
                .ok(),
            _ => {
                tracing::warn!(%public_url, "passkeys are off: PUBLIC_URL must name a domain, not an IP address");
                None
            }
        };
        Self { db, webauthn: webauthn.map(Arc::new), sessions, audit, step_up }
    }

    fn webauthn(&self) -> Result<&Webauthn> {
        self.webauthn.as_deref().ok_or(Error::invalid(Field::Passkey, Problem::Unsupported))
    }

    pub async fn list(&self, actor: &Actor) -> Result<Vec<PasskeyInfo>> {
        let user = actor.user_id()?;
        let rows = passkey::Entity::find()
            .filter(passkey::Column::UserId.eq(user))
            .order_by_asc(passkey::Column::CreatedAt)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(PasskeyInfo::from).collect())
    }

    /// Starts adding a passkey to the signed-in account: a browser session that signed in a few
    /// minutes ago, or that gives the account's `password` now (see [`super::StepUp`]).
    pub async fn start_registration(
        &self,
        actor: &Actor,
        password: Option<&str>,
        client: &ClientInfo,
    ) -> Result<Ceremony> {
        let id = actor.user_id()?;
        self.step_up.require_recent(actor, password, client).await?;
        let user = super::require_confirmed(&self.db, id).await?;
        let exclude = self.stored(id).await?.into_iter().map(|(_, key)| key.cred_id().clone()).collect::<Vec<_>>();
        let (options, state) = self
            .webauthn()?
            .start_passkey_registration(user.id, &user.email, &user.display_name, Some(exclude))
            .map_err(unexpected)?;
        let mut options = serde_json::to_value(options).map_err(unexpected)?;
        // A discoverable credential, so the passkey alone signs in later (no e-mail typed first).
        if let Some(selection) = options.pointer_mut("/publicKey/authenticatorSelection") {
            selection["residentKey"] = "required".into();
            selection["requireResidentKey"] = true.into();
        }
        let challenge = self.save_challenge(Some(id), &state).await?;
        Ok(Ceremony { challenge, options })
    }

    /// Checks the authenticator's answer and keeps the new passkey under `name`.
    pub async fn finish_registration(
        &self,
        actor: &Actor,
        challenge: Uuid,
        credential: &str,
        name: &str,
        client: &ClientInfo,
    ) -> Result<PasskeyInfo> {
        let id = actor.user_id()?;
        let name = name.trim();
        let name = if name.is_empty() { "Passkey" } else { name };
        if name.chars().count() > 80 || name.chars().any(char::is_control) {
            return Err(Error::invalid(Field::Passkey, Problem::TooLong));
        }
        super::require_confirmed(&self.db, id).await?;
        let state: PasskeyRegistration = self.take_challenge(challenge, Some(id)).await?;
        let answer: RegisterPublicKeyCredential = serde_json::from_str(credential).map_err(|_| refused())?;
        let key = self.webauthn()?.finish_passkey_registration(&answer, &state).map_err(|err| {
            tracing::info!(error = %err, "a passkey registration was refused");
            refused()
        })?;
        let now = OffsetDateTime::now_utc();
        let row = passkey::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(id),
            credential_id: Set(URL_SAFE_NO_PAD.encode::<&[u8]>(key.cred_id().as_ref())),
            name: Set(name.to_owned()),
            credential: Set(serde_json::to_string(&key).map_err(unexpected)?),
            created_at: Set(now),
            last_used_at: Set(None),
        }
        .insert(&self.db)
        .await?;
        self.audit.record(Event::PasskeyAdded, Context::own(id, client).detail("name", name)).await?;
        Ok(row.into())
    }

    pub async fn delete(&self, actor: &Actor, passkey_id: Uuid, client: &ClientInfo) -> Result<()> {
        let id = actor.user_id()?;
        let removed = passkey::Entity::delete_many()
            .filter(passkey::Column::Id.eq(passkey_id))
            .filter(passkey::Column::UserId.eq(id))
            .exec(&self.db)
            .await?;
        if removed.rows_affected == 0 {
            return Err(Error::NotFound);
        }
        self.audit.record(Event::PasskeyRemoved, Context::own(id, client)).await
    }

    /// Starts a sign-in with whichever passkey the user picks.
    pub async fn start_sign_in(&self) -> Result<Ceremony> {
        let (options, state) = self.webauthn()?.start_discoverable_authentication().map_err(unexpected)?;
        let mut options = serde_json::to_value(options).map_err(unexpected)?;
        // webauthn-rs asks for conditional (autofill) mediation; this is a button: a plain prompt.
        if let Some(map) = options.as_object_mut() {
            map.remove("mediation");
        }
        let challenge = self.save_challenge(None, &state).await?;
        Ok(Ceremony { challenge, options })
    }

    /// Checks the passkey's answer and opens a session for its account, ending the one the
    /// request came with.
    pub async fn finish_sign_in(
        &self,
        actor: &Actor,
        challenge: Uuid,
        credential: &str,
        client: &ClientInfo,
    ) -> Result<(Account, SessionToken)> {
        let state: DiscoverableAuthentication = self.take_challenge(challenge, None).await?;
        let answer: PublicKeyCredential = serde_json::from_str(credential).map_err(|_| refused())?;
        let (user_id, credential_id) =
            self.webauthn()?.identify_discoverable_authentication(&answer).map_err(|_| refused())?;
        let credential_id = URL_SAFE_NO_PAD.encode(credential_id);
        let row = passkey::Entity::find()
            .filter(passkey::Column::CredentialId.eq(credential_id))
            .filter(passkey::Column::UserId.eq(user_id))
            .one(&self.db)
            .await?
            .ok_or_else(refused)?;
        let mut key: Passkey = serde_json::from_str(&row.credential).map_err(unexpected)?;
        #[allow(deprecated)] // v2 needs the credential internals feature; this is the same check.
        let result = self
            .webauthn()?
            .finish_discoverable_authentication(&answer, state, &[DiscoverableKey::from(&key)])
            .map_err(|err| {
                tracing::info!(error = %err, "a passkey sign-in was refused");
                refused()
            })?;
        key.update_credential(&result);
        let mut stored: passkey::ActiveModel = row.into();
        stored.credential = Set(serde_json::to_string(&key).map_err(unexpected)?);
        stored.last_used_at = Set(Some(OffsetDateTime::now_utc()));
        stored.update(&self.db).await?;

        let user = user::Entity::find_by_id(user_id).one(&self.db).await?.ok_or_else(refused)?;
        if user.email_verified_at.is_none() {
            return Err(refused());
        }
        if let Some(session_id) = actor.session_id() {
            self.sessions.revoke(session_id).await?;
        }
        let token = self.sessions.create(user.id, client).await?;
        self.audit.record(Event::SignIn, Context::own(user.id, client).detail("method", "passkey")).await?;
        super::pending_deletion::cancel_on_sign_in(&self.db, &self.audit, user.id, client).await?;
        tracing::info!(user_id = %user.id, "signed in with a passkey");
        Ok((user.into(), token))
    }

    /// Removes challenges nobody answered (the nightly retention job).
    pub async fn purge_expired(&self) -> Result<u64> {
        let result = webauthn_challenge::Entity::delete_many()
            .filter(webauthn_challenge::Column::ExpiresAt.lt(OffsetDateTime::now_utc()))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }

    async fn stored(&self, user_id: Uuid) -> Result<Vec<(passkey::Model, Passkey)>> {
        let rows = passkey::Entity::find().filter(passkey::Column::UserId.eq(user_id)).all(&self.db).await?;
        rows.into_iter()
            .map(|row| {
                let key = serde_json::from_str(&row.credential).map_err(unexpected)?;
                Ok((row, key))
            })
            .collect()
    }

    async fn save_challenge(&self, user_id: Option<Uuid>, state: &impl Serialize) -> Result<Uuid> {
        let id = Uuid::new_v4();
        webauthn_challenge::ActiveModel {
            id: Set(id),
            user_id: Set(user_id),
            state: Set(serde_json::to_string(state).map_err(unexpected)?),
            expires_at: Set(OffsetDateTime::now_utc() + CHALLENGE_LIFETIME),
        }
        .insert(&self.db)
        .await?;
        Ok(id)
    }

    /// The state of a live challenge of `user_id`, removed as it is read: each works once.
    async fn take_challenge<T: DeserializeOwned>(&self, id: Uuid, user_id: Option<Uuid>) -> Result<T> {
        let row = webauthn_challenge::Entity::find_by_id(id).one(&self.db).await?.ok_or_else(expired)?;
        let taken = webauthn_challenge::Entity::delete_by_id(id).exec(&self.db).await?;
        if taken.rows_affected != 1 || row.user_id != user_id || row.expires_at <= OffsetDateTime::now_utc() {
            return Err(expired());
        }
        serde_json::from_str(&row.state).map_err(unexpected)
    }
}

fn unexpected(err: impl std::fmt::Display) -> Error {
    Error::Unexpected(anyhow::anyhow!("passkeys: {err}"))
}
