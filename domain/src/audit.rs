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

use std::fmt;

use sea_orm::{
    AccessMode, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend,
    EntityTrait, IntoActiveModel, IsolationLevel, QueryFilter, QueryOrder, QuerySelect, Statement, TransactionTrait,
    sea_query::{Condition, Expr, Func},
};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

mod retention;

pub use retention::Anchor;

use crate::{
    Actor, Error, Result,
    email_address::Email,
    entities::{audit_event, audit_head, user},
    error::{Field, Problem},
    keys::Keyring,
    sessions::ClientInfo,
};

/// What the first event links to: there is no event before it.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How many rows `verify` reads at a time.
const PAGE: u64 = 1000;

/// A kind of security event. The codes are stored and translated (`audit-event-<code>`): they
/// never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    SignUp,
    SignIn,
    SignInFailed,
    SignOut,
    PasswordChanged,
    PasswordReset,
    SessionRevoked,
    RoleChanged,
    TwoFactorEnabled,
    TwoFactorDisabled,
    ProviderLinked,
    ProviderUnlinked,
    EmailVerified,
    PasskeyAdded,
    PasskeyRemoved,
    TokenCreated,
    TokenRevoked,
    /// The app appended its first keyed event after ones from before SECRET_KEYS.
    AuditKeyed,
    /// The owner asked for the account to be deleted after the grace period.
    DeletionRequested,
    /// The owner signed in during the grace period: the account stays.
    DeletionCancelled,
    /// The account and everything it owned were erased; its events lost their personal data.
    AccountErased,
    /// The retention removed the oldest events; the details say through which one, and its hash.
    AuditPruned,
    /// The owner asked for a copy of their data.
    ExportRequested,
    /// The owner downloaded their export.
    ExportDownloaded,
    /// An administrator set a feature flag.
    FlagChanged,
    /// An administrator suspended the account: its sessions and tokens stopped working.
    AccountSuspended,
    /// An administrator lifted the account's suspension.
    AccountReactivated,
    /// An administrator put a dead job back in its queue.
    JobRetried,
    /// An administrator dropped a dead job.
    JobDiscarded,
    /// An administrator had a password reset link e-mailed to the account.
    PasswordResetSent,
}

impl Event {
    pub const ALL: [Event; 30] = [
        Self::SignUp,
        Self::SignIn,
        Self::SignInFailed,
        Self::SignOut,
        Self::PasswordChanged,
        Self::PasswordReset,
        Self::SessionRevoked,
        Self::RoleChanged,
        Self::TwoFactorEnabled,
        Self::TwoFactorDisabled,
        Self::ProviderLinked,
        Self::ProviderUnlinked,
        Self::EmailVerified,
        Self::PasskeyAdded,
        Self::PasskeyRemoved,
        Self::TokenCreated,
        Self::TokenRevoked,
        Self::AuditKeyed,
        Self::DeletionRequested,
        Self::DeletionCancelled,
        Self::AccountErased,
        Self::AuditPruned,
        Self::ExportRequested,
        Self::ExportDownloaded,
        Self::FlagChanged,
        Self::AccountSuspended,
        Self::AccountReactivated,
        Self::JobRetried,
        Self::JobDiscarded,
        Self::PasswordResetSent,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::SignUp => "sign_up",
            Self::SignIn => "sign_in",
            Self::SignInFailed => "sign_in_failed",
            Self::SignOut => "sign_out",
            Self::PasswordChanged => "password_changed",
            Self::PasswordReset => "password_reset",
            Self::SessionRevoked => "session_revoked",
            Self::RoleChanged => "role_changed",
            Self::TwoFactorEnabled => "two_factor_enabled",
            Self::TwoFactorDisabled => "two_factor_disabled",
            Self::ProviderLinked => "provider_linked",
            Self::ProviderUnlinked => "provider_unlinked",
            Self::EmailVerified => "email_verified",
            Self::PasskeyAdded => "passkey_added",
            Self::PasskeyRemoved => "passkey_removed",
            Self::TokenCreated => "token_created",
            Self::TokenRevoked => "token_revoked",
            Self::AuditKeyed => "audit_keyed",
            Self::DeletionRequested => "deletion_requested",
            Self::DeletionCancelled => "deletion_cancelled",
            Self::AccountErased => "account_erased",
            Self::AuditPruned => "audit_pruned",
            Self::ExportRequested => "export_requested",
            Self::ExportDownloaded => "export_downloaded",
            Self::FlagChanged => "flag_changed",
            Self::AccountSuspended => "account_suspended",
            Self::AccountReactivated => "account_reactivated",
            Self::JobRetried => "job_retried",
            Self::JobDiscarded => "job_discarded",
            Self::PasswordResetSent => "password_reset_sent",
        }
    }

    /// Whether the owner is e-mailed when this happens to their account.
    pub fn notifies_owner(self) -> bool {
        matches!(
            self,
            Self::PasswordChanged
                | Self::PasswordReset
                | Self::TwoFactorEnabled
                | Self::TwoFactorDisabled
                | Self::PasskeyAdded
                | Self::ProviderLinked
                | Self::TokenCreated
                | Self::DeletionRequested
                | Self::DeletionCancelled
        )
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }
}

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

/// What [`AuditLog::verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Events read.
    pub events: u64,
    /// The newest event as the head row records it: its number and hash.
    pub head_seq: i64,
    pub head_hash: String,
    /// Events whose personal data an account's erasure blanked (their chain still verified).
    pub pseudonymised: u64,
    /// Where the kept chain starts when the retention removed older events.
    pub pruned: Option<Anchor>,
    /// The first place the chain is broken, if any.
    pub broken: Option<Break>,
}

/// Where the chain breaks first, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub seq: i64,
    /// The event's code, when its row is there.
    pub event: Option<String>,
    pub problem: Breach,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breach {
    /// The row's contents do not match its hash: edited (or moved to another number).
    Edited,
    /// No row has this number; the chain goes on at `next` (none: nothing after it is left).
    Missing { next: Option<i64> },
    /// The row does not name the hash of the event before it: that event was replaced.
    Unlinked,
    /// The row is newer than the head row: it was written outside the audit log.
    NotInHead,
    /// The head row is gone.
    HeadMissing,
    /// The row's hash is not keyed: rewritten by someone without the key (or, for a log that
    /// has no keyed event at all, from before SECRET_KEYS and not yet anchored by a start).
    Unkeyed,
    /// The row's personal data is marked erased, but no account erasure covers it.
    FalselyErased,
}

impl Breach {
    /// A stable code for the kind of break (the UI words it with `admin-audit-breach-<code>`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Edited => "edited",
            Self::Missing { .. } => "missing",
            Self::Unlinked => "unlinked",
            Self::NotInHead => "not_in_head",
            Self::HeadMissing => "head_missing",
            Self::Unkeyed => "unkeyed",
            Self::FalselyErased => "falsely_erased",
        }
    }
}

impl fmt::Display for Break {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seq = self.seq;
        let event = self.event.as_deref().map(|e| format!(" ({e})")).unwrap_or_default();
        match self.problem {
            Breach::Edited => write!(f, "event {seq}{event} was edited: its contents do not match its hash"),
            Breach::Missing { next: Some(next) } => {
                write!(f, "event {seq} is missing (deleted): the chain goes on at event {next}")
            }
            Breach::Missing { next: None } => {
                write!(f, "event {seq} is missing (deleted): the newest events are gone")
            }
            Breach::Unlinked => {
                write!(f, "event {seq}{event} does not link to event {}: an event before it was replaced", seq - 1)
            }
            Breach::NotInHead => write!(f, "event {seq}{event} was written outside the audit log"),
            Breach::HeadMissing => write!(f, "the audit head row is missing"),
            Breach::Unkeyed => write!(
                f,
                "event {seq}{event} has no keyed hash: rewritten by someone without the audit key (or, if no \
                 event is keyed yet, written before SECRET_KEYS: start the app once to anchor it)"
            ),
            Breach::FalselyErased => write!(
                f,
                "event {seq}{event} is marked as erased, but no account erasure covers it: its personal data was \
                 removed or changed outside the app"
            ),
        }
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

    /// Walks the whole chain in order, in one consistent snapshot, and reports the first break.
    #[tracing::instrument(skip_all, err)]
    pub async fn verify(&self, actor: &Actor) -> Result<Report> {
        actor.require_admin()?;
        let txn = match self.db.get_database_backend() {
            DbBackend::Postgres => {
                self.db.begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly)).await?
            }
            // A read transaction in WAL mode sees one snapshot from its first read on.
            _ => self.db.begin().await?,
        };
        let report = walk(&txn, &self.keys, None).await;
        txn.rollback().await?;
        report
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

fn is_keyed(hash: &str) -> bool {
    hash.starts_with("a1:") || hash.starts_with("a2:")
}

/// The accounts the log says were erased: their ids and their addresses' hashes.
struct Erased {
    ids: std::collections::HashSet<Uuid>,
    emails: std::collections::HashSet<String>,
}

impl Erased {
    async fn read(txn: &DatabaseTransaction) -> Result<Self> {
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::Event.eq(Event::AccountErased.code()))
            .all(txn)
            .await?;
        let mut erased = Self { ids: Default::default(), emails: Default::default() };
        for row in rows {
            erased.ids.extend(row.user_id);
            if let Some(email) = detail(&row, "email") {
                erased.emails.insert(email);
            }
        }
        Ok(erased)
    }

    /// Whether an erasure explains the event's blanked personal data.
    fn covers(&self, row: &audit_event::Model) -> bool {
        [row.user_id, row.actor_id].into_iter().flatten().any(|id| self.ids.contains(&id))
            || detail(row, "email").is_some_and(|email| self.emails.contains(&email))
    }
}

fn detail(row: &audit_event::Model, key: &str) -> Option<String> {
    let details: serde_json::Value = serde_json::from_str(&row.details).ok()?;
    details.get(key)?.as_str().map(str::to_owned)
}

/// Checks the chain from its start (genesis, or the retention's anchor) to the head, or only
/// `through` that event (before the retention removes them: the head is not compared then).
async fn walk(txn: &DatabaseTransaction, keys: &Keyring, through: Option<i64>) -> Result<Report> {
    let head = audit_head::Entity::find_by_id(1).one(txn).await?;
    let Some(head) = head else {
        let broken = Break { seq: 0, event: None, problem: Breach::HeadMissing };
        let report = Report {
            events: 0,
            head_seq: 0,
            head_hash: String::new(),
            pseudonymised: 0,
            pruned: None,
            broken: Some(broken),
        };
        return Ok(report);
    };
    let anchor = retention::newest_anchor(txn).await?;
    let mut report = Report {
        events: 0,
        head_seq: head.seq,
        head_hash: head.hash.clone(),
        pseudonymised: 0,
        pruned: anchor.clone(),
        broken: None,
    };
    if let Some(anchor) = &anchor
        && anchor.seq <= anchor.through
    {
        // An anchor claiming to have removed itself would start the walk past it, unchecked.
        let event = Some(Event::AuditPruned.code().to_owned());
        report.broken = Some(Break { seq: anchor.seq, event, problem: Breach::Edited });
        return Ok(report);
    }
    let erased = Erased::read(txn).await?;
    // The chain starts at genesis, or after the last event the retention removed: the first kept
    // event must be the next one and link to its hash, or a removal the anchor does not explain
    // shows as missing events.
    let (mut last_seq, mut last_hash, mut last_event) =
        anchor.map_or((0i64, GENESIS.to_owned(), None), |a| (a.through, a.through_hash, None));
    let mut keyed_seen = false;
    loop {
        let mut page = audit_event::Entity::find().filter(audit_event::Column::Seq.gt(last_seq));
        if let Some(through) = through {
            page = page.filter(audit_event::Column::Seq.lte(through));
        }
        let rows = page.order_by_asc(audit_event::Column::Seq).limit(PAGE).all(txn).await?;
        let done = (rows.len() as u64) < PAGE;
        for row in rows {
            let at = |problem| Some(Break { seq: row.seq, event: Some(row.event.clone()), problem });
            let broken = if row.seq != last_seq + 1 {
                Some(Break { seq: last_seq + 1, event: None, problem: Breach::Missing { next: Some(row.seq) } })
            } else if row.seq > head.seq {
                at(Breach::NotInHead)
            } else if !is_keyed(&row.hash) && keyed_seen {
                at(Breach::Unkeyed)
            } else if row.pseudonymised_at.is_some() && !erased.covers(&row) {
                at(Breach::FalselyErased)
            } else if !matches(&row, keys)? {
                at(Breach::Edited)
            } else if row.prev_hash != last_hash {
                at(Breach::Unlinked)
            } else {
                None
            };
            if broken.is_some() {
                report.broken = broken;
                return Ok(report);
            }
            report.events += 1;
            report.pseudonymised += u64::from(row.pseudonymised_at.is_some());
            keyed_seen |= is_keyed(&row.hash);
            (last_seq, last_hash, last_event) = (row.seq, row.hash, Some(row.event));
        }
        if done {
            break;
        }
    }
    if let Some(through) = through {
        if last_seq < through {
            report.broken = Some(Break { seq: last_seq + 1, event: None, problem: Breach::Missing { next: None } });
        }
        return Ok(report);
    }
    if last_seq < head.seq {
        report.broken = Some(Break { seq: last_seq + 1, event: None, problem: Breach::Missing { next: None } });
    } else if last_hash != head.hash {
        // The newest row matches its own hash but not the one recorded at its append: it was
        // rewritten whole (hash included).
        report.broken = Some(Break { seq: last_seq, event: last_event, problem: Breach::Edited });
    } else if last_seq > 0 && !keyed_seen {
        // Nothing keyed covers the chain: it may be from before SECRET_KEYS, or rewritten whole
        // with plain SHA-256 by someone without the key.
        report.broken = Some(Break { seq: last_seq, event: last_event, problem: Breach::Unkeyed });
    }
    Ok(report)
}

/// Whether the row's hash is right: its HMAC under the key it names, or for an event from before
/// SECRET_KEYS, its plain SHA-256. An event whose personal data was blanked is checked without it:
/// an `a2` event still on everything else, an older one (whose hash covered that data) not at all,
/// its place in the chain being all that still holds.
fn matches(row: &audit_event::Model, keys: &Keyring) -> Result<bool> {
    let blanked = row.pseudonymised_at.is_some();
    if row.hash.starts_with("a2:") {
        let Some(personal) = &row.personal_hash else { return Ok(false) };
        Ok(keys.verify(&row.hash, "a2", "audit-event", &[&encode_core(row, personal)])?
            && (blanked || keys.verify(personal, "p1", "audit-personal", &[&encode_personal(row)])?))
    } else if blanked {
        Ok(true)
    } else if is_keyed(&row.hash) {
        Ok(keys.verify(&row.hash, "a1", "audit-event", &[&encode(row, "smartai-audit-v2")])?)
    } else {
        Ok(unkeyed_hash(row) == row.hash)
    }
}

/// Gives a row its hashes as the log writes them now: `personal_hash` (`p1`) over the personal
/// fields, then `hash` (`a2`) over the others and `personal_hash`, both under the newest key.
pub fn seal(row: &mut audit_event::Model, keys: &Keyring) {
    let personal = keys.sign("p1", "audit-personal", &[&encode_personal(row)]);
    row.hash = keys.sign("a2", "audit-event", &[&encode_core(row, &personal)]);
    row.personal_hash = Some(personal);
}

/// The first keyed version's hash: `a1:<key id>:<HMAC-SHA256>` of every field but `hash` (and the
/// columns added after it) under the newest key.
pub fn keyed_hash(row: &audit_event::Model, keys: &Keyring) -> String {
    keys.sign("a1", "audit-event", &[&encode(row, "smartai-audit-v2")])
}

/// Hex SHA-256 of every field but `hash`: the hash of events from before SECRET_KEYS, which
/// anyone who can read the database can compute too.
pub fn unkeyed_hash(row: &audit_event::Model) -> String {
    format!("{:x}", Sha256::digest(encode(row, "smartai-audit-v1")))
}

/// Every field but `hash`, in a fixed order, after `label`. Each field is written as a presence
/// byte, then (if present) its length in bytes as a big-endian u64 and its UTF-8 bytes, so no two
/// different rows encode alike. Times are whole microseconds since the Unix epoch, which both
/// databases store exactly whatever the offset they hand back.
fn encode(row: &audit_event::Model, label: &str) -> Vec<u8> {
    let mut hasher = Vec::with_capacity(256);
    field(&mut hasher, Some(label));
    field(&mut hasher, Some(&row.seq.to_string()));
    field(&mut hasher, row.user_id.map(|id| id.hyphenated().to_string()).as_deref());
    field(&mut hasher, row.actor_id.map(|id| id.hyphenated().to_string()).as_deref());
    field(&mut hasher, Some(&row.event));
    field(&mut hasher, Some(&row.details));
    field(&mut hasher, row.ip.as_deref());
    field(&mut hasher, row.user_agent.as_deref());
    field(&mut hasher, row.request_id.as_deref());
    field(&mut hasher, Some(&(row.created_at.unix_timestamp_nanos() / 1000).to_string()));
    field(&mut hasher, Some(&row.prev_hash));
    hasher
}

fn field(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        None => out.push(0u8),
        Some(value) => {
            out.push(1u8);
            out.extend_from_slice(&(value.len() as u64).to_be_bytes());
            out.extend_from_slice(value.as_bytes());
        }
    }
}

/// What an `a2` hash covers: the fields an erasure keeps, and the personal fields' own hash.
fn encode_core(row: &audit_event::Model, personal_hash: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    field(&mut out, Some("smartai-audit-v3"));
    field(&mut out, Some(&row.seq.to_string()));
    field(&mut out, row.user_id.map(|id| id.hyphenated().to_string()).as_deref());
    field(&mut out, row.actor_id.map(|id| id.hyphenated().to_string()).as_deref());
    field(&mut out, Some(&row.event));
    field(&mut out, row.request_id.as_deref());
    field(&mut out, Some(&(row.created_at.unix_timestamp_nanos() / 1000).to_string()));
    field(&mut out, Some(&row.prev_hash));
    field(&mut out, Some(personal_hash));
    out
}

/// What a `p1` hash covers: the fields an erasure blanks. The row's number is in it so that
/// personal data cannot move to another event with its hash.
fn encode_personal(row: &audit_event::Model) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    field(&mut out, Some("smartai-audit-personal-v1"));
    field(&mut out, Some(&row.seq.to_string()));
    field(&mut out, Some(&row.details));
    field(&mut out, row.ip.as_deref());
    field(&mut out, row.user_agent.as_deref());
    out
}

fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> audit_event::Model {
        audit_event::Model {
            seq: 1,
            user_id: Some(Uuid::nil()),
            actor_id: None,
            event: "sign_in".into(),
            details: "{}".into(),
            ip: Some("127.0.0.1".into()),
            user_agent: None,
            request_id: Some("abc".into()),
            created_at: OffsetDateTime::UNIX_EPOCH,
            prev_hash: GENESIS.into(),
            hash: String::new(),
            personal_hash: None,
            pseudonymised_at: None,
        }
    }

    #[test]
    fn every_field_is_in_both_hashes() {
        let keys = Keyring::ephemeral();
        let hashes = |r: &audit_event::Model| (unkeyed_hash(r), keyed_hash(r, &keys));
        let base = hashes(&row());
        assert_eq!(base.0.len(), 64);
        assert!(base.1.len() <= 64 && base.1.starts_with(&format!("a1:{}:", keys.newest())), "{}", base.1);
        let changes: [fn(&mut audit_event::Model); 10] = [
            |r| r.seq = 2,
            |r| r.user_id = None,
            |r| r.actor_id = Some(Uuid::nil()),
            |r| r.event = "sign_out".into(),
            |r| r.details = r#"{"a":1}"#.into(),
            |r| r.ip = None,
            |r| r.user_agent = Some(String::new()),
            |r| r.request_id = Some("abd".into()),
            |r| r.created_at += time::Duration::microseconds(1),
            |r| r.prev_hash = "1".repeat(64),
        ];
        for change in changes {
            let mut changed = row();
            change(&mut changed);
            let (unkeyed, keyed) = hashes(&changed);
            assert_ne!(unkeyed, base.0);
            assert_ne!(keyed, base.1);
        }
        let mut with_hash = row();
        with_hash.hash = "ignored".into();
        assert_eq!(hashes(&with_hash), base, "the stored hash is not part of what it covers");
    }

    #[test]
    fn the_unkeyed_hash_is_still_the_first_versions() {
        // Events written before SECRET_KEYS verify with the same bytes as then.
        assert_eq!(unkeyed_hash(&row()), "38c3b7c523dfb6530d27bba4a9d441a2fea358fcaf49d01ff080693c478bb9fd");
    }

    #[test]
    fn a_keyed_hash_checks_only_under_its_key() {
        let keys = Keyring::ephemeral();
        let mut keyed = row();
        keyed.hash = keyed_hash(&keyed, &keys);
        assert!(matches(&keyed, &keys).unwrap());
        assert!(matches(&keyed, &Keyring::ephemeral()).is_err(), "another ring lacks the key it names");
        let mut forged = keyed.clone();
        forged.ip = Some("203.0.113.9".into());
        assert!(!matches(&forged, &keys).unwrap());
        let mut legacy = row();
        legacy.hash = unkeyed_hash(&legacy);
        assert!(matches(&legacy, &keys).unwrap());
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        let mut a = row();
        (a.ip, a.user_agent) = (Some("1.2.3.4x".into()), Some("y".into()));
        let mut b = row();
        (b.ip, b.user_agent) = (Some("1.2.3.4".into()), Some("xy".into()));
        assert_ne!(unkeyed_hash(&a), unkeyed_hash(&b));
    }

    #[test]
    fn a_sealed_event_keeps_its_other_fields_checked_once_blanked() {
        let keys = Keyring::ephemeral();
        let mut sealed = row();
        seal(&mut sealed, &keys);
        assert!(sealed.hash.starts_with("a2:") && sealed.hash.len() <= 64, "{}", sealed.hash);
        assert!(sealed.personal_hash.as_ref().is_some_and(|p| p.starts_with("p1:") && p.len() <= 64));
        assert!(matches(&sealed, &keys).unwrap());
        let mut edited = sealed.clone();
        edited.user_agent = Some("Forged/1.0".into());
        assert!(!matches(&edited, &keys).unwrap(), "the personal fields are covered");
        let mut blanked = sealed.clone();
        (blanked.ip, blanked.details, blanked.pseudonymised_at) = (None, "{}".into(), Some(OffsetDateTime::UNIX_EPOCH));
        assert!(matches(&blanked, &keys).unwrap(), "blanked personal data is not checked");
        let changes: [fn(&mut audit_event::Model); 2] =
            [|r| r.event = "sign_out".into(), |r| r.actor_id = Some(Uuid::max())];
        for change in changes {
            let mut changed = blanked.clone();
            change(&mut changed);
            assert!(!matches(&changed, &keys).unwrap(), "the rest still is");
        }
    }

    #[test]
    fn codes_round_trip() {
        for event in Event::ALL {
            assert_eq!(Event::parse(event.code()), Some(event));
        }
    }
}
