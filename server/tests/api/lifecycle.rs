//! Graceful shutdown of the real binary under load: SIGTERM turns readiness to 503 at once, clients
//! that behave like a load balancer (they send while readiness says 200) see no failed request, a
//! slow upload in flight finishes, the process exits 0, and no job is left half-claimed.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use reqwest::{
    Body, Client, header,
    multipart::{Form, Part},
};
use sea_orm::{ConnectionTrait, Database, Statement};

use crate::{
    helpers::{PASSWORD, signed_up_at},
    process::{Served, serve},
};

const CLIENTS: usize = 4;

/// One balancer-like client: asks readiness before each request and stops at its first 503.
async fn balanced_client(served: Arc<Served>, client: Client, sent: Arc<AtomicUsize>, failed: Arc<AtomicUsize>) {
    let paths = ["/", "/rpc/account/me", "/rpc/files/list", "/health/live", "/files"];
    for n in 0.. {
        match client.get(served.url("/health/ready")).send().await {
            Ok(response) if response.status() == 503 => return,
            Ok(response) if response.status() == 200 => {}
            other => {
                eprintln!("readiness probe failed: {other:?}");
                failed.fetch_add(1, Ordering::SeqCst);
                return;
            }
        }
        let path = paths[n % paths.len()];
        sent.fetch_add(1, Ordering::SeqCst);
        match client.get(served.url(path)).header(header::ACCEPT, "application/json").send().await {
            Ok(response) if response.status().is_success() || response.status().is_redirection() => {
                // Read the whole body: a response cut short is a failure too.
                if let Err(err) = response.bytes().await {
                    eprintln!("GET {path}: body cut short: {err}");
                    failed.fetch_add(1, Ordering::SeqCst);
                }
            }
            other => {
                eprintln!("GET {path} failed: {other:?}");
                failed.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_drains_without_a_failed_request() {
    // Arrange: the server, a signed-in user, and load.
    let readiness_delay = Duration::from_secs(1);
    let served = Arc::new(
        serve(&[
            ("SHUTDOWN_READINESS_DELAY", "1s".into()),
            ("SHUTDOWN_TIMEOUT", "20s".into()),
            ("RUST_LOG", "info,sqlx=warn,sea_orm=warn".into()),
            ("NO_COLOR", "1".into()),
            // The load is about shutdown, not about limits.
            ("RATE_LIMIT_RPC_IP", "off".into()),
            ("RATE_LIMIT_RPC_USER", "off".into()),
            ("RATE_LIMIT_PAGES_IP", "off".into()),
        ])
        .await,
    );
    let client = signed_up_at(&served.base).await;
    // A few uploads whose processing jobs are queued or running when the signal comes.
    for i in 0..5 {
        let form =
            Form::new().part("file", Part::bytes(format!("note {i}\n").into_bytes()).file_name(format!("{i}.txt")));
        let response = client
            .post(served.url("/rpc/files/upload"))
            .header(header::ACCEPT, "application/json")
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }

    let (sent, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let load: Vec<_> = (0..CLIENTS)
        .map(|_| tokio::spawn(balanced_client(served.clone(), client.clone(), sent.clone(), failed.clone())))
        .collect();

    // A slow upload: 4 MiB streamed over about three seconds, so that it is still being received
    // when readiness turns and when the server stops accepting.
    let slow = {
        let (served, client) = (served.clone(), client.clone());
        tokio::spawn(async move {
            let chunks = futures_util::stream::iter(0..64).then(|_| async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Ok::<_, std::io::Error>(vec![b'a'; 64 * 1024])
            });
            let part = Part::stream(Body::wrap_stream(chunks)).file_name("slow.txt");
            let response = client
                .post(served.url("/rpc/files/upload"))
                .header(header::ACCEPT, "application/json")
                .multipart(Form::new().part("file", part))
                .send()
                .await;
            (response.map(|r| r.status()), Instant::now())
        })
    };
    tokio::time::sleep(Duration::from_millis(600)).await;

    // Act: SIGTERM in the middle of it all.
    let signalled = Instant::now();
    served.terminate();
    // Readiness turns at once, well before the delay is over.
    let mut turned = None;
    while signalled.elapsed() < readiness_delay {
        if client.get(served.url("/health/ready")).send().await.is_ok_and(|r| r.status() == 503) {
            turned = Some(signalled.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    for client in load {
        client.await.unwrap();
    }
    let (slow_status, slow_done) = slow.await.unwrap();
    let mut served = Arc::into_inner(served).expect("no client holds the server any more");
    let status = served.exit_within(Duration::from_secs(25)).await;
    let took = signalled.elapsed();

    // Assert.
    let sent = sent.load(Ordering::SeqCst);
    println!("{sent} requests sent under load; exited {took:?} after SIGTERM; readiness turned after {turned:?}");
    assert!(turned.is_some(), "readiness did not answer 503 within the readiness delay");
    assert_eq!(failed.load(Ordering::SeqCst), 0, "failed requests (see stderr)");
    assert!(sent > CLIENTS * 5, "too little load to mean anything: {sent}");
    assert_eq!(slow_status.expect("the slow upload got an answer"), 201, "the slow upload in flight completed");
    assert!(
        slow_done > signalled + readiness_delay,
        "the slow upload ended before new connections were refused: it tested no drain"
    );
    assert!(status.success(), "exit status {status:?}");
    assert!(took < Duration::from_secs(20), "took {took:?}");

    // Every upload's job either ran or waits, queued, for the next start: none is left claimed by
    // a process that is gone.
    let db = Database::connect(format!("sqlite://{}?mode=rw", served.database.display())).await.unwrap();
    let count = |sql: &'static str| {
        let db = db.clone();
        async move {
            let row = db.query_one(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
            row.try_get_by_index::<i64>(0).unwrap()
        }
    };
    assert_eq!(count("SELECT COUNT(*) FROM files").await, 6);
    assert_eq!(count("SELECT COUNT(*) FROM jobs WHERE state = 'running'").await, 0, "a job left claimed");
    let unprocessed = count("SELECT COUNT(*) FROM files WHERE processed_at IS NULL").await;
    let waiting = count("SELECT COUNT(*) FROM jobs WHERE state = 'queued' AND kind = 'files.process'").await;
    assert!(unprocessed <= waiting, "{unprocessed} files unprocessed but only {waiting} jobs queued for them");
    println!("{} of 6 files processed before exit; {waiting} jobs wait for redelivery", 6 - unprocessed);
}

/// A migrated SQLite database in `data_dir`, its services opened in this process as a command
/// opens them, and a user signed up in it: for tests that queue work for a `smartai worker`.
async fn opened_with_a_user(data_dir: &str) -> (String, domain::Services, domain::Actor) {
    use domain::{
        accounts::{Locale, SignUp},
        sessions::ClientInfo,
    };
    use server::{cli::Cli, startup::open_services};

    let database_url = format!("sqlite://{data_dir}/app.db?mode=rwc");
    let cli = Cli::try_parse_from(["smartai", "--database-url", &database_url, "--data-dir", data_dir]).unwrap();
    server::migrate::up_at(&cli.domain.database).await.unwrap();
    let services = open_services(&cli.domain).await.unwrap();
    let input = SignUp { email: "worker@example.com", password: PASSWORD, display_name: None, locale: Locale::En };
    let (_, token) = services.accounts.sign_up(input, &ClientInfo::default()).await.unwrap();
    let actor = services.sessions.resolve(&token).await.unwrap().actor;
    (database_url, services, actor)
}

/// `smartai worker` on SIGTERM: the jobs it is running finish within `SHUTDOWN_TIMEOUT`; with no
/// time left they are handed back to the queue untouched, for the next worker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_worker_finish_its_jobs_or_hand_them_back() {
    const RUNNING: &str = "SELECT COUNT(*) FROM jobs WHERE state = 'running' AND kind = 'files.process'";

    // Arrange: uploads (each commits its processing job) made in this process.
    let data_dir = tempfile::tempdir().unwrap();
    let data = data_dir.path().to_str().unwrap();
    let (database_url, services, actor) = opened_with_a_user(data).await;
    let upload = async |i: u32| {
        let bytes = bytes::Bytes::from(crate::chaos::png(i));
        let body = futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes) });
        services.files.upload(&actor, &format!("photo-{i}.png"), body).await.unwrap();
    };
    let db = services.jobs.database().clone();
    let count = async |sql: &str| {
        let statement = Statement::from_string(db.get_database_backend(), sql.to_owned());
        db.query_one(statement).await.unwrap().unwrap().try_get_by_index::<i64>(0).unwrap()
    };
    let run_worker_until_busy_then_terminate = async |timeout: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_smartai"))
            .arg("worker")
            .env("DATABASE_URL", &database_url)
            .env("DATA_DIR", data)
            .env("SHUTDOWN_TIMEOUT", timeout)
            .env("RUST_LOG", "error")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while count(RUNNING).await == 0 {
            assert!(started.elapsed() < Duration::from_secs(30), "the worker claimed no job");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let running = count(RUNNING).await;
        std::process::Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "the worker did not stop");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        (running, status)
    };

    // Act and assert: with time to finish, what runs at SIGTERM finishes.
    for i in 0..2 {
        upload(i).await;
    }
    let (running, status) = run_worker_until_busy_then_terminate("60s").await;
    assert!(status.success(), "{status:?}");
    let processed = count("SELECT COUNT(*) FROM files WHERE processed_at IS NOT NULL").await;
    assert!(processed >= running, "{running} jobs were running at SIGTERM but only {processed} files are processed");
    assert_eq!(count(RUNNING).await, 0);

    // With no time, the running job goes back to the queue as it was, and nothing half-done stays.
    let before = count("SELECT COUNT(*) FROM files WHERE processed_at IS NOT NULL").await;
    upload(7).await;
    let (_, status) = run_worker_until_busy_then_terminate("0s").await;
    assert!(status.success(), "{status:?}");
    assert_eq!(count(RUNNING).await, 0, "a job left claimed");
    let after = count("SELECT COUNT(*) FROM files WHERE processed_at IS NOT NULL").await;
    let queued = count(
        "SELECT COUNT(*) FROM jobs WHERE kind = 'files.process' AND state = 'queued' AND attempts = 0 \
         AND locked_by IS NULL",
    )
    .await;
    assert!(queued >= 1, "the job running at SIGTERM was not handed back");
    assert_eq!((after - before) + queued, 1 + (2 - processed), "every file is processed or its job waits, untouched");
    println!("worker drain: {running} running at SIGTERM finished; with a zero timeout {queued} handed back");
    services.close().await;
}

/// `smartai worker` with `WORKER_METRICS_ADDR` serves the counters of the jobs it ran.
#[tokio::test]
async fn the_worker_reports_the_jobs_it_ran_at_its_metrics_address() {
    let data_dir = tempfile::tempdir().unwrap();
    let data = data_dir.path().to_str().unwrap();
    let (database_url, services, actor) = opened_with_a_user(data).await;
    let bytes = bytes::Bytes::from(crate::chaos::png(1));
    let body = futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes) });
    services.files.upload(&actor, "photo.png", body).await.unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_smartai"))
        .arg("worker")
        .env("DATABASE_URL", &database_url)
        .env("DATA_DIR", data)
        .env("WORKER_METRICS_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let text = loop {
        let scraped = reqwest::get(format!("http://127.0.0.1:{port}/metrics")).await;
        if let Ok(response) = scraped {
            let text = response.text().await.unwrap();
            if text.lines().any(|l| l.starts_with("jobs_succeeded_total") && l.contains("files.process")) {
                break text;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(30), "no jobs_succeeded_total for files.process");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    std::process::Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    let status = child.wait().unwrap();

    assert!(status.success(), "{status:?}");
    assert!(text.contains("job_duration_seconds_bucket"), "{text}");
    services.close().await;
}
