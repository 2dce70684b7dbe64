//! Sign-in through a real OpenID Connect provider (npm `oidc-provider`, started per test on a
//! free port from `end2end/oidc-provider/server.mjs`; `npm ci` in `end2end/` installs it).

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use domain::oidc::{OidcConfig, ProviderConfig};
use reqwest::{Client, header};
use serde_json::Value;

use crate::{
    helpers::{Backend, Options, PASSWORD, TestApp, browser, spawn_app_with},
    on_both_databases,
};

/// The provider process; killed when the test ends.
struct TestProvider {
    issuer: String,
    child: Child,
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().unwrap().port()
}

struct Setup {
    app: TestApp,
    provider: TestProvider,
}

/// The app with one provider called `test`, and that provider running. `extra` goes to the
/// provider's command line (`--code-ttl 1`).
async fn spawn(backend: Backend, extra: &[&str]) -> Setup {
    let (app_port, provider_port) = (free_port(), free_port());
    let app_url = format!("http://127.0.0.1:{app_port}");
    let issuer = format!("http://127.0.0.1:{provider_port}");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../end2end/oidc-provider/server.mjs");
    let modules = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../end2end/node_modules/oidc-provider");
    assert!(modules.exists(), "npm oidc-provider is missing: run `npm ci` in end2end/");
    let child = Command::new("node")
        .arg(&script)
        .args(["--port", &provider_port.to_string()])
        .args(["--redirect", &format!("{app_url}/auth/oidc/test/callback")])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("node runs the test provider");
    let provider = TestProvider { issuer: issuer.clone(), child };
    let discovery = format!("{issuer}/.well-known/openid-configuration");
    let mut ready = false;
    for _ in 0..100 {
        if reqwest::get(&discovery).await.is_ok_and(|r| r.status().is_success()) {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the test provider answers at {discovery}");
    let oidc = OidcConfig {
        providers: vec![ProviderConfig {
            name: "test".into(),
            display_name: "Test ID".into(),
            issuer,
            client_id: "smartai-test".into(),
            client_secret: "test-secret".to_owned().into(),
            scopes: vec!["openid".into(), "email".into(), "profile".into()],
        }],
    };
    let public_url: &'static str = Box::leak(format!("{app_url}/").into_boxed_str());
    let options = Options {
        public_url: Some(public_url),
        listen: Some(format!("127.0.0.1:{app_port}")),
        oidc: Some(oidc),
        ..Options::default()
    };
    Setup { app: spawn_app_with(backend, options).await, provider }
}

fn location(response: &reqwest::Response) -> String {
    response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).expect("a redirect").to_owned()
}

/// Starts a sign-in at the app: the provider's authorization URL.
async fn start(app: &TestApp, client: &Client) -> url::Url {
    let response = client.get(app.url("/auth/oidc/test/start")).send().await.unwrap();
    assert_eq!(response.status(), 303, "start redirects to the provider");
    url::Url::parse(&location(&response)).expect("an absolute URL")
}

/// Starts linking the provider from the profile: a form post from the app's own page.
async fn connect(app: &TestApp, client: &Client) -> url::Url {
    let response = client
        .post(app.url("/auth/oidc/test/start"))
        .header(header::ORIGIN, app.address.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "linking starts with a redirect to the provider");
    url::Url::parse(&location(&response)).expect("an absolute URL")
}

/// Plays the provider's part for `login` (its login finishes at once through `login_hint`):
/// follows its redirects until they lead back to the app, and returns that callback URL.
async fn at_provider(client: &Client, mut authorize: url::Url, login: &str) -> url::Url {
    authorize.query_pairs_mut().append_pair("login_hint", login);
    let mut url = authorize;
    for _ in 0..10 {
        let response = client.get(url.clone()).send().await.unwrap();
        assert!(response.status().is_redirection(), "the provider redirects ({}: {url})", response.status());
        let next = url.join(&location(&response)).unwrap();
        if next.path().starts_with("/auth/oidc/") {
            return next;
        }
        url = next;
    }
    panic!("the provider never sent the browser back");
}

/// The whole flow in one browser; returns where the app sent it at the end.
async fn sign_in_as(app: &TestApp, client: &Client, login: &str) -> String {
    let authorize = start(app, client).await;
    let callback = at_provider(client, authorize, login).await;
    let response = client.get(callback).send().await.unwrap();
    assert!(response.status().is_redirection());
    location(&response)
}

fn with_param(url: &url::Url, name: &str, value: &str) -> url::Url {
    let mut changed = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.to_string(), if k == name { value.to_owned() } else { v.to_string() }))
        .collect();
    changed.query_pairs_mut().clear().extend_pairs(pairs);
    changed
}

async fn me(app: &TestApp, client: &Client) -> Value {
    app.me_with(client).await
}

async fn discovery_and_the_code_flow_create_then_sign_into_the_account(backend: Backend) {
    let Setup { app, provider: _provider } = spawn(backend, &[]).await;
    let providers: Value = app.get_rpc_with(&app.client, "auth/providers").await.json().await.unwrap();
    assert_eq!(providers, serde_json::json!([{ "name": "test", "display_name": "Test ID" }]));

    let authorize = start(&app, &app.client).await;
    assert!(authorize.as_str().starts_with(&_provider.issuer), "discovered authorization endpoint: {authorize}");
    let query: std::collections::HashMap<_, _> = authorize.query_pairs().into_owned().collect();
    assert_eq!(query.get("code_challenge_method").map(String::as_str), Some("S256"));
    assert!(query.contains_key("state") && query.contains_key("nonce"));
    let callback = at_provider(&app.client, authorize, "ada;ada@example.test;true;Ada Lovelace").await;
    let response = app.client.get(callback).send().await.unwrap();
    assert_eq!(location(&response), "/profile");
    let first = me(&app, &app.client).await;
    assert_eq!(first["email"], "ada@example.test");
    assert_eq!(first["display_name"], "Ada Lovelace");
    let profile: Value = app.get_rpc_with(&app.client, "account/profile").await.json().await.unwrap();
    assert_eq!(profile["email_verified"], true);

    let other = browser();
    assert_eq!(sign_in_as(&app, &other, "ada;ada@example.test;true").await, "/profile");
    assert_eq!(me(&app, &other).await["id"], first["id"], "the same identity signs into the same account");
    let linked: Value = app.get_rpc_with(&other, "account/providers").await.json().await.unwrap();
    assert_eq!(linked["linked"][0]["name"], "test");

    // The account has no password: signing in with one fails.
    let response = app.sign_in_with(&browser(), "ada@example.test", "").await;
    assert_ne!(response.status(), 200);
}

async fn signing_out_of_a_provider_session_signs_out_at_the_provider_too(backend: Backend) {
    let Setup { app, provider } = spawn(backend, &[]).await;
    assert_eq!(sign_in_as(&app, &app.client, "leaver").await, "/profile");
    let response = app.client.post(app.url("/rpc/auth/sign_out")).send().await.unwrap();
    let to = url::Url::parse(&location(&response)).expect("an absolute URL");
    assert_eq!(to.origin().ascii_serialization(), provider.issuer);
    assert_eq!(to.path(), "/session/end");
    let query: std::collections::HashMap<_, _> = to.query_pairs().into_owned().collect();
    assert_eq!(query.get("client_id").map(String::as_str), Some("smartai-test"));
    assert_eq!(query.get("post_logout_redirect_uri"), Some(&app.url("/")));
    assert_eq!(me(&app, &app.client).await, Value::Null);
    // The provider knows the client and the way back: it answers with its confirmation page.
    assert_eq!(app.client.get(to).send().await.unwrap().status(), 200);

    // A password session signs out here only.
    let client = browser();
    assert_eq!(app.sign_up_with(&client, "stay@example.test").await.status(), 200);
    let response = client.post(app.url("/rpc/auth/sign_out")).send().await.unwrap();
    assert_eq!(location(&response), "/");
}

async fn a_provider_that_is_down_fails_the_sign_in_not_the_app(backend: Backend) {
    let Setup { app, provider } = spawn(backend, &[]).await;
    drop(provider);
    let response = app.client.get(app.url("/auth/oidc/test/start")).send().await.unwrap();
    assert_eq!(location(&response), "/signin?oidc_error=failed");
    assert_eq!(app.get("/health/ready").await.status(), 200);
    assert_eq!(app.get("/signin").await.status(), 200);
}

async fn a_tampered_or_replayed_state_is_refused(backend: Backend) {
    let Setup { app, provider: _provider } = spawn(backend, &[]).await;
    let authorize = start(&app, &app.client).await;
    let callback = at_provider(&app.client, authorize, "eve").await;
    let tampered = with_param(&callback, "state", "forged-state");
    let response = app.client.get(tampered).send().await.unwrap();
    assert_eq!(location(&response), "/signin?oidc_error=state");
    assert_eq!(me(&app, &app.client).await, Value::Null);

    // The state cookie is gone; the genuine callback in another browser (login CSRF) is refused too.
    let response = browser().get(callback.clone()).send().await.unwrap();
    assert_eq!(location(&response), "/signin?oidc_error=state");

    // A finished sign-in cannot be replayed.
    let client = browser();
    let authorize = start(&app, &client).await;
    let callback = at_provider(&client, authorize, "eve").await;
    assert_eq!(location(&client.get(callback.clone()).send().await.unwrap()), "/profile");
    let again = browser();
    let _ = start(&app, &again).await;
    let response = again.get(callback).send().await.unwrap();
    assert_eq!(location(&response), "/signin?oidc_error=state");
}

async fn a_wrong_nonce_is_refused(backend: Backend) {
    let Setup { app, provider: _provider } = spawn(backend, &[]).await;
    let authorize = start(&app, &app.client).await;
    // The provider puts whatever nonce it was given in the ID token.
    let authorize = with_param(&authorize, "nonce", "not-the-nonce-the-app-chose");
    let callback = at_provider(&app.client, authorize, "mallory").await;
    let response = app.client.get(callback).send().await.unwrap();
    assert_eq!(location(&response), "/signin?oidc_error=failed");
    assert_eq!(me(&app, &app.client).await, Value::Null);
}

async fn an_expired_code_is_refused(backend: Backend) {
    let Setup { app, provider: _provider } = spawn(backend, &["--code-ttl", "1"]).await;
    let authorize = start(&app, &app.client).await;
    let callback = at_provider(&app.client, authorize, "slow").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let response = app.client.get(callback).send().await.unwrap();
    assert_eq!(location(&response), "/signin?oidc_error=failed");
    assert_eq!(me(&app, &app.client).await, Value::Null);
}

async fn a_denied_consent_lands_on_the_sign_in_page(backend: Backend) {
    let Setup { app, provider: _provider } = spawn(backend, &[]).await;
    let authorize = start(&app, &app.client).await;
    let state = authorize.query_pairs().find(|(k, _)| k == "state").unwrap().1.to_string();
    let mut callback = url::Url::parse(&app.url("/auth/oidc/test/callback")).unwrap();
    callback.query_pairs_mut().append_pair("error", "access_denied").append_pair("state", &state);
    let response = app.client.get(callback).send().await.unwrap();
    assert_eq!(location(&response), "/signin?oidc_error=denied");
    let page =
        browser().get(app.url("/signin?oidc_error=denied")).header(header::ACCEPT_LANGUAGE, "en").send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("The sign-in was cancelled at the provider."), "translated error on the sign-in page");
    assert!(html.contains(r#"href="/auth/oidc/test/start""#), "a plain link starts the sign-in");
    assert!(html.contains("Sign in with Test ID"));
    let page = browser()
        .get(app.url("/signin/link?provider=test"))
        .header(header::ACCEPT_LANGUAGE, "de")
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"action="/auth/oidc/link""#) && html.contains("Konto verknüpfen"), "{html}");
    let response = app.client.get(app.url("/auth/oidc/nope/start")).send().await.unwrap();
    assert_eq!(location(&response), "/signin?oidc_error=provider");
}

async fn a_verified_address_of_a_password_account_links_only_with_its_password(backend: Backend) {
    let Setup { app, provider: _provider } = spawn(backend, &[]).await;
    let owner = browser();
    assert_eq!(app.sign_up_with(&owner, "grace@example.test").await.status(), 200);
    let owner_id = me(&app, &owner).await["id"].clone();

    let client = browser();
    let landed = sign_in_as(&app, &client, "g1;grace@example.test;true").await;
    assert_eq!(landed, "/signin/link?provider=test");
    assert_eq!(me(&app, &client).await, Value::Null, "not signed in before the password");

    let link = |password: &'static str| {
        client.post(app.url("/auth/oidc/link")).form(&[("password", password), ("provider", "test")]).send()
    };
    let response = link("wrong password, surely").await.unwrap();
    assert_eq!(location(&response), "/signin/link?provider=test&error=password");
    assert_eq!(me(&app, &client).await, Value::Null);
    let response = link(PASSWORD).await.unwrap();
    assert_eq!(location(&response), "/profile?saved=linked");
    assert_eq!(me(&app, &client).await["id"], owner_id);

    let activity: Value = app.get_rpc_with(&client, "account/activity").await.json().await.unwrap();
    let events: Vec<&str> = activity.as_array().unwrap().iter().filter_map(|e| e["event"].as_str()).collect();
    assert!(events.contains(&"provider_linked"), "the link is in the audit log: {events:?}");

    // From now on the provider signs straight into that account.
    let later = browser();
    assert_eq!(sign_in_as(&app, &later, "g1;grace@example.test;true").await, "/profile");
    assert_eq!(me(&app, &later).await["id"], owner_id);
    // The link secret was single use.
    let response = link(PASSWORD).await.unwrap();
    assert_eq!(location(&response), "/signin?oidc_error=state");
}

async fn an_unverified_address_of_an_existing_account_is_refused(backend: Backend) {
    let Setup { app, provider: _provider } = spawn(backend, &[]).await;
    assert_eq!(app.sign_up_with(&browser(), "bob@example.test").await.status(), 200);
    let client = browser();
    let landed = sign_in_as(&app, &client, "b1;bob@example.test;false").await;
    assert_eq!(landed, "/signin?oidc_error=unverified");
    assert_eq!(me(&app, &client).await, Value::Null);
}

/// The reset link e-mailed to `to` (kept in the outbox table: these tests have no SMTP server).
pub async fn reset_token_for(app: &TestApp, to: &str) -> String {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
    for _ in 0..100 {
        let mail = domain::entities::mail_outbox::Entity::find()
            .filter(domain::entities::mail_outbox::Column::ToAddress.contains(to))
            .all(&db)
            .await
            .unwrap();
        if let Some(body) = mail.iter().map(|m| m.body.as_str()).find(|b| b.contains("reset-password?token=")) {
            let start = body.find("reset-password?token=").unwrap() + "reset-password?token=".len();
            return body[start..].chars().take_while(|c| !c.is_whitespace()).collect();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no reset e-mail to {to}");
}

async fn a_reset_by_the_owner_of_an_unverified_address_drops_the_provider(backend: Backend) {
    let Setup { app, provider: _provider } = spawn(backend, &[]).await;
    // Someone signs up through a provider that did not verify the address…
    let squatter = browser();
    assert_eq!(sign_in_as(&app, &squatter, "p1;pat@example.test;false").await, "/profile");
    let profile: Value = app.get_rpc_with(&squatter, "account/profile").await.json().await.unwrap();
    assert_eq!(profile["email_verified"], false);

    // …then the address's owner resets the password through the e-mailed link.
    let owner = browser();
    let sent = app.rpc_with(&owner, "auth/forgot_password", &[("email", "pat@example.test")]).await;
    assert_eq!(sent.status(), 200);
    let token = reset_token_for(&app, "pat@example.test").await;
    let reset = app
        .rpc_with(&owner, "auth/reset_password", &[("token", &token), ("new_password", "a brand new passphrase 7")])
        .await;
    assert_eq!(reset.status(), 200);

    // The provider identity no longer opens the account.
    assert_eq!(sign_in_as(&app, &browser(), "p1;pat@example.test;false").await, "/signin?oidc_error=unverified");
    assert_eq!(me(&app, &squatter).await, Value::Null, "the reset ended its sessions");
}

async fn a_provider_is_unlinked_only_while_another_way_to_sign_in_remains(backend: Backend) {
    let Setup { app, provider: _provider } = spawn(backend, &[]).await;
    // An account made through the provider has no password: the provider is its only way in.
    let client = browser();
    assert_eq!(sign_in_as(&app, &client, "solo").await, "/profile");
    let response = app.rpc_with(&client, "account/unlink_provider", &[("provider", "test")]).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["problem"], "last_sign_in_method", "{body}");

    // An account with a password links the provider from its profile, then unlinks it.
    let owner = browser();
    assert_eq!(app.sign_up_with(&owner, "kim@example.test").await.status(), 200);
    let owner_id = me(&app, &owner).await["id"].clone();
    let callback = at_provider(&owner, connect(&app, &owner).await, "k1;someone-else@example.test;true").await;
    assert_eq!(location(&owner.get(callback).send().await.unwrap()), "/profile?saved=linked");
    assert_eq!(me(&app, &owner).await["id"], owner_id, "linked to the signed-in account");
    let response = app.rpc_with(&owner, "account/unlink_provider", &[("provider", "test")]).await;
    assert_eq!(response.status(), 200);
    let linked: Value = app.get_rpc_with(&owner, "account/providers").await.json().await.unwrap();
    assert_eq!(linked["linked"], serde_json::json!([]));
    assert_eq!(linked["available"][0]["name"], "test");
}

on_both_databases!(
    discovery_and_the_code_flow_create_then_sign_into_the_account,
    a_tampered_or_replayed_state_is_refused,
    a_provider_that_is_down_fails_the_sign_in_not_the_app,
    signing_out_of_a_provider_session_signs_out_at_the_provider_too,
    a_wrong_nonce_is_refused,
    an_expired_code_is_refused,
    a_denied_consent_lands_on_the_sign_in_page,
    a_verified_address_of_a_password_account_links_only_with_its_password,
    an_unverified_address_of_an_existing_account_is_refused,
    a_provider_is_unlinked_only_while_another_way_to_sign_in_remains,
    a_reset_by_the_owner_of_an_unverified_address_drops_the_provider,
    a_return_path_that_leaves_the_site_is_dropped,
    a_planted_sign_in_never_links_to_the_signed_in_account,
    linking_finishes_only_in_the_session_that_started_it,
    a_provider_sign_in_asks_for_the_second_factor,
);

/// Finding 4: browsers drop a TAB from a URL, so `/\t/evil.example` was `//evil.example` to them.
async fn a_return_path_that_leaves_the_site_is_dropped(backend: Backend) {
    let Setup { app, provider: _provider } = spawn(backend, &[]).await;
    for (return_to, landed) in
        [("/\t/evil.example", "/profile"), ("/\\evil.example", "/profile"), ("/files?sort=name", "/files?sort=name")]
    {
        let client = browser();
        let mut start_url = url::Url::parse(&app.url("/auth/oidc/test/start")).unwrap();
        start_url.query_pairs_mut().append_pair("return_to", return_to);
        let response = client.get(start_url).send().await.unwrap();
        let authorize = url::Url::parse(&location(&response)).unwrap();
        let callback = at_provider(&client, authorize, "r1;roamer@example.test;true").await;
        let response = client.get(callback).send().await.unwrap();
        assert_eq!(location(&response), landed, "return_to {return_to:?}");
    }
}

/// Finding 5: a sign-in started in the victim's signed-in browser (a link planted in a page, with
/// the attacker's session at the provider) linked the attacker's identity to the victim's account.
async fn a_planted_sign_in_never_links_to_the_signed_in_account(backend: Backend) {
    let Setup { app, provider: _provider } = spawn(backend, &[]).await;
    let victim = browser();
    assert_eq!(app.sign_up_with(&victim, "victim@example.test").await.status(), 200);
    let victim_id = me(&app, &victim).await["id"].clone();

    // The planted link: a plain GET of the start, finished at the provider as the attacker.
    sign_in_as(&app, &victim, "evil;attacker@evil.test;true").await;
    let victims: Value = {
        let owner = browser();
        assert_eq!(app.sign_in_with(&owner, "victim@example.test", PASSWORD).await.status(), 200);
        app.get_rpc_with(&owner, "account/providers").await.json().await.unwrap()
    };
    assert_eq!(victims["linked"], serde_json::json!([]), "nothing linked to the victim");

    // The attacker's identity opens the attacker's own account, never the victim's.
    let attacker = browser();
    assert_eq!(sign_in_as(&app, &attacker, "evil;attacker@evil.test;true").await, "/profile");
    assert_ne!(me(&app, &attacker).await["id"], victim_id);
    assert_eq!(me(&app, &attacker).await["email"], "attacker@evil.test");
}

/// Finding 5: the callback of a linking flow links only in the session, and for the account,
/// that started it (a browser whose session changed meanwhile gets nothing linked).
async fn linking_finishes_only_in_the_session_that_started_it(backend: Backend) {
    let Setup { app, provider: _provider } = spawn(backend, &[]).await;
    let shared = browser();
    assert_eq!(app.sign_up_with(&shared, "first@example.test").await.status(), 200);
    let authorize = connect(&app, &shared).await;
    let callback = at_provider(&shared, authorize, "l1;linker@example.test;true").await;
    // Someone else signs in on the same browser before the callback arrives.
    assert_eq!(app.sign_up_with(&browser(), "second@example.test").await.status(), 200);
    assert_eq!(app.sign_in_with(&shared, "second@example.test", PASSWORD).await.status(), 200);
    let response = shared.get(callback).send().await.unwrap();
    assert_eq!(location(&response), "/signin?oidc_error=state");
    let second: Value = app.get_rpc_with(&shared, "account/providers").await.json().await.unwrap();
    assert_eq!(second["linked"], serde_json::json!([]));

    // Without a session, linking does not even start.
    let anonymous = browser();
    let response = anonymous.post(app.url("/auth/oidc/test/start")).send().await.unwrap();
    assert_eq!(location(&response), "/signin");
}

/// Finding 5: a provider sign-in stood in for the password and the second factor both.
async fn a_provider_sign_in_asks_for_the_second_factor(backend: Backend) {
    use totp_rs::{Algorithm, Builder, Secret};

    let Setup { app, provider: _provider } = spawn(backend, &[]).await;
    let client = browser();
    assert_eq!(sign_in_as(&app, &client, "tf;two@example.test;true").await, "/profile");
    let enrolment: Value = app.rpc_with(&client, "account/start_two_factor", &[]).await.json().await.unwrap();
    let secret = enrolment["secret"].as_str().expect("a verified address may turn two-factor on").to_owned();
    let code = |ahead: u64| {
        let totp = Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_secret(Secret::try_from_base32(&secret).unwrap())
            .build_noncompliant();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        totp.generate(now + 30 * ahead).to_string()
    };
    let confirmed = app.rpc_with(&client, "account/confirm_two_factor", &[("code", &code(0))]).await;
    assert_eq!(confirmed.status(), 200);

    let later = browser();
    let authorize = start(&app, &later).await;
    let callback = at_provider(&later, authorize, "tf;two@example.test;true").await;
    let response = later.get(callback).send().await.unwrap();
    assert_eq!(location(&response), "/signin/code");
    assert!(crate::helpers::set_cookie(&response, "smartai_challenge").is_some());
    assert_eq!(me(&app, &later).await, Value::Null, "not signed in before the code");
    let signed_in = app.rpc_with(&later, "auth/sign_in_code", &[("code", &code(1))]).await;
    assert_eq!(signed_in.status(), 200);
    assert_eq!(me(&app, &later).await["email"], "two@example.test");
}
