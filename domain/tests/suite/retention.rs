//! The nightly retention job against a real database (a temp SQLite file, and a fresh PostgreSQL
//! database at TEST_DATABASE_URL): each kind goes after its own setting, and the rest stays.

use domain::{
    Actor, Services,
    accounts::{Locale, SignUp},
    entities::{audit_event, conversation, mail_outbox, message, notification},
    sessions::ClientInfo,
};
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::harness::{Backend, spawn_services};

struct TestApp {
    services: Services,
    db: sea_orm::DatabaseConnection,
    _dir: tempfile::TempDir,
}

/// The app on a fresh database, with `settings` as flags.
async fn spawn(backend: Backend, settings: &[&str]) -> TestApp {
    let app = spawn_services(backend, settings).await;
    TestApp { services: app.services, db: app.db, _dir: app.dir }
}

crate::on_both_databases!(
    idle_conversations_go_with_their_messages_and_used_ones_stay,
    the_outbox_has_its_own_retention,
    kinds_kept_forever_are_left_alone,
    audit_events_past_their_retention_go_and_the_log_still_verifies,
);

impl TestApp {
    async fn user(&self, email: &str) -> Actor {
        let input = SignUp { email, password: "correct horse battery staple", display_name: None, locale: Locale::En };
        let (_, token) = self.services.accounts.sign_up(input, &ClientInfo::default()).await.unwrap();
        self.services.sessions.resolve(&token).await.unwrap().actor
    }

    /// A conversation started `days` ago, with messages written the given numbers of days ago.
    async fn conversation(&self, owner: Uuid, days: i64, messages: &[i64]) -> Uuid {
        let now = OffsetDateTime::now_utc();
        let id = Uuid::now_v7();
        let started = now - Duration::days(days);
        let row = conversation::ActiveModel {
            id: Set(id),
            owner_id: Set(owner),
            title: Set(format!("{days} days old")),
            created_at: Set(started),
            updated_at: Set(now),
        };
        row.insert(&self.db).await.unwrap();
        for ago in messages {
            let row = message::ActiveModel {
                id: Set(Uuid::now_v7()),
                conversation_id: Set(id),
                speaker: Set("user".into()),
                content: Set("what did I write?".into()),
                sources: Set("[]".into()),
                stopped: Set(false),
                tokens: Set(4),
                created_at: Set(now - Duration::days(*ago)),
            };
            row.insert(&self.db).await.unwrap();
        }
        id
    }

    async fn outbox_mail(&self, days: i64) -> Uuid {
        let id = Uuid::now_v7();
        let row = mail_outbox::ActiveModel {
            id: Set(id),
            to_address: Set("ada@example.com".into()),
            subject: Set("Hello".into()),
            body: Set("…".into()),
            created_at: Set(OffsetDateTime::now_utc() - Duration::days(days)),
        };
        row.insert(&self.db).await.unwrap();
        id
    }

    async fn notification(&self, user: Uuid, days: i64) -> Uuid {
        let id = Uuid::now_v7();
        let row = notification::ActiveModel {
            id: Set(id),
            user_id: Set(user),
            kind: Set("file_processed".into()),
            params: Set("{}".into()),
            read_at: Set(None),
            created_at: Set(OffsetDateTime::now_utc() - Duration::days(days)),
        };
        row.insert(&self.db).await.unwrap();
        id
    }
}

async fn exists<E: EntityTrait>(db: &sea_orm::DatabaseConnection, id: Uuid) -> bool
where
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    E::find_by_id(id).one(db).await.unwrap().is_some()
}

async fn idle_conversations_go_with_their_messages_and_used_ones_stay(backend: Backend) {
    let app = spawn(backend, &["--assistant-conversations-retention", "30d"]).await;
    let actor = app.user("ada@example.com").await;
    let ada = actor.user_id().unwrap();
    let idle = app.conversation(ada, 400, &[400, 45]).await;
    let used = app.conversation(ada, 400, &[400, 2]).await;
    let idle_empty = app.conversation(ada, 31, &[]).await;
    let new_empty = app.conversation(ada, 0, &[]).await;

    app.services.retain().await.unwrap();

    assert!(!exists::<conversation::Entity>(&app.db, idle).await, "last message 45 days ago");
    assert!(!exists::<conversation::Entity>(&app.db, idle_empty).await, "started 31 days ago, never used");
    assert!(exists::<conversation::Entity>(&app.db, used).await, "a message 2 days ago keeps it whole");
    assert!(exists::<conversation::Entity>(&app.db, new_empty).await);
    assert_eq!(message::Entity::find().count(&app.db).await.unwrap(), 2, "the idle one's messages went with it");
    assert_eq!(app.services.assistant.conversations(&actor).await.unwrap().len(), 2);
}

async fn the_outbox_has_its_own_retention(backend: Backend) {
    let app = spawn(backend, &["--outbox-retention", "7d", "--notifications-retention", "90d"]).await;
    let ada = app.user("ada@example.com").await.user_id().unwrap();
    let (old_mail, new_mail) = (app.outbox_mail(8).await, app.outbox_mail(6).await);
    let (kept_notice, old_notice) = (app.notification(ada, 8).await, app.notification(ada, 91).await);

    app.services.retain().await.unwrap();

    assert!(!exists::<mail_outbox::Entity>(&app.db, old_mail).await, "OUTBOX_RETENTION, not the notifications'");
    assert!(exists::<mail_outbox::Entity>(&app.db, new_mail).await);
    assert!(exists::<notification::Entity>(&app.db, kept_notice).await, "notifications keep their own");
    assert!(!exists::<notification::Entity>(&app.db, old_notice).await);
}

async fn kinds_kept_forever_are_left_alone(backend: Backend) {
    // The audit log's default is forever; `0` means forever too, never "remove everything".
    let app = spawn(backend, &["--assistant-conversations-retention", "0"]).await;
    let ada = app.user("ada@example.com").await.user_id().unwrap();
    let ancient = app.conversation(ada, 4000, &[4000]).await;
    let events = audit_event::Entity::find().count(&app.db).await.unwrap();

    app.services.retain().await.unwrap();

    assert!(exists::<conversation::Entity>(&app.db, ancient).await);
    assert_eq!(audit_event::Entity::find().count(&app.db).await.unwrap(), events);
    assert!(app.services.audit.verify(&Actor::System).await.unwrap().pruned.is_none());
}

async fn audit_events_past_their_retention_go_and_the_log_still_verifies(backend: Backend) {
    let app = spawn(backend, &["--audit-retention", "1s"]).await;
    app.user("ada@example.com").await;
    app.user("bob@example.com").await;
    // Events cannot be backdated (their time is in their hash): they age instead.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    app.services.retain().await.unwrap();

    let report = app.services.audit.verify(&Actor::System).await.unwrap();
    assert_eq!(report.broken, None, "{report:?}");
    let anchor = report.pruned.expect("the removal is anchored");
    assert_eq!((anchor.through, anchor.removed, anchor.seq), (2, 2, 3));
    assert_eq!(audit_event::Entity::find().count(&app.db).await.unwrap(), 1, "only the anchor is left");
}
