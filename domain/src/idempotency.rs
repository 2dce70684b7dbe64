//! Idempotency keys: a client that repeats a POST with the same `Idempotency-Key` (after a
//! timeout, say) gets the first answer again instead of a second resource.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, SqlErr, prelude::*,
};
use time::OffsetDateTime;

use crate::{Result, entities::idempotency_key};

/// How long a key is remembered.
pub const KEEP_FOR: time::Duration = time::Duration::hours(24);
/// How long a claim holds without renewal. The process answering renews it every [`RENEW_EVERY`],
/// so only the claim of a process that died mid-request runs out, and a retry then takes it over.
pub const LEASE: time::Duration = time::Duration::seconds(15);
pub const RENEW_EVERY: std::time::Duration = std::time::Duration::from_secs(5);
/// The lease of a claim made by a process older than leases (it does not renew): long enough for
/// any request it may still be answering during a rolling upgrade.
pub const LEGACY_LEASE: time::Duration = time::Duration::minutes(10);

/// A stored answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    /// Header name and value pairs.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// What to do with a request that carries a key.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// First time: answer it, then [`IdempotencyKeys::complete`] (or `release` on failure).
    New,
    /// Answered before: send this again.
    Replay(StoredResponse),
    /// Answered before with a secret shown only once (a token, a share link): the answer was not
    /// kept, so it cannot be sent again. Its status and headers (the new resource's `Location`) were.
    Withheld(StoredResponse),
    /// The first request with this key is still being answered; its claim runs out after this
    /// unless its process renews it.
    InProgress { retry_after: std::time::Duration },
    /// The key was used for a different request.
    Mismatch,
}

#[derive(Clone)]
pub struct IdempotencyKeys {
    db: DatabaseConnection,
}

impl IdempotencyKeys {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Claims `key` for the request with this fingerprint, or says why not. The insert comes first,
    /// so two concurrent requests with one key cannot both see "new".
    pub async fn claim(&self, user_id: Uuid, key: &str, fingerprint: &str) -> Result<Claim> {
        let now = OffsetDateTime::now_utc();
        let row = idempotency_key::ActiveModel {
            user_id: Set(user_id),
            key: Set(key.to_owned()),
            fingerprint: Set(fingerprint.to_owned()),
            status: Set(None),
            headers: Set(None),
            body: Set(None),
            created_at: Set(now),
            lease_until: Set(Some(now + LEASE)),
        };
        match idempotency_key::Entity::insert(row).exec_without_returning(&self.db).await {
            Ok(_) => return Ok(Claim::New),
            Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {}
            Err(err) => return Err(err.into()),
        }
        let Some(found) = idempotency_key::Entity::find_by_id((user_id, key.to_owned())).one(&self.db).await? else {
            // Released between our insert and our read: the caller may simply retry.
            return Ok(Claim::InProgress { retry_after: std::time::Duration::from_secs(1) });
        };
        if found.created_at < now - KEEP_FOR {
            // Expired but not yet purged: forget it and claim afresh.
            self.release(user_id, key).await?;
            return Box::pin(self.claim(user_id, key, fingerprint)).await;
        }
        if found.fingerprint != fingerprint {
            return Ok(Claim::Mismatch);
        }
        let Some(status) = found.status else {
            let lease_end = found.lease_until.unwrap_or(found.created_at + LEGACY_LEASE);
            if lease_end <= now && self.take_over(user_id, key, now).await? {
                return Ok(Claim::New);
            }
            let retry_after = (lease_end - now).max(time::Duration::ZERO).unsigned_abs();
            return Ok(Claim::InProgress { retry_after });
        };
        let stored = |body| StoredResponse {
            status: u16::try_from(status).unwrap_or(500),
            headers: found.headers.as_deref().and_then(|h| serde_json::from_str(h).ok()).unwrap_or_default(),
            body,
        };
        Ok(match found.body.clone() {
            Some(body) => Claim::Replay(stored(body)),
            None => Claim::Withheld(stored(String::new())),
        })
    }

    /// Claims a key whose first request was abandoned (its lease ran out, so its process died).
    /// Conditional, so that of two retries racing for it only one wins.
    async fn take_over(&self, user_id: Uuid, key: &str, now: OffsetDateTime) -> Result<bool> {
        let abandoned = Condition::any().add(idempotency_key::Column::LeaseUntil.lte(now)).add(
            Condition::all()
                .add(idempotency_key::Column::LeaseUntil.is_null())
                .add(idempotency_key::Column::CreatedAt.lte(now - LEGACY_LEASE)),
        );
        let taken = idempotency_key::Entity::update_many()
            .col_expr(idempotency_key::Column::LeaseUntil, Expr::value(now + LEASE))
            .filter(idempotency_key::Column::UserId.eq(user_id))
            .filter(idempotency_key::Column::Key.eq(key))
            .filter(idempotency_key::Column::Status.is_null())
            .filter(abandoned)
            .exec(&self.db)
            .await?;
        Ok(taken.rows_affected == 1)
    }

    /// Extends the claim of a request still being answered (every [`RENEW_EVERY`]).
    pub async fn renew(&self, user_id: Uuid, key: &str) -> Result<()> {
        idempotency_key::Entity::update_many()
            .col_expr(idempotency_key::Column::LeaseUntil, Expr::value(OffsetDateTime::now_utc() + LEASE))
            .filter(idempotency_key::Column::UserId.eq(user_id))
            .filter(idempotency_key::Column::Key.eq(key))
            .filter(idempotency_key::Column::Status.is_null())
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Stores the answer to replay; with `withhold_body`, only its status and headers (the body holds
    /// a secret that must not rest in the database, nor in its backups).
    pub async fn complete(
        &self,
        user_id: Uuid,
        key: &str,
        response: &StoredResponse,
        withhold_body: bool,
    ) -> Result<()> {
        let body = (!withhold_body).then(|| response.body.clone());
        idempotency_key::Entity::update_many()
            .col_expr(idempotency_key::Column::Status, Expr::value(i16::try_from(response.status).unwrap_or(500)))
            .col_expr(idempotency_key::Column::Headers, Expr::value(serde_json::to_string(&response.headers).ok()))
            .col_expr(idempotency_key::Column::Body, Expr::value(body))
            .filter(idempotency_key::Column::UserId.eq(user_id))
            .filter(idempotency_key::Column::Key.eq(key))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Forgets a claim whose request failed in a way worth retrying (a server error, a refusal).
    pub async fn release(&self, user_id: Uuid, key: &str) -> Result<()> {
        idempotency_key::Entity::delete_by_id((user_id, key.to_owned())).exec(&self.db).await?;
        Ok(())
    }

    pub async fn purge_expired(&self) -> Result<u64> {
        let cutoff = OffsetDateTime::now_utc() - KEEP_FOR;
        let purged = idempotency_key::Entity::delete_many()
            .filter(idempotency_key::Column::CreatedAt.lt(cutoff))
            .exec(&self.db)
            .await?;
        Ok(purged.rows_affected)
    }
}
