//! The audit log against a real database (a temp SQLite file, and a fresh PostgreSQL database at
//! TEST_DATABASE_URL): events are written where they happen, and any tampering is found.

use domain::{
    Actor, Error, Services,
    accounts::{Locale, SignIn, SignUp},
    audit::{AuditEntry, AuditLog, Breach, Break, Context, Event, Report},
    config::Config,
    error::Field,
    sessions::ClientInfo,
};
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::harness::{Backend, spawn_services};

struct TestAudit {
    services: Services,
    db: sea_orm::DatabaseConnection,
    config: Config,
    _dir: tempfile::TempDir,
}

const PASSWORD: &str = "correct horse battery staple";

async fn spawn(backend: Backend) -> TestAudit {
    let app = spawn_services(backend, &[]).await;
    TestAudit { services: app.services, db: app.db, config: app.config, _dir: app.dir }
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

impl TestAudit {
    /// What someone who can write the database but has no key can do: edit event `from`, and
    /// from there through event `through` recompute every hash as the plain SHA-256 chain of the
    /// first version (the encoding is in the source), pointing the head at the new end when that
    /// is the newest event, so that each row matches its hash and links to the one before.
    async fn rewrite_unkeyed(&self, from: i64, through: i64, edit: impl Fn(&mut domain::entities::audit_event::Model)) {
        use domain::entities::{audit_event, audit_head};
        use sea_orm::{ActiveModelTrait, IntoActiveModel, QueryOrder, Set};
        let rows = audit_event::Entity::find().order_by_asc(audit_event::Column::Seq).all(&self.db).await.unwrap();
        let mut prev =
            rows.iter().find(|r| r.seq == from - 1).map_or(domain::audit::GENESIS.to_owned(), |r| r.hash.clone());
        let newest = rows.last().map_or(0, |r| r.seq);
        for mut row in rows.into_iter().filter(|r| (from..=through).contains(&r.seq)) {
            if row.seq == from {
                edit(&mut row);
            }
            row.prev_hash = prev.clone();
            row.hash = domain::audit::unkeyed_hash(&row);
            prev = row.hash.clone();
            row.into_active_model().reset_all().update(&self.db).await.unwrap();
        }
        if through < newest {
            return;
        }
        let head = audit_head::Entity::find_by_id(1).one(&self.db).await.unwrap().unwrap();
        let mut head: audit_head::ActiveModel = head.into();
        head.hash = Set(prev);
        head.update(&self.db).await.unwrap();
    }
}

fn broken_at(report: &Report) -> (i64, Breach) {
    let Some(Break { seq, problem, .. }) = &report.broken else { panic!("the chain verified: {report:?}") };
    (*seq, *problem)
}

crate::on_both_databases!(
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
    a_rewrite_with_database_access_alone_is_caught,
    events_from_before_the_keys_verify_once_anchored,
    an_erased_accounts_events_lose_their_personal_data_and_still_verify,
    an_event_blanked_by_hand_is_caught,
    a_blanked_events_other_fields_are_still_checked,
    pruning_the_oldest_events_leaves_a_chain_that_verifies_from_its_anchor,
    a_row_deleted_after_pruning_is_still_caught,
    an_anchor_edited_to_explain_a_removal_is_caught,
    pruning_keeps_the_erasure_that_explains_kept_pseudonymised_events,
    a_chain_that_does_not_verify_is_not_pruned,
);

/// Ada's history, then her account erased (her deletion made due at once).
async fn erase_ada(app: &TestAudit) -> uuid::Uuid {
    let ada = app.history().await;
    let ada_id = ada.user_id().unwrap();
    use domain::entities::user;
    use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
    let due = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
    user::Entity::update_many()
        .col_expr(user::Column::DeletionDueAt, Expr::value(Some(due)))
        .filter(user::Column::Id.eq(ada_id))
        .exec(&app.db)
        .await
        .unwrap();
    assert!(app.services.deletion.erase(ada_id).await.unwrap(), "her deletion was due");
    ada_id
}

async fn an_erased_accounts_events_lose_their_personal_data_and_still_verify(backend: Backend) {
    let app = spawn(backend).await;
    let ada = erase_ada(&app).await;

    let report = app.verify().await;
    assert_eq!(report.broken, None, "{report:?}");
    // Her sign-up, failed and good sign-ins, password change and sign-out.
    assert_eq!(report.pseudonymised, 5, "{report:?}");
    let events = app.all().await;
    let hers: Vec<&AuditEntry> = events.iter().filter(|e| e.user_id == Some(ada)).collect();
    let erased = hers.iter().find(|e| e.event == "account_erased").expect("the erasure is recorded");
    let hashed = erased.details["email"].as_str().unwrap().to_owned();
    assert!(hashed.starts_with("e1:"), "{hashed}");
    assert_eq!(erased.details["pseudonymised_events"], 5);
    for event in hers.iter().filter(|e| e.event != "account_erased") {
        assert_eq!((event.ip.as_deref(), event.user_agent.as_deref()), (None, None), "{event:?}");
        assert!(!event.details.to_string().contains("ada@example.com"), "{event:?}");
    }
    let dump = format!("{events:?}");
    assert!(!dump.contains("ada@example.com"), "her address is nowhere in the log");
    let nobody = events.iter().find(|e| e.details["email"] == "nobody@example.com").expect("someone else's event");
    assert_eq!(nobody.ip.as_deref(), Some("192.0.2.3"), "other people's events keep their data");
    // The account is gone, and a second run finds nothing to do.
    assert!(domain::entities::user::Entity::find_by_id(ada).one(&app.db).await.unwrap().is_none());
    assert!(!app.services.deletion.erase(ada).await.unwrap());
}

async fn an_event_blanked_by_hand_is_caught(backend: Backend) {
    let app = spawn(backend).await;
    app.history().await;
    let now = if matches!(app.db.get_database_backend(), sea_orm::DbBackend::Sqlite) {
        "'2026-12-06 00:00:00+00:00'"
    } else {
        "now()"
    };

    // Someone with database access hides where a failed sign-in came from, and marks the event
    // as erased so that its personal data is not checked.
    app.sql(&format!("UPDATE audit_events SET ip = NULL, pseudonymised_at = {now} WHERE seq = 3")).await;

    let report = app.verify().await;
    assert_eq!(broken_at(&report), (3, Breach::FalselyErased));
    assert!(report.broken.unwrap().to_string().contains("no account erasure covers it"));
}

async fn a_blanked_events_other_fields_are_still_checked(backend: Backend) {
    let app = spawn(backend).await;
    erase_ada(&app).await;

    // Her sign-in (event 4) turned into a sign-out.
    app.sql("UPDATE audit_events SET event = 'sign_out' WHERE seq = 4").await;

    assert_eq!(broken_at(&app.verify().await), (4, Breach::Edited));
}

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

    // The forger knows the encoding and even holds the key, and stores a matching hash for the
    // changed row.
    domain::audit::seal(&mut row, app.services.audit.keys());
    let (personal, forged) = (row.personal_hash.unwrap(), row.hash);
    app.sql(&format!(
        "UPDATE audit_events SET ip = '203.0.113.9', personal_hash = '{personal}', hash = '{forged}' WHERE seq = 2"
    ))
    .await;

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
    domain::audit::seal(&mut row, app.services.audit.keys());

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
    assert!(matches!(unknown, Err(Error::Invalid { field: Field::Email, .. })), "{unknown:?}");
}

async fn concurrent_appends_from_several_connections_keep_one_chain(backend: Backend) {
    let app = spawn(backend).await;
    let mut tasks = tokio::task::JoinSet::new();

    for task in 0..4u32 {
        // A pool of its own, as another process would have.
        let db = domain::db::connect(&app.config.database).await.unwrap();
        let keys = app.services.audit.keys().clone();
        tasks.spawn(async move {
            let audit = AuditLog::new(db, keys);
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

async fn a_rewrite_with_database_access_alone_is_caught(backend: Backend) {
    let app = spawn(backend).await;
    app.history().await;
    let intact = app.verify().await;
    assert_eq!(intact.broken, None);

    // Event 3 (a failed sign-in from 192.0.2.3) made to look as if it came from elsewhere, and
    // the chain recomputed from there on, as anyone who reads the code and writes the database can.
    app.rewrite_unkeyed(3, 6, |row| row.ip = Some("198.51.100.1".into())).await;

    let report = app.verify().await;
    assert_eq!(broken_at(&report), (3, Breach::Unkeyed));
    let message = report.broken.unwrap().to_string();
    assert!(message.contains("event 3 (sign_in_failed) has no keyed hash"), "{message}");

    // Rewriting the whole log does not help: nothing keyed covers it.
    app.rewrite_unkeyed(1, 6, |row| row.ip = Some("198.51.100.2".into())).await;
    assert_eq!(broken_at(&app.verify().await), (6, Breach::Unkeyed));

    // Nor does dressing a plain SHA-256 up as a keyed hash with the real key id.
    let key_id = app.services.audit.keys().newest().to_string();
    app.sql(&format!("UPDATE audit_events SET hash = 'a1:{key_id}:' || substr(hash, 1, 43) WHERE seq = 1")).await;
    assert_eq!(broken_at(&app.verify().await), (1, Breach::Edited));
}

async fn events_from_before_the_keys_verify_once_anchored(backend: Backend) {
    let app = spawn(backend).await;
    app.history().await;
    // The log as the version before SECRET_KEYS wrote it: the same events, plain SHA-256 chained.
    app.rewrite_unkeyed(1, 6, |_| {}).await;
    assert_eq!(broken_at(&app.verify().await), (6, Breach::Unkeyed), "nothing keyed covers it yet");

    // The first start with keys appends a keyed event after them, once.
    let anchor = app.services.keys.upgrade().await.unwrap().audit_anchor;
    assert_eq!(anchor, Some(7));
    assert_eq!(app.services.keys.upgrade().await.unwrap().audit_anchor, None);

    let report = app.verify().await;
    assert_eq!((report.broken, report.events), (None, 7));
    let newest = &app.all().await[0];
    assert_eq!((newest.event.as_str(), &newest.details["unkeyed_events"]), ("audit_keyed", &serde_json::json!(6)));
    // From then on the older events are covered too: rewriting one and the plain chain after
    // it breaks the link to the keyed event, and recomputing that one as well leaves the log with
    // nothing keyed.
    app.rewrite_unkeyed(2, 6, |row| row.ip = Some("198.51.100.3".into())).await;
    assert_eq!(broken_at(&app.verify().await), (7, Breach::Unlinked));
    app.rewrite_unkeyed(7, 7, |_| {}).await;
    assert_eq!(broken_at(&app.verify().await), (7, Breach::Unkeyed));
}

/// When event `seq` was written: a time to prune before.
async fn written_at(app: &TestAudit, seq: i64) -> time::OffsetDateTime {
    domain::entities::audit_event::Entity::find_by_id(seq).one(&app.db).await.unwrap().unwrap().created_at
}

async fn count(app: &TestAudit) -> u64 {
    use sea_orm::PaginatorTrait;
    domain::entities::audit_event::Entity::find().count(&app.db).await.unwrap()
}

/// Ada's six events, then Bob's sign-up (7); events 1 to 6 pruned, recorded as event 8.
async fn prune_adas_history(app: &TestAudit) -> domain::audit::Anchor {
    app.history().await;
    app.user("bob@example.com").await;
    let anchor = app.services.audit.prune_before(written_at(app, 7).await).await.unwrap().expect("events removed");
    assert_eq!((anchor.through, anchor.removed, anchor.seq), (6, 6, 8), "{anchor:?}");
    anchor
}

async fn pruning_the_oldest_events_leaves_a_chain_that_verifies_from_its_anchor(backend: Backend) {
    let app = spawn(backend).await;
    let anchor = prune_adas_history(&app).await;

    let report = app.verify().await;
    assert_eq!(report.broken, None, "{report:?}");
    assert_eq!((report.events, report.head_seq), (2, 8), "Bob's sign-up and the anchor");
    assert_eq!(report.pruned.as_ref(), Some(&anchor), "the report names the anchor");
    assert_eq!(count(&app).await, 2);
    let recorded = app.all().await.into_iter().find(|e| e.seq == 8).unwrap();
    assert_eq!((recorded.event.as_str(), &recorded.details["through"]), ("audit_pruned", &serde_json::json!(6)));
    assert_eq!(recorded.details["removed"], 6);

    // Nothing more is that old: a second run removes nothing and records nothing.
    assert_eq!(app.services.audit.prune_before(written_at(&app, 7).await).await.unwrap(), None);
    // A later removal goes on from the first anchor, and verify starts from the newest one.
    app.user("cy@example.com").await;
    let second = app.services.audit.prune_before(written_at(&app, 9).await).await.unwrap().unwrap();
    assert_eq!((second.through, second.removed, second.seq), (8, 2, 10));
    let report = app.verify().await;
    assert_eq!((report.broken, report.events, report.pruned), (None, 2, Some(second)));
}

async fn a_row_deleted_after_pruning_is_still_caught(backend: Backend) {
    let app = spawn(backend).await;
    prune_adas_history(&app).await;

    // The first kept event goes too: the anchor does not explain it.
    app.sql("DELETE FROM audit_events WHERE seq = 7").await;

    let report = app.verify().await;
    assert_eq!(broken_at(&report), (7, Breach::Missing { next: Some(8) }));
    assert!(report.broken.unwrap().to_string().contains("event 7 is missing"));
}

async fn an_anchor_edited_to_explain_a_removal_is_caught(backend: Backend) {
    let app = spawn(backend).await;
    prune_adas_history(&app).await;
    let seventh = domain::entities::audit_event::Entity::find_by_id(7i64).one(&app.db).await.unwrap().unwrap();

    // Someone with database access removes Bob's sign-up and moves the anchor over it, with the
    // right hash to link to: the anchor is in the keyed chain, and its edit shows.
    app.sql("DELETE FROM audit_events WHERE seq = 7").await;
    let details = format!(r#"{{"before":"x","removed":7,"through":7,"through_hash":"{}"}}"#, seventh.hash);
    app.sql(&format!("UPDATE audit_events SET details = '{details}' WHERE seq = 8")).await;

    assert_eq!(broken_at(&app.verify().await), (8, Breach::Edited));
}

async fn pruning_keeps_the_erasure_that_explains_kept_pseudonymised_events(backend: Backend) {
    let app = spawn(backend).await;
    erase_ada(&app).await;

    // Her sign-up and first failed sign-in go; three of her pseudonymised events stay, and so
    // does the erasure after them, which explains them.
    let anchor = app.services.audit.prune_before(written_at(&app, 3).await).await.unwrap().unwrap();
    assert_eq!(anchor.through, 2);

    let report = app.verify().await;
    assert_eq!(report.broken, None, "{report:?}");
    assert_eq!(report.pseudonymised, 3, "{report:?}");
    assert!(app.all().await.iter().any(|e| e.event == "account_erased"));
}

async fn a_chain_that_does_not_verify_is_not_pruned(backend: Backend) {
    let app = spawn(backend).await;
    app.history().await;
    app.sql(r#"UPDATE audit_events SET details = '{"email":"someone@else.example"}' WHERE seq = 3"#).await;

    let err = app.services.audit.prune_before(time::OffsetDateTime::now_utc()).await.unwrap_err();

    let message = format!("{err:#}");
    assert!(
        message.contains("were not removed") && message.contains("event 3 (sign_in_failed) was edited"),
        "{message}"
    );
    assert_eq!(count(&app).await, 6, "the evidence stays");
}
