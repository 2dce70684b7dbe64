//! One account's things are invisible and untouchable to another through every REST endpoint:
//! what belongs to someone else answers exactly as what does not exist.

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::{
    helpers::{Backend, PASSWORD, TestApp, browser},
    rest::{call, caller, expect_error, json, spawn, upload},
};

crate::on_both_databases!(nobody_reads_or_changes_another_users_things);

async fn nobody_reads_or_changes_another_users_things(backend: Backend) {
    let app = spawn(backend).await;
    let ada = caller(&app).await;
    let eve = caller(&app).await;

    // Ada has a file with a share link, a notification, a second session and a second token.
    let file = json(upload(&app, &ada.token, "secret.txt", b"Ada's secret plans").await).await;
    let file_id = file["id"].as_str().unwrap().to_owned();
    let share = call(&app, &ada.token, Method::POST, &format!("/api/v1/files/{file_id}/shares"))
        .json(&json!({ "expires_in": 3600 }));
    let share = json(share.send().await.unwrap()).await;
    let share_id = share["share"]["id"].as_str().unwrap().to_owned();
    let notification_id = loop {
        let page = json(call(&app, &ada.token, Method::GET, "/api/v1/notifications").send().await.unwrap()).await;
        if let Some(id) = page["items"][0]["id"].as_str() {
            break id.to_owned();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let phone = browser();
    assert_eq!(app.sign_in_with(&phone, &ada.email, PASSWORD).await.status(), 200);
    let sessions = json(call(&app, &ada.token, Method::GET, "/api/v1/sessions").send().await.unwrap()).await;
    let session_id = sessions[0]["id"].as_str().unwrap().to_owned();
    let tokens = json(call(&app, &ada.token, Method::GET, "/api/v1/tokens").send().await.unwrap()).await;
    let token_id = tokens[0]["id"].as_str().unwrap().to_owned();

    let before = snapshot(&app, &ada.token, &file_id).await;

    // Every endpoint that names a thing, with Ada's ids, as Eve, by token and by session.
    let attempts: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/api/v1/files/{file_id}"), None),
        (Method::PATCH, format!("/api/v1/files/{file_id}"), Some(json!({ "name": "mine.txt" }))),
        (Method::DELETE, format!("/api/v1/files/{file_id}"), None),
        (Method::GET, format!("/api/v1/files/{file_id}/content"), None),
        (Method::GET, format!("/api/v1/files/{file_id}/shares"), None),
        (Method::POST, format!("/api/v1/files/{file_id}/shares"), Some(json!({ "expires_in": 3600 }))),
        (Method::DELETE, format!("/api/v1/shares/{share_id}"), None),
        (Method::POST, format!("/api/v1/notifications/{notification_id}/read"), None),
        (Method::DELETE, format!("/api/v1/notifications/{notification_id}"), None),
        (Method::DELETE, format!("/api/v1/sessions/{session_id}"), None),
        (Method::DELETE, format!("/api/v1/tokens/{token_id}"), None),
    ];
    for (method, path, body) in &attempts {
        let mut by_token = call(&app, &eve.token, method.clone(), path);
        let mut by_session = eve.browser.request(method.clone(), app.url(path));
        if let Some(body) = body {
            by_token = by_token.json(body);
            by_session = by_session.json(body);
        }
        for request in [by_token, by_session] {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
            expect_error(response, 404, "not_found").await;
        }
    }
    // Nor do Eve's listings show any of it, nor her admin-less token reach the admin API.
    for path in ["/api/v1/files", "/api/v1/notifications", "/api/v1/files?q=secret"] {
        let page = json(call(&app, &eve.token, Method::GET, path).send().await.unwrap()).await;
        assert!(page["items"].as_array().unwrap().is_empty(), "{path}: {page}");
    }
    for path in ["/api/v1/sessions", "/api/v1/tokens", "/api/v1/account/activity"] {
        let list = json(call(&app, &eve.token, Method::GET, path).send().await.unwrap()).await;
        assert!(
            !list.to_string().contains(&file_id)
                && !list.to_string().contains(&session_id)
                && !list.to_string().contains(&token_id),
            "{path}"
        );
    }
    let account = json(call(&app, &eve.token, Method::GET, "/api/v1/account").send().await.unwrap()).await;
    assert_eq!(account["email"], eve.email.as_str());
    for (method, path) in [
        (Method::GET, "/api/v1/admin/users".to_owned()),
        (Method::GET, format!("/api/v1/admin/users/{}", file["id"].as_str().unwrap())),
    ] {
        expect_error(eve.browser.request(method, app.url(&path)).send().await.unwrap(), 403, "forbidden").await;
    }
    // Eve's "sign out everywhere else" ends none of Ada's sessions.
    assert_eq!(call(&app, &eve.token, Method::DELETE, "/api/v1/sessions").send().await.unwrap().status(), 200);
    assert_eq!(call(&app, &eve.token, Method::POST, "/api/v1/notifications/read").send().await.unwrap().status(), 204);

    assert_eq!(snapshot(&app, &ada.token, &file_id).await, before, "nothing of Ada's changed");
    assert_eq!(
        phone.get(app.url("/api/v1/account")).header(header::ACCEPT, "application/json").send().await.unwrap().status(),
        200
    );
}

/// What Ada sees of her things.
async fn snapshot(app: &TestApp, token: &str, file_id: &str) -> Vec<Value> {
    let get = |path: String| async move { json(call(app, token, Method::GET, &path).send().await.unwrap()).await };
    let ids = |list: Value| list.as_array().unwrap().iter().map(|item| item["id"].clone()).collect::<Value>();
    let content = call(app, token, Method::GET, &format!("/api/v1/files/{file_id}/content")).send().await.unwrap();
    vec![
        get(format!("/api/v1/files/{file_id}")).await,
        get(format!("/api/v1/files/{file_id}/shares")).await,
        get("/api/v1/notifications".into()).await,
        ids(get("/api/v1/sessions".into()).await),
        ids(get("/api/v1/tokens".into()).await),
        Value::String(content.text().await.unwrap()),
    ]
}
