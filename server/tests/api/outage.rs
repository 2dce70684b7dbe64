//! A dependency goes away under load: a TCP proxy between the app and PostgreSQL (and Redis) is
//! cut (new connections refused, open ones closed), then restored. Readiness must say so fast and
//! name it, signed-in requests must fail fast with 503 and `Retry-After` instead of hanging,
//! liveness must not care, and everything must come back by itself.

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use reqwest::{Client, StatusCode, header};
use serde_json::Value;
use server::{cli::Cli, startup::Application};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::{Mutex, watch},
    task::JoinHandle,
};

use crate::helpers::{SECRET_KEYS, browser, create_postgres_database, s3_endpoint, s3_settings, signed_up_at};

/// Forwards 127.0.0.1:port to `target` until cut; a cut proxy refuses connections (nothing
/// listens on its port) and has closed every connection it carried.
struct Proxy {
    address: SocketAddr,
    target: SocketAddr,
    running: Mutex<Option<(watch::Sender<bool>, JoinHandle<()>)>>,
}

impl Proxy {
    async fn start(target: SocketAddr) -> Arc<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = Arc::new(Self { address: listener.local_addr().unwrap(), target, running: Mutex::new(None) });
        proxy.serve(listener).await;
        proxy
    }

    async fn serve(&self, listener: TcpListener) {
        let (cut, cut_rx) = watch::channel(false);
        let target = self.target;
        let accepting = tokio::spawn(async move {
            let mut stop = cut_rx.clone();
            loop {
                let (inbound, _) = tokio::select! {
                    accepted = listener.accept() => match accepted { Ok(c) => c, Err(_) => continue },
                    _ = stop.changed() => return,
                };
                let mut stop = cut_rx.clone();
                tokio::spawn(async move {
                    let Ok(outbound) = TcpStream::connect(target).await else { return };
                    let (mut inbound, mut outbound) = (inbound, outbound);
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = stop.changed() => {}
                    }
                });
            }
        });
        *self.running.lock().await = Some((cut, accepting));
    }

    async fn cut(&self) {
        if let Some((cut, accepting)) = self.running.lock().await.take() {
            let _ = cut.send(true);
            let _ = accepting.await;
        }
    }

    async fn restore(&self) {
        let listener = TcpListener::bind(self.address).await.expect("the proxy's port again");
        self.serve(listener).await;
    }
}

fn socket(url: &str, default_port: u16) -> SocketAddr {
    let url = url::Url::parse(url).unwrap();
    let host = url.host_str().unwrap().replace("localhost", "127.0.0.1");
    format!("{host}:{}", url.port().unwrap_or(default_port)).parse().unwrap()
}

fn through(url: &str, proxy: &Proxy) -> String {
    let mut url = url::Url::parse(url).unwrap();
    url.set_host(Some("127.0.0.1")).unwrap();
    url.set_port(Some(proxy.address.port())).unwrap();
    url.to_string()
}

/// What one signed-in request under load saw: status, `Retry-After`, how long it took.
type Seen = (StatusCode, Option<String>, Duration);

struct Probe {
    status: StatusCode,
    body: Value,
    took: Duration,
}

async fn probe(client: &Client, url: &str) -> Probe {
    let started = Instant::now();
    let response = client.get(url).send().await.expect("an answer");
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    Probe { status, body, took: started.elapsed() }
}

/// Polls readiness until it answers `want`; every answer must come within `each`. Returns the
/// answer and how long after `since` it came.
async fn ready_becomes(
    client: &Client,
    url: &str,
    want: StatusCode,
    each: Duration,
    limit: Duration,
) -> (Probe, Duration) {
    let since = Instant::now();
    loop {
        let answer = probe(client, url).await;
        assert!(answer.took < each, "readiness took {:?} to answer ({} {})", answer.took, answer.status, answer.body);
        if answer.status == want {
            return (answer, since.elapsed());
        }
        assert!(since.elapsed() < limit, "readiness still {} {} after {limit:?}", answer.status, answer.body);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dependency_outage_makes_readiness_fail_fast_and_requests_fail_fast_then_recover() {
    // Arrange: the app reaches PostgreSQL and Redis through proxies; a signed-in user.
    let database_url = create_postgres_database().await;
    let redis_url = std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let postgres = Proxy::start(socket(&database_url, 5432)).await;
    let redis = Proxy::start(socket(&redis_url, 6379)).await;
    let data_dir = tempfile::tempdir().unwrap();
    let prefix = format!("smartai-test:{}:", uuid::Uuid::new_v4().simple());
    let cli = Cli::try_parse_from([
        "smartai",
        "--database-url",
        &through(&database_url, &postgres),
        "--redis-url",
        &through(&redis_url, &redis),
        "--redis-prefix",
        &prefix,
        "--data-dir",
        data_dir.path().to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--secret-keys",
        SECRET_KEYS,
        "--migrate-on-start",
        "true",
        "--no-in-process-worker",
        "--rate-limit-rpc-ip",
        "off",
        "--rate-limit-rpc-user",
        "off",
        "--rate-limit-pages-ip",
        "off",
        "--rate-limit-auth-ip",
        "off",
        "serve",
    ])
    .unwrap();
    let app = Application::build(&cli.domain, &cli.server).await.expect("the app builds");
    let base = format!("http://{}", app.address());
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    let (ready, live, me) =
        (format!("{base}/health/ready"), format!("{base}/health/live"), format!("{base}/rpc/account/me"));
    let user = signed_up_at(&base).await;
    assert_eq!(user.get(&me).header(header::ACCEPT, "application/json").send().await.unwrap().status(), 200);
    let answer = probe(&user, &ready).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["checks"]["database"], "ok");
    assert_eq!(answer.body["checks"]["redis"], "ok");

    // Load: signed-in requests all through the outage; none may hang.
    let stop = Arc::new(AtomicBool::new(false));
    let load: Vec<JoinHandle<Vec<Seen>>> = (0..6)
        .map(|_| {
            let (user, me, stop) = (user.clone(), me.clone(), stop.clone());
            tokio::spawn(async move {
                let mut seen = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let response = user.get(&me).header(header::ACCEPT, "application/json").send().await.unwrap();
                    let retry_after =
                        response.headers().get(header::RETRY_AFTER).map(|v| v.to_str().unwrap().to_owned());
                    seen.push((response.status(), retry_after, started.elapsed()));
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                seen
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Act 1: PostgreSQL goes away.
    postgres.cut().await;

    // Assert 1: readiness turns 503 naming the database (each answer fast; the turn within two
    // checks a second apart, the first late answer being only `slow`, plus the cache's second); a
    // signed-in request fails fast with Retry-After; liveness is fine.
    let (down, after) = ready_becomes(
        &user,
        &ready,
        StatusCode::SERVICE_UNAVAILABLE,
        Duration::from_millis(500),
        Duration::from_secs(4),
    )
    .await;
    println!("database cut: readiness 503 after {after:?}, that answer took {:?}: {}", down.took, down.body);
    assert_eq!(down.body["failed"], serde_json::json!(["database"]), "{}", down.body);
    let mut slowest = Duration::ZERO;
    for _ in 0..5 {
        let answer = probe(&user, &ready).await;
        slowest = slowest.max(answer.took);
        assert_eq!(answer.status, 503);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!("readiness with PostgreSQL down: slowest answer {slowest:?}");
    assert!(slowest < Duration::from_millis(500), "{slowest:?}");
    let started = Instant::now();
    let refused = user.get(&me).header(header::ACCEPT, "application/json").send().await.unwrap();
    let took = started.elapsed();
    println!("a signed-in request with PostgreSQL down: {} in {took:?}", refused.status());
    assert_eq!(refused.status(), 503);
    assert!(refused.headers().contains_key(header::RETRY_AFTER));
    assert!(took < Duration::from_millis(2_500), "{took:?}");
    let alive = probe(&user, &live).await;
    assert_eq!(alive.status, 200);
    assert!(alive.took < Duration::from_millis(200), "{:?}", alive.took);

    // Act 2: PostgreSQL comes back.
    postgres.restore().await;

    // Assert 2: ready again within a few seconds, and requests succeed.
    let (_, after) =
        ready_becomes(&user, &ready, StatusCode::OK, Duration::from_millis(500), Duration::from_secs(8)).await;
    println!("database restored: readiness 200 after {after:?}");
    stop.store(true, Ordering::Relaxed);
    let mut seen = Vec::new();
    for task in load {
        seen.extend(task.await.unwrap());
    }
    let slowest = seen.iter().map(|(_, _, took)| *took).max().unwrap();
    assert!(slowest < Duration::from_secs(3), "a request hung for {slowest:?}");
    for (status, retry_after, _) in &seen {
        assert!(
            *status == 200 || (*status == 503 && retry_after.as_deref() == Some("2")),
            "under load: {status} (Retry-After {retry_after:?})"
        );
    }
    assert!(seen.iter().any(|(status, _, _)| *status == 503), "no request saw the outage");
    assert_eq!(user.get(&me).header(header::ACCEPT, "application/json").send().await.unwrap().status(), 200);

    // Act 3 and Assert 3: the same for Redis.
    redis.cut().await;
    let (down, after) = ready_becomes(
        &user,
        &ready,
        StatusCode::SERVICE_UNAVAILABLE,
        Duration::from_millis(500),
        Duration::from_secs(3),
    )
    .await;
    println!("redis cut: readiness 503 after {after:?}, that answer took {:?}: {}", down.took, down.body);
    assert_eq!(down.body["failed"], serde_json::json!(["redis"]), "{}", down.body);
    assert_eq!(probe(&user, &live).await.status, 200);
    // Signed-in pages need only the database: they keep working, without waiting on Redis.
    let started = Instant::now();
    let without_redis = user.get(&me).header(header::ACCEPT, "application/json").send().await.unwrap();
    assert_eq!(without_redis.status(), 200, "{}", without_redis.text().await.unwrap());
    assert!(started.elapsed() < Duration::from_millis(1_000), "{:?}", started.elapsed());
    redis.restore().await;
    let (_, after) =
        ready_becomes(&user, &ready, StatusCode::OK, Duration::from_millis(500), Duration::from_secs(10)).await;
    println!("redis restored: readiness 200 after {after:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_s3_outage_makes_readiness_name_storage_then_recover() {
    // Arrange: the app stores files in S3 (the test server at TEST_S3_ENDPOINT) through a proxy.
    let endpoint = s3_endpoint();
    let s3 = Proxy::start(socket(&endpoint, 80)).await;
    let data_dir = tempfile::tempdir().unwrap();
    let database = data_dir.path().join("app.db");
    let cli = Cli::try_parse_from(
        [
            "smartai".to_owned(),
            "--database-url".into(),
            format!("sqlite://{}?mode=rwc", database.display()),
            "--data-dir".into(),
            data_dir.path().to_str().unwrap().into(),
            "--listen".into(),
            "127.0.0.1:0".into(),
            "--secret-keys".into(),
            SECRET_KEYS.into(),
        ]
        .into_iter()
        .chain(s3_settings("ready", through(&endpoint, &s3).trim_end_matches('/')))
        .chain(["serve".to_owned()]),
    )
    .unwrap();
    let app = Application::build(&cli.domain, &cli.server).await.expect("the app builds");
    let ready = format!("http://{}/health/ready", app.address());
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    let client = browser();
    let answer = probe(&client, &ready).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["checks"]["storage"], "ok");

    // Act and Assert: cut, 503 naming storage (fast); restored, 200 again.
    s3.cut().await;
    let (down, after) = ready_becomes(
        &client,
        &ready,
        StatusCode::SERVICE_UNAVAILABLE,
        Duration::from_millis(500),
        Duration::from_secs(4),
    )
    .await;
    println!("S3 cut: readiness 503 after {after:?}, that answer took {:?}: {}", down.took, down.body);
    assert_eq!(down.body["failed"], serde_json::json!(["storage"]), "{}", down.body);
    s3.restore().await;
    let (_, after) =
        ready_becomes(&client, &ready, StatusCode::OK, Duration::from_millis(500), Duration::from_secs(10)).await;
    println!("S3 restored: readiness 200 after {after:?}");
}
