//! Sign-up, sign-in, sessions, profile and password, through the RPC endpoints.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{Backend, Options, PASSWORD, browser, set_cookie, spawn_app, spawn_app_with, unique_email};

crate::on_both_databases!(
    sign_up_creates_an_account_and_signs_it_in,
    a_duplicate_email_is_refused_whatever_its_case,
    a_weak_password_is_refused_and_nothing_is_stored,
    sign_in_works_with_the_right_password_only,
    wrong_password_and_unknown_email_look_the_same,
    signing_in_rotates_the_session,
    an_idle_session_expires,
    signing_out_ends_the_session,
    the_profile_can_be_updated_and_bad_input_changes_nothing,
    changing_the_password_needs_the_current_one_and_ends_other_sessions,
    anonymous_callers_get_401_from_private_functions,
    the_sessions_list_shows_each_device_and_signs_them_out,
);

async fn sign_up_creates_an_account_and_signs_it_in(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app
        .rpc(
            "auth/sign_up",
            &[("email", "  Ada.Lovelace@Example.COM "), ("password", PASSWORD), ("display_name", "Ada")],
        )
        .await;

    assert_eq!(response.status(), 200);
    let cookie = set_cookie(&response, "smartai_session").expect("a session cookie").to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http must not set Secure: {cookie}");
    let user: Value = response.json().await.unwrap();
    assert_eq!(user["email"], "ada.lovelace@example.com");
    assert_eq!(user["display_name"], "Ada");
    assert_eq!(user["is_admin"], false);
    assert_eq!(app.me().await["email"], "ada.lovelace@example.com");
}

async fn a_duplicate_email_is_refused_whatever_its_case(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(app.sign_up("grace@example.com").await.status(), 200);

    let response = app.sign_up_with(&browser(), "GRACE@example.com").await;

    assert_eq!(response.status(), 409);
    assert_eq!(response.json::<Value>().await.unwrap(), json!({ "code": "email_taken" }));
}

async fn a_weak_password_is_refused_and_nothing_is_stored(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    for (password, problem) in [("short", "too_short"), ("password1234", "too_common"), ("", "required")] {
        let response = app.rpc("auth/sign_up", &[("email", &email), ("password", password)]).await;
        assert_eq!(response.status(), 422, "{password}");
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({ "code": "invalid", "field": "password", "problem": problem })
        );
    }
    let response = app.rpc("auth/sign_up", &[("email", "not-an-email"), ("password", PASSWORD)]).await;
    assert_eq!(response.json::<Value>().await.unwrap()["field"], "email");

    // Nothing half-written: the address is still free.
    assert_eq!(app.sign_up(&email).await.status(), 200);
}

async fn sign_in_works_with_the_right_password_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    app.sign_up_with(&browser(), &email).await;
    let client = browser();

    let wrong = app.sign_in_with(&client, &email, "not the password at all").await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(app.me_with(&client).await, Value::Null);

    let right = app.sign_in_with(&client, &email.to_uppercase(), PASSWORD).await;
    assert_eq!(right.status(), 200);
    assert_eq!(app.me_with(&client).await["email"], email);
}

async fn wrong_password_and_unknown_email_look_the_same(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    app.sign_up_with(&browser(), &email).await;

    let mut timings = [Vec::new(), Vec::new()];
    let mut bodies = Vec::new();
    for _ in 0..5 {
        for (i, address) in [email.as_str(), "nobody-here@example.com"].into_iter().enumerate() {
            let started = Instant::now();
            let response = app.sign_in_with(&browser(), address, "not the password at all").await;
            timings[i].push(started.elapsed());
            assert_eq!(response.status(), 401);
            bodies.push(response.text().await.unwrap());
        }
    }

    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "answers differ: {bodies:?}");
    assert_eq!(bodies[0], r#"{"code":"invalid_credentials"}"#);
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (known, unknown) = (median(&mut timings[0]), median(&mut timings[1]));
    let ratio = unknown.as_secs_f64() / known.as_secs_f64();
    // Loose bounds: other tests hash in parallel. Skipping the hash would make it ~100 times faster.
    assert!((0.33..3.0).contains(&ratio), "unknown e-mail took {unknown:?}, wrong password {known:?}");
}

async fn signing_in_rotates_the_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let first = app.sign_up(&email).await;
    let old = set_cookie(&first, "smartai_session").unwrap().split(';').next().unwrap().to_owned();

    let second = app.sign_in_with(&app.client, &email, PASSWORD).await;
    let new = set_cookie(&second, "smartai_session").unwrap().split(';').next().unwrap().to_owned();

    assert_ne!(old, new);
    let replay = reqwest::Client::new().get(app.url("/rpc/account/me")).header("cookie", &old).send().await.unwrap();
    assert_eq!(replay.json::<Value>().await.unwrap(), Value::Null, "the old session still works");
    assert_eq!(app.me().await["email"], email);
}

async fn an_idle_session_expires(backend: Backend) {
    let app = spawn_app_with(backend, Options { idle_timeout: "3s", ..Options::default() }).await;
    app.sign_up(&unique_email()).await;
    assert_ne!(app.me().await, Value::Null);

    tokio::time::sleep(Duration::from_millis(4000)).await;

    assert_eq!(app.me().await, Value::Null);
    assert_eq!(app.get_rpc_with(&app.client, "account/profile").await.status(), 401);
}

async fn signing_out_ends_the_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let signed_up = app.sign_up(&unique_email()).await;
    let cookie = set_cookie(&signed_up, "smartai_session").unwrap().split(';').next().unwrap().to_owned();

    let response = app.rpc("auth/sign_out", &[]).await;

    assert_eq!(response.status(), 200);
    assert!(set_cookie(&response, "smartai_session").unwrap().contains("Max-Age=0"));
    assert_eq!(app.me().await, Value::Null);
    let replay = reqwest::Client::new().get(app.url("/rpc/account/me")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(replay.json::<Value>().await.unwrap(), Value::Null, "a signed-out session still works");
}

async fn the_profile_can_be_updated_and_bad_input_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    app.sign_up(&unique_email()).await;

    let response = app
        .rpc(
            "account/update_profile",
            &[("display_name", "  Grace   Hopper "), ("locale", "de"), ("time_zone", "Europe/Berlin")],
        )
        .await;
    assert_eq!(response.status(), 200);
    let profile: Value = app.get_rpc_with(&app.client, "account/profile").await.json().await.unwrap();
    assert_eq!(profile["display_name"], "Grace Hopper");
    assert_eq!(profile["locale"], "de");
    assert_eq!(profile["time_zone"], "Europe/Berlin");

    for (field, form) in [
        ("time_zone", [("display_name", "X"), ("locale", "en"), ("time_zone", "Mars/Olympus")]),
        ("locale", [("display_name", "X"), ("locale", "xx"), ("time_zone", "UTC")]),
        ("display_name", [("display_name", "   "), ("locale", "en"), ("time_zone", "UTC")]),
    ] {
        let response = app.rpc("account/update_profile", &form).await;
        assert_eq!(response.status(), 422);
        assert_eq!(response.json::<Value>().await.unwrap()["field"], field);
    }
    let unchanged: Value = app.get_rpc_with(&app.client, "account/profile").await.json().await.unwrap();
    assert_eq!(unchanged, profile);
}

async fn changing_the_password_needs_the_current_one_and_ends_other_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    app.sign_up(&email).await;
    let other_device = browser();
    app.sign_in_with(&other_device, &email, PASSWORD).await;
    let new_password = "a brand new passphrase here";

    let wrong = app
        .rpc("account/change_password", &[("current_password", "nope nope nope"), ("new_password", new_password)])
        .await;
    assert_eq!(wrong.status(), 422, "a wrong current password is a refused field, as at /api/v1");
    assert_eq!(wrong.json::<Value>().await.unwrap(), json!({ "code": "wrong_password" }));
    assert_ne!(app.me_with(&other_device).await, Value::Null, "a failed change must not end sessions");

    let right =
        app.rpc("account/change_password", &[("current_password", PASSWORD), ("new_password", new_password)]).await;
    assert_eq!(right.status(), 200);

    assert_ne!(app.me().await, Value::Null, "the session that changed it stays");
    assert_eq!(app.me_with(&other_device).await, Value::Null, "other sessions end");
    assert_eq!(app.sign_in_with(&browser(), &email, PASSWORD).await.status(), 401);
    assert_eq!(app.sign_in_with(&browser(), &email, new_password).await.status(), 200);
}

async fn anonymous_callers_get_401_from_private_functions(backend: Backend) {
    let app = spawn_app(backend).await;

    let profile = app.get_rpc_with(&app.client, "account/profile").await;
    let update =
        app.rpc("account/update_profile", &[("display_name", "X"), ("locale", "en"), ("time_zone", "UTC")]).await;

    assert_eq!(profile.status(), 401);
    assert_eq!(update.status(), 401);
    assert_eq!(update.json::<Value>().await.unwrap(), json!({ "code": "unauthenticated" }));
}

#[tokio::test]
async fn a_request_missing_a_field_gets_400_naming_it() {
    let app = spawn_app(Backend::Sqlite).await;

    let response = app.rpc("auth/sign_in", &[("email", "ada@example.com")]).await;

    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "request");
    assert!(body["message"].as_str().unwrap().contains("password"), "{body}");
}

#[tokio::test]
async fn session_cookies_are_secure_behind_https() {
    let app = spawn_app_with(
        Backend::Sqlite,
        Options { public_url: Some("https://smartai.example.com"), ..Options::default() },
    )
    .await;

    let response = app.sign_up(&unique_email()).await;

    let cookie = set_cookie(&response, "__Host-smartai_session").expect("the session cookie, named for https");
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(set_cookie(&response, "smartai_session").is_none(), "no cookie under the plain name over https");
}

async fn the_sessions_list_shows_each_device_and_signs_them_out(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let laptop = browser();
    assert_eq!(app.sign_up_with(&laptop, &email).await.status(), 200);
    let phone = reqwest::Client::builder()
        .cookie_store(true)
        .user_agent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Mobile Safari/604.1")
        .build()
        .unwrap();
    let tablet = browser();
    for client in [&phone, &tablet] {
        assert_eq!(app.sign_in_with(client, &email, PASSWORD).await.status(), 200);
    }

    let list = |client: &reqwest::Client| {
        let client = client.clone();
        let app = &app;
        async move {
            let response = app.get_rpc_with(&client, "account/sessions").await;
            assert_eq!(response.status(), 200);
            response.json::<Vec<Value>>().await.unwrap()
        }
    };
    let sessions = list(&laptop).await;
    assert_eq!(sessions.len(), 3);
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    assert!(sessions.iter().all(|s| s["ip"] == "127.0.0.1" && s["last_seen_at"].is_string()));
    let phone_session = sessions
        .iter()
        .find(|s| s["user_agent"].as_str().is_some_and(|ua| ua.contains("iPhone")))
        .expect("the phone's user agent is kept");
    let phone_id = phone_session["id"].as_str().unwrap().to_owned();

    // Another user cannot end it, and learns nothing.
    let stranger = browser();
    assert_eq!(app.sign_up_with(&stranger, &unique_email()).await.status(), 200);
    let response = app.rpc_with(&stranger, "account/end_session", &[("id", &phone_id)]).await;
    assert_eq!(response.status(), 404);
    assert!(app.me_with(&phone).await.is_object(), "the phone is still signed in");

    // The owner ends the phone's session: the phone is signed out, the others are not.
    let response = app.rpc_with(&laptop, "account/end_session", &[("id", &phone_id)]).await;
    assert_eq!(response.status(), 200);
    assert!(app.me_with(&phone).await.is_null());
    assert!(app.me_with(&tablet).await.is_object());
    assert_eq!(list(&laptop).await.len(), 2);

    // "Sign out all other sessions" keeps only this one; as a plain form it redirects back.
    let response = laptop.post(app.url("/rpc/account/end_other_sessions")).form(&[("", "")]).send().await.unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/profile?saved=sessions#sessions");
    assert!(app.me_with(&tablet).await.is_null());
    let left = list(&laptop).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["current"], true);
}
