//! The queue, on whichever backend is configured: one [`Queue`] that hands each call to the SQL
//! or the Redis queue, and what it reports of the jobs waiting.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection};
use uuid::Uuid;

use super::{JobRecord, JobsConfig, NewJob, now_ms, redis, sql};
use crate::Result;

/// The jobs of one queue that are not dead yet, by what they wait for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueDepth {
    pub queue: String,
    /// Due, waiting for a worker.
    pub ready: u64,
    /// Waiting for their time: delayed when enqueued, or a retry's backoff.
    pub delayed: u64,
    /// Claimed by a worker and not finished (a dead worker's too, until its lease runs out).
    pub running: u64,
}

impl QueueDepth {
    /// Every job of the queue that is not dead.
    pub fn waiting(&self) -> u64 {
        self.ready + self.delayed + self.running
    }
}

/// A job that is not done and not due: claimed by a worker, or waiting for its time.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingJob {
    pub job: JobRecord,
    /// `false` for one waiting for its time (a delay, or a retry's backoff).
    pub running: bool,
    /// When a waiting job is due; `None` for a running one.
    pub due_at: Option<time::OffsetDateTime>,
}

/// The queue, on whichever backend is configured.
#[derive(Clone)]
pub enum Queue {
    Sql(sql::SqlQueue),
    Redis(redis::RedisQueue),
}

macro_rules! dispatch {
    ($self:ident, $q:ident => $call:expr) => {
        match $self {
            Queue::Sql($q) => $call,
            Queue::Redis($q) => $call,
        }
    };
}

impl Queue {
    /// Redis when configured, the SQL database otherwise.
    pub async fn open(config: &JobsConfig, db: DatabaseConnection) -> anyhow::Result<Self> {
        match &config.redis_url {
            Some(url) => Ok(Self::Redis(
                redis::RedisQueue::connect(
                    url,
                    &format!("{}jobs:", config.redis_prefix),
                    db,
                    config.visibility_timeout,
                )
                .await?,
            )),
            None => Ok(Self::Sql(sql::SqlQueue::new(db, config.visibility_timeout))),
        }
    }

    /// The SQL queue on `db`.
    pub fn sql(db: DatabaseConnection, visibility_timeout: Duration) -> Self {
        Self::Sql(sql::SqlQueue::new(db, visibility_timeout))
    }

    /// The Redis queue with its keys under `prefix` (tests keep apart this way).
    pub async fn redis(
        url: &url::Url,
        prefix: &str,
        db: DatabaseConnection,
        visibility_timeout: Duration,
    ) -> anyhow::Result<Self> {
        Ok(Self::Redis(redis::RedisQueue::connect(url, prefix, db, visibility_timeout).await?))
    }

    /// The SQL database the queue writes its outbox (or, on SQL, its jobs) to.
    pub fn database(&self) -> &DatabaseConnection {
        match self {
            Self::Sql(q) => q.database(),
            Self::Redis(q) => q.database(),
        }
    }

    /// Whether the queue's own backend answers: Redis when the queue is there (readiness checks
    /// the SQL database on its own); `None` for the SQL queue.
    pub async fn ping_redis(&self) -> Option<Result<()>> {
        match self {
            Self::Sql(_) => None,
            Self::Redis(q) => Some(q.ping().await),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sql(_) => "sql",
            Self::Redis(_) => "redis",
        }
    }

    /// Enqueues now (after `job.delay`).
    pub async fn enqueue(&self, job: NewJob) -> Result<Uuid> {
        let (record, run_at) = job.into_record();
        let id = record.id;
        metrics::counter!(crate::metric_names::JOBS_ENQUEUED_TOTAL, "queue" => record.queue.clone(), "kind" => record.kind.clone())
            .increment(1);
        dispatch!(self, q => q.push(record, run_at).await)?;
        Ok(id)
    }

    /// Enqueues as part of the caller's transaction: the job exists only if the transaction
    /// commits. (On Redis it goes through an outbox table that a relay empties.)
    pub async fn enqueue_in<C: ConnectionTrait>(&self, txn: &C, job: NewJob) -> Result<Uuid> {
        let (record, run_at) = job.into_record();
        let id = record.id;
        match self {
            Self::Sql(q) => q.insert(txn, &record, run_at).await?,
            Self::Redis(_) => redis::write_outbox(txn, &record, run_at).await?,
        }
        metrics::counter!(crate::metric_names::JOBS_ENQUEUED_TOTAL, "queue" => record.queue.clone(), "kind" => record.kind.clone())
            .increment(1);
        Ok(id)
    }

    /// The next due job of `queues`, highest priority first, leased to `worker` for the
    /// visibility timeout.
    pub async fn claim(&self, worker: &str, queues: &[String]) -> Result<Option<JobRecord>> {
        Ok(self.claim_batch(worker, queues, 1).await?.pop())
    }

    /// Up to `count` due jobs of `queues` at once, highest priority first, each leased to `worker`
    /// for the visibility timeout and counted as an attempt. A worker asks for no more than it
    /// has free slots, so that no claimed job waits unstarted while its lease runs out.
    pub async fn claim_batch(&self, worker: &str, queues: &[String], count: usize) -> Result<Vec<JobRecord>> {
        dispatch!(self, q => q.claim(worker, queues, count).await)
    }

    pub async fn complete(&self, job: &JobRecord) -> Result<()> {
        dispatch!(self, q => q.complete(job).await)
    }

    /// Schedules the next attempt.
    pub async fn retry(&self, job: &JobRecord, error: &str, after: Duration) -> Result<()> {
        let run_at = now_ms() + i64::try_from(after.as_millis()).unwrap_or(i64::MAX / 2);
        dispatch!(self, q => q.retry(job, error, run_at).await)
    }

    /// Moves the job to the dead-letter set.
    pub async fn bury(&self, job: &JobRecord, error: &str) -> Result<()> {
        dispatch!(self, q => q.bury(job, error).await)
    }

    /// Hands a claimed job back untouched (a worker shutting down), without counting the attempt.
    pub async fn release(&self, job: &JobRecord) -> Result<()> {
        dispatch!(self, q => q.release(job).await)
    }

    /// The dead-letter set, oldest burial first.
    pub async fn dead(&self) -> Result<Vec<JobRecord>> {
        dispatch!(self, q => q.dead().await)
    }

    /// Puts a dead job back in its queue with fresh attempts. `false` when there is no such job.
    pub async fn revive(&self, id: Uuid) -> Result<bool> {
        dispatch!(self, q => q.revive(id).await)
    }

    /// Drops a dead job for good.
    pub async fn discard(&self, id: Uuid) -> Result<bool> {
        dispatch!(self, q => q.discard(id).await)
    }

    pub async fn depth(&self) -> Result<Vec<QueueDepth>> {
        dispatch!(self, q => q.depth().await)
    }

    /// Up to `limit` running jobs, then up to `limit` waiting for their time (the soonest due
    /// first), with their last error when they failed before.
    pub async fn pending(&self, limit: usize) -> Result<Vec<PendingJob>> {
        dispatch!(self, q => q.pending(limit).await)
    }

    /// Whether this caller is the first to claim the tick `tick_ms` of periodic job `name`:
    /// exactly one of any number of workers gets `true`.
    pub async fn first_claim_of_tick(&self, name: &str, tick_ms: i64) -> Result<bool> {
        dispatch!(self, q => q.first_claim_of_tick(name, tick_ms).await)
    }

    /// Moves committed outbox rows to Redis (nothing to do on SQL). Returns how many moved.
    pub async fn relay_outbox(&self) -> Result<usize> {
        match self {
            Self::Sql(_) => Ok(0),
            Self::Redis(q) => q.relay_outbox().await,
        }
    }

    /// Removes dead jobs buried more than `age` ago. Returns how many went.
    pub async fn purge_dead(&self, age: Duration) -> Result<u64> {
        dispatch!(self, q => q.purge_dead(age).await)
    }

    /// Removes what the queue keeps of past periodic ticks older than `age`.
    pub async fn purge_ticks(&self, age: Duration) -> Result<u64> {
        match self {
            Self::Sql(q) => q.purge_ticks(age).await,
            Self::Redis(_) => Ok(0), // tick keys expire by themselves
        }
    }
}
