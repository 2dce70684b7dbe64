//! Liveness (the process answers) and readiness (it can do its work: the database, and Redis and
//! S3 when configured, answer; and it is not shutting down).
//!
//! Readiness answers fast whatever the dependencies do: every check has a short timeout and they
//! run together, and one result serves every probe for a second, so a flood of probes (or a
//! dependency that hangs) costs the dependencies one check a second, not one per probe. A
//! dependency that answered the check before and is late this once (a loaded machine) is `slow`,
//! not down: one late answer does not take an instance out of its balancer; an error, or a second
//! late answer in a row (a second later), does.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    Json,
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use domain::Services;
use serde_json::{Map, Value, json};
use tokio::sync::{Mutex, watch};

/// How long one dependency may take to answer before readiness calls it down.
pub const CHECK_TIMEOUT: Duration = Duration::from_millis(200);
/// How long one readiness result is served to every probe.
pub const CACHE_FOR: Duration = Duration::from_secs(1);

/// Turns true when shutdown starts: from then on readiness answers 503, so that load balancers
/// send no new work while running requests finish.
#[derive(Clone)]
pub struct Draining(pub watch::Receiver<bool>);

/// The dependencies' checks and the last result.
#[derive(Clone)]
pub struct Readiness {
    services: Services,
    /// Held while a check runs: probes that come meanwhile wait for its result (single flight).
    last: Arc<Mutex<Last>>,
}

#[derive(Default)]
struct Last {
    report: Option<(Instant, Report)>,
    /// The dependencies whose last check was late.
    late: std::collections::HashSet<&'static str>,
}

/// One dependency's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    Ok,
    /// Timed out, but answered in time the check before: not a failure (yet).
    Slow,
    Down,
    Timeout,
}

impl Check {
    fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Slow => "slow",
            Self::Down => "down",
            Self::Timeout => "timeout",
        }
    }
}

/// Each checked dependency (`database`, `redis`, `storage`) and its state.
#[derive(Debug, Clone)]
pub struct Report(Vec<(&'static str, Check)>);

impl Report {
    pub fn failed(&self) -> Vec<&'static str> {
        self.0.iter().filter(|(_, check)| !matches!(check, Check::Ok | Check::Slow)).map(|(name, _)| *name).collect()
    }
}

impl Readiness {
    pub fn new(services: Services) -> Self {
        Self { services, last: Arc::default() }
    }

    /// The cached report, or a fresh one when it is older than [`CACHE_FOR`].
    pub async fn report(&self) -> Report {
        let mut last = self.last.lock().await;
        if let Some((at, report)) = last.report.as_ref()
            && at.elapsed() < CACHE_FOR
        {
            return report.clone();
        }
        let mut report = self.check().await;
        for (name, check) in &mut report.0 {
            if *check == Check::Timeout && last.late.insert(name) {
                *check = Check::Slow;
                tracing::info!(dependency = *name, "readiness: a dependency is slow to answer");
            } else if *check != Check::Timeout {
                last.late.remove(name);
            }
        }
        for name in report.failed() {
            tracing::warn!(dependency = name, "readiness check failed");
        }
        last.report = Some((Instant::now(), report.clone()));
        report
    }

    async fn check(&self) -> Report {
        let services = &self.services;
        let (database, redis, storage) = tokio::join!(
            within(async { Some(services.ready().await.map_err(|e| e.to_string())) }),
            within(async { services.jobs.ping_redis().await.map(|r| r.map_err(|e| e.to_string())) }),
            within(async { services.storage.ping_remote().await.map(|r| r.map_err(|e| e.to_string())) }),
        );
        let checks = [("database", database), ("redis", redis), ("storage", storage)];
        Report(checks.into_iter().filter_map(|(name, check)| check.map(|check| (name, check))).collect())
    }
}

/// A check within [`CHECK_TIMEOUT`]; `None` when the dependency is not configured.
async fn within(check: impl Future<Output = Option<Result<(), String>>>) -> Option<Check> {
    match tokio::time::timeout(CHECK_TIMEOUT, check).await {
        Ok(None) => None,
        Ok(Some(Ok(()))) => Some(Check::Ok),
        Ok(Some(Err(err))) => {
            tracing::debug!(error = %err, "readiness: a dependency is down");
            Some(Check::Down)
        }
        Err(_) => Some(Check::Timeout),
    }
}

pub async fn live() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// 200 `{"status":"ready","checks":{"database":"ok",…}}`, or 503 with `"failed":["database",…]`
/// naming what is down (or `{"status":"draining"}` during shutdown).
pub async fn ready(State(readiness): State<Readiness>, State(Draining(draining)): State<Draining>) -> Response {
    if *draining.borrow() {
        return no_store((StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "draining" }))).into_response());
    }
    let report = readiness.report().await;
    let checks: Map<String, Value> =
        report.0.iter().map(|(name, check)| ((*name).to_owned(), Value::from(check.as_str()))).collect();
    let failed = report.failed();
    let response = if failed.is_empty() {
        (StatusCode::OK, Json(json!({ "status": "ready", "checks": checks })))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable", "failed": failed, "checks": checks })))
    };
    no_store(response.into_response())
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
