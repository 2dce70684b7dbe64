//! One job-queue contract, run against the SQL backend (a temp SQLite file, a fresh PostgreSQL
//! database at TEST_DATABASE_URL) and the Redis backend (TEST_REDIS_URL, keys under a fresh prefix).

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use domain::jobs::{Handlers, Job, JobsConfig, NewJob, Periodic, Priority, Queue, Worker, WorkerOptions};
use migration::{Migrator, MigratorTrait};
use sea_orm::{Database, DatabaseConnection, TransactionTrait};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::harness::database_url;

/// The queue's backend: SQL on either database, or Redis Streams (with SQLite for the rest).
#[derive(Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
    Redis,
}

struct TestQueue {
    queue: Queue,
    name: String,
    _dir: tempfile::TempDir,
}

async fn database(backend: Backend, dir: &tempfile::TempDir) -> DatabaseConnection {
    let database = match backend {
        Backend::Sqlite | Backend::Redis => crate::harness::Backend::Sqlite,
        Backend::Postgres => crate::harness::Backend::Postgres,
    };
    let url = database_url(database, dir.path()).await;
    let db = Database::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    db
}

async fn open(backend: Backend, visibility: Duration) -> TestQueue {
    let dir = tempfile::tempdir().unwrap();
    let db = database(backend, &dir).await;
    let queue = match backend {
        Backend::Sqlite | Backend::Postgres => Queue::sql(db, visibility),
        Backend::Redis => {
            let url = std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
            let prefix = format!("smartai-test:{}:", uuid::Uuid::new_v4().simple());
            Queue::redis(&url.parse().unwrap(), &prefix, db, visibility).await.expect("Redis at TEST_REDIS_URL")
        }
    };
    TestQueue { queue, name: format!("q-{}", uuid::Uuid::new_v4().simple()), _dir: dir }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Note {
    n: u32,
}

impl Job for Note {
    const KIND: &'static str = "test.note";
}

impl TestQueue {
    fn job(&self, n: u32) -> NewJob {
        NewJob::of(&Note { n }).queue(&self.name)
    }

    async fn claim(&self, worker: &str) -> Option<domain::jobs::JobRecord> {
        self.queue.claim(worker, std::slice::from_ref(&self.name)).await.unwrap()
    }

    async fn claim_batch(&self, worker: &str, count: usize) -> Vec<domain::jobs::JobRecord> {
        self.queue.claim_batch(worker, std::slice::from_ref(&self.name), count).await.unwrap()
    }

    fn worker(&self, handlers: Handlers) -> Worker {
        let mut options = WorkerOptions::new(4);
        options.queues = vec![self.name.clone()];
        options.max_idle_poll = Duration::from_millis(50);
        options.grace = Duration::from_millis(300);
        Worker::new(self.queue.clone(), handlers, options)
    }

    async fn waiting(&self) -> u64 {
        self.queue.depth().await.unwrap().into_iter().find(|d| d.queue == self.name).map_or(0, |d| d.waiting())
    }
}

fn n(job: &domain::jobs::JobRecord) -> u64 {
    job.payload["n"].as_u64().unwrap()
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(super::Backend::Sqlite).await } )* }
        mod postgres { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(super::Backend::Postgres).await } )* }
        mod redis { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(super::Backend::Redis).await } )* }
    };
}

contract!(
    higher_priority_runs_first_then_in_order,
    a_delayed_job_waits_its_turn,
    failures_retry_then_land_in_the_dead_letter_set,
    a_job_whose_worker_died_is_delivered_again,
    a_transactional_enqueue_exists_only_if_committed,
    a_worker_retries_failures_and_runs_each_effect_once,
    shutdown_hands_unfinished_jobs_back,
    a_periodic_job_runs_once_per_tick_across_workers,
    dead_jobs_are_listed_and_purged_by_burial_time,
    a_buried_job_calls_its_on_dead_callback_once,
    a_batch_claim_takes_the_most_urgent_jobs_in_order,
    every_job_of_a_batch_counts_an_attempt_and_goes_back_unspent,
    a_worker_claims_no_more_jobs_than_it_has_free_slots,
    the_depth_tells_ready_delayed_and_running_jobs_apart,
    a_panicking_handler_fails_its_attempt_and_the_worker_goes_on,
);

async fn higher_priority_runs_first_then_in_order(backend: Backend) {
    let q = open(backend, Duration::from_secs(60)).await;
    q.queue.enqueue(q.job(1).priority(Priority::Low)).await.unwrap();
    q.queue.enqueue(q.job(2)).await.unwrap();
    q.queue.enqueue(q.job(3).priority(Priority::High)).await.unwrap();
    q.queue.enqueue(q.job(4)).await.unwrap();
    assert_eq!(q.waiting().await, 4);

    let mut order = Vec::new();
    while let Some(job) = q.claim("w").await {
        assert_eq!(job.attempts, 1);
        order.push(n(&job));
        q.queue.complete(&job).await.unwrap();
    }

    assert_eq!(order, [3, 2, 4, 1]);
    assert_eq!(q.waiting().await, 0);
}

async fn a_delayed_job_waits_its_turn(backend: Backend) {
    let q = open(backend, Duration::from_secs(60)).await;
    q.queue.enqueue(q.job(1).delay(Duration::from_millis(1200))).await.unwrap();

    assert!(q.claim("w").await.is_none(), "not due yet");
    assert_eq!(q.waiting().await, 1, "a delayed job counts as waiting");
    tokio::time::sleep(Duration::from_millis(1300)).await;

    assert_eq!(q.claim("w").await.map(|j| n(&j)), Some(1));
}

async fn failures_retry_then_land_in_the_dead_letter_set(backend: Backend) {
    let q = open(backend, Duration::from_secs(60)).await;
    let id = q.queue.enqueue(q.job(7).max_attempts(2)).await.unwrap();

    let first = q.claim("w").await.unwrap();
    q.queue.retry(&first, "boom 1", Duration::ZERO).await.unwrap();
    let second = q.claim("w").await.unwrap();
    assert_eq!((second.id, second.attempts), (id, 2));
    q.queue.bury(&second, "boom 2").await.unwrap();

    assert!(q.claim("w").await.is_none(), "a dead job is not delivered");
    let dead = q.queue.dead().await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!((dead[0].id, dead[0].last_error.as_deref()), (id, Some("boom 2")));

    assert!(q.queue.revive(id).await.unwrap());
    let revived = q.claim("w").await.unwrap();
    assert_eq!((revived.id, revived.attempts), (id, 1), "a revived job starts its attempts afresh");
    q.queue.bury(&revived, "again").await.unwrap();
    assert!(q.queue.discard(id).await.unwrap());
    assert!(q.queue.dead().await.unwrap().is_empty());
    assert!(!q.queue.discard(id).await.unwrap());
}

async fn a_job_whose_worker_died_is_delivered_again(backend: Backend) {
    let q = open(backend, Duration::from_secs(1)).await;
    q.queue.enqueue(q.job(9)).await.unwrap();

    let lost = q.claim("doomed-worker").await.unwrap();
    // The worker "dies": it never completes, retries or releases the job.
    assert!(q.claim("survivor").await.is_none(), "leased to the first worker");
    tokio::time::sleep(Duration::from_millis(1300)).await;

    let again = q.claim("survivor").await.expect("delivered again after the visibility timeout");
    assert_eq!((again.id, again.attempts), (lost.id, 2));
    q.queue.complete(&again).await.unwrap();
    assert!(q.claim("survivor").await.is_none());
}

async fn a_transactional_enqueue_exists_only_if_committed(backend: Backend) {
    let q = open(backend, Duration::from_secs(60)).await;
    let (db, connection) = (&q.queue, q.queue.database());

    let txn = connection.begin().await.unwrap();
    db.enqueue_in(&txn, q.job(1)).await.unwrap();
    txn.rollback().await.unwrap();
    assert!(q.claim("w").await.is_none(), "a rolled-back enqueue leaves nothing");
    let txn = connection.begin().await.unwrap();
    db.enqueue_in(&txn, q.job(2)).await.unwrap();
    // (On SQLite a claim is a write and would wait for the open transaction's lock.)
    if !matches!(backend, Backend::Sqlite) {
        assert!(q.claim("w").await.is_none(), "invisible before the commit");
    }
    txn.commit().await.unwrap();
    q.queue.relay_outbox().await.unwrap();

    assert_eq!(q.claim("w").await.map(|j| n(&j)), Some(2));
    assert!(q.claim("w").await.is_none(), "the rolled-back job never appears");
}

/// What a `Note` handler did: the notes whose effect happened, and how often each was tried.
#[derive(Clone, Default)]
struct Effects(Arc<Mutex<Vec<u32>>>, Arc<Mutex<std::collections::HashMap<u32, u32>>>);

impl Effects {
    /// A `Note` handler that counts each attempt, lets `misbehave` (the note, its attempt from 1)
    /// fail or panic it, and otherwise records the note's effect.
    fn handlers(&self, misbehave: fn(u32, u32) -> anyhow::Result<()>) -> Handlers {
        let mut handlers = Handlers::default();
        let effects = self.clone();
        handlers.register::<Note, _, _>(move |note: Note| {
            let effects = effects.clone();
            async move {
                let attempt = {
                    let mut tries = effects.1.lock().unwrap();
                    let tried = tries.entry(note.n).or_default();
                    *tried += 1;
                    *tried
                };
                misbehave(note.n, attempt)?;
                effects.record(note.n);
                Ok(())
            }
        });
        handlers
    }

    fn attempts(&self, n: u32) -> u32 {
        self.1.lock().unwrap()[&n]
    }

    fn record(&self, n: u32) -> bool {
        let mut seen = self.0.lock().unwrap();
        // Idempotent: a second delivery of the same job changes nothing.
        if seen.contains(&n) {
            return false;
        }
        seen.push(n);
        true
    }

    fn sorted(&self) -> Vec<u32> {
        let mut v = self.0.lock().unwrap().clone();
        v.sort_unstable();
        v
    }
}

async fn run_for(worker: Worker, until: impl std::future::Future<Output = ()>) {
    let (stop, stopped) = watch::channel(false);
    let running = tokio::spawn(worker.run(stopped));
    until.await;
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(10), running).await.expect("the worker stops").unwrap();
}

async fn eventually(mut check: impl FnMut() -> bool) {
    for _ in 0..200 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("condition not met within 10s");
}

async fn a_worker_retries_failures_and_runs_each_effect_once(backend: Backend) {
    let q = open(backend, Duration::from_secs(60)).await;
    let effects = Effects::default();
    // Job 0 fails on its first attempt; job 99 always fails.
    let handlers = effects.handlers(|n, attempt| {
        if (n == 0 && attempt == 1) || n == 99 {
            anyhow::bail!("transient failure of {n}");
        }
        Ok(())
    });
    for i in 0..10 {
        q.queue.enqueue(q.job(i)).await.unwrap();
    }
    q.queue.enqueue(q.job(99).max_attempts(1)).await.unwrap();

    let done = effects.clone();
    let queue = q.queue.clone();
    run_for(q.worker(handlers), async move {
        // Job 0's retry waits about a second of backoff.
        eventually(|| done.sorted().len() == 10).await;
        let _ = queue;
    })
    .await;

    assert_eq!(effects.sorted(), (0..10).collect::<Vec<_>>(), "every effect exactly once");
    assert_eq!(effects.attempts(0), 2, "job 0 ran twice: once failing, once succeeding");
    let dead = q.queue.dead().await.unwrap();
    assert_eq!(dead.len(), 1);
    assert!(dead[0].last_error.as_deref().unwrap().contains("transient failure of 99"));
    assert_eq!(q.waiting().await, 0);
}

async fn shutdown_hands_unfinished_jobs_back(backend: Backend) {
    let q = open(backend, Duration::from_secs(60)).await;
    let started = Arc::new(tokio::sync::Notify::new());
    let mut handlers = Handlers::default();
    {
        let started = started.clone();
        handlers.register::<Note, _, _>(move |_| {
            let started = started.clone();
            async move {
                started.notify_one();
                tokio::time::sleep(Duration::from_secs(30)).await;
                Ok(())
            }
        });
    }
    let id = q.queue.enqueue(q.job(5)).await.unwrap();

    run_for(q.worker(handlers), async move { started.notified().await }).await;

    let back = q.claim("next").await.expect("the unfinished job is back in the queue");
    assert_eq!((back.id, back.attempts), (id, 1), "handing back does not use up an attempt");
}

async fn a_periodic_job_runs_once_per_tick_across_workers(backend: Backend) {
    let q = open(backend, Duration::from_secs(60)).await;
    let runs = Arc::new(Mutex::new(0u32));
    let mut handlers = Handlers::default();
    {
        let runs = runs.clone();
        handlers.register::<Note, _, _>(move |_| {
            let runs = runs.clone();
            async move {
                *runs.lock().unwrap() += 1;
                Ok(())
            }
        });
    }
    // Every second; both workers schedule it, only one enqueues each tick.
    let queue = q.name.clone();
    let name = format!("tick-{}", uuid::Uuid::new_v4().simple());
    let periodic = Periodic::new(&name, "* * * * * *", move || NewJob::of(&Note { n: 0 }).queue(&queue)).unwrap();
    let started = std::time::Instant::now();
    let (stop, stopped) = watch::channel(false);
    let first = tokio::spawn(q.worker(handlers.clone()).with_periodic(vec![periodic.clone()]).run(stopped.clone()));
    let second = tokio::spawn(q.worker(handlers).with_periodic(vec![periodic]).run(stopped));
    tokio::time::sleep(Duration::from_millis(3500)).await;
    stop.send(true).unwrap();
    first.await.unwrap();
    second.await.unwrap();

    let ticks = started.elapsed().as_secs_f64();
    let runs = *runs.lock().unwrap();
    assert!(
        f64::from(runs) >= ticks - 1.5 && f64::from(runs) <= ticks + 0.5,
        "{runs} runs in {ticks:.1}s of one tick per second (two workers, each tick once)"
    );
}

async fn dead_jobs_are_listed_and_purged_by_burial_time(backend: Backend) {
    let q = open(backend, Duration::from_secs(60)).await;
    let first = q.queue.enqueue(q.job(1)).await.unwrap();
    let second = q.queue.enqueue(q.job(2)).await.unwrap();
    let (one, two) = (q.claim("w").await.unwrap(), q.claim("w").await.unwrap());
    // Buried in the reverse order of their creation, a second apart.
    q.queue.bury(&two, "older").await.unwrap();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    q.queue.bury(&one, "newer").await.unwrap();
    let ids = |jobs: Vec<domain::jobs::JobRecord>| jobs.into_iter().map(|j| j.id).collect::<Vec<_>>();
    assert_eq!(ids(q.queue.dead().await.unwrap()), [second, first], "oldest burial first");

    assert_eq!(q.queue.purge_dead(Duration::from_secs(3600)).await.unwrap(), 0, "none is an hour old");
    assert_eq!(q.queue.purge_dead(Duration::from_millis(500)).await.unwrap(), 1);

    assert_eq!(ids(q.queue.dead().await.unwrap()), [first], "only the job buried over 500 ms ago went");
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert_eq!(q.queue.purge_dead(Duration::ZERO).await.unwrap(), 1);
    assert!(q.queue.dead().await.unwrap().is_empty());
    assert_eq!(q.queue.purge_dead(Duration::ZERO).await.unwrap(), 0);
}

async fn a_buried_job_calls_its_on_dead_callback_once(backend: Backend) {
    let visibility = Duration::from_millis(300);
    let q = open(backend, visibility).await;
    // Job 2's workers all die: delivered its one attempt plus ten more times, never finished.
    q.queue.enqueue(q.job(2).max_attempts(1)).await.unwrap();
    let mut lost = 0;
    for _ in 0..100 {
        if lost == 11 {
            break;
        }
        if q.claim("doomed").await.is_some() {
            lost += 1;
        }
        tokio::time::sleep(visibility + Duration::from_millis(50)).await;
    }
    assert_eq!(lost, 11, "job 2 was delivered again after each lost delivery");
    // Job 1 fails on its one attempt; job 3 succeeds.
    q.queue.enqueue(q.job(1).max_attempts(1)).await.unwrap();
    q.queue.enqueue(q.job(3).max_attempts(1)).await.unwrap();
    let ran = Arc::new(Mutex::new(Vec::new()));
    let dead = Arc::new(Mutex::new(Vec::new()));
    let mut handlers = Handlers::default();
    {
        let (ran, dead) = (ran.clone(), dead.clone());
        handlers
            .register::<Note, _, _>(move |note: Note| {
                let ran = ran.clone();
                async move {
                    ran.lock().unwrap().push(note.n);
                    anyhow::ensure!(note.n != 1, "job 1 always fails");
                    Ok(())
                }
            })
            .on_dead::<Note, _, _>(move |note: Note| {
                let dead = dead.clone();
                async move {
                    dead.lock().unwrap().push(note.n);
                    Ok(())
                }
            });
    }

    let called = dead.clone();
    run_for(q.worker(handlers), async move {
        eventually(|| called.lock().unwrap().len() >= 2).await;
        // Time for a wrong second call to show.
        tokio::time::sleep(Duration::from_millis(500)).await;
    })
    .await;

    let mut called = dead.lock().unwrap().clone();
    called.sort_unstable();
    assert_eq!(called, [1, 2], "one call per buried job, none for the job that succeeded");
    let mut ran = ran.lock().unwrap().clone();
    ran.sort_unstable();
    assert_eq!(ran, [1, 3], "the poison job is buried without running");
    let mut buried: Vec<u64> = q.queue.dead().await.unwrap().iter().map(n).collect();
    buried.sort_unstable();
    assert_eq!(buried, [1, 2]);
}

async fn a_batch_claim_takes_the_most_urgent_jobs_in_order(backend: Backend) {
    let q = open(backend, Duration::from_secs(60)).await;
    q.queue.enqueue(q.job(1).priority(Priority::Low)).await.unwrap();
    q.queue.enqueue(q.job(2)).await.unwrap();
    q.queue.enqueue(q.job(3).priority(Priority::High)).await.unwrap();
    q.queue.enqueue(q.job(4)).await.unwrap();
    q.queue.enqueue(q.job(5).priority(Priority::Low)).await.unwrap();

    let first = q.claim_batch("w", 3).await;
    let rest = q.claim_batch("w", 10).await;

    let ns = |jobs: &[domain::jobs::JobRecord]| jobs.iter().map(n).collect::<Vec<_>>();
    assert_eq!(ns(&first), [3, 2, 4], "the three most urgent, highest priority first, then in order");
    assert_eq!(ns(&rest), [1, 5], "no more than there are");
    assert!(q.claim_batch("w", 10).await.is_empty());
    assert!(first.iter().chain(&rest).all(|job| job.attempts == 1));
}

async fn every_job_of_a_batch_counts_an_attempt_and_goes_back_unspent(backend: Backend) {
    let q = open(backend, Duration::from_secs(60)).await;
    for i in 0..5 {
        q.queue.enqueue(q.job(i)).await.unwrap();
    }
    let ids = |jobs: &[domain::jobs::JobRecord]| {
        let mut ids: Vec<_> = jobs.iter().map(|job| job.id).collect();
        ids.sort_unstable();
        ids
    };

    let first = q.claim_batch("w", 5).await;
    assert_eq!(first.len(), 5);
    assert!(first.iter().all(|job| job.attempts == 1), "one attempt each");
    for job in &first {
        q.queue.retry(job, "again", Duration::ZERO).await.unwrap();
    }
    let second = q.claim_batch("w", 5).await;
    assert_eq!(ids(&second), ids(&first));
    assert!(second.iter().all(|job| job.attempts == 2), "a second attempt each");
    let (done, unstarted) = second.split_at(2);
    for job in done {
        q.queue.complete(job).await.unwrap();
    }
    for job in unstarted {
        q.queue.release(job).await.unwrap();
    }

    let other = q.claim_batch("other", 5).await;
    assert_eq!(ids(&other), ids(unstarted), "the released jobs go to another worker");
    assert!(other.iter().all(|job| job.attempts == 2), "handing back does not use up an attempt");
}

async fn a_worker_claims_no_more_jobs_than_it_has_free_slots(backend: Backend) {
    let q = open(backend, Duration::from_secs(60)).await;
    let started = Arc::new(Mutex::new(Vec::new()));
    let mut handlers = Handlers::default();
    {
        let started = started.clone();
        handlers.register::<Note, _, _>(move |note: Note| {
            let started = started.clone();
            async move {
                started.lock().unwrap().push(note.n);
                tokio::time::sleep(Duration::from_secs(30)).await;
                Ok(())
            }
        });
    }
    for i in 0..7 {
        q.queue.enqueue(q.job(i)).await.unwrap();
    }
    let mut worker = WorkerOptions::new(4);
    worker.queues = vec![q.name.clone()];
    worker.max_idle_poll = Duration::from_millis(50);
    worker.grace = Duration::from_millis(300);
    worker.claim_loops = 2;
    let worker = Worker::new(q.queue.clone(), handlers, worker);

    let running = started.clone();
    let left = q.queue.clone();
    let name = q.name.clone();
    run_for(worker, async move {
        eventually(|| running.lock().unwrap().len() == 4).await;
        // Time for a wrong fifth claim to show.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let others = left.claim_batch("other", &[name], 10).await.unwrap();
        assert_eq!(others.len(), 3, "the worker holds its four slots' jobs and no more");
        for job in &others {
            left.complete(job).await.unwrap();
        }
    })
    .await;

    assert_eq!(started.lock().unwrap().len(), 4);
    let back = q.claim_batch("next", 10).await;
    assert_eq!(back.len(), 4, "the stopped worker handed its unfinished jobs back");
    assert!(back.iter().all(|job| job.attempts == 1), "handing back does not use up an attempt");
}

#[test]
fn the_config_defaults_to_the_sql_queue() {
    let jobs: JobsConfig = domain::config::Config::from_flags(&[]).unwrap().jobs;
    assert!(jobs.redis_url.is_none());
    assert_eq!(jobs.visibility_timeout, Duration::from_secs(300));
}

async fn the_depth_tells_ready_delayed_and_running_jobs_apart(backend: Backend) {
    let q = open(backend, Duration::from_secs(60)).await;
    for i in 0..4 {
        q.queue.enqueue(q.job(i)).await.unwrap();
    }
    q.queue.enqueue(q.job(9).delay(Duration::from_secs(60))).await.unwrap();
    let depth = || async {
        let all = q.queue.depth().await.unwrap();
        let found = all.into_iter().find(|d| d.queue == q.name).unwrap_or_default();
        (found.ready, found.delayed, found.running)
    };
    assert_eq!(depth().await, (4, 1, 0));

    let claimed = q.claim_batch("w", 2).await;
    assert_eq!(claimed.len(), 2);
    assert_eq!(depth().await, (2, 1, 2));
    let pending = q.queue.pending(10).await.unwrap();
    let running: Vec<_> = pending.iter().filter(|p| p.running).map(|p| p.job.id).collect();
    assert_eq!(running.len(), 2);
    assert!(claimed.iter().all(|job| running.contains(&job.id)), "the claimed jobs are the running ones");
    let waiting: Vec<_> = pending.iter().filter(|p| !p.running).collect();
    assert_eq!(waiting.len(), 1);
    assert_eq!(n(&waiting[0].job), 9);
    assert!(waiting[0].due_at.is_some_and(|due| due > time::OffsetDateTime::now_utc()));

    // One finishes, one fails into its backoff, and one of the ready ones is buried.
    q.queue.complete(&claimed[0]).await.unwrap();
    q.queue.retry(&claimed[1], "boom", Duration::from_secs(60)).await.unwrap();
    let third = q.claim("w").await.unwrap();
    q.queue.bury(&third, "refused").await.unwrap();
    assert_eq!(depth().await, (1, 2, 0), "the finished and the dead job are not counted");
    let pending = q.queue.pending(10).await.unwrap();
    assert!(pending.iter().all(|p| !p.running));
    let retried = pending.iter().find(|p| p.job.id == claimed[1].id).expect("the retry waits its turn");
    assert_eq!(retried.job.last_error.as_deref(), Some("boom"), "with why it failed");
    assert_eq!(q.queue.pending(1).await.unwrap().len(), 1, "at most the limit");
    assert_eq!(q.waiting().await, 3);
}

async fn a_panicking_handler_fails_its_attempt_and_the_worker_goes_on(backend: Backend) {
    // A long visibility timeout: the panicked job must come back by its retry, not by the lease.
    let q = open(backend, Duration::from_secs(600)).await;
    let effects = Effects::default();
    // Job 1 panics on its first attempt only; job 7 on every attempt.
    let handlers = effects.handlers(|n, attempt| {
        if (n == 1 && attempt == 1) || n == 7 {
            panic!("handler bug on job {n}");
        }
        Ok(())
    });
    for i in 0..4 {
        q.queue.enqueue(q.job(i)).await.unwrap();
    }
    q.queue.enqueue(q.job(7).max_attempts(2)).await.unwrap();

    let done = effects.clone();
    let queue = q.queue.clone();
    run_for(q.worker(handlers), async move {
        eventually(|| done.sorted().len() == 4).await;
        for _ in 0..100 {
            if !queue.dead().await.unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;

    assert_eq!(effects.sorted(), [0, 1, 2, 3], "the worker went on after the panics");
    assert_eq!(effects.attempts(1), 2, "the panicked attempt was retried");
    let dead = q.queue.dead().await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].attempts, 2);
    assert_eq!(dead[0].last_error.as_deref(), Some("the handler panicked: handler bug on job 7"));
}
