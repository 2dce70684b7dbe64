//! Liveness (the process answers) and readiness (it can do its work: the database answers, and it
//! is not shutting down).

use std::time::Duration;

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use domain::Services;
use serde_json::json;
use tokio::sync::watch;

/// Turns true when shutdown starts: from then on readiness answers 503, so that load balancers
/// send no new work while running requests finish.
#[derive(Clone)]
pub struct Draining(pub watch::Receiver<bool>);

pub async fn live() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

pub async fn ready(State(services): State<Services>, State(Draining(draining)): State<Draining>) -> impl IntoResponse {
    if *draining.borrow() {
        return (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "draining" })));
    }
    let database = tokio::time::timeout(Duration::from_secs(3), services.ready()).await;
    match database {
        Ok(Ok(())) => (StatusCode::OK, Json(json!({ "status": "ready", "checks": { "database": "ok" } }))),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness check failed: database");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "checks": { "database": "down" } })),
            )
        }
        Err(_) => {
            tracing::warn!("readiness check timed out: database");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "checks": { "database": "timeout" } })),
            )
        }
    }
}
