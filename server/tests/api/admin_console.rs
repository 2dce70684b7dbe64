//! The admin console's doors (`/admin` and `/rpc/admin/*`) with an administrator's browser
//! session: accounts searched, filtered and paged, a role changed (never the last admin's),
//! an account deleted, a flag set with its user lists as e-mail addresses.

use reqwest::{Client, Method, StatusCode, header};
use serde_json::Value;

use crate::{
    helpers::{Backend, PASSWORD, TestApp, browser, unique_email},
    oidc::reset_token_for,
    rest::{call, caller, create_token, expect_error, json, make_admin, spawn},
};

crate::on_both_databases!(
    an_administrator_manages_accounts_and_flags_from_the_console,
    a_suspended_account_stops_working_at_once_and_comes_back_when_reactivated,
);

async fn signed_up(app: &TestApp, email: &str) -> Client {
    let client = browser();
    assert_eq!(app.sign_up_confirmed_with(&client, email).await.status(), 200);
    client
}

async fn users(app: &TestApp, admin: &Client, query: &str) -> Value {
    let response = admin
        .get(app.url(&format!("/rpc/admin/users?{query}")))
        .header(header::ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
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
    for event in ["account_suspended", "account_reactivated"] {
        assert_eq!(log.iter().filter(|e| e.event == event).count(), 1, "{event}");
    }
}
