//! Background jobs: typed, queued by name and priority, delayed, retried with backoff, and buried
//! in a dead-letter set after their last attempt. Delivery is at least once, so handlers are
//! idempotent. Two backends behind one [`Queue`]: Redis Streams with a consumer group when
//! `REDIS_URL` is set, a table in the SQL database otherwise; one contract test suite runs on both.
//!
//! A job as it is enqueued and kept is in `record`, the queue over either backend in `queue`,
//! running jobs in `worker`.

mod queue;
mod record;
mod redis;
mod sql;
pub mod trace;
mod worker;

use std::time::Duration;

use rand::Rng;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

pub use queue::{PendingJob, Queue, QueueDepth};
pub use record::{JobRecord, NewJob};
pub use worker::{Handlers, Periodic, Worker, WorkerOptions};

use crate::Error;

/// The settings `REDIS_URL`, `REDIS_PREFIX` and `JOBS_*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobsConfig {
    /// Redis for the job queue and live events; the SQL database otherwise.
    #[serde(default, deserialize_with = "crate::config::parse::some")]
    pub redis_url: Option<crate::config::RedactedUrl>,
    /// Prefix of every Redis key and channel.
    #[serde(deserialize_with = "crate::config::parse::from_str")]
    pub redis_prefix: String,
    /// Jobs one worker process runs at the same time.
    #[serde(deserialize_with = "crate::config::parse::from_str")]
    pub concurrency: usize,
    /// A job claimed but not finished within this time (its worker died) is delivered again.
    #[serde(deserialize_with = "crate::config::parse::duration")]
    pub visibility_timeout: Duration,
    /// Run no workers inside `smartai serve`.
    #[serde(default, deserialize_with = "crate::config::parse::switch")]
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
