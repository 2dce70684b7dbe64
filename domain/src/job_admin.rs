//! What administrators see of the queue (each queue's ready, delayed and running jobs; the dead
//! ones with their last error) and do with it (retry or discard a dead job), audited. The CLI's
//! `smartai jobs` works on the [`Queue`] directly, as the operator at the machine.

use uuid::Uuid;

use crate::{
    Actor, Error, Result,
    audit::{AuditLog, Context, Event},
    jobs::{JobRecord, PendingJob, Queue, QueueDepth},
    sessions::ClientInfo,
};

/// The queue at one moment.
#[derive(Debug, Clone)]
pub struct JobsOverview {
    /// `redis` or `sql`.
    pub backend: &'static str,
    pub queues: Vec<QueueDepth>,
    /// Running jobs, then those waiting for their time (soonest first), at most the limit of each.
    pub pending: Vec<PendingJob>,
    /// The most recently buried dead jobs first, at most the limit asked for.
    pub dead: Vec<JobRecord>,
    /// Every dead job, shown or not.
    pub dead_total: u64,
}

#[derive(Clone)]
pub struct JobAdmin {
    queue: Queue,
    audit: AuditLog,
}

impl JobAdmin {
    pub fn new(queue: Queue, audit: AuditLog) -> Self {
        Self { queue, audit }
    }

    /// The queue's depths, and at most `limit` jobs of each list (running, waiting, dead).
    pub async fn overview(&self, actor: &Actor, limit: usize) -> Result<JobsOverview> {
        actor.require_admin()?;
        let queues = self.queue.depth().await?;
        let pending = self.queue.pending(limit).await?;
        let mut dead = self.queue.dead().await?;
        let dead_total = u64::try_from(dead.len()).unwrap_or(u64::MAX);
        dead.reverse();
        dead.truncate(limit);
        Ok(JobsOverview { backend: self.queue.backend_name(), queues, pending, dead, dead_total })
    }

    /// Puts a dead job back in its queue with fresh attempts.
    #[tracing::instrument(skip_all, fields(job = %id), err(level = "info"))]
    pub async fn retry(&self, actor: &Actor, id: Uuid, client: &ClientInfo) -> Result<()> {
        let job = self.dead_job(actor, id).await?;
        if !self.queue.revive(id).await? {
            return Err(Error::NotFound);
        }
        self.record(Event::JobRetried, &job, actor, client).await
    }

    /// Drops a dead job for good.
    #[tracing::instrument(skip_all, fields(job = %id), err(level = "info"))]
    pub async fn discard(&self, actor: &Actor, id: Uuid, client: &ClientInfo) -> Result<()> {
        let job = self.dead_job(actor, id).await?;
        if !self.queue.discard(id).await? {
            return Err(Error::NotFound);
        }
        self.record(Event::JobDiscarded, &job, actor, client).await
    }

    async fn dead_job(&self, actor: &Actor, id: Uuid) -> Result<JobRecord> {
        actor.require_admin()?;
        self.queue.dead().await?.into_iter().find(|job| job.id == id).ok_or(Error::NotFound)
    }

    async fn record(&self, event: Event, job: &JobRecord, actor: &Actor, client: &ClientInfo) -> Result<()> {
        let context = Context::about(None, actor, client)
            .detail("job", job.id.to_string())
            .detail("kind", job.kind.clone())
            .detail("queue", job.queue.clone());
        self.audit.record(event, context).await
    }
}
