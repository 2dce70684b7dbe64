//! Running one job under its timeout, and what follows: done, retried with backoff, or buried
//! (then its kind's `on_dead` callback).

use std::sync::Arc;

use futures_util::FutureExt;
use tracing::Instrument;

use super::Handlers;
use crate::jobs::{JobRecord, Permanent, Queue, backoff, trace};

/// Deliveries a job may lose to dying workers (beyond its attempts) before it counts as poison:
/// a worker killed by a deploy is no fault of the job.
const MAX_LOST_DELIVERIES: u32 = 10;

/// Runs one job and records its outcome.
pub(super) async fn execute(queue: Queue, handlers: Arc<Handlers>, job: JobRecord) {
    let labels = [("queue", job.queue.clone()), ("kind", job.kind.clone())];
    let parent = trace::resume(job.request_id.as_deref(), job.traceparent.as_deref());
    // Made while the enqueuer's context is the current one, so that the span becomes its child
    // (and the guard, which must not cross an await, is gone before the job runs).
    let span = {
        let _parent = parent.attach();
        tracing::info_span!(
            "job",
            otel.name = %format_args!("job {}", job.kind),
            otel.kind = "consumer",
            job_id = %job.id,
            kind = %job.kind,
            attempt = job.attempts,
            request_id = job.request_id.as_deref().unwrap_or_default(),
        )
    };
    async move {
        if job.attempts > job.max_attempts + MAX_LOST_DELIVERIES {
            // Its workers kept dying on it: a poison job; do not let it take down more.
            bury(&queue, &handlers, &job, "its worker stopped before finishing, on every attempt", &labels).await;
            return;
        }
        let Some(handler) = handlers.by_kind.get(job.kind.as_str()).cloned() else {
            bury(&queue, &handlers, &job, &format!("no handler for jobs of kind `{}`", job.kind), &labels).await;
            return;
        };
        metrics::counter!(crate::metric_names::JOBS_STARTED_TOTAL, &labels).increment(1);
        let started = std::time::Instant::now();
        // A panicking handler fails its attempt like an error does (retried, then buried), instead
        // of leaving the job claimed until the visibility timeout.
        let run = std::panic::AssertUnwindSafe(handler(job.payload.clone())).catch_unwind();
        let outcome = tokio::time::timeout(job.timeout(), run).await;
        metrics::histogram!(crate::metric_names::JOB_DURATION_SECONDS, &labels).record(started.elapsed().as_secs_f64());
        let mut permanent = false;
        let error = match outcome {
            Ok(Ok(Ok(()))) => {
                tracing::debug!(elapsed_ms = started.elapsed().as_millis() as u64, "job done");
                metrics::counter!(crate::metric_names::JOBS_SUCCEEDED_TOTAL, &labels).increment(1);
                if let Err(err) = queue.complete(&job).await {
                    tracing::warn!(error = %err, "job done but not acknowledged; it will run again");
                }
                return;
            }
            Ok(Ok(Err(err))) => {
                permanent = err.chain().any(|cause| cause.is::<Permanent>());
                format!("{err:#}")
            }
            Ok(Err(panic)) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|m| (*m).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                format!("the handler panicked: {message}")
            }
            Err(_) => format!("timed out after {:?}", job.timeout()),
        };
        metrics::counter!(crate::metric_names::JOBS_FAILED_TOTAL, &labels).increment(1);
        if permanent || job.attempts >= job.max_attempts {
            bury(&queue, &handlers, &job, &error, &labels).await;
        } else {
            let wait = backoff(job.attempts);
            tracing::warn!(%error, retry_in = ?wait, "job failed; retrying");
            metrics::counter!(crate::metric_names::JOBS_RETRIED_TOTAL, &labels).increment(1);
            if let Err(err) = queue.retry(&job, &error, wait).await {
                tracing::warn!(error = %err, "could not schedule the retry; the job returns after the visibility timeout");
            }
        }
    }
    .instrument(span)
    .await;
}

/// Moves the job to the dead-letter set, then runs its kind's `on_dead` callback, if any. (When the
/// job cannot be buried it comes back after the visibility timeout and is buried then.)
async fn bury(queue: &Queue, handlers: &Handlers, job: &JobRecord, error: &str, labels: &[(&'static str, String); 2]) {
    tracing::error!(%error, attempts = job.attempts, "job failed for the last time; moved to the dead-letter set");
    metrics::counter!(crate::metric_names::JOBS_DEAD_TOTAL, labels).increment(1);
    if let Err(err) = queue.bury(job, error).await {
        tracing::warn!(error = %err, "could not bury the job");
        return;
    }
    let Some(on_dead) = handlers.on_dead.get(job.kind.as_str()) else { return };
    match tokio::time::timeout(job.timeout(), on_dead(job.payload.clone())).await {
        Ok(Ok(())) => {}
        Ok(Err(err)) => tracing::warn!(error = format!("{err:#}"), "the dead job's callback failed"),
        Err(_) => tracing::warn!(timeout = ?job.timeout(), "the dead job's callback timed out"),
    }
}
