//! `/admin/jobs`: the job queue, for administrators: each queue's ready, delayed and running jobs,
//! the dead ones with their last error, and retrying or discarding a dead job (audited).

use axum::{extract::State, http::StatusCode};
use domain::{Services, jobs::QueueDepth};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    error::{ApiError, ErrorBody},
    extract::{Admin, Caller, Path},
};
use crate::state::AppState;

/// Jobs an overview lists of each kind (running, waiting, dead).
const LISTED: usize = 100;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(overview)).routes(routes!(discard_job)).routes(routes!(retry_job))
}

/// The jobs of one queue that are not dead.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct QueueBody {
    pub queue: String,
    /// Due, waiting for a worker.
    pub ready: u64,
    /// Waiting for their time (a delay, or a retry's backoff).
    pub delayed: u64,
    /// Claimed by a worker and not finished.
    pub running: u64,
}

impl From<QueueDepth> for QueueBody {
    fn from(d: QueueDepth) -> Self {
        Self { queue: d.queue, ready: d.ready, delayed: d.delayed, running: d.running }
    }
}

/// A job that failed its last attempt (or failed for good) and waits for an administrator.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeadJobBody {
    pub id: Uuid,
    pub queue: String,
    /// `files.process`, `mail.send`, … (new kinds may be added).
    pub kind: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<domain::jobs::JobRecord> for DeadJobBody {
    fn from(j: domain::jobs::JobRecord) -> Self {
        let created_at = j.enqueued_at();
        Self { id: j.id, queue: j.queue, kind: j.kind, attempts: j.attempts, last_error: j.last_error, created_at }
    }
}

/// A job claimed by a worker, or waiting for its time (a delay, or a retry's backoff).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PendingJobBody {
    pub id: Uuid,
    pub queue: String,
    pub kind: String,
    /// Running on a worker now; otherwise waiting until `due_at`.
    pub running: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub due_at: Option<OffsetDateTime>,
    pub attempts: u32,
    /// Why its last attempt failed, when one did.
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<domain::jobs::PendingJob> for PendingJobBody {
    fn from(p: domain::jobs::PendingJob) -> Self {
        let created_at = p.job.enqueued_at();
        let job = p.job;
        Self {
            id: job.id,
            queue: job.queue,
            kind: job.kind,
            running: p.running,
            due_at: p.due_at,
            attempts: job.attempts,
            last_error: job.last_error,
            created_at,
        }
    }
}

/// The queue at this moment.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct JobsBody {
    /// `redis` or `sql`.
    pub backend: String,
    pub queues: Vec<QueueBody>,
    /// Up to 100 running jobs, then up to 100 waiting for their time, the soonest due first.
    pub pending: Vec<PendingJobBody>,
    /// The 100 most recently buried dead jobs, newest first.
    pub dead: Vec<DeadJobBody>,
    /// Every dead job, listed or not.
    pub dead_total: u64,
}

/// The queues' depths and the dead jobs.
#[utoipa::path(get, path = "/admin/jobs", tag = "admin",
    responses((status = 200, body = JobsBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["admin"]), ("session" = [])))]
async fn overview(State(services): State<Services>, caller: Caller<Admin>) -> Result<axum::Json<JobsBody>, ApiError> {
    let overview = services.job_admin.overview(&caller.actor, LISTED).await?;
    Ok(axum::Json(JobsBody {
        backend: overview.backend.to_owned(),
        queues: overview.queues.into_iter().map(QueueBody::from).collect(),
        pending: overview.pending.into_iter().map(PendingJobBody::from).collect(),
        dead: overview.dead.into_iter().map(DeadJobBody::from).collect(),
        dead_total: overview.dead_total,
    }))
}

/// Puts a dead job back in its queue with fresh attempts.
#[utoipa::path(post, path = "/admin/jobs/dead/{id}/retry", tag = "admin", params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Queued again"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ),
    security(("bearer" = ["admin"]), ("session" = [])))]
async fn retry_job(
    State(services): State<Services>,
    caller: Caller<Admin>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    services.job_admin.retry(&caller.actor, id, &caller.client).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Drops a dead job for good.
#[utoipa::path(delete, path = "/admin/jobs/dead/{id}", tag = "admin", params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Discarded"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ),
    security(("bearer" = ["admin"]), ("session" = [])))]
async fn discard_job(
    State(services): State<Services>,
    caller: Caller<Admin>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    services.job_admin.discard(&caller.actor, id, &caller.client).await?;
    Ok(StatusCode::NO_CONTENT)
}
