//! Reading the log back: one user's own events, and the administrators' search through everybody's.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{AuditLog, Event};
use crate::{
    Actor, Error, Result,
    email_address::Email,
    entities::{audit_event, user},
    error::{Field, Problem},
};

/// One event as it is read back.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub seq: i64,
    pub user_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    /// The stable code (see [`Event::code`]); codes written by newer versions pass through.
    pub event: String,
    pub details: serde_json::Value,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub created_at: OffsetDateTime,
}

impl From<audit_event::Model> for AuditEntry {
    fn from(m: audit_event::Model) -> Self {
        Self {
            seq: m.seq,
            user_id: m.user_id,
            actor_id: m.actor_id,
            event: m.event,
            details: serde_json::from_str(&m.details).unwrap_or_default(),
            ip: m.ip,
            user_agent: m.user_agent,
            request_id: m.request_id,
            created_at: m.created_at,
        }
    }
}

/// Which events [`AuditLog::search`] lists. Every part left out lists more.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery<'a> {
    /// Only events about the account with this address.
    pub email: Option<&'a str>,
    /// Only events of this code (see [`Event::code`]).
    pub event: Option<&'a str>,
    /// Only events at or after this instant.
    pub since: Option<OffsetDateTime>,
    /// Only events before this instant.
    pub until: Option<OffsetDateTime>,
    /// Only events older than this one (the `next` of the page before).
    pub before: Option<i64>,
    /// At most this many (1 to 1000).
    pub limit: u64,
}

/// One page of [`AuditLog::search`].
#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// Where the next page starts (`AuditQuery::before`), when there is one.
    pub next: Option<i64>,
}

impl AuditLog {
    /// The signed-in user's own events, newest first.
    pub async fn list_own(&self, actor: &Actor, limit: u64) -> Result<Vec<AuditEntry>> {
        let id = actor.user_id()?;
        self.newest(Some(id), limit).await
    }

    /// Everybody's events, or one account's (by e-mail address), newest first: for operators.
    /// The newest `limit` of what [`Self::search`] finds.
    pub async fn list(&self, actor: &Actor, email: Option<&str>, limit: u64) -> Result<Vec<AuditEntry>> {
        Ok(self.search(actor, &AuditQuery { email, limit, ..AuditQuery::default() }).await?.items)
    }

    /// The events `query` asks for, newest first, a page at a time (administrators only).
    pub async fn search(&self, actor: &Actor, query: &AuditQuery<'_>) -> Result<AuditPage> {
        actor.require_admin()?;
        let mut select = audit_event::Entity::find();
        if let Some(email) = query.email.map(str::trim).filter(|e| !e.is_empty()) {
            let email = Email::parse(email)?;
            let found = user::Entity::find().filter(user::Column::Email.eq(email.as_ref())).one(&self.db).await?;
            let id = found.ok_or(Error::invalid(Field::Email, Problem::Unsupported))?.id;
            select = select.filter(audit_event::Column::UserId.eq(id));
        }
        if let Some(code) = query.event.map(str::trim).filter(|e| !e.is_empty()) {
            let event = Event::parse(code).ok_or(Error::invalid(Field::AuditEvent, Problem::Unsupported))?;
            select = select.filter(audit_event::Column::Event.eq(event.code()));
        }
        if let (Some(since), Some(until)) = (query.since, query.until)
            && until < since
        {
            return Err(Error::invalid(Field::Period, Problem::Malformed));
        }
        if let Some(since) = query.since {
            select = select.filter(audit_event::Column::CreatedAt.gte(since));
        }
        if let Some(until) = query.until {
            select = select.filter(audit_event::Column::CreatedAt.lt(until));
        }
        if let Some(before) = query.before {
            select = select.filter(audit_event::Column::Seq.lt(before));
        }
        let limit = query.limit.clamp(1, 1000);
        let mut rows = select.order_by_desc(audit_event::Column::Seq).limit(limit + 1).all(&self.db).await?;
        let next = (rows.len() as u64 > limit).then(|| {
            rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            rows.last().map(|r| r.seq)
        });
        Ok(AuditPage { items: rows.into_iter().map(AuditEntry::from).collect(), next: next.flatten() })
    }

    async fn newest(&self, user_id: Option<Uuid>, limit: u64) -> Result<Vec<AuditEntry>> {
        let mut query = audit_event::Entity::find();
        if let Some(id) = user_id {
            query = query.filter(audit_event::Column::UserId.eq(id));
        }
        let rows = query.order_by_desc(audit_event::Column::Seq).limit(limit.clamp(1, 1000)).all(&self.db).await?;
        Ok(rows.into_iter().map(AuditEntry::from).collect())
    }
}
