//! The audit log: every security event (sign-up, sign-in, password change, …), with who, from
//! where and when, in an append-only table. Each event stores the hash of the one before it, so
//! [`AuditLog::verify`] finds any row that was edited, deleted or moved.
//!
//! The hashes are keyed: each is an HMAC-SHA256 under the app's key (`a1:<key id>:…`, see
//! [`crate::keys`]), which is not in the database, so someone who can only write the database
//! cannot compute a hash that verifies. Events from before SECRET_KEYS carry the plain SHA-256 of
//! the first version ([`unkeyed_hash`]); they still verify as the start of the chain, covered by
//! the first keyed event after them (the start-up appends one, `audit_keyed`), and an unkeyed
//! event anywhere after a keyed one is a break.
//!
//! Hash versions: `a1` covers every field. `a2` (current) covers the personal fields (details,
//! address, browser) through `personal_hash`, their own HMAC, so that erasing an account can
//! blank them ([`AuditLog::pseudonymise_in`]) and the chain, the event and its time still verify.
//! A blanked event is accepted only about an account whose `account_erased` event is in the log.
//!
//! Retention (`AUDIT_RETENTION`, see [`retention`]) removes the oldest events, always a prefix of
//! the chain, and records where the kept chain starts in an `audit_pruned` event, in the same
//! transaction: `verify` starts from the newest such anchor instead of the first event.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, Statement, TransactionTrait,
    sea_query::{Condition, Expr, Func},
};
use time::OffsetDateTime;
use uuid::Uuid;

mod event;
mod hash;
mod retention;
mod search;
mod verify;

pub use event::Event;
pub use hash::{keyed_hash, seal, unkeyed_hash};
pub use retention::Anchor;
pub use search::{AuditEntry, AuditPage, AuditQuery};
pub use verify::{Breach, Break, Report};

use crate::{
    Actor, Result,
    entities::{audit_event, audit_head},
    keys::Keyring,
    sessions::ClientInfo,
};
use hash::is_keyed;

/// What the first event links to: there is no event before it.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who an event is about, who caused it, from where, and anything else worth keeping.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    user_id: Option<Uuid>,
    actor_id: Option<Uuid>,
    client: &'a ClientInfo,
    details: serde_json::Map<String, serde_json::Value>,
}

impl<'a> Context<'a> {
    /// A user acting on their own account.
    pub fn own(user_id: Uuid, client: &'a ClientInfo) -> Self {
        Self { user_id: Some(user_id), actor_id: Some(user_id), client, details: Default::default() }
    }

    /// An event about `user_id` (if any account is concerned) caused by `actor` (no actor id for
    /// the operator, the platform or a visitor).
    pub fn about(user_id: Option<Uuid>, actor: &Actor, client: &'a ClientInfo) -> Self {
        Self { user_id, actor_id: actor.user_id().ok(), client, details: Default::default() }
    }

    pub fn detail(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.details.insert(key.to_owned(), value.into());
        self
    }
}

#[derive(Clone)]
pub struct AuditLog {
    db: DatabaseConnection,
    /// Where security notices are queued (see [`Self::with_notices`]).
    notices: Option<crate::jobs::Queue>,
    /// The hashes' keys.
    keys: Keyring,
}

impl AuditLog {
    pub fn new(db: DatabaseConnection, keys: Keyring) -> Self {
        Self { db, notices: None, keys }
    }

    /// The app's keys (the audit chain's, and the other services' too).
    pub fn keys(&self) -> &Keyring {
        &self.keys
    }

    /// Also e-mails the account's owner when its sign-in details change (a password, two-factor,
    /// a passkey, a linked provider), so a change they did not make does not go unnoticed.
    pub fn with_notices(mut self, jobs: crate::jobs::Queue) -> Self {
        self.notices = Some(jobs);
        self
    }

    /// Appends an event in a transaction of its own.
    #[tracing::instrument(skip_all, fields(event = event.code()), err)]
    pub async fn record(&self, event: Event, context: Context<'_>) -> Result<()> {
        let txn = self.db.begin().await?;
        self.record_in(&txn, event, context).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Appends an event as part of the caller's transaction: it exists only if that commits. The
    /// head row stays locked until then, so keep the transaction short.
    pub async fn record_in(&self, txn: &DatabaseTransaction, event: Event, context: Context<'_>) -> Result<i64> {
        // Taking the head row first serialises appenders, across processes too: PostgreSQL holds
        // the row lock to the end of the transaction (a waiting appender then reads the committed
        // row), and on SQLite a write as the first statement takes the database's write lock.
        let head = Statement::from_string(
            txn.get_database_backend(),
            "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash",
        );
        let head = txn.query_one(head).await?.ok_or_else(|| anyhow::anyhow!("the audit head row is missing"))?;
        let seq: i64 = head.try_get("", "seq")?;
        let prev_hash: String = head.try_get("", "hash")?;
        let now = OffsetDateTime::now_utc();
        let client = context.client;
        let mut model = audit_event::Model {
            seq,
            user_id: context.user_id,
            actor_id: context.actor_id,
            event: event.code().to_owned(),
            details: serde_json::Value::Object(context.details).to_string(),
            ip: client.ip.as_deref().map(|ip| truncate(ip, 64)),
            user_agent: client.user_agent.as_deref().map(|ua| truncate(ua, 512)),
            request_id: client.request_id.as_deref().map(|id| truncate(id, 128)),
            // Both databases keep microseconds; hash what will be read back.
            created_at: now.replace_nanosecond(now.nanosecond() / 1000 * 1000).unwrap_or(now),
            prev_hash,
            hash: String::new(),
            personal_hash: None,
            pseudonymised_at: None,
        };
        seal(&mut model, &self.keys);
        if let (Some(jobs), Some(user_id)) = (&self.notices, model.user_id)
            && event.notifies_owner()
        {
            let notice = crate::notifications::SecurityNotice {
                message_id: Uuid::now_v7(),
                user_id,
                event: event.code().to_owned(),
                at: model.created_at,
                ip: model.ip.clone(),
            };
            jobs.enqueue_in(txn, crate::jobs::NewJob::of(&notice)).await?;
        }
        let hash = model.hash.clone();
        audit_event::Entity::insert(model.into_active_model().reset_all()).exec_without_returning(txn).await?;
        audit_head::Entity::update_many()
            .col_expr(audit_head::Column::Hash, Expr::value(hash))
            .filter(audit_head::Column::Id.eq(1))
            .exec(txn)
            .await?;
        Ok(seq)
    }

    /// Blanks the personal data of every event about the account (or caused by it, or naming its
    /// address), as part of the caller's transaction: details keep their keys but the address
    /// becomes [`Self::email_hash`], and the IP address and browser go. Returns how many events
    /// changed. The chain still verifies (see the module's doc); the caller records
    /// `account_erased` with the same hash in the same transaction.
    pub async fn pseudonymise_in(&self, txn: &DatabaseTransaction, user_id: Uuid, email: &str) -> Result<u64> {
        let email = email.to_lowercase();
        let hashed = self.email_hash(&email);
        // A prefilter: `_` in an address is LIKE's wildcard, so the match is made exact below.
        let naming = Expr::expr(Func::lower(Expr::col(audit_event::Column::Details))).like(format!("%{email}%"));
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::PseudonymisedAt.is_null())
            .filter(
                Condition::any()
                    .add(audit_event::Column::UserId.eq(user_id))
                    .add(audit_event::Column::ActorId.eq(user_id))
                    .add(naming),
            )
            .all(txn)
            .await?;
        let now = OffsetDateTime::now_utc();
        let mut changed = 0;
        for row in rows {
            let mut details: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&row.details).unwrap_or_default();
            let mut named = false;
            for value in details.values_mut() {
                if value.as_str().is_some_and(|v| v.trim().to_lowercase() == email) {
                    *value = serde_json::Value::String(hashed.clone());
                    named = true;
                }
            }
            if !named && row.user_id != Some(user_id) && row.actor_id != Some(user_id) {
                continue;
            }
            audit_event::Entity::update_many()
                .col_expr(audit_event::Column::Details, Expr::value(serde_json::Value::Object(details).to_string()))
                .col_expr(audit_event::Column::Ip, Expr::value(Option::<String>::None))
                .col_expr(audit_event::Column::UserAgent, Expr::value(Option::<String>::None))
                .col_expr(audit_event::Column::PseudonymisedAt, Expr::value(Some(now)))
                .filter(audit_event::Column::Seq.eq(row.seq))
                .exec(txn)
                .await?;
            changed += 1;
        }
        Ok(changed)
    }

    /// What an erased account's address becomes in the log: the same for the same address (under
    /// the newest key), so events about it can still be told apart, and useless without the key.
    pub fn email_hash(&self, email: &str) -> String {
        self.keys.sign("e1", "audit-email", &[email.trim().to_lowercase().as_bytes()])
    }

    /// When the newest event's hash is not keyed (events from before SECRET_KEYS), appends an
    /// `audit_keyed` event, whose keyed hash covers the chain before it; returns its number.
    /// Nothing when the log is empty or already ends with a keyed event.
    pub async fn anchor_unkeyed(&self) -> Result<Option<i64>> {
        let txn = self.db.begin().await?;
        // Lock the head first, as appends do, so two starting processes anchor once.
        let head = Statement::from_string(
            txn.get_database_backend(),
            "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash",
        );
        // Without its head row the log cannot take events; `verify` reports that.
        let Some(head) = txn.query_one(head).await? else {
            txn.rollback().await?;
            return Ok(None);
        };
        let seq: i64 = head.try_get("", "seq")?;
        let hash: String = head.try_get("", "hash")?;
        if seq == 0 || is_keyed(&hash) {
            txn.rollback().await?;
            return Ok(None);
        }
        let client = ClientInfo::default();
        let context = Context::about(None, &Actor::System, &client).detail("unkeyed_events", seq);
        let anchor = self.record_in(&txn, Event::AuditKeyed, context).await?;
        txn.commit().await?;
        tracing::info!(unkeyed_events = seq, anchor, "audit log: events from before SECRET_KEYS anchored");
        Ok(Some(anchor))
    }
}

fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}
