//! Account deletion: the owner asks (and may change their mind by signing in), an administrator
//! deletes at once, and the erasure leaves nothing behind: no row, no object, no personal data in
//! the audit log, whose chain still verifies.

use std::time::{Duration, Instant};

use domain::Actor;
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    helpers::{Backend, PASSWORD, TestApp},
    rest::{Caller, call, caller, create_token, expect_error, json, make_admin, spawn, sql, upload},
};

crate::on_both_databases!(
    owners_ask_and_signing_in_in_time_keeps_the_account,
    a_due_deletion_erases_everything_the_account_owned,
    administrators_delete_at_once_but_never_the_last_administrator,
    the_profile_page_deletes_without_javascript,
);

async fn ask(app: &TestApp, who: &Caller, body: Value) -> reqwest::Response {
    who.browser.post(app.url("/api/v1/account/deletion")).json(&body).send().await.unwrap()
}

async fn account_id(app: &TestApp, who: &Caller) -> Uuid {
    let me = json(call(app, &who.token, Method::GET, "/api/v1/account").send().await.unwrap()).await;
    me["id"].as_str().unwrap().parse().unwrap()
}

/// Polls until `done` holds, for at most 20 seconds.
async fn eventually<F: std::future::Future<Output = bool>>(what: &str, done: impl Fn() -> F) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every row that names the account (its id, or its address), as `table: row`, in every table a
/// backup carries and in the scratch ones it leaves out. The audit log keeps an erased account's
/// id on its events, whose personal fields are blanked: there only the address counts.
async fn rows_naming(app: &TestApp, id: Uuid, email: &str) -> Vec<String> {
    use domain::entities::{data_export, idempotency_key, mail_outbox, resumable_upload};
    use sea_orm::EntityTrait;

    fn rows<M: serde::Serialize>(models: Vec<M>) -> Vec<Value> {
        models.iter().map(|m| serde_json::to_value(m).unwrap()).collect()
    }
    let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
    let mut tables = domain::backup::dump(&db).await.unwrap();
    tables.insert("mail_outbox".into(), rows(mail_outbox::Entity::find().all(&db).await.unwrap()));
    tables.insert("idempotency_keys".into(), rows(idempotency_key::Entity::find().all(&db).await.unwrap()));
    tables.insert("resumable_uploads".into(), rows(resumable_upload::Entity::find().all(&db).await.unwrap()));
    tables.insert("data_exports".into(), rows(data_export::Entity::find().all(&db).await.unwrap()));
    db.close().await.unwrap();
    let id = id.to_string();
    let mut found = Vec::new();
    for (table, rows) in tables {
        for row in rows.iter().map(Value::to_string) {
            if row.contains(email) || (table != "audit_events" && row.contains(&id)) {
                found.push(format!("{table}: {row}"));
            }
        }
    }
    found
}

async fn owners_ask_and_signing_in_in_time_keeps_the_account(backend: Backend) {
    let app = spawn(backend).await;
    let ada = caller(&app).await;

    // Programs cannot, and the address must be typed right.
    let by_token = call(&app, &ada.token, Method::POST, "/api/v1/account/deletion")
        .json(&json!({ "confirmation": ada.email }))
        .send()
        .await
        .unwrap();
    expect_error(by_token, 403, "forbidden").await;
    let missing = expect_error(ask(&app, &ada, json!({ "confirmation": " " })).await, 422, "validation_failed").await;
    assert_eq!(missing["error"]["fields"]["confirmation"], "required");
    let wrong = ask(&app, &ada, json!({ "confirmation": "someone@else.example" })).await;
    assert_eq!(expect_error(wrong, 422, "validation_failed").await["error"]["fields"]["confirmation"], "incorrect");
    let bad_password = ask(&app, &ada, json!({ "confirmation": ada.email, "password": "not my password" })).await;
    let refused = expect_error(bad_password, 422, "validation_failed").await;
    assert_eq!(refused["error"]["fields"]["current_password"], "incorrect");
    assert_eq!(call(&app, &ada.token, Method::GET, "/api/v1/account").send().await.unwrap().status(), 200);

    // Signed up moments ago: the session is proof enough. Case and spaces do not matter.
    let asked = ask(&app, &ada, json!({ "confirmation": format!(" {} ", ada.email.to_uppercase()) })).await;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    let due: time::OffsetDateTime = time::OffsetDateTime::parse(
        json(asked).await["due_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let in_a_week = time::OffsetDateTime::now_utc() + time::Duration::days(7);
    assert!((due - in_a_week).abs() < time::Duration::minutes(1), "the default grace period is 7 days: {due}");

    // Everything that signed in has stopped working, on the spot.
    expect_error(ada.browser.get(app.url("/api/v1/account")).send().await.unwrap(), 401, "unauthenticated").await;
    expect_error(call(&app, &ada.token, Method::GET, "/api/v1/account").send().await.unwrap(), 401, "invalid_token")
        .await;
    // Not due yet: the nightly job leaves it alone.
    assert_eq!(app.services.deletion.enqueue_due().await.unwrap(), 0);

    // She changes her mind: signing in cancels.
    assert_eq!(app.sign_in_with(&ada.browser, &ada.email, PASSWORD).await.status(), 200);
    let activity = json(ada.browser.get(app.url("/api/v1/account/activity")).send().await.unwrap()).await;
    let events: Vec<&str> = activity.as_array().unwrap().iter().filter_map(|e| e["event"].as_str()).collect();
    assert!(events.starts_with(&["deletion_cancelled", "sign_in"]), "{events:?}");
    assert!(events.contains(&"deletion_requested"), "{events:?}");
    assert_eq!(app.services.deletion.enqueue_due().await.unwrap(), 0, "nothing is due any more");
    let token = create_token(&app, &ada.browser, &["read"]).await;
    assert_eq!(call(&app, &token, Method::GET, "/api/v1/account").send().await.unwrap().status(), 200);
}

async fn a_due_deletion_erases_everything_the_account_owned(backend: Backend) {
    let app = spawn(backend).await;
    let (ada, bob) = (caller(&app).await, caller(&app).await);
    let (ada_id, bob_id) = (account_id(&app, &ada).await, account_id(&app, &bob).await);
    let file = json(upload(&app, &ada.token, "notes.txt", b"the plans of Ada").await).await;
    let file_id = file["id"].as_str().unwrap().to_owned();
    assert_eq!(upload(&app, &bob.token, "bob.txt", b"the plans of Bob").await.status(), 201);
    // An upload she began and never finished, and an avatar.
    let begun = call(&app, &ada.token, Method::POST, "/api/v1/uploads")
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "1000")
        .header("Upload-Metadata", "filename ZHJhZnQudHh0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(vec![b'a'; 100])
        .send()
        .await
        .unwrap();
    assert_eq!(begun.status(), StatusCode::CREATED, "{:?}", begun.text().await);
    let avatar = call(&app, &ada.token, Method::PUT, "/api/v1/account/avatar")
        .header(header::CONTENT_TYPE, "image/png")
        .body(crate::chaos::png(3))
        .send()
        .await
        .unwrap();
    assert!(avatar.status().is_success(), "{}", avatar.status());
    eventually("the file's text to be extracted", || async { app.stored_objects(&format!("derived/{file_id}")) > 0 })
        .await;
    assert!(app.stored_objects(&format!("files/{ada_id}")) == 1 && app.stored_objects("avatars") > 0);
    assert!(app.stored_objects("uploads") > 0);
    // And an export of her data, built.
    let export = json(call(&app, &ada.token, Method::POST, "/api/v1/account/exports").send().await.unwrap()).await;
    let export = format!("/api/v1/account/exports/{}", export["id"].as_str().unwrap());
    eventually("the export", || async {
        json(call(&app, &ada.token, Method::GET, &export).send().await.unwrap()).await["status"] == "ready"
    })
    .await;
    assert_eq!(app.stored_objects(&format!("exports/{ada_id}")), 1);

    assert_eq!(ask(&app, &ada, json!({ "confirmation": ada.email })).await.status(), StatusCode::ACCEPTED);
    sql(&app, &format!("UPDATE users SET deletion_due_at = created_at WHERE email = '{}'", ada.email)).await;
    assert_eq!(app.services.deletion.enqueue_due().await.unwrap(), 1);
    let admin = Actor::System;
    eventually("the erasure job", || async {
        matches!(app.services.accounts.user(&admin, ada_id).await, Err(domain::Error::NotFound))
    })
    .await;
    // The job removes the objects after it commits the erasure.
    eventually("her objects removed", || async {
        app.stored_objects(&format!("files/{ada_id}")) == 0 && app.stored_objects(&format!("derived/{file_id}")) == 0
    })
    .await;

    // Nothing of hers is stored; Bob's things are untouched; the storage check is clean.
    assert_eq!(app.stored_objects(&format!("files/{ada_id}")), 0);
    assert_eq!(app.stored_objects(&format!("derived/{file_id}")), 0);
    assert_eq!((app.stored_objects("avatars"), app.stored_objects("uploads")), (0, 0));
    assert_eq!(app.stored_objects("exports"), 0);
    assert_eq!(app.stored_objects(&format!("files/{bob_id}")), 1);
    let report = app.services.files.check(&admin, false).await.unwrap();
    assert_eq!(report, Default::default(), "nothing left behind");
    // No row anywhere names her (the erasure job's own row goes a moment after it finishes).
    let mut left = rows_naming(&app, ada_id, &ada.email).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !left.is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
        left = rows_naming(&app, ada_id, &ada.email).await;
    }
    assert!(left.is_empty(), "rows still naming her: {left:#?}");
    assert!(rows_naming(&app, bob_id, &bob.email).await.len() > 3, "the scan finds what is there");

    // The log keeps its chain, and no longer knows her address or where she signed in from.
    let verified = app.services.audit.verify(&admin).await.unwrap();
    assert_eq!(verified.broken, None, "{verified:?}");
    // Her sign-up, her token, her export and her request.
    assert_eq!(verified.pseudonymised, 4, "{verified:?}");
    let log = app.services.audit.list(&admin, None, 1000).await.unwrap();
    let erased = log.iter().find(|e| e.event == "account_erased").expect("the erasure is recorded");
    assert_eq!(erased.user_id, Some(ada_id));
    let naming: Vec<_> = log.iter().filter(|e| format!("{e:?}").contains(&ada.email)).collect();
    assert!(naming.is_empty(), "her address is gone from the log: {naming:?}");
    assert!(log.iter().filter(|e| e.user_id == Some(ada_id)).all(|e| e.ip.is_none() && e.user_agent.is_none()));
    assert!(log.iter().any(|e| e.user_id == Some(bob_id) && e.ip.is_some()), "Bob's events keep theirs");
    // She cannot sign in, and her address is free again.
    let rejected = app.sign_in_with(&ada.browser, &ada.email, PASSWORD).await;
    assert_eq!(rejected.status(), StatusCode::UNAUTHORIZED);

    assert_eq!(app.sign_up_confirmed_with(&crate::helpers::browser(), &ada.email).await.status(), 200);
}

async fn administrators_delete_at_once_but_never_the_last_administrator(backend: Backend) {
    let app = spawn(backend).await;
    let root = caller(&app).await;
    make_admin(&app, &root.email).await;
    let admin = create_token(&app, &root.browser, &["read", "write", "admin"]).await;
    let carol = caller(&app).await;
    let (root_id, carol_id) = (account_id(&app, &root).await, account_id(&app, &carol).await);
    let carol_path = format!("/api/v1/admin/users/{carol_id}");

    let by_user = call(&app, &carol.token, Method::DELETE, &carol_path).send().await.unwrap();
    expect_error(by_user, 403, "insufficient_scope").await;
    expect_error(carol.browser.delete(app.url(&carol_path)).send().await.unwrap(), 403, "forbidden").await;
    let own = call(&app, &admin, Method::DELETE, &format!("/api/v1/admin/users/{root_id}")).send().await.unwrap();
    assert_eq!(expect_error(own, 422, "validation_failed").await["error"]["fields"]["role"], "unsupported");
    let nobody = call(&app, &admin, Method::DELETE, &format!("/api/v1/admin/users/{}", Uuid::now_v7()));
    expect_error(nobody.send().await.unwrap(), 404, "not_found").await;

    assert_eq!(call(&app, &admin, Method::DELETE, &carol_path).send().await.unwrap().status(), StatusCode::ACCEPTED);
    // Her token and session stop at once; the job erases her in the next moments.
    expect_error(call(&app, &carol.token, Method::GET, "/api/v1/account").send().await.unwrap(), 401, "invalid_token")
        .await;
    expect_error(carol.browser.get(app.url("/api/v1/account")).send().await.unwrap(), 401, "unauthenticated").await;
    eventually("the erasure job", || async {
        call(&app, &admin, Method::GET, &carol_path).send().await.unwrap().status() == StatusCode::NOT_FOUND
    })
    .await;
    let log = app.services.audit.list(&Actor::System, None, 1000).await.unwrap();
    let asked = log.iter().find(|e| e.event == "deletion_requested" && e.user_id == Some(carol_id)).unwrap();
    assert_eq!(asked.actor_id, Some(root_id), "the administrator who deleted her is recorded");

    // The only administrator: neither the operator nor they themselves can remove or demote them.
    let client = domain::sessions::ClientInfo::default();
    let last = app.services.deletion.delete_user(&Actor::System, root_id, &client).await.unwrap_err();
    assert!(matches!(&last, domain::Error::Invalid { .. }) && last.to_string().contains("last_admin"), "{last:?}");
    let demoted = app.services.accounts.set_role(&Actor::System, root_id, domain::Role::User, None, &client).await;
    assert!(demoted.is_err_and(|e| e.to_string().contains("last_admin")));
    let own = ask(&app, &root, json!({ "confirmation": root.email })).await;
    assert_eq!(expect_error(own, 422, "validation_failed").await["error"]["fields"]["role"], "last_admin");
    assert_eq!(call(&app, &admin, Method::GET, "/api/v1/account").send().await.unwrap().status(), 200);
}

async fn the_profile_page_deletes_without_javascript(backend: Backend) {
    let app = spawn(backend).await;
    let ada = caller(&app).await;
    let page = ada.browser.get(app.url("/profile")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Delete account") && page.contains("erased 7 days after you ask"), "the card is shown");

    let form = [("password", ""), ("confirmation", ada.email.as_str())];
    let posted = ada.browser.post(app.url("/rpc/account/delete")).form(&form).send().await.unwrap();
    assert!(posted.status().is_redirection(), "{}", posted.status());
    assert_eq!(posted.headers()[header::LOCATION], "/signin?deletion=scheduled");
    let cleared = crate::helpers::set_cookie(&posted, "smartai_session").expect("the session cookie is cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let notice = ada.browser.get(app.url("/signin?deletion=scheduled")).send().await.unwrap().text().await.unwrap();
    assert!(notice.contains("Your account will be deleted"), "the sign-in page says what happened");
}
