//! Cross-site request forgery: a state-changing request that another site's page made a browser
//! send is refused, whatever cookie it carries; the app's own pages and non-browser programs are
//! not. The check looks at headers only, so these tests run on SQLite alone.

use reqwest::{
    Client, RequestBuilder, Response, header,
    multipart::{Form, Part},
};
use serde_json::Value;

use crate::helpers::{Backend, Options, TestApp, browser, spawn_app, spawn_app_with, unique_email};

const EVIL: &str = "https://evil.example";

/// A signed-in browser and the app it uses.
async fn signed_in(app: &TestApp) -> Client {
    let client = browser();
    assert_eq!(app.sign_up_with(&client, &unique_email()).await.status(), 200);
    client
}

/// A profile update asking for JSON, ready for the headers under test.
fn rename(app: &TestApp, client: &Client, name: &str) -> RequestBuilder {
    client.post(app.url("/rpc/account/update_profile")).header(header::ACCEPT, "application/json").form(&[
        ("display_name", name),
        ("locale", "en"),
        ("time_zone", "UTC"),
    ])
}

async fn display_name(app: &TestApp, client: &Client) -> String {
    let profile: Value = app.get_rpc_with(client, "account/profile").await.json().await.unwrap();
    profile["display_name"].as_str().unwrap().to_owned()
}

async fn assert_refused(response: Response) {
    assert_eq!(response.status(), 403);
    assert_eq!(response.text().await.unwrap().trim(), "cross-site request refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_site_post_with_a_valid_session_is_refused_and_changes_nothing() {
    let app = spawn_app(Backend::Sqlite).await;
    let ada = signed_in(&app).await;
    let before = display_name(&app, &ada).await;

    let cross_site = rename(&app, &ada, "Mallory").header("sec-fetch-site", "cross-site").header(header::ORIGIN, EVIL);
    assert_refused(cross_site.send().await.unwrap()).await;
    // A sibling subdomain is another site as far as the app is concerned.
    let same_site = rename(&app, &ada, "Mallory").header("sec-fetch-site", "same-site");
    assert_refused(same_site.send().await.unwrap()).await;

    assert_eq!(display_name(&app, &ada).await, before);
    // A plain form post (no JavaScript) from the other site: no redirect, no sign-out.
    let form_post = ada
        .post(app.url("/rpc/auth/sign_out"))
        .header("sec-fetch-site", "cross-site")
        .header(header::ORIGIN, EVIL)
        .header(header::REFERER, format!("{EVIL}/trap"));
    assert_refused(form_post.send().await.unwrap()).await;
    assert_ne!(app.me_with(&ada).await, Value::Null, "the session survived");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_same_origin_post_succeeds() {
    let app = spawn_app(Backend::Sqlite).await;
    let ada = signed_in(&app).await;

    let fetch = rename(&app, &ada, "Ada").header("sec-fetch-site", "same-origin").header(header::ORIGIN, &app.address);
    assert_eq!(fetch.send().await.unwrap().status(), 200);
    assert_eq!(display_name(&app, &ada).await, "Ada");

    // A browser without fetch metadata: the Origin, or else the Referer, is the app's own.
    assert_eq!(rename(&app, &ada, "Ada L").header(header::ORIGIN, &app.address).send().await.unwrap().status(), 200);
    let referer = rename(&app, &ada, "Ada Lovelace").header(header::REFERER, app.url("/profile"));
    assert_eq!(referer.send().await.unwrap().status(), 200);
    assert_eq!(display_name(&app, &ada).await, "Ada Lovelace");
    // A typed address or a bookmark.
    assert_eq!(rename(&app, &ada, "Ada").header("sec-fetch-site", "none").send().await.unwrap().status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_origin_is_refused_without_fetch_metadata() {
    let app = spawn_app(Backend::Sqlite).await;
    let ada = signed_in(&app).await;
    let before = display_name(&app, &ada).await;

    assert_refused(rename(&app, &ada, "Mallory").header(header::ORIGIN, EVIL).send().await.unwrap()).await;
    assert_refused(rename(&app, &ada, "Mallory").header(header::ORIGIN, "null").send().await.unwrap()).await;
    let referer = rename(&app, &ada, "Mallory").header(header::REFERER, format!("{EVIL}/{}", app.address));
    assert_refused(referer.send().await.unwrap()).await;
    // Sign-in is state-changing too (it sets a cookie): no login CSRF.
    let sign_in = app
        .client
        .post(app.url("/rpc/auth/sign_in"))
        .header(header::ORIGIN, EVIL)
        .form(&[("email", "mallory@example.com"), ("password", "whatever it is")]);
    assert_refused(sign_in.send().await.unwrap()).await;

    assert_eq!(display_name(&app, &ada).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn programs_without_browser_headers_are_let_through() {
    let app = spawn_app(Backend::Sqlite).await;
    let program = signed_in(&app).await;

    assert_eq!(rename(&app, &program, "A script").send().await.unwrap().status(), 200);
    assert_eq!(display_name(&app, &program).await, "A script");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn safe_methods_are_never_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    let ada = signed_in(&app).await;

    for path in ["/rpc/account/profile", "/profile", "/health/live"] {
        let response = ada
            .get(app.url(path))
            .header(header::ACCEPT, "application/json")
            .header("sec-fetch-site", "cross-site")
            .header(header::ORIGIN, EVIL)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
    let head = ada.head(app.url("/")).header("sec-fetch-site", "cross-site").send().await.unwrap();
    // The landing page, answered as a GET without its body: 200, not merely "not refused".
    assert_eq!(head.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_upload_doors_are_guarded_too() {
    let app = spawn_app(Backend::Sqlite).await;
    let ada = signed_in(&app).await;
    let file = || Part::bytes(b"hello".to_vec()).file_name("a.txt");

    let upload = ada
        .post(app.url("/rpc/files/upload"))
        .header("sec-fetch-site", "cross-site")
        .multipart(Form::new().part("file", file()));
    assert_refused(upload.send().await.unwrap()).await;
    let avatar = ada
        .post(app.url("/rpc/account/avatar"))
        .header(header::ORIGIN, EVIL)
        .multipart(Form::new().part("avatar", file()));
    assert_refused(avatar.send().await.unwrap()).await;
    assert_eq!(app.stored_objects(""), 0, "nothing was stored");

    let same_origin = ada
        .post(app.url("/rpc/files/upload"))
        .header(header::ACCEPT, "application/json")
        .header("sec-fetch-site", "same-origin")
        .multipart(Form::new().part("file", file()));
    assert_eq!(same_origin.send().await.unwrap().status(), 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_url_pins_the_origin() {
    let options = Options { public_url: Some("https://smartai.example.com"), ..Options::default() };
    let app = spawn_app_with(Backend::Sqlite, options).await;
    let ada = signed_in(&app).await;

    // The Host the request came to no longer counts; the public address does.
    assert_refused(rename(&app, &ada, "Ada").header(header::ORIGIN, &app.address).send().await.unwrap()).await;
    let public = rename(&app, &ada, "Ada").header(header::ORIGIN, "https://smartai.example.com");
    assert_eq!(public.send().await.unwrap().status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_counted_in_metrics() {
    let app = spawn_app(Backend::Sqlite).await;
    assert_refused(app.client.post(app.url("/rpc/auth/sign_out")).header(header::ORIGIN, EVIL).send().await.unwrap())
        .await;

    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("http_csrf_refused_total"), "{metrics}");
}
