//! Resumable uploads (tus 1.0) as a client speaks them: every status the protocol names, chunks
//! cut off at several offsets and resumed, on the local folder and on S3, the result byte for
//! byte what was sent.

use std::time::Duration;

use base64::{Engine, engine::general_purpose::STANDARD};
use bytes::Bytes;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{
    helpers::{Backend, Options, TestApp, s3_endpoint, s3_settings, spawn_app_with},
    rest::{Caller, call, caller, expect_error, json},
};

crate::on_both_databases!(
    the_protocol_answers_every_case,
    uploads_cut_off_at_several_offsets_resume_to_the_same_bytes,
    expired_uploads_are_refused_then_cleaned_up,
    quota_and_size_limits_hold_under_parallel_uploads,
    a_chunk_in_flight_holds_the_upload_until_it_ends,
);

const MIB: usize = 1024 * 1024;

/// An app taking files up to 16 MiB, `quota` in all per user.
async fn spawn(backend: Backend, quota: &str, extra: &[&str]) -> TestApp {
    let mut args = ["--files-max-size", "16MiB", "--files-quota", quota].map(String::from).to_vec();
    args.extend(extra.iter().map(|s| s.to_string()));
    spawn_app_with(backend, Options { extra: args, ..Options::default() }).await
}

/// A PDF of `len` bytes whose content depends on `seed`.
fn pdf(len: usize, seed: u32) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..len as u32 - 9).map(|i| (i.wrapping_mul(2_654_435_761).wrapping_add(seed) >> 11) as u8));
    bytes
}

fn tus(app: &TestApp, who: &Caller, method: Method, path: &str) -> RequestBuilder {
    call(app, &who.token, method, path).header("Tus-Resumable", "1.0.0")
}

fn header<'r>(response: &'r Response, name: &str) -> &'r str {
    response.headers().get(name).unwrap_or_else(|| panic!("no {name} in {:?}", response.headers())).to_str().unwrap()
}

fn metadata(name: &str) -> String {
    format!("filename {},filetype {}", STANDARD.encode(name), STANDARD.encode("application/pdf"))
}

/// Announces an upload; returns its path.
async fn create(app: &TestApp, who: &Caller, name: &str, length: usize) -> String {
    let response = tus(app, who, Method::POST, "/api/v1/uploads")
        .header("Upload-Length", length.to_string())
        .header("Upload-Metadata", metadata(name))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "{:?}", response.text().await);
    assert_eq!(header(&response, "Upload-Offset"), "0");
    header(&response, "Location").to_owned()
}

async fn patch(app: &TestApp, who: &Caller, path: &str, offset: usize, chunk: &[u8]) -> Response {
    tus(app, who, Method::PATCH, path)
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", offset.to_string())
        .body(chunk.to_vec())
        .send()
        .await
        .unwrap()
}

async fn offset_of(app: &TestApp, who: &Caller, path: &str) -> Response {
    tus(app, who, Method::HEAD, path).send().await.unwrap()
}

fn sha256_b64(bytes: &[u8]) -> String {
    format!("sha256 {}", STANDARD.encode(Sha256::digest(bytes)))
}

/// The file's bytes, fetched through `/files/{id}/content`.
async fn content(app: &TestApp, who: &Caller, file_location: &str) -> Vec<u8> {
    let response = call(app, &who.token, Method::GET, &format!("{file_location}/content")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.bytes().await.unwrap().to_vec()
}

async fn the_protocol_answers_every_case(backend: Backend) {
    let app = spawn(backend, "40MiB", &[]).await;
    let ada = caller(&app).await;
    let eve = caller(&app).await;

    // Discovery needs no credentials.
    let options = reqwest::Client::new().request(Method::OPTIONS, app.url("/api/v1/uploads")).send().await.unwrap();
    assert_eq!(options.status(), StatusCode::NO_CONTENT);
    assert_eq!(header(&options, "Tus-Version"), "1.0.0");
    assert_eq!(header(&options, "Tus-Resumable"), "1.0.0");
    assert_eq!(header(&options, "Tus-Max-Size"), (16 * MIB).to_string());
    assert_eq!(header(&options, "Tus-Checksum-Algorithm"), "sha256");
    let extensions: Vec<&str> = header(&options, "Tus-Extension").split(',').collect();
    for extension in ["creation", "creation-with-upload", "termination", "expiration", "checksum"] {
        assert!(extensions.contains(&extension), "{extension} in {extensions:?}");
    }

    // Creation: the version, the length and the name are required, and checked.
    let without_version = call(&app, &ada.token, Method::POST, "/api/v1/uploads")
        .header("Upload-Length", "10")
        .header("Upload-Metadata", metadata("a.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(header(&without_version, "Tus-Version"), "1.0.0");
    expect_error(without_version, 412, "unsupported_tus_version").await;
    let old_version = call(&app, &ada.token, Method::POST, "/api/v1/uploads")
        .header("Tus-Resumable", "0.2.2")
        .header("Upload-Length", "10")
        .send()
        .await
        .unwrap();
    expect_error(old_version, 412, "unsupported_tus_version").await;
    let anonymous = reqwest::Client::new()
        .post(app.url("/api/v1/uploads"))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "10")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let no_length = tus(&app, &ada, Method::POST, "/api/v1/uploads").header("Upload-Metadata", metadata("a.pdf"));
    let body = expect_error(no_length.send().await.unwrap(), 400, "invalid_request").await;
    assert!(body["error"]["message"].as_str().unwrap().contains("Upload-Length"), "{body}");
    let deferred = tus(&app, &ada, Method::POST, "/api/v1/uploads").header("Upload-Defer-Length", "1");
    expect_error(deferred.send().await.unwrap(), 400, "invalid_request").await;
    for bad in ["-1", "ten", "1.5"] {
        let request = tus(&app, &ada, Method::POST, "/api/v1/uploads")
            .header("Upload-Length", bad)
            .header("Upload-Metadata", metadata("a.pdf"));
        expect_error(request.send().await.unwrap(), 400, "invalid_request").await;
    }
    let unnamed = tus(&app, &ada, Method::POST, "/api/v1/uploads").header("Upload-Length", "10");
    let body = expect_error(unnamed.send().await.unwrap(), 400, "invalid_request").await;
    assert!(body["error"]["message"].as_str().unwrap().contains("filename"), "{body}");
    let too_large = tus(&app, &ada, Method::POST, "/api/v1/uploads")
        .header("Upload-Length", (16 * MIB + 1).to_string())
        .header("Upload-Metadata", metadata("big.pdf"));
    expect_error(too_large.send().await.unwrap(), 413, "file_too_large").await;

    let file = pdf(12 * MIB + 123, 1);
    let path = create(&app, &ada, "report.pdf", file.len()).await;
    assert!(path.starts_with("/api/v1/uploads/"), "{path}");

    // HEAD tells the offset, the length and the metadata; never cached.
    let head = offset_of(&app, &ada, &path).await;
    assert_eq!(head.status(), 200);
    assert_eq!(header(&head, "Upload-Offset"), "0");
    assert_eq!(header(&head, "Upload-Length"), file.len().to_string());
    assert_eq!(header(&head, "Upload-Metadata"), metadata("report.pdf"));
    assert_eq!(header(&head, "Cache-Control"), "no-store");
    assert!(header(&head, "Upload-Expires").ends_with(" GMT"));

    // Someone else's upload does not exist for them, whatever they try.
    assert_eq!(offset_of(&app, &eve, &path).await.status(), 404, "HEAD has no body: the status says it");
    expect_error(patch(&app, &eve, &path, 0, &file[..10]).await, 404, "not_found").await;
    expect_error(tus(&app, &eve, Method::DELETE, &path).send().await.unwrap(), 404, "not_found").await;

    // A chunk must be octets, at the offset the upload is at, matching its checksum if it has one.
    let as_json = tus(&app, &ada, Method::PATCH, &path)
        .header("Content-Type", "application/json")
        .header("Upload-Offset", "0")
        .body("{}");
    expect_error(as_json.send().await.unwrap(), 415, "unsupported_media_type").await;
    let no_offset =
        tus(&app, &ada, Method::PATCH, &path).header("Content-Type", "application/offset+octet-stream").body("x");
    expect_error(no_offset.send().await.unwrap(), 400, "invalid_request").await;
    let wrong_offset = patch(&app, &ada, &path, 5, &file[5..10]).await;
    assert_eq!(header(&wrong_offset, "Upload-Offset"), "0", "409 says where the upload is");
    expect_error(wrong_offset, 409, "offset_mismatch").await;
    let first = &file[..3 * MIB];
    let corrupted = tus(&app, &ada, Method::PATCH, &path)
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", "0")
        .header("Upload-Checksum", sha256_b64(b"something else"))
        .body(first.to_vec());
    expect_error(corrupted.send().await.unwrap(), 460, "checksum_mismatch").await;
    assert_eq!(
        header(&offset_of(&app, &ada, &path).await, "Upload-Offset"),
        "0",
        "a mismatching chunk counts for nothing"
    );
    let md5 = tus(&app, &ada, Method::PATCH, &path)
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", "0")
        .header("Upload-Checksum", "md5 1B2M2Y8AsgTpgAmY7PhCfg==")
        .body(first.to_vec());
    expect_error(md5.send().await.unwrap(), 400, "invalid_request").await;

    let checked = tus(&app, &ada, Method::PATCH, &path)
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", "0")
        .header("Upload-Checksum", sha256_b64(first))
        .body(first.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(checked.status(), StatusCode::NO_CONTENT);
    assert_eq!(header(&checked, "Upload-Offset"), (3 * MIB).to_string());
    assert!(checked.headers().get("File-Location").is_none(), "not complete yet");

    // Past the announced length: refused, nothing taken.
    let mut past = file[3 * MIB..].to_vec();
    past.push(0);
    expect_error(patch(&app, &ada, &path, 3 * MIB, &past).await, 413, "past_upload_length").await;
    assert_eq!(header(&offset_of(&app, &ada, &path).await, "Upload-Offset"), (3 * MIB).to_string());

    // The rest in uneven chunks, across part boundaries, with the session instead of the token.
    let mut offset = 3 * MIB;
    let mut done = None;
    for size in [4 * MIB + 7, 1, 3 * MIB - 8, usize::MAX] {
        let end = offset.saturating_add(size).min(file.len());
        let response = ada
            .browser
            .patch(app.url(&path))
            .header("Tus-Resumable", "1.0.0")
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Offset", offset.to_string())
            .body(file[offset..end].to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "chunk at {offset}");
        assert_eq!(header(&response, "Upload-Offset"), end.to_string());
        assert_eq!(header(&response, "Tus-Resumable"), "1.0.0");
        done = response.headers().get("File-Location").map(|v| v.to_str().unwrap().to_owned());
        offset = end;
    }
    let file_location = done.expect("the last chunk names the file");

    // The file is there, byte for byte, with its SHA-256, typed from its bytes.
    let info = json(call(&app, &ada.token, Method::GET, &file_location).send().await.unwrap()).await;
    assert_eq!(info["name"], "report.pdf");
    assert_eq!(info["content_type"], "application/pdf");
    assert_eq!(info["size"], file.len());
    assert_eq!(info["sha256"], format!("{:x}", Sha256::digest(&file)));
    assert!(content(&app, &ada, &file_location).await == file, "the bytes differ");
    let head = offset_of(&app, &ada, &path).await;
    assert_eq!(
        header(&head, "Upload-Offset"),
        file.len().to_string(),
        "a finished upload says so to a resuming client"
    );
    assert_eq!(header(&head, "File-Location"), file_location);
    expect_error(patch(&app, &ada, &path, 0, b"%PDF").await, 409, "offset_mismatch").await;
    assert_eq!(app.stored_objects("uploads"), 0, "no staging file or tail is left");

    // creation-with-upload: the whole of a small file in the POST.
    let small = pdf(2000, 2);
    let response = tus(&app, &ada, Method::POST, "/api/v1/uploads")
        .header("Upload-Length", small.len().to_string())
        .header("Upload-Metadata", metadata("small.pdf"))
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Checksum", sha256_b64(&small))
        .body(small.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(header(&response, "Upload-Offset"), small.len().to_string());
    let small_location = header(&response, "File-Location").to_owned();
    assert!(content(&app, &ada, &small_location).await == small);

    // A type that is not accepted is refused as soon as its first bytes show it, and the upload ends.
    let path = create(&app, &ada, "tool.exe", 20_000).await;
    let body =
        expect_error(patch(&app, &ada, &path, 0, &[0x4d, 0x5a, 0x90, 0].repeat(5000)).await, 422, "validation_failed")
            .await;
    assert_eq!(body["error"]["fields"]["file"], "unsupported");
    assert_eq!(offset_of(&app, &ada, &path).await.status(), 404, "HEAD has no body: the status says it");
    assert_eq!(app.stored_objects("uploads"), 0, "a refused upload leaves no bytes behind");

    // Termination: the bytes so far go, HEAD says 404.
    let path = create(&app, &ada, "drop.pdf", 8 * MIB).await;
    assert_eq!(patch(&app, &ada, &path, 0, &pdf(6 * MIB, 3)).await.status(), StatusCode::NO_CONTENT);
    assert!(app.stored_objects("uploads") > 0, "the bytes so far are stored (on a folder, in the staging file)");
    assert_eq!(tus(&app, &ada, Method::DELETE, &path).send().await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(offset_of(&app, &ada, &path).await.status(), 404, "HEAD has no body: the status says it");
    assert_eq!(app.stored_objects("uploads"), 0, "termination removes the parts");
    let check = app.services.files.check(&domain::Actor::System, false).await.unwrap();
    assert!(check.orphan_objects.is_empty() && check.missing_objects.is_empty(), "{check:?}");

    stray_parts_are_found_and_removed(&app, &ada).await;
}

/// Parts of an upload no row knows (a crash between the two) are found by the storage check and
/// removed with --fix, while an upload in progress (a 6 MiB part and a 3 MiB tail) is kept.
async fn stray_parts_are_found_and_removed(app: &TestApp, ada: &Caller) {
    let stray = "uploads/01234567-89ab-7def-8123-456789abcdef/tail-100";
    app.services.storage.put_bytes(stray, Bytes::from_static(b"left behind")).await.unwrap();
    let in_progress = create(app, ada, "kept.pdf", 16 * MIB).await;
    let file = pdf(16 * MIB, 5);
    assert_eq!(patch(app, ada, &in_progress, 0, &file[..6 * MIB]).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(patch(app, ada, &in_progress, 6 * MIB, &file[6 * MIB..9 * MIB]).await.status(), StatusCode::NO_CONTENT);
    let check = app.services.files.check(&domain::Actor::System, true).await.unwrap();
    assert_eq!(check.orphan_objects, [stray], "an upload in progress is not an orphan");
    assert!(app.services.storage.get_bytes(stray).await.is_err(), "--fix removed it");
    assert_eq!(header(&offset_of(app, ada, &in_progress).await, "Upload-Offset"), (9 * MIB).to_string());
    // The tail and the rest make a largest part that ends the file exactly.
    let response = patch(app, ada, &in_progress, 9 * MIB, &file[9 * MIB..]).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT, "the tail the check kept is read back");
    assert!(content(app, ada, header(&response, "File-Location")).await == file);
}

/// Sends `chunk` at `offset` but cuts the connection after `cut` bytes (the stream fails, as a
/// dropped network does).
async fn patch_cut_off(app: &TestApp, who: &Caller, path: &str, offset: usize, chunk: &[u8], cut: usize) {
    let sent: Vec<Result<Bytes, std::io::Error>> = chunk[..cut]
        .chunks(256 * 1024)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .chain(std::iter::once(Err(std::io::Error::other("the network went away"))))
        .collect();
    let result = tus(app, who, Method::PATCH, path)
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", offset.to_string())
        .header("Content-Length", chunk.len().to_string())
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(sent)))
        .send()
        .await;
    assert!(result.is_err() || result.is_ok_and(|r| !r.status().is_success()), "a cut-off chunk does not succeed");
}

/// What a tus client does after a failure: asks where the upload is (the request it abandoned
/// may still hold the upload for a moment: 423), then sends the rest from there.
async fn resume(app: &TestApp, who: &Caller, path: &str, file: &[u8]) -> String {
    for _ in 0..100 {
        let head = offset_of(app, who, path).await;
        assert_eq!(head.status(), 200);
        let offset: usize = header(&head, "Upload-Offset").parse().unwrap();
        let response = patch(app, who, path, offset, &file[offset..]).await;
        match response.status().as_u16() {
            204 => return header(&response, "File-Location").to_owned(),
            409 | 423 => tokio::time::sleep(Duration::from_millis(100)).await,
            other => panic!("resuming at {offset}: {other} {:?}", response.text().await),
        }
    }
    panic!("the upload could not be resumed");
}

async fn cut_and_resume(app: &TestApp) {
    let ada = caller(app).await;
    let file = pdf(16 * MIB - 3, 7);
    let path = create(app, &ada, "cut.pdf", file.len()).await;
    let mut offset = 0;
    // Inside the first bytes (before the type is known), inside a tail, then past a largest part
    // (stored in the middle of the chunk, the rest left as a tail).
    for cut in [100, 2 * MIB, 9 * MIB] {
        patch_cut_off(app, &ada, &path, offset, &file[offset..], cut).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let head = offset_of(app, &ada, &path).await;
        let now: usize = header(&head, "Upload-Offset").parse().unwrap();
        assert!(now >= offset && now <= offset + cut, "kept {now} after a cut at {}", offset + cut);
        offset = now;
    }
    assert!(offset > 0, "what arrived before the cuts was kept");
    let file_location = resume(app, &ada, &path, &file).await;
    let stored = content(app, &ada, &file_location).await;
    assert_eq!(format!("{:x}", Sha256::digest(&stored)), format!("{:x}", Sha256::digest(&file)));
    let info = json(call(app, &ada.token, Method::GET, &file_location).send().await.unwrap()).await;
    assert_eq!(info["sha256"], format!("{:x}", Sha256::digest(&file)), "the hash carried across requests is right");
}

async fn uploads_cut_off_at_several_offsets_resume_to_the_same_bytes(backend: Backend) {
    let app = spawn(backend, "40MiB", &[]).await;
    cut_and_resume(&app).await;
    assert_eq!(app.stored_objects("uploads"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_s3_uploads_cut_off_resume_to_the_same_bytes_and_parts_are_assembled_by_the_bucket() {
    let s3 = s3_settings("tus", &s3_endpoint());
    let app = spawn(Backend::Sqlite, "40MiB", &s3.iter().map(String::as_str).collect::<Vec<_>>()).await;
    cut_and_resume(&app).await;

    // Terminated and expired uploads leave no parts behind in the bucket.
    let ada = caller(&app).await;
    let path = create(&app, &ada, "drop.pdf", 8 * MIB).await;
    assert_eq!(patch(&app, &ada, &path, 0, &pdf(6 * MIB, 3)).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(tus(&app, &ada, Method::DELETE, &path).send().await.unwrap().status(), StatusCode::NO_CONTENT);
    let check = app.services.files.check(&domain::Actor::System, false).await.unwrap();
    assert!(check.orphan_objects.is_empty() && check.missing_objects.is_empty(), "{check:?}");

    stray_parts_are_found_and_removed(&app, &ada).await;
}

async fn expired_uploads_are_refused_then_cleaned_up(backend: Backend) {
    let app = spawn(backend, "20MiB", &["--files-upload-expiry", "1s"]).await;
    let ada = caller(&app).await;
    let path = create(&app, &ada, "late.pdf", 15 * MIB).await;
    assert_eq!(patch(&app, &ada, &path, 0, &pdf(6 * MIB, 4)).await.status(), StatusCode::NO_CONTENT);
    // The quota is held by the upload meanwhile.
    let second = tus(&app, &ada, Method::POST, "/api/v1/uploads")
        .header("Upload-Length", (15 * MIB).to_string())
        .header("Upload-Metadata", metadata("second.pdf"));
    expect_error(second.send().await.unwrap(), 413, "over_quota").await;

    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(offset_of(&app, &ada, &path).await.status(), 410, "HEAD has no body: the status says it");
    expect_error(patch(&app, &ada, &path, 6 * MIB, &pdf(MIB, 4)).await, 410, "upload_expired").await;

    // The nightly job ends it: parts gone, space back.
    assert_eq!(app.services.files.purge_expired_uploads().await.unwrap(), 1);
    assert_eq!(offset_of(&app, &ada, &path).await.status(), 404, "HEAD has no body: the status says it");
    assert_eq!(app.stored_objects("uploads"), 0);
    create(&app, &ada, "again.pdf", 15 * MIB).await;
}

async fn quota_and_size_limits_hold_under_parallel_uploads(backend: Backend) {
    let app = spawn(backend, "40MiB", &[]).await;
    let ada = caller(&app).await;
    // Ten uploads of 6 MiB at once against a 40 MiB quota: six fit, four are refused.
    let attempts = (0..10).map(|i| {
        tus(&app, &ada, Method::POST, "/api/v1/uploads")
            .header("Upload-Length", (6 * MIB).to_string())
            .header("Upload-Metadata", metadata(&format!("p{i}.pdf")))
            .send()
    });
    let responses = futures_util::future::join_all(attempts).await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.as_ref().unwrap().status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 6, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 413).count(), 4, "{statuses:?}");
    let paths: Vec<String> = responses
        .into_iter()
        .map(Result::unwrap)
        .filter(|r| r.status() == 201)
        .map(|r| header(&r, "Location").to_owned())
        .collect();

    // The six complete in parallel; the files take exactly the space reserved.
    let sends = paths.iter().enumerate().map(|(i, path)| {
        let app = &app;
        let ada = &ada;
        async move {
            let file = pdf(6 * MIB, i as u32);
            let response = patch(app, ada, path, 0, &file).await;
            assert_eq!(response.status(), StatusCode::NO_CONTENT);
            header(&response, "File-Location").to_owned()
        }
    });
    let files = futures_util::future::join_all(sends).await;
    assert_eq!(files.len(), 6);
    let page: Value = json(call(&app, &ada.token, Method::GET, "/api/v1/files?limit=20").send().await.unwrap()).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 6);

    // Full: a new upload is refused until a file is deleted.
    let more = tus(&app, &ada, Method::POST, "/api/v1/uploads")
        .header("Upload-Length", (6 * MIB).to_string())
        .header("Upload-Metadata", metadata("more.pdf"));
    expect_error(more.send().await.unwrap(), 413, "over_quota").await;
    assert_eq!(call(&app, &ada.token, Method::DELETE, &files[0]).send().await.unwrap().status(), 204);
    create(&app, &ada, "more.pdf", 6 * MIB).await;
}

async fn a_chunk_in_flight_holds_the_upload_until_it_ends(backend: Backend) {
    let app = spawn(backend, "40MiB", &[]).await;
    let ada = caller(&app).await;
    let file = pdf(6 * MIB, 9);
    let path = create(&app, &ada, "held.pdf", file.len()).await;

    // A chunk whose sender stalls after 1 MiB.
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let first = Bytes::copy_from_slice(&file[..MIB]);
    let stalled = futures_util::StreamExt::chain(
        futures_util::stream::iter([Ok::<_, std::io::Error>(first)]),
        futures_util::stream::once(async move {
            let _ = stopped.await;
            Err(std::io::Error::other("the sender gave up"))
        }),
    );
    let in_flight = tokio::spawn(
        tus(&app, &ada, Method::PATCH, &path)
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Offset", "0")
            .body(reqwest::Body::wrap_stream(stalled))
            .send(),
    );
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Meanwhile nobody else writes to it or ends it: 423, to retry shortly.
    let second = patch(&app, &ada, &path, 0, &file).await;
    assert_eq!(header(&second, "Retry-After"), "1");
    expect_error(second, 423, "upload_locked").await;
    expect_error(tus(&app, &ada, Method::DELETE, &path).send().await.unwrap(), 423, "upload_locked").await;

    // The stalled sender gives up: what arrived counts, and the upload is free again.
    stop.send(()).unwrap();
    let _ = in_flight.await;
    let mut offset = 0;
    for _ in 0..50 {
        let head = offset_of(&app, &ada, &path).await;
        offset = header(&head, "Upload-Offset").parse().unwrap();
        if offset > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(offset, MIB, "the megabyte that arrived was kept");
    let rest = patch(&app, &ada, &path, MIB, &file[MIB..]).await;
    assert_eq!(rest.status(), StatusCode::NO_CONTENT);
    assert!(content(&app, &ada, header(&rest, "File-Location")).await == file);
}
