//! The in-app notification centre: what happened to a user's things, unread until they look.
//! Each change is pushed to the user's open pages as a live event.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, sea_query::Expr,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Actor, Error, Result,
    entities::notification,
    events::{Events, UserEvent},
};

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

#[derive(Clone)]
pub struct NotificationService {
    db: DatabaseConnection,
    events: Events,
}

impl NotificationService {
    pub fn new(db: DatabaseConnection, events: Events) -> Self {
        Self { db, events }
    }

    /// Tells `user_id` that `kind` happened (a job or the platform speaking, not a user).
    pub async fn notify(&self, user_id: Uuid, kind: &str, params: serde_json::Value) -> Result<Uuid> {
        let id = Self::insert_in(&self.db, user_id, kind, params).await?;
        self.announce(user_id).await;
        Ok(id)
    }

    /// Writes a notification as part of the caller's transaction; call [`Self::announce`] after
    /// the commit.
    pub async fn insert_in<C: ConnectionTrait>(
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

    /// The user's notifications, newest first.
    pub async fn list(&self, actor: &Actor, limit: u64) -> Result<Vec<NotificationInfo>> {
        let user = actor.user_id()?;
        let rows = notification::Entity::find()
            .filter(notification::Column::UserId.eq(user))
            .order_by_desc(notification::Column::CreatedAt)
            .order_by_desc(notification::Column::Id)
            .limit(limit.clamp(1, 200))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(NotificationInfo::from).collect())
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
}
