//! Personal access tokens as the profile page manages them: made through `/rpc/tokens/create`
//! (the secret shown once, only its hash stored), listed, revoked, refused when the input is bad,
//! and the same without JavaScript (a plain form post, the secret on the next profile load only).

use domain::entities::api_token;
use reqwest::{Client, StatusCode, header, header::HeaderMap};
use sea_orm::{ConnectionTrait, Database, EntityTrait};
use serde_json::Value;

use crate::helpers::{Backend, TestApp, browser, set_cookie, spawn_app, unique_email};

crate::on_both_databases!(
    a_token_is_made_with_its_secret_shown_once_and_only_its_hash_stored,
    a_token_is_revoked_by_its_owner_only,
    bad_token_requests_are_refused_with_the_field_named,
    the_admin_scope_is_for_administrators,
    a_token_made_without_javascript_is_shown_on_the_next_profile_load_only,
    a_token_is_revoked_without_javascript,
);

const FLASH: &str = "smartai_new_token";

/// A form post's fields.
type Form<'a> = &'a [(&'a str, &'a str)];

async fn signed_in(app: &TestApp) -> Client {
    let client = browser();
    assert_eq!(app.sign_up_confirmed_with(&client, &unique_email()).await.status(), 200);
    client
}

async fn create(app: &TestApp, client: &Client, form: &[(&str, &str)]) -> reqwest::Response {
    app.rpc_with(client, "tokens/create", form).await
}

async fn list(app: &TestApp, client: &Client) -> Vec<Value> {
    let response = app.get_rpc_with(client, "tokens/list").await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The profile page: its headers and its HTML.
async fn profile_html(app: &TestApp, client: &Client) -> (HeaderMap, String) {
    let response = client.get(app.url("/profile")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    (headers, response.text().await.unwrap())
}

/// The Set-Cookie value for `name` among `headers`.
fn cookie_set<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
}

fn at(value: &Value) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(value.as_str().unwrap(), &time::format_description::well_known::Rfc3339).unwrap()
}

/// An error answer's `code`, `field` and `problem`.
async fn refusal(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn a_token_is_made_with_its_secret_shown_once_and_only_its_hash_stored(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = signed_in(&app).await;

    let response = create(
        &app,
        &ada,
        &[("name", "Backup script"), ("scopes[]", "read"), ("scopes[]", "write"), ("expires_in_days", "30")],
    )
    .await;

    assert_eq!(response.status(), 200);
    let made: Value = response.json().await.unwrap();
    let secret = made["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("sat_") && secret.len() > 40, "{secret}");
    let token = &made["token"];
    assert_eq!(token["name"], "Backup script");
    assert_eq!(token["scopes"], serde_json::json!(["read", "write"]));
    assert_eq!(token["expired"], false);
    assert!(token["last_used_at"].is_null() && token["last_used_ip"].is_null());
    assert_eq!((at(&token["expires_at"]) - at(&token["created_at"])).whole_days(), 30);

    // The indexed form a hydrated page sends works the same.
    let indexed = create(&app, &ada, &[("name", "CI"), ("scopes[0]", "read"), ("expires_in_days", "7")]).await;
    assert_eq!(indexed.status(), 200, "{:?}", indexed.text().await);

    let listed = list(&app, &ada).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["name"], "CI", "newest first");
    assert_eq!(listed[1]["id"], token["id"]);
    let raw = serde_json::to_string(&listed).unwrap();
    assert!(!raw.contains(&secret) && !raw.contains("secret"), "the list must never carry a secret: {raw}");
    let (_, page) = profile_html(&app, &ada).await;
    assert!(page.contains("Backup script") && !page.contains(&secret), "the profile must not show the secret again");

    // Only the SHA-256 is stored; no column holds the secret.
    let db = Database::connect(&app.database_url).await.unwrap();
    let rows = api_token::Entity::find().all(&db).await.unwrap();
    assert_eq!(rows.len(), 2);
    let row = rows.iter().find(|r| r.id.to_string() == token["id"].as_str().unwrap()).unwrap();
    assert_eq!(row.token_hash, domain::secret::digest(&secret));
    assert!(!format!("{row:?}").contains(&secret["sat_".len()..]), "the secret is stored: {row:?}");
    assert_eq!(row.scopes, "read,write");
}

async fn a_token_is_revoked_by_its_owner_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = signed_in(&app).await;
    let mallory = signed_in(&app).await;
    let made: Value = create(&app, &ada, &[("name", "Laptop"), ("scopes[]", "read"), ("expires_in_days", "90")])
        .await
        .json()
        .await
        .unwrap();
    let id = made["token"]["id"].as_str().unwrap().to_owned();

    let (status, body) = refusal(app.rpc_with(&mallory, "tokens/revoke", &[("id", &id)]).await).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["code"], "not_found");
    assert_eq!(list(&app, &ada).await.len(), 1, "another user's attempt must change nothing");
    assert!(list(&app, &mallory).await.is_empty(), "a user sees only their own tokens");
    assert_eq!(app.rpc_with(&ada, "tokens/revoke", &[("id", "not-a-uuid")]).await.status(), 404);

    let revoked = app.rpc_with(&ada, "tokens/revoke", &[("id", &id)]).await;

    assert_eq!(revoked.status(), 200);
    assert!(list(&app, &ada).await.is_empty());
    assert_eq!(app.rpc_with(&ada, "tokens/revoke", &[("id", &id)]).await.status(), 404, "revoked once only");
    let anonymous = browser();
    assert_eq!(app.rpc_with(&anonymous, "tokens/revoke", &[("id", &id)]).await.status(), 401);
    assert_eq!(app.get_rpc_with(&anonymous, "tokens/list").await.status(), 401);
}

async fn bad_token_requests_are_refused_with_the_field_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = signed_in(&app).await;
    let long_name = "x".repeat(81);
    let cases: [(Form, &str, &str); 7] = [
        (&[("name", "  "), ("scopes[]", "read"), ("expires_in_days", "30")], "token_name", "required"),
        (&[("name", &long_name), ("scopes[]", "read"), ("expires_in_days", "30")], "token_name", "too_long"),
        (&[("name", "No scopes"), ("expires_in_days", "30")], "scopes", "required"),
        (&[("name", "Bogus"), ("scopes[]", "delete"), ("expires_in_days", "30")], "scopes", "unsupported"),
        (&[("name", "Admin"), ("scopes[]", "admin"), ("expires_in_days", "30")], "scopes", "unsupported"),
        (&[("name", "Forever"), ("scopes[]", "read"), ("expires_in_days", "400")], "expires_in", "unsupported"),
        (&[("name", "Never"), ("scopes[]", "read"), ("expires_in_days", "0")], "expires_in", "unsupported"),
    ];

    for (form, field, problem) in cases {
        let (status, body) = refusal(create(&app, &ada, form).await).await;
        assert_eq!(status, 422, "{form:?}: {body}");
        assert_eq!((body["field"].as_str(), body["problem"].as_str()), (Some(field), Some(problem)), "{form:?}");
    }

    assert!(list(&app, &ada).await.is_empty(), "nothing is made from bad input");
    let anonymous = browser();
    let response = create(&app, &anonymous, &[("name", "x"), ("scopes[]", "read"), ("expires_in_days", "30")]).await;
    assert_eq!(response.status(), 401);
}

async fn the_admin_scope_is_for_administrators(backend: Backend) {
    let app = spawn_app(backend).await;
    let root = signed_in(&app).await;
    let ada = signed_in(&app).await;
    let email = app.me_with(&root).await["email"].as_str().unwrap().to_owned();
    let db = Database::connect(&app.database_url).await.unwrap();
    db.execute_unprepared(&format!("UPDATE users SET role = 'admin' WHERE email = '{email}'")).await.unwrap();
    app.changed_behind_the_app().await;

    let made =
        create(&app, &root, &[("name", "Ops"), ("scopes[]", "read"), ("scopes[]", "admin"), ("expires_in_days", "7")])
            .await;

    assert_eq!(made.status(), 200);
    let made: Value = made.json().await.unwrap();
    assert_eq!(made["token"]["scopes"], serde_json::json!(["read", "admin"]));
    // The admin box is offered to administrators only.
    let (_, admin_page) = profile_html(&app, &root).await;
    let (_, user_page) = profile_html(&app, &ada).await;
    assert!(admin_page.contains(r#"id="token-scope-admin""#));
    assert!(user_page.contains(r#"id="token-scope-write""#) && !user_page.contains(r#"id="token-scope-admin""#));
}

async fn a_token_made_without_javascript_is_shown_on_the_next_profile_load_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = signed_in(&app).await;

    // What a browser without JavaScript posts: the ticked boxes as repeated `scopes[]` (encoded).
    let response = ada
        .post(app.url("/rpc/tokens/create"))
        .header(header::REFERER, app.url("/profile"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("name=Deploy+bot&scopes%5B%5D=read&scopes%5B%5D=write&expires_in_days=90")
        .send()
        .await
        .unwrap();

    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(location, "/profile#tokens");
    assert!(!location.contains("sat_"), "the secret must never be in a URL");
    let flash = set_cookie(&response, FLASH).expect("the secret travels to the profile in a cookie").to_owned();
    assert!(
        flash.contains("HttpOnly") && flash.contains("Path=/profile") && flash.contains("SameSite=Strict"),
        "{flash}"
    );
    let tokens = list(&app, &ada).await;
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0]["scopes"], serde_json::json!(["read", "write"]));

    let (first, page) = profile_html(&app, &ada).await;
    let secret = page
        .split("value=\"sat_")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|rest| format!("sat_{rest}"))
        .expect("the profile shows the new secret once");
    assert!(page.contains("Deploy bot") && page.contains("it will not be shown again"), "the warning is shown");
    let cleared = cookie_set(&first, FLASH).expect("the page clears the cookie");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(first[header::CACHE_CONTROL], "no-store");
    let db = Database::connect(&app.database_url).await.unwrap();
    let row = api_token::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(row.token_hash, domain::secret::digest(&secret), "the secret shown is the token's");

    let (_, again) = profile_html(&app, &ada).await;
    assert!(!again.contains(&secret) && again.contains("Deploy bot"), "shown once; the token stays listed");

    // A bad post comes back to the form with the problem named, and makes nothing.
    let refused = ada
        .post(app.url("/rpc/tokens/create"))
        .header(header::REFERER, app.url("/profile"))
        .form(&[("name", "Nothing ticked"), ("expires_in_days", "30")])
        .send()
        .await
        .unwrap();
    assert!(refused.status().is_redirection());
    assert!(set_cookie(&refused, FLASH).is_none());
    let location = refused.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(location.starts_with(&app.url("/profile?")) && location.contains("__err="), "{location}");
    let page = ada.get(&location).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Choose at least one scope."), "the error is not shown on the page");
    assert_eq!(list(&app, &ada).await.len(), 1);
}

async fn a_token_is_revoked_without_javascript(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = signed_in(&app).await;
    let made: Value = create(&app, &ada, &[("name", "Old laptop"), ("scopes[]", "read"), ("expires_in_days", "7")])
        .await
        .json()
        .await
        .unwrap();
    let id = made["token"]["id"].as_str().unwrap().to_owned();
    let (_, page) = profile_html(&app, &ada).await;
    assert!(page.contains(&format!(r#"name="id" value="{id}""#)), "each token has its revoke form");

    let response = ada
        .post(app.url("/rpc/tokens/revoke"))
        .header(header::REFERER, app.url("/profile"))
        .form(&[("id", id.as_str())])
        .send()
        .await
        .unwrap();

    assert!(response.status().is_redirection());
    assert_eq!(response.headers()[header::LOCATION], "/profile?saved=tokens#tokens");
    let page = ada.get(app.url("/profile?saved=tokens")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("The token has been revoked.") && !page.contains("Old laptop"));
    assert!(list(&app, &ada).await.is_empty());
}
