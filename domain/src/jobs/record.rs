//! A job as a caller enqueues it ([`NewJob`], built from a typed [`Job`](super::Job)) and as the
//! queue keeps it ([`JobRecord`]).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Job, Priority, at_ms, now_ms, trace};

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
    pub(super) fn into_record(self) -> (JobRecord, i64) {
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
