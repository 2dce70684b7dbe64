//! Notification e-mails through the whole app: a user's settings saved by a plain form post and
//! read back, then an upload whose processing e-mails them at a real SMTP server (aiosmtpd).

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use reqwest::{StatusCode, header};
use serde_json::Value;

use crate::helpers::{Backend, Options, TestApp, browser, spawn_app_with, unique_email};

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

    /// Every message received so far, parsed: (To, Subject, decoded body).
    fn messages(&self) -> Vec<(String, String, String)> {
        self.received().into_iter().map(|m| (m.to, m.subject, m.body)).collect()
    }

    fn received(&self) -> Vec<Received> {
        use mailparse::MailHeaderMap;

        let new = self.dir.path().join("maildir").join("new");
        let Ok(entries) = std::fs::read_dir(new) else { return Vec::new() };
        entries
            .filter_map(|e| std::fs::read(e.ok()?.path()).ok())
            .map(|raw| {
                let mail = mailparse::parse_mail(&raw).unwrap();
                let header = |name: &str| mail.headers.get_first_value(name).unwrap_or_default();
                Received {
                    to: header("To"),
                    from: header("From"),
                    subject: header("Subject"),
                    message_id: header("Message-ID"),
                    body: mail.get_body().unwrap(),
                }
            })
            .collect()
    }

    /// The body of the first message to `to` whose subject is `subject`, waiting for it to come.
    async fn wait_for(&self, to: &str, subject: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some((_, _, body)) = self.messages().into_iter().find(|(t, s, _)| t.contains(to) && s == subject) {
                return body;
            }
            assert!(Instant::now() < deadline, "no e-mail “{subject}” reached {to}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

struct Received {
    to: String,
    from: String,
    subject: String,
    message_id: String,
    body: String,
}

/// The app at https://app.example (for the links in its e-mails), sending through `sink`, with
/// `more` settings.
async fn spawn_mailing(sink: &SmtpSink, more: &[&str]) -> TestApp {
    let mut extra = vec!["--smtp-url".to_owned(), format!("smtp://127.0.0.1:{}", sink.port)];
    extra.extend(more.iter().map(|s| (*s).to_owned()));
    spawn_app_with(Backend::Sqlite, Options { extra, public_url: Some("https://app.example"), ..Options::default() })
        .await
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
    let app = spawn_mailing(&sink, &["--mail-from", "SmartAI <noreply@app.example>"]).await;
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

    let uploaded = app.upload_with(&client, "q3.txt", b"quarterly numbers\n").await;
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let file_id = uploaded.json::<Value>().await.unwrap()[0]["id"].as_str().unwrap().to_owned();

    let body = sink.wait_for(&email, "“q3.txt” is ready").await;
    assert!(body.starts_with("Hello "), "{body}");
    assert!(body.contains(&format!("https://app.example/files/{file_id}")), "{body}");
    assert!(body.contains("https://app.example/notifications#settings"), "{body}");
    let sent = sink.received().into_iter().find(|m| m.subject == "“q3.txt” is ready").unwrap();
    assert_eq!(sent.from, "SmartAI <noreply@app.example>");
    assert!(sent.message_id.ends_with("@app.example>"), "{}", sent.message_id);
    assert_eq!(app.me_with(&client).await["unread_notifications"], 0, "not in the app, as chosen");
}

/// The link of `path` in an e-mail body, and its token.
fn link_in(body: &str, path: &str) -> (String, String) {
    let start = body
        .find(&format!("https://app.example/{path}?token="))
        .unwrap_or_else(|| panic!("no {path} link in:\n{body}"));
    let link: String = body[start..].chars().take_while(|c| !c.is_whitespace()).collect();
    let token = url::Url::parse(&link).unwrap().query_pairs().find(|(k, _)| k == "token").unwrap().1.into_owned();
    (link, token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emailed_links_confirm_the_address_and_reset_the_password_once() {
    let sink = SmtpSink::start();
    let app = spawn_mailing(&sink, &["--password-reset-ttl", "3s"]).await;
    let laptop = browser();
    let email = unique_email();
    assert_eq!(app.sign_up_with(&laptop, &email).await.status(), 200);
    let profile = |client: &reqwest::Client| {
        let client = client.clone();
        let app = &app;
        async move { app.get_rpc_with(&client, "account/profile").await.json::<Value>().await.unwrap() }
    };
    assert_eq!(profile(&laptop).await["email_verified"], false);

    // Sign-up sent the confirmation link; it works once.
    let body = sink.wait_for(&email, "Confirm your e-mail address").await;
    assert!(body.contains("within 24 hours"), "{body}");
    let (_, token) = link_in(&body, "verify-email");
    assert_eq!(app.rpc_with(&laptop, "auth/verify_email", &[("token", &token)]).await.status(), 200);
    assert_eq!(profile(&laptop).await["email_verified"], true);
    let again = app.rpc_with(&laptop, "auth/verify_email", &[("token", &token)]).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().await.unwrap().contains("token"));

    // "Forgot password" answers the same for an unknown address and sends nothing there.
    let visitor = browser();
    let unknown = unique_email();
    let asked_unknown = app.rpc_with(&visitor, "auth/forgot_password", &[("email", &unknown)]).await;
    let asked_known = app.rpc_with(&visitor, "auth/forgot_password", &[("email", &email)]).await;
    assert_eq!((asked_unknown.status(), asked_known.status()), (StatusCode::OK, StatusCode::OK));
    assert_eq!(asked_unknown.text().await.unwrap(), asked_known.text().await.unwrap());
    let body = sink.wait_for(&email, "Reset your password").await;
    let (_, token) = link_in(&body, "reset-password");
    // Asking again at once sends no second link.
    assert_eq!(app.rpc_with(&visitor, "auth/forgot_password", &[("email", &email)]).await.status(), 200);

    // A refused password keeps the link usable; a good one resets and signs every session out.
    let weak = app.rpc_with(&visitor, "auth/reset_password", &[("token", &token), ("new_password", "short")]).await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.text().await.unwrap().contains("new_password"));
    let new_password = "a brand new passphrase 42";
    let reset =
        app.rpc_with(&visitor, "auth/reset_password", &[("token", &token), ("new_password", new_password)]).await;
    assert_eq!(reset.status(), StatusCode::OK);
    assert!(app.me_with(&laptop).await.is_null(), "the other session ended");
    let reused = app
        .rpc_with(&visitor, "auth/reset_password", &[("token", &token), ("new_password", "yet another passphrase 43")])
        .await;
    assert_eq!(reused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.sign_in_with(&visitor, &email, crate::helpers::PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.sign_in_with(&visitor, &email, new_password).await.status(), StatusCode::OK);

    // An expired link is refused like a used one.
    let other = unique_email();
    assert_eq!(app.sign_up_with(&browser(), &other).await.status(), 200);
    assert_eq!(app.rpc_with(&visitor, "auth/forgot_password", &[("email", &other)]).await.status(), 200);
    let (_, late) = link_in(&sink.wait_for(&other, "Reset your password").await, "reset-password");
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let expired =
        app.rpc_with(&visitor, "auth/reset_password", &[("token", &late), ("new_password", new_password)]).await;
    assert_eq!(expired.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let messages = sink.messages();
    assert!(messages.iter().all(|(to, ..)| !to.contains(&unknown)), "nothing went to the unknown address");
    let resets = messages.iter().filter(|(to, subject, _)| to.contains(&email) && subject == "Reset your password");
    assert_eq!(resets.count(), 1, "one reset link a minute");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_password_is_reported_to_the_owner_by_email() {
    let sink = SmtpSink::start();
    let app = spawn_mailing(&sink, &[]).await;
    let client = browser();
    let email = unique_email();
    assert_eq!(app.sign_up_with(&client, &email).await.status(), 200);
    let changed = app
        .rpc_with(
            &client,
            "account/change_password",
            &[("current_password", crate::helpers::PASSWORD), ("new_password", "another long passphrase 7")],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);

    let body = sink.wait_for(&email, "Your account’s sign-in details changed").await;
    assert!(body.contains("your password was changed"), "{body}");
    assert!(body.contains("127.0.0.1"), "the address it came from: {body}");
    assert!(body.contains("https://app.example/profile"), "{body}");
    let notices = sink
        .messages()
        .into_iter()
        .filter(|(to, subject, _)| to.contains(&email) && subject.contains("sign-in details"));
    assert_eq!(notices.count(), 1, "signing up is not a change of sign-in details");
}
