//! Notification e-mails: the user's per-kind choices, the translated text, and delivery both to
//! the database outbox (no SMTP_URL) and to a real SMTP server (aiosmtpd, started by the test).

use std::{
    net::TcpListener,
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use clap::Parser;
use domain::{
    Actor, Error, Services,
    accounts::{Locale, SignUp},
    config::Config,
    error::{Field, Problem},
    jobs::{Queue, Worker, WorkerOptions},
    sessions::ClientInfo,
};
use migration::{Migrator, MigratorTrait};
use serde_json::json;

#[derive(Parser)]
struct TestCli {
    #[command(flatten)]
    config: Config,
}

struct TestApp {
    services: Services,
    stop: tokio::sync::watch::Sender<bool>,
    _dir: tempfile::TempDir,
}

/// Services on a fresh SQLite file with a running worker; `extra` are more settings.
async fn spawn(extra: &[&str]) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("mail.db").display());
    let data_dir = dir.path().to_str().unwrap().to_owned();
    let mut args =
        vec!["test", "--database-url", &url, "--data-dir", &data_dir, "--public-url", "https://app.example/"];
    args.extend_from_slice(extra);
    let cli = TestCli::try_parse_from(args).unwrap();
    let db = domain::db::connect(&cli.config.database).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let storage = cli.config.storage.open(&cli.config.database.data_dir).unwrap();
    let queue = Queue::sql(db.clone(), Duration::from_secs(60));
    let services = Services::new(db, storage, queue.clone(), domain::events::Events::local(), &cli.config);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut options = WorkerOptions::new(2);
    options.max_idle_poll = Duration::from_millis(50);
    tokio::spawn(Worker::new(queue, services.handlers(), options).run(stopped));
    TestApp { services, stop, _dir: dir }
}

impl TestApp {
    async fn user(&self, name: &str, locale: Locale) -> (Actor, String) {
        let email = format!("user-{}@example.com", uuid::Uuid::new_v4().simple());
        let input =
            SignUp { email: &email, password: "correct horse battery staple", display_name: Some(name), locale };
        let (account, token) = self.services.accounts.sign_up(input, &ClientInfo::default()).await.unwrap();
        let actor = self.services.sessions.resolve(&token).await.unwrap().actor;
        assert_eq!(actor.user_id().unwrap(), account.id);
        (actor, email)
    }

    /// The notification e-mails to `email` (not the sign-up's confirmation link), newest first.
    async fn outbox_to(&self, email: &str, at_least: usize) -> Vec<domain::entities::mail_outbox::Model> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mut mails = self.services.notifications.mailer().outbox(Some(email), 50).await.unwrap();
            mails.retain(|m| !m.body.contains("/verify-email?token="));
            if mails.len() >= at_least || Instant::now() > deadline {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn idle(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.services.jobs.depth().await.unwrap().iter().any(|d| d.waiting > 0) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn file_params(name: &str) -> (uuid::Uuid, serde_json::Value) {
    let id = uuid::Uuid::now_v7();
    (id, json!({ "name": name, "file_id": id.to_string() }))
}

#[tokio::test]
async fn each_kind_follows_its_default_until_the_user_chooses() {
    let app = spawn(&[]).await;
    let (actor, _) = app.user("ada", Locale::En).await;
    let choices = app.services.notifications.preferences(&actor).await.unwrap();
    let of = |kind: &str| choices.iter().find(|p| p.kind == kind).copied().unwrap();
    assert!(of("file_processed").in_app && !of("file_processed").email);
    assert!(of("file_failed").in_app && of("file_failed").email);

    let saved =
        app.services.notifications.set_preferences(&actor, &[("file_processed".into(), false, true)]).await.unwrap();
    let of = |kind: &str| saved.iter().find(|p| p.kind == kind).copied().unwrap();
    assert!(!of("file_processed").in_app && of("file_processed").email);
    assert!(of("file_failed").in_app && of("file_failed").email, "a kind left out keeps its setting");

    // Saving again overwrites; an unknown kind refuses the whole change and keeps what was saved.
    app.services.notifications.set_preferences(&actor, &[("file_processed".into(), true, true)]).await.unwrap();
    let refused = app
        .services
        .notifications
        .set_preferences(&actor, &[("file_processed".into(), false, false), ("fax".into(), true, true)])
        .await;
    assert!(matches!(refused, Err(Error::Invalid { field: Field::NotificationKind, problem: Problem::Unsupported })));
    let kept = app.services.notifications.preferences(&actor).await.unwrap();
    assert!(kept.iter().any(|p| p.kind == "file_processed" && p.in_app && p.email));

    let other = app.user("bob", Locale::En).await.0;
    let theirs = app.services.notifications.preferences(&other).await.unwrap();
    assert!(theirs.iter().any(|p| p.kind == "file_processed" && !p.email), "choices are per user");
    assert!(matches!(app.services.notifications.preferences(&Actor::Anonymous).await, Err(Error::Unauthenticated)));
}

#[tokio::test]
async fn without_smtp_the_email_lands_in_the_outbox_in_the_users_language() {
    let app = spawn(&[]).await;
    let (actor, email) = app.user("Grete", Locale::De).await;
    let user = actor.user_id().unwrap();
    let (file_id, params) = file_params("bericht.pdf");

    // file_failed: in the app and by e-mail by default.
    app.services.notifications.notify(user, "file_failed", params).await.unwrap();
    let mails = app.outbox_to(&email, 1).await;
    assert_eq!(mails.len(), 1, "one e-mail");
    let mail = &mails[0];
    assert_eq!(mail.to_address, format!("Grete <{email}>"));
    assert_eq!(mail.subject, "„bericht.pdf“ konnte nicht verarbeitet werden");
    assert!(mail.body.starts_with("Hallo Grete,"), "{}", mail.body);
    assert!(mail.body.contains(&format!("https://app.example/files/{file_id}")), "{}", mail.body);
    assert!(mail.body.contains("https://app.example/notifications#settings"), "{}", mail.body);
    assert_eq!(app.services.notifications.unread(&actor).await.unwrap(), 1, "and in the app");

    // file_processed: in the app only, by default.
    app.services.notifications.notify(user, "file_processed", file_params("a.txt").1).await.unwrap();
    app.idle().await;
    assert_eq!(app.outbox_to(&email, 0).await.len(), 1, "no e-mail for a kind the user did not choose");
    assert_eq!(app.services.notifications.unread(&actor).await.unwrap(), 2);

    // E-mail only.
    app.services.notifications.set_preferences(&actor, &[("file_processed".into(), false, true)]).await.unwrap();
    app.services.notifications.notify(user, "file_processed", file_params("b.txt").1).await.unwrap();
    let mails = app.outbox_to(&email, 2).await;
    assert_eq!(mails.len(), 2);
    assert!(mails.iter().any(|m| m.subject == "„b.txt“ ist bereit"), "{mails:?}");
    assert_eq!(app.services.notifications.unread(&actor).await.unwrap(), 2, "not in the app");
}

#[tokio::test]
async fn a_repeated_delivery_keeps_one_email() {
    let app = spawn(&[]).await;
    let (actor, email) = app.user("ada", Locale::En).await;
    let job = domain::notifications::SendEmail {
        message_id: uuid::Uuid::now_v7(),
        user_id: actor.user_id().unwrap(),
        kind: "file_failed".into(),
        params: file_params("x.png").1,
    };
    app.services.notifications.send_email(job.clone()).await.unwrap();
    app.services.notifications.send_email(job).await.unwrap();
    let mails = app.outbox_to(&email, 1).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].subject, "“x.png” could not be processed");
}

/// A real SMTP server: aiosmtpd from Debian's python3-aiosmtpd, writing a Maildir.
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
            // A folder aiosmtpd creates itself: it makes a Maildir only where nothing exists yet.
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

    /// The messages received so far, raw.
    fn received(&self) -> Vec<Vec<u8>> {
        let new = self.dir.path().join("maildir").join("new");
        read_dir(&new)
    }
}

fn read_dir(dir: &Path) -> Vec<Vec<u8>> {
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| std::fs::read(e.ok()?.path()).ok()).collect())
        .unwrap_or_default()
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn with_smtp_the_email_arrives_at_the_server() {
    let sink = SmtpSink::start();
    let smtp_url = format!("smtp://127.0.0.1:{}", sink.port);
    let app = spawn(&["--smtp-url", &smtp_url, "--mail-from", "SmartAI <noreply@app.example>"]).await;
    let (actor, email) = app.user("Amélie", Locale::Fr).await;
    let (file_id, params) = file_params("résumé.txt");
    app.services.notifications.notify(actor.user_id().unwrap(), "file_failed", params).await.unwrap();

    let deadline = Instant::now() + Duration::from_secs(10);
    let raw = loop {
        // Sign-up's confirmation link also went there; this is the notification.
        if let Some(raw) =
            sink.received().into_iter().find(|raw| !String::from_utf8_lossy(raw).contains("verify-email"))
        {
            break raw;
        }
        assert!(Instant::now() < deadline, "no notification e-mail reached the SMTP server");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let message = mailparse::parse_mail(&raw).unwrap();
    let header = |name: &str| {
        use mailparse::MailHeaderMap;
        message.headers.get_first_value(name).unwrap_or_default()
    };
    assert!(header("To").contains(&email), "{}", header("To"));
    assert!(header("From").contains("noreply@app.example"), "{}", header("From"));
    assert_eq!(header("Subject"), "« résumé.txt » n’a pas pu être traité");
    assert!(header("Message-ID").ends_with("@app.example>"), "{}", header("Message-ID"));
    let body = message.get_body().unwrap();
    assert!(body.starts_with("Bonjour Amélie,"), "{body}");
    assert!(body.contains(&format!("https://app.example/files/{file_id}")), "{body}");
    assert!(app.outbox_to(&email, 0).await.is_empty(), "not the outbox");
}
