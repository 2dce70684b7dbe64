//! The audit log against a real database (a temp SQLite file, and a fresh PostgreSQL database at
//! TEST_DATABASE_URL): events are written where they happen, and any tampering is found.

use clap::Parser;
use domain::{
    Actor, Error, Services,
    accounts::{Locale, SignIn, SignUp},
    audit::{AuditEntry, AuditLog, Breach, Break, Context, Event, Report},
    config::Config,
    sessions::ClientInfo,
};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, EntityTrait};

#[derive(Parser)]
struct TestCli {
    #[command(flatten)]
    config: Config,
}

enum Backend {
    Sqlite,
    Postgres,
}

struct TestAudit {
    services: Services,
    db: sea_orm::DatabaseConnection,
    config: Config,
    _dir: tempfile::TempDir,
}

const PASSWORD: &str = "correct horse battery staple";

async fn spawn(backend: Backend) -> TestAudit {
    let dir = tempfile::tempdir().unwrap();
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}?mode=rwc", dir.path().join("audit.db").display()),
        Backend::Postgres => {
            let admin_url = std::env::var("TEST_DATABASE_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let name = format!("smartai_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(&admin_url).await.expect("PostgreSQL at TEST_DATABASE_URL");
            admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.unwrap();
            let mut url = url::Url::parse(&admin_url).unwrap();
            url.set_path(&format!("/{name}"));
            url.to_string()
        }
    };
    let data_dir = dir.path().to_str().unwrap().to_owned();
    let cli = TestCli::try_parse_from(["test", "--database-url", &url, "--data-dir", &data_dir]).unwrap();
    let db = domain::db::connect(&cli.config.database).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let storage = cli.config.storage.open(&cli.config.database.data_dir).unwrap();
    let queue = domain::jobs::Queue::sql(db.clone(), std::time::Duration::from_secs(60));
    let services = Services::new(db.clone(), storage, queue, domain::events::Events::local(), &cli.config);
    TestAudit { services, db, config: cli.config, _dir: dir }
}

fn client(n: u32) -> ClientInfo {
    ClientInfo {
        user_agent: Some(format!("AuditTest/{n} (X11; Linux x86_64)")),
        ip: Some(format!("192.0.2.{n}")),
        request_id: Some(format!("request-{n}")),
    }
}

impl TestAudit {
    /// Signs up a new account from `client(1)` and returns it signed in.
    async fn user(&self, email: &str) -> Actor {
        let input = SignUp { email, password: PASSWORD, display_name: None, locale: Locale::En };
        let (_, token) = self.services.accounts.sign_up(input, &client(1)).await.unwrap();
        self.services.sessions.resolve(&token).await.unwrap().actor
    }

    /// A few events: a sign-up, failed sign-ins, a sign-in, a password change, a sign-out.
    async fn history(&self) -> Actor {
        let accounts = &self.services.accounts;
        let ada = self.user("ada@example.com").await;
        accounts.sign_in(&Actor::Anonymous, "ada@example.com", "wrong password!", &client(2)).await.unwrap_err();
        accounts.sign_in(&Actor::Anonymous, "nobody@example.com", PASSWORD, &client(3)).await.unwrap_err();
        let SignIn::Done(_, token) = accounts.sign_in(&ada, "ada@example.com", PASSWORD, &client(4)).await.unwrap()
        else {
            panic!("no second factor is due")
        };
        let ada = self.services.sessions.resolve(&token).await.unwrap().actor;
        let new = "a brand new passphrase";
        accounts.change_password(&ada, PASSWORD, new, &client(5)).await.unwrap();
        accounts.sign_out(&ada, &client(6)).await.unwrap();
        ada
    }

    async fn verify(&self) -> Report {
        self.services.audit.verify(&Actor::System).await.unwrap()
    }

    async fn all(&self) -> Vec<AuditEntry> {
        self.services.audit.list(&Actor::System, None, 1000).await.unwrap()
    }

    async fn sql(&self, sql: &str) {
        self.db.execute_unprepared(sql).await.unwrap();
    }
}

fn broken_at(report: &Report) -> (i64, Breach) {
    let Some(Break { seq, problem, .. }) = &report.broken else { panic!("the chain verified: {report:?}") };
    (*seq, *problem)
}

macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test] async fn $name() { super::$name(super::Backend::Sqlite).await } )* }
        mod postgres { $( #[tokio::test] async fn $name() { super::$name(super::Backend::Postgres).await } )* }
    };
}

on_both_databases!(
    security_events_are_recorded_with_their_context,
    users_see_only_their_own_events,
    an_intact_chain_verifies,
    an_edited_row_is_caught_at_its_number,
    a_row_rewritten_with_a_fresh_hash_is_caught_by_the_next_one,
    a_deleted_middle_row_is_caught,
    deleting_the_newest_rows_is_caught_by_the_head,
    swapped_rows_are_caught,
    a_row_added_behind_the_logs_back_is_caught,
    an_operator_account_and_its_role_are_recorded,
    only_operators_verify_and_list_everything,
    concurrent_appends_from_several_connections_keep_one_chain,
);

async fn security_events_are_recorded_with_their_context(backend: Backend) {
    let app = spawn(backend).await;

    let ada = app.history().await;

    let ada_id = ada.user_id().unwrap();
    let all = app.all().await;
    let summary: Vec<(i64, &str, Option<&str>)> =
        all.iter().rev().map(|e| (e.seq, e.event.as_str(), e.ip.as_deref())).collect();
    assert_eq!(
        summary,
        [
            (1, "sign_up", Some("192.0.2.1")),
            (2, "sign_in_failed", Some("192.0.2.2")),
            (3, "sign_in_failed", Some("192.0.2.3")),
            (4, "sign_in", Some("192.0.2.4")),
            (5, "password_changed", Some("192.0.2.5")),
            (6, "sign_out", Some("192.0.2.6")),
        ]
    );
    let sign_in = &all[2];
    assert_eq!((sign_in.user_id, sign_in.actor_id), (Some(ada_id), Some(ada_id)));
    assert_eq!(sign_in.user_agent.as_deref(), Some("AuditTest/4 (X11; Linux x86_64)"));
    assert_eq!(sign_in.request_id.as_deref(), Some("request-4"));
    let wrong_password = &all[4];
    assert_eq!((wrong_password.user_id, wrong_password.actor_id), (Some(ada_id), None));
    let unknown = &all[3];
    assert_eq!(unknown.user_id, None, "no account has that address");
    assert_eq!(unknown.details["email"], "nobody@example.com");
    assert_eq!(all[1].details["other_sessions_ended"], 0);
}

async fn users_see_only_their_own_events(backend: Backend) {
    let app = spawn(backend).await;
    let ada = app.history().await;
    let grace = app.user("grace@example.com").await;

    let ada_sees = app.services.audit.list_own(&ada, 50).await.unwrap();
    let grace_sees = app.services.audit.list_own(&grace, 50).await.unwrap();

    let codes: Vec<&str> = ada_sees.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(codes, ["sign_out", "password_changed", "sign_in", "sign_in_failed", "sign_up"], "newest first");
    assert_eq!(grace_sees.len(), 1);
    assert_eq!(grace_sees[0].event, "sign_up");
    assert_eq!(app.services.audit.list_own(&ada, 2).await.unwrap().len(), 2, "the limit holds");
    assert!(matches!(app.services.audit.list_own(&Actor::Anonymous, 50).await, Err(Error::Unauthenticated)));
}

async fn an_intact_chain_verifies(backend: Backend) {
    let app = spawn(backend).await;
    let empty = app.verify().await;
    assert_eq!((empty.events, empty.broken), (0, None), "an empty log is intact");

    app.history().await;

    let report = app.verify().await;
    assert_eq!(report.broken, None);
    assert_eq!((report.events, report.head_seq), (6, 6));
}

async fn an_edited_row_is_caught_at_its_number(backend: Backend) {
    let app = spawn(backend).await;
    app.history().await;

    app.sql(r#"UPDATE audit_events SET details = '{"email":"someone@else.example"}' WHERE seq = 3"#).await;

    let report = app.verify().await;
    assert_eq!(broken_at(&report), (3, Breach::Edited));
    assert_eq!(report.events, 2, "the events before it are fine");
    let message = report.broken.unwrap().to_string();
    assert!(message.contains("event 3 (sign_in_failed) was edited"), "{message}");
}

async fn a_row_rewritten_with_a_fresh_hash_is_caught_by_the_next_one(backend: Backend) {
    let app = spawn(backend).await;
    app.history().await;
    let mut row = domain::entities::audit_event::Entity::find_by_id(2i64).one(&app.db).await.unwrap().unwrap();
    row.ip = Some("203.0.113.9".into());

    // The forger knows the encoding and stores a matching hash for the changed row.
    let forged = domain::audit::hash(&row);
    app.sql(&format!("UPDATE audit_events SET ip = '203.0.113.9', hash = '{forged}' WHERE seq = 2")).await;

    assert_eq!(broken_at(&app.verify().await), (3, Breach::Unlinked));
}

async fn a_deleted_middle_row_is_caught(backend: Backend) {
    let app = spawn(backend).await;
    app.history().await;

    app.sql("DELETE FROM audit_events WHERE seq = 4").await;

    let report = app.verify().await;
    assert_eq!(broken_at(&report), (4, Breach::Missing { next: Some(5) }));
    assert!(report.broken.unwrap().to_string().contains("event 4 is missing"));
}

async fn deleting_the_newest_rows_is_caught_by_the_head(backend: Backend) {
    let app = spawn(backend).await;
    app.history().await;

    app.sql("DELETE FROM audit_events WHERE seq >= 5").await;

    assert_eq!(broken_at(&app.verify().await), (5, Breach::Missing { next: None }));
}

async fn swapped_rows_are_caught(backend: Backend) {
    let app = spawn(backend).await;
    app.history().await;

    app.sql("UPDATE audit_events SET seq = -1 WHERE seq = 2").await;
    app.sql("UPDATE audit_events SET seq = 2 WHERE seq = 3").await;
    app.sql("UPDATE audit_events SET seq = 3 WHERE seq = -1").await;

    assert_eq!(broken_at(&app.verify().await), (2, Breach::Edited));
}

async fn a_row_added_behind_the_logs_back_is_caught(backend: Backend) {
    let app = spawn(backend).await;
    app.history().await;
    let mut row = domain::entities::audit_event::Entity::find_by_id(6i64).one(&app.db).await.unwrap().unwrap();
    (row.seq, row.prev_hash) = (7, row.hash.clone());
    row.hash = domain::audit::hash(&row);

    use sea_orm::{ActiveModelTrait, IntoActiveModel};
    row.into_active_model().reset_all().insert(&app.db).await.unwrap();

    assert_eq!(broken_at(&app.verify().await), (7, Breach::NotInHead));
}

async fn an_operator_account_and_its_role_are_recorded(backend: Backend) {
    let app = spawn(backend).await;
    let input = SignUp { email: "root@example.com", password: PASSWORD, display_name: None, locale: Locale::En };

    let root = app
        .services
        .accounts
        .create_user(&Actor::System, input, domain::Role::Admin, &Default::default())
        .await
        .unwrap();

    let events = app.services.audit.list(&Actor::System, Some("root@example.com"), 10).await.unwrap();
    let codes: Vec<(&str, Option<uuid::Uuid>)> = events.iter().map(|e| (e.event.as_str(), e.actor_id)).collect();
    assert_eq!(codes, [("role_changed", None), ("sign_up", None)]);
    assert!(events.iter().all(|e| e.user_id == Some(root.id)));
    assert_eq!(events[0].details["role"], "admin");
}

async fn only_operators_verify_and_list_everything(backend: Backend) {
    let app = spawn(backend).await;
    let ada = app.user("ada@example.com").await;

    assert!(matches!(app.services.audit.verify(&ada).await, Err(Error::Forbidden)));
    assert!(matches!(app.services.audit.list(&ada, None, 10).await, Err(Error::Forbidden)));
    let unknown = app.services.audit.list(&Actor::System, Some("nobody@example.com"), 10).await;
    assert!(matches!(unknown, Err(Error::NotFound)));
}

async fn concurrent_appends_from_several_connections_keep_one_chain(backend: Backend) {
    let app = spawn(backend).await;
    let mut tasks = tokio::task::JoinSet::new();

    for task in 0..4u32 {
        // A pool of its own, as another process would have.
        let db = domain::db::connect(&app.config.database).await.unwrap();
        tasks.spawn(async move {
            let audit = AuditLog::new(db);
            let user = uuid::Uuid::now_v7();
            for n in 0..25 {
                let info = client(task);
                audit.record(Event::SignIn, Context::own(user, &info).detail("n", n)).await.unwrap();
            }
        });
    }
    tasks.join_all().await;

    let report = app.verify().await;
    assert_eq!(report.broken, None);
    assert_eq!((report.events, report.head_seq), (100, 100));
}
