//! Hardening for every response: security headers with a per-response CSP nonce, the body limit,
//! the request timeout, CORS for `/api/` and the IP lists. All of it is decided by headers and
//! timing, so these tests run on SQLite, except the one that holds a PostgreSQL lock.

use std::time::Duration;

use reqwest::{
    Body, Client, Response, header,
    multipart::{Form, Part},
};
use sea_orm::{ConnectionTrait, Database, TransactionTrait};
use serde_json::Value;
use server::cli::Cli;

use crate::{
    cli::{smartai, stderr},
    helpers::{Backend, Options, PASSWORD, TestApp, browser, spawn_app, spawn_app_with, unique_email},
};

async fn spawn(extra: &[&str]) -> TestApp {
    let extra = extra.iter().map(|s| (*s).to_owned()).collect();
    spawn_app_with(Backend::Sqlite, Options { extra, ..Options::default() }).await
}

fn header_of<'a>(response: &'a Response, name: &str) -> &'a str {
    response.headers().get(name).map_or("", |v| v.to_str().unwrap())
}

/// The nonce in the response's CSP, after checking the policy's fixed parts.
fn assert_hardened(response: &Response) -> String {
    let what = format!("{} {}", response.url().path(), response.status());
    assert_eq!(header_of(response, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header_of(response, "x-frame-options"), "DENY", "{what}");
    assert_eq!(header_of(response, "referrer-policy"), "strict-origin-when-cross-origin", "{what}");
    let csp = header_of(response, "content-security-policy");
    for part in [
        "default-src 'self'",
        "style-src 'self';",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{what}: no {part} in {csp}");
    }
    assert!(!csp.contains("unsafe-inline") && !csp.contains(" 'unsafe-eval'"), "{what}: {csp}");
    let script = csp.split(';').map(str::trim).find(|d| d.starts_with("script-src ")).expect("a script-src");
    let nonce = script
        .split(' ')
        .find_map(|source| source.strip_prefix("'nonce-")?.strip_suffix('\''))
        .unwrap_or_else(|| panic!("{what}: no nonce in {script}"));
    assert_eq!(script, format!("script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"), "{what}");
    assert!(nonce.len() >= 22, "{what}: a nonce of at least 128 bits, not {nonce}");
    nonce.to_owned()
}

/// The opening tags of the page's `<script>` elements.
fn script_tags(html: &str) -> Vec<&str> {
    html.match_indices("<script").map(|(at, _)| &html[at..at + html[at..].find('>').unwrap()]).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_response_carries_the_security_headers() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("robots.txt"), "User-agent: *\n").unwrap();
    let app = spawn(&["--site-root", site.path().to_str().unwrap()]).await;

    let page = app.get("/signin").await;
    assert_eq!(page.status(), 200);
    assert_hardened(&page);
    let json = app.get_rpc_with(&app.client, "account/me").await;
    assert_eq!(json.status(), 200);
    assert_hardened(&json);
    let refused = app.rpc("auth/sign_in", &[("email", "nobody@example.com"), ("password", "wrong password!")]).await;
    assert!(refused.status().is_client_error());
    assert_hardened(&refused);
    let file = app.get("/robots.txt").await;
    assert_eq!(file.status(), 200);
    assert_hardened(&file);
    let missing = app.get("/no/such/page").await;
    assert_eq!(missing.status(), 404);
    assert_hardened(&missing);
    let health = app.get("/health/live").await;
    assert_eq!(health.status(), 200);
    assert_hardened(&health);
    // Another middleware's own answer (a cross-site post) is covered too.
    let cross_site = app.client.post(app.url("/rpc/auth/sign_out")).header("sec-fetch-site", "cross-site");
    let cross_site = cross_site.send().await.unwrap();
    assert_eq!(cross_site.status(), 403);
    assert_hardened(&cross_site);
    assert_eq!(header_of(&page, "strict-transport-security"), "", "no HSTS without an https PUBLIC_URL");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_page_has_a_fresh_nonce_and_every_inline_script_carries_it() {
    let app = spawn_app(Backend::Sqlite).await;
    let mut nonces = Vec::new();

    for path in ["/", "/signin", "/signin", "/no/such/page"] {
        let response = app.get(path).await;
        let nonce = assert_hardened(&response);
        let html = response.text().await.unwrap();
        let scripts = script_tags(&html);
        assert!(scripts.iter().any(|tag| tag.contains("type=\"module\"")), "{path}: no hydration script in {html}");
        for tag in scripts {
            // Inline scripts need the nonce; scripts from our own files are allowed by 'self'.
            if !tag.contains(" src=") {
                assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "{path}: {tag} lacks nonce {nonce}");
            }
        }
        nonces.push(nonce);
    }

    let mut distinct = nonces.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), nonces.len(), "a nonce was used twice: {nonces:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsts_only_with_an_https_public_url() {
    let https = spawn_app_with(
        Backend::Sqlite,
        Options { public_url: Some("https://smartai.example.com/"), ..Options::default() },
    )
    .await;
    let http = spawn_app_with(
        Backend::Sqlite,
        Options { public_url: Some("http://smartai.example.com/"), ..Options::default() },
    )
    .await;

    for path in ["/", "/health/live", "/no/such/page"] {
        let secure = https.get(path).await;
        assert_eq!(header_of(&secure, "strict-transport-security"), "max-age=63072000; includeSubDomains", "{path}");
        assert_eq!(header_of(&http.get(path).await, "strict-transport-security"), "", "{path}");
    }
}

fn sign_up_padded(app: &TestApp, client: &Client, email: &str, padding: usize) -> reqwest::RequestBuilder {
    client.post(app.url("/rpc/auth/sign_up")).header(header::ACCEPT, "application/json").form(&[
        ("email", email),
        ("password", PASSWORD),
        // Not an argument of the server function, which ignores it: only the size matters.
        ("padding", &"x".repeat(padding)),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_is_refused_with_413_and_changes_nothing() {
    let app = spawn(&["--body-limit", "4KiB"]).await;
    let (small, large, chunked) = (unique_email(), unique_email(), unique_email());

    assert_eq!(sign_up_padded(&app, &browser(), &small, 1024).send().await.unwrap().status(), 200);
    let refused = sign_up_padded(&app, &browser(), &large, 8192).send().await.unwrap();
    assert_eq!(refused.status(), 413);
    assert_hardened(&refused);
    assert_eq!(refused.text().await.unwrap(), "request body too large\n");
    // Without a Content-Length the body is counted as it arrives.
    let body = format!(
        "email={}&password={}&padding={}",
        chunked.replace('@', "%40"),
        PASSWORD.replace(' ', "+"),
        "x".repeat(8192)
    );
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = body.into_bytes().chunks(1024).map(|c| Ok(c.to_vec())).collect();
    let streamed = browser()
        .post(app.url("/rpc/auth/sign_up"))
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::wrap_stream(futures_util::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_eq!(streamed.status(), 413);

    for (email, exists) in [(&small, true), (&large, false), (&chunked, false)] {
        let signed_in = app.sign_in_with(&browser(), email, PASSWORD).await.status() == 200;
        assert_eq!(signed_in, exists, "{email}");
    }
}

async fn upload(app: &TestApp, client: &Client, body: Body) -> Response {
    let form = Form::new().part("file", Part::stream(body).file_name("notes.txt").mime_str("text/plain").unwrap());
    let request = client.post(app.url("/rpc/files/upload")).header(header::ACCEPT, "application/json");
    request.multipart(form).send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_uploads_keep_their_own_limit_and_no_timeout() {
    let app = spawn(&["--body-limit", "4KiB", "--request-timeout", "500ms", "--files-max-size", "64KiB"]).await;
    let ada = browser();
    assert_eq!(app.sign_up_with(&ada, &unique_email()).await.status(), 200);

    // Larger than BODY_LIMIT, and slower than REQUEST_TIMEOUT.
    let slow = futures_util::stream::unfold(0, |sent| async move {
        (sent < 4).then_some(())?;
        tokio::time::sleep(Duration::from_millis(250)).await;
        Some((Ok::<_, std::io::Error>(vec![b'a'; 8 * 1024]), sent + 1))
    });
    let stored = upload(&app, &ada, Body::wrap_stream(slow)).await;
    assert_eq!(stored.status(), 201, "{}", stored.text().await.unwrap());
    let files: Value = stored.json().await.unwrap();
    let id = files[0]["id"].as_str().unwrap().to_owned();
    // FILES_MAX_SIZE still holds.
    let too_big = upload(&app, &ada, Body::from(vec![b'a'; 100 * 1024])).await;
    assert_eq!(too_big.json::<Value>().await.unwrap()["problem"], "too_large");

    // The file page frames PDFs from the download URL: our own pages may frame stored files.
    let content = ada.get(app.url(&format!("/files/{id}/content"))).send().await.unwrap();
    assert_eq!(content.status(), 200);
    assert_eq!(header_of(&content, "x-frame-options"), "SAMEORIGIN");
    let csp = header_of(&content, "content-security-policy");
    assert!(csp.starts_with("default-src 'none'") && csp.contains("frame-ancestors 'self'"), "{csp}");
    assert_eq!(header_of(&content, "x-content-type-options"), "nosniff");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_too_slow_to_send_its_body_gets_408() {
    let app = spawn(&["--request-timeout", "500ms"]).await;

    let stalled = futures_util::stream::unfold(0, |sent| async move {
        match sent {
            0 => Some((Ok::<_, std::io::Error>(b"email=a%40example.com&".to_vec()), 1)),
            _ => {
                tokio::time::sleep(Duration::from_secs(5)).await;
                None
            }
        }
    });
    let started = std::time::Instant::now();
    let response = browser()
        .post(app.url("/rpc/auth/sign_in"))
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::wrap_stream(stalled))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 408);
    assert!(started.elapsed() < Duration::from_secs(4), "answered at the deadline, not when the client gave up");
    assert_hardened(&response);
}

/// The handler waits on a table another connection has locked; the app answers 503 at the
/// deadline, and works again once the lock is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_the_app_cannot_finish_in_time_gets_503() {
    let app = spawn_app_with(
        Backend::Postgres,
        Options { extra: vec!["--request-timeout".into(), "1s".into()], ..Options::default() },
    )
    .await;
    let email = unique_email();
    assert_eq!(app.sign_up_with(&browser(), &email).await.status(), 200);

    let db = Database::connect(&app.database_url).await.unwrap();
    let lock = db.begin().await.unwrap();
    lock.execute_unprepared("LOCK TABLE users IN ACCESS EXCLUSIVE MODE").await.unwrap();
    let started = std::time::Instant::now();
    let response = app.sign_in_with(&browser(), &email, PASSWORD).await;
    let waited = started.elapsed();
    lock.rollback().await.unwrap();

    assert_eq!(response.status(), 503);
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    assert_hardened(&response);
    assert_eq!(response.text().await.unwrap(), "request timed out\n");
    assert_eq!(app.sign_in_with(&browser(), &email, PASSWORD).await.status(), 200);
}

async fn preflight(app: &TestApp, path: &str, origin: &str) -> Response {
    browser()
        .request(reqwest::Method::OPTIONS, app.url(path))
        .header(header::ORIGIN, origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization, content-type, idempotency-key")
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_is_off_unless_configured_and_then_only_for_the_listed_origins_on_the_api() {
    let closed = spawn(&[]).await;
    let open = spawn(&["--cors-origins", "https://a.example,https://b.example"]).await;

    let response = preflight(&closed, "/api/v1/files", "https://a.example").await;
    assert_eq!(header_of(&response, "access-control-allow-origin"), "");
    assert_eq!(header_of(&response, "access-control-allow-methods"), "");

    for origin in ["https://a.example", "https://b.example"] {
        let response = preflight(&open, "/api/v1/files", origin).await;
        assert!(response.status().is_success(), "{}", response.status());
        assert_eq!(header_of(&response, "access-control-allow-origin"), origin);
        let headers = header_of(&response, "access-control-allow-headers").to_ascii_lowercase();
        for name in ["authorization", "content-type", "if-match", "idempotency-key"] {
            assert!(headers.contains(name), "{name} not in {headers}");
        }
        assert!(header_of(&response, "access-control-allow-methods").contains("POST"));
        assert_eq!(header_of(&response, "access-control-allow-credentials"), "", "no cookies across origins");
        assert_hardened(&response);
    }
    let stranger = preflight(&open, "/api/v1/files", "https://c.example").await;
    assert_eq!(header_of(&stranger, "access-control-allow-origin"), "");
    // The RPC API and the pages stay same-origin only.
    let rpc = preflight(&open, "/rpc/auth/sign_in", "https://a.example").await;
    assert_eq!(header_of(&rpc, "access-control-allow-origin"), "");

    let actual =
        browser().get(open.url("/api/v1/nothing")).header(header::ORIGIN, "https://a.example").send().await.unwrap();
    assert_eq!(header_of(&actual, "access-control-allow-origin"), "https://a.example");
    let exposed = header_of(&actual, "access-control-expose-headers").to_ascii_lowercase();
    for name in ["etag", "retry-after", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"] {
        assert!(exposed.contains(name), "{name} not in {exposed}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ip_lists_refuse_with_403_deny_wins_and_health_stays_open() {
    // The tests connect from 127.0.0.1.
    for (settings, served) in [
        (vec!["--ip-deny", "127.0.0.0/8"], false),
        (vec!["--ip-allow", "10.0.0.0/8,192.168.0.0/16"], false),
        (vec!["--ip-allow", "10.0.0.0/8, 127.0.0.1"], true),
        (vec!["--ip-allow", "127.0.0.0/8", "--ip-deny", "127.0.0.1/32"], false),
        (vec!["--ip-deny", "10.0.0.0/8,::1"], true),
    ] {
        let app = spawn(&settings).await;

        let page = app.get("/").await;
        let rpc = app.rpc("auth/sign_in", &[("email", "a@example.com"), ("password", PASSWORD)]).await;
        if served {
            assert_eq!(page.status(), 200, "{settings:?}");
        } else {
            assert_eq!(page.status(), 403, "{settings:?}");
            assert_eq!(header_of(&page, "content-type"), "text/plain; charset=utf-8");
            assert_hardened(&page);
            assert_eq!(page.text().await.unwrap(), "forbidden\n");
            assert_eq!(rpc.status(), 403, "{settings:?}");
            assert_eq!(app.get("/metrics").await.status(), 403, "{settings:?}");
        }
        assert_eq!(app.get("/health/live").await.status(), 200, "{settings:?}");
        assert_eq!(app.get("/health/ready").await.status(), 200, "{settings:?}");
    }
}

#[test]
fn bad_hardening_settings_stop_start_up_naming_the_setting() {
    let parse = |args: &[&str]| {
        let args = ["smartai"].iter().chain(args).chain(&["serve"]).copied().collect::<Vec<_>>();
        Cli::try_parse_from(args).map(|_| ()).unwrap_err().to_string()
    };
    for (args, expected) in [
        (&["--ip-deny", "10.0.0/8"][..], "IP_DENY: `10.0.0/8` is not an IP network"),
        (&["--ip-allow", "10.0.0.0/8,nowhere"], "IP_ALLOW: `nowhere` is not an IP network"),
        (&["--cors-origins", "https://a.example/app"], "CORS_ORIGINS: `https://a.example/app` is not an origin"),
        (&["--body-limit", "lots"], "--body-limit"),
        (&["--request-timeout", "soon"], "--request-timeout"),
    ] {
        let err = parse(args);
        assert!(err.contains(expected), "{args:?}: {err}");
    }

    // The same from the environment, through the binary.
    let dir = tempfile::tempdir().unwrap();
    for (name, value, expected) in [
        ("IP_DENY", "10.0.0/8", "IP_DENY: `10.0.0/8` is not an IP network"),
        ("CORS_ORIGINS", "a.example", "CORS_ORIGINS: `a.example` is not an origin"),
        ("BODY_LIMIT", "1 bucket", "BODY_LIMIT"),
        ("REQUEST_TIMEOUT", "forever", "REQUEST_TIMEOUT"),
    ] {
        let output = smartai(dir.path(), &["serve"], &[(name, value)], None);
        assert!(!output.status.success(), "{name}={value} was accepted");
        assert!(stderr(&output).contains(expected), "{name}={value}: {}", stderr(&output));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_docs_may_style_inline_but_never_script_inline() {
    let app = spawn_app(Backend::Sqlite).await;

    let docs = app.get("/api/docs/").await;
    let csp = header_of(&docs, "content-security-policy");
    assert!(csp.contains("style-src 'self' 'unsafe-inline';"), "{csp}");
    let script = csp.split(';').map(str::trim).find(|d| d.starts_with("script-src ")).unwrap();
    assert!(!script.contains("unsafe-inline"), "{script}");
    // Everywhere else, no inline styles.
    assert!(header_of(&app.get("/").await, "content-security-policy").contains("style-src 'self';"));
}
