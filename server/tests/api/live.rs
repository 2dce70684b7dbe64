//! Jobs, live events and revocation across processes: two `smartai serve` processes on one
//! PostgreSQL database and one Redis. A file uploaded through the first is processed by a worker,
//! and the user's page connected to the second hears about it at once; a session signed out, a
//! password or a role changed on one instance holds on the other at once, although each caches
//! resolved sessions.

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use reqwest::{
    Client, header,
    multipart::{Form, Part},
};
use serde_json::Value;

use crate::helpers::{
    PASSWORD, browser, drop_postgres_database, fetch_json, new_postgres_database, signed_up_at, unique_email,
};

/// A fresh PostgreSQL database (migrated, as a fleet's migration Job does), a Redis prefix and an
/// objects folder, for instances to share; the database is dropped at the end.
struct Shared {
    name: String,
    database_url: String,
    redis_url: String,
    prefix: String,
    data_dir: tempfile::TempDir,
}

impl Shared {
    async fn new() -> Self {
        let (database_url, name) = new_postgres_database().await;
        let shared = Self {
            name,
            database_url,
            redis_url: std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into()),
            prefix: format!("smartai-test:{}:", uuid::Uuid::new_v4().simple()),
            data_dir: tempfile::tempdir().unwrap(),
        };
        let migrated = shared.command(&["migrate", "up"]).output().unwrap();
        assert!(migrated.status.success(), "{}", String::from_utf8_lossy(&migrated.stderr));
        shared
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_smartai"));
        command
            .args(args)
            .env("DATABASE_URL", &self.database_url)
            .env("DATA_DIR", self.data_dir.path())
            .env("RUST_LOG", "warn");
        command
    }

    async fn start(&self, worker: bool) -> Instance {
        start(&self.database_url, (&self.redis_url, &self.prefix), self.data_dir.path(), worker).await
    }

    async fn drop_database(self) {
        drop_postgres_database(&self.name).await;
    }
}

struct Instance {
    child: Child,
    base: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start(database_url: &str, redis: (&str, &str), data_dir: &std::path::Path, worker: bool) -> Instance {
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_smartai"));
    command
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("REDIS_URL", redis.0)
        .env("REDIS_PREFIX", redis.1)
        .env("DATA_DIR", data_dir)
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    if !worker {
        command.env("JOBS_NO_IN_PROCESS_WORKER", "true");
    }
    let instance =
        Instance { child: command.spawn().expect("the binary runs"), base: format!("http://127.0.0.1:{port}") };
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if reqwest::get(format!("{}/health/ready", instance.base)).await.is_ok_and(|r| r.status() == 200) {
            return instance;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("smartai serve on port {port} did not become ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_on_one_instance_notifies_the_page_open_on_another() {
    // Both instances share the objects folder, as they would share a bucket.
    let shared = Shared::new().await;
    let first = shared.start(true).await;
    let second = shared.start(false).await;

    let client = signed_up_at(&first.base).await;

    // The page's event stream, on the second instance (the session cookie works on both).
    let events =
        client.get(format!("{}/events", second.base)).header(header::ACCEPT, "text/event-stream").send().await.unwrap();
    assert_eq!(events.status(), 200);
    let mut events = events.bytes_stream();
    let mut seen = String::new();
    let mut next_unread = async || -> u64 {
        loop {
            if let Some(end) = seen.find("\n\n") {
                let frame: String = seen.drain(..end + 2).collect();
                if let Some(data) = frame.lines().find_map(|l| l.strip_prefix("data: ")) {
                    return serde_json::from_str::<Value>(data).unwrap()["unread"].as_u64().unwrap();
                }
                continue;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(20), events.next())
                .await
                .expect("an event within 20s")
                .expect("the stream stays open")
                .unwrap();
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    assert_eq!(next_unread().await, 0, "the stream starts with the current count");

    let upload = client
        .post(format!("{}/rpc/files/upload", first.base))
        .header(header::ACCEPT, "application/json")
        .multipart(Form::new().part("file", Part::bytes(b"Budget: 42 euros.\n".to_vec()).file_name("budget.txt")))
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), 201);

    assert_eq!(next_unread().await, 1, "the processing job's notification reached the other instance");
    let list = fetch_json(client.get(format!("{}/rpc/notifications/list", second.base))).await;
    assert_eq!(list[0]["kind"], "file_processed");
    assert!(list[0]["params"].to_string().contains("budget.txt"));

    drop((first, second));
    shared.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_on_one_instance_holds_on_the_other_at_once() {
    // Arrange: two instances; Ada signed in twice (two devices), an administrator.
    let shared = Shared::new().await;
    let (first, second) = (shared.start(false).await, shared.start(false).await);
    let email = unique_email();
    let ada = browser();
    let rpc = |client: &Client, base: &str, endpoint: &str, form: &[(&str, &str)]| {
        client.post(format!("{base}/rpc/{endpoint}")).header(header::ACCEPT, "application/json").form(form).send()
    };
    let signed_up = rpc(&ada, &first.base, "auth/sign_up", &[("email", &email), ("password", PASSWORD)]).await.unwrap();
    assert_eq!(signed_up.status(), 200);
    // A second device's session, sent as its raw cookie so that it can be replayed after sign-out.
    let sign_in = |base: String, email: String| async move {
        let response =
            rpc(&Client::new(), &base, "auth/sign_in", &[("email", &email), ("password", PASSWORD)]).await.unwrap();
        assert_eq!(response.status(), 200);
        let mut cookies = response.headers().get_all(header::SET_COOKIE).iter().map(|c| c.to_str().unwrap().to_owned());
        let session = cookies.find(|c| c.starts_with("smartai_session=")).expect("a session cookie");
        session.split(';').next().unwrap().to_owned()
    };
    // The account as the REST API shows it to a session cookie (401 without a live session).
    let me = |base: &str, cookie: &str| {
        Client::new().get(format!("{base}/api/v1/account")).header(header::COOKIE, cookie).send()
    };
    let status_of_me = |base: String, cookie: String| async move { me(&base, &cookie).await.unwrap().status() };
    let mut created = shared.command(&["user", "create", "--email", "root@example.com", "--admin", "--password-stdin"]);
    let mut created = created.stdin(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap();
    std::io::Write::write_all(created.stdin.as_mut().unwrap(), format!("{PASSWORD}\n").as_bytes()).unwrap();
    drop(created.stdin.take());
    assert!(created.wait().unwrap().success());
    let root = sign_in(first.base.clone(), "root@example.com".into()).await;

    // Sign-out: a device signs out on the first instance; its cookie, cached as valid on the
    // second (used there just before), is refused there from the very next request.
    let phone = sign_in(second.base.clone(), email.clone()).await;
    for _ in 0..3 {
        assert_eq!(status_of_me(second.base.clone(), phone.clone()).await, 200);
    }
    let signed_out = Client::new()
        .post(format!("{}/rpc/auth/sign_out", first.base))
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, &phone)
        .send()
        .await
        .unwrap();
    assert!(signed_out.status().is_success(), "{}", signed_out.status());
    assert_eq!(status_of_me(second.base.clone(), phone.clone()).await, 401, "signed out on every instance");

    // A role change by an administrator on the first instance holds on the second at once.
    let laptop = sign_in(second.base.clone(), email.clone()).await;
    let account: Value = me(&second.base, &laptop).await.unwrap().json().await.unwrap();
    assert_eq!(account["role"], "user");
    let admin_users = |base: String, cookie: String| async move {
        Client::new()
            .get(format!("{base}/api/v1/admin/users"))
            .header(header::COOKIE, cookie)
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(admin_users(second.base.clone(), laptop.clone()).await, 403);
    let id = account["id"].as_str().unwrap().to_owned();
    for (role, admin_status) in [("admin", 200), ("user", 403)] {
        let changed = Client::new()
            .patch(format!("{}/api/v1/admin/users/{id}", first.base))
            .header(header::COOKIE, &root)
            .json(&serde_json::json!({ "role": role }))
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status(), 200, "{}", changed.text().await.unwrap());
        let seen: Value = me(&second.base, &laptop).await.unwrap().json().await.unwrap();
        assert_eq!(seen["role"], role);
        assert_eq!(admin_users(second.base.clone(), laptop.clone()).await, admin_status);
    }

    // A token revoked on the first instance stops working on the second at once.
    let created: Value = Client::new()
        .post(format!("{}/api/v1/tokens", first.base))
        .header(header::COOKIE, &root)
        .json(&serde_json::json!({ "name": "ci", "scopes": ["read"], "expires_in_days": 1 }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (secret, token_id) = (created["secret"].as_str().unwrap(), created["token"]["id"].as_str().unwrap());
    let with_token = |base: String| async move {
        Client::new().get(format!("{base}/api/v1/account")).bearer_auth(secret).send().await.unwrap().status()
    };
    for _ in 0..3 {
        assert_eq!(with_token(second.base.clone()).await, 200);
    }
    let revoked = Client::new()
        .delete(format!("{}/api/v1/tokens/{token_id}", first.base))
        .header(header::COOKIE, &root)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    assert_eq!(with_token(second.base.clone()).await, 401, "revoked on every instance");

    // A password change on the first instance ends the other sessions on the second at once.
    assert_eq!(status_of_me(second.base.clone(), laptop.clone()).await, 200);
    let changed = rpc(
        &ada,
        &first.base,
        "account/change_password",
        &[("current_password", PASSWORD), ("new_password", "an entirely new password 42")],
    )
    .await
    .unwrap();
    assert_eq!(changed.status(), 200, "{}", changed.text().await.unwrap());
    assert_eq!(status_of_me(second.base.clone(), laptop.clone()).await, 401, "the other session ended everywhere");
    let kept = ada.get(format!("{}/api/v1/account", second.base));
    assert_eq!(kept.send().await.unwrap().status(), 200, "the session that changed it stays");

    drop((first, second));
    shared.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumable_upload_moves_between_instances_and_outlives_a_killed_one() {
    use sha2::{Digest, Sha256};

    const MIB: usize = 1024 * 1024;
    let shared = Shared::new().await;
    let (first, second) = (shared.start(false).await, shared.start(false).await);
    let ada = signed_up_at(&first.base).await;
    let file: Vec<u8> = b"%PDF-1.7\n"
        .iter()
        .copied()
        .chain((0..12 * MIB as u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 9) as u8))
        .collect();
    let tus = |method: reqwest::Method, url: String| ada.request(method, url).header("Tus-Resumable", "1.0.0");
    let patch = |base: &str, path: &str, offset: usize, body: reqwest::Body| {
        tus(reqwest::Method::PATCH, format!("{base}{path}"))
            .header(header::CONTENT_TYPE, "application/offset+octet-stream")
            .header("Upload-Offset", offset.to_string())
            .body(body)
            .send()
    };

    // Begun on the first instance, continued on the second: the state is in the database.
    let created = tus(reqwest::Method::POST, format!("{}/api/v1/uploads", first.base))
        .header("Upload-Length", file.len().to_string())
        .header("Upload-Metadata", "filename bW92aW5nLnBkZg==")
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let path = created.headers()[header::LOCATION].to_str().unwrap().to_owned();
    let on_first = patch(&first.base, &path, 0, file[..3 * MIB].to_vec().into()).await.unwrap();
    assert_eq!(on_first.status(), 204);
    let on_second = patch(&second.base, &path, 3 * MIB, file[3 * MIB..7 * MIB].to_vec().into()).await.unwrap();
    assert_eq!(on_second.status(), 204);
    assert_eq!(on_second.headers()["upload-offset"], (7 * MIB).to_string().as_str());

    // A chunk in flight to the first instance when it is killed.
    let stalled =
        futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::copy_from_slice(&file[7 * MIB..8 * MIB]))])
            .chain(futures_util::stream::pending());
    let in_flight = tokio::spawn(patch(&first.base, &path, 7 * MIB, reqwest::Body::wrap_stream(stalled)));
    tokio::time::sleep(Duration::from_millis(700)).await;
    drop(first);
    assert!(in_flight.await.unwrap().is_err(), "the connection died with the process");

    // A restarted instance finishes it, once the dead request's hold on the upload runs out.
    let restarted = shared.start(false).await;
    let started = Instant::now();
    let file_location = loop {
        assert!(started.elapsed() < Duration::from_secs(30), "the upload could not be resumed");
        let head = tus(reqwest::Method::HEAD, format!("{}{path}", restarted.base)).send().await.unwrap();
        let offset: usize = head.headers()["upload-offset"].to_str().unwrap().parse().unwrap();
        assert_eq!(offset, 7 * MIB, "what the killed request had not committed does not count");
        // While the dead request still holds the upload, the server refuses the chunk (423)
        // before reading it and closes the connection: the client may meet that refusal as a
        // broken pipe while it still sends. Either way the upload is held: ask again.
        let Ok(response) = patch(&restarted.base, &path, offset, file[offset..].to_vec().into()).await else {
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        };
        match response.status().as_u16() {
            204 => break response.headers()["file-location"].to_str().unwrap().to_owned(),
            423 => tokio::time::sleep(Duration::from_millis(500)).await,
            other => panic!("resuming: {other}"),
        }
    };
    let stored = ada.get(format!("{}{file_location}/content", second.base)).send().await.unwrap();
    assert_eq!(stored.status(), 200);
    let stored = stored.bytes().await.unwrap();
    assert_eq!(format!("{:x}", Sha256::digest(&stored)), format!("{:x}", Sha256::digest(&file)));
    let info: Value = ada.get(format!("{}{file_location}", second.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(info["sha256"], format!("{:x}", Sha256::digest(&file)));

    drop((second, restarted));
    shared.drop_database().await;
}

/// A feature flag set on one instance holds on the other within a second: the assistant,
/// switched off for everyone but one user, answers 404 on the second instance to the others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feature_flag_set_on_one_instance_holds_on_the_other_within_a_second() {
    let shared = Shared::new().await;
    let (first, second) = (shared.start(false).await, shared.start(false).await);
    let (ada, bob) = (signed_up_at(&second.base).await, signed_up_at(&second.base).await);
    let usage = |client: &Client| {
        client.get(format!("{}/rpc/assistant/usage", second.base)).header(header::ACCEPT, "application/json").send()
    };
    // Asked on the second instance before the change, so that it holds the flags in memory.
    assert_eq!(usage(&ada).await.unwrap().status(), 200, "on by default");
    assert_eq!(usage(&bob).await.unwrap().status(), 200);
    let ada_id: Value = ada.get(format!("{}/api/v1/account", second.base)).send().await.unwrap().json().await.unwrap();

    let mut created =
        shared.command(&["user", "create", "--email", "flags@example.com", "--admin", "--password-stdin"]);
    let mut created = created.stdin(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap();
    std::io::Write::write_all(created.stdin.as_mut().unwrap(), format!("{PASSWORD}\n").as_bytes()).unwrap();
    drop(created.stdin.take());
    assert!(created.wait().unwrap().success());
    let root = browser();
    let response = root
        .post(format!("{}/rpc/auth/sign_in", first.base))
        .header(header::ACCEPT, "application/json")
        .form(&[("email", "flags@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let set = root
        .put(format!("{}/api/v1/admin/flags/assistant", first.base))
        .json(&serde_json::json!({ "enabled": true, "rollout": 0, "allow_users": [ada_id["id"]] }))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200, "{:?}", set.text().await);
    let changed = std::time::Instant::now();
    loop {
        if usage(&bob).await.unwrap().status() == 404 {
            break;
        }
        assert!(changed.elapsed() < Duration::from_secs(1), "the second instance still serves the old flag");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!("the flag held on the second instance after {:?}", changed.elapsed());
    assert_eq!(usage(&ada).await.unwrap().status(), 200, "allowed by name");
    // The header's launcher, rendered on the server, follows the flag too.
    let landing = |client: &Client| client.get(format!("{}/", second.base)).send();
    let (bobs, adas) =
        (landing(&bob).await.unwrap().text().await.unwrap(), landing(&ada).await.unwrap().text().await.unwrap());
    assert!(adas.contains("class=\"assistant-toggle\""), "Ada has the launcher");
    assert!(!bobs.contains("class=\"assistant-toggle\""), "Bob has none");
    let flags: Value =
        root.get(format!("{}/api/v1/admin/flags", second.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!((flags[0]["key"].as_str(), flags[0]["rollout"].as_u64()), (Some("assistant"), Some(0)));
    let refused = root
        .put(format!("{}/api/v1/admin/flags/assistant", first.base))
        .json(&serde_json::json!({ "enabled": true, "rollout": 101 }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let unknown = root
        .put(format!("{}/api/v1/admin/flags/no-such-flag", first.base))
        .json(&serde_json::json!({ "enabled": true, "rollout": 100 }))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    drop((first, second));
    shared.drop_database().await;
}
