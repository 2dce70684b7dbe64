//! Notification e-mails: the user's per-kind choices, the translated text, and delivery to the
//! database outbox (no SMTP_URL). Delivery to a real SMTP server is tested through the whole app
//! in `server/tests/api/mail.rs`.

use std::time::{Duration, Instant};

use domain::{
    Actor, Error, Services,
    accounts::{Locale, SignUp},
    error::{Field, Problem},
    jobs::{Worker, WorkerOptions},
    sessions::ClientInfo,
};
use serde_json::json;

use crate::harness::{Backend, spawn_services};

struct TestApp {
    services: Services,
    stop: tokio::sync::watch::Sender<bool>,
    _dir: tempfile::TempDir,
}

/// Services on a fresh SQLite file with a running worker; `extra` are more settings.
async fn spawn(extra: &[&str]) -> TestApp {
    let settings = [&["--public-url", "https://app.example/"][..], extra].concat();
    let app = spawn_services(Backend::Sqlite, &settings).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut options = WorkerOptions::new(2);
    options.max_idle_poll = Duration::from_millis(50);
    tokio::spawn(Worker::new(app.services.jobs.clone(), app.services.handlers(), options).run(stopped));
    TestApp { services: app.services, stop, _dir: app.dir }
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
        while self.services.jobs.depth().await.unwrap().iter().any(|d| d.waiting() > 0) && Instant::now() < deadline {
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

crate::on_both_databases!(an_email_about_an_account_erased_on_its_way_is_not_kept);

/// An erasure deletes the account's outbox e-mails; a notice already on its way when the erasure
/// ran must not write one after it (the outbox write reads the account in its own transaction).
async fn an_email_about_an_account_erased_on_its_way_is_not_kept(backend: Backend) {
    use sea_orm::{EntityTrait, TransactionTrait};

    let app = spawn_services(backend, &[]).await;
    let email = format!("user-{}@example.com", uuid::Uuid::new_v4().simple());
    let input =
        SignUp { email: &email, password: "correct horse battery staple", display_name: None, locale: Locale::En };
    let (account, _) = app.services.accounts.sign_up(input, &ClientInfo::default()).await.unwrap();
    let notice = |event: &str| domain::notifications::SecurityNotice {
        message_id: uuid::Uuid::now_v7(),
        user_id: account.id,
        event: event.into(),
        at: time::OffsetDateTime::now_utc(),
        ip: None,
    };
    let mailer = app.services.notifications.mailer();
    let kept = || async { mailer.outbox(Some(&email), 50).await.unwrap().len() };
    let before = kept().await;
    app.services.notifications.send_security_notice(notice("password_changed")).await.unwrap();
    assert_eq!(kept().await, before + 1, "while the account exists its notices are kept");

    // The erasure has deleted the account and its outbox e-mails, as `DeletionService::erase`
    // does, but not committed yet when the notice is written.
    let erasure = app.db.begin().await.unwrap();
    domain::entities::user::Entity::delete_by_id(account.id).exec(&erasure).await.unwrap();
    domain::entities::mail_outbox::Entity::delete_many().exec(&erasure).await.unwrap();
    let notifications = app.services.notifications.clone();
    let job = notice("deletion_requested");
    let sending = tokio::spawn({
        let job = job.clone();
        async move { notifications.send_security_notice(job).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    erasure.commit().await.unwrap();
    if sending.await.unwrap().is_err() {
        // Refused because the account changed under it (SQLite): the job's retry finds no account.
        app.services.notifications.send_security_notice(job).await.unwrap();
    }
    assert_eq!(kept().await, 0, "nothing of the erased account is left in the outbox");
}

/// On SQLite a transaction that has read cannot start writing once another connection has
/// committed since (SQLITE_BUSY_SNAPSHOT, at once, whatever the busy timeout): an e-mail must be
/// kept while the rest of the app writes. Deliveries go on until the other connection has written
/// 100 times too, so the two always overlap, however the machine schedules them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_are_kept_while_other_connections_write() {
    use std::sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    };

    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

    let app = spawn_services(Backend::Sqlite, &[]).await;
    let email = format!("user-{}@example.com", uuid::Uuid::new_v4().simple());
    let input =
        SignUp { email: &email, password: "correct horse battery staple", display_name: None, locale: Locale::En };
    let (account, _) = app.services.accounts.sign_up(input, &ClientInfo::default()).await.unwrap();
    let writes = Arc::new(AtomicU32::new(0));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let writer = tokio::spawn({
        let (db, writes) = (app.db.clone(), Arc::clone(&writes));
        async move {
            while !*stopped.borrow() {
                domain::entities::user::Entity::update_many()
                    .col_expr(domain::entities::user::Column::UpdatedAt, Expr::value(time::OffsetDateTime::now_utc()))
                    .filter(domain::entities::user::Column::Id.eq(account.id))
                    .exec(&db)
                    .await
                    .unwrap();
                writes.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut delivered = 0u32;
    while (delivered < 100 || writes.load(Ordering::Relaxed) < 100) && Instant::now() < deadline {
        let notice = domain::notifications::SecurityNotice {
            message_id: uuid::Uuid::now_v7(),
            user_id: account.id,
            event: format!("event_{delivered}"),
            at: time::OffsetDateTime::now_utc(),
            ip: None,
        };
        app.services.notifications.send_security_notice(notice).await.unwrap();
        delivered += 1;
    }
    stop.send(true).unwrap();
    writer.await.unwrap();
    assert!(
        writes.load(Ordering::Relaxed) >= 100,
        "the other connection wrote {} times in 30 s",
        writes.load(Ordering::Relaxed)
    );
}
