//! The audit log through the real doors: security events caused over HTTP show on the user's own
//! activity list with where they came from, and `smartai audit verify` catches a tampered row.

use reqwest::{Client, header};
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;

use crate::{
    cli::{smartai, stderr},
    helpers::{Backend, PASSWORD, TestApp, spawn_app},
    on_both_databases,
};

/// Ada's sign-up and sign-in form.
const ADA: [(&str, &str); 2] = [("email", "ada@example.com"), ("password", PASSWORD)];
const USER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

on_both_databases!(
    security_events_show_on_the_users_own_activity,
    audit_verify_catches_a_tampered_row,
    audit_verify_names_where_the_retention_started_the_chain,
);

/// A browser-like program: keeps cookies, names itself, asks for JSON.
fn program() -> Client {
    Client::builder().cookie_store(true).user_agent(USER_AGENT).build().expect("http client")
}

async fn call(app: &TestApp, client: &Client, name: &str, form: &[(&str, &str)], request_id: &str) -> u16 {
    let response = client
        .post(app.url(&format!("/rpc/{name}")))
        .header(header::ACCEPT, "application/json")
        .header("x-request-id", request_id)
        .form(form)
        .send()
        .await
        .expect("request sent");
    response.status().as_u16()
}

async fn activity(app: &TestApp, client: &Client) -> (u16, Value) {
    let response = app.get_rpc_with(client, "account/activity").await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn security_events_show_on_the_users_own_activity(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, grace) = (program(), program());
    let new_password = "an entirely new passphrase";

    assert_eq!(call(&app, &ada, "auth/sign_up", &ADA, "req-up").await, 200);
    let wrong = [("email", "ada@example.com"), ("password", "not the password")];
    assert_eq!(call(&app, &Client::new(), "auth/sign_in", &wrong, "req-wrong").await, 401);
    assert_eq!(call(&app, &ada, "auth/sign_in", &ADA, "req-in").await, 200);
    let change = [("current_password", PASSWORD), ("new_password", new_password)];
    assert_eq!(call(&app, &ada, "account/change_password", &change, "req-pw").await, 200);
    assert_eq!(
        call(&app, &grace, "auth/sign_up", &[("email", "grace@example.com"), ("password", PASSWORD)], "req-g").await,
        200
    );

    let (status, events) = activity(&app, &ada).await;

    assert_eq!(status, 200);
    let seen: Vec<(&str, &str)> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["event"].as_str().unwrap(), e["request_id"].as_str().unwrap()))
        .collect();
    assert_eq!(
        seen,
        [("password_changed", "req-pw"), ("sign_in", "req-in"), ("sign_in_failed", "req-wrong"), ("sign_up", "req-up")],
        "newest first, each with the request that caused it"
    );
    let sign_in = &events[1];
    assert_eq!(sign_in["ip"], "127.0.0.1");
    assert_eq!(sign_in["user_agent"], USER_AGENT);
    assert!(sign_in["at"].as_str().unwrap().ends_with('Z'), "{sign_in}");

    let (_, theirs) = activity(&app, &grace).await;
    let theirs: Vec<&str> = theirs.as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(theirs, ["sign_up"], "another user sees only their own events");
    assert_eq!(activity(&app, &Client::new()).await.0, 401);
    let page = ada.get(app.url("/profile")).header(header::ACCEPT, "text/html").send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("Security activity") && html.contains("Failed sign-in attempt"), "rendered without JS");
    assert!(html.contains("Firefox · Linux") && html.contains("127.0.0.1"));
}

async fn audit_verify_catches_a_tampered_row(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = program();
    assert_eq!(call(&app, &client, "auth/sign_up", &ADA, "r1").await, 200);
    assert_eq!(call(&app, &client, "auth/sign_out", &[], "r2").await, 200);
    assert_eq!(call(&app, &client, "auth/sign_in", &ADA, "r3").await, 200);
    let dir = tempfile::tempdir().unwrap();
    let env = [("DATABASE_URL", app.database_url.as_str())];

    let intact = smartai(dir.path(), &["audit", "verify"], &env, None);

    assert!(intact.status.success(), "{}", stderr(&intact));
    let out = String::from_utf8_lossy(&intact.stdout).into_owned();
    assert!(out.contains("audit log intact: 3 events") && out.contains("head: event 3, hash "), "{out}");
    let listed = smartai(dir.path(), &["audit", "list", "--user", "ada@example.com"], &env, None);
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(listed.contains("sign_out") && listed.contains("127.0.0.1") && listed.contains("r2"), "{listed}");

    let db = Database::connect(&app.database_url).await.unwrap();
    db.execute_unprepared("UPDATE audit_events SET ip = '198.51.100.7' WHERE seq = 2").await.unwrap();
    let tampered = smartai(dir.path(), &["audit", "verify"], &env, None);

    assert_eq!(tampered.status.code(), Some(1));
    let err = stderr(&tampered);
    assert!(err.contains("event 2 (sign_out) was edited"), "{err}");
}

async fn audit_verify_names_where_the_retention_started_the_chain(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = program();
    assert_eq!(call(&app, &client, "auth/sign_up", &ADA, "r1").await, 200);
    assert_eq!(call(&app, &client, "auth/sign_out", &[], "r2").await, 200);
    let anchor = app.services.audit.prune_before(time::OffsetDateTime::now_utc()).await.unwrap().unwrap();
    assert_eq!((anchor.through, anchor.seq), (2, 3));
    let dir = tempfile::tempdir().unwrap();
    let env = [("DATABASE_URL", app.database_url.as_str())];

    let intact = smartai(dir.path(), &["audit", "verify"], &env, None);

    assert!(intact.status.success(), "{}", stderr(&intact));
    let out = String::from_utf8_lossy(&intact.stdout).into_owned();
    assert!(out.contains("audit log intact: 1 events"), "{out}");
    assert!(out.contains("events 1 to 2 removed by retention (AUDIT_RETENTION), as event 3 records"), "{out}");
}
