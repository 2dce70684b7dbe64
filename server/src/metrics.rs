//! Prometheus metrics: the recorder, what `/metrics` describes and measures at each scrape, and
//! the request counter. The names are in `domain::metric_names`.

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
use domain::metric_names::{
    ASSISTANT_ERRORS_TOTAL, ASSISTANT_REQUEST_DURATION_SECONDS, ASSISTANT_REQUESTS_TOTAL, ASSISTANT_TOKENS_TOTAL,
    AUTH_FAILURES_TOTAL, AUTH_LOCKOUTS_TOTAL, BACKUP_DURATION_SECONDS, BACKUP_LAST_SUCCESS_TIMESTAMP_SECONDS,
    CSRF_REFUSED_TOTAL, HTTP_REQUEST_DURATION_SECONDS, HTTP_REQUESTS_TOTAL, JOB_DURATION_SECONDS, JOBS_DEAD,
    JOBS_QUEUE_DEPTH, RATE_LIMIT_STORE_ERRORS_TOTAL, RATE_LIMITED_TOTAL, STORAGE_LOCAL_FREE_BYTES,
    STORAGE_LOCAL_TOTAL_BYTES,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

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
                // A histogram, not the exporter's default summary: quantiles across kinds and
                // instances can only be computed from buckets (the jobs dashboard does).
                .set_buckets_for_metric(
                    Matcher::Full(JOB_DURATION_SECONDS.into()),
                    &[0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0],
                )
                .expect("bucket list is not empty")
                // Answers stream for seconds to minutes, not milliseconds.
                .set_buckets_for_metric(
                    Matcher::Full(ASSISTANT_REQUEST_DURATION_SECONDS.into()),
                    &[0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0],
                )
                .expect("bucket list is not empty")
                // Backups take seconds to hours: buckets a dashboard can alert on growth with.
                .set_buckets_for_metric(
                    Matcher::Full(BACKUP_DURATION_SECONDS.into()),
                    &[1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0],
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
            metrics::describe_counter!(
                ASSISTANT_REQUESTS_TOTAL,
                "Assistant answers by provider and outcome (done, stopped by the user, failed)."
            );
            metrics::describe_histogram!(
                ASSISTANT_REQUEST_DURATION_SECONDS,
                metrics::Unit::Seconds,
                "Time from a question to the end of its answer, by provider."
            );
            metrics::describe_counter!(
                ASSISTANT_TOKENS_TOTAL,
                "Tokens the assistant read (in) and wrote (out), by provider; estimated when the provider does not say."
            );
            metrics::describe_counter!(
                ASSISTANT_ERRORS_TOTAL,
                "Assistant answers that failed, by provider and kind (unavailable, refused, interrupted, storage)."
            );
            metrics::describe_gauge!(
                STORAGE_LOCAL_FREE_BYTES,
                metrics::Unit::Bytes,
                "Space left for unprivileged writes on the file system of the local storage folder."
            );
            metrics::describe_gauge!(
                STORAGE_LOCAL_TOTAL_BYTES,
                metrics::Unit::Bytes,
                "Size of the file system of the local storage folder."
            );
            metrics::describe_gauge!(
                BACKUP_LAST_SUCCESS_TIMESTAMP_SECONDS,
                metrics::Unit::Seconds,
                "Unix time of the last scheduled backup that wrote its archive and pruned old ones."
            );
            metrics::describe_histogram!(
                BACKUP_DURATION_SECONDS,
                metrics::Unit::Seconds,
                "How long writing a scheduled backup archive took."
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
            for (queue, waiting) in queue_depths(depths) {
                metrics::gauge!(JOBS_QUEUE_DEPTH, "queue" => queue).set(waiting as f64);
            }
        }
        Err(err) => tracing::warn!(error = %err, "could not measure the job queue"),
    }
    if let Ok(dead) = services.jobs.dead().await {
        metrics::gauge!(JOBS_DEAD).set(dead.len() as f64);
    }
    if let Some(folder) = services.storage.local_folder() {
        match disk_space(folder) {
            Ok(space) => {
                metrics::gauge!(STORAGE_LOCAL_FREE_BYTES).set(space.free as f64);
                metrics::gauge!(STORAGE_LOCAL_TOTAL_BYTES).set(space.total as f64);
            }
            Err(err) => tracing::warn!(error = %err, folder = %folder.display(), "could not measure the storage disk"),
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle().render())
}

/// The depth of every queue reported so far, 0 for those with nothing waiting now (the queue
/// lists only queues that have jobs, and a gauge left alone would keep its last value). The
/// default queue is always reported, so the series exists from the first scrape.
fn queue_depths(now: Vec<domain::jobs::QueueDepth>) -> Vec<(String, u64)> {
    static SEEN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut seen = SEEN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if seen.is_empty() {
        seen.push("default".to_owned());
    }
    for depth in &now {
        if !seen.contains(&depth.queue) {
            seen.push(depth.queue.clone());
        }
    }
    seen.iter()
        .map(|queue| {
            let waiting = now.iter().find(|d| &d.queue == queue).map_or(0, domain::jobs::QueueDepth::waiting);
            (queue.clone(), waiting)
        })
        .collect()
}

/// The size of a folder's file system and the space left in it for unprivileged writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskSpace {
    pub free: u64,
    pub total: u64,
}

pub fn disk_space(folder: &std::path::Path) -> std::io::Result<DiskSpace> {
    let stat = nix::sys::statvfs::statvfs(folder).map_err(std::io::Error::from)?;
    let unit = stat.fragment_size() as u64;
    Ok(DiskSpace { free: stat.blocks_available() as u64 * unit, total: stat.blocks() as u64 * unit })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drained_queue_reports_zero() {
        let depth =
            |queue: &str, ready| domain::jobs::QueueDepth { queue: queue.to_owned(), ready, ..Default::default() };
        let first = queue_depths(vec![depth("monitoring-test", 3)]);
        assert!(first.contains(&("default".to_owned(), 0)), "{first:?}");
        assert!(first.contains(&("monitoring-test".to_owned(), 3)), "{first:?}");
        let drained = queue_depths(vec![]);
        assert!(drained.contains(&("monitoring-test".to_owned(), 0)), "{drained:?}");
    }

    #[test]
    fn measures_the_disk_of_a_folder() {
        let folder = std::env::temp_dir();
        let space = disk_space(&folder).unwrap();
        assert!(space.total > 0, "{space:?}");
        assert!(space.free <= space.total, "{space:?}");
    }

    #[test]
    fn a_missing_folder_is_an_error() {
        assert!(disk_space(std::path::Path::new("/no/such/folder/anywhere")).is_err());
    }
}
