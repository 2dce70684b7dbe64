//! The in-app notification centre and notification e-mails: what happened to a user's things,
//! unread until they look. Each user chooses, per kind, whether it shows in the app, arrives by
//! e-mail, both or neither. Each change is pushed to the user's open pages as a live event.

use std::time::Duration;

use lettre::message::Mailbox;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set,
    TransactionTrait,
    sea_query::{Expr, OnConflict},
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Actor, Error, Result,
    entities::{notification, notification_preference, user},
    error::{Field, Problem},
    events::{Events, UserEvent},
    jobs::{Job, NewJob, Queue},
    mail::{Mail, Mailer},
    pagination::{self, Page, PageRequest},
};

mod kinds;

use kinds::kind;
pub use kinds::{KINDS, Kind, Preference, link_path};

/// A notification as its user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationInfo {
    pub id: Uuid,
    pub kind: String,
    pub params: serde_json::Value,
    pub read: bool,
    pub created_at: OffsetDateTime,
}

impl From<notification::Model> for NotificationInfo {
    fn from(m: notification::Model) -> Self {
        Self {
            id: m.id,
            kind: m.kind,
            params: serde_json::from_str(&m.params).unwrap_or_default(),
            read: m.read_at.is_some(),
            created_at: m.created_at,
        }
    }
}

/// Which of the user's notifications: a page after a cursor, newest first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NotificationQuery {
    /// Only those not read yet.
    pub unread_only: bool,
    pub page: PageRequest,
}

impl NotificationQuery {
    /// The newest `limit` (at most [`crate::pagination::MAX_LIMIT`]), read or not.
    pub fn latest(limit: u64) -> Self {
        Self { unread_only: false, page: PageRequest { after: None, limit } }
    }
}

/// Sends the e-mail of one notification. `message_id` is chosen at enqueue, so a second delivery
/// of the job is recognisable as the same message (the outbox keeps it once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendEmail {
    pub message_id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub params: serde_json::Value,
}

/// Tells an account's owner that its sign-in details changed (queued by the audit log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityNotice {
    pub message_id: Uuid,
    pub user_id: Uuid,
    /// The audit event's code (`password_changed`).
    pub event: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub ip: Option<String>,
}

impl Job for SecurityNotice {
    const KIND: &'static str = "notifications.security";
    const MAX_ATTEMPTS: u32 = 8;
}

impl Job for SendEmail {
    const KIND: &'static str = "notifications.email";
    const TIMEOUT: Duration = Duration::from_secs(60);
    const MAX_ATTEMPTS: u32 = 8;
}

#[derive(Clone)]
pub struct NotificationService {
    db: DatabaseConnection,
    events: Events,
    jobs: Queue,
    mailer: Mailer,
    /// Where the app is reached, for links in e-mails.
    public_url: url::Url,
}

impl NotificationService {
    pub fn new(db: DatabaseConnection, events: Events, jobs: Queue, mailer: Mailer, public_url: url::Url) -> Self {
        Self { db, events, jobs, mailer, public_url }
    }

    /// Tells `user_id` that `kind` happened (a job or the platform speaking, not a user), in the
    /// app and by e-mail as the user chose.
    pub async fn notify(&self, user_id: Uuid, kind: &str, params: serde_json::Value) -> Result<()> {
        // Read before the transaction: on SQLite a transaction that reads first cannot always
        // upgrade to writing while a worker writes (SQLITE_BUSY, whatever the busy timeout).
        let preference = Self::preference_of(&self.db, user_id, kind).await?;
        let txn = self.db.begin().await?;
        self.deliver_in(&txn, preference, user_id, params).await?;
        txn.commit().await?;
        if preference.in_app {
            self.announce(user_id).await;
        }
        Ok(())
    }

    /// [`Self::notify`] as part of the caller's transaction: nothing is shown or sent unless it
    /// commits. Returns whether it shows in the app; if so, call [`Self::announce`] after the
    /// commit. (On SQLite, write before calling this, so the transaction already holds the lock.)
    pub async fn notify_in<C: ConnectionTrait>(
        &self,
        conn: &C,
        user_id: Uuid,
        kind: &str,
        params: serde_json::Value,
    ) -> Result<bool> {
        let preference = Self::preference_of(conn, user_id, kind).await?;
        self.deliver_in(conn, preference, user_id, params).await?;
        Ok(preference.in_app)
    }

    async fn deliver_in<C: ConnectionTrait>(
        &self,
        conn: &C,
        preference: Preference,
        user_id: Uuid,
        params: serde_json::Value,
    ) -> Result<()> {
        let kind = preference.kind;
        if preference.email {
            let job = SendEmail { message_id: Uuid::now_v7(), user_id, kind: kind.to_owned(), params: params.clone() };
            self.jobs.enqueue_in(conn, NewJob::of(&job)).await?;
        }
        if preference.in_app {
            Self::insert_in(conn, user_id, kind, params).await?;
        }
        Ok(())
    }

    async fn insert_in<C: ConnectionTrait>(
        conn: &C,
        user_id: Uuid,
        kind: &str,
        params: serde_json::Value,
    ) -> Result<Uuid> {
        let id = Uuid::now_v7();
        notification::ActiveModel {
            id: Set(id),
            user_id: Set(user_id),
            kind: Set(kind.to_owned()),
            params: Set(params.to_string()),
            read_at: Set(None),
            created_at: Set(OffsetDateTime::now_utc()),
        }
        .insert(conn)
        .await?;
        Ok(id)
    }

    /// One page of the user's notifications, newest first, optionally only the unread ones.
    pub async fn list(&self, actor: &Actor, query: &NotificationQuery) -> Result<Page<NotificationInfo>> {
        let user = actor.user_id()?;
        let mut select = notification::Entity::find().filter(notification::Column::UserId.eq(user));
        if query.unread_only {
            select = select.filter(notification::Column::ReadAt.is_null());
        }
        let page = pagination::fetch(&self.db, select, notification::Column::Id, query.page, |n| n.id).await?;
        Ok(page.map(NotificationInfo::from))
    }

    pub async fn unread(&self, actor: &Actor) -> Result<u64> {
        let user = actor.user_id()?;
        self.unread_of(user).await
    }

    async fn unread_of(&self, user: Uuid) -> Result<u64> {
        Ok(notification::Entity::find()
            .filter(notification::Column::UserId.eq(user))
            .filter(notification::Column::ReadAt.is_null())
            .count(&self.db)
            .await?)
    }

    /// Marks one (`Some(id)`) or all of the user's notifications read.
    pub async fn mark_read(&self, actor: &Actor, id: Option<Uuid>) -> Result<()> {
        let user = actor.user_id()?;
        let mut update = notification::Entity::update_many()
            .col_expr(notification::Column::ReadAt, Expr::value(OffsetDateTime::now_utc()))
            .filter(notification::Column::UserId.eq(user))
            .filter(notification::Column::ReadAt.is_null());
        if let Some(id) = id {
            self.owned(user, id).await?;
            update = update.filter(notification::Column::Id.eq(id));
        }
        update.exec(&self.db).await?;
        self.announce(user).await;
        Ok(())
    }

    pub async fn delete(&self, actor: &Actor, id: Uuid) -> Result<()> {
        let user = actor.user_id()?;
        self.owned(user, id).await?;
        notification::Entity::delete_by_id(id).exec(&self.db).await?;
        self.announce(user).await;
        Ok(())
    }

    /// Removes notifications older than `age` (the nightly retention job).
    pub async fn purge_older_than(&self, age: std::time::Duration) -> Result<u64> {
        let before = OffsetDateTime::now_utc() - age;
        let result = notification::Entity::delete_many()
            .filter(notification::Column::CreatedAt.lt(before))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }

    async fn owned(&self, user: Uuid, id: Uuid) -> Result<notification::Model> {
        notification::Entity::find_by_id(id)
            .filter(notification::Column::UserId.eq(user))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)
    }

    /// Pushes the new unread count to the user's open pages.
    pub async fn announce(&self, user_id: Uuid) {
        match self.unread_of(user_id).await {
            Ok(unread) => self.events.publish(UserEvent { user_id, unread }),
            Err(err) => tracing::warn!(error = %err, "could not count unread notifications"),
        }
    }

    pub fn events(&self) -> &Events {
        &self.events
    }

    async fn preference_of<C: ConnectionTrait>(conn: &C, user_id: Uuid, name: &str) -> Result<Preference> {
        let kind =
            kind(name).ok_or_else(|| Error::Unexpected(anyhow::anyhow!("unknown notification kind `{name}`")))?;
        let chosen = notification_preference::Entity::find_by_id((user_id, name.to_owned())).one(conn).await?;
        Ok(kind.for_user(chosen.as_ref()))
    }

    /// How every kind reaches the user: their choice, or the kind's default.
    pub async fn preferences(&self, actor: &Actor) -> Result<Vec<Preference>> {
        let user = actor.user_id()?;
        let chosen = notification_preference::Entity::find()
            .filter(notification_preference::Column::UserId.eq(user))
            .all(&self.db)
            .await?;
        Ok(KINDS.iter().map(|kind| kind.for_user(chosen.iter().find(|c| c.kind == kind.name))).collect())
    }

    /// Saves the user's choices, given as `(kind, in_app, email)`; kinds left out keep theirs.
    /// An unknown kind refuses the whole change.
    pub async fn set_preferences(&self, actor: &Actor, choices: &[(String, bool, bool)]) -> Result<Vec<Preference>> {
        let user = actor.user_id()?;
        if choices.iter().any(|(name, ..)| kind(name).is_none()) {
            return Err(Error::invalid(Field::NotificationKind, Problem::Unsupported));
        }
        let txn = self.db.begin().await?;
        for (name, in_app, email) in choices {
            let row = notification_preference::ActiveModel {
                user_id: Set(user),
                kind: Set(name.clone()),
                in_app: Set(*in_app),
                email: Set(*email),
            };
            notification_preference::Entity::insert(row)
                .on_conflict(
                    OnConflict::columns([
                        notification_preference::Column::UserId,
                        notification_preference::Column::Kind,
                    ])
                    .update_columns([notification_preference::Column::InApp, notification_preference::Column::Email])
                    .to_owned(),
                )
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        self.preferences(actor).await
    }

    /// The `notifications.email` job: renders the notification's e-mail in the user's language
    /// and sends it. A user deleted since gets nothing.
    pub async fn send_email(&self, job: SendEmail) -> anyhow::Result<()> {
        let Some(user) = user::Entity::find_by_id(job.user_id).one(&self.db).await? else { return Ok(()) };
        let mut args: Vec<(&str, String)> =
            vec![("user", user.display_name.clone()), ("settings", self.link("/notifications#settings"))];
        if let Some(values) = job.params.as_object() {
            args.extend(values.iter().filter_map(|(k, v)| Some((k.as_str(), v.as_str()?.to_owned()))));
        }
        if let Some(path) = link_path(&job.kind, &job.params) {
            args.push(("link", self.link(&path)));
        }
        let rendered = crate::mail::render(&user.locale, &job.kind, &args);
        let to = Mailbox::new(Some(user.display_name), user.email.parse()?);
        let mail = Mail { id: job.message_id, to, subject: rendered.subject, body: rendered.body };
        self.mailer.send_to_account(user.id, mail).await
    }

    /// The `notifications.security` job: what changed, when and from where, in the user's
    /// language, whatever their notification settings (this is not optional).
    pub async fn send_security_notice(&self, job: SecurityNotice) -> anyhow::Result<()> {
        let Some(user) = user::Entity::find_by_id(job.user_id).one(&self.db).await? else { return Ok(()) };
        let when = job.at.format(&time::format_description::well_known::Rfc2822).unwrap_or_default();
        let event = crate::mail::text(&user.locale, &format!("mail-security-event-{}", job.event))
            .unwrap_or_else(|| job.event.clone());
        let args = [
            ("user", user.display_name.clone()),
            ("event", event),
            ("when", when),
            ("ip", job.ip.unwrap_or_else(|| "?".into())),
            ("action", self.link("/profile")),
        ];
        let rendered = crate::mail::render(&user.locale, "security", &args);
        let to = Mailbox::new(Some(user.display_name), user.email.parse()?);
        let mail = Mail { id: job.message_id, to, subject: rendered.subject, body: rendered.body };
        self.mailer.send_to_account(user.id, mail).await
    }

    fn link(&self, path: &str) -> String {
        self.public_url.join(path.trim_start_matches('/')).map(String::from).unwrap_or_else(|_| path.to_owned())
    }

    pub fn mailer(&self) -> &Mailer {
        &self.mailer
    }
}
