//! Server-rendered pages, languages, and forms posted without JavaScript.

use reqwest::header;

use crate::helpers::{Backend, PASSWORD, browser, spawn_app, unique_email};

crate::on_both_databases!(
    pages_render_on_the_server,
    the_language_follows_preference_then_cookie_then_header,
    the_profile_page_needs_a_session,
    a_form_posted_without_javascript_redirects,
    unknown_paths_get_the_404_page,
    static_files_are_served_from_the_binary,
    times_are_shown_in_the_readers_time_zone_and_language,
    the_profile_page_loads_time_zones_only_on_demand,
);

async fn pages_render_on_the_server(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in ["/", "/signin", "/signup"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let html = response.text().await.unwrap();
        assert!(html.contains(r#"<html lang="en" dir="ltr""#), "{path}: {}", &html[..200.min(html.len())]);
        assert!(html.contains(r#"<main id="main""#), "{path} has no main landmark");
        assert!(html.contains("/pkg/smartai.css"), "{path} links no stylesheet");
    }
}

async fn the_language_follows_preference_then_cookie_then_header(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = |client: reqwest::Client, accept: &'static str| {
        let url = app.url("/signin");
        async move { client.get(url).header(header::ACCEPT_LANGUAGE, accept).send().await.unwrap().text().await.unwrap() }
    };

    let german = page(browser(), "de-DE,de;q=0.9,en;q=0.5").await;
    assert!(german.contains(r#"lang="de""#) && german.contains("Anmelden"), "Accept-Language ignored");

    let client = browser();
    app.rpc_with(&client, "account/set_language", &[("lang", "fr")]).await;
    assert!(page(client.clone(), "de").await.contains(r#"lang="fr""#), "the cookie must beat the header");

    app.sign_up_with(&client, &unique_email()).await;
    app.rpc_with(&client, "account/set_language", &[("lang", "ar")]).await;
    let arabic = page(client.clone(), "de").await;
    assert!(arabic.contains(r#"lang="ar" dir="rtl""#), "the preference must be used, right to left");

    // The preference is stored on the account: a new device without the cookie gets it too.
    let email = app.me_with(&client).await["email"].as_str().unwrap().to_owned();
    let other_device = browser();
    app.sign_in_with(&other_device, &email, PASSWORD).await;
    assert!(page(other_device, "de").await.contains(r#"lang="ar""#));
}

async fn the_profile_page_needs_a_session(backend: Backend) {
    let app = spawn_app(backend).await;

    let anonymous = app.get("/profile").await;
    assert!(anonymous.status().is_redirection(), "got {}", anonymous.status());
    assert_eq!(anonymous.headers()[header::LOCATION], "/signin");

    let email = unique_email();
    app.sign_up(&email).await;
    let signed_in = app.get("/profile").await;
    assert_eq!(signed_in.status(), 200);
    assert!(signed_in.text().await.unwrap().contains(&email));
}

async fn a_form_posted_without_javascript_redirects(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    app.sign_up_with(&browser(), &email).await;
    let post = |form: Vec<(&'static str, String)>| {
        app.client
            .post(app.url("/rpc/auth/sign_in"))
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, app.url("/signin"))
            .form(&form)
            .send()
    };

    let failed = post(vec![("email", email.clone()), ("password", "wrong wrong wrong".into())]).await.unwrap();
    assert!(failed.status().is_redirection());
    let location = failed.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(location.contains("/signin?") && location.contains("__err="), "{location}");
    let page = app.client.get(&location).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Wrong e-mail address or password."), "the error is not shown on the page");

    let succeeded = post(vec![("email", email.clone()), ("password", PASSWORD.into())]).await.unwrap();
    assert!(succeeded.status().is_redirection());
    assert_eq!(succeeded.headers()[header::LOCATION], "/profile");
    assert_eq!(app.me().await["email"], email);
}

async fn unknown_paths_get_the_404_page(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app.get("/no/such/page").await;

    assert_eq!(response.status(), 404);
    let html = response.text().await.unwrap();
    assert!(html.contains("Page not found"), "{html}");
}

async fn static_files_are_served_from_the_binary(backend: Backend) {
    let app = spawn_app(backend).await;

    let favicon = app.get("/favicon.ico").await;
    assert_eq!(
        favicon.status(),
        200,
        "no site to serve: `cargo leptos build` fills target/site (scripts/test runs it first)"
    );
    let etag = favicon.headers()[header::ETAG].clone();
    let again = app.client.get(app.url("/favicon.ico")).header(header::IF_NONE_MATCH, etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(app.get("/../Cargo.toml").await.status(), 404);
}

#[tokio::test]
async fn switching_language_without_javascript_returns_to_the_page() {
    let app = crate::helpers::spawn_app(Backend::Sqlite).await;

    let response = app
        .client
        .post(app.url("/rpc/account/set_language"))
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, app.url("/signin?__path=x&__err=y"))
        .form(&[("lang", "de")])
        .send()
        .await
        .unwrap();

    assert!(response.status().is_redirection());
    assert_eq!(response.headers()[header::LOCATION], "/signin");
    let page = app.get("/signin").await.text().await.unwrap();
    assert!(page.contains(r#"lang="de""#));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_survive_concurrent_requests() {
    let app = crate::helpers::spawn_app(Backend::Sqlite).await;
    app.sign_up(&unique_email()).await;

    let requests = (0..100).map(|i| {
        let path = if i % 2 == 0 { "/profile" } else { "/" };
        // A debug build on two cores answers slowly; a timeout here is not what this test is about.
        let request = app.client.get(app.url(path)).timeout(std::time::Duration::from_secs(180));
        async move {
            let response = request.send().await?;
            let status = response.status();
            let body = response.text().await?;
            Ok::<_, reqwest::Error>((status, body))
        }
    });
    let results = futures_util::future::join_all(requests).await;

    for result in results {
        let (status, body) = result.expect("every request is answered");
        assert_eq!(status, 200);
        assert!(body.contains("</html>"), "a truncated page");
    }
}

async fn times_are_shown_in_the_readers_time_zone_and_language(backend: Backend) {
    use time::{OffsetDateTime, format_description::well_known::Rfc3339};

    let app = spawn_app(backend).await;
    let client = reader_in_kolkata(&app).await;
    assert_eq!(app.upload_with(&client, "notes.txt", b"notes").await.status(), 201);
    let listed: serde_json::Value = app.get_rpc_with(&client, "files/list").await.json().await.unwrap();
    let at = listed["items"][0]["uploaded_at"].as_str().unwrap().to_owned();

    // The server functions send the reader's clock, still an RFC 3339 time of the same instant.
    assert!(at.ends_with("+05:30"), "{at}");
    let instant = OffsetDateTime::parse(&at, &Rfc3339).unwrap();
    assert!((OffsetDateTime::now_utc() - instant).abs() < time::Duration::minutes(1), "{at} is not now");

    // The page shows that clock, in German (the month's name comes from the translations).
    const MONTHS: [&str; 12] =
        ["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."];
    let shown = format!(
        "{}. {} {}, {:02}:{:02}",
        instant.day(),
        MONTHS[instant.month() as usize - 1],
        instant.year(),
        instant.hour(),
        instant.minute()
    );
    let html = client.get(app.url("/files")).send().await.unwrap().text().await.unwrap();
    let element = html.split(&format!(r#"<time datetime="{at}""#)).nth(1).expect("the upload's time is on the page");
    let text = &element[..element.find("</time>").unwrap()];
    assert!(text.contains(&shown), "{shown} not in {text}");
}

async fn the_profile_page_loads_time_zones_only_on_demand(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = reader_in_kolkata(&app).await;

    // The page holds the user's zone and an empty list of suggestions, neither in its HTML nor in
    // its hydration data the ~600 zones (`Pacific/Auckland` is one of them).
    let html = client.get(app.url("/profile")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"id="field-time_zone""#) && html.contains(r#"value="Asia/Kolkata""#), "no zone field");
    assert!(html.contains(r#"<datalist id="time-zones">"#), "no suggestions list");
    assert!(!html.contains("Pacific/Auckland"), "the page carries the zone list");

    // The field asks for them when focused, from a server function anyone may call.
    let zones: Vec<String> = app.get_rpc_with(&client, "account/time_zones").await.json().await.unwrap();
    assert!(zones.len() > 400 && zones.iter().any(|zone| zone == "Pacific/Auckland"), "{} zones", zones.len());
}

/// A signed-in browser whose profile reads German in India's time zone.
async fn reader_in_kolkata(app: &crate::helpers::TestApp) -> reqwest::Client {
    let client = browser();
    app.sign_up_with(&client, &unique_email()).await;
    let details = [("display_name", "Ada"), ("locale", "de"), ("time_zone", "Asia/Kolkata")];
    assert_eq!(app.rpc_with(&client, "account/update_profile", &details).await.status(), 200);
    client
}
