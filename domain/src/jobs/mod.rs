//! Background jobs: typed, queued by name and priority, delayed, retried with backoff, and buried
//! in a dead-letter set after their last attempt. Delivery is at least once, so handlers are
//! idempotent. Two backends behind one [`Queue`]: Redis Streams with a consumer group when
//! `REDIS_URL` is set, a table in the SQL database otherwise; one contract test suite runs on both.

mod redis;
mod sql;
pub mod trace;
mod worker;

use std::time::Duration;

use clap::Args;
use rand::Rng;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use uuid::Uuid;

pub use worker::{Handlers, Periodic, Worker, WorkerOptions};

use crate::{Error, Result};

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Jobs")]
pub struct JobsConfig {
    /// Redis for the job queue and live events (redis://host:6379); the SQL database otherwise.
    #[arg(long = "redis-url", env = "REDIS_URL", value_name = "REDIS_URL", global = true)]
    pub redis_url: Option<url::Url>,

    /// Prefix of every Redis key and channel, so that several deployments can share one Redis.
    #[arg(
        long = "redis-prefix",
        env = "REDIS_PREFIX",
        value_name = "REDIS_PREFIX",
        default_value = "smartai:",
        global = true
    )]
    pub redis_prefix: String,

    /// Jobs one worker process runs at the same time.
    #[arg(
        long = "jobs-concurrency",
        env = "JOBS_CONCURRENCY",
        value_name = "JOBS_CONCURRENCY",
        default_value_t = 4,
        global = true
    )]
    pub concurrency: usize,

    /// A job claimed but not finished within this time (its worker died) is delivered again.
    #[arg(long = "jobs-visibility-timeout", env = "JOBS_VISIBILITY_TIMEOUT", value_name = "JOBS_VISIBILITY_TIMEOUT",
          default_value = "5m", value_parser = humantime::parse_duration, global = true)]
    pub visibility_timeout: Duration,

    /// Run no workers inside `smartai serve` (separate `smartai worker` processes run the jobs).
    #[arg(long = "no-in-process-worker", env = "JOBS_NO_IN_PROCESS_WORKER", global = true)]
    pub no_in_process_worker: bool,
}

/// How urgent a job is; a worker takes the highest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Priority {
    Low = 0,
    Normal = 1,
    High = 2,
}

impl Priority {
    pub const ALL_HIGH_FIRST: [Priority; 3] = [Priority::High, Priority::Normal, Priority::Low];

    fn from_i16(value: i16) -> Self {
        match value {
            2.. => Self::High,
            1 => Self::Normal,
            _ => Self::Low,
        }
    }
}

/// A job as the queue keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    pub id: Uuid,
    pub queue: String,
    pub kind: String,
    pub payload: serde_json::Value,
    pub priority: Priority,
    /// Deliveries so far, counting the current one once claimed.
    pub attempts: u32,
    pub max_attempts: u32,
    pub timeout_ms: u64,
    /// The request that enqueued it, carried into the job's logs.
    pub request_id: Option<String>,
    /// The W3C trace context of the code that enqueued it; the job's span continues that trace.
    /// Jobs enqueued before it existed have none and start a trace of their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
    pub last_error: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Where the backend holds the claimed delivery (a stream entry); not part of the job.
    #[serde(skip)]
    pub(crate) receipt: Option<String>,
}

impl JobRecord {
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    /// When it was first enqueued.
    pub fn enqueued_at(&self) -> time::OffsetDateTime {
        at_ms(self.created_at)
    }
}

/// A failure that another attempt cannot fix (a document refused for good): a handler returns it
/// (`Err(Permanent::new(..).into())`) and the worker buries the job at once, calling its kind's
/// `on_dead` callback, instead of retrying it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Permanent(pub String);

impl Permanent {
    pub fn new(reason: impl Into<String>) -> Self {
        Self(reason.into())
    }
}

/// A typed job. Its payload carries ids, never large data; its handler must be idempotent.
pub trait Job: Serialize + DeserializeOwned + Send + 'static {
    const KIND: &'static str;
    const QUEUE: &'static str = "default";
    const PRIORITY: Priority = Priority::Normal;
    const MAX_ATTEMPTS: u32 = 5;
    const TIMEOUT: Duration = Duration::from_secs(60);
}

/// What to enqueue, with the options a caller may change.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub queue: String,
    pub kind: String,
    pub payload: serde_json::Value,
    pub priority: Priority,
    pub delay: Duration,
    pub max_attempts: u32,
    pub timeout: Duration,
    /// The enqueuing request's id, when it is not the one the current context carries.
    pub request_id: Option<String>,
}

impl NewJob {
    pub fn of<J: Job>(job: &J) -> Self {
        Self {
            queue: J::QUEUE.to_owned(),
            kind: J::KIND.to_owned(),
            payload: serde_json::to_value(job).unwrap_or(serde_json::Value::Null),
            priority: J::PRIORITY,
            delay: Duration::ZERO,
            max_attempts: J::MAX_ATTEMPTS,
            timeout: J::TIMEOUT,
            request_id: None,
        }
    }

    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    pub fn priority(mut self, priority: Priority) -> Self {
        self.priority = priority;
        self
    }

    pub fn queue(mut self, queue: &str) -> Self {
        self.queue = queue.to_owned();
        self
    }

    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn request_id(mut self, request_id: Option<String>) -> Self {
        self.request_id = request_id;
        self
    }

    /// The record to store. Read where the job is enqueued, so that the current context (the
    /// request, or the job that enqueues this one) is the one the job continues.
    fn into_record(self) -> (JobRecord, i64) {
        let (current_request_id, traceparent) = trace::capture();
        let now = now_ms();
        let run_at = now + i64::try_from(self.delay.as_millis()).unwrap_or(i64::MAX / 2);
        let record = JobRecord {
            id: Uuid::now_v7(),
            queue: self.queue,
            kind: self.kind,
            payload: self.payload,
            priority: self.priority,
            attempts: 0,
            max_attempts: self.max_attempts,
            timeout_ms: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
            request_id: self.request_id.or(current_request_id),
            traceparent,
            last_error: None,
            created_at: now,
            receipt: None,
        };
        (record, run_at)
    }
}

pub(crate) fn now_ms() -> i64 {
    i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_millis())
        .unwrap_or(i64::MAX)
}

/// The wait before attempt `attempt + 1`: exponential from one second, capped at an hour, with
/// ±25 % jitter so that jobs failing together do not retry together.
pub fn backoff(attempt: u32) -> Duration {
    let base =
        Duration::from_secs(1).saturating_mul(1u32 << attempt.saturating_sub(1).min(12)).min(Duration::from_secs(3600));
    let jitter = rand::rng().random_range(0.75..1.25);
    base.mul_f64(jitter)
}

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

/// The instant of a Unix time in milliseconds, as the queue keeps its times.
fn at_ms(ms: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// Redis unreachable is `Unavailable` (503, retry soon); any other failure is unexpected.
fn queue_error(context: &'static str) -> impl FnOnce(::redis::RedisError) -> Error {
    move |err| Error::from(anyhow::Error::new(err).context(context))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped_with_jitter() {
        for attempt in 1..=20 {
            let wait = backoff(attempt);
            let base = Duration::from_secs(1 << (attempt - 1).min(12)).min(Duration::from_secs(3600));
            assert!(wait >= base.mul_f64(0.75) && wait <= base.mul_f64(1.25), "attempt {attempt}: {wait:?}");
        }
        let waits: std::collections::HashSet<_> = (0..20).map(|_| backoff(3)).collect();
        assert!(waits.len() > 1, "jitter spreads retries");
    }
}
