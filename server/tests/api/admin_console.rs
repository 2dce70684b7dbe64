//! The admin console's doors (`/admin` and `/rpc/admin/*`, and their REST twins) with an
//! administrator's browser session: accounts searched, filtered and paged, a role changed (never
//! the last admin's), an account deleted, a flag set with its user lists as e-mail addresses; one
//! account read with what it holds; dead jobs retried and discarded; the audit log filtered, paged
//! and verified.

use reqwest::{Client, Method, StatusCode, header};
use serde_json::Value;

use crate::{
    helpers::{Backend, PASSWORD, TestApp, browser, fetch_json, unique_email},
    oidc::reset_token_for,
    rest::{call, caller, create_token, expect_error, json, make_admin, spawn},
};

crate::on_both_databases!(
    an_administrator_manages_accounts_and_flags_from_the_console,
    a_suspended_account_stops_working_at_once_and_comes_back_when_reactivated,
    an_administrator_reads_an_account_with_what_it_holds,
    an_administrator_retries_and_discards_dead_jobs,
    an_administrator_filters_pages_and_verifies_the_audit_log,
);

/// An administrator signed in with a browser session, and their token with the `admin` scope.
async fn administrator(app: &TestApp) -> (String, Client, String) {
    let email = unique_email();
    let _ = signed_up(app, &email).await;
    make_admin(app, &email).await;
    let browser = browser();
    assert_eq!(app.sign_in_with(&browser, &email, PASSWORD).await.status(), 200);
    let token = create_token(app, &browser, &["read", "admin"]).await;
    (email, browser, token)
}

async fn an_administrator_reads_an_account_with_what_it_holds(backend: Backend) {
    let app = spawn(backend).await;
    let (_, root, root_token) = administrator(&app).await;
    let ada = caller(&app).await;
    let notes = b"minutes of the meeting".to_vec();
    assert_eq!(crate::rest::upload(&app, &ada.token, "notes.txt", &notes).await.status(), 201);
    let ada_id = root_id(&app, &ada.browser).await;
    assert_eq!(app.sign_in_with(&browser(), &ada.email, PASSWORD).await.status(), 200);

    let overview = json(
        call(&app, &root_token, Method::GET, &format!("/api/v1/admin/users/{ada_id}/overview")).send().await.unwrap(),
    )
    .await;
    assert_eq!(overview["account"]["email"], ada.email.as_str());
    assert_eq!(overview["sessions"].as_array().unwrap().len(), 2, "the sign-up's and the sign-in's: {overview}");
    assert_eq!(overview["tokens"].as_array().unwrap().len(), 1);
    assert_eq!(overview["tokens"][0]["name"], "tests");
    assert!(overview["tokens"][0].get("secret").is_none(), "never a token's secret");
    assert_eq!(overview["two_factor"]["enabled"], false);
    assert_eq!(overview["passkeys"], 0);
    assert_eq!(overview["files"], 1);
    assert_eq!(overview["storage_used"], notes.len());
    assert_eq!(overview["storage_quota"], 1024 * 1024);
    assert!(overview["last_sign_in"].is_string(), "{overview}");

    // The console's page and server function say the same.
    let dto = fetch_json(root.get(app.url(&format!("/rpc/admin/user?id={ada_id}")))).await;
    assert_eq!(dto["user"]["email"], ada.email.as_str());
    assert_eq!(dto["files"], 1);
    assert_eq!(dto["you"], false);
    let page = root.get(app.url(&format!("/admin/users/{ada_id}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(&ada.email) && html.contains("Two-factor authentication") && html.contains("tests"));

    // Nobody else reads it; an unknown account is not found.
    let refused = call(&app, &ada.token, Method::GET, &format!("/api/v1/admin/users/{ada_id}/overview"));
    expect_error(refused.send().await.unwrap(), 403, "insufficient_scope").await;
    let by_session = ada.browser.get(app.url(&format!("/api/v1/admin/users/{ada_id}/overview")));
    expect_error(by_session.send().await.unwrap(), 403, "forbidden").await;
    let by_user = ada.browser.get(app.url(&format!("/admin/users/{ada_id}"))).send().await.unwrap();
    assert_eq!(by_user.status(), StatusCode::FORBIDDEN);
    let unknown =
        call(&app, &root_token, Method::GET, &format!("/api/v1/admin/users/{}/overview", uuid::Uuid::new_v4()));
    expect_error(unknown.send().await.unwrap(), 404, "not_found").await;
}

/// A job in a queue no worker of the test app reads, buried after one attempt.
async fn dead_job(app: &TestApp, queue: &str, error: &str) -> uuid::Uuid {
    use domain::jobs::{NewJob, Priority};

    let jobs = &app.services.jobs;
    let job = NewJob {
        queue: queue.to_owned(),
        kind: "tests.chore".into(),
        payload: serde_json::json!({}),
        priority: Priority::Normal,
        delay: std::time::Duration::ZERO,
        max_attempts: 1,
        timeout: std::time::Duration::from_secs(60),
        request_id: None,
    };
    let id = jobs.enqueue(job).await.unwrap();
    let claimed = jobs.claim("console-test", &[queue.to_owned()]).await.unwrap().expect("the job");
    assert_eq!(claimed.id, id);
    jobs.bury(&claimed, error).await.unwrap();
    id
}

async fn an_administrator_retries_and_discards_dead_jobs(backend: Backend) {
    let app = spawn(backend).await;
    let (root_email, root, root_token) = administrator(&app).await;
    let queue = format!("console-{}", uuid::Uuid::new_v4().simple());
    let first = dead_job(&app, &queue, "the mail server refused: 550").await;
    let second = dead_job(&app, &queue, "boom").await;

    let jobs = |token: String| {
        let app = &app;
        async move { json(call(app, &token, Method::GET, "/api/v1/admin/jobs").send().await.unwrap()).await }
    };
    let before = jobs(root_token.clone()).await;
    assert_eq!(before["backend"], "sql");
    assert_eq!(before["dead_total"], 2, "{before}");
    assert_eq!(before["dead"][0]["id"], second.to_string(), "the newest burial first");
    assert_eq!(before["dead"][1]["last_error"], "the mail server refused: 550");
    assert_eq!(before["dead"][1]["attempts"], 1);
    // (The app's own jobs, e-mails about the sign-ups, may be running meanwhile.)
    let ours = |list: &Value| list.as_array().unwrap().iter().filter(|j| j["queue"] == queue.as_str()).count();
    assert_eq!(ours(&before["pending"]), 0, "a dead job is neither running nor waiting: {before}");

    // Retried: back in its queue, ready, with fresh attempts.
    let retried = call(&app, &root_token, Method::POST, &format!("/api/v1/admin/jobs/dead/{first}/retry"));
    assert_eq!(retried.send().await.unwrap().status(), 204);
    let after = jobs(root_token.clone()).await;
    assert_eq!(after["dead_total"], 1);
    let depth = after["queues"].as_array().unwrap().iter().find(|q| q["queue"] == queue.as_str()).cloned();
    assert_eq!(depth.expect("the queue")["ready"], 1, "{after}");
    let again = call(&app, &root_token, Method::POST, &format!("/api/v1/admin/jobs/dead/{first}/retry"));
    expect_error(again.send().await.unwrap(), 404, "not_found").await;

    // Discarded through the console's server function: gone for good.
    let rpc = fetch_json(root.get(app.url("/rpc/admin/jobs"))).await;
    assert_eq!(rpc["dead"][0]["id"], second.to_string());
    let discarded = app.rpc_with(&root, "admin/dead_job", &[("id", &second.to_string()), ("retry", "false")]).await;
    assert_eq!(discarded.status(), 200);
    assert_eq!(jobs(root_token.clone()).await["dead_total"], 0);
    let twice = call(&app, &root_token, Method::DELETE, &format!("/api/v1/admin/jobs/dead/{second}"));
    expect_error(twice.send().await.unwrap(), 404, "not_found").await;

    // Both audited, by the administrator; nobody else may look or act.
    let log = app.services.audit.list(&domain::Actor::System, None, 50).await.unwrap();
    let root_id = root_id(&app, &root).await;
    for (code, job) in [("job_retried", first), ("job_discarded", second)] {
        let event = log.iter().find(|e| e.event == code).unwrap_or_else(|| panic!("{code} recorded"));
        assert_eq!(event.details["job"], job.to_string());
        assert_eq!(event.actor_id.map(|id| id.to_string()), Some(root_id.clone()), "{root_email}");
    }
    let ada = caller(&app).await;
    let by_token = call(&app, &ada.token, Method::GET, "/api/v1/admin/jobs");
    expect_error(by_token.send().await.unwrap(), 403, "insufficient_scope").await;
    let user_retry = ada.browser.post(app.url(&format!("/api/v1/admin/jobs/dead/{first}/retry")));
    expect_error(user_retry.send().await.unwrap(), 403, "forbidden").await;
    let page = ada.browser.get(app.url("/admin/jobs")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    let html = root.get(app.url("/admin/jobs")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Dead jobs (0)"), "the console's page");
}

async fn an_administrator_filters_pages_and_verifies_the_audit_log(backend: Backend) {
    let app = spawn(backend).await;
    let (_, root, root_token) = administrator(&app).await;
    let ada = caller(&app).await;
    for _ in 0..3 {
        assert_eq!(app.sign_in_with(&browser(), &ada.email, PASSWORD).await.status(), 200);
    }
    let audit = |query: Vec<(&'static str, String)>| {
        let (app, token) = (&app, root_token.clone());
        async move { call(app, &token, Method::GET, "/api/v1/admin/audit").query(&query).send().await.unwrap() }
    };

    // One account's sign-ins, two a page, newest first, each page older than the one before.
    let expected: Vec<i64> = app
        .services
        .audit
        .list(&domain::Actor::System, Some(&ada.email), 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event == "sign_in")
        .map(|e| e.seq)
        .collect();
    assert!(expected.len() >= 3, "{expected:?}");
    let email = ada.email.clone();
    let sign_ins = |more: &[(&'static str, String)]| {
        let mut query = vec![("email", email.clone()), ("event", "sign_in".to_owned()), ("limit", "2".to_owned())];
        query.extend_from_slice(more);
        query
    };
    let ada_id = root_id(&app, &ada.browser).await;
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let more: Vec<_> = cursor.iter().map(|c: &String| ("cursor", c.clone())).collect();
        let page = json(audit(sign_ins(&more)).await).await;
        let items = page["items"].as_array().unwrap();
        assert!(!items.is_empty() && items.len() <= 2, "{page}");
        for event in items {
            assert_eq!(event["event"], "sign_in");
            assert_eq!(event["user_id"], ada_id.as_str());
            seen.push(event["seq"].as_i64().unwrap());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, expected, "every sign-in once, newest first");

    // Dates: nothing from tomorrow on; everything until then.
    let tomorrow = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let since = json(audit(vec![("since", tomorrow.clone())]).await).await;
    assert_eq!(since["items"].as_array().unwrap().len(), 0);
    let until = json(audit(vec![("until", tomorrow.clone()), ("email", email.clone())]).await).await;
    assert!(until["items"].as_array().unwrap().len() >= 5, "{until}");

    // Bad filters name themselves.
    let body = expect_error(audit(vec![("event", "coffee_made".into())]).await, 422, "validation_failed").await;
    assert_eq!(body["error"]["fields"]["event"], "unsupported");
    let body = expect_error(audit(vec![("email", "nobody@example.com".into())]).await, 422, "validation_failed").await;
    assert_eq!(body["error"]["fields"]["email"], "unsupported");
    let backwards = vec![("since", tomorrow.clone()), ("until", "2020-01-01T00:00:00Z".into())];
    let body = expect_error(audit(backwards).await, 422, "validation_failed").await;
    assert_eq!(body["error"]["fields"]["period"], "malformed");
    expect_error(audit(vec![("cursor", "abc".into())]).await, 422, "validation_failed").await;

    // The chain verifies, by REST and on the page; a user may do neither.
    let verified =
        json(call(&app, &root_token, Method::GET, "/api/v1/admin/audit/verification").send().await.unwrap()).await;
    assert_eq!(verified["intact"], true, "{verified}");
    assert!(verified["events"].as_u64().unwrap() >= 5);
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let rpc = fetch_json(root.get(app.url("/rpc/admin/audit")).query(&[
        ("email", email.as_str()),
        ("event", "sign_in"),
        ("from", &today),
        ("to", &today),
        ("before", ""),
    ]))
    .await;
    assert_eq!(rpc["items"].as_array().unwrap().len(), expected.len(), "{rpc}");
    assert_eq!(rpc["items"][0]["user_email"], ada.email.as_str());
    let html = root.get(app.url("/admin/audit")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("The chain is intact"), "verified on the page");
    let refused = ada.browser.get(app.url("/api/v1/admin/audit/verification"));
    expect_error(refused.send().await.unwrap(), 403, "forbidden").await;
    assert_eq!(ada.browser.get(app.url("/admin/audit")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
}

async fn signed_up(app: &TestApp, email: &str) -> Client {
    let client = browser();
    assert_eq!(app.sign_up_confirmed_with(&client, email).await.status(), 200);
    client
}

async fn users(app: &TestApp, admin: &Client, query: &str) -> Value {
    fetch_json(admin.get(app.url(&format!("/rpc/admin/users?{query}")))).await
}

async fn an_administrator_manages_accounts_and_flags_from_the_console(backend: Backend) {
    let app = spawn(backend).await;
    let root_email = unique_email();
    let _ = signed_up(&app, &root_email).await;
    make_admin(&app, &root_email).await;
    // Signed in after becoming one: the session knows the role.
    let root = browser();
    assert_eq!(app.sign_in_with(&root, &root_email, PASSWORD).await.status(), 200);
    let tag = uuid::Uuid::new_v4().simple().to_string();
    for n in 0..23 {
        signed_up(&app, &format!("member{n:02}-{tag}@example.com")).await;
    }
    let ada = signed_up(&app, &format!("ada-{tag}@example.com")).await;

    // A visitor is sent to sign in; a user gets the 403 page; the administrator the console.
    let url = app.url("/admin");
    let page = |client: &Client| client.get(&url).send();
    let visitor = page(&browser()).await.unwrap();
    assert_eq!(visitor.status(), StatusCode::FOUND, "a visitor is sent to sign in");
    assert_eq!(visitor.headers()[header::LOCATION], "/signin");
    let forbidden = page(&ada).await.unwrap();
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    let console = page(&root).await.unwrap();
    assert_eq!(console.status(), 200);
    let html = console.text().await.unwrap();
    assert!(html.contains("Accounts") && html.contains("Feature flags") && html.contains("assistant"));

    // Search and pages: 24 accounts carry the tag, 20 a page, newest first, none twice.
    let first = users(&app, &root, &format!("search={tag}&role=&after=")).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 20);
    let next = first["next"].as_str().expect("a second page");
    let second = users(&app, &root, &format!("search={tag}&role=&after={next}")).await;
    assert_eq!(second["items"].as_array().unwrap().len(), 4);
    assert!(second["next"].is_null());
    let mut seen: Vec<String> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|u| u["email"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(seen[0], format!("ada-{tag}@example.com"), "newest first");
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 24);

    // A role, changed and filtered on; the last administrator cannot stop being one.
    let member = &first["items"][1];
    let id = member["id"].as_str().unwrap();
    let made = app.rpc_with(&root, "admin/set_role", &[("id", id), ("role", "admin")]).await;
    assert_eq!(made.status(), 200);
    let admins = users(&app, &root, &format!("search={tag}&role=admin&after=")).await;
    assert_eq!(admins["items"].as_array().unwrap().len(), 1);
    assert_eq!(admins["items"][0]["id"], member["id"]);
    let back = app.rpc_with(&root, "admin/set_role", &[("id", id), ("role", "user")]).await;
    assert_eq!(back.status(), 200);
    let own = app.rpc_with(&root, "admin/set_role", &[("id", &root_id(&app, &root).await), ("role", "user")]).await;
    assert_eq!(own.status(), 422, "not one's own role");

    // Deleted now: erased by a job within moments, then gone from the list.
    let gone = first["items"][2]["id"].as_str().unwrap();
    assert_eq!(app.rpc_with(&root, "admin/delete_user", &[("id", gone)]).await.status(), 200);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let after = users(&app, &root, &format!("search={tag}&role=&after=")).await;
        if after["items"].as_array().unwrap().iter().all(|u| u["id"] != gone) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the deleted account is still listed");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // A flag, with its lists by address; an unknown address is refused and changes nothing.
    let ada_email = format!("ada-{tag}@example.com");
    let set = app
        .rpc_with(
            &root,
            "admin/set_flag",
            &[("key", "assistant"), ("enabled", "on"), ("rollout", "0"), ("allow_users", &ada_email)],
        )
        .await;
    assert_eq!(set.status(), 200, "{:?}", set.text().await);
    let flags: Value = root.get(app.url("/rpc/admin/flags")).send().await.unwrap().json().await.unwrap();
    assert_eq!(flags[0]["allow_users"][0], ada_email.as_str());
    assert_eq!(flags[0]["rollout"], 0);
    let usage =
        |client: &Client| client.get(app.url("/rpc/assistant/usage")).header(header::ACCEPT, "application/json").send();
    assert_eq!(usage(&ada).await.unwrap().status(), 200, "allowed by address");
    assert_eq!(usage(&root).await.unwrap().status(), 404, "nobody else at 0%");
    let unknown = app
        .rpc_with(
            &root,
            "admin/set_flag",
            &[("key", "assistant"), ("rollout", "100"), ("deny_users", "nobody@example.com")],
        )
        .await;
    assert_eq!(unknown.status(), 422);
    let kept: Value = root.get(app.url("/rpc/admin/flags")).send().await.unwrap().json().await.unwrap();
    assert_eq!(kept[0]["rollout"], 0, "a refused change loses nothing");
}

async fn root_id(app: &TestApp, client: &Client) -> String {
    let me: Value = client.get(app.url("/api/v1/account")).send().await.unwrap().json().await.unwrap();
    me["id"].as_str().unwrap().to_owned()
}

/// Suspension through the REST API: the account's session and token stop at once, signing in
/// is refused saying why; reactivated, its token works again and it signs in. Also: signing an
/// account out everywhere, and sending it a password reset.
async fn a_suspended_account_stops_working_at_once_and_comes_back_when_reactivated(backend: Backend) {
    let app = spawn(backend).await;
    let root = caller(&app).await;
    make_admin(&app, &root.email).await;
    let admin = create_token(&app, &root.browser, &["read", "write", "admin"]).await;
    let ada = caller(&app).await;
    let ada_id = json(call(&app, &ada.token, Method::GET, "/api/v1/account").send().await.unwrap()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let account = |client: &Client| client.get(app.url("/api/v1/account")).send();
    // Both resolved (and cached) just before the suspension.
    assert_eq!(account(&ada.browser).await.unwrap().status(), 200);
    assert_eq!(call(&app, &ada.token, Method::GET, "/api/v1/account").send().await.unwrap().status(), 200);

    let suspension = format!("/api/v1/admin/users/{ada_id}/suspension");
    let suspended = json(call(&app, &admin, Method::PUT, &suspension).send().await.unwrap()).await;
    assert_eq!(suspended["suspended"], true);
    assert_eq!(account(&ada.browser).await.unwrap().status(), 401, "the session ended at once");
    expect_error(call(&app, &ada.token, Method::GET, "/api/v1/account").send().await.unwrap(), 401, "invalid_token")
        .await;
    let refused = app.sign_in_with(&ada.browser, &ada.email, PASSWORD).await;
    assert_eq!(refused.status(), 422);
    let refused: Value = refused.json().await.unwrap();
    assert!(refused.to_string().contains("suspended"), "says why: {refused}");
    let wrong = app.sign_in_with(&browser(), &ada.email, "not the password").await;
    assert_eq!(wrong.status(), 401, "a wrong password learns nothing of the suspension");
    let own = call(
        &app,
        &admin,
        Method::PUT,
        &format!("/api/v1/admin/users/{}/suspension", root_id(&app, &root.browser).await),
    );
    expect_error(own.send().await.unwrap(), 422, "validation_failed").await;
    let listed =
        json(call(&app, &admin, Method::GET, &format!("/api/v1/admin/users/{ada_id}")).send().await.unwrap()).await;
    assert_eq!(listed["suspended"], true);
    // Found by state, through either door.
    let by_state = |state: &'static str| {
        let (app, admin, email) = (&app, admin.clone(), ada.email.clone());
        async move {
            let rest = call(app, &admin, Method::GET, "/api/v1/admin/users")
                .query(&[("email", &email), ("state", &state.to_owned())]);
            json(rest.send().await.unwrap()).await["items"].as_array().unwrap().len()
        }
    };
    assert_eq!((by_state("suspended").await, by_state("active").await), (1, 0));
    let console = browser();
    assert_eq!(app.sign_in_with(&console, &root.email, PASSWORD).await.status(), 200);
    let rpc = users(&app, &console, &format!("search={}&role=&state=suspended&after=", ada.email)).await;
    assert_eq!(rpc["items"][0]["id"], ada_id.as_str());

    let back = json(call(&app, &admin, Method::DELETE, &suspension).send().await.unwrap()).await;
    assert_eq!(back["suspended"], false);
    assert_eq!(
        call(&app, &ada.token, Method::GET, "/api/v1/account").send().await.unwrap().status(),
        200,
        "the token works again"
    );
    let laptop = browser();
    assert_eq!(app.sign_in_with(&laptop, &ada.email, PASSWORD).await.status(), 200);
    let phone = browser();
    assert_eq!(app.sign_in_with(&phone, &ada.email, PASSWORD).await.status(), 200);

    let out =
        json(call(&app, &admin, Method::POST, &format!("/api/v1/admin/users/{ada_id}/sign-out")).send().await.unwrap())
            .await;
    assert_eq!(out["ended"], 2);
    assert_eq!(account(&laptop).await.unwrap().status(), 401);
    assert_eq!(account(&phone).await.unwrap().status(), 401);

    let reset =
        call(&app, &admin, Method::POST, &format!("/api/v1/admin/users/{ada_id}/password-reset")).send().await.unwrap();
    assert_eq!(reset.status(), 202);
    let token = reset_token_for(&app, &ada.email).await;
    assert!(token.len() > 20, "a reset link was e-mailed");

    let log = app.services.audit.list(&domain::Actor::System, None, 200).await.unwrap();
    for event in ["account_suspended", "account_reactivated", "password_reset_sent"] {
        assert_eq!(log.iter().filter(|e| e.event == event).count(), 1, "{event}");
    }
}
