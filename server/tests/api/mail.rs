//! Notification e-mails through the whole app: a user's settings saved by a plain form post and
//! read back, then an upload whose processing e-mails them at a real SMTP server (aiosmtpd).

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use reqwest::{
    StatusCode, header,
    multipart::{Form, Part},
};
use serde_json::Value;

use crate::helpers::{Backend, Options, browser, spawn_app_with, unique_email};

/// aiosmtpd (Debian's python3-aiosmtpd) on a free port, writing what it receives to a Maildir.
struct SmtpSink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.path().join("maildir"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("/usr/bin/python3 with aiosmtpd (Debian's python3-aiosmtpd; scripts/test installs it)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not listen on {port}; is python3-aiosmtpd installed?");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port, dir }
    }

    async fn wait_for_message(&self) -> String {
        let new = self.dir.path().join("maildir").join("new");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let first = std::fs::read_dir(&new).ok().and_then(|mut e| e.next()).and_then(|e| e.ok());
            if let Some(entry) = first {
                return std::fs::read_to_string(entry.path()).unwrap();
            }
            assert!(Instant::now() < deadline, "no e-mail reached the SMTP server");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_saved_by_a_form_decide_that_an_upload_is_emailed() {
    let sink = SmtpSink::start();
    let extra = vec!["--smtp-url".into(), format!("smtp://127.0.0.1:{}", sink.port)];
    let app = spawn_app_with(
        Backend::Sqlite,
        Options { extra, public_url: Some("https://app.example"), ..Options::default() },
    )
    .await;
    let client = browser();
    let email = unique_email();
    assert_eq!(app.sign_up_with(&client, &email).await.status(), 200);

    // A plain HTML form: "processed" by e-mail only (its in-app box left unticked).
    let response = client
        .post(app.url("/rpc/notifications/save_preferences"))
        .form(&[("choices[file_processed][listed]", "true"), ("choices[file_processed][email]", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()[header::LOCATION], "/notifications?saved=settings#settings");
    let saved: Value = app.get_rpc_with(&client, "notifications/preferences").await.json().await.unwrap();
    let of = |kind: &str| saved.as_array().unwrap().iter().find(|p| p["kind"] == kind).unwrap().clone();
    assert_eq!(
        (of("file_processed")["in_app"].as_bool(), of("file_processed")["email"].as_bool()),
        (Some(false), Some(true))
    );
    assert_eq!((of("file_failed")["in_app"].as_bool(), of("file_failed")["email"].as_bool()), (Some(true), Some(true)));

    // An unknown kind is refused by name and changes nothing.
    let refused = app.rpc_with(&client, "notifications/save_preferences", &[("choices[fax][email]", "true")]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("notification_kind"));
    let again: Value = app.get_rpc_with(&client, "notifications/preferences").await.json().await.unwrap();
    assert_eq!(again, saved);

    let form = Form::new().part("file", Part::bytes(b"quarterly numbers\n".to_vec()).file_name("q3.txt"));
    let uploaded = client
        .post(app.url("/rpc/files/upload"))
        .header(header::ACCEPT, "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let file_id = uploaded.json::<Value>().await.unwrap()[0]["id"].as_str().unwrap().to_owned();

    let raw = sink.wait_for_message().await;
    let message = mailparse::parse_mail(raw.as_bytes()).unwrap();
    use mailparse::MailHeaderMap;
    assert!(message.headers.get_first_value("To").unwrap().contains(&email));
    assert_eq!(message.headers.get_first_value("Subject").unwrap(), "“q3.txt” is ready");
    let body = message.get_body().unwrap();
    assert!(body.contains(&format!("https://app.example/files/{file_id}")), "{body}");
    assert_eq!(app.me_with(&client).await["unread_notifications"], 0, "not in the app, as chosen");
}
