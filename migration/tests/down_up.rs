//! Every migration goes down and up again on a populated database, on SQLite and on PostgreSQL,
//! and leaves the schema exactly as it found it: the same tables, the same columns (type,
//! nullability, default, in the same order), the same indexes and constraints. A `down` may lose
//! data; it may not lose or change structure, nor fail on rows that a real install would hold.
//!
//! PostgreSQL is the one at TEST_DATABASE_URL (a fresh database per run, dropped at the end).

use migration::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::{ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, Statement};

/// The schema as lines of text, one per table, column, index or constraint, in a stable order.
async fn schema(db: &DatabaseConnection) -> Vec<String> {
    match db.get_database_backend() {
        DatabaseBackend::Sqlite => sqlite_schema(db).await,
        DatabaseBackend::Postgres => postgres_schema(db).await,
        other => panic!("no schema reader for {other:?}"),
    }
}

/// Every row of `sql` as its `width` columns (all cast to text by the query) joined with ` | `.
async fn lines(db: &DatabaseConnection, prefix: &str, width: usize, sql: &str) -> Vec<String> {
    let rows = db.query_all(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    rows.iter()
        .map(|row| {
            let columns: Vec<String> = (0..width)
                .map(|i| {
                    let value = row.try_get_by_index::<Option<String>>(i).unwrap_or_else(|e| panic!("{sql}: {e}"));
                    value.unwrap_or_else(|| "NULL".into())
                })
                .collect();
            format!("{prefix} {}", columns.join(" | "))
        })
        .collect()
}

async fn sqlite_schema(db: &DatabaseConnection) -> Vec<String> {
    let tables = lines(
        db,
        "table",
        1,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .await;
    let mut schema = tables.clone();
    for table in tables.iter().map(|t| t.trim_start_matches("table ")) {
        let columns = format!(
            "SELECT '{table}', name, type, CAST(\"notnull\" AS TEXT), dflt_value, CAST(pk AS TEXT) \
             FROM pragma_table_info('{table}') ORDER BY cid"
        );
        schema.extend(lines(db, "column", 6, &columns).await);
        // Each index with its columns, explicit ones and those behind UNIQUE and PRIMARY KEY.
        let indexes = format!(
            "SELECT '{table}', il.name, CAST(il.\"unique\" AS TEXT), il.origin, CAST(il.partial AS TEXT), \
             (SELECT group_concat(ii.name, ',') FROM (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno) ii) \
             FROM pragma_index_list('{table}') il ORDER BY il.name"
        );
        schema.extend(lines(db, "index", 6, &indexes).await);
        let foreign_keys = format!(
            "SELECT '{table}', \"table\", \"from\", \"to\", on_update, on_delete \
             FROM pragma_foreign_key_list('{table}') ORDER BY \"from\", \"table\""
        );
        schema.extend(lines(db, "foreign key", 6, &foreign_keys).await);
    }
    schema
}

async fn postgres_schema(db: &DatabaseConnection) -> Vec<String> {
    let mut schema = lines(
        db,
        "table",
        1,
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
    )
    .await;
    // In column order, without the position itself: a column dropped and added again gets a new
    // number but must come back in the same place relative to the others.
    schema.extend(
        lines(
            db,
            "column",
            6,
            "SELECT table_name::text, column_name::text, data_type::text, character_maximum_length::text, \
             is_nullable::text, column_default::text \
             FROM information_schema.columns WHERE table_schema = current_schema() \
             ORDER BY table_name, ordinal_position",
        )
        .await,
    );
    schema.extend(
        lines(
            db,
            "index",
            3,
            "SELECT tablename::text, indexname::text, indexdef FROM pg_indexes \
             WHERE schemaname = current_schema() ORDER BY tablename, indexname",
        )
        .await,
    );
    schema.extend(
        lines(
            db,
            "constraint",
            3,
            "SELECT conrelid::regclass::text, conname::text, pg_get_constraintdef(oid) FROM pg_constraint \
             WHERE connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) ORDER BY 1, 2",
        )
        .await,
    );
    schema
}

/// What changed between two schemas, for a failure message a person can read.
fn difference(before: &[String], after: &[String]) -> String {
    let lost: Vec<_> = before.iter().filter(|l| !after.contains(l)).collect();
    let gained: Vec<_> = after.iter().filter(|l| !before.contains(l)).collect();
    if lost.is_empty() && gained.is_empty() {
        return "the same lines in another order".into();
    }
    format!("lost: {lost:#?}\ngained: {gained:#?}")
}

/// A few rows in every table, as a running install has them: users with sessions, files with
/// share links and passages, jobs, notifications, audit events, tokens, a conversation… `n` keeps
/// the keys of each round apart. Times and ids are plain literals both databases accept.
async fn populate(db: &DatabaseConnection, n: u32) {
    let id = |kind: u32| format!("00000000-0000-4000-8000-{:06}{:06}", n, kind);
    let (ada, bob, file, conversation) = (id(1), id(2), id(3), id(4));
    let at = "'2026-12-04 10:00:00+00:00'";
    let later = "'2027-01-04 10:00:00+00:00'";
    let statements = [
        format!(
            "INSERT INTO users (id, email, password_hash, display_name, role, locale, time_zone, created_at, \
             updated_at, avatar_id, email_verified_at) VALUES \
             ('{ada}', 'ada-{n}@example.com', '$argon2id$hash', 'Ada', 'admin', 'en', 'UTC', {at}, {at}, NULL, {at}), \
             ('{bob}', 'bob-{n}@example.com', '$argon2id$hash', 'Bob', 'user', 'de', 'Europe/Berlin', {at}, {at}, \
             '{file}', NULL)"
        ),
        format!(
            "INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, user_agent, ip, oidc_provider) \
             VALUES ('session-{n}', '{ada}', {at}, {at}, {later}, 'Firefox', '127.0.0.1', 'corp')"
        ),
        format!(
            "INSERT INTO files (id, owner_id, name, content_type, size, sha256, object_key, created_at, updated_at, \
             processed_at) VALUES ('{file}', '{ada}', 'notes.txt', 'text/plain', 5, 'abc', 'objects/{n}', {at}, {at}, {at})"
        ),
        format!(
            "INSERT INTO file_shares (id, file_id, token_hash, expires_at, created_at) \
             VALUES ('{}', '{file}', 'share-{n}', {later}, {at})",
            id(5)
        ),
        format!(
            "INSERT INTO jobs (id, queue, kind, payload, priority, state, attempts, max_attempts, timeout_ms, run_at, \
             locked_until, locked_by, last_error, request_id, created_at, traceparent) VALUES \
             ('{}', 'default', 'files.process', '{{}}', 1, 'dead', 5, 5, 60000, 0, NULL, NULL, 'boom', 'req', 0, \
             '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')",
            id(6)
        ),
        format!("INSERT INTO job_ticks (name, tick) VALUES ('retention', {n})"),
        format!("INSERT INTO job_outbox (id, job, run_at) VALUES ('{}', '{{}}', 0)", id(7)),
        format!(
            "INSERT INTO notifications (id, user_id, kind, params, read_at, created_at) \
             VALUES ('{}', '{ada}', 'file_processed', '{{}}', NULL, {at})",
            id(8)
        ),
        format!(
            "INSERT INTO notification_preferences (user_id, kind, in_app, email) \
             VALUES ('{ada}', 'file_failed', TRUE, FALSE)"
        ),
        format!(
            "INSERT INTO mail_outbox (id, to_address, subject, body, created_at) \
             VALUES ('{}', 'ada-{n}@example.com', 'Hello', 'Body', {at})",
            id(9)
        ),
        format!(
            "INSERT INTO audit_events (seq, user_id, actor_id, event, details, ip, user_agent, request_id, created_at, \
             prev_hash, hash) VALUES ({n}, '{ada}', '{ada}', 'signed_in', '{{}}', '127.0.0.1', 'Firefox', 'req', {at}, \
             'prev', 'hash')"
        ),
        format!(
            "INSERT INTO auth_throttle (scope, \"key\", failures, window_start, last_failure_at, locked_until) \
             VALUES ('account', 'ada-{n}@example.com', 3, 0, 0, NULL)"
        ),
        format!(
            "INSERT INTO account_tokens (id, user_id, purpose, expires_at, used_at, created_at) \
             VALUES ('link-{n}', '{bob}', 'verify_email', {later}, NULL, {at})"
        ),
        format!(
            "INSERT INTO user_identities (provider, subject, user_id, email, linked_at) \
             VALUES ('corp', 'subject-{n}', '{ada}', 'ada-{n}@corp.example', {at})"
        ),
        format!(
            "INSERT INTO oidc_logins (id, purpose, provider, pkce_verifier, nonce, return_to, subject, email, user_id, \
             expires_at, created_at) VALUES ('login-{n}', 'sign_in', 'corp', 'verifier', 'nonce', '/files', NULL, \
             NULL, NULL, {later}, {at})"
        ),
        format!(
            "INSERT INTO two_factor (user_id, secret, enabled_at, last_step, created_at) \
             VALUES ('{ada}', 'JBSWY3DPEHPK3PXP', {at}, 42, {at})"
        ),
        format!(
            "INSERT INTO recovery_codes (id, user_id, used_at, created_at) VALUES ('code-{n}', '{ada}', NULL, {at})"
        ),
        format!(
            "INSERT INTO sign_in_challenges (id, user_id, expires_at, created_at) \
             VALUES ('challenge-{n}', '{ada}', {later}, {at})"
        ),
        format!(
            "INSERT INTO passkeys (id, user_id, credential_id, name, credential, created_at, last_used_at) \
             VALUES ('{}', '{bob}', 'credential-{n}', 'YubiKey', '{{}}', {at}, NULL)",
            id(10)
        ),
        format!(
            "INSERT INTO webauthn_challenges (id, user_id, state, expires_at) VALUES ('{}', '{bob}', '{{}}', {later})",
            id(11)
        ),
        format!(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, scopes, created_at, expires_at, last_used_at, \
             last_used_ip) VALUES ('{}', '{ada}', 'CI', 'token-{n}', 'read,write', {at}, {later}, {at}, '127.0.0.1')",
            id(12)
        ),
        format!(
            "INSERT INTO idempotency_keys (user_id, \"key\", fingerprint, status, headers, body, created_at) \
             VALUES ('{ada}', 'key-{n}', 'fingerprint', 201, '[]', '{{}}', {at})"
        ),
        format!(
            "INSERT INTO conversations (id, owner_id, title, created_at, updated_at) \
             VALUES ('{conversation}', '{ada}', 'Notes', {at}, {at})"
        ),
        format!(
            "INSERT INTO messages (id, conversation_id, speaker, content, sources, stopped, tokens, created_at) \
             VALUES ('{}', '{conversation}', 'user', 'What is in my notes?', '[]', FALSE, 12, {at})",
            id(13)
        ),
        format!(
            "INSERT INTO passages (owner_id, file_id, ordinal, \"text\") \
             VALUES ('{ada}', '{file}', 0, 'hello'), ('{ada}', '{file}', 1, 'world')"
        ),
        format!(
            "INSERT INTO assistant_usage (owner_id, day, messages, tokens) VALUES ('{ada}', '2026-12-{:02}', 1, 12)",
            n % 28 + 1
        ),
        format!("INSERT INTO storage_usage (user_id, used) VALUES ('{bob}', 0)"),
    ];
    for statement in statements {
        db.execute_unprepared(&statement).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
}

async fn every_migration_goes_down_and_up_again(db: &DatabaseConnection) {
    Migrator::up(db, None).await.unwrap();
    let reference = schema(db).await;
    let names: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
    // The reader sees every kind of thing it compares (a reader returning nothing would compare
    // equal forever).
    for kind in ["table users", "column users | email", "index sessions | idx_sessions_user_id"] {
        assert!(reference.iter().any(|l| l.starts_with(kind)), "no `{kind}` in {reference:#?}");
    }
    assert!(
        reference.iter().any(|l| l.contains("fk_sessions_user") || l.starts_with("foreign key sessions | users")),
        "no foreign key in {reference:#?}"
    );
    println!("{} schema lines on {:?}", reference.len(), db.get_database_backend());

    // Down one, two, … all of them, each time from a fully migrated and populated database.
    for steps in 1..=names.len() {
        populate(db, steps as u32).await;
        Migrator::down(db, Some(steps as u32))
            .await
            .unwrap_or_else(|e| panic!("{} steps down (to before {}) failed: {e}", steps, names[names.len() - steps]));
        let pending = Migrator::get_pending_migrations(db).await.unwrap();
        assert_eq!(pending.len(), steps, "{steps} steps down leave {steps} migrations pending");
        Migrator::up(db, None).await.unwrap_or_else(|e| panic!("up again after {steps} steps down failed: {e}"));
        let after = schema(db).await;
        assert!(
            after == reference,
            "{steps} steps down (reverting {}) and up again changed the schema:\n{}",
            names[names.len() - steps..].join(", "),
            difference(&reference, &after)
        );
    }

    // All the way down leaves nothing but the migrations' own bookkeeping table.
    Migrator::down(db, None).await.unwrap();
    let empty = schema(db).await;
    let tables: Vec<_> = empty.iter().filter(|l| l.starts_with("table ")).collect();
    assert_eq!(tables, ["table seaql_migrations"], "a down that forgot a table");
}

#[tokio::test]
async fn on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("migrations.db").display());
    let db = Database::connect(&url).await.unwrap();
    every_migration_goes_down_and_up_again(&db).await;
    db.close().await.unwrap();
}

#[tokio::test]
async fn on_postgres() {
    let admin_url =
        std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let admin = Database::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at TEST_DATABASE_URL={admin_url} is not reachable: {e}"));
    let name = format!("smartai_test_migrations_{}", uuid::Uuid::new_v4().simple());
    admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.unwrap();
    let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    let db = Database::connect(url.as_str()).await.unwrap();

    every_migration_goes_down_and_up_again(&db).await;

    db.close().await.unwrap();
    admin.execute_unprepared(&format!("DROP DATABASE \"{name}\"")).await.unwrap();
}
