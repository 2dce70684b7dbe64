//! The authorization matrix: every route the app serves, called by every kind of caller that must
//! not get through, each cell with the exact status it must answer. The routes come from the app
//! itself at run time (the OpenAPI document it serves and the server functions it registered) plus
//! the plain axum doors listed below; a route without a row, or a row without a route, fails.
//!
//! The callers (the matrix's columns, in this order):
//! - anonymous: no cookie, no token;
//! - other user: Eve's session, with Ada's real ids in the path or body;
//! - read-only token: Ada's token with only the `read` scope (ignored outside `/api/`, where the
//!   caller is then anonymous);
//! - non-admin: Ada's own session on the admin routes;
//! - cross-site: Ada's session (an administrator's on the admin routes) on a state-changing
//!   request sent by another site's page (`Origin` and `Sec-Fetch-Site` say so).
//!
//! A `-` is a cell that does not apply (non-admin off the admin routes, cross-site on a `GET`).

use std::{
    collections::{BTreeMap, BTreeSet},
    time::Duration,
};

use reqwest::{
    Client, Method, RequestBuilder, Response, header,
    multipart::{Form, Part},
};
use sea_orm::{ActiveModelTrait, Database, Set};
use serde_json::{Value, json};

use crate::{
    helpers::{Backend, Options, PASSWORD, TestApp, browser, fetch_json, set_cookie, spawn_app_with, unique_email},
    rest::{create_token, make_admin},
};

crate::on_both_databases!(every_route_answers_every_caller_as_the_matrix_says);

const EVIL: &str = "https://evil.example";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    OtherUser,
    ReadOnlyToken,
    NonAdmin,
    CrossSite,
}

const CALLERS: [Caller; 5] =
    [Caller::Anonymous, Caller::OtherUser, Caller::ReadOnlyToken, Caller::NonAdmin, Caller::CrossSite];

/// The plain axum doors of `server::startup::router` (byte streams, provider sign-in, live events,
/// probes): neither in the OpenAPI document nor server functions, so listed here by hand.
const PLAIN_DOORS: [(&str, &str); 14] = [
    ("POST", "/rpc/files/upload"),
    ("POST", "/rpc/account/avatar"),
    ("GET", "/files/{id}/content"),
    ("GET", "/account/exports/{id}/download"),
    ("GET", "/s/{token}"),
    ("GET", "/avatars/{id}/{file}"),
    ("GET", "/auth/oidc/{provider}/start"),
    ("POST", "/auth/oidc/{provider}/start"),
    ("GET", "/auth/oidc/{provider}/callback"),
    ("POST", "/auth/oidc/link"),
    ("GET", "/events"),
    ("GET", "/health/live"),
    ("GET", "/health/ready"),
    ("GET", "/metrics"),
];

#[derive(Clone, Copy)]
enum Blob {
    Text,
    Png,
}

enum Body {
    Empty,
    /// Form fields (the query string of a `GET`); `{name}` is replaced by Ada's thing of that name.
    Form(&'static [(&'static str, &'static str)]),
    Json(&'static str),
    Bytes(Blob),
    /// One multipart part: the field's name and its file.
    Part(&'static str, Blob),
    /// A tus request (`Tus-Resumable: 1.0.0`) with these headers and this body.
    Tus(&'static [(&'static str, &'static str)], &'static [u8]),
}
use Body::{Empty, Form as F, Json as J};

struct Row {
    method: Method,
    path: &'static str,
    body: Body,
    /// One status per caller, in the order of [`CALLERS`]; `-` where the caller does not apply.
    expect: &'static str,
}

fn row(method: Method, path: &'static str, body: Body, expect: &'static str) -> Row {
    Row { method, path, body, expect }
}

/// The matrix. Columns: anonymous, other user, read-only token, non-admin, cross-site.
#[rustfmt::skip]
fn matrix() -> Vec<Row> {
    use reqwest::Method as M;
    vec![
        // The REST API: Ada's read-only token reads her things and changes nothing.
        row(M::GET, "/api/v1/account", Empty, "401 200 200 - -"),
        row(M::PATCH, "/api/v1/account", J(r#"{"display_name":"Eve"}"#), "401 200 403 - 403"),
        row(M::POST, "/api/v1/account/deletion", J(r#"{"confirmation":"not-an-address"}"#), "401 422 403 - 403"),
        row(M::PUT, "/api/v1/account/password", J(r#"{"current_password":"wrong guess","new_password":"another passphrase entirely"}"#), "401 422 403 - 403"),
        row(M::PUT, "/api/v1/account/avatar", Body::Bytes(Blob::Png), "401 200 403 - 403"),
        row(M::DELETE, "/api/v1/account/avatar", Empty, "401 204 403 - 403"),
        row(M::GET, "/api/v1/account/activity", Empty, "401 200 200 - -"),
        // Eve asked for her own export moments ago: another is refused for a while.
        row(M::GET, "/api/v1/account/exports", Empty, "401 200 200 - -"),
        row(M::POST, "/api/v1/account/exports", Empty, "401 429 403 - 403"),
        row(M::GET, "/api/v1/account/exports/{export}", Empty, "401 404 200 - -"),
        row(M::GET, "/api/v1/account/exports/{export}/download", Empty, "401 404 200 - -"),
        row(M::GET, "/api/v1/me", Empty, "401 200 200 - -"),
        row(M::GET, "/api/v1/sessions", Empty, "401 200 200 - -"),
        row(M::DELETE, "/api/v1/sessions", Empty, "401 200 403 - 403"),
        row(M::DELETE, "/api/v1/sessions/{session}", Empty, "401 404 403 - 403"),
        row(M::GET, "/api/v1/tokens", Empty, "401 200 200 - -"),
        row(M::POST, "/api/v1/tokens", J(r#"{"name":"matrix","scopes":["read"],"expires_in_days":1}"#), "401 201 403 - 403"),
        row(M::DELETE, "/api/v1/tokens/{token}", Empty, "401 404 403 - 403"),
        row(M::GET, "/api/v1/files", Empty, "401 200 200 - -"),
        row(M::POST, "/api/v1/files?name=matrix.txt", Body::Bytes(Blob::Text), "401 201 403 - 403"),
        row(M::GET, "/api/v1/files/{file}", Empty, "401 404 200 - -"),
        row(M::PATCH, "/api/v1/files/{file}", J(r#"{"name":"mine.txt"}"#), "401 404 403 - 403"),
        row(M::DELETE, "/api/v1/files/{file}", Empty, "401 404 403 - 403"),
        row(M::GET, "/api/v1/files/{file}/content", Empty, "401 404 200 - -"),
        row(M::GET, "/api/v1/files/{file}/shares", Empty, "401 404 200 - -"),
        row(M::POST, "/api/v1/files/{file}/shares", J(r#"{"expires_in":3600}"#), "401 404 403 - 403"),
        row(M::DELETE, "/api/v1/shares/{share}", Empty, "401 404 403 - 403"),
        row(M::OPTIONS, "/api/v1/uploads", Empty, "204 204 204 - 204"),
        row(M::POST, "/api/v1/uploads", Body::Tus(&[("Upload-Length", "15"), ("Upload-Metadata", "filename bWF0cml4LnR4dA==")], b""), "401 201 403 - 403"),
        row(M::HEAD, "/api/v1/uploads/{upload}", Body::Tus(&[], b""), "401 404 200 - 200"),
        row(M::PATCH, "/api/v1/uploads/{upload}", Body::Tus(&[("Upload-Offset", "0"), ("Content-Type", "application/offset+octet-stream")], b"Eve's own notes"), "401 404 403 - 403"),
        row(M::DELETE, "/api/v1/uploads/{upload}", Body::Tus(&[], b""), "401 404 403 - 403"),
        row(M::GET, "/api/v1/notifications", Empty, "401 200 200 - -"),
        row(M::GET, "/api/v1/notifications/unread", Empty, "401 200 200 - -"),
        row(M::POST, "/api/v1/notifications/read", Empty, "401 204 403 - 403"),
        row(M::POST, "/api/v1/notifications/{notification}/read", Empty, "401 404 403 - 403"),
        row(M::DELETE, "/api/v1/notifications/{notification}", Empty, "401 404 403 - 403"),
        row(M::GET, "/api/v1/notifications/preferences", Empty, "401 200 200 - -"),
        row(M::PUT, "/api/v1/notifications/preferences", J(r#"[{"kind":"file_failed","in_app":true,"email":false}]"#), "401 200 403 - 403"),
        row(M::GET, "/api/v1/admin/users", Empty, "401 403 403 403 -"),
        row(M::POST, "/api/v1/admin/users", J(r#"{"email":"{fresh_email}","password":"a long enough passphrase","role":"admin"}"#), "401 403 403 403 403"),
        row(M::GET, "/api/v1/admin/users/{user}", Empty, "401 403 403 403 -"),
        row(M::PATCH, "/api/v1/admin/users/{user}", J(r#"{"role":"admin"}"#), "401 403 403 403 403"),
        row(M::DELETE, "/api/v1/admin/users/{user}", Empty, "401 403 403 403 403"),
        row(M::PUT, "/api/v1/admin/users/{user}/suspension", Empty, "401 403 403 403 403"),
        row(M::DELETE, "/api/v1/admin/users/{user}/suspension", Empty, "401 403 403 403 403"),
        row(M::POST, "/api/v1/admin/users/{user}/sign-out", Empty, "401 403 403 403 403"),
        row(M::POST, "/api/v1/admin/users/{user}/password-reset", Empty, "401 403 403 403 403"),
        row(M::GET, "/api/v1/admin/users/{user}/overview", Empty, "401 403 403 403 -"),
        row(M::GET, "/api/v1/admin/jobs", Empty, "401 403 403 403 -"),
        row(M::POST, "/api/v1/admin/jobs/dead/{uuid}/retry", Empty, "401 403 403 403 403"),
        row(M::DELETE, "/api/v1/admin/jobs/dead/{uuid}", Empty, "401 403 403 403 403"),
        row(M::GET, "/api/v1/admin/audit", Empty, "401 403 403 403 -"),
        row(M::GET, "/api/v1/admin/audit/verification", Empty, "401 403 403 403 -"),
        row(M::GET, "/api/v1/admin/flags", Empty, "401 403 403 403 -"),
        row(M::PUT, "/api/v1/admin/flags/{flag}", J(r#"{"enabled":false,"rollout":0}"#), "401 403 403 403 403"),
        // Server functions. A bearer token means nothing here: the read-only column is anonymous.
        row(M::GET, "/rpc/account/me", Empty, "200 200 200 - -"),
        row(M::GET, "/rpc/account/profile", Empty, "401 200 401 - -"),
        row(M::GET, "/rpc/account/activity", Empty, "401 200 401 - -"),
        row(M::GET, "/rpc/account/time_zones", Empty, "200 200 200 - -"),
        row(M::POST, "/rpc/account/update_profile", F(&[("display_name", "Eve"), ("locale", "en"), ("time_zone", "UTC")]), "401 200 401 - 403"),
        row(M::POST, "/rpc/account/change_password", F(&[("current_password", "wrong guess"), ("new_password", "another passphrase entirely")]), "401 422 401 - 403"),
        row(M::POST, "/rpc/account/delete", F(&[("password", ""), ("confirmation", "not-an-address")]), "401 422 401 - 403"),
        row(M::POST, "/rpc/account/set_language", F(&[("lang", "en")]), "200 200 200 - 403"),
        row(M::POST, "/rpc/account/remove_avatar", Empty, "401 200 401 - 403"),
        row(M::GET, "/rpc/account/sessions", Empty, "401 200 401 - -"),
        row(M::GET, "/rpc/account/exports", Empty, "401 200 401 - -"),
        row(M::POST, "/rpc/account/request_export", Empty, "401 429 401 - 403"),
        row(M::POST, "/rpc/account/end_session", F(&[("id", "{session}")]), "401 404 401 - 403"),
        row(M::POST, "/rpc/account/end_other_sessions", Empty, "401 200 401 - 403"),
        row(M::GET, "/rpc/account/two_factor", Empty, "401 200 401 - -"),
        row(M::POST, "/rpc/account/start_two_factor", Empty, "401 200 401 - 403"),
        row(M::POST, "/rpc/account/confirm_two_factor", F(&[("code", "000000")]), "401 422 401 - 403"),
        row(M::POST, "/rpc/account/disable_two_factor", F(&[("proof", "wrong guess")]), "401 422 401 - 403"),
        row(M::POST, "/rpc/account/regenerate_recovery_codes", F(&[("code", "000000")]), "401 422 401 - 403"),
        row(M::GET, "/rpc/account/providers", Empty, "401 200 401 - -"),
        row(M::POST, "/rpc/account/unlink_provider", F(&[("provider", "corp")]), "401 404 401 - 403"),
        row(M::GET, "/rpc/auth/providers", Empty, "200 200 200 - -"),
        row(M::POST, "/rpc/auth/sign_up", F(&[("email", "{fresh_email}"), ("password", PASSWORD)]), "200 200 200 - 403"),
        row(M::POST, "/rpc/auth/sign_in", F(&[("email", "nobody@example.com"), ("password", PASSWORD)]), "401 401 401 - 403"),
        row(M::POST, "/rpc/auth/sign_in_code", F(&[("challenge", "{uuid}"), ("code", "000000")]), "422 422 422 - 403"),
        row(M::POST, "/rpc/auth/sign_out", Empty, "200 200 200 - 403"),
        row(M::POST, "/rpc/auth/verify_email", F(&[("token", "{uuid}")]), "422 422 422 - 403"),
        row(M::POST, "/rpc/auth/resend_verification", Empty, "401 200 401 - 403"),
        row(M::POST, "/rpc/auth/forgot_password", F(&[("email", "{email}")]), "200 200 200 - 403"),
        row(M::POST, "/rpc/auth/reset_password", F(&[("token", "{uuid}"), ("new_password", "another passphrase entirely")]), "422 422 422 - 403"),
        row(M::GET, "/rpc/notifications/list", Empty, "401 200 401 - -"),
        row(M::POST, "/rpc/notifications/mark_read", F(&[("id", "{notification}")]), "401 404 401 - 403"),
        row(M::POST, "/rpc/notifications/delete", F(&[("id", "{notification}")]), "401 404 401 - 403"),
        row(M::GET, "/rpc/notifications/preferences", Empty, "401 200 401 - -"),
        row(M::POST, "/rpc/notifications/save_preferences", Empty, "401 200 401 - 403"),
        row(M::GET, "/rpc/files/list", Empty, "401 200 401 - -"),
        row(M::GET, "/rpc/files/details", F(&[("id", "{file}")]), "401 404 401 - -"),
        row(M::POST, "/rpc/files/rename", F(&[("id", "{file}"), ("name", "mine.txt")]), "401 404 401 - 403"),
        row(M::POST, "/rpc/files/delete", F(&[("id", "{file}")]), "401 404 401 - 403"),
        row(M::POST, "/rpc/files/share", F(&[("id", "{file}"), ("expires_in", "1h")]), "401 404 401 - 403"),
        row(M::POST, "/rpc/files/revoke_share", F(&[("id", "{share}")]), "401 404 401 - 403"),
        row(M::GET, "/rpc/tokens/list", Empty, "401 200 401 - -"),
        row(M::POST, "/rpc/tokens/create", F(&[("name", "matrix"), ("scopes[]", "read"), ("expires_in_days", "7")]), "401 200 401 - 403"),
        row(M::POST, "/rpc/tokens/revoke", F(&[("id", "{token}")]), "401 404 401 - 403"),
        row(M::GET, "/rpc/passkeys/list", Empty, "401 200 401 - -"),
        row(M::POST, "/rpc/passkeys/register_start", Empty, "401 200 401 - 403"),
        row(M::POST, "/rpc/passkeys/register_finish", F(&[("challenge", "{uuid}"), ("credential", "{}"), ("name", "mine")]), "401 422 401 - 403"),
        row(M::POST, "/rpc/passkeys/delete", F(&[("id", "{passkey}")]), "401 404 401 - 403"),
        row(M::POST, "/rpc/passkeys/sign_in_start", Empty, "200 200 200 - 403"),
        row(M::POST, "/rpc/passkeys/sign_in_finish", F(&[("challenge", "{uuid}"), ("credential", "{}")]), "422 422 422 - 403"),
        row(M::GET, "/rpc/assistant/conversations", Empty, "401 200 401 - -"),
        row(M::GET, "/rpc/assistant/messages", F(&[("id", "{conversation}")]), "401 404 401 - -"),
        row(M::POST, "/rpc/assistant/rename", F(&[("id", "{conversation}"), ("title", "mine")]), "401 404 401 - 403"),
        row(M::POST, "/rpc/assistant/delete", F(&[("id", "{conversation}")]), "401 404 401 - 403"),
        row(M::GET, "/rpc/assistant/usage", Empty, "401 200 401 - -"),
        row(M::POST, "/rpc/assistant/ask", F(&[("conversation", "{conversation}"), ("question", "What are the plans?")]), "401 404 401 - 403"),
        row(M::GET, "/rpc/assistant/help_pages", Empty, "200 200 200 - -"),
        row(M::GET, "/rpc/assistant/help_page", F(&[("slug", "{help}")]), "200 200 200 - -"),
        row(M::GET, "/rpc/admin/users", F(&[("search", ""), ("role", ""), ("after", "")]), "401 403 401 403 -"),
        row(M::POST, "/rpc/admin/set_role", F(&[("id", "{user}"), ("role", "admin")]), "401 403 401 403 403"),
        row(M::POST, "/rpc/admin/delete_user", F(&[("id", "{user}")]), "401 403 401 403 403"),
        row(M::POST, "/rpc/admin/suspend", F(&[("id", "{user}"), ("suspend", "true")]), "401 403 401 403 403"),
        row(M::POST, "/rpc/admin/sign_out_user", F(&[("id", "{user}")]), "401 403 401 403 403"),
        row(M::POST, "/rpc/admin/send_password_reset", F(&[("id", "{user}")]), "401 403 401 403 403"),
        row(M::GET, "/rpc/admin/user", F(&[("id", "{user}")]), "401 403 401 403 -"),
        row(M::GET, "/rpc/admin/jobs", Empty, "401 403 401 403 -"),
        row(M::POST, "/rpc/admin/dead_job", F(&[("id", "{uuid}"), ("retry", "true")]), "401 403 401 403 403"),
        row(M::GET, "/rpc/admin/audit", F(&[("email", ""), ("event", ""), ("from", ""), ("to", ""), ("before", "")]), "401 403 401 403 -"),
        row(M::GET, "/rpc/admin/audit_verification", Empty, "401 403 401 403 -"),
        row(M::GET, "/rpc/admin/flags", Empty, "401 403 401 403 -"),
        row(M::POST, "/rpc/admin/set_flag", F(&[("key", "assistant"), ("rollout", "0")]), "401 403 401 403 403"),
        // The plain doors. A share link and an avatar open to whoever holds their address.
        row(M::POST, "/rpc/files/upload", Body::Part("file", Blob::Text), "401 201 401 - 403"),
        row(M::POST, "/rpc/account/avatar", Body::Part("avatar", Blob::Png), "401 200 401 - 403"),
        row(M::GET, "/files/{file}/content", Empty, "401 404 401 - -"),
        // A visitor following the link is sent to sign in first.
        row(M::GET, "/account/exports/{export}/download", Empty, "303 404 303 - -"),
        row(M::GET, "/s/{share_token}", Empty, "200 200 200 - -"),
        row(M::GET, "/avatars/{avatar}/{avatar_file}", Empty, "200 200 200 - -"),
        row(M::GET, "/auth/oidc/{provider}/start", Empty, "303 303 303 - -"),
        row(M::POST, "/auth/oidc/{provider}/start", Empty, "303 303 303 - 403"),
        row(M::GET, "/auth/oidc/{provider}/callback", F(&[("code", "x"), ("state", "y")]), "303 303 303 - -"),
        row(M::POST, "/auth/oidc/link", F(&[("password", PASSWORD)]), "303 303 303 - 403"),
        row(M::GET, "/events", Empty, "401 200 401 - -"),
        row(M::GET, "/health/live", Empty, "200 200 200 - -"),
        row(M::GET, "/health/ready", Empty, "200 200 200 - -"),
        row(M::GET, "/metrics", Empty, "200 200 200 - -"),
    ]
}

/// A route's identity: its method and its path with every `{parameter}` as `{}`, query dropped.
fn route(method: &str, path: &str) -> (String, String) {
    let path = path.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = path
        .split('/')
        .map(|segment| if segment.starts_with('{') && segment.ends_with('}') { "{}" } else { segment })
        .collect();
    (method.to_uppercase(), segments.join("/"))
}

/// Everything the app serves, by its own account.
async fn served_routes(app: &TestApp) -> (BTreeSet<(String, String)>, usize, usize) {
    let spec: Value = program().get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let mut routes = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().expect("the document has paths") {
        for method in ["get", "put", "post", "delete", "options", "head", "patch", "trace"] {
            if item.get(method).is_some() {
                routes.insert(route(method, path));
            }
        }
    }
    let operations = routes.len();
    let functions: Vec<_> = leptos::server_fn::axum::server_fn_paths().collect();
    assert!(!functions.is_empty(), "no server function registered: the inventory is not linked in");
    for (path, method) in &functions {
        routes.insert(route(method.as_str(), path));
    }
    routes.extend(PLAIN_DOORS.iter().map(|(method, path)| route(method, path)));
    (routes, operations, functions.len())
}

/// Ada (the owner of everything), Eve (the other user), and Ada's things.
struct World {
    ada_session: String,
    /// An administrator's session: what a cross-site request to an admin route would ride on.
    admin_session: String,
    eve_session: String,
    eve_email: String,
    read_token: String,
    write_token: String,
    /// Ada's account as it was before the matrix ran.
    account: Value,
    /// Ada's things by name, as rows refer to them (`{file}`, `{share}`, ...).
    ids: BTreeMap<&'static str, String>,
}

/// A program: no cookie jar, no redirects followed.
fn program() -> Client {
    Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(Duration::from_secs(30)).build().unwrap()
}

/// Signs up with a confirmed address (or signs in, with `sign_in`); answers the session cookie.
async fn session(app: &TestApp, email: &str, sign_in: bool) -> String {
    let response = if sign_in {
        app.sign_in_with(&program(), email, PASSWORD).await
    } else {
        app.sign_up_confirmed_with(&program(), email).await
    };
    assert_eq!(response.status(), 200, "{email}");
    let cookie = set_cookie(&response, app::cookies::SESSION).expect("a session cookie");
    cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_owned()
}

fn png() -> Vec<u8> {
    let mut png = Vec::new();
    image::RgbImage::from_pixel(40, 30, image::Rgb([20, 120, 200]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

fn blob(kind: Blob) -> (Vec<u8>, &'static str) {
    match kind {
        Blob::Text => (b"Eve's own notes".to_vec(), "notes.txt"),
        Blob::Png => (png(), "me.png"),
    }
}

/// Creates, through the real doors, one of each thing Ada can own.
async fn arrange(app: &TestApp) -> World {
    let (ada, eve_email) = (unique_email(), unique_email());
    let ada_browser = browser();
    assert_eq!(app.sign_up_confirmed_with(&ada_browser, &ada).await.status(), 200);
    let write_token = create_token(app, &ada_browser, &["read", "write"]).await;
    let read_token = create_token(app, &ada_browser, &["read"]).await;
    let ada_session = session(app, &ada, true).await;
    let eve_session = session(app, &eve_email, false).await;
    let root = unique_email();
    let admin_session = session(app, &root, false).await;
    make_admin(app, &root).await;
    let api = |method: Method, path: &str| program().request(method, app.url(path)).bearer_auth(&write_token);

    let text = "Ada's secret plans: the Zephyr launch code is TANGERINE-42.";
    let file = fetch_json(api(Method::POST, "/api/v1/files?name=plans.txt").body(text)).await;
    let file_id = file["id"].as_str().unwrap().to_owned();
    let share =
        fetch_json(api(Method::POST, &format!("/api/v1/files/{file_id}/shares")).json(&json!({ "expires_in": 3600 })))
            .await;
    let notification = loop {
        let page = fetch_json(api(Method::GET, "/api/v1/notifications")).await;
        if let Some(id) = page["items"][0]["id"].as_str() {
            break id.to_owned();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let answer = ada_browser
        .post(app.url("/rpc/assistant/ask"))
        .header(header::ACCEPT, "application/json")
        .form(&[("question", "What is the Zephyr launch code?")]);
    let answer = answer.send().await.unwrap();
    assert_eq!(answer.status(), 200);
    answer.text().await.unwrap();
    let conversations = fetch_json(ada_browser.get(app.url("/rpc/assistant/conversations"))).await;
    let avatar = fetch_json(api(Method::PUT, "/api/v1/account/avatar").body(png())).await;
    let avatar_url = avatar["avatar_url"].as_str().unwrap().trim_start_matches("/avatars/").to_owned();
    let (avatar_id, avatar_file) = avatar_url.split_once('/').unwrap();
    let phone = session(app, &ada, true).await;
    let sessions = fetch_json(program().get(app.url("/api/v1/sessions")).header(header::COOKIE, cookie(&phone))).await;
    let session_id = sessions.as_array().unwrap().iter().find(|s| s["current"] == true).unwrap()["id"].clone();
    let upload = api(Method::POST, "/api/v1/uploads")
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "100")
        .header("Upload-Metadata", "filename cGxhbnMudHh0")
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), 201);
    let upload = upload.headers()[header::LOCATION].to_str().unwrap().rsplit('/').next().unwrap().to_owned();
    // Ada's export, and one of Eve's own (so that Eve asking again is refused, whatever the timing).
    let export = fetch_json(api(Method::POST, "/api/v1/account/exports")).await["id"].as_str().unwrap().to_owned();
    let eves = |method: Method, path: &str| {
        program().request(method, app.url(path)).header(header::COOKIE, cookie(&eve_session))
    };
    let eve_export = fetch_json(eves(Method::POST, "/api/v1/account/exports")).await["id"].as_str().unwrap().to_owned();
    for (id, hers) in [(&export, false), (&eve_export, true)] {
        let path = format!("/api/v1/account/exports/{id}");
        let mut status = Value::Null;
        for _ in 0..300 {
            let read = if hers { eves(Method::GET, &path) } else { api(Method::GET, &path) };
            status = fetch_json(read).await["status"].clone();
            if status == "ready" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(status, "ready", "export {id} was not built");
    }
    let tokens = fetch_json(api(Method::GET, "/api/v1/tokens")).await;
    let account = fetch_json(api(Method::GET, "/api/v1/account")).await;
    let help = fetch_json(program().get(app.url("/rpc/assistant/help_pages"))).await;

    // A passkey needs an authenticator's signature, which no test here can make without a
    // browser: the row is written as the registration would write it.
    let user_id: uuid::Uuid = account["id"].as_str().unwrap().parse().unwrap();
    let passkey = uuid::Uuid::new_v4();
    let db = Database::connect(&app.database_url).await.unwrap();
    domain::entities::passkey::ActiveModel {
        id: Set(passkey),
        user_id: Set(user_id),
        credential_id: Set(format!("matrix-{passkey}")),
        name: Set("Ada's key".into()),
        credential: Set("{}".into()),
        created_at: Set(time::OffsetDateTime::now_utc()),
        last_used_at: Set(None),
    }
    .insert(&db)
    .await
    .unwrap();
    db.close().await.unwrap();

    let ids = BTreeMap::from([
        ("email", ada.clone()),
        ("user", user_id.to_string()),
        ("file", file_id),
        ("upload", upload),
        ("share", share["share"]["id"].as_str().unwrap().to_owned()),
        ("share_token", share["path"].as_str().unwrap().trim_start_matches("/s/").to_owned()),
        ("token", tokens[0]["id"].as_str().unwrap().to_owned()),
        ("session", session_id.as_str().unwrap().to_owned()),
        ("notification", notification),
        ("conversation", conversations[0]["id"].as_str().unwrap().to_owned()),
        ("passkey", passkey.to_string()),
        ("avatar", avatar_id.to_owned()),
        ("avatar_file", avatar_file.to_owned()),
        ("help", help[0]["slug"].as_str().unwrap().to_owned()),
        ("provider", "corp".to_owned()),
        ("export", export),
        ("flag", "assistant".to_owned()),
    ]);
    World { ada_session, admin_session, eve_session, eve_email, read_token, write_token, account, ids }
}

fn cookie(session: &str) -> String {
    format!("{}={session}", app::cookies::SESSION)
}

/// Ada's things whose ids no answer to anyone but Ada may show.
const SECRET_THINGS: [&str; 12] = [
    "email",
    "user",
    "file",
    "upload",
    "share",
    "share_token",
    "token",
    "session",
    "notification",
    "conversation",
    "passkey",
    "export",
];

impl World {
    /// `text` with every `{name}` replaced by Ada's thing of that name (fresh values for
    /// `{fresh_email}` and `{uuid}`).
    fn fill(&self, text: &str) -> String {
        let mut text =
            text.replace("{fresh_email}", &unique_email()).replace("{uuid}", &uuid::Uuid::new_v4().to_string());
        for (name, value) in &self.ids {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    fn request(&self, app: &TestApp, row: &Row, caller: Caller) -> RequestBuilder {
        let request = program().request(row.method.clone(), app.url(&self.fill(row.path)));
        let request = request.header(header::ACCEPT, "application/json");
        let admin = row.path.contains("/admin/");
        let request = match caller {
            Caller::Anonymous => request,
            Caller::OtherUser => request.header(header::COOKIE, cookie(&self.eve_session)),
            Caller::ReadOnlyToken => request.bearer_auth(&self.read_token),
            Caller::NonAdmin => request.header(header::COOKIE, cookie(&self.ada_session)),
            Caller::CrossSite => request
                .header(header::COOKIE, cookie(if admin { &self.admin_session } else { &self.ada_session }))
                .header(header::ORIGIN, EVIL)
                .header("sec-fetch-site", "cross-site"),
        };
        match &row.body {
            Empty => request,
            F(fields) => {
                let fields: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, self.fill(v))).collect();
                if row.method == Method::GET { request.query(&fields) } else { request.form(&fields) }
            }
            J(body) => request.header(header::CONTENT_TYPE, "application/json").body(self.fill(body)),
            Body::Bytes(kind) => request.header(header::CONTENT_TYPE, "application/octet-stream").body(blob(*kind).0),
            Body::Part(field, kind) => {
                let (bytes, name) = blob(*kind);
                request.multipart(Form::new().part(*field, Part::bytes(bytes).file_name(name)))
            }
            Body::Tus(headers, body) => headers
                .iter()
                .fold(request.header("Tus-Resumable", "1.0.0"), |request, (name, value)| request.header(*name, *value))
                .body(body.to_vec()),
        }
    }

    /// What of Ada's must never show in an answer to anyone but Ada.
    fn secrets(&self) -> Vec<(&str, &str)> {
        let mut secrets: Vec<(&str, &str)> =
            SECRET_THINGS.iter().map(|name| (*name, self.ids[name].as_str())).collect();
        secrets.extend([
            ("read token", self.read_token.as_str()),
            ("write token", self.write_token.as_str()),
            ("session cookie", self.ada_session.as_str()),
        ]);
        secrets
    }
}

fn parse(expect: &str) -> Vec<Option<u16>> {
    expect.split_whitespace().map(|cell| if cell == "-" { None } else { Some(cell.parse().unwrap()) }).collect()
}

/// The error code a refusal carries, where the doors have one (the REST body nests it in `error`).
fn refusal_codes(path: &str, caller: Caller, status: u16) -> &'static [&'static str] {
    match status {
        401 => &["unauthenticated", "invalid_credentials"],
        403 if caller == Caller::ReadOnlyToken && path.starts_with("/api/") => &["insufficient_scope"],
        403 => &["forbidden"],
        404 => &["not_found"],
        _ => &[],
    }
}

/// Sends one cell's request; answers what is wrong with the answer, if anything.
async fn check(app: &TestApp, world: &World, row: &Row, caller: Caller, expected: u16) -> Option<String> {
    let response: Response = world.request(app, row, caller).send().await.unwrap();
    let status = response.status().as_u16();
    let live =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    let body = if live {
        String::new()
    } else {
        let bytes = tokio::time::timeout(Duration::from_secs(5), response.bytes()).await;
        bytes.ok().and_then(Result::ok).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
    };
    let cell = format!("{} {} as {caller:?}", row.method, row.path);
    if status != expected {
        return Some(format!(
            "{cell}: expected {expected}, got {status}: {}",
            body.chars().take(200).collect::<String>()
        ));
    }
    // The API gives every error its one body: there the refusal is a plain `forbidden`.
    if caller == Caller::CrossSite && status == 403 && !row.path.starts_with("/api/") {
        return (body.trim() != "cross-site request refused")
            .then(|| format!("{cell}: refused, but not as cross-site: {body}"));
    }
    let codes = refusal_codes(row.path, caller, status);
    if let Ok(json) = serde_json::from_str::<Value>(&body)
        && !codes.is_empty()
    {
        let code = json["error"]["code"].as_str().or(json["code"].as_str()).unwrap_or_default();
        if !codes.contains(&code) {
            return Some(format!("{cell}: {status} with code {code:?}, expected one of {codes:?}"));
        }
    }
    let owner = caller == Caller::ReadOnlyToken && row.path.starts_with("/api/");
    if (200..300).contains(&status)
        && !owner
        && let Some((name, _)) = world.secrets().into_iter().find(|(_, secret)| body.contains(secret))
    {
        return Some(format!("{cell}: the answer shows Ada's {name}"));
    }
    None
}

async fn every_route_answers_every_caller_as_the_matrix_says(backend: Backend) {
    let extra = ["api-ip", "api-user", "auth-ip", "auth-user", "rpc-ip", "rpc-user", "pages-ip"]
        .iter()
        .flat_map(|limit| [format!("--rate-limit-{limit}"), "off".to_owned()])
        .chain(["--auth-throttle-ip-threshold".to_owned(), "0".to_owned()])
        .collect();
    let app = spawn_app_with(backend, Options { extra, ..Options::default() }).await;
    let mut world = arrange(&app).await;
    let rows = matrix();

    // Every route has a row, every row a route, and each row says what applies to it.
    let (served, operations, functions) = served_routes(&app).await;
    let mut listed = BTreeSet::new();
    for row in &rows {
        let name = format!("{} {}", row.method, row.path);
        assert!(listed.insert(route(row.method.as_str(), row.path)), "two rows for {name}");
        let shape: Vec<bool> = parse(row.expect).iter().map(Option::is_some).collect();
        let applies = [true, true, true, row.path.contains("/admin/"), row.method != Method::GET];
        assert_eq!(
            shape, applies,
            "{name}: a cell per caller that applies (non-admin: admin routes; cross-site: writes)"
        );
    }
    let missing: Vec<_> = served.difference(&listed).map(|(m, p)| format!("{m} {p}")).collect();
    assert!(missing.is_empty(), "routes without a row: add a row to the matrix for each of {missing:?}");
    let stale: Vec<_> = listed.difference(&served).map(|(m, p)| format!("{m} {p}")).collect();
    assert!(stale.is_empty(), "rows naming routes that no longer exist: remove {stale:?}");

    let mut failures = Vec::new();
    let mut cells = 0;
    for row in &rows {
        for (caller, expected) in CALLERS.iter().zip(parse(row.expect)) {
            let Some(expected) = expected else { continue };
            cells += 1;
            failures.extend(check(&app, &world, row, *caller, expected).await);
            if row.path == "/rpc/auth/sign_out" && *caller == Caller::OtherUser {
                world.eve_session = session(&app, &world.eve_email, true).await;
            }
        }
    }

    // Nothing of Ada's changed or went away, whatever the answers said.
    let owner = |path: String| program().get(app.url(&world.fill(&path))).bearer_auth(&world.write_token);
    let account = fetch_json(owner("/api/v1/account".into())).await;
    for field in ["role", "display_name", "locale", "time_zone", "avatar_url"] {
        assert_eq!(account[field], world.account[field], "Ada's {field}");
    }
    for path in ["/api/v1/files/{file}", "/api/v1/files/{file}/content"] {
        assert_eq!(owner(path.into()).send().await.unwrap().status(), 200, "{path}");
    }
    for (path, id) in [
        ("/api/v1/files/{file}/shares", "share"),
        ("/api/v1/sessions", "session"),
        ("/api/v1/tokens", "token"),
        ("/api/v1/notifications", "notification"),
    ] {
        let list = fetch_json(owner(path.into())).await.to_string();
        assert!(list.contains(&world.ids[id]), "Ada's {id} is still there");
    }
    let ada = |path: &str| program().get(app.url(&world.fill(path))).header(header::COOKIE, cookie(&world.ada_session));
    let passkeys = fetch_json(ada("/rpc/passkeys/list")).await.to_string();
    assert!(passkeys.contains(&world.ids["passkey"]), "Ada's passkey is still there");
    assert_eq!(ada("/rpc/assistant/messages?id={conversation}").send().await.unwrap().status(), 200);

    println!(
        "authorization matrix: {} routes ({operations} OpenAPI operations, {functions} server functions, {} plain doors) \
         x {} callers, {cells} cells checked, {} wrong",
        rows.len(),
        PLAIN_DOORS.len(),
        CALLERS.len(),
        failures.len(),
    );
    assert!(failures.is_empty(), "{} cells answered otherwise:\n{}", failures.len(), failures.join("\n"));
}
