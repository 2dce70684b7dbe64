//! Data exports (the right to data portability): the owner asks on the profile or through the
//! API; a job writes everything the platform keeps about them into one zip in storage (JSON
//! documents plus their files under their original names, see [`documents`]); they are told in
//! the app and by e-mail, and download it, signed in, until it expires (EXPORTS_RETENTION, a day
//! by default), when the nightly job removes it.

mod archive;
mod documents;

use std::time::Duration;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Actor, Error, Result,
    audit::{AuditLog, Context, Event},
    entities::{data_export, user},
    files::{Download, FileInfo},
    jobs::{Job, NewJob, Queue},
    notifications::NotificationService,
    sessions::ClientInfo,
    storage::Storage,
};

/// How soon after one export its owner may ask for another: each one reads all their files.
pub const REQUEST_INTERVAL: Duration = Duration::from_secs(10 * 60);
/// A pending export this old will not be finished.
const STUCK_AFTER: Duration = Duration::from_secs(4 * 3600);
/// Exports listed on the profile.
const LISTED: u64 = 5;

/// Builds one export (enqueued when its owner asks).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BuildExport {
    pub export_id: Uuid,
}

impl Job for BuildExport {
    const KIND: &'static str = "accounts.export";
    /// Reading every file of a full quota from remote storage takes a while.
    const TIMEOUT: Duration = Duration::from_secs(3600);
    const MAX_ATTEMPTS: u32 = 3;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportStatus {
    /// Asked for; the job has not finished it.
    Pending,
    Ready,
    /// Building it failed for good; the owner may ask again.
    Failed,
    /// Ready once, past its time: no longer downloadable (the nightly job removes it).
    Expired,
}

/// What asking for an export did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requested {
    pub export: ExportInfo,
    /// Whether this request started it (else it is the one already being built).
    pub started: bool,
}

/// An export as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportInfo {
    pub id: Uuid,
    pub status: ExportStatus,
    pub size: Option<u64>,
    pub created_at: OffsetDateTime,
    pub ready_at: Option<OffsetDateTime>,
    pub expires_at: Option<OffsetDateTime>,
}

impl ExportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Ready => "ready",
            Self::Failed => "failed",
            Self::Expired => "expired",
        }
    }
}

impl ExportInfo {
    fn of(row: &data_export::Model, now: OffsetDateTime) -> Self {
        let status = match row.status.as_str() {
            "ready" if row.expires_at.is_some_and(|e| e <= now) => ExportStatus::Expired,
            "ready" => ExportStatus::Ready,
            "failed" => ExportStatus::Failed,
            _ => ExportStatus::Pending,
        };
        Self {
            id: row.id,
            status,
            size: row.size.and_then(|s| u64::try_from(s).ok()),
            created_at: row.created_at,
            ready_at: row.ready_at,
            expires_at: row.expires_at,
        }
    }
}

/// Built by `Services` only (hence the crate-visible fields instead of a constructor).
#[derive(Clone)]
pub struct ExportService {
    pub(crate) db: DatabaseConnection,
    pub(crate) storage: Storage,
    pub(crate) jobs: Queue,
    pub(crate) notifications: NotificationService,
    pub(crate) audit: AuditLog,
    /// How long a finished archive stays downloadable.
    pub(crate) lifetime: Duration,
}

impl ExportService {
    /// How long a ready export can be downloaded.
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// The owner asks for an export. One being built is given back rather than a second one
    /// started; another is refused within [`REQUEST_INTERVAL`] of the last.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn request(&self, actor: &Actor, client: &ClientInfo) -> Result<Requested> {
        let owner = actor.user_id()?;
        let now = OffsetDateTime::now_utc();
        let txn = self.db.begin().await?;
        // A write first, on the user's row: it serialises two requests at once (one export), and
        // on SQLite a transaction that reads first may not upgrade to writing while a worker writes.
        let touched = user::Entity::update_many()
            .col_expr(user::Column::Id, Expr::col(user::Column::Id).into())
            .filter(user::Column::Id.eq(owner))
            .exec(&txn)
            .await?;
        if touched.rows_affected == 0 {
            return Err(Error::Unauthenticated);
        }
        let last = data_export::Entity::find()
            .filter(data_export::Column::UserId.eq(owner))
            .order_by_desc(data_export::Column::CreatedAt)
            .one(&txn)
            .await?;
        if let Some(last) = &last {
            // A pending one older than its job's every attempt was lost (a store wiped under it).
            if last.status == "pending" && last.created_at > now - STUCK_AFTER {
                return Ok(Requested { export: ExportInfo::of(last, now), started: false });
            }
            let next = last.created_at + REQUEST_INTERVAL;
            if next > now {
                return Err(Error::TooManyAttempts { retry_after: (next - now).unsigned_abs() });
            }
        }
        let id = Uuid::now_v7();
        let row = data_export::ActiveModel {
            id: Set(id),
            user_id: Set(owner),
            status: Set("pending".into()),
            object_key: Set(format!("exports/{owner}/{id}.zip")),
            size: Set(None),
            sha256: Set(None),
            error: Set(None),
            created_at: Set(now),
            ready_at: Set(None),
            expires_at: Set(None),
        }
        .insert(&txn)
        .await?;
        self.jobs.enqueue_in(&txn, NewJob::of(&BuildExport { export_id: id })).await?;
        self.audit
            .record_in(&txn, Event::ExportRequested, Context::own(owner, client).detail("export_id", id.to_string()))
            .await?;
        txn.commit().await?;
        metrics::counter!(crate::metric_names::DATA_EXPORTS_REQUESTED_TOTAL).increment(1);
        Ok(Requested { export: ExportInfo::of(&row, now), started: true })
    }

    /// The owner's latest exports, newest first.
    pub async fn list(&self, actor: &Actor) -> Result<Vec<ExportInfo>> {
        let owner = actor.user_id()?;
        let now = OffsetDateTime::now_utc();
        let rows = data_export::Entity::find()
            .filter(data_export::Column::UserId.eq(owner))
            .order_by_desc(data_export::Column::CreatedAt)
            .limit(LISTED)
            .all(&self.db)
            .await?;
        Ok(rows.iter().map(|row| ExportInfo::of(row, now)).collect())
    }

    /// One of the owner's exports.
    pub async fn get(&self, actor: &Actor, id: Uuid) -> Result<ExportInfo> {
        Ok(ExportInfo::of(&self.owned(actor, id).await?, OffsetDateTime::now_utc()))
    }

    /// The zip of a ready export, for its owner only (anyone else's is `NotFound`); an expired
    /// one is `NotFound` too.
    pub async fn download(&self, actor: &Actor, id: Uuid, client: &ClientInfo) -> Result<Download> {
        let row = self.owned(actor, id).await?;
        let info = ExportInfo::of(&row, OffsetDateTime::now_utc());
        if info.status != ExportStatus::Ready {
            return Err(Error::NotFound);
        }
        let owner = row.user_id;
        let context = Context::own(owner, client).detail("export_id", id.to_string());
        self.audit.record(Event::ExportDownloaded, context).await?;
        let file = FileInfo {
            id: row.id,
            name: format!("smartai-export-{}.zip", row.created_at.date()),
            content_type: "application/zip".into(),
            size: info.size.unwrap_or_default(),
            sha256: row.sha256.clone().unwrap_or_default(),
            created_at: row.created_at,
            // An export is written once and never changes.
            version: crate::concurrency::FIRST_VERSION,
        };
        Ok(Download::new(file, row.object_key, self.storage.clone()))
    }

    async fn owned(&self, actor: &Actor, id: Uuid) -> Result<data_export::Model> {
        let owner = actor.user_id()?;
        data_export::Entity::find_by_id(id)
            .filter(data_export::Column::UserId.eq(owner))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)
    }

    /// The `accounts.export` job: gathers, writes the zip, marks it ready, tells the owner.
    /// Nothing when the export (or its owner) is gone, or it is done already.
    #[tracing::instrument(skip_all, fields(export_id = %job.export_id), err)]
    pub async fn build(&self, job: BuildExport) -> anyhow::Result<()> {
        let Some(row) = data_export::Entity::find_by_id(job.export_id).one(&self.db).await? else { return Ok(()) };
        if row.status != "pending" {
            return Ok(());
        }
        let Some(owner) = user::Entity::find_by_id(row.user_id).one(&self.db).await? else { return Ok(()) };
        let started = std::time::Instant::now();
        let entries = documents::gather(&self.db, &owner).await?;
        let stored = archive::store(&self.storage, &row.object_key, entries).await?;
        let now = OffsetDateTime::now_utc();
        let expires_at = now + self.lifetime;
        let txn = self.db.begin().await?;
        let marked = data_export::Entity::update_many()
            .col_expr(data_export::Column::Status, Expr::value("ready"))
            .col_expr(data_export::Column::Size, Expr::value(i64::try_from(stored.size).unwrap_or(i64::MAX)))
            .col_expr(data_export::Column::Sha256, Expr::value(stored.sha256.clone()))
            .col_expr(data_export::Column::ReadyAt, Expr::value(now))
            .col_expr(data_export::Column::ExpiresAt, Expr::value(expires_at))
            .filter(data_export::Column::Id.eq(row.id))
            .filter(data_export::Column::Status.eq("pending"))
            .exec(&txn)
            .await?
            .rows_affected
            == 1;
        if !marked {
            // Deleted (with its owner) while it was written.
            txn.rollback().await?;
            self.storage.delete(&row.object_key).await?;
            return Ok(());
        }
        let hours = self.lifetime.as_secs().div_ceil(3600).to_string();
        let params = serde_json::json!({ "export_id": row.id.to_string(), "hours": hours });
        let in_app = self.notifications.notify_in(&txn, row.user_id, "export_ready", params).await?;
        txn.commit().await?;
        if in_app {
            self.notifications.announce(row.user_id).await;
        }
        metrics::histogram!(crate::metric_names::DATA_EXPORT_SECONDS).record(started.elapsed().as_secs_f64());
        tracing::info!(size = stored.size, "data export ready");
        Ok(())
    }

    /// The job failed for good: the owner sees it failed and may ask again.
    pub async fn build_failed(&self, job: BuildExport) -> anyhow::Result<()> {
        data_export::Entity::update_many()
            .col_expr(data_export::Column::Status, Expr::value("failed"))
            .col_expr(data_export::Column::Error, Expr::value("building the export failed; see the job's last error"))
            .filter(data_export::Column::Id.eq(job.export_id))
            .filter(data_export::Column::Status.eq("pending"))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Removes exports past their time, and failed ones older than a day: rows and objects
    /// (the nightly job).
    pub async fn purge_expired(&self) -> Result<u64> {
        let now = OffsetDateTime::now_utc();
        let day_ago = now - time::Duration::days(1);
        let old = data_export::Entity::find()
            .filter(
                sea_orm::Condition::any()
                    .add(data_export::Column::ExpiresAt.lte(now))
                    .add(data_export::Column::Status.eq("failed").and(data_export::Column::CreatedAt.lte(day_ago))),
            )
            .all(&self.db)
            .await?;
        let mut purged = 0;
        for row in old {
            // The object first: a row without its object would still be listed as downloadable.
            if let Err(err) = self.storage.delete(&row.object_key).await {
                tracing::warn!(error = %err, key = row.object_key, "could not remove an expired export");
                continue;
            }
            purged += data_export::Entity::delete_by_id(row.id).exec(&self.db).await?.rows_affected;
        }
        Ok(purged)
    }
}
