//! Rate limits: per address and per account, per route group, in process or shared through
//! Redis; the RateLimit-* headers, 429 with Retry-After, the metrics, fail-open when Redis goes
//! away, and a load test at ten times the allowed rate.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use reqwest::{Client, Response, StatusCode, header};
use serde_json::Value;
use tokio::{net::TcpListener, task::JoinHandle};

use crate::{
    cli::{smartai, stderr},
    helpers::{Backend, Options, TestApp, browser, spawn_app_with, unique_email},
};

fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A Redis key prefix no other test uses.
fn unique_prefix() -> String {
    format!("smartai-test-{}:", uuid::Uuid::new_v4().simple())
}

/// An app with these settings (flag, value pairs), on SQLite: the limiter does not touch the
/// database.
async fn spawn(settings: &[(&str, &str)]) -> TestApp {
    let extra = settings.iter().flat_map(|(k, v)| [k.to_string(), v.to_string()]).collect();
    spawn_app_with(Backend::Sqlite, Options { extra, ..Options::default() }).await
}

async fn spawn_on_redis(prefix: &str, settings: &[(&str, &str)]) -> TestApp {
    let url = redis_url();
    let mut all = vec![("--redis-url", url.as_str()), ("--redis-prefix", prefix)];
    all.extend_from_slice(settings);
    spawn(&all).await
}

fn number(response: &Response, name: &str) -> u64 {
    let value = response.headers().get(name).unwrap_or_else(|| panic!("no {name} header"));
    value.to_str().unwrap().parse().unwrap_or_else(|_| panic!("{name}: {value:?}"))
}

/// `RateLimit-Limit`, `-Remaining`, `-Reset` of a response.
fn rate_limit(response: &Response) -> (u64, u64, u64) {
    (number(response, "ratelimit-limit"), number(response, "ratelimit-remaining"), number(response, "ratelimit-reset"))
}

/// The value of the first metric line starting with `prefix`; 0 when there is none.
async fn metric(app: &TestApp, prefix: &str) -> f64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    text.lines().find(|l| l.starts_with(prefix)).and_then(|l| l.rsplit(' ').next()?.parse().ok()).unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_process_limits_per_address_with_headers_and_retry_after() {
    let app = spawn(&[("--rate-limit-pages-ip", "2/1s")]).await;

    let first = app.get("/").await;
    assert_eq!(first.status(), 200);
    assert_eq!(rate_limit(&first), (2, 1, 1));
    let second = app.get("/").await;
    assert_eq!(second.status(), 200);
    assert_eq!(rate_limit(&second), (2, 0, 1));

    let refused = app.get("/").await;
    assert_eq!(refused.status(), 429);
    assert_eq!(rate_limit(&refused), (2, 0, 1));
    let retry_after = number(&refused, "retry-after");
    assert_eq!(retry_after, 1);
    assert!(refused.text().await.unwrap().contains("Too many requests"));
    // Health, metrics and the front end's files are never limited.
    for path in ["/health/live", "/health/ready", "/metrics"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.headers().get("ratelimit-limit").is_none(), "{path}");
    }

    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    let again = app.get("/").await;
    assert_eq!(again.status(), 200);
    assert_eq!(rate_limit(&again), (2, 1, 1));
    assert!(metric(&app, r#"http_rate_limited_total{group="pages",scope="ip"}"#).await >= 1.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_speak_each_door_s_language() {
    let app = spawn(&[("--rate-limit-rpc-ip", "1/1min"), ("--rate-limit-api-ip", "1/1min")]).await;

    // Server functions: the typed error the UI shows as "try again in N seconds".
    app.get_rpc_with(&app.client, "account/me").await;
    let refused = app.get_rpc_with(&app.client, "account/me").await;
    assert_eq!(refused.status(), 429);
    let retry_after = number(&refused, "retry-after");
    assert!((59..=60).contains(&retry_after), "{retry_after}");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body, serde_json::json!({ "code": "too_many_attempts", "retry_after": retry_after }));
    // A browser posting a form without JavaScript reads a line of text.
    let refused = app.client.get(app.url("/rpc/account/me")).send().await.unwrap();
    assert_eq!(refused.status(), 429);
    assert!(refused.text().await.unwrap().starts_with("Too many requests. Try again in"));

    // The REST API: its error object, with the request id.
    app.get("/api/v1/anything").await;
    let refused = app.get("/api/v1/anything").await;
    assert_eq!(refused.status(), 429);
    let request_id = refused.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    assert_eq!(body["error"]["request_id"], request_id.as_str());
    assert_eq!(body["error"]["fields"], serde_json::json!({}));
    assert!(body["error"]["message"].as_str().unwrap().starts_with("Too many requests. Try again in"), "{body}");

    // Each group counts apart: pages are still open.
    assert_eq!(app.get("/").await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_account_has_its_own_count_whatever_the_address() {
    let app = spawn(&[("--rate-limit-rpc-ip", "100/1min"), ("--rate-limit-rpc-user", "2/1min")]).await;
    let (alice, bob) = (browser(), browser());
    assert_eq!(app.sign_up_with(&alice, &unique_email()).await.status(), 200);
    assert_eq!(app.sign_up_with(&bob, &unique_email()).await.status(), 200);

    for remaining in [1, 0] {
        let response = app.get_rpc_with(&alice, "account/me").await;
        assert_eq!(response.status(), 200);
        assert_eq!(rate_limit(&response).1, remaining);
    }
    assert_eq!(app.get_rpc_with(&alice, "account/me").await.status(), 429);

    // Same address, another account: its own count (the address limit is far away).
    let response = app.get_rpc_with(&bob, "account/me").await;
    assert_eq!(response.status(), 200);
    assert_eq!(rate_limit(&response), (2, 1, 60));
    // Anonymous callers only count against the address.
    let anonymous = app.get_rpc_with(&browser(), "account/me").await;
    assert_eq!(rate_limit(&anonymous).0, 100);
    assert!(metric(&app, r#"http_rate_limited_total{group="rpc",scope="user"}"#).await >= 1.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_instances_share_their_counts() {
    let prefix = unique_prefix();
    let settings = [("--rate-limit-pages-ip", "3/2s")];
    let (one, two) = tokio::join!(spawn_on_redis(&prefix, &settings), spawn_on_redis(&prefix, &settings));

    assert_eq!(rate_limit(&one.get("/").await), (3, 2, 2));
    assert_eq!(rate_limit(&one.get("/").await), (3, 1, 2));
    // The second instance sees the first's requests.
    let response = two.get("/").await;
    assert_eq!(response.status(), 200);
    assert_eq!(rate_limit(&response).1, 0);
    let refused = two.get("/").await;
    assert_eq!(refused.status(), 429);
    assert_eq!(one.get("/").await.status(), 429);

    let mut redis = redis::Client::open(redis_url()).unwrap().get_multiplexed_async_connection().await.unwrap();
    let count: u64 =
        redis::cmd("GET").arg(format!("{prefix}ratelimit:pages:ip:127.0.0.1")).query_async(&mut redis).await.unwrap();
    assert_eq!(count, 5);

    tokio::time::sleep(Duration::from_secs(number(&refused, "retry-after"))).await;
    assert_eq!(two.get("/").await.status(), 200);
    assert_eq!(one.get("/").await.status(), 200);
}

/// A TCP proxy in front of Redis that can be cut.
struct Proxy {
    url: String,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("redis://{}", listener.local_addr().unwrap());
        let target = redis_url().trim_start_matches("redis://").trim_end_matches('/').to_owned();
        let tasks = Arc::new(Mutex::new(Vec::new()));
        let spawned = tasks.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                let pipe = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                spawned.lock().unwrap().push(pipe);
            }
        });
        tasks.lock().unwrap().push(accept);
        Self { url, tasks }
    }

    /// Closes the listener and every connection: Redis is gone for the app.
    fn cut(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_redis_lets_requests_through_and_is_counted() {
    let proxy = Proxy::start().await;
    let app = spawn(&[
        ("--redis-url", proxy.url.as_str()),
        ("--redis-prefix", &unique_prefix()),
        ("--rate-limit-pages-ip", "1/1min"),
    ])
    .await;
    assert_eq!(app.get("/").await.status(), 200);
    assert_eq!(app.get("/").await.status(), 429);

    // Read from the recorder of this process: /metrics itself waits on Redis for the queue's
    // gauges.
    let store_errors = || {
        let text = server::metrics::handle().render();
        text.lines()
            .find(|l| l.starts_with("http_rate_limit_store_errors_total"))
            .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let errors_before = store_errors();
    proxy.cut();
    for _ in 0..3 {
        let started = Instant::now();
        let response = app.get("/").await;
        assert_eq!(response.status(), 200);
        assert!(response.headers().get("ratelimit-limit").is_none());
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    }
    assert!(store_errors() >= errors_before + 3.0);
}

#[test]
fn a_bad_limit_stops_start_up_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    for (name, value) in [("RATE_LIMIT_AUTH_USER", "abc"), ("RATE_LIMIT_PAGES_IP", "10/fortnights")] {
        let output = smartai(dir.path(), &["serve"], &[(name, value)], None);

        assert_eq!(output.status.code(), Some(2));
        let err = stderr(&output);
        assert!(err.contains(name) && err.contains(&format!("`{value}` is not N/PERIOD")), "{err}");
    }
}

/// What a load run saw.
#[derive(Debug, Default)]
struct Figures {
    sent: u64,
    ok: u64,
    limited: u64,
    server_errors: u64,
    other: u64,
    /// 429s without a Retry-After of the window's length, or answers without RateLimit-* headers.
    malformed: u64,
    elapsed: Duration,
    /// Until the last answer came back: the span of server time the requests were judged in.
    answered: Duration,
}

/// Sends `rate` requests a second for `duration`, spread over the apps in turn, each request on
/// its own task (the sender never waits for answers), and sorts the answers.
async fn load(apps: &[&TestApp], path: &str, rate: u32, duration: Duration) -> Figures {
    let client = Client::builder().pool_max_idle_per_host(256).timeout(Duration::from_secs(10)).build().unwrap();
    let total = (f64::from(rate) * duration.as_secs_f64()) as u64;
    let mut ticks = tokio::time::interval(Duration::from_secs(1) / rate);
    let mut answers = tokio::task::JoinSet::new();
    let started = Instant::now();
    for i in 0..total {
        ticks.tick().await;
        let request = client.get(apps[i as usize % apps.len()].url(path));
        answers.spawn(async move { request.send().await });
    }
    let sending = started.elapsed();
    let mut figures = Figures { sent: total, elapsed: sending, ..Figures::default() };
    while let Some(answer) = answers.join_next().await {
        let response = answer.unwrap().expect("every request gets an answer");
        let has_headers = ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"]
            .iter()
            .all(|h| response.headers().contains_key(*h));
        match response.status() {
            s if s.is_success() => figures.ok += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                figures.limited += 1;
                if response.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()) != Some("1") {
                    figures.malformed += 1;
                }
            }
            s if s.is_server_error() => figures.server_errors += 1,
            _ => figures.other += 1,
        }
        if !has_headers {
            figures.malformed += 1;
        }
    }
    figures.answered = started.elapsed();
    figures
}

/// At ten times the allowed rate for 3 s: no 5xx, and no more than the allowed number per window
/// gets through. Windows are fixed and open at the first request after the last one ended, so
/// requests judged over a span of d seconds meet at most floor(d) + 1 windows; d is at most the
/// time until the last answer (on a busy machine the server may lag behind the sender). At least
/// two windows' worth always gets through.
async fn holds_at_ten_times_the_allowed_rate(apps: &[&TestApp], label: &str) {
    const LIMIT: u64 = 50;
    let figures = load(apps, "/rpc/auth/providers", 10 * LIMIT as u32, Duration::from_secs(3)).await;
    let rate = figures.sent as f64 / figures.elapsed.as_secs_f64();
    println!(
        "rate limit load test ({label}): limit {LIMIT}/s; sent {} in {:.2?} ({rate:.0} req/s), last answer after {:.2?}; 2xx {}, 429 {}, 5xx {}, other {}",
        figures.sent,
        figures.elapsed,
        figures.answered,
        figures.ok,
        figures.limited,
        figures.server_errors,
        figures.other
    );
    assert_eq!(figures.server_errors, 0, "{figures:?}");
    assert_eq!(figures.other, 0, "{figures:?}");
    assert_eq!(figures.malformed, 0, "{figures:?}");
    assert_eq!(figures.ok + figures.limited, figures.sent);
    assert!(rate >= 8.0 * LIMIT as f64, "the sender reached only {rate:.0} req/s");
    let windows = figures.answered.as_secs() + 1;
    assert!((2 * LIMIT..=windows * LIMIT).contains(&figures.ok), "at most {windows} windows: {figures:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_process_the_limit_holds_at_ten_times_the_allowed_rate() {
    let app = spawn(&[("--rate-limit-auth-ip", "50/s")]).await;
    holds_at_ten_times_the_allowed_rate(&[&app], "in process").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_the_limit_holds_at_ten_times_the_allowed_rate_across_two_instances() {
    let prefix = unique_prefix();
    let settings = [("--rate-limit-auth-ip", "50/s")];
    let (one, two) = tokio::join!(spawn_on_redis(&prefix, &settings), spawn_on_redis(&prefix, &settings));
    holds_at_ten_times_the_allowed_rate(&[&one, &two], "Redis, two instances").await;
}
