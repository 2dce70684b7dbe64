//! Two-factor sign-in through the real HTTP endpoints: enrolment on the profile, then a sign-in
//! that needs a code after the password, by a program and by a plain HTML form.

use reqwest::{Client, header};
use serde_json::Value;
use totp_rs::{Algorithm, Builder, Secret};

use crate::{
    helpers::{Backend, PASSWORD, TestApp, browser, spawn_app},
    on_both_databases,
};

on_both_databases!(
    enrolment_needs_a_code_and_shows_recovery_codes_once,
    a_password_alone_no_longer_signs_in,
    a_form_posted_without_javascript_goes_on_to_the_code_page,
    a_recovery_code_signs_in_once,
    two_factor_is_turned_off_with_the_password,
);

const EMAIL: &str = "ada@example.com";

/// The code an authenticator app shows `steps_ahead` 30-second steps from now.
fn code(secret: &str, steps_ahead: u64) -> String {
    let totp = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_secret(Secret::try_from_base32(secret).unwrap())
        .build_noncompliant();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    totp.generate(now + 30 * steps_ahead).to_string()
}

/// Signs up `EMAIL` in `client` and turns two-factor on; returns the secret and recovery codes.
async fn enrolled(app: &TestApp, client: &Client) -> (String, Vec<String>) {
    assert_eq!(app.sign_up_confirmed_with(client, EMAIL).await.status(), 200);
    let enrolment: Value = app.rpc_with(client, "account/start_two_factor", &[]).await.json().await.unwrap();
    let secret = enrolment["secret"].as_str().unwrap().to_owned();
    let confirmed = app.rpc_with(client, "account/confirm_two_factor", &[("code", &code(&secret, 0))]).await;
    assert_eq!(confirmed.status(), 200);
    let codes: Vec<String> = confirmed.json().await.unwrap();
    (secret, codes)
}

/// The password step from a fresh client; returns it and the challenge.
async fn password_step(app: &TestApp) -> (Client, String) {
    let client = browser();
    let response = app.sign_in_with(&client, EMAIL, PASSWORD).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let challenge = body["challenge"].as_str().expect("a challenge, not a user").to_owned();
    (client, challenge)
}

async fn enrolment_needs_a_code_and_shows_recovery_codes_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = browser();
    assert_eq!(app.sign_up_confirmed_with(&ada, EMAIL).await.status(), 200);

    let enrolment: Value = app.rpc_with(&ada, "account/start_two_factor", &[]).await.json().await.unwrap();
    let secret = enrolment["secret"].as_str().unwrap();
    let wrong = app.rpc_with(&ada, "account/confirm_two_factor", &[("code", "12345")]).await;
    let off: Value = app.get_rpc_with(&ada, "account/two_factor").await.json().await.unwrap();
    let right = app.rpc_with(&ada, "account/confirm_two_factor", &[("code", &code(secret, 0))]).await;

    assert!(enrolment["otpauth_url"].as_str().unwrap().starts_with("otpauth://totp/"));
    assert!(enrolment["qr_code"].as_str().unwrap().starts_with("data:image/png;base64,"));
    assert_eq!(wrong.status(), 422);
    assert_eq!(wrong.json::<Value>().await.unwrap()["field"], "code");
    assert_eq!(off["enabled"], false);
    assert_eq!(right.status(), 200);
    assert_eq!(right.json::<Vec<String>>().await.unwrap().len(), 10);
    let on: Value = app.get_rpc_with(&ada, "account/two_factor").await.json().await.unwrap();
    assert_eq!((on["enabled"].as_bool(), on["recovery_codes_left"].as_u64()), (Some(true), Some(10)));
    // The secret is never shown again: starting over is refused while two-factor is on.
    assert_eq!(app.rpc_with(&ada, "account/start_two_factor", &[]).await.status(), 422);
}

async fn a_password_alone_no_longer_signs_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let (secret, _) = enrolled(&app, &browser()).await;

    let (laptop, challenge) = password_step(&app).await;
    let signed_out = app.me_with(&laptop).await;
    let wrong = app.rpc_with(&laptop, "auth/sign_in_code", &[("challenge", &challenge), ("code", "12345")]).await;
    let right =
        app.rpc_with(&laptop, "auth/sign_in_code", &[("challenge", &challenge), ("code", &code(&secret, 1))]).await;

    assert_eq!(signed_out, Value::Null, "no session before the code");
    assert_eq!(wrong.status(), 422);
    assert_eq!(right.status(), 200);
    assert_eq!(app.me_with(&laptop).await["email"], EMAIL);
    // The challenge and the code were used up.
    let (_, challenge) = password_step(&app).await;
    let replayed =
        app.rpc_with(&laptop, "auth/sign_in_code", &[("challenge", &challenge), ("code", &code(&secret, 1))]).await;
    assert_eq!(replayed.status(), 422);
}

async fn a_form_posted_without_javascript_goes_on_to_the_code_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let (secret, _) = enrolled(&app, &browser()).await;
    let post = |path: &'static str, referer: String, form: Vec<(&'static str, String)>| {
        app.client
            .post(app.url(path))
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, referer)
            .form(&form)
            .send()
    };

    let password =
        post("/rpc/auth/sign_in", app.url("/signin"), vec![("email", EMAIL.into()), ("password", PASSWORD.into())])
            .await
            .unwrap();
    assert!(password.status().is_redirection());
    let location = password.headers()[header::LOCATION].to_str().unwrap().to_owned();
    // The challenge travels in an HttpOnly cookie, never in the URL (history, logs, Referer).
    assert_eq!(location, "/signin/code");
    let cookie = crate::helpers::set_cookie(&password, "smartai_challenge").expect("a challenge cookie").to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let challenge = cookie.split(';').next().unwrap().trim_start_matches("smartai_challenge=").to_owned();
    assert_eq!(app.me().await, Value::Null);
    let page = app.get(&location).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(!html.contains(&challenge), "the page does not carry the challenge");
    assert!(html.contains(r#"action="/rpc/auth/sign_in_code""#), "{html}");

    let wrong = post("/rpc/auth/sign_in_code", app.url(&location), vec![("code", "12345".into())]).await.unwrap();
    assert!(wrong.status().is_redirection());
    let back = wrong.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(back.contains("/signin/code?") && back.contains("__err="), "{back}");
    assert!(!back.contains(&challenge), "{back}");
    let page = app.client.get(&back).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("That code is wrong or was already used."), "the error is not shown on the page");

    let right = post("/rpc/auth/sign_in_code", app.url(&location), vec![("code", code(&secret, 1))]).await.unwrap();
    assert!(right.status().is_redirection());
    assert_eq!(right.headers()[header::LOCATION], "/profile");
    assert_eq!(app.me().await["email"], EMAIL);
}

async fn a_recovery_code_signs_in_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, recovery) = enrolled(&app, &browser()).await;

    let (phone, challenge) = password_step(&app).await;
    let first = app.rpc_with(&phone, "auth/sign_in_code", &[("challenge", &challenge), ("code", &recovery[0])]).await;
    let (tablet, challenge) = password_step(&app).await;
    let second = app.rpc_with(&tablet, "auth/sign_in_code", &[("challenge", &challenge), ("code", &recovery[0])]).await;

    assert_eq!(first.status(), 200);
    assert_eq!(second.status(), 422);
    let left: Value = app.get_rpc_with(&phone, "account/two_factor").await.json().await.unwrap();
    assert_eq!(left["recovery_codes_left"], 9);
}

async fn two_factor_is_turned_off_with_the_password(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = browser();
    enrolled(&app, &ada).await;

    let wrong = app.rpc_with(&ada, "account/disable_two_factor", &[("proof", "not my password")]).await;
    let right = app.rpc_with(&ada, "account/disable_two_factor", &[("proof", PASSWORD)]).await;

    assert_eq!(wrong.status(), 422);
    assert_eq!(right.status(), 200);
    let signed_in: Value = app.sign_in_with(&browser(), EMAIL, PASSWORD).await.json().await.unwrap();
    assert_eq!(signed_in["email"], EMAIL, "the password alone signs in again");
}
