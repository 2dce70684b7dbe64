//! Prometheus metrics: every metric name lives here.

use std::{
    sync::OnceLock,
    time::{Duration, Instant},
};

use axum::{
    extract::{MatchedPath, Request},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const HTTP_REQUESTS_TOTAL: &str = "http_requests_total";
pub const HTTP_REQUEST_DURATION_SECONDS: &str = "http_request_duration_seconds";
pub const CSRF_REFUSED_TOTAL: &str = "http_csrf_refused_total";
/// Counted in `domain::accounts::throttle`, labelled `reason`.
pub const AUTH_FAILURES_TOTAL: &str = "auth_failures_total";
/// Counted in `domain::accounts::throttle`, labelled `scope`.
pub const AUTH_LOCKOUTS_TOTAL: &str = "auth_lockouts_total";
/// Counted in `rate_limit`, labelled `group` and `scope`.
pub const RATE_LIMITED_TOTAL: &str = "http_rate_limited_total";
pub const RATE_LIMIT_STORE_ERRORS_TOTAL: &str = "http_rate_limit_store_errors_total";

/// The process-wide recorder (one per process, however many apps a test starts).
pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full(HTTP_REQUEST_DURATION_SECONDS.into()),
                    &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
                )
                .expect("bucket list is not empty")
                .install_recorder()
                .expect("no other metrics recorder is installed");
            metrics::describe_counter!(HTTP_REQUESTS_TOTAL, "HTTP requests by method, route template and status.");
            metrics::describe_histogram!(
                HTTP_REQUEST_DURATION_SECONDS,
                metrics::Unit::Seconds,
                "HTTP request latency by method, route template and status."
            );
            metrics::describe_counter!(CSRF_REFUSED_TOTAL, "State-changing requests refused as cross-site.");
            metrics::describe_counter!(
                AUTH_FAILURES_TOTAL,
                "Failed sign-ins by reason: bad_credentials (checked and wrong), throttled (refused while locked out)."
            );
            metrics::describe_counter!(
                AUTH_LOCKOUTS_TOTAL,
                "Bursts of failed sign-ins that reached the lock-out threshold, by scope (account, ip)."
            );
            metrics::describe_counter!(
                RATE_LIMITED_TOTAL,
                "Requests refused with 429 by the rate limiter, by route group and scope (ip, user)."
            );
            metrics::describe_counter!(
                RATE_LIMIT_STORE_ERRORS_TOTAL,
                "Rate limit checks the store (Redis) failed to answer; those requests were let through."
            );
            let upkeep = handle.clone();
            std::thread::spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_secs(5));
                    upkeep.run_upkeep();
                }
            });
            handle
        })
        .clone()
}

/// The route label of requests no route matched (static files and the 404 page).
#[derive(Clone, Copy)]
pub struct FallbackRoute(pub &'static str);

/// Counts and times each request by its route template, never the raw path (bounded labels).
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = match request.extensions().get::<MatchedPath>() {
        Some(path) => path.as_str().to_owned(),
        None => request.extensions().get::<FallbackRoute>().map_or("fallback", |r| r.0).to_owned(),
    };
    let response = next.run(request).await;
    let route = response.extensions().get::<FallbackRoute>().map_or(route, |r| r.0.to_owned());
    let labels = [("method", method), ("route", route), ("status", response.status().as_u16().to_string())];
    metrics::counter!(HTTP_REQUESTS_TOTAL, &labels).increment(1);
    metrics::histogram!(HTTP_REQUEST_DURATION_SECONDS, &labels).record(started.elapsed().as_secs_f64());
    response
}

/// The Prometheus text. Queue gauges are read at scrape time, so every instance reports the
/// shared queue as it is now.
pub async fn render(axum::extract::State(services): axum::extract::State<domain::Services>) -> impl IntoResponse {
    match services.jobs.depth().await {
        Ok(depths) => {
            for depth in depths {
                metrics::gauge!("jobs_queue_depth", "queue" => depth.queue).set(depth.waiting as f64);
            }
        }
        Err(err) => tracing::warn!(error = %err, "could not measure the job queue"),
    }
    if let Ok(dead) = services.jobs.dead().await {
        metrics::gauge!("jobs_dead").set(dead.len() as f64);
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle().render())
}
