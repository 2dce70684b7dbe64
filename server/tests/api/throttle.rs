//! Sign-in throttling through the RPC endpoint: wrong passwords lock the address out for a while
//! (429 with Retry-After, even for the right password), unknown addresses alike, a network that
//! tries many addresses is locked as a whole, and the failures show in the metrics.

use std::time::Duration;

use reqwest::{Response, header};
use serde_json::Value;

use crate::helpers::{Backend, Options, PASSWORD, TestApp, browser, spawn_app_with, unique_email};

crate::on_both_databases!(
    wrong_passwords_lock_the_account_then_the_right_one_works_after_the_delay,
    unknown_addresses_are_locked_out_the_same_way,
    a_network_trying_many_addresses_is_locked_out,
    a_plain_form_post_shows_the_lock_out_in_the_page,
    the_rest_api_locks_out_wrong_current_passwords_with_retry_after,
);

const WRONG: &str = "not the password at all";

/// An app whose first lock-out lasts 2 s (the default threshold of 5 applies).
async fn spawn(backend: Backend, extra: &[&str]) -> TestApp {
    let mut extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    extra.extend(["--auth-throttle-base-delay".into(), "2s".into()]);
    spawn_app_with(backend, Options { extra, ..Options::default() }).await
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> Response {
    app.sign_in_with(&browser(), email, password).await
}

/// Checks a 429 answer and returns its Retry-After.
async fn locked_out(response: Response) -> Duration {
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after), "Retry-After: {retry_after}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "too_many_attempts");
    assert_eq!(body["retry_after"], retry_after);
    Duration::from_secs(retry_after)
}

async fn wrong_passwords_lock_the_account_then_the_right_one_works_after_the_delay(backend: Backend) {
    let app = spawn(backend, &[]).await;
    let email = unique_email();
    app.sign_up_with(&browser(), &email).await;

    for _ in 0..5 {
        assert_eq!(sign_in(&app, &email, WRONG).await.status(), 401);
    }
    let wait = locked_out(sign_in(&app, &email, PASSWORD).await).await;
    locked_out(sign_in(&app, &email.to_uppercase(), PASSWORD).await).await;

    tokio::time::sleep(wait).await;
    assert_eq!(sign_in(&app, &email, PASSWORD).await.status(), 200);
    // The success reset the account's count: a wrong password is a first failure again.
    assert_eq!(sign_in(&app, &email, WRONG).await.status(), 401);
    assert_eq!(sign_in(&app, &email, PASSWORD).await.status(), 200);

    let metrics = app.get("/metrics").await.text().await.unwrap();
    for expected in [
        r#"auth_failures_total{reason="bad_credentials"}"#,
        r#"auth_failures_total{reason="throttled"}"#,
        r#"auth_lockouts_total{scope="account"}"#,
    ] {
        assert!(metrics.contains(expected), "missing {expected}");
    }
}

async fn unknown_addresses_are_locked_out_the_same_way(backend: Backend) {
    let app = spawn(backend, &[]).await;
    let (known, unknown) = (unique_email(), unique_email());
    app.sign_up_with(&browser(), &known).await;

    let mut answers = Vec::new();
    for email in [&known, &unknown] {
        for _ in 0..5 {
            let response = sign_in(&app, email, WRONG).await;
            answers.push((response.status(), response.text().await.unwrap()));
        }
        locked_out(sign_in(&app, email, WRONG).await).await;
    }

    assert!(answers.iter().all(|a| a == &answers[0]), "answers differ: {answers:?}");
    assert_eq!(answers[0].1, r#"{"code":"invalid_credentials"}"#);
}

async fn a_network_trying_many_addresses_is_locked_out(backend: Backend) {
    let app = spawn(backend, &["--auth-throttle-ip-threshold", "3"]).await;
    let email = unique_email();
    app.sign_up_with(&browser(), &email).await;

    for _ in 0..3 {
        assert_eq!(sign_in(&app, &unique_email(), WRONG).await.status(), 401);
    }

    // Every address from this network waits now, the right password of a real account included.
    locked_out(sign_in(&app, &unique_email(), WRONG).await).await;
    let wait = locked_out(sign_in(&app, &email, PASSWORD).await).await;
    tokio::time::sleep(wait).await;
    assert_eq!(sign_in(&app, &email, PASSWORD).await.status(), 200);
}

async fn a_plain_form_post_shows_the_lock_out_in_the_page(backend: Backend) {
    let extra = ["--auth-throttle-account-threshold", "1", "--auth-throttle-base-delay", "30s"];
    let app = spawn_app_with(backend, Options { extra: extra.map(String::from).to_vec(), ..Options::default() }).await;
    let email = unique_email();
    let post = |password: &'static str| {
        app.client
            .post(app.url("/rpc/auth/sign_in"))
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, app.url("/signin"))
            .form(&[("email", email.as_str()), ("password", password)])
            .send()
    };
    assert!(post(WRONG).await.unwrap().status().is_redirection());

    let refused = post(PASSWORD).await.unwrap();

    assert!(refused.status().is_redirection());
    let location = refused.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(location.contains("/signin?") && location.contains("__err="), "{location}");
    let page = app.client.get(&location).send().await.unwrap().text().await.unwrap();
    let seconds = ["30", "29"].iter().any(|n| page.contains(&format!("Too many attempts. Try again in {n} seconds.")));
    assert!(seconds, "the lock-out is not shown on the page");
}

/// The REST API locks out a guessed current password as the server functions do, and says when
/// to retry in the header as well as the body (it used to send no `Retry-After`).
async fn the_rest_api_locks_out_wrong_current_passwords_with_retry_after(backend: Backend) {
    let app = spawn(backend, &[]).await;
    let ada = crate::rest::caller(&app).await;
    let change = |current: &str| {
        crate::rest::call(&app, &ada.token, reqwest::Method::PUT, "/api/v1/account/password")
            .json(&serde_json::json!({ "current_password": current, "new_password": "another long passphrase" }))
    };
    let mut statuses = Vec::new();
    let locked = loop {
        let response = change(WRONG).send().await.unwrap();
        statuses.push(response.status().as_u16());
        if response.status() == 429 || statuses.len() == 10 {
            break response;
        }
    };
    assert_eq!(locked.status(), 429, "no lock-out: {statuses:?}");
    assert!(statuses[..statuses.len() - 1].iter().all(|&s| s == 422), "{statuses:?}");
    let retry_after: u64 = locked.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after), "Retry-After: {retry_after}");
    let body: Value = locked.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_attempts");
    assert_eq!(change(PASSWORD).send().await.unwrap().status(), 429, "locked even for the right password");
}
