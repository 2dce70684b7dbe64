//! Server-side sessions. The cookie holds a random token; the table holds only its SHA-256, so a
//! copy of the database cannot be replayed as cookies. Resolved sessions are cached for a few
//! seconds ([`cache`]); whatever changes a session or its user says so through [`Self::forget_user`]
//! or the revoking methods here.

pub(crate) mod cache;

use std::{fmt, time::Duration};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set, prelude::*,
};
use time::OffsetDateTime;

use self::cache::{Entry, SessionCache};
use crate::{
    Actor, Credential, Error, Result, Role,
    account::Account,
    config::SessionConfig,
    entities::{session, user},
    error::{Field, Problem},
    events::{Events, Forget},
    secret,
};

/// How stale `last_seen_at` may get before a request refreshes it: one write a minute, not one
/// per request.
const TOUCH_INTERVAL: time::Duration = time::Duration::minutes(1);

/// The secret cookie value. Never printed.
pub struct SessionToken(String);

impl SessionToken {
    fn generate() -> Self {
        Self(secret::random_token())
    }

    pub fn from_cookie(value: &str) -> Self {
        Self(value.to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    fn id(&self) -> String {
        secret::digest(&self.0)
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(***)")
    }
}

/// Where a request came from, recorded on the session for the user's sessions list and on
/// every audit event.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    /// The request's `x-request-id`, to find it in the logs.
    pub request_id: Option<String>,
}

/// A signed-in session as its user sees it in their sessions list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// The stored id (a hash of the cookie's token, which it does not reveal).
    pub id: String,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The session this request came with.
    pub current: bool,
}

/// What a session cookie stands for: the actor, and the account as it was loaded with the
/// session (one query per request serves the whole page shell).
#[derive(Debug, Clone)]
pub struct Resolved {
    pub actor: Actor,
    pub account: Option<Account>,
}

impl Resolved {
    pub fn anonymous() -> Self {
        Self { actor: Actor::Anonymous, account: None }
    }
}

#[derive(Clone)]
pub struct SessionStore {
    db: DatabaseConnection,
    idle_timeout: time::Duration,
    max_age: time::Duration,
    cache: SessionCache,
}

impl SessionStore {
    pub fn new(db: DatabaseConnection, config: &SessionConfig, events: Events) -> Self {
        let convert = |d: Duration| time::Duration::try_from(d).unwrap_or(time::Duration::MAX);
        let cache = SessionCache::new(events, config.cache_ttl);
        Self { db, idle_timeout: convert(config.idle_timeout), max_age: convert(config.max_age), cache }
    }

    /// How long the cookie should live in the browser.
    pub fn max_age(&self) -> Duration {
        self.max_age.try_into().unwrap_or(Duration::MAX)
    }

    pub(crate) async fn create(&self, user_id: Uuid, client: &ClientInfo) -> Result<SessionToken> {
        self.create_through(user_id, client, None).await
    }

    /// Opens a session, noting the OpenID Connect provider it came through.
    pub(crate) async fn create_through(
        &self,
        user_id: Uuid,
        client: &ClientInfo,
        provider: Option<&str>,
    ) -> Result<SessionToken> {
        // Every way of signing in ends here: a suspended account gets no session, whatever it proved.
        let found = user::Entity::find_by_id(user_id).one(&self.db).await?.ok_or(Error::Unauthenticated)?;
        if found.suspended_at.is_some() {
            return Err(Error::invalid(Field::Email, Problem::Suspended));
        }
        let token = SessionToken::generate();
        let now = OffsetDateTime::now_utc();
        session::ActiveModel {
            id: Set(token.id()),
            user_id: Set(user_id),
            created_at: Set(now),
            last_seen_at: Set(now),
            expires_at: Set(now + self.max_age),
            user_agent: Set(client.user_agent.as_deref().map(|ua| truncate(ua, 255))),
            ip: Set(client.ip.clone()),
            oidc_provider: Set(provider.map(str::to_owned)),
            authenticated_at: Set(Some(now)),
        }
        .insert(&self.db)
        .await?;
        Ok(token)
    }

    /// The actor a cookie stands for (anonymous when the session is unknown or has expired), with
    /// the user's preferred language.
    #[tracing::instrument(skip_all, err)]
    pub async fn resolve(&self, token: &SessionToken) -> Result<Resolved> {
        let id = token.id();
        let now = OffsetDateTime::now_utc();
        let (cached, epoch) = self.cache.get(&id);
        // A cached session still within its expiries and not due for a touch needs no query.
        if let Some(hit) = cached
            && now < hit.expires_at
            && now - hit.last_seen_at < TOUCH_INTERVAL.min(self.idle_timeout)
        {
            return Ok(hit.resolved);
        }
        let Some((session, Some(user))) =
            session::Entity::find_by_id(id.clone()).find_also_related(user::Entity).one(&self.db).await?
        else {
            return Ok(Resolved::anonymous());
        };
        if now >= session.expires_at || now - session.last_seen_at >= self.idle_timeout || user.suspended_at.is_some() {
            session::Entity::delete_by_id(id).exec(&self.db).await?;
            return Ok(Resolved::anonymous());
        }
        let mut last_seen_at = session.last_seen_at;
        if now - session.last_seen_at >= TOUCH_INTERVAL {
            session::Entity::update_many()
                .col_expr(session::Column::LastSeenAt, Expr::value(now))
                .filter(session::Column::Id.eq(&id))
                .exec(&self.db)
                .await?;
            last_seen_at = now;
        }
        let resolved = Resolved {
            actor: Actor::User {
                id: user.id,
                role: Role::parse(&user.role),
                credential: Credential::Session(id.clone()),
            },
            account: Some(Account::from(user)),
        };
        let entry = Entry::new(resolved.clone(), session.user_id, session.expires_at, last_seen_at);
        self.cache.put(id, entry, epoch);
        Ok(resolved)
    }

    /// Something about the user changed (account, role, password, sessions): no instance may
    /// answer from what it cached about them. Returns once every instance is told.
    pub(crate) async fn forget_user(&self, user_id: Uuid) {
        self.cache.forget(Forget::User(user_id)).await;
    }

    /// The database changed under every cache (a restored backup, a hand-made fix): every
    /// instance drops all it cached about sessions and tokens.
    pub async fn forget_everything(&self) {
        self.cache.forget(Forget::All).await;
    }

    /// Whether the session's user proved who they are (signed in, or typed the password again) at
    /// `since` or later.
    pub(crate) async fn authenticated_since(&self, session_id: &str, since: OffsetDateTime) -> Result<bool> {
        let Some(session) = session::Entity::find_by_id(session_id.to_owned()).one(&self.db).await? else {
            return Ok(false);
        };
        Ok(session.authenticated_at.unwrap_or(session.created_at) >= since)
    }

    /// The session's user just proved who they are again.
    pub(crate) async fn reauthenticated(&self, session_id: &str) -> Result<()> {
        session::Entity::update_many()
            .col_expr(session::Column::AuthenticatedAt, Expr::value(Some(OffsetDateTime::now_utc())))
            .filter(session::Column::Id.eq(session_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    pub(crate) async fn revoke(&self, session_id: &str) -> Result<()> {
        session::Entity::delete_by_id(session_id.to_owned()).exec(&self.db).await?;
        self.cache.forget(Forget::Session(session_id.to_owned())).await;
        Ok(())
    }

    /// Ends every session of a user except, optionally, the one in use.
    pub(crate) async fn revoke_all_for(&self, user_id: Uuid, except: Option<&str>) -> Result<u64> {
        let mut query = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
        if let Some(keep) = except {
            query = query.filter(session::Column::Id.ne(keep));
        }
        let ended = query.exec(&self.db).await?.rows_affected;
        self.forget_user(user_id).await;
        Ok(ended)
    }

    /// The user's live sessions, most recently used first.
    pub async fn list(&self, actor: &Actor) -> Result<Vec<SessionInfo>> {
        self.live_of(actor.user_id()?, actor.session_id()).await
    }

    /// A user's live sessions, most recently used first; `current` is the one in use, if any.
    pub(crate) async fn live_of(&self, user: Uuid, current: Option<&str>) -> Result<Vec<SessionInfo>> {
        let now = OffsetDateTime::now_utc();
        let rows = session::Entity::find()
            .filter(session::Column::UserId.eq(user))
            .filter(session::Column::ExpiresAt.gt(now))
            .filter(session::Column::LastSeenAt.gt(now - self.idle_timeout))
            .order_by_desc(session::Column::LastSeenAt)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|s| SessionInfo {
                current: current == Some(s.id.as_str()),
                id: s.id,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                ip: s.ip,
                user_agent: s.user_agent,
            })
            .collect())
    }

    /// Signs one of the user's sessions out (another device, or this one). Someone else's
    /// session is not found.
    pub async fn end(&self, actor: &Actor, id: &str) -> Result<()> {
        let user = actor.user_id()?;
        let ended = session::Entity::delete_many()
            .filter(session::Column::Id.eq(id))
            .filter(session::Column::UserId.eq(user))
            .exec(&self.db)
            .await?;
        if ended.rows_affected == 0 {
            return Err(Error::NotFound);
        }
        self.cache.forget(Forget::Session(id.to_owned())).await;
        tracing::info!(user_id = %user, "session ended by its user");
        Ok(())
    }

    /// Signs out every session of the user but the one in use. Returns how many ended.
    pub async fn end_others(&self, actor: &Actor) -> Result<u64> {
        let user = actor.user_id()?;
        let ended = self.revoke_all_for(user, actor.session_id()).await?;
        tracing::info!(user_id = %user, ended, "other sessions ended by their user");
        Ok(ended)
    }

    /// Removes sessions past their absolute or idle expiry.
    pub async fn purge_expired(&self) -> Result<u64> {
        let now = OffsetDateTime::now_utc();
        let result = session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lte(now).or(session::Column::LastSeenAt.lte(now - self.idle_timeout)))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }
}

fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_ids_are_their_hashes() {
        let a = SessionToken::generate();
        let b = SessionToken::generate();
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.id().len(), 64);
        assert_eq!(SessionToken::from_cookie(a.expose()).id(), a.id());
        assert!(!format!("{a:?}").contains(a.expose()));
    }
}
