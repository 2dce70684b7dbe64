//! The findings of the outside security review, each mounted as the attacker would mount it,
//! through the real doors. Each test failed before its fix (the note in the test says how).

use reqwest::{Client, Method, StatusCode, header};
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};

use crate::{
    helpers::{Backend, Options, PASSWORD, TestApp, browser, set_cookie, spawn_app, spawn_app_with, unique_email},
    oidc::reset_token_for,
    rest::{call, create_token, expect_error},
};

crate::on_both_databases!(
    an_unconfirmed_account_gets_no_token_passkey_or_second_factor,
    a_reset_of_an_unconfirmed_account_wipes_every_credential,
    a_secret_is_never_kept_for_an_idempotent_replay,
    a_read_only_token_cannot_replay_a_writers_key,
    links_sent_before_a_password_change_stop_working,
    step_up_proofs_are_throttled_and_a_passkey_needs_a_recent_sign_in,
    a_share_link_made_without_javascript_stays_out_of_the_url,
    share_links_are_built_from_public_url_not_the_host_header,
);

/// Runs `sql` (with `?` placeholders on SQLite, `$n` on PostgreSQL) against the app's database.
async fn exec(app: &TestApp, sqlite: &str, postgres: &str, values: Vec<sea_orm::Value>) -> u64 {
    let db = Database::connect(&app.database_url).await.unwrap();
    let sql = if app.backend == Backend::Sqlite { sqlite } else { postgres };
    let result = db.execute(Statement::from_sql_and_values(db.get_database_backend(), sql, values)).await.unwrap();
    db.close().await.ok();
    app.changed_behind_the_app().await;
    result.rows_affected()
}

async fn count(app: &TestApp, table: &str, user_id: &str) -> i64 {
    let db = Database::connect(&app.database_url).await.unwrap();
    let cast = if app.backend == Backend::Postgres { "::text" } else { "" };
    let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE user_id{cast} = '{user_id}'");
    let row = db.query_one(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    db.close().await.ok();
    row.try_get::<i64>("", "n").unwrap()
}

async fn problem(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Finding 1: a stranger signs up with the victim's address before the victim does. Before the fix
/// the stranger could add a token, a passkey and two-factor, all of which outlived the victim's
/// password reset.
async fn an_unconfirmed_account_gets_no_token_passkey_or_second_factor(backend: Backend) {
    let app = spawn_app_with(backend, Options { public_url: None, ..Options::default() }).await;
    let attacker = browser();
    assert_eq!(app.sign_up_with(&attacker, "victim@corp.example").await.status(), 200);

    let form = [("name", "keep"), ("scopes[0]", "read"), ("expires_in_days", "30")];
    let (status, body) = problem(app.rpc_with(&attacker, "tokens/create", &form).await).await;
    assert_eq!((status, body["field"].as_str(), body["problem"].as_str()), (422, Some("email"), Some("unconfirmed")));
    let rest = attacker
        .post(app.url("/api/v1/tokens"))
        .json(&json!({ "name": "keep", "scopes": ["read", "write"], "expires_in_days": 30 }))
        .send()
        .await
        .unwrap();
    assert_eq!(expect_error(rest, 422, "validation_failed").await["error"]["fields"]["email"], "unconfirmed");
    let (status, body) = problem(app.rpc_with(&attacker, "account/start_two_factor", &[]).await).await;
    assert_eq!((status, body["problem"].as_str()), (422, Some("unconfirmed")));
    let (status, body) = problem(app.rpc_with(&attacker, "passkeys/register_start", &[]).await).await;
    assert_eq!(status, 422, "{body}");

    // Confirmed, the same account may.
    app.confirm_email("victim@corp.example").await;
    assert_eq!(app.rpc_with(&attacker, "account/start_two_factor", &[]).await.status(), 200);
    create_token(&app, &attacker, &["read"]).await;
}

/// Finding 1, the other half: credentials already on an unconfirmed account (made before this
/// release) are all gone once the address's owner resets the password, and a token of an
/// unconfirmed account does not authenticate meanwhile.
async fn a_reset_of_an_unconfirmed_account_wipes_every_credential(backend: Backend) {
    let app = spawn_app(backend).await;
    let attacker = browser();
    let email = "victim2@corp.example";
    assert_eq!(app.sign_up_with(&attacker, email).await.status(), 200);
    let me = app.me_with(&attacker).await;
    let user_id = me["id"].as_str().unwrap().to_owned();
    // What the attacker could add before the fix, written as it was stored then.
    app.confirm_email(email).await;
    let token = create_token(&app, &attacker, &["read", "write"]).await;
    let enrolment: Value = app.rpc_with(&attacker, "account/start_two_factor", &[]).await.json().await.unwrap();
    assert!(enrolment["secret"].is_string());
    let uuid = uuid::Uuid::parse_str(&user_id).unwrap();
    exec(
        &app,
        "INSERT INTO passkeys (id, user_id, credential_id, name, credential, created_at) VALUES (?, ?, 'cred', 'attacker', '{}', CURRENT_TIMESTAMP)",
        "INSERT INTO passkeys (id, user_id, credential_id, name, credential, created_at) VALUES ($1, $2, 'cred', 'attacker', '{}', now())",
        vec![uuid::Uuid::now_v7().into(), uuid.into()],
    )
    .await;
    exec(
        &app,
        "UPDATE users SET email_verified_at = NULL WHERE email = ?",
        "UPDATE users SET email_verified_at = NULL WHERE email = $1",
        vec![email.into()],
    )
    .await;
    assert_eq!(
        call(&app, &token, Method::GET, "/api/v1/account").send().await.unwrap().status(),
        401,
        "a token of an unconfirmed account does not authenticate"
    );

    // The address's owner resets the password through the e-mailed link.
    let owner = browser();
    assert_eq!(app.rpc_with(&owner, "auth/forgot_password", &[("email", email)]).await.status(), 200);
    let reset_token = reset_token_for(&app, email).await;
    let form = [("token", reset_token.as_str()), ("new_password", "the owner's own passphrase 1")];
    assert_eq!(app.rpc_with(&owner, "auth/reset_password", &form).await.status(), 200);

    for table in ["api_tokens", "passkeys", "two_factor", "recovery_codes", "sessions"] {
        assert_eq!(count(&app, table, &user_id).await, 0, "{table} left after the reset");
    }
    assert_eq!(call(&app, &token, Method::GET, "/api/v1/account").send().await.unwrap().status(), 401);
    assert_eq!(app.me_with(&attacker).await, Value::Null, "the attacker's session ended");
}

/// Finding 3: before the fix, a token's secret was stored with its `Idempotency-Key` for a day
/// (in the database and its backups) and handed to anyone replaying the key.
async fn a_secret_is_never_kept_for_an_idempotent_replay(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = browser();
    let email = unique_email();
    assert_eq!(app.sign_up_confirmed_with(&ada, &email).await.status(), 200);
    let token = create_token(&app, &ada, &["read", "write"]).await;
    let create = || {
        call(&app, &token, Method::POST, "/api/v1/tokens")
            .header("idempotency-key", "once")
            .json(&json!({ "name": "ci", "scopes": ["read"], "expires_in_days": 7 }))
    };
    let first = create().send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let secret = first.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_owned();

    let db = Database::connect(&app.database_url).await.unwrap();
    let rows = db
        .query_all(Statement::from_string(db.get_database_backend(), "SELECT status, body FROM idempotency_keys"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].try_get::<Option<String>>("", "body").unwrap(), None, "no body kept");
    let again = create().send().await.unwrap();
    assert_eq!(again.status(), 409);
    assert!(!again.text().await.unwrap().contains(&secret), "the secret is not shown again");

    // A share link's secret likewise.
    let uploaded = call(&app, &token, Method::POST, "/api/v1/files?name=a.txt").body("hello").send().await.unwrap();
    let file: Value = uploaded.json().await.unwrap();
    let share = || {
        call(&app, &token, Method::POST, &format!("/api/v1/files/{}/shares", file["id"].as_str().unwrap()))
            .header("idempotency-key", "share-once")
            .json(&json!({ "expires_in": 3600 }))
    };
    let made: Value = share().send().await.unwrap().json().await.unwrap();
    let path = made["path"].as_str().unwrap().to_owned();
    let repeat = share().send().await.unwrap();
    assert_eq!(repeat.status(), 409);
    assert!(!repeat.text().await.unwrap().contains(&path));
    db.close().await.ok();
}

/// Finding 3: before the fix a key was replayed before the scope check, so a read-only token of
/// the same user got the answer a writer's request had produced.
async fn a_read_only_token_cannot_replay_a_writers_key(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = browser();
    assert_eq!(app.sign_up_confirmed_with(&ada, &unique_email()).await.status(), 200);
    let writer = create_token(&app, &ada, &["read", "write"]).await;
    let reader = create_token(&app, &ada, &["read"]).await;
    let upload = |token: &str| {
        call(&app, token, Method::POST, "/api/v1/files?name=plan.txt")
            .header("idempotency-key", "k")
            .body("secret plan")
    };
    let first = upload(&writer).send().await.unwrap();
    assert_eq!(first.status(), 201);
    let replay = upload(&reader).send().await.unwrap();
    assert!(replay.headers().get("idempotent-replayed").is_none());
    expect_error(replay, 403, "insufficient_scope").await;
}

/// Finding 8: a reset link sent before a password change kept working after it.
async fn links_sent_before_a_password_change_stop_working(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = browser();
    let email = unique_email();
    assert_eq!(app.sign_up_confirmed_with(&ada, &email).await.status(), 200);
    assert_eq!(app.rpc_with(&browser(), "auth/forgot_password", &[("email", &email)]).await.status(), 200);
    let old_link = reset_token_for(&app, &email).await;

    let change = [("current_password", PASSWORD), ("new_password", "a changed passphrase 22")];
    assert_eq!(app.rpc_with(&ada, "account/change_password", &change).await.status(), 200);

    let form = [("token", old_link.as_str()), ("new_password", "the attacker's passphrase 3")];
    let (status, body) = problem(app.rpc_with(&browser(), "auth/reset_password", &form).await).await;
    assert_eq!((status, body["field"].as_str(), body["problem"].as_str()), (422, Some("token"), Some("expired")));
    let signed_in = app.sign_in_with(&browser(), &email, "a changed passphrase 22").await;
    assert_eq!(signed_in.status(), 200, "the changed password still works");
}

/// Finding 6: proofs typed for sensitive changes counted only against the general request limit,
/// and a passkey could be added by any session, however old (a borrowed laptop).
async fn step_up_proofs_are_throttled_and_a_passkey_needs_a_recent_sign_in(backend: Backend) {
    let app =
        spawn_app_with(backend, Options { public_url: Some("http://localhost:3000/"), ..Options::default() }).await;
    let ada = browser();
    let email = unique_email();
    assert_eq!(app.sign_up_confirmed_with(&ada, &email).await.status(), 200);

    // A session signed in an hour ago must give the password again for a passkey.
    exec(
        &app,
        "UPDATE sessions SET authenticated_at = datetime('now', '-1 hour'), created_at = datetime('now', '-1 hour')",
        "UPDATE sessions SET authenticated_at = now() - interval '1 hour', created_at = now() - interval '1 hour'",
        vec![],
    )
    .await;
    let (status, body) = problem(app.rpc_with(&ada, "passkeys/register_start", &[]).await).await;
    assert_eq!((status, body["field"].as_str(), body["problem"].as_str()), (422, Some("password"), Some("required")));
    let (status, _) = problem(app.rpc_with(&ada, "passkeys/register_start", &[("password", "wrong one")]).await).await;
    assert_eq!(status, 422, "a wrong password (the error table: invalid, not forbidden)");
    // Past the proof, the ceremony starts (or says passkeys are off for this PUBLIC_URL).
    let past_the_proof = |(status, body): (u16, Value)| status == 200 || body["field"] == "passkey";
    let ok = problem(app.rpc_with(&ada, "passkeys/register_start", &[("password", PASSWORD)]).await).await;
    assert!(past_the_proof(ok.clone()), "the password renews the session's proof: {ok:?}");
    let recent = problem(app.rpc_with(&ada, "passkeys/register_start", &[]).await).await;
    assert!(past_the_proof(recent.clone()), "recent now: {recent:?}");

    // Guessing the password through "change password" locks the account out like sign-in does.
    let mut statuses = Vec::new();
    for n in 0..7 {
        let guess = format!("guess number {n} here");
        let form = [("current_password", guess.as_str()), ("new_password", "whatever new passphrase 5")];
        statuses.push(app.rpc_with(&ada, "account/change_password", &form).await.status().as_u16());
    }
    assert!(statuses.contains(&429), "no lock-out after 7 wrong passwords: {statuses:?}");
    let locked = app.sign_in_with(&browser(), &email, PASSWORD).await;
    assert_eq!(locked.status(), 429, "the account is locked for sign-in too");
}

/// Finding 8: a share link made by a plain form post came back in the page's URL (history, logs,
/// `Referer`).
async fn a_share_link_made_without_javascript_stays_out_of_the_url(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = browser();
    assert_eq!(app.sign_up_with(&ada, &unique_email()).await.status(), 200);
    let file: Value = ada
        .post(app.url("/api/v1/files?name=notes.txt"))
        .body("meeting notes")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = file["id"].as_str().unwrap();
    let posted = ada
        .post(app.url("/rpc/files/share"))
        .header(header::ACCEPT, "text/html")
        .form(&[("id", id), ("expires_in", "1d")])
        .send()
        .await
        .unwrap();
    assert!(posted.status().is_redirection(), "{}", posted.status());
    let location = posted.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(location, format!("/files/{id}"));
    let flash = set_cookie(&posted, "smartai_new_share").expect("the link travels in a cookie").to_owned();
    assert!(flash.contains("HttpOnly") && flash.contains(&format!("Path=/files/{id}")), "{flash}");

    let page = ada.get(app.url(&location)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("http://localhost:3000/s/"), "the page shows the new link once");
    let again = ada.get(app.url(&location)).send().await.unwrap().text().await.unwrap();
    assert!(!again.contains("http://localhost:3000/s/"), "and only once");
}

/// Finding 10: the share URL was built from the request's `Host`, which the requester chooses.
async fn share_links_are_built_from_public_url_not_the_host_header(backend: Backend) {
    let app =
        spawn_app_with(backend, Options { public_url: Some("https://files.example/"), ..Options::default() }).await;
    let ada = browser();
    let email = unique_email();
    // Over https the session cookie carries the __Host- prefix (and so Secure and Path=/).
    let signed_up = app.sign_up_with(&ada, &email).await;
    let cookie = set_cookie(&signed_up, "__Host-smartai_session").expect("a __Host- session cookie");
    assert!(cookie.contains("Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"), "{cookie}");
    let session = cookie.split(';').next().unwrap().to_owned();
    let program = Client::new();
    let file: Value = program
        .post(app.url("/api/v1/files?name=a.txt"))
        .header(header::COOKIE, &session)
        .body("hello")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let made: Value = program
        .post(app.url("/rpc/files/share"))
        .header(header::COOKIE, &session)
        .header(header::HOST, "evil.example")
        .header(header::ACCEPT, "application/json")
        .form(&[("id", file["id"].as_str().unwrap()), ("expires_in", "1d")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = made["url"].as_str().unwrap();
    assert!(url.starts_with("https://files.example/s/"), "{url}");
    // A cookie without the prefix is not a session there (a sibling subdomain could have set it).
    let token = session.split_once('=').unwrap().1;
    let plain = program
        .get(app.url("/rpc/account/me"))
        .header(header::COOKIE, format!("smartai_session={token}"))
        .header(header::ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(plain.json::<Value>().await.unwrap(), Value::Null);
}

#[tokio::test]
async fn plain_http_beyond_this_machine_needs_an_explicit_flag() {
    use server::{cli::Cli, startup::Application};

    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let args = |extra: &[&str]| {
        let mut args = vec!["smartai", "--database-url", &database, "--listen", "0.0.0.0:0"];
        args.extend_from_slice(extra);
        args.push("serve");
        Cli::try_parse_from(args.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    };
    let refused = Application::build(&args(&[]).domain, &args(&[]).server).await.err().expect("refused");
    let message = format!("{refused:#}");
    assert!(message.contains("PUBLIC_URL") && message.contains("ALLOW_PLAIN_HTTP"), "{message}");
    let https = args(&["--public-url", "https://app.example/"]);
    assert!(Application::build(&https.domain, &https.server).await.is_ok());
    let allowed = args(&["--allow-plain-http"]);
    assert!(Application::build(&allowed.domain, &allowed.server).await.is_ok());
}
