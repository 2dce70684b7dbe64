//! Jobs and live events across processes: two `smartai serve` processes on one PostgreSQL
//! database and one Redis. A file uploaded through the first is processed by a worker, and the
//! user's page connected to the second hears about it at once.

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
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;

use crate::helpers::{PASSWORD, browser, unique_email};

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
    let admin_url =
        std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("smartai_test_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(&admin_url).await.unwrap();
    admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.unwrap();
    let mut database_url = url::Url::parse(&admin_url).unwrap();
    database_url.set_path(&format!("/{name}"));
    let redis_url = std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    // Both instances share the objects folder, as they would share a bucket.
    let data_dir = tempfile::tempdir().unwrap();

    let prefix = format!("smartai-test:{}:", uuid::Uuid::new_v4().simple());
    // As a fleet does it: the schema first (the migration Job), then the instances.
    let migrated = Command::new(env!("CARGO_BIN_EXE_smartai"))
        .args(["migrate", "up"])
        .env("DATABASE_URL", database_url.as_str())
        .env("DATA_DIR", data_dir.path())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(migrated.status.success(), "{}", String::from_utf8_lossy(&migrated.stderr));
    let first = start(database_url.as_str(), (&redis_url, &prefix), data_dir.path(), true).await;
    let second = start(database_url.as_str(), (&redis_url, &prefix), data_dir.path(), false).await;

    let client: Client = browser();
    let email = unique_email();
    let signed_up = client
        .post(format!("{}/rpc/auth/sign_up", first.base))
        .header(header::ACCEPT, "application/json")
        .form(&[("email", email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_up.status(), 200);

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
    let list: Value = client
        .get(format!("{}/rpc/notifications/list", second.base))
        .header(header::ACCEPT, "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["kind"], "file_processed");
    assert!(list[0]["params"].to_string().contains("budget.txt"));

    drop((first, second));
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.ok();
}
