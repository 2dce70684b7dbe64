//! `smartai jobs`: the queue's state, dead jobs retried or discarded, and a throughput benchmark.

use std::{
    fmt,
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::bail;
use domain::jobs::{Handlers, Job, JobRecord, NewJob, Queue, QueueDepth, Worker, WorkerOptions};

use super::Lines;
use crate::{cli::JobsAction, startup::open_services};

pub(super) async fn run(config: &domain::config::Config, action: JobsAction) -> anyhow::Result<()> {
    let services = open_services(config).await?;
    let queue = &services.jobs;
    let fail = |e: domain::Error| anyhow::anyhow!("job queue: {e}");
    match action {
        JobsAction::Status => {
            // Printed as it is read, so what was read is shown even when a later query fails.
            println!("backend: {}", queue.backend_name());
            for depth in queue.depth().await.map_err(fail)? {
                println!("{}", Depth(&depth));
            }
            println!("{}", Dead(&queue.dead().await.map_err(fail)?));
        }
        JobsAction::Retry { id } => {
            if !queue.revive(id).await.map_err(fail)? {
                bail!("no dead job {id}");
            }
            println!("job {id} is queued again");
        }
        JobsAction::Discard { id } => {
            if !queue.discard(id).await.map_err(fail)? {
                bail!("no dead job {id}");
            }
            println!("job {id} discarded");
        }
        JobsAction::Bench { count, concurrency } => println!("{}", bench(queue, count, concurrency).await?),
    }
    services.close().await;
    Ok(())
}

/// One queue's jobs that are not dead, on one line.
struct Depth<'a>(&'a QueueDepth);

impl fmt::Display for Depth<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let depth = self.0;
        write!(
            f,
            "queue {:<20} {} ready, {} delayed, {} running",
            depth.queue, depth.ready, depth.delayed, depth.running
        )
    }
}

/// How many jobs are dead, then each with its last error.
struct Dead<'a>(&'a [JobRecord]);

impl fmt::Display for Dead<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Lines::new(f);
        out.line(format_args!("dead: {}", self.0.len()))?;
        for job in self.0 {
            out.line(format_args!(
                "  {}  {}  attempts {}  {}",
                job.id,
                job.kind,
                job.attempts,
                job.last_error.as_deref().unwrap_or("")
            ))?;
        }
        Ok(())
    }
}

/// Enqueues `count` no-op jobs, then runs them all, and measures both.
async fn bench(queue: &Queue, count: u32, concurrency: usize) -> anyhow::Result<Bench> {
    #[derive(serde::Serialize, serde::Deserialize)]
    struct Noop {
        n: u32,
    }
    impl Job for Noop {
        const KIND: &'static str = "bench.noop";
        const QUEUE: &'static str = "bench";
    }

    let started = Instant::now();
    let mut enqueueing = tokio::task::JoinSet::new();
    for chunk in 0..concurrency as u32 {
        let queue = queue.clone();
        enqueueing.spawn(async move {
            let mut n = chunk;
            while n < count {
                queue.enqueue(NewJob::of(&Noop { n })).await?;
                n += concurrency as u32;
            }
            Ok::<_, domain::Error>(())
        });
    }
    while let Some(done) = enqueueing.join_next().await {
        done?.map_err(|e| anyhow::anyhow!("enqueueing failed: {e}"))?;
    }
    let enqueued = started.elapsed();

    let done = Arc::new(AtomicU32::new(0));
    let mut handlers = Handlers::default();
    let counter = done.clone();
    handlers.register::<Noop, _, _>(move |_| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
    });
    let mut options = WorkerOptions::new(concurrency);
    options.queues = vec!["bench".into()];
    options.max_idle_poll = Duration::from_millis(20);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let worker = tokio::spawn(Worker::new(queue.clone(), handlers, options).run(stopped));
    while done.load(Ordering::Relaxed) < count {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let ran = started.elapsed();
    let _ = stop.send(true);
    worker.await?;
    Ok(Bench { count, concurrency, backend: queue.backend_name(), enqueued, ran })
}

/// Both rates of `jobs bench`; `scripts/bench-jobs` reads them from this line.
struct Bench {
    count: u32,
    concurrency: usize,
    backend: &'static str,
    enqueued: Duration,
    ran: Duration,
}

impl fmt::Display for Bench {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (count, concurrency) = (self.count, self.concurrency);
        let rate = |d: Duration| f64::from(count) / d.as_secs_f64();
        write!(
            f,
            "{count} jobs on {}: enqueued at {:.0} jobs/s, completed at {:.0} jobs/s (concurrency {concurrency})",
            self.backend,
            rate(self.enqueued),
            rate(self.ran)
        )
    }
}
