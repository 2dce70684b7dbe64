//! Data exports through the doors a user and a program use: the profile's server function and
//! byte door with a browser session, the REST API with a token; the zip read back file by file.

use std::{
    io::Read,
    time::{Duration, Instant},
};

use reqwest::{Method, StatusCode, header};
use serde_json::Value;

use crate::{
    helpers::{Backend, browser},
    rest::{call, caller, expect_error, json, spawn, upload},
};

crate::on_both_databases!(a_user_exports_their_data_and_downloads_the_zip);

fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("a valid zip");
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().to_owned(), bytes)
        })
        .collect()
}

async fn a_user_exports_their_data_and_downloads_the_zip(backend: Backend) {
    let app = spawn(backend).await;
    let (ada, eve) = (caller(&app).await, caller(&app).await);
    assert_eq!(upload(&app, &ada.token, "plans.txt", b"the Zephyr launches at dawn").await.status(), 201);

    // The profile's button: a plain form post comes back to the card.
    let asked = ada.browser.post(app.url("/rpc/account/request_export")).form(&[("", "")]).send().await.unwrap();
    assert_eq!(asked.status(), StatusCode::FOUND, "{:?}", asked.text().await);
    assert_eq!(asked.headers()[header::LOCATION], "/profile?saved=export#data-export");

    let listed = json(call(&app, &ada.token, Method::GET, "/api/v1/account/exports").send().await.unwrap()).await;
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(30);
    let export = loop {
        let export =
            json(call(&app, &ada.token, Method::GET, &format!("/api/v1/account/exports/{id}")).send().await.unwrap())
                .await;
        if export["status"] == "ready" {
            break export;
        }
        assert!(Instant::now() < deadline, "the export was not built: {export}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // Asking again so soon is refused, and says when to come back.
    let again = call(&app, &ada.token, Method::POST, "/api/v1/account/exports").send().await.unwrap();
    assert!(again.headers().contains_key(header::RETRY_AFTER));
    expect_error(again, 429, "too_many_attempts").await;

    // The REST download and the browser's are the same zip.
    let url = export["download_url"].as_str().unwrap();
    let by_token = call(&app, &ada.token, Method::GET, url).send().await.unwrap();
    assert_eq!(by_token.status(), 200);
    assert_eq!(by_token.headers()[header::CONTENT_TYPE], "application/zip");
    let disposition = by_token.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment") && disposition.contains("smartai-export-"), "{disposition}");
    let zip = by_token.bytes().await.unwrap();
    assert_eq!(export["size"], zip.len());
    let in_browser = ada.browser.get(app.url(&format!("/account/exports/{id}/download"))).send().await.unwrap();
    assert_eq!(in_browser.status(), 200);
    assert_eq!(in_browser.bytes().await.unwrap(), zip);

    let entries = entries(&zip);
    let plans = entries.iter().find(|(name, _)| name == "files/plans.txt").expect("the file, under its name");
    assert_eq!(plans.1, b"the Zephyr launches at dawn");
    let profile: Value =
        serde_json::from_slice(&entries.iter().find(|(name, _)| name == "profile.json").unwrap().1).unwrap();
    assert_eq!(profile["email"], ada.email.as_str());

    // Nobody else gets it: another user, a visitor (sent to sign in), a program without a token.
    let eves = eve.browser.get(app.url(&format!("/account/exports/{id}/download"))).send().await.unwrap();
    assert_eq!(eves.status(), 404);
    expect_error(call(&app, &eve.token, Method::GET, url).send().await.unwrap(), 404, "not_found").await;
    let visitor = browser().get(app.url(&format!("/account/exports/{id}/download"))).send().await.unwrap();
    assert_eq!(visitor.status(), StatusCode::SEE_OTHER);
    assert_eq!(visitor.headers()[header::LOCATION], "/signin");

    // She was told, in the app, with a link to the card.
    let notifications = json(call(&app, &ada.token, Method::GET, "/api/v1/notifications").send().await.unwrap()).await;
    assert!(notifications["items"].as_array().unwrap().iter().any(|n| n["kind"] == "export_ready"), "{notifications}");
}
