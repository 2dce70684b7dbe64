//! The REST API, `/api/v1`, as a program uses it: bearer tokens and their scopes, the one error
//! body, pagination, ETags, idempotency keys, streamed files, notifications, sessions, admin.

use std::time::Duration;

use reqwest::{Client, Method, RequestBuilder, Response, StatusCode, header};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

use crate::helpers::{Backend, Options, PASSWORD, TestApp, browser, spawn_app_with, unique_email};

crate::on_both_databases!(
    tokens_authenticate_until_revoked_or_expired,
    scopes_limit_what_a_token_may_do,
    the_account_has_etags_and_refuses_stale_or_bad_updates,
    if_match_is_checked_by_the_write_itself,
    every_error_has_the_one_body,
    files_stream_in_and_out_and_page_by_cursor,
    idempotency_keys_replay_the_first_answer,
    an_abandoned_idempotency_claim_is_taken_over_when_its_lease_runs_out,
    notifications_sessions_and_preferences,
    administrators_manage_accounts,
    administrators_set_feature_flags,
);

/// A user with a session (`browser`) and a token with every scope they may have (`token`).
pub struct Caller {
    pub email: String,
    pub browser: Client,
    pub token: String,
}

/// A client without cookies: a program holding a token.
fn program() -> Client {
    Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(Duration::from_secs(30)).build().unwrap()
}

pub async fn spawn(backend: Backend) -> TestApp {
    let extra = ["--files-max-size", "64KiB", "--files-quota", "1MiB"].map(String::from).to_vec();
    spawn_app_with(backend, Options { extra, ..Options::default() }).await
}

pub async fn caller(app: &TestApp) -> Caller {
    caller_with(app, &["read", "write"]).await
}

pub async fn caller_with(app: &TestApp, scopes: &[&str]) -> Caller {
    let email = unique_email();
    let browser = browser();
    assert_eq!(app.sign_up_confirmed_with(&browser, &email).await.status(), 200);
    let token = create_token(app, &browser, scopes).await;
    Caller { email, browser, token }
}

/// Creates a token with the session of `browser`.
pub async fn create_token(app: &TestApp, browser: &Client, scopes: &[&str]) -> String {
    let response = browser
        .post(app.url("/api/v1/tokens"))
        .json(&json!({ "name": "tests", "scopes": scopes, "expires_in_days": 30 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    body["secret"].as_str().unwrap().to_owned()
}

pub fn call(app: &TestApp, token: &str, method: Method, path: &str) -> RequestBuilder {
    program().request(method, app.url(path)).bearer_auth(token)
}

pub async fn json(response: Response) -> Value {
    response.json().await.unwrap()
}

/// Asserts the status and the error body's code; returns the body.
pub async fn expect_error(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "status of {}", response.url());
    let request_id = response.headers().get("x-request-id").unwrap().to_str().unwrap().to_owned();
    let body = json(response).await;
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_eq!(body["error"]["request_id"], request_id.as_str(), "the body names the request");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(body["error"]["fields"].is_object());
    body
}

pub async fn sql(app: &TestApp, statement: &str) {
    let db = Database::connect(&app.database_url).await.unwrap();
    db.execute_unprepared(statement).await.unwrap();
    db.close().await.unwrap();
    app.changed_behind_the_app().await;
}

pub async fn make_admin(app: &TestApp, email: &str) {
    sql(app, &format!("UPDATE users SET role = 'admin' WHERE email = '{email}'")).await;
}

pub async fn upload(app: &TestApp, token: &str, name: &str, bytes: &[u8]) -> Response {
    call(app, token, Method::POST, &format!("/api/v1/files?name={name}")).body(bytes.to_vec()).send().await.unwrap()
}

async fn tokens_authenticate_until_revoked_or_expired(backend: Backend) {
    let app = spawn(backend).await;
    let ada = caller(&app).await;
    assert!(ada.token.starts_with("sat_") && ada.token.len() > 40);

    let me = json(call(&app, &ada.token, Method::GET, "/api/v1/account").send().await.unwrap()).await;
    assert_eq!(me["email"], ada.email.as_str());
    let tokens = json(call(&app, &ada.token, Method::GET, "/api/v1/tokens").send().await.unwrap()).await;
    let listed = tokens.as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["scopes"], json!(["read", "write"]));
    assert!(!tokens.to_string().contains(&ada.token), "the secret is never shown again");
    assert!(listed[0]["last_used_at"].is_string(), "use is recorded");

    // No credential, a wrong one, a malformed header: 401, and the cookie is not consulted.
    expect_error(program().get(app.url("/api/v1/account")).send().await.unwrap(), 401, "unauthenticated").await;
    let wrong = call(&app, "sat_nope", Method::GET, "/api/v1/account").send().await.unwrap();
    assert_eq!(wrong.headers()[header::WWW_AUTHENTICATE], r#"Bearer error="invalid_token""#);
    expect_error(wrong, 401, "invalid_token").await;
    let with_cookie =
        ada.browser.get(app.url("/api/v1/account")).header(header::AUTHORIZATION, "Basic eDp5").send().await.unwrap();
    expect_error(with_cookie, 401, "invalid_token").await;
    // The session alone works too: one actor, whichever credential.
    assert_eq!(ada.browser.get(app.url("/api/v1/account")).send().await.unwrap().status(), 200);

    // Expired.
    let second = create_token(&app, &ada.browser, &["read"]).await;
    sql(&app, "UPDATE api_tokens SET expires_at = created_at WHERE scopes = 'read'").await;
    expect_error(call(&app, &second, Method::GET, "/api/v1/account").send().await.unwrap(), 401, "invalid_token").await;

    // Revoked: at once.
    let id = listed[0]["id"].as_str().unwrap();
    let revoked = call(&app, &ada.token, Method::DELETE, &format!("/api/v1/tokens/{id}")).send().await.unwrap();
    assert_eq!(revoked.status(), 204);
    expect_error(call(&app, &ada.token, Method::GET, "/api/v1/account").send().await.unwrap(), 401, "invalid_token")
        .await;

    // Only the hash is stored.
    let db = Database::connect(&app.database_url).await.unwrap();
    let rows = db
        .query_all(sea_orm::Statement::from_string(db.get_database_backend(), "SELECT token_hash FROM api_tokens"))
        .await
        .unwrap();
    for row in rows {
        let hash: String = row.try_get("", "token_hash").unwrap();
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains("sat_"));
    }
    let activity = json(ada.browser.get(app.url("/api/v1/account/activity")).send().await.unwrap()).await;
    let events: Vec<_> = activity.as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert!(events.contains(&"token_created") && events.contains(&"token_revoked"), "{events:?}");
}

async fn scopes_limit_what_a_token_may_do(backend: Backend) {
    let app = spawn(backend).await;
    let reader = caller_with(&app, &["read"]).await;
    assert_eq!(call(&app, &reader.token, Method::GET, "/api/v1/files").send().await.unwrap().status(), 200);
    let patch = call(&app, &reader.token, Method::PATCH, "/api/v1/account").json(&json!({ "display_name": "X" }));
    expect_error(patch.send().await.unwrap(), 403, "insufficient_scope").await;
    expect_error(upload(&app, &reader.token, "a.txt", b"hello").await, 403, "insufficient_scope").await;

    let writer = caller_with(&app, &["write"]).await;
    expect_error(
        call(&app, &writer.token, Method::GET, "/api/v1/files").send().await.unwrap(),
        403,
        "insufficient_scope",
    )
    .await;

    // A token cannot mint a stronger one, and `admin` is for administrators.
    let stronger = call(&app, &reader.token, Method::POST, "/api/v1/tokens")
        .json(&json!({ "name": "more", "scopes": ["read", "write"], "expires_in_days": 1 }));
    expect_error(stronger.send().await.unwrap(), 403, "insufficient_scope").await;
    let rw = caller(&app).await;
    let stronger = call(&app, &rw.token, Method::POST, "/api/v1/tokens")
        .json(&json!({ "name": "admin", "scopes": ["admin"], "expires_in_days": 1 }));
    let body = expect_error(stronger.send().await.unwrap(), 422, "validation_failed").await;
    assert_eq!(body["error"]["fields"]["scopes"], "unsupported");

    // An administrator's token reaches the admin API only with the admin scope.
    make_admin(&app, &rw.email).await;
    expect_error(
        call(&app, &rw.token, Method::GET, "/api/v1/admin/users").send().await.unwrap(),
        403,
        "insufficient_scope",
    )
    .await;
    let admin = create_token(&app, &rw.browser, &["read", "admin"]).await;
    assert_eq!(call(&app, &admin, Method::GET, "/api/v1/admin/users").send().await.unwrap().status(), 200);
    // The admin scope of a non-administrator (demoted since) opens nothing.
    sql(&app, &format!("UPDATE users SET role = 'user' WHERE email = '{}'", rw.email)).await;
    expect_error(call(&app, &admin, Method::GET, "/api/v1/admin/users").send().await.unwrap(), 403, "forbidden").await;
}

async fn the_account_has_etags_and_refuses_stale_or_bad_updates(backend: Backend) {
    let app = spawn(backend).await;
    let ada = caller(&app).await;
    let read = call(&app, &ada.token, Method::GET, "/api/v1/account").send().await.unwrap();
    let etag = read.headers()[header::ETAG].to_str().unwrap().to_owned();
    let cached = call(&app, &ada.token, Method::GET, "/api/v1/account").header(header::IF_NONE_MATCH, &etag);
    assert_eq!(cached.send().await.unwrap().status(), 304);

    let update = |if_match: &str, body: Value| {
        call(&app, &ada.token, Method::PATCH, "/api/v1/account").header(header::IF_MATCH, if_match).json(&body)
    };
    let changed = update(&etag, json!({ "display_name": "Ada L." })).send().await.unwrap();
    assert_eq!(changed.status(), 200);
    let new_etag = changed.headers()[header::ETAG].to_str().unwrap().to_owned();
    assert_ne!(new_etag, etag);
    assert_eq!(json(changed).await["display_name"], "Ada L.");
    // Based on the old version: refused, nothing changed.
    expect_error(
        update(&etag, json!({ "display_name": "Lost update" })).send().await.unwrap(),
        412,
        "precondition_failed",
    )
    .await;
    let body =
        expect_error(update(&new_etag, json!({ "locale": "xx" })).send().await.unwrap(), 422, "validation_failed")
            .await;
    assert_eq!(body["error"]["fields"]["locale"], "unsupported");
    expect_error(update(&new_etag, json!({ "nickname": "x" })).send().await.unwrap(), 422, "validation_failed").await;
    let me = json(call(&app, &ada.token, Method::GET, "/api/v1/account").send().await.unwrap()).await;
    assert_eq!((me["display_name"].as_str(), me["locale"].as_str()), (Some("Ada L."), Some("en")));

    let password = |current: &str| {
        call(&app, &ada.token, Method::PUT, "/api/v1/account/password")
            .json(&json!({ "current_password": current, "new_password": "a brand new passphrase" }))
    };
    let body = expect_error(password("wrong one").send().await.unwrap(), 422, "validation_failed").await;
    assert_eq!(body["error"]["fields"]["current_password"], "incorrect");
    assert_eq!(password(PASSWORD).send().await.unwrap().status(), 204);

    let mut png = Vec::new();
    image::RgbImage::from_pixel(40, 30, image::Rgb([200, 10, 10]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let avatar = call(&app, &ada.token, Method::PUT, "/api/v1/account/avatar").body(png).send().await.unwrap();
    assert_eq!(avatar.status(), 200);
    let url = json(avatar).await["avatar_url"].as_str().unwrap().to_owned();
    assert_eq!(program().get(app.url(&url)).send().await.unwrap().status(), 200);
    let not_image = call(&app, &ada.token, Method::PUT, "/api/v1/account/avatar").body("hello").send().await.unwrap();
    expect_error(not_image, 422, "validation_failed").await;
    assert_eq!(call(&app, &ada.token, Method::DELETE, "/api/v1/account/avatar").send().await.unwrap().status(), 204);

    // The deprecated alias still answers, and says so.
    let me = call(&app, &ada.token, Method::GET, "/api/v1/me").send().await.unwrap();
    assert_eq!(me.status(), 200);
    assert!(me.headers()["deprecation"].to_str().unwrap().starts_with('@'));
    assert_eq!(me.headers()["sunset"], "Wed, 30 Jun 2027 00:00:00 GMT");
    assert!(me.headers()[header::LINK].to_str().unwrap().contains("</api/v1/account>"));
}

/// Updates based on the same ETag sent at once: the write checks the version, so exactly one
/// wins and the others get 412, however they interleave.
async fn if_match_is_checked_by_the_write_itself(backend: Backend) {
    let app = spawn(backend).await;
    let ada = caller(&app).await;
    let created = upload(&app, &ada.token, "draft.txt", b"some text").await;
    let location = created.headers()[header::LOCATION].to_str().unwrap().to_owned();
    let created_etag = created.headers()[header::ETAG].clone();
    let read = call(&app, &ada.token, Method::GET, &location).send().await.unwrap();
    assert_eq!(read.headers()[header::ETAG], created_etag, "the upload's answer carries the file's ETag");

    let renames = (0..4).map(|n| {
        call(&app, &ada.token, Method::PATCH, &location)
            .header(header::IF_MATCH, created_etag.clone())
            .json(&json!({ "name": format!("name-{n}.txt") }))
            .send()
    });
    let statuses: Vec<u16> =
        futures_util::future::join_all(renames).await.into_iter().map(|r| r.unwrap().status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 412).count(), 3, "{statuses:?}");

    let account = call(&app, &ada.token, Method::GET, "/api/v1/account").send().await.unwrap();
    let etag = account.headers()[header::ETAG].clone();
    let updates = ["Ada", "Ada L.", "Ada Lovelace"].map(|name| {
        call(&app, &ada.token, Method::PATCH, "/api/v1/account")
            .header(header::IF_MATCH, etag.clone())
            .json(&json!({ "display_name": name }))
            .send()
    });
    let statuses: Vec<u16> =
        futures_util::future::join_all(updates).await.into_iter().map(|r| r.unwrap().status().as_u16()).collect();
    assert_eq!(
        (statuses.iter().filter(|s| **s == 200).count(), statuses.iter().filter(|s| **s == 412).count()),
        (1, 2)
    );

    // `*` asks only that the resource exists; a tag that is no version of it matches nothing.
    let patch = |tag: &str| {
        call(&app, &ada.token, Method::PATCH, &location).header(header::IF_MATCH, tag).json(&json!({ "name": "x.txt" }))
    };
    assert_eq!(patch("*").send().await.unwrap().status(), 200);
    let hashed = format!("\"{}\"", "0".repeat(32));
    expect_error(patch(&hashed).send().await.unwrap(), 412, "precondition_failed").await;
    let missing = call(&app, &ada.token, Method::PATCH, &format!("/api/v1/files/{}", uuid::Uuid::now_v7()))
        .header(header::IF_MATCH, "*")
        .json(&json!({ "name": "x.txt" }));
    expect_error(missing.send().await.unwrap(), 404, "not_found").await;
}

async fn every_error_has_the_one_body(backend: Backend) {
    let app = spawn(backend).await;
    let ada = caller(&app).await;
    expect_error(call(&app, &ada.token, Method::GET, "/api/v1/nothing/here").send().await.unwrap(), 404, "not_found")
        .await;
    expect_error(call(&app, &ada.token, Method::PUT, "/api/v1/files").send().await.unwrap(), 405, "method_not_allowed")
        .await;
    expect_error(
        call(&app, &ada.token, Method::GET, "/api/v1/files/not-a-uuid").send().await.unwrap(),
        404,
        "not_found",
    )
    .await;
    let broken = call(&app, &ada.token, Method::PATCH, "/api/v1/account")
        .header(header::CONTENT_TYPE, "application/json")
        .body("{ not json");
    expect_error(broken.send().await.unwrap(), 400, "invalid_request").await;
    let text = call(&app, &ada.token, Method::PATCH, "/api/v1/account").body("display_name=x");
    expect_error(text.send().await.unwrap(), 415, "unsupported_media_type").await;
    let missing = call(&app, &ada.token, Method::POST, "/api/v1/tokens").json(&json!({ "name": "x" }));
    expect_error(missing.send().await.unwrap(), 422, "validation_failed").await;
    let page = call(&app, &ada.token, Method::GET, "/api/v1/files?limit=0").send().await.unwrap();
    assert_eq!(expect_error(page, 422, "validation_failed").await["error"]["fields"]["limit"], "out_of_range");
    let page = call(&app, &ada.token, Method::GET, "/api/v1/files?cursor=%%%").send().await.unwrap();
    assert_eq!(expect_error(page, 422, "validation_failed").await["error"]["fields"]["cursor"], "malformed");
    let page = call(&app, &ada.token, Method::GET, "/api/v1/files?limit=many").send().await.unwrap();
    expect_error(page, 400, "invalid_request").await;
    // A session's state change from another site is refused; a token's is not (no browser adds it).
    let forged = ada.browser.delete(app.url("/api/v1/sessions")).header(header::ORIGIN, "https://evil.example");
    expect_error(forged.send().await.unwrap(), 403, "forbidden").await;
    let scripted =
        call(&app, &ada.token, Method::DELETE, "/api/v1/sessions").header(header::ORIGIN, "https://evil.example");
    assert_eq!(scripted.send().await.unwrap().status(), 200);
}

async fn files_stream_in_and_out_and_page_by_cursor(backend: Backend) {
    let app = spawn(backend).await;
    let ada = caller(&app).await;
    let created = upload(&app, &ada.token, "notes.txt", b"0123456789 hello").await;
    assert_eq!(created.status(), 201);
    let location = created.headers()[header::LOCATION].to_str().unwrap().to_owned();
    let file = json(created).await;
    assert_eq!(location, format!("/api/v1/files/{}", file["id"].as_str().unwrap()));
    assert_eq!(
        (file["name"].as_str(), file["content_type"].as_str(), file["size"].as_u64()),
        (Some("notes.txt"), Some("text/plain"), Some(16))
    );

    let content = call(&app, &ada.token, Method::GET, &format!("{location}/content")).send().await.unwrap();
    assert_eq!(content.status(), 200);
    assert_eq!(content.headers()[header::ETAG].to_str().unwrap(), format!("\"{}\"", file["sha256"].as_str().unwrap()));
    assert_eq!(content.bytes().await.unwrap().as_ref(), b"0123456789 hello");
    let range =
        call(&app, &ada.token, Method::GET, &format!("{location}/content")).header(header::RANGE, "bytes=11-15");
    let range = range.send().await.unwrap();
    assert_eq!(range.status(), 206);
    assert_eq!(range.bytes().await.unwrap().as_ref(), b"hello");
    let past = call(&app, &ada.token, Method::GET, &format!("{location}/content")).header(header::RANGE, "bytes=99-");
    expect_error(past.send().await.unwrap(), 416, "range_not_satisfiable").await;

    // Refusals name the problem and store nothing.
    let body = expect_error(
        upload(&app, &ada.token, "run.exe", b"MZ\x90\x00\x03\x00\x00\x00").await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(body["error"]["fields"]["file"], "unsupported");
    let body =
        expect_error(upload(&app, &ada.token, "big.txt", &vec![b'a'; 70 * 1024]).await, 422, "validation_failed").await;
    assert_eq!(body["error"]["fields"]["file"], "too_large");
    expect_error(upload(&app, &ada.token, "empty.txt", b"").await, 422, "validation_failed").await;

    // Rename with If-Match.
    let etag = call(&app, &ada.token, Method::GET, &location).send().await.unwrap().headers()[header::ETAG].clone();
    let rename = |tag: &header::HeaderValue, name: &str| {
        call(&app, &ada.token, Method::PATCH, &location)
            .header(header::IF_MATCH, tag.clone())
            .json(&json!({ "name": name }))
    };
    assert_eq!(json(rename(&etag, "renamed.txt").send().await.unwrap()).await["name"], "renamed.txt");
    expect_error(rename(&etag, "again.txt").send().await.unwrap(), 412, "precondition_failed").await;
    let current = call(&app, &ada.token, Method::GET, &location).send().await.unwrap().headers()[header::ETAG].clone();
    let body = expect_error(rename(&current, "bad/name").send().await.unwrap(), 422, "validation_failed").await;
    assert!(body["error"]["fields"]["file_name"].is_string());

    // Pages: newest first, every file once, whatever the page size.
    for i in 0..6 {
        assert_eq!(upload(&app, &ada.token, &format!("f{i}.txt"), b"some text").await.status(), 201);
    }
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = json(
            call(&app, &ada.token, Method::GET, &format!("/api/v1/files?limit=3&cursor={cursor}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        seen.extend(page["items"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, ["f5.txt", "f4.txt", "f3.txt", "f2.txt", "f1.txt", "f0.txt", "renamed.txt"]);
    let found = json(call(&app, &ada.token, Method::GET, "/api/v1/files?q=RENAMED").send().await.unwrap()).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);

    // Share links.
    let share =
        call(&app, &ada.token, Method::POST, &format!("{location}/shares")).json(&json!({ "expires_in": 3600 }));
    let share = share.send().await.unwrap();
    assert_eq!(share.status(), 201);
    let share = json(share).await;
    let path = share["path"].as_str().unwrap();
    assert_eq!(program().get(app.url(path)).send().await.unwrap().status(), 200, "anyone with the link");
    let shares = json(call(&app, &ada.token, Method::GET, &format!("{location}/shares")).send().await.unwrap()).await;
    assert_eq!(shares.as_array().unwrap().len(), 1);
    let too_long =
        call(&app, &ada.token, Method::POST, &format!("{location}/shares")).json(&json!({ "expires_in": 99999999 }));
    assert_eq!(
        expect_error(too_long.send().await.unwrap(), 422, "validation_failed").await["error"]["fields"]["expires_in"],
        "too_long"
    );
    let share_id = share["share"]["id"].as_str().unwrap();
    assert_eq!(
        call(&app, &ada.token, Method::DELETE, &format!("/api/v1/shares/{share_id}")).send().await.unwrap().status(),
        204
    );
    assert_eq!(program().get(app.url(path)).send().await.unwrap().status(), 404);

    assert_eq!(call(&app, &ada.token, Method::DELETE, &location).send().await.unwrap().status(), 204);
    expect_error(call(&app, &ada.token, Method::GET, &location).send().await.unwrap(), 404, "not_found").await;
    expect_error(call(&app, &ada.token, Method::DELETE, &location).send().await.unwrap(), 404, "not_found").await;
}

async fn idempotency_keys_replay_the_first_answer(backend: Backend) {
    let app = spawn(backend).await;
    let ada = caller(&app).await;
    let send = |key: &str, name: &str, bytes: &'static [u8]| {
        call(&app, &ada.token, Method::POST, &format!("/api/v1/files?name={name}"))
            .header("idempotency-key", key)
            .body(bytes)
    };
    let first = send("k-1", "a.txt", b"first body").send().await.unwrap();
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first_location = first.headers()[header::LOCATION].clone();
    let first = json(first).await;
    let again = send("k-1", "a.txt", b"first body").send().await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()[header::LOCATION], first_location);
    assert_eq!(json(again).await, first);
    let files = json(call(&app, &ada.token, Method::GET, "/api/v1/files").send().await.unwrap()).await;
    assert_eq!(files["items"].as_array().unwrap().len(), 1, "one file, not two");

    let other = send("k-1", "b.txt", b"another").send().await.unwrap();
    assert_eq!(
        expect_error(other, 422, "idempotency_key_reused").await["error"]["fields"]["idempotency_key"],
        "reused"
    );

    // A failed request does not keep its key: fixed, it may go again.
    let refused = send("k-2", "x.exe", b"MZ\x90\x00").send().await.unwrap();
    assert_eq!(refused.status(), 422);
    assert_eq!(send("k-2", "x.exe", b"MZ\x90\x00").send().await.unwrap().status(), 422, "not replayed");

    // JSON bodies: a token created twice is one token.
    let create = || {
        call(&app, &ada.token, Method::POST, "/api/v1/tokens")
            .header("idempotency-key", "token-1")
            .json(&json!({ "name": "ci", "scopes": ["read"], "expires_in_days": 7 }))
    };
    let one = json(create().send().await.unwrap()).await;
    // The secret is shown once and never kept for a replay: the repeat says where the token is.
    let two = create().send().await.unwrap();
    assert_eq!(
        two.headers()[header::LOCATION].to_str().unwrap(),
        format!("/api/v1/tokens/{}", one["token"]["id"].as_str().unwrap())
    );
    assert!(!expect_error(two, 409, "idempotency_key_secret_withheld").await.to_string().contains("sat_"));
    let tokens = json(call(&app, &ada.token, Method::GET, "/api/v1/tokens").send().await.unwrap()).await;
    assert_eq!(tokens.as_array().unwrap().len(), 2, "the caller's own and one more");
    // Keys are per user.
    let bob = caller(&app).await;
    let bobs = call(&app, &bob.token, Method::POST, "/api/v1/tokens")
        .header("idempotency-key", "token-1")
        .json(&json!({ "name": "ci", "scopes": ["read"], "expires_in_days": 7 }));
    let bobs = json(bobs.send().await.unwrap()).await;
    assert_ne!(bobs["token"]["id"], one["token"]["id"]);
    let long = "k".repeat(300);
    expect_error(send(&long, "c.txt", b"text").send().await.unwrap(), 422, "validation_failed").await;
}

/// The claim of a process that died mid-request (simulated: the first answer's row put back to
/// "being answered") blocks a retry only until its lease runs out, and says how long.
async fn an_abandoned_idempotency_claim_is_taken_over_when_its_lease_runs_out(backend: Backend) {
    use domain::entities::idempotency_key::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

    let app = spawn(backend).await;
    let ada = caller(&app).await;
    let db = Database::connect(&app.database_url).await.unwrap();
    let send = || {
        call(&app, &ada.token, Method::POST, "/api/v1/files?name=big.txt")
            .header("idempotency-key", "k-1")
            .body("bytes")
    };
    let first = json(send().send().await.unwrap()).await;
    let now = time::OffsetDateTime::now_utc();
    // lease_until None is a claim by a process older than leases: it holds LEGACY_LEASE from its creation.
    let claimed = |lease_until: Option<time::OffsetDateTime>, created_at: time::OffsetDateTime| {
        Entity::update_many()
            .col_expr(Column::Status, Expr::value(Option::<i16>::None))
            .col_expr(Column::Body, Expr::value(Option::<String>::None))
            .col_expr(Column::LeaseUntil, Expr::value(lease_until))
            .col_expr(Column::CreatedAt, Expr::value(created_at))
            .filter(Column::Key.eq("k-1"))
            .exec(&db)
    };
    let retry_after =
        |response: &Response| -> u64 { response.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap() };

    for (lease_until, created_at, waits) in
        [(Some(now + time::Duration::seconds(12)), now, 11..=13), (None, now - time::Duration::minutes(1), 539..=541)]
    {
        claimed(lease_until, created_at).await.unwrap();
        let busy = send().send().await.unwrap();
        assert!(waits.contains(&retry_after(&busy)), "Retry-After {} not in {waits:?}", retry_after(&busy));
        expect_error(busy, 409, "idempotency_key_in_progress").await;
    }

    for (lease_until, created_at) in
        [(Some(now - time::Duration::seconds(1)), now), (None, now - time::Duration::minutes(11))]
    {
        claimed(lease_until, created_at).await.unwrap();
        let taken_over = send().send().await.unwrap();
        assert_eq!(taken_over.status(), 201);
        assert!(taken_over.headers().get("idempotent-replayed").is_none(), "answered afresh, not replayed");
        let location = taken_over.headers()[header::LOCATION].to_str().unwrap().to_owned();
        // The first process committed the file before it "died": the retry finds it, stores nothing.
        let found = json(taken_over).await;
        assert_eq!(found["id"], first["id"], "the file the abandoned request made, not a second one");
        assert_eq!(location, format!("/api/v1/files/{}", first["id"].as_str().unwrap()));
        let again = send().send().await.unwrap();
        assert_eq!(again.headers()["idempotent-replayed"], "true", "and kept for the next repeat");
    }
    let listed = json(call(&app, &ada.token, Method::GET, "/api/v1/files").send().await.unwrap()).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "one upload, however many take-overs: {listed}");
}

async fn notifications_sessions_and_preferences(backend: Backend) {
    let app = spawn(backend).await;
    let ada = caller(&app).await;
    assert_eq!(upload(&app, &ada.token, "agenda.txt", b"1. Budget\n").await.status(), 201);
    let mut unread = 0;
    for _ in 0..100 {
        let count =
            json(call(&app, &ada.token, Method::GET, "/api/v1/notifications/unread").send().await.unwrap()).await;
        unread = count["unread"].as_u64().unwrap();
        if unread == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(unread, 1, "processing the upload notified its owner");
    let page =
        json(call(&app, &ada.token, Method::GET, "/api/v1/notifications?unread=true").send().await.unwrap()).await;
    let note = &page["items"][0];
    assert_eq!((note["kind"].as_str(), note["read"].as_bool()), (Some("file_processed"), Some(false)));
    let id = note["id"].as_str().unwrap();
    assert_eq!(
        call(&app, &ada.token, Method::POST, &format!("/api/v1/notifications/{id}/read"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let page =
        json(call(&app, &ada.token, Method::GET, "/api/v1/notifications?unread=true").send().await.unwrap()).await;
    assert!(page["items"].as_array().unwrap().is_empty());
    assert_eq!(call(&app, &ada.token, Method::POST, "/api/v1/notifications/read").send().await.unwrap().status(), 204);
    assert_eq!(
        call(&app, &ada.token, Method::DELETE, &format!("/api/v1/notifications/{id}")).send().await.unwrap().status(),
        204
    );
    expect_error(
        call(&app, &ada.token, Method::DELETE, &format!("/api/v1/notifications/{id}")).send().await.unwrap(),
        404,
        "not_found",
    )
    .await;

    let preferences =
        json(call(&app, &ada.token, Method::GET, "/api/v1/notifications/preferences").send().await.unwrap()).await;
    assert!(preferences.as_array().unwrap().iter().any(|p| p["kind"] == "file_failed"));
    let set = call(&app, &ada.token, Method::PUT, "/api/v1/notifications/preferences")
        .json(&json!([{ "kind": "file_failed", "in_app": false, "email": true }]));
    let saved = json(set.send().await.unwrap()).await;
    let failed = saved.as_array().unwrap().iter().find(|p| p["kind"] == "file_failed").unwrap();
    assert_eq!((failed["in_app"].as_bool(), failed["email"].as_bool()), (Some(false), Some(true)));
    let unknown = call(&app, &ada.token, Method::PUT, "/api/v1/notifications/preferences")
        .json(&json!([{ "kind": "file_failed", "in_app": true, "email": true }, { "kind": "bogus", "in_app": true, "email": true }]));
    assert_eq!(
        expect_error(unknown.send().await.unwrap(), 422, "validation_failed").await["error"]["fields"]["notification_kind"],
        "unsupported"
    );
    let kept =
        json(call(&app, &ada.token, Method::GET, "/api/v1/notifications/preferences").send().await.unwrap()).await;
    assert_eq!(kept, saved, "a refused change loses nothing");

    // Sessions: the browser's own is `current` for itself, never for a token.
    let other = browser();
    assert_eq!(app.sign_in_with(&other, &ada.email, PASSWORD).await.status(), 200);
    let mine = json(ada.browser.get(app.url("/api/v1/sessions")).send().await.unwrap()).await;
    let mine = mine.as_array().unwrap();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine.iter().filter(|s| s["current"] == true).count(), 1);
    let via_token = json(call(&app, &ada.token, Method::GET, "/api/v1/sessions").send().await.unwrap()).await;
    assert!(via_token.as_array().unwrap().iter().all(|s| s["current"] == false));
    let other_id = mine.iter().find(|s| s["current"] == false).unwrap()["id"].as_str().unwrap();
    assert_eq!(
        call(&app, &ada.token, Method::DELETE, &format!("/api/v1/sessions/{other_id}")).send().await.unwrap().status(),
        204
    );
    assert_eq!(other.get(app.url("/api/v1/account")).send().await.unwrap().status(), 401, "signed out");
    let ended = json(call(&app, &ada.token, Method::DELETE, "/api/v1/sessions").send().await.unwrap()).await;
    assert_eq!(ended["ended"], 1, "a token ends every session");
    assert_eq!(ada.browser.get(app.url("/api/v1/account")).send().await.unwrap().status(), 401);
}

async fn administrators_manage_accounts(backend: Backend) {
    let app = spawn(backend).await;
    let root = caller(&app).await;
    make_admin(&app, &root.email).await;
    let admin = create_token(&app, &root.browser, &["read", "write", "admin"]).await;
    let plain = caller(&app).await;
    expect_error(plain.browser.get(app.url("/api/v1/admin/users")).send().await.unwrap(), 403, "forbidden").await;

    let new_user = |email: &str| {
        call(&app, &admin, Method::POST, "/api/v1/admin/users")
            .header("idempotency-key", format!("create-{email}"))
            .json(&json!({ "email": email, "password": "long enough password", "locale": "de" }))
    };
    let created = new_user("carol@example.com").send().await.unwrap();
    assert_eq!(created.status(), 201);
    let location = created.headers()[header::LOCATION].to_str().unwrap().to_owned();
    let carol = json(created).await;
    assert_eq!((carol["role"].as_str(), carol["locale"].as_str()), (Some("user"), Some("de")));
    assert_eq!(json(new_user("carol@example.com").send().await.unwrap()).await, carol, "replayed");
    let taken = call(&app, &admin, Method::POST, "/api/v1/admin/users")
        .json(&json!({ "email": "carol@example.com", "password": "long enough password" }));
    assert_eq!(
        expect_error(taken.send().await.unwrap(), 409, "email_taken").await["error"]["fields"]["email"],
        "taken"
    );
    let weak = call(&app, &admin, Method::POST, "/api/v1/admin/users")
        .json(&json!({ "email": "dan@example.com", "password": "short" }));
    assert_eq!(
        expect_error(weak.send().await.unwrap(), 422, "validation_failed").await["error"]["fields"]["password"],
        "too_short"
    );

    let page = json(call(&app, &admin, Method::GET, "/api/v1/admin/users?limit=2").send().await.unwrap()).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["items"][0]["email"], "carol@example.com", "newest first");
    let rest = json(
        call(
            &app,
            &admin,
            Method::GET,
            &format!("/api/v1/admin/users?limit=2&cursor={}", page["next_cursor"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert!(rest["next_cursor"].is_null());
    let search = json(call(&app, &admin, Method::GET, "/api/v1/admin/users?email=carol").send().await.unwrap()).await;
    assert_eq!(search["items"].as_array().unwrap().len(), 1);

    let read = call(&app, &admin, Method::GET, &location).send().await.unwrap();
    let etag = read.headers()[header::ETAG].clone();
    let promote = call(&app, &admin, Method::PATCH, &location)
        .header(header::IF_MATCH, etag.clone())
        .json(&json!({ "role": "admin" }));
    assert_eq!(json(promote.send().await.unwrap()).await["role"], "admin");
    let stale =
        call(&app, &admin, Method::PATCH, &location).header(header::IF_MATCH, etag).json(&json!({ "role": "user" }));
    expect_error(stale.send().await.unwrap(), 412, "precondition_failed").await;
    let bad = call(&app, &admin, Method::PATCH, &location).json(&json!({ "role": "owner" }));
    expect_error(bad.send().await.unwrap(), 422, "validation_failed").await;
    let me = json(call(&app, &admin, Method::GET, "/api/v1/account").send().await.unwrap()).await;
    let own = call(&app, &admin, Method::PATCH, &format!("/api/v1/admin/users/{}", me["id"].as_str().unwrap()))
        .json(&json!({ "role": "user" }));
    assert_eq!(
        expect_error(own.send().await.unwrap(), 422, "validation_failed").await["error"]["fields"]["role"],
        "unsupported"
    );
    let nobody = call(&app, &admin, Method::GET, &format!("/api/v1/admin/users/{}", uuid::Uuid::now_v7()));
    expect_error(nobody.send().await.unwrap(), 404, "not_found").await;
}

async fn administrators_set_feature_flags(backend: Backend) {
    let app = spawn(backend).await;
    let root = caller(&app).await;
    make_admin(&app, &root.email).await;
    let admin = create_token(&app, &root.browser, &["read", "write", "admin"]).await;
    let (ada, bob) = (caller(&app).await, caller(&app).await);
    let usage = |who: &Caller| {
        who.browser.get(app.url("/rpc/assistant/usage")).header(header::ACCEPT, "application/json").send()
    };

    let flags = json(call(&app, &admin, Method::GET, "/api/v1/admin/flags").send().await.unwrap()).await;
    assert_eq!(flags[0]["key"], "assistant");
    assert_eq!((flags[0]["enabled"].as_bool(), flags[0]["rollout"].as_u64()), (Some(true), Some(100)), "on by default");
    assert!(flags[0]["updated_at"].is_null());
    assert_eq!(usage(&ada).await.unwrap().status(), 200);

    let ada_id = json(call(&app, &ada.token, Method::GET, "/api/v1/account").send().await.unwrap()).await["id"].clone();
    let set = call(&app, &admin, Method::PUT, "/api/v1/admin/flags/assistant")
        .json(&json!({ "enabled": true, "rollout": 100, "deny_users": [ada_id] }));
    let set = json(set.send().await.unwrap()).await;
    assert_eq!(set["deny_users"][0], ada_id);
    assert!(set["updated_at"].is_string());
    assert_eq!(usage(&ada).await.unwrap().status(), 404, "denied by name");
    assert_eq!(usage(&bob).await.unwrap().status(), 200);
    let off = call(&app, &admin, Method::PUT, "/api/v1/admin/flags/assistant")
        .json(&json!({ "enabled": false, "rollout": 100 }));
    assert_eq!(off.send().await.unwrap().status(), 200);
    assert_eq!(usage(&bob).await.unwrap().status(), 404, "off for everyone");
    let bad = call(&app, &admin, Method::PUT, "/api/v1/admin/flags/assistant")
        .json(&json!({ "enabled": true, "rollout": 150 }));
    let refused = expect_error(bad.send().await.unwrap(), 422, "validation_failed").await;
    assert_eq!(refused["error"]["fields"]["rollout"], "too_large");
    let kept = json(call(&app, &admin, Method::GET, "/api/v1/admin/flags").send().await.unwrap()).await;
    assert_eq!(kept[0]["enabled"], false, "a refused change loses nothing");
    let log = app.services.audit.list(&domain::Actor::System, None, 100).await.unwrap();
    assert_eq!(log.iter().filter(|e| e.event == "flag_changed").count(), 2);
}
