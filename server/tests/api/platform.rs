//! Health, readiness, request ids and metrics.

use reqwest::header;
use serde_json::Value;

use crate::helpers::{Backend, spawn_app};

crate::on_both_databases!(
    liveness_and_readiness_answer,
    readiness_fails_when_the_database_is_gone,
    every_response_has_a_request_id,
    metrics_count_requests_by_route_template,
);

async fn liveness_and_readiness_answer(backend: Backend) {
    let app = spawn_app(backend).await;

    assert_eq!(app.get("/health/live").await.status(), 200);
    let ready = app.get("/health/ready").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<Value>().await.unwrap()["checks"]["database"], "ok");
}

async fn readiness_fails_when_the_database_is_gone(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(app.get("/health/ready").await.status(), 200);

    app.destroy_database().await;

    // A readiness result serves every probe for a second: the 503 comes within about that.
    let started = std::time::Instant::now();
    let ready = loop {
        let ready = app.get("/health/ready").await;
        if ready.status() == 503 || started.elapsed() > std::time::Duration::from_secs(3) {
            break ready;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(ready.status(), 503);
    let body = ready.json::<Value>().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["failed"], serde_json::json!(["database"]));
    assert_eq!(app.get("/health/live").await.status(), 200, "liveness does not depend on the database");
}

async fn every_response_has_a_request_id(backend: Backend) {
    let app = spawn_app(backend).await;

    let generated = app.get("/health/live").await;
    let id = generated.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");

    let given = app.client.get(app.url("/nope")).header("x-request-id", "trace-me-123").send().await.unwrap();
    assert_eq!(given.headers()["x-request-id"], "trace-me-123");
}

async fn metrics_count_requests_by_route_template(backend: Backend) {
    let app = spawn_app(backend).await;
    app.get("/health/live").await;
    app.get("/signin").await;
    app.get("/a/raw/path/that/does/not/exist").await;
    app.rpc("auth/sign_in", &[("email", "x@example.com"), ("password", "whatever whatever")]).await;

    let response = app.get("/metrics").await;

    assert_eq!(response.status(), 200);
    assert!(response.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain"));
    let text = response.text().await.unwrap();
    for expected in [
        r#"http_requests_total{method="GET",route="/health/live",status="200"}"#,
        r#"http_requests_total{method="GET",route="/signin",status="200"}"#,
        r#"http_requests_total{method="POST",route="/rpc/auth/sign_in",status="401"}"#,
        r#"http_requests_total{method="GET",route="not_found",status="404"}"#,
        r#"http_request_duration_seconds_bucket{method="GET",route="/health/live",status="200",le="0.005"}"#,
        // Read at each scrape: the default queue even when empty, the local storage folder's disk.
        r#"jobs_queue_depth{queue="default"} "#,
        "storage_local_free_bytes ",
        "storage_local_total_bytes ",
    ] {
        assert!(text.contains(expected), "missing {expected}");
    }
    assert!(!text.contains("/a/raw/path"), "raw paths must not become labels");
}
