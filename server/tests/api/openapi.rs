//! The OpenAPI document: served, committed, complete, and compatible; the docs page is served from
//! the binary's own files.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{Backend, spawn_app};

const COMMITTED: &str = include_str!("../../../docs/openapi.json");

/// Every operation of `/api/v1`, written out: a route added or lost changes the document, and this
/// list must change with it (and `CHANGELOG.md` say so).
const OPERATIONS: [&str; 56] = [
    "GET /api/v1/account",
    "PATCH /api/v1/account",
    "PUT /api/v1/account/password",
    "POST /api/v1/account/deletion",
    "POST /api/v1/account/exports",
    "GET /api/v1/account/exports",
    "GET /api/v1/account/exports/{id}",
    "GET /api/v1/account/exports/{id}/download",
    "PUT /api/v1/admin/users/{id}/suspension",
    "DELETE /api/v1/admin/users/{id}/suspension",
    "POST /api/v1/admin/users/{id}/sign-out",
    "POST /api/v1/admin/users/{id}/password-reset",
    "GET /api/v1/admin/users/{id}/overview",
    "GET /api/v1/admin/jobs",
    "POST /api/v1/admin/jobs/dead/{id}/retry",
    "DELETE /api/v1/admin/jobs/dead/{id}",
    "GET /api/v1/admin/audit",
    "GET /api/v1/admin/audit/verification",
    "GET /api/v1/admin/flags",
    "PUT /api/v1/admin/flags/{key}",
    "PUT /api/v1/account/avatar",
    "DELETE /api/v1/account/avatar",
    "GET /api/v1/account/activity",
    "GET /api/v1/me",
    "GET /api/v1/sessions",
    "DELETE /api/v1/sessions",
    "DELETE /api/v1/sessions/{id}",
    "GET /api/v1/tokens",
    "POST /api/v1/tokens",
    "DELETE /api/v1/tokens/{id}",
    "GET /api/v1/files",
    "POST /api/v1/files",
    "GET /api/v1/files/{id}",
    "DELETE /api/v1/files/{id}",
    "PATCH /api/v1/files/{id}",
    "GET /api/v1/files/{id}/content",
    "GET /api/v1/files/{id}/shares",
    "POST /api/v1/files/{id}/shares",
    "DELETE /api/v1/shares/{id}",
    "OPTIONS /api/v1/uploads",
    "POST /api/v1/uploads",
    "HEAD /api/v1/uploads/{id}",
    "PATCH /api/v1/uploads/{id}",
    "DELETE /api/v1/uploads/{id}",
    "GET /api/v1/notifications",
    "GET /api/v1/notifications/unread",
    "POST /api/v1/notifications/read",
    "POST /api/v1/notifications/{id}/read",
    "DELETE /api/v1/notifications/{id}",
    "GET /api/v1/notifications/preferences",
    "PUT /api/v1/notifications/preferences",
    "GET /api/v1/admin/users",
    "POST /api/v1/admin/users",
    "GET /api/v1/admin/users/{id}",
    "PATCH /api/v1/admin/users/{id}",
    "DELETE /api/v1/admin/users/{id}",
];

/// The operations anyone may call (tus discovery), each with its handler: `(operation, file, handler)`.
const PUBLIC: [(&str, &str, &str); 1] = [("OPTIONS /api/v1/uploads", "uploads/mod.rs", "async fn discover(")];

#[test]
fn the_committed_document_is_the_generated_one() {
    // Compared as JSON values: the key order of the printed form depends on serde_json features,
    // which differ between this test build and the binary.
    let generated: Value = serde_json::from_str(&server::api::spec_json()).unwrap();
    let committed: Value = serde_json::from_str(COMMITTED).unwrap();
    assert!(
        generated == committed,
        "docs/openapi.json is out of date: run `cargo run -p server -- api spec > docs/openapi.json`, \
         review the diff, and note API changes in CHANGELOG.md"
    );
}

#[test]
fn the_generated_document_has_no_breaking_change_against_the_committed_one() {
    let old: Value = serde_json::from_str(COMMITTED).unwrap();
    let new: Value = serde_json::from_str(&server::api::spec_json()).unwrap();
    assert_eq!(server::api::compat::breaking_changes(&old, &new), Vec::<String>::new());
}

/// The REST handlers' source files, `server/src/api` and its folders.
fn api_sources() -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src/api"))];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() { dirs.push(path) } else { found.push(path) }
        }
    }
    found
}

/// Every handler of the API is routed through `utoipa_axum::routes!`, which documents it: a route
/// added with a plain `.route(…)` would be served but missing from the document.
#[test]
fn every_api_route_is_registered_through_the_documenting_router() {
    for path in api_sources() {
        let source = std::fs::read_to_string(&path).unwrap();
        let plain: Vec<_> = source.lines().filter(|l| l.contains(".route(") && !l.contains("/api/{*rest}")).collect();
        assert!(plain.is_empty(), "{}: undocumented routes {plain:?}", path.display());
        // Each handler (it takes a `Caller`, or is a public one) carries its `#[utoipa::path]`.
        let public = PUBLIC.iter().filter(|(_, file, _)| path.ends_with(file)).collect::<Vec<_>>();
        for (_, _, handler) in &public {
            assert!(source.contains(handler), "{}: no {handler}", path.display());
        }
        let handlers = source.matches("caller: Caller<").count() + public.len();
        let documented = source.matches("#[utoipa::path(").count();
        assert_eq!(handlers, documented, "{}: a handler without #[utoipa::path]", path.display());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_is_served_and_the_docs_come_from_the_binary() {
    let app = spawn_app(Backend::Sqlite).await;
    let served: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    assert_eq!(served, serde_json::from_str::<Value>(COMMITTED).unwrap());
    let client = reqwest::Client::new();
    let mut operations = Vec::new();
    for (template, item) in served["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            let path = template.replace("{id}", &uuid::Uuid::now_v7().to_string());
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = client.request(method.clone(), app.url(&path)).send().await.unwrap();
            // Routed: the handler's extractor asks who is calling (an unrouted path is a 404, a
            // wrong method a 405); a public operation answers.
            let public = PUBLIC.iter().any(|(operation, _, _)| *operation == format!("{method} {template}"));
            let expected = if public { StatusCode::NO_CONTENT } else { StatusCode::UNAUTHORIZED };
            assert_eq!(response.status(), expected, "{method} {path}");
            operations.push(format!("{method} {template}"));
        }
    }
    // Exactly the operations listed above, and one per `#[utoipa::path]` handler in the source.
    let mut expected: Vec<String> = OPERATIONS.iter().map(|op| op.to_string()).collect();
    expected.sort();
    operations.sort();
    assert_eq!(operations, expected);
    let handlers: usize = api_sources()
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap().matches("#[utoipa::path(").count())
        .sum();
    assert_eq!(operations.len(), handlers, "a documented handler that is not served, or the reverse");

    let page = app.get("/api/docs/").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"));
    assert!(!html.contains("http://") && !html.contains("https://"), "no asset from elsewhere: {html}");
    for asset in ["/api/docs/swagger-ui-bundle.js", "/api/docs/swagger-ui.css", "/api/docs/swagger-initializer.js"] {
        let response = app.get(asset).await;
        assert_eq!(response.status(), 200, "{asset}");
        let body = response.text().await.unwrap();
        if asset.ends_with("initializer.js") {
            assert!(body.contains("/api/v1/openapi.json"), "the docs read our document: {body}");
        }
    }
}
