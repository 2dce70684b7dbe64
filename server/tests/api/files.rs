//! Files over HTTP: the streaming upload and download doors, the file functions, share links and
//! avatars, as a browser and as a program use them.

use reqwest::{
    Body, Client, StatusCode, header,
    multipart::{Form, Part},
};
use serde_json::Value;

use crate::helpers::{
    Backend, Options, TestApp, browser, fetch_json, s3_endpoint, s3_settings, spawn_app_with, unique_email,
};

crate::on_both_databases!(
    uploads_stream_in_and_download_with_ranges_and_validators,
    refusals_name_the_file_and_keep_what_was_stored,
    other_users_and_visitors_get_nothing,
    a_share_link_downloads_without_an_account_until_revoked,
    plain_form_uploads_redirect_with_the_outcome,
    an_interrupted_upload_leaves_nothing_behind,
    an_avatar_is_resized_and_shown_to_the_shell,
    the_files_pages_render_without_javascript,
    the_in_process_worker_processes_uploads_and_is_measured,
);

const TEXT: &[u8] = b"The quick brown fox jumps over the lazy dog.\n";

async fn spawn(backend: Backend) -> TestApp {
    let extra = ["--files-max-size", "64KiB", "--files-quota", "96KiB"].map(String::from).to_vec();
    spawn_app_with(backend, Options { extra, ..Options::default() }).await
}

/// A signed-in program: JSON answers, its own cookies.
async fn user(app: &TestApp) -> Client {
    let client = browser();
    assert_eq!(app.sign_up_with(&client, &unique_email()).await.status(), 200);
    client
}

fn part(name: &str, bytes: &[u8]) -> Part {
    Part::bytes(bytes.to_vec()).file_name(name.to_owned())
}

async fn upload(app: &TestApp, client: &Client, files: &[(&str, &[u8])]) -> reqwest::Response {
    let form = files.iter().fold(Form::new(), |form, (name, bytes)| form.part("file", part(name, bytes)));
    client
        .post(app.url("/rpc/files/upload"))
        .header(header::ACCEPT, "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn list(app: &TestApp, client: &Client) -> Vec<Value> {
    let response = app.get_rpc_with(client, "files/list").await;
    assert_eq!(response.status(), 200);
    let page: Value = response.json().await.unwrap();
    page["items"].as_array().unwrap().clone()
}

fn header(response: &reqwest::Response, name: header::HeaderName) -> &str {
    response.headers().get(&name).map_or("", |v| v.to_str().unwrap())
}

async fn uploads_stream_in_and_download_with_ranges_and_validators(backend: Backend) {
    let app = spawn(backend).await;
    let ada = user(&app).await;

    let response = upload(&app, &ada, &[("fox.txt", TEXT), ("Ünïcode name.md", b"# Notes\n")]).await;

    assert_eq!(response.status(), StatusCode::CREATED);
    let stored: Vec<Value> = response.json().await.unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!((stored[0]["name"].as_str(), stored[0]["content_type"].as_str()), (Some("fox.txt"), Some("text/plain")));
    assert_eq!(stored[0]["size"], TEXT.len());
    assert_eq!(list(&app, &ada).await.len(), 2);

    let id = stored[0]["id"].as_str().unwrap();
    let content = ada
        .get(app.url(&format!("/files/{id}/content")))
        .header(header::ACCEPT_ENCODING, "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(content.status(), 200);
    assert_eq!(header(&content, header::CONTENT_ENCODING), "", "stored files go out as stored");
    assert_eq!(header(&content, header::CONTENT_TYPE), "text/plain; charset=utf-8");
    assert_eq!(header(&content, header::CONTENT_LENGTH), TEXT.len().to_string());
    assert_eq!(header(&content, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(header(&content, header::ACCEPT_RANGES), "bytes");
    assert!(header(&content, header::CONTENT_DISPOSITION).starts_with("inline; filename=\"fox.txt\""));
    let etag = header(&content, header::ETAG).to_owned();
    assert_eq!(etag.len(), 66, "a quoted SHA-256: {etag}");
    assert_eq!(content.bytes().await.unwrap().as_ref(), TEXT);

    let saved = ada.get(app.url(&format!("/files/{id}/content?download"))).send().await.unwrap();
    assert!(header(&saved, header::CONTENT_DISPOSITION).starts_with("attachment;"));
    let unicode = stored[1]["id"].as_str().unwrap();
    let saved = ada.get(app.url(&format!("/files/{unicode}/content?download"))).send().await.unwrap();
    assert_eq!(
        header(&saved, header::CONTENT_DISPOSITION),
        "attachment; filename=\"_n_code name.md\"; filename*=UTF-8''%C3%9Cn%C3%AFcode%20name.md"
    );

    let range =
        ada.get(app.url(&format!("/files/{id}/content"))).header(header::RANGE, "bytes=4-8").send().await.unwrap();
    assert_eq!(range.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(header(&range, header::CONTENT_RANGE), format!("bytes 4-8/{}", TEXT.len()));
    assert_eq!(range.bytes().await.unwrap().as_ref(), b"quick");
    let tail =
        ada.get(app.url(&format!("/files/{id}/content"))).header(header::RANGE, "bytes=-5").send().await.unwrap();
    assert_eq!(tail.bytes().await.unwrap().as_ref(), b"dog.\n");
    let beyond =
        ada.get(app.url(&format!("/files/{id}/content"))).header(header::RANGE, "bytes=5000-").send().await.unwrap();
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(header(&beyond, header::CONTENT_RANGE), format!("bytes */{}", TEXT.len()));
    let stale = ada
        .get(app.url(&format!("/files/{id}/content")))
        .header(header::RANGE, "bytes=4-8")
        .header(header::IF_RANGE, "\"an-old-version\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 200, "a range of another version is answered with the whole file");

    let cached =
        ada.get(app.url(&format!("/files/{id}/content"))).header(header::IF_NONE_MATCH, &etag).send().await.unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);

    let renamed = app.rpc_with(&ada, "files/rename", &[("id", id), ("name", "renamed.txt")]).await;
    assert_eq!(renamed.status(), 200);
    let bad = app.rpc_with(&ada, "files/rename", &[("id", id), ("name", "a/b")]).await;
    assert_eq!(bad.status(), 422);
    assert_eq!(bad.json::<Value>().await.unwrap()["field"], "file_name");
    let deleted = app.rpc_with(&ada, "files/delete", &[("id", id)]).await;
    assert_eq!(deleted.status(), 200);
    let names: Vec<Value> = list(&app, &ada).await.iter().map(|f| f["name"].clone()).collect();
    assert_eq!(names, ["Ünïcode name.md"]);
}

async fn refusals_name_the_file_and_keep_what_was_stored(backend: Backend) {
    let app = spawn(backend).await;
    let ada = user(&app).await;
    assert_eq!(upload(&app, &ada, &[("keep.txt", TEXT)]).await.status(), StatusCode::CREATED);

    let exe = upload(&app, &ada, &[("invoice.pdf", b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0payload")]).await;
    assert_eq!(exe.status(), 422);
    let body: Value = exe.json().await.unwrap();
    assert_eq!(
        (body["code"].as_str(), body["name"].as_str(), body["problem"].as_str()),
        (Some("file_rejected"), Some("invoice.pdf"), Some("unsupported"))
    );

    let big = upload(&app, &ada, &[("big.txt", &vec![b'a'; 65 * 1024])]).await;
    assert_eq!(big.json::<Value>().await.unwrap()["problem"], "too_large");

    assert_eq!(upload(&app, &ada, &[("half.txt", &vec![b'b'; 60 * 1024])]).await.status(), StatusCode::CREATED);
    let over = upload(&app, &ada, &[("more.txt", &vec![b'c'; 60 * 1024])]).await;
    assert_eq!(over.json::<Value>().await.unwrap()["problem"], "over_quota");

    let post = || ada.post(app.url("/rpc/files/upload")).header(header::ACCEPT, "application/json");
    let none = post().multipart(Form::new().text("note", "no file")).send().await.unwrap();
    assert_eq!(none.status(), 422);
    assert_eq!(none.json::<Value>().await.unwrap()["field"], "file");
    let not_multipart = post().body("plain").send().await.unwrap();
    assert_eq!(not_multipart.status(), 400, "a body that is not multipart is the caller's mistake");

    let names: Vec<Value> = list(&app, &ada).await.iter().map(|f| f["name"].clone()).collect();
    assert_eq!(names, ["half.txt", "keep.txt"], "what was stored before is untouched");
    assert_eq!(app.stored_objects("files"), 2, "refused uploads left bytes behind");
}

async fn other_users_and_visitors_get_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let (ada, eve) = (user(&app).await, user(&app).await);
    let stored: Vec<Value> = upload(&app, &ada, &[("private.txt", TEXT)]).await.json().await.unwrap();
    let id = stored[0]["id"].as_str().unwrap();

    // Another user gets 404 (the file's existence is not revealed); a visitor gets 401 for any id.
    for (client, expected) in [(&eve, 404), (&browser(), 401)] {
        let content = client.get(app.url(&format!("/files/{id}/content"))).send().await.unwrap();
        assert_eq!(content.status(), expected);
        for (name, form) in [
            ("files/rename", vec![("id", id), ("name", "mine.txt")]),
            ("files/delete", vec![("id", id)]),
            ("files/share", vec![("id", id), ("expires_in", "1h")]),
        ] {
            assert_eq!(app.rpc_with(client, name, &form).await.status(), expected, "{name}");
        }
        let details = client
            .get(app.url(&format!("/rpc/files/details?id={id}")))
            .header(header::ACCEPT, "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(details.status(), expected);
    }
    assert!(list(&app, &eve).await.is_empty());
    assert_eq!(upload(&app, &browser(), &[("x.txt", TEXT)]).await.status(), 401, "visitors cannot upload");
    let unknown = ada.get(app.url("/files/not-a-uuid/content")).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    assert_eq!(list(&app, &ada).await[0]["name"], "private.txt", "the owner's file is untouched");
}

async fn a_share_link_downloads_without_an_account_until_revoked(backend: Backend) {
    let app = spawn(backend).await;
    let ada = user(&app).await;
    let stored: Vec<Value> = upload(&app, &ada, &[("plan.txt", TEXT)]).await.json().await.unwrap();
    let id = stored[0]["id"].as_str().unwrap();

    let too_long = app.rpc_with(&ada, "files/share", &[("id", id), ("expires_in", "90d")]).await;
    assert_eq!(too_long.json::<Value>().await.unwrap()["problem"], "too_long");
    let made: Value =
        app.rpc_with(&ada, "files/share", &[("id", id), ("expires_in", "1d")]).await.json().await.unwrap();
    // Built from PUBLIC_URL (the default here), fetched at this test's address.
    let public = made["url"].as_str().unwrap();
    assert!(public.starts_with("http://localhost:3000/s/"), "{public}");
    let url = &app.url(public.trim_start_matches("http://localhost:3000"));

    let stranger = browser();
    let shared = stranger.get(url).send().await.unwrap();
    assert_eq!(shared.status(), 200);
    assert!(header(&shared, header::CONTENT_DISPOSITION).starts_with("attachment; filename=\"plan.txt\""));
    assert_eq!(shared.bytes().await.unwrap().as_ref(), TEXT);
    let ranged = stranger.get(url).header(header::RANGE, "bytes=0-2").send().await.unwrap();
    assert_eq!(ranged.bytes().await.unwrap().as_ref(), b"The");
    assert_eq!(stranger.get(format!("{url}x")).send().await.unwrap().status(), 404, "a wrong secret");

    let share_id = made["share"]["id"].as_str().unwrap();
    let details = fetch_json(ada.get(app.url(&format!("/rpc/files/details?id={id}")))).await;
    assert_eq!(details["shares"][0]["id"], share_id);
    assert!(details["text_preview"].as_str().unwrap().starts_with("The quick brown fox"));

    assert_eq!(app.rpc_with(&ada, "files/revoke_share", &[("id", share_id)]).await.status(), 200);
    assert_eq!(stranger.get(url).send().await.unwrap().status(), 404, "a revoked link");
}

async fn plain_form_uploads_redirect_with_the_outcome(backend: Backend) {
    let app = spawn(backend).await;
    let ada = user(&app).await;
    let post = |form: Form| {
        ada.post(app.url("/rpc/files/upload")).header(header::REFERER, app.url("/files")).multipart(form).send()
    };

    let stored = post(Form::new().part("file", part("a.txt", TEXT)).part("file", part("b.txt", TEXT))).await.unwrap();
    assert_eq!(stored.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(&stored, header::LOCATION), "/files?uploaded=2");

    let refused = post(Form::new().part("file", part("virus.exe", b"MZ\x90\0\x03\0\0\0\x04\0"))).await.unwrap();
    assert_eq!(refused.status(), StatusCode::SEE_OTHER);
    let location = header(&refused, header::LOCATION).to_owned();
    assert!(location.starts_with("/files?__path=") && location.contains("__err="), "{location}");
    let page = ada.get(app.url(&location)).send().await.unwrap().text().await.unwrap();
    let alert = page.split("role=\"alert\"").nth(1).expect("an alert on the page");
    let alert = &alert[..alert.find("</p>").unwrap()];
    assert!(alert.contains("virus.exe") && alert.contains("this type of file is not accepted"), "{alert}");
}

async fn an_interrupted_upload_leaves_nothing_behind(backend: Backend) {
    let app = spawn(backend).await;
    let ada = user(&app).await;
    // A body that sends a part of a file, then fails as a dropped connection would.
    let boundary = "cut-here";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.txt\"\r\nContent-Type: text/plain\r\n\r\n"
    );
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        vec![Ok(head.into_bytes()), Ok(vec![b'x'; 20_000]), Err(std::io::Error::other("connection lost"))];
    let result = ada
        .post(app.url("/rpc/files/upload"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .header(header::ACCEPT, "application/json")
        .body(Body::wrap_stream(futures_util::stream::iter(chunks)))
        .send()
        .await;
    assert!(result.is_err() || result.unwrap().status().is_client_error());

    // The server notices the cut on its own time; give it a moment, then nothing may remain.
    for _ in 0..50 {
        if app.stored_objects("files") == 0 && list(&app, &ada).await.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(list(&app, &ada).await.is_empty());
    assert_eq!(app.stored_objects("files"), 0);
}

async fn an_avatar_is_resized_and_shown_to_the_shell(backend: Backend) {
    let app = spawn(backend).await;
    let ada = user(&app).await;
    let mut photo = std::io::Cursor::new(Vec::new());
    image::DynamicImage::new_rgb8(320, 200).write_to(&mut photo, image::ImageFormat::Jpeg).unwrap();

    let response = ada
        .post(app.url("/rpc/account/avatar"))
        .header(header::ACCEPT, "application/json")
        .multipart(Form::new().part("avatar", part("me.jpg", photo.get_ref())))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    let large = response.json::<Value>().await.unwrap()["avatar_url"].as_str().unwrap().to_owned();
    let small = app.me_with(&ada).await["avatar_url"].as_str().unwrap().to_owned();
    assert!(small.ends_with("/64.png") && large.ends_with("/256.png"), "{small} {large}");
    let image = browser().get(app.url(&small)).send().await.unwrap();
    assert_eq!(image.status(), 200);
    assert_eq!(header(&image, header::CONTENT_TYPE), "image/png");
    assert!(header(&image, header::CACHE_CONTROL).contains("immutable"));
    let decoded = image::load_from_memory(&image.bytes().await.unwrap()).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (64, 64));

    let refused = ada
        .post(app.url("/rpc/account/avatar"))
        .header(header::ACCEPT, "application/json")
        .multipart(Form::new().part("avatar", part("notes.txt", TEXT)))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    assert_eq!(refused.json::<Value>().await.unwrap()["name"], "notes.txt");
    assert_eq!(app.me_with(&ada).await["avatar_url"], small.as_str(), "the avatar is kept after a refusal");

    assert_eq!(app.rpc_with(&ada, "account/remove_avatar", &[]).await.status(), 200);
    assert!(app.me_with(&ada).await["avatar_url"].is_null());
    assert_eq!(browser().get(app.url(&small)).send().await.unwrap().status(), 404);
}

async fn the_files_pages_render_without_javascript(backend: Backend) {
    let app = spawn(backend).await;
    let anonymous = app.get("/files").await;
    assert!(anonymous.status().is_redirection(), "got {}", anonymous.status());
    assert_eq!(header(&anonymous, header::LOCATION), "/signin");

    let ada = user(&app).await;
    let stored: Vec<Value> =
        upload(&app, &ada, &[("minutes.txt", TEXT), ("agenda.txt", b"1. Budget\n")]).await.json().await.unwrap();
    let page = ada.get(app.url("/files?sort=name&dir=asc")).send().await.unwrap().text().await.unwrap();
    let (agenda, minutes) = (page.find("agenda.txt").unwrap(), page.find("minutes.txt").unwrap());
    assert!(agenda < minutes, "sorted by name");
    assert!(page.contains(r#"enctype="multipart/form-data""#));
    let searched = ada.get(app.url("/files?q=MINUTES")).send().await.unwrap().text().await.unwrap();
    assert!(searched.contains("minutes.txt") && !searched.contains("agenda.txt"));

    let id = stored[0]["id"].as_str().unwrap();
    let file_page = ada.get(app.url(&format!("/files/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(file_page.contains("The quick brown fox"), "the text preview is in the page");
    let missing = ada.get(app.url("/files/00000000-0000-7000-8000-000000000000")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

/// The same doors on a real S3 server, with downloads handed to presigned URLs of the bucket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_s3_uploads_stream_to_the_bucket_and_downloads_redirect_to_it() {
    let mut extra = s3_settings("http", &s3_endpoint());
    extra.push("--storage-presigned-downloads".into());
    let app = spawn_app_with(Backend::Sqlite, Options { extra, ..Options::default() }).await;
    let ada = user(&app).await;
    let big: Vec<u8> = b"%PDF-1.7\n".iter().copied().chain((0..6 * 1024 * 1024u32).map(|i| (i % 251) as u8)).collect();

    let stored: Vec<Value> = upload(&app, &ada, &[("big.pdf", &big)]).await.json().await.unwrap();
    let id = stored[0]["id"].as_str().unwrap();

    let response = ada.get(app.url(&format!("/files/{id}/content?download"))).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT);
    let location = header(&response, header::LOCATION).to_owned();
    assert!(location.starts_with(&s3_endpoint()), "{location}");
    let from_bucket = reqwest::get(&location).await.unwrap();
    assert_eq!(from_bucket.status(), 200);
    assert!(from_bucket.bytes().await.unwrap().as_ref() == big.as_slice(), "6 MiB came back different");
}

async fn the_in_process_worker_processes_uploads_and_is_measured(backend: Backend) {
    let app = spawn(backend).await;
    let ada = user(&app).await;
    assert_eq!(upload(&app, &ada, &[("agenda.txt", b"1. Budget\n")]).await.status(), StatusCode::CREATED);

    // `serve` runs a worker of its own: the processing job notifies without anyone else's help.
    let mut unread = 0;
    for _ in 0..100 {
        unread = app.me_with(&ada).await["unread_notifications"].as_u64().unwrap();
        if unread == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(unread, 1, "the upload's processing job notified its owner");
    let list = fetch_json(ada.get(app.url("/rpc/notifications/list"))).await;
    assert_eq!(list[0]["kind"], "file_processed");
    let eve = user(&app).await;
    let id = list[0]["id"].as_str().unwrap();
    assert_eq!(app.rpc_with(&eve, "notifications/delete", &[("id", id)]).await.status(), 404, "not hers");
    assert_eq!(app.rpc_with(&ada, "notifications/mark_read", &[("id", id)]).await.status(), 200);
    assert_eq!(app.me_with(&ada).await["unread_notifications"], 0);

    let metrics = app.get("/metrics").await.text().await.unwrap();
    for expected in [
        r#"jobs_enqueued_total{queue="default",kind="files.process"}"#,
        r#"jobs_succeeded_total{queue="default",kind="files.process"}"#,
        r#"job_duration_seconds_count{queue="default",kind="files.process"}"#,
    ] {
        assert!(metrics.contains(expected), "missing {expected}");
    }
}
