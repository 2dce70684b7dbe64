//! Running jobs: a worker claims jobs up to its concurrency, runs each handler under the job's
//! timeout, then completes, retries (with backoff) or buries it, calling its kind's `on_dead`
//! callback after a burial. On shutdown it stops claiming,
//! lets running jobs finish within a grace period, and hands back the rest. Periodic jobs are
//! enqueued once per cron tick, whichever of the running workers gets there first.
//!
//! Claiming: one or more claim loops take free slots (a semaphore of `concurrency` permits) and
//! claim a batch of at most that many jobs in one call, so a claimed job always has a slot and
//! starts at once: none sits in the worker while its lease runs out. The batch travels to the
//! worker's main loop, which starts each job with its slot; a job claimed as the worker stops is
//! handed back instead.

use std::{collections::HashMap, future::Future, pin::Pin, str::FromStr, sync::Arc, time::Duration};

use futures_util::FutureExt;
use tokio::{
    sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch},
    task::JoinSet,
};
use tracing::Instrument;

use super::{Job, JobRecord, NewJob, Queue, backoff};

/// Deliveries a job may lose to dying workers (beyond its attempts) before it counts as poison:
/// a worker killed by a deploy is no fault of the job.
const MAX_LOST_DELIVERIES: u32 = 10;

type BoxFuture = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;
type Handler = Arc<dyn Fn(serde_json::Value) -> BoxFuture + Send + Sync>;

/// Which function runs each kind of job, and what happens when one is buried.
#[derive(Clone, Default)]
pub struct Handlers {
    by_kind: HashMap<&'static str, Handler>,
    on_dead: HashMap<&'static str, Handler>,
}

impl Handlers {
    pub fn register<J, F, Fut>(&mut self, handler: F) -> &mut Self
    where
        J: Job,
        F: Fn(J) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        self.by_kind.insert(J::KIND, typed(handler));
        self
    }

    /// Runs `callback` after a job of kind `J` is buried: its last attempt failed or timed out, or
    /// its workers kept dying on it. Once per burial (a revived job buried again calls it again),
    /// so, like a handler, it must be idempotent.
    pub fn on_dead<J, F, Fut>(&mut self, callback: F) -> &mut Self
    where
        J: Job,
        F: Fn(J) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        self.on_dead.insert(J::KIND, typed(callback));
        self
    }
}

/// `f` as a function of the job's JSON payload.
fn typed<J, F, Fut>(f: F) -> Handler
where
    J: Job,
    F: Fn(J) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let f = Arc::new(f);
    Arc::new(move |payload| {
        let f = f.clone();
        Box::pin(async move {
            let job: J = serde_json::from_value(payload)
                .map_err(|err| anyhow::anyhow!("the payload of a {} job does not parse: {err}", J::KIND))?;
            f(job).await
        })
    })
}

/// A job enqueued on a cron schedule (six fields, seconds first: `0 0 3 * * *` is 03:00 UTC daily).
#[derive(Clone)]
pub struct Periodic {
    pub name: String,
    pub schedule: cron::Schedule,
    pub job: Arc<dyn Fn() -> NewJob + Send + Sync>,
}

impl Periodic {
    pub fn new(name: &str, cron: &str, job: impl Fn() -> NewJob + Send + Sync + 'static) -> anyhow::Result<Self> {
        let schedule = cron::Schedule::from_str(cron).map_err(|e| anyhow::anyhow!("cron `{cron}` of {name}: {e}"))?;
        Ok(Self { name: name.to_owned(), schedule, job: Arc::new(job) })
    }
}

#[derive(Clone)]
pub struct WorkerOptions {
    pub id: String,
    pub queues: Vec<String>,
    pub concurrency: usize,
    /// How long running jobs may take to finish once shutdown starts.
    pub grace: Duration,
    /// The longest pause between polls of an empty queue.
    pub max_idle_poll: Duration,
    /// Loops claiming jobs at the same time: while one waits for its batch, another can claim
    /// for the slots freed meanwhile.
    pub claim_loops: usize,
}

impl WorkerOptions {
    pub fn new(concurrency: usize) -> Self {
        Self {
            id: format!("{}-{}", hostname(), uuid::Uuid::new_v4().simple()),
            queues: vec!["default".into()],
            concurrency: concurrency.max(1),
            grace: Duration::from_secs(30),
            max_idle_poll: Duration::from_millis(500),
            claim_loops: (concurrency / 32).clamp(1, 4),
        }
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_owned()).unwrap_or_else(|_| "worker".into())
}

pub struct Worker {
    queue: Queue,
    handlers: Arc<Handlers>,
    periodic: Vec<Periodic>,
    options: WorkerOptions,
}

impl Worker {
    pub fn new(queue: Queue, handlers: Handlers, options: WorkerOptions) -> Self {
        Self { queue, handlers: Arc::new(handlers), periodic: Vec::new(), options }
    }

    pub fn with_periodic(mut self, periodic: Vec<Periodic>) -> Self {
        self.periodic = periodic;
        self
    }

    /// Runs until `stop` turns true, then shuts down gracefully.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let Self { queue, handlers, periodic, options } = self;
        tracing::info!(worker = %options.id, backend = queue.backend_name(), concurrency = options.concurrency, "worker started");
        let mut background = JoinSet::new();
        background.spawn(relay(queue.clone(), stop.clone()));
        if !periodic.is_empty() {
            background.spawn(schedule(queue.clone(), periodic, stop.clone()));
        }

        let slots = Arc::new(Semaphore::new(options.concurrency));
        let (to_start, mut claimed_jobs) = mpsc::unbounded_channel();
        let mut claimers = JoinSet::new();
        for _ in 0..options.claim_loops.max(1) {
            claimers.spawn(claim(queue.clone(), options.clone(), slots.clone(), to_start.clone(), stop.clone()));
        }
        drop(to_start);

        let mut running: JoinSet<()> = JoinSet::new();
        let mut claimed: HashMap<tokio::task::Id, JobRecord> = HashMap::new();
        while !stopping(&stop) {
            tokio::select! {
                Some((job, slot)) = claimed_jobs.recv() => {
                    let run = execute(queue.clone(), handlers.clone(), job.clone());
                    let handle = running.spawn(async move {
                        run.await;
                        drop(slot);
                    });
                    claimed.insert(handle.id(), job);
                }
                Some(done) = running.join_next_with_id() => {
                    claimed.remove(&finished(done));
                }
                _ = stop.changed() => {}
            }
        }

        tracing::info!(worker = %options.id, running = running.len(), "worker stopping; letting running jobs finish");
        let deadline_at = tokio::time::Instant::now() + options.grace;
        // The claim loops see the stop too; a claim under way is let finish, and what it brings
        // is handed back unstarted.
        let claims_ended =
            tokio::time::timeout_at(deadline_at, async { while claimers.join_next().await.is_some() {} }).await;
        if claims_ended.is_err() {
            claimers.abort_all();
        }
        while let Some((job, _slot)) = claimed_jobs.recv().await {
            release(&queue, &job, "handed a claimed job back unstarted").await;
        }
        let deadline = tokio::time::sleep_until(deadline_at);
        tokio::pin!(deadline);
        while !running.is_empty() {
            tokio::select! {
                Some(done) = running.join_next_with_id() => {
                    claimed.remove(&finished(done));
                }
                () = &mut deadline => {
                    tracing::warn!(worker = %options.id, running = running.len(), grace = ?options.grace,
                        "shutdown timeout passed; abandoning the jobs still running (they are delivered again)");
                    break;
                }
            }
        }
        running.abort_all();
        for job in claimed.into_values() {
            release(&queue, &job, "handed an unfinished job back").await;
        }
        background.abort_all();
        tracing::info!(worker = %options.id, "worker stopped");
    }
}

/// A dropped sender stops the worker as surely as a `true`.
fn stopping(stop: &watch::Receiver<bool>) -> bool {
    *stop.borrow() || stop.has_changed().is_err()
}

fn finished(done: Result<(tokio::task::Id, ()), tokio::task::JoinError>) -> tokio::task::Id {
    match done {
        Ok((id, ())) => id,
        Err(err) => err.id(),
    }
}

async fn release(queue: &Queue, job: &JobRecord, done: &str) {
    match queue.release(job).await {
        Ok(()) => tracing::info!(job_id = %job.id, kind = %job.kind, "{done}"),
        Err(err) => {
            tracing::warn!(error = %err, job_id = %job.id, "could not hand a job back; it returns after the visibility timeout")
        }
    }
}

/// One claim loop: waits for a free slot, takes every other free one, claims that many jobs at
/// most, and sends each with its slot to be started.
async fn claim(
    queue: Queue,
    options: WorkerOptions,
    slots: Arc<Semaphore>,
    to_start: mpsc::UnboundedSender<(JobRecord, OwnedSemaphorePermit)>,
    mut stop: watch::Receiver<bool>,
) {
    let mut idle = Duration::from_millis(10);
    while !stopping(&stop) {
        let first = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            _ = stop.changed() => continue,
        };
        let Ok(first) = first else { return };
        let mut free = vec![first];
        while let Ok(slot) = slots.clone().try_acquire_owned() {
            free.push(slot);
        }
        let pause = match queue.claim_batch(&options.id, &options.queues, free.len()).await {
            Ok(jobs) if !jobs.is_empty() => {
                idle = Duration::from_millis(10);
                for job in jobs {
                    // (A batch is never larger than the slots asked for.)
                    let Some(slot) = free.pop() else {
                        release(&queue, &job, "handed a claimed job back unstarted").await;
                        continue;
                    };
                    if let Err(mpsc::error::SendError((job, _))) = to_start.send((job, slot)) {
                        release(&queue, &job, "handed a claimed job back unstarted").await;
                    }
                }
                continue;
            }
            Ok(_) => {
                let pause = idle;
                idle = (idle * 2).min(options.max_idle_poll);
                pause
            }
            Err(err) => {
                tracing::warn!(error = %err, "could not claim jobs; retrying shortly");
                options.max_idle_poll
            }
        };
        drop(free);
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Runs one job and records its outcome.
async fn execute(queue: Queue, handlers: Arc<Handlers>, job: JobRecord) {
    let labels = [("queue", job.queue.clone()), ("kind", job.kind.clone())];
    let parent = super::trace::resume(job.request_id.as_deref(), job.traceparent.as_deref());
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
                permanent = err.chain().any(|cause| cause.is::<super::Permanent>());
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

/// Moves transactional enqueues from the outbox to the queue (Redis only; a no-op on SQL).
async fn relay(queue: Queue, mut stop: watch::Receiver<bool>) {
    if matches!(queue, Queue::Sql(_)) {
        return;
    }
    loop {
        match queue.relay_outbox().await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "could not relay the job outbox"),
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(200)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Enqueues each periodic job once per tick of its schedule.
async fn schedule(queue: Queue, periodic: Vec<Periodic>, mut stop: watch::Receiver<bool>) {
    let mut last: HashMap<String, chrono::DateTime<chrono::Utc>> =
        periodic.iter().map(|p| (p.name.clone(), chrono::Utc::now())).collect();
    loop {
        let now = chrono::Utc::now();
        for p in &periodic {
            let since = last[&p.name];
            // Every tick between the last look and now, usually zero or one.
            for tick in p.schedule.after(&since).take_while(|t| *t <= now) {
                match queue.first_claim_of_tick(&p.name, tick.timestamp_millis()).await {
                    Ok(true) => {
                        if let Err(err) = queue.enqueue((p.job)()).await {
                            tracing::warn!(error = %err, name = %p.name, "could not enqueue a periodic job");
                        }
                    }
                    Ok(false) => {}
                    Err(err) => tracing::warn!(error = %err, name = %p.name, "could not claim a periodic tick"),
                }
            }
            last.insert(p.name.clone(), now);
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(250)) => {}
            _ = stop.changed() => return,
        }
    }
}
