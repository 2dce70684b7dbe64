//! Personal access tokens: bearer secrets for programs calling the REST API, each with its own
//! scopes and expiry. Shown once; only the SHA-256 is kept. Resolved tokens are cached like
//! sessions (`sessions::cache`): a revocation, or a change to the owner, reaches every instance
//! at once.

use std::time::Duration;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set, prelude::*,
};
use time::OffsetDateTime;

use super::Account;
use crate::{
    Actor, Credential, Error, Result, Role, Scopes,
    audit::{AuditLog, Context, Event},
    entities::{api_token, user},
    error::{Field, Problem},
    events::{Events, Forget},
    secret,
    sessions::{
        ClientInfo, Resolved,
        cache::{Entry, SessionCache},
    },
};

/// Every token starts so, which lets secret scanners and people recognise one.
pub const TOKEN_PREFIX: &str = "sat_";
/// The longest a token may live: a forgotten token should not work forever.
pub const MAX_LIFETIME: Duration = Duration::from_secs(366 * 24 * 3600);
const MAX_NAME_CHARS: usize = 80;
/// How stale `last_used_at` may get before a request refreshes it.
const TOUCH_INTERVAL: time::Duration = time::Duration::minutes(1);

/// A token as its owner sees it in the list (never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: Uuid,
    pub name: String,
    pub scopes: Scopes,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub last_used_ip: Option<String>,
}

impl From<api_token::Model> for TokenInfo {
    fn from(m: api_token::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            scopes: Scopes::from_stored(&m.scopes),
            created_at: m.created_at,
            expires_at: m.expires_at,
            last_used_at: m.last_used_at,
            last_used_ip: m.last_used_ip,
        }
    }
}

/// A token just created: the only time its secret is known.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub info: TokenInfo,
    pub secret: String,
}

pub struct TokenRequest<'a> {
    pub name: &'a str,
    pub scopes: Scopes,
    pub lifetime: Duration,
}

#[derive(Clone)]
pub struct TokenService {
    db: DatabaseConnection,
    audit: AuditLog,
    cache: SessionCache,
}

impl TokenService {
    pub fn new(db: DatabaseConnection, audit: AuditLog, events: Events, cache_ttl: Duration) -> Self {
        Self { db, audit, cache: SessionCache::new(events, cache_ttl) }
    }

    /// Creates a token for the actor. A token may only create tokens with no more scopes than its
    /// own, and `admin` is for administrators.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn create(&self, actor: &Actor, request: TokenRequest<'_>, client: &ClientInfo) -> Result<NewToken> {
        let (user_id, role) = match actor {
            Actor::User { id, role, .. } => (*id, *role),
            Actor::Anonymous | Actor::System => return Err(Error::Unauthenticated),
        };
        let name = request.name.trim();
        if name.is_empty() {
            return Err(Error::invalid(Field::TokenName, Problem::Required));
        }
        if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
            return Err(Error::invalid(Field::TokenName, Problem::TooLong));
        }
        if request.scopes.is_empty() {
            return Err(Error::invalid(Field::Scopes, Problem::Required));
        }
        let own = match actor {
            Actor::User { credential: Credential::Token { scopes, .. }, .. } => *scopes,
            _ => Scopes::from_stored("read,write,admin"),
        };
        let admin_asked = request.scopes.contains(crate::Scope::Admin);
        if !request.scopes.is_subset_of(own) || (admin_asked && role != Role::Admin) {
            return Err(Error::invalid(Field::Scopes, Problem::Unsupported));
        }
        if request.lifetime < Duration::from_secs(60) || request.lifetime > MAX_LIFETIME {
            return Err(Error::invalid(Field::ExpiresIn, Problem::Unsupported));
        }
        super::require_confirmed(&self.db, user_id).await?;
        let secret = format!("{TOKEN_PREFIX}{}", secret::random_token());
        let now = OffsetDateTime::now_utc();
        let model = api_token::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(user_id),
            name: Set(name.to_owned()),
            token_hash: Set(secret::digest(&secret)),
            scopes: Set(request.scopes.to_stored()),
            created_at: Set(now),
            expires_at: Set(now + request.lifetime),
            last_used_at: Set(None),
            last_used_ip: Set(None),
        }
        .insert(&self.db)
        .await?;
        let context = Context::about(Some(user_id), actor, client)
            .detail("token", model.id.to_string())
            .detail("name", name)
            .detail("scopes", request.scopes.to_stored());
        self.audit.record(Event::TokenCreated, context).await?;
        Ok(NewToken { info: model.into(), secret })
    }

    /// The actor's tokens, newest first, expired ones included (marked by their expiry).
    pub async fn list(&self, actor: &Actor) -> Result<Vec<TokenInfo>> {
        tokens_of(&self.db, actor.user_id()?).await
    }

    /// Revokes one of the actor's tokens (someone else's is not found).
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn revoke(&self, actor: &Actor, id: Uuid, client: &ClientInfo) -> Result<()> {
        let user_id = actor.user_id()?;
        let deleted = api_token::Entity::delete_many()
            .filter(api_token::Column::Id.eq(id))
            .filter(api_token::Column::UserId.eq(user_id))
            .exec(&self.db)
            .await?;
        if deleted.rows_affected == 0 {
            return Err(Error::NotFound);
        }
        // The cache knows tokens by their hash, not their id: the owner's are all dropped.
        self.cache.forget(Forget::User(user_id)).await;
        let context = Context::about(Some(user_id), actor, client).detail("token", id.to_string());
        self.audit.record(Event::TokenRevoked, context).await?;
        Ok(())
    }

    /// The actor a bearer secret stands for: anonymous when it is unknown or expired.
    #[tracing::instrument(skip_all, err)]
    pub async fn resolve(&self, secret: &str, client: &ClientInfo) -> Result<Resolved> {
        if !secret.starts_with(TOKEN_PREFIX) {
            return Ok(Resolved::anonymous());
        }
        let hash = secret::digest(secret);
        let now = OffsetDateTime::now_utc();
        let (cached, epoch) = self.cache.get(&hash);
        // Used from the same address within the minute: nothing to record, no query.
        if let Some(hit) = cached
            && now < hit.expires_at
            && now - hit.last_seen_at < TOUCH_INTERVAL
            && hit.ip == client.ip
        {
            return Ok(hit.resolved);
        }
        let Some((token, Some(user))) = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(&hash))
            .find_also_related(user::Entity)
            .one(&self.db)
            .await?
        else {
            return Ok(Resolved::anonymous());
        };
        // Tokens made before an address had to be confirmed first do not work until it is.
        if now >= token.expires_at || user.email_verified_at.is_none() || user.suspended_at.is_some() {
            return Ok(Resolved::anonymous());
        }
        let mut last_used_at = token.last_used_at.unwrap_or(now);
        if token.last_used_at.is_none_or(|at| now - at >= TOUCH_INTERVAL) || token.last_used_ip != client.ip {
            api_token::Entity::update_many()
                .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
                .col_expr(api_token::Column::LastUsedIp, Expr::value(client.ip.clone()))
                .filter(api_token::Column::Id.eq(token.id))
                .exec(&self.db)
                .await?;
            last_used_at = now;
        }
        let credential = Credential::Token { id: token.id, scopes: Scopes::from_stored(&token.scopes) };
        let resolved = Resolved {
            actor: Actor::User { id: user.id, role: Role::parse(&user.role), credential },
            account: Some(Account::from(user)),
        };
        let entry =
            Entry::new(resolved.clone(), token.user_id, token.expires_at, last_used_at).with_ip(client.ip.clone());
        self.cache.put(hash, entry, epoch);
        Ok(resolved)
    }

    /// Removes tokens that expired more than a week ago (the owner saw them marked expired).
    pub async fn purge_expired(&self) -> Result<u64> {
        let cutoff = OffsetDateTime::now_utc() - time::Duration::days(7);
        let purged =
            api_token::Entity::delete_many().filter(api_token::Column::ExpiresAt.lt(cutoff)).exec(&self.db).await?;
        Ok(purged.rows_affected)
    }
}

/// A user's tokens, newest first, expired ones included.
pub(crate) async fn tokens_of(db: &DatabaseConnection, user_id: Uuid) -> Result<Vec<TokenInfo>> {
    let rows = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(TokenInfo::from).collect())
}
