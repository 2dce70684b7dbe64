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
//!
//! The handlers are in `handlers`, the claim loops in `claim`, running one job in `execute`,
//! and the periodic jobs in `periodic`.

mod claim;
mod execute;
mod handlers;
mod periodic;

use std::{collections::HashMap, sync::Arc, time::Duration};

use tokio::{
    sync::{Semaphore, mpsc, watch},
    task::JoinSet,
};

pub use handlers::Handlers;
pub use periodic::Periodic;

use super::{JobRecord, Queue};
use claim::claim;
use execute::execute;
use periodic::schedule;

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
