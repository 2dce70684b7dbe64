//! Backups against real databases (a temp SQLite file, and fresh PostgreSQL databases at
//! TEST_DATABASE_URL) and real local stores: create → wipe (a fresh database and a fresh store) →
//! restore, comparing every table row for row and every object byte for byte; verify, the
//! refusals, retention, and the SQLite → PostgreSQL move.

use std::{
    collections::BTreeMap,
    io::{self, Read},
    path::{Path, PathBuf},
    time::Instant,
};

use bytes::Bytes;
use domain::{
    Actor, Services,
    accounts::{Locale, SignUp, TokenRequest},
    backup::{BackupError, dump},
    entities::*,
    mail::Mail,
    sessions::ClientInfo,
};
use futures_util::{StreamExt, TryStreamExt};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
};

use crate::harness::{Backend, body, spawn_services};

/// One installation: its own database and its own object store; archives go to `backups`.
struct Install {
    services: Services,
    db: DatabaseConnection,
    _dir: tempfile::TempDir,
}

async fn install(backend: Backend, backups: &Path, keep: &str) -> Install {
    let settings = ["--backup-url", backups.to_str().unwrap(), "--backup-keep", keep];
    let app = spawn_services(backend, &settings).await;
    Install { services: app.services, db: app.db, _dir: app.dir }
}

fn photo(width: u32, height: u32) -> Vec<u8> {
    let mut out = io::Cursor::new(Vec::new());
    let image = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, (x ^ y) as u8]));
    image::DynamicImage::ImageRgb8(image).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

impl Install {
    async fn sign_up(&self, email: &str) -> Actor {
        let input = SignUp { email, password: "correct horse battery staple", display_name: None, locale: Locale::De };
        let client =
            ClientInfo { user_agent: Some("backup-test".into()), ip: Some("192.0.2.7".into()), request_id: None };
        let (_, token) = self.services.accounts.sign_up(input, &client).await.unwrap();
        self.services.sessions.resolve(&token).await.unwrap().actor
    }

    /// Real data through the services, so every table that has rows in normal use has some; the
    /// few that only a browser or an identity provider fills get a row written directly.
    async fn seed(&self) {
        let s = &self.services;
        let ada = self.sign_up("ada@example.com").await;
        let bob = self.sign_up("bob@example.com").await;
        let ada_id = ada.user_id().unwrap();
        let bob_id = bob.user_id().unwrap();
        let client = ClientInfo::default();
        // A failed sign-in: the throttle's counters and an audit event.
        let _ = s.accounts.sign_in(&Actor::Anonymous, "bob@example.com", "wrong password", &client).await;

        let picture = s.files.upload(&ada, "picture.png", body(&photo(300, 200))).await.unwrap();
        s.files.process(picture.id).await.unwrap(); // a thumbnail and a notification
        let notes =
            s.files.upload(&ada, "notes.txt", body("Minutes of the meeting.\n".repeat(50).as_bytes())).await.unwrap();
        s.files.process(notes.id).await.unwrap(); // its text, for search, and its passages
        // A conversation with the assistant: its messages and the day's usage.
        let answer = s.assistant.ask(&ada, None, "What do the minutes of the meeting say?").await.unwrap();
        answer.collect::<Vec<_>>().await;
        s.files.upload(&bob, "tiny.txt", body(b"x")).await.unwrap();
        s.files.share(&ada, notes.id, std::time::Duration::from_secs(3600)).await.unwrap();
        s.avatars.set(&ada, body(&photo(120, 90))).await.unwrap();
        // Tokens and two-factor wait for a confirmed address.
        user::Entity::update_many()
            .col_expr(user::Column::EmailVerifiedAt, sea_orm::sea_query::Expr::value(time::OffsetDateTime::now_utc()))
            .filter(user::Column::Id.is_in([ada_id, bob_id]))
            .exec(&self.db)
            .await
            .unwrap();
        s.tokens
            .create(
                &ada,
                TokenRequest {
                    name: "laptop",
                    scopes: domain::Scopes::from_stored("read,write"),
                    lifetime: std::time::Duration::from_secs(86400),
                },
                &client,
            )
            .await
            .unwrap();
        // A feature flag set by an administrator, with a user list.
        let rule = domain::flags::Rule { enabled: true, rollout: 40, allow_users: vec![ada_id], ..Default::default() };
        s.flags.set(&Actor::System, domain::flags::Flag::Assistant, rule, &client).await.unwrap();
        s.notifications.set_preferences(&bob, &[("file_processed".into(), false, true)]).await.unwrap();
        s.notifications.notify(bob_id, "file_failed", serde_json::json!({"name": "x.pdf"})).await.unwrap();
        s.idempotency.claim(ada_id, "key-1", "fingerprint").await.unwrap();
        s.links.request_password_reset("bob@example.com").await.unwrap();
        let mail = Mail {
            id: uuid::Uuid::now_v7(),
            to: "carol@example.com".parse().unwrap(),
            subject: "Grüße".into(),
            body: "Hallo ✓\n".into(),
        };
        s.notifications.mailer().send(mail).await.unwrap();
        s.accounts.two_factor().start_enrolment(&bob).await.unwrap();

        let now = time::OffsetDateTime::now_utc();
        let later = now + time::Duration::hours(1);
        let direct =
            [recovery_code::Model { id: "rc-hash".into(), user_id: bob_id, used_at: Some(now), created_at: now }
                .into_active_model()
                .reset_all()];
        for row in direct {
            row.insert(&self.db).await.unwrap();
        }
        sign_in_challenge::Model { id: "challenge".into(), user_id: bob_id, expires_at: later, created_at: now }
            .into_active_model()
            .reset_all()
            .insert(&self.db)
            .await
            .unwrap();
        passkey::Model {
            id: uuid::Uuid::now_v7(),
            user_id: ada_id,
            credential_id: "cred".into(),
            name: "YubiKey".into(),
            credential: r#"{"cred":"json"}"#.into(),
            created_at: now,
            last_used_at: None,
        }
        .into_active_model()
        .reset_all()
        .insert(&self.db)
        .await
        .unwrap();
        webauthn_challenge::Model { id: uuid::Uuid::now_v7(), user_id: None, state: "{}".into(), expires_at: later }
            .into_active_model()
            .reset_all()
            .insert(&self.db)
            .await
            .unwrap();
        oidc_login::Model {
            id: "state".into(),
            purpose: "sign_in".into(),
            provider: "corp".into(),
            pkce_verifier: Some("verifier".into()),
            nonce: Some("nonce".into()),
            return_to: None,
            subject: None,
            email: None,
            user_id: None,
            session_id: None,
            expires_at: later,
            created_at: now,
        }
        .into_active_model()
        .reset_all()
        .insert(&self.db)
        .await
        .unwrap();
        user_identity::Model {
            provider: "corp".into(),
            subject: "sub-1".into(),
            user_id: ada_id,
            email: Some("ada@corp.example".into()),
            linked_at: now,
        }
        .into_active_model()
        .reset_all()
        .insert(&self.db)
        .await
        .unwrap();
        job_tick::Model { name: "retention".into(), tick: 1_764_000_000 }
            .into_active_model()
            .reset_all()
            .insert(&self.db)
            .await
            .unwrap();
        job_outbox::Model { id: uuid::Uuid::now_v7(), job: "{}".into(), run_at: 1 }
            .into_active_model()
            .reset_all()
            .insert(&self.db)
            .await
            .unwrap();
    }

    /// Every object in storage, key → bytes.
    async fn objects(&self) -> BTreeMap<String, Vec<u8>> {
        let storage = &self.services.storage;
        let mut objects = BTreeMap::new();
        for key in storage.list("").await.unwrap() {
            let chunks: Vec<Bytes> = storage.get(&key, None).await.unwrap().try_collect().await.unwrap();
            objects.insert(key, chunks.concat());
        }
        objects
    }
}

fn rows(tables: &BTreeMap<String, Vec<serde_json::Value>>) -> usize {
    tables.values().map(Vec::len).sum()
}

/// Every table of the list has rows, so the comparison means something for each.
fn assert_every_table_has_rows(tables: &BTreeMap<String, Vec<serde_json::Value>>) {
    let empty: Vec<&String> = tables.iter().filter(|(_, rows)| rows.is_empty()).map(|(name, _)| name).collect();
    assert!(empty.is_empty(), "the seed leaves these tables empty: {empty:?}");
}

fn assert_same_tables(
    before: &BTreeMap<String, Vec<serde_json::Value>>,
    after: &BTreeMap<String, Vec<serde_json::Value>>,
) {
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    for (table, rows) in before {
        assert_eq!(rows.len(), after[table].len(), "table {table}: row count");
        for (i, (a, b)) in rows.iter().zip(&after[table]).enumerate() {
            assert_eq!(a, b, "table {table}: row {i} differs");
        }
    }
}

fn archive_path(backups: &Path, name: &str) -> PathBuf {
    backups.join(name)
}

crate::on_both_databases!(
    every_table_of_the_schema_is_in_the_backup_list,
    create_wipe_restore_gives_back_every_row_and_object,
    verify_finds_a_tampered_table_and_a_missing_object,
    restore_refuses_what_it_cannot_do_cleanly,
    retention_keeps_backup_keep_archives,
    an_archive_holds_no_live_link_nor_totp_secret,
    only_administrators_and_the_operator_may_back_up,
);

async fn every_table_of_the_schema_is_in_the_backup_list(backend: Backend) {
    let backups = tempfile::tempdir().unwrap();
    let app = install(backend, backups.path(), "7").await;

    let uncovered = domain::backup::uncovered_tables(&app.db).await.unwrap();

    assert!(uncovered.is_empty(), "tables missing from domain/src/backup/tables.rs (add one line each): {uncovered:?}");
    // Answers kept for Idempotency-Key replays and e-mails in the outbox hold live secrets (reset
    // links, tokens): they never go into an archive.
    app.seed().await;
    let archived = dump(&app.db).await.unwrap();
    for secret_table in ["idempotency_keys", "mail_outbox"] {
        assert!(!archived.contains_key(secret_table), "{secret_table} is archived");
    }
    // And a table the list does not know stops a backup rather than silently leaving it out.
    app.db.execute_unprepared("CREATE TABLE stray_notes (id INTEGER PRIMARY KEY)").await.unwrap();
    match app.services.backups.create(&Actor::System, false).await {
        Err(BackupError::UncoveredTables { tables }) => assert_eq!(tables, vec!["stray_notes".to_owned()]),
        other => panic!("expected UncoveredTables, got {other:?}"),
    }
}

async fn create_wipe_restore_gives_back_every_row_and_object(backend: Backend) {
    let backups = tempfile::tempdir().unwrap();
    let source = install(backend, backups.path(), "7").await;
    source.seed().await;
    let rows_before = dump(&source.db).await.unwrap();
    let objects_before = source.objects().await;
    assert_every_table_has_rows(&rows_before);

    let created = source.services.backups.create(&Actor::System, true).await.unwrap();
    // Wipe: a fresh database and a fresh, empty store.
    let target = install(backend, backups.path(), "7").await;
    assert!(target.objects().await.is_empty());
    let started = Instant::now();
    let restored = target.services.backups.restore(&Actor::System, &created.name, false).await.unwrap();
    let restore_seconds = started.elapsed().as_secs_f64();

    assert!(restored.problems.is_empty(), "{:?}", restored.problems);
    assert_same_tables(&rows_before, &dump(&target.db).await.unwrap());
    assert_eq!(objects_before, target.objects().await, "objects differ after the restore");
    assert_eq!(restored.rows as usize, rows(&rows_before));
    assert_eq!(restored.objects_restored, objects_before.len());
    let verified = target.services.backups.verify(&Actor::System, &created.name, true).await.unwrap();
    assert!(verified.problems.is_empty(), "{:?}", verified.problems);
    // The restored install keeps working where ids come from a sequence (a new file's passages).
    let carol = target.sign_up("carol@example.com").await;
    let report = target.services.files.upload(&carol, "report.txt", body(b"Quarterly report.\n")).await.unwrap();
    target.services.files.process(report.id).await.unwrap();
    println!(
        "backup round trip on {backend:?}: {} tables, {} rows, {} objects ({} bytes), archive {} bytes; \
         create {:.3}s, restore {restore_seconds:.3}s",
        created.tables,
        created.rows,
        created.objects,
        created.object_bytes,
        created.bytes,
        created.elapsed.as_secs_f64()
    );
}

async fn verify_finds_a_tampered_table_and_a_missing_object(backend: Backend) {
    let backups = tempfile::tempdir().unwrap();
    let app = install(backend, backups.path(), "7").await;
    app.seed().await;
    let created = app.services.backups.create(&Actor::System, false).await.unwrap();
    let clean = app.services.backups.verify(&Actor::System, &created.name, true).await.unwrap();
    assert!(clean.problems.is_empty(), "{:?}", clean.problems);

    // A table file edited after the fact.
    let tampered = backups.path().join("tampered.tar.gz");
    rewrite(&archive_path(backups.path(), &created.name), &tampered, |name, data| {
        if name == "tables/users.jsonl" {
            String::from_utf8(data).unwrap().replace("bob@example.com", "eve@example.com").into_bytes()
        } else {
            data
        }
    });
    let found = app.services.backups.verify(&Actor::System, tampered.to_str().unwrap(), false).await.unwrap();
    assert_eq!(found.problems.len(), 1, "{:?}", found.problems);
    assert!(found.problems[0].starts_with("table users: checksum mismatch"), "{:?}", found.problems);

    // An object gone from storage.
    let thumbnail =
        app.services.storage.list("derived").await.unwrap().into_iter().find(|k| k.ends_with("thumbnail.png")).unwrap();
    app.services.storage.delete(&thumbnail).await.unwrap();
    let found = app.services.backups.verify(&Actor::System, &created.name, true).await.unwrap();
    assert_eq!(found.problems, vec![format!("object {thumbnail}: missing from storage")]);
    let archive_only = app.services.backups.verify(&Actor::System, &created.name, false).await.unwrap();
    assert!(archive_only.problems.is_empty());

    // Not an archive at all, and a name that is not there.
    let garbage = backups.path().join("garbage.tar.gz");
    std::fs::write(&garbage, b"this is not gzip").unwrap();
    match app.services.backups.verify(&Actor::System, garbage.to_str().unwrap(), false).await {
        Err(e @ BackupError::Unreadable { .. }) => assert!(e.to_string().contains("not a readable .tar.gz"), "{e}"),
        other => panic!("expected Unreadable, got {other:?}"),
    }
    match app.services.backups.verify(&Actor::System, "smartai-1999-01-01T00-00-00.000Z.tar.gz", false).await {
        Err(e @ BackupError::UnknownArchive { .. }) => assert!(e.to_string().contains("no archive named"), "{e}"),
        other => panic!("expected UnknownArchive, got {other:?}"),
    }
}

async fn restore_refuses_what_it_cannot_do_cleanly(backend: Backend) {
    let backups = tempfile::tempdir().unwrap();
    let source = install(backend, backups.path(), "7").await;
    source.seed().await;
    let created = source.services.backups.create(&Actor::System, false).await.unwrap();
    let original = archive_path(backups.path(), &created.name);

    // Into a database that holds users: refused, then done with --force.
    let busy = install(backend, backups.path(), "7").await;
    busy.sign_up("someone@example.com").await;
    match busy.services.backups.restore(&Actor::System, &created.name, false).await {
        Err(BackupError::NotEmpty { users: 1 }) => {}
        other => panic!("expected NotEmpty, got {other:?}"),
    }
    let forced = busy.services.backups.restore(&Actor::System, &created.name, true).await.unwrap();
    assert!(forced.wiped_rows > 0);
    assert_same_tables(&dump(&source.db).await.unwrap(), &dump(&busy.db).await.unwrap());

    // From a newer schema: refused before anything is written.
    let newer = backups.path().join("newer.tar.gz");
    rewrite(&original, &newer, |name, data| {
        if name == "manifest.json" {
            let mut manifest: serde_json::Value = serde_json::from_slice(&data).unwrap();
            manifest["migrations"].as_array_mut().unwrap().push("m20991231_000001_future".into());
            serde_json::to_vec(&manifest).unwrap()
        } else {
            data
        }
    });
    let fresh = install(backend, backups.path(), "7").await;
    match fresh.services.backups.restore(&Actor::System, newer.to_str().unwrap(), false).await {
        Err(e @ BackupError::NewerSchema { .. }) => assert!(e.to_string().contains("m20991231_000001_future"), "{e}"),
        other => panic!("expected NewerSchema, got {other:?}"),
    }

    // A row that fails late (the last table the archive carries, checksums made to match): nothing is left half-written.
    let broken = backups.path().join("broken.tar.gz");
    let last = forced.manifest.tables.last().unwrap().name.clone();
    rewrite_consistently(&original, &broken, &format!("tables/{last}.jsonl"), b"{\"not\": \"a row\"}\n");
    let error = fresh.services.backups.restore(&Actor::System, broken.to_str().unwrap(), false).await.unwrap_err();
    assert!(error.to_string().contains(&last) || format!("{error:?}").contains(&last), "{error:?}");
    let after = dump(&fresh.db).await.unwrap();
    assert!(after["users"].is_empty() && after["files"].is_empty(), "a failed restore left rows behind");
}

async fn retention_keeps_backup_keep_archives(backend: Backend) {
    let backups = tempfile::tempdir().unwrap();
    let app = install(backend, backups.path(), "2").await;
    app.sign_up("ada@example.com").await;
    let mut names = Vec::new();
    for _ in 0..4 {
        names.push(app.services.backups.create(&Actor::System, false).await.unwrap().name);
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }

    app.services.backups.run_scheduled(&Actor::System).await.unwrap();

    let kept: Vec<String> =
        app.services.backups.list(&Actor::System).await.unwrap().into_iter().map(|a| a.name).collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert_eq!(kept[0], names[3], "the newest explicit archive survives beside the scheduled one");
    assert!(kept[1] > names[3]);
    println!("retention on {backend:?}: 5 archives written, kept {kept:?}");
}

#[tokio::test]
async fn sqlite_moves_to_postgres_with_every_row() {
    let backups = tempfile::tempdir().unwrap();
    let source = install(Backend::Sqlite, backups.path(), "7").await;
    source.seed().await;
    let target = install(Backend::Postgres, backups.path(), "7").await;
    let before = dump(&source.db).await.unwrap();
    assert_every_table_has_rows(&before);

    let started = Instant::now();
    let counts = domain::backup::copy_database(&source.db, &target.db, false).await.unwrap();
    let seconds = started.elapsed().as_secs_f64();

    for table in &counts {
        assert_eq!(table.source_rows, table.target_rows, "table {}", table.name);
    }
    // PostgreSQL keeps microseconds, SQLite nanoseconds: compare at PostgreSQL's precision.
    assert_same_tables(&microseconds(&before), &microseconds(&dump(&target.db).await.unwrap()));
    println!(
        "sqlite -> postgres: {} tables, {} rows in {seconds:.3}s",
        counts.len(),
        counts.iter().map(|t| t.target_rows).sum::<u64>()
    );
}

/// Timestamps cut to microseconds, whichever way `time` wrote them (a string or its tuple form).
fn microseconds(tables: &BTreeMap<String, Vec<serde_json::Value>>) -> BTreeMap<String, Vec<serde_json::Value>> {
    fn walk(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Array(items) if items.len() == 9 && items.iter().all(serde_json::Value::is_i64) => {
                let nanos = items[5].as_i64().unwrap();
                items[5] = (nanos / 1000 * 1000).into();
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            serde_json::Value::Object(fields) => fields.values_mut().for_each(walk),
            serde_json::Value::String(text) if text.len() > 26 && text.as_bytes().get(19) == Some(&b'.') => {
                let digits = text[20..].chars().take_while(char::is_ascii_digit).count();
                if digits > 6 {
                    text.replace_range(26..20 + digits, "");
                }
            }
            _ => {}
        }
    }
    let mut tables = tables.clone();
    tables.values_mut().flatten().for_each(walk);
    tables
}

async fn an_archive_holds_no_live_link_nor_totp_secret(backend: Backend) {
    let backups = tempfile::tempdir().unwrap();
    let app = install(backend, backups.path(), "7").await;
    let ada = app.sign_up("ada@example.com").await;
    user::Entity::update_many()
        .col_expr(user::Column::EmailVerifiedAt, sea_orm::sea_query::Expr::value(time::OffsetDateTime::now_utc()))
        .exec(&app.db)
        .await
        .unwrap();
    let secret = app.services.accounts.two_factor().start_enrolment(&ada).await.unwrap().secret;
    // A reset link waiting in its job (the SQL queue keeps jobs in the database), and one
    // delivered into the outbox, as the embedded default delivers without SMTP_URL.
    app.services.links.request_password_reset("ada@example.com").await.unwrap();
    let pending = job::Entity::find().filter(job::Column::Kind.eq("mail.send")).one(&app.db).await.unwrap().unwrap();
    let token_in = |text: &str| text.split("token=").nth(1).map(|rest| rest[..43].to_owned());
    let pending_token = token_in(&pending.payload).expect("the mail job carries the link");
    let delivered = "https://smartai.example/reset?token=DeliveredTokenDeliveredTokenDeliveredToken1";
    let mail = Mail {
        id: uuid::Uuid::now_v7(),
        to: "ada@example.com".parse().unwrap(),
        subject: "Reset".into(),
        body: format!("Follow {delivered}\n"),
    };
    app.services.notifications.mailer().send(mail).await.unwrap();
    assert!(!mail_outbox::Entity::find().all(&app.db).await.unwrap().is_empty());

    let created = app.services.backups.create(&Actor::System, false).await.unwrap();

    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(
        std::fs::File::open(archive_path(backups.path(), &created.name)).unwrap(),
    ));
    let mut everything = String::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        everything.push_str(&entry.path().unwrap().to_string_lossy());
        entry.read_to_string(&mut everything).unwrap();
    }
    assert!(everything.contains("ada@example.com"), "the archive was read");
    for (what, needle) in [
        ("the pending reset link", pending_token.as_str()),
        ("the delivered reset link", "DeliveredTokenDeliveredToken"),
        ("the TOTP secret", secret.as_str()),
    ] {
        assert!(!everything.contains(needle), "the archive holds {what}");
    }
    assert!(!everything.contains("tables/mail_outbox.jsonl"), "the outbox is not archived");
}

/// Copies a `.tar.gz`, passing each entry's bytes through `edit`.
fn rewrite(from: &Path, to: &Path, mut edit: impl FnMut(&str, Vec<u8>) -> Vec<u8>) {
    let mut input = tar::Archive::new(flate2::read::GzDecoder::new(std::fs::File::open(from).unwrap()));
    let mut output = tar::Builder::new(flate2::write::GzEncoder::new(
        std::fs::File::create(to).unwrap(),
        flate2::Compression::fast(),
    ));
    for entry in input.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        let data = edit(&name, data);
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        output.append_data(&mut header, &name, data.as_slice()).unwrap();
    }
    output.into_inner().unwrap().finish().unwrap();
}

/// Replaces one table file and fixes the manifest to match, so only loading it can fail.
fn rewrite_consistently(from: &Path, to: &Path, entry: &str, content: &[u8]) {
    use sha2::Digest;
    let table = entry.trim_start_matches("tables/").trim_end_matches(".jsonl").to_owned();
    rewrite(from, to, |name, data| {
        if name == entry {
            content.to_vec()
        } else if name == "manifest.json" {
            let mut manifest: serde_json::Value = serde_json::from_slice(&data).unwrap();
            for t in manifest["tables"].as_array_mut().unwrap() {
                if t["name"] == table.as_str() {
                    t["rows"] = (content.iter().filter(|b| **b == b'\n').count() as u64).into();
                    t["bytes"] = (content.len() as u64).into();
                    t["sha256"] = format!("{:x}", sha2::Sha256::digest(content)).into();
                }
            }
            serde_json::to_vec(&manifest).unwrap()
        } else {
            data
        }
    });
}

async fn only_administrators_and_the_operator_may_back_up(backend: Backend) {
    use domain::{Credential, Role, Scopes};

    let backups = tempfile::tempdir().unwrap();
    let app = install(backend, backups.path(), "7").await;
    let member = app.sign_up("ada@example.com").await;
    let admin = |credential| Actor::User { id: uuid::Uuid::now_v7(), role: Role::Admin, credential };
    // An administrator's token without the `admin` scope is an ordinary user's.
    let narrow_token = admin(Credential::Token { id: uuid::Uuid::now_v7(), scopes: Scopes::from_stored("read,write") });
    let service = &app.services.backups;

    for actor in [&member, &narrow_token, &Actor::Anonymous] {
        let forbidden = |result: Result<(), BackupError>| matches!(result, Err(BackupError::Forbidden));
        assert!(forbidden(service.create(actor, true).await.map(drop)), "{actor:?} created an archive");
        assert!(forbidden(service.list(actor).await.map(drop)), "{actor:?} listed the archives");
        assert!(forbidden(service.prune(actor).await.map(drop)), "{actor:?} pruned");
        assert!(forbidden(service.verify(actor, "any.tar.gz", false).await.map(drop)), "{actor:?} verified");
        assert!(forbidden(service.restore(actor, "any.tar.gz", true).await.map(drop)), "{actor:?} restored");
        let scheduled = service.run_scheduled(actor).await.unwrap_err();
        assert!(matches!(scheduled.downcast_ref(), Some(BackupError::Forbidden)), "{scheduled:#}");
    }
    assert!(service.list(&Actor::System).await.unwrap().is_empty(), "a refused create writes nothing");

    // An administrator (a session, or a token with the `admin` scope) may, as may the operator.
    let session = admin(Credential::Session("admin-session".into()));
    let token = admin(Credential::Token { id: uuid::Uuid::now_v7(), scopes: Scopes::from_stored("admin") });
    let created = service.create(&session, false).await.unwrap();
    let listed: Vec<String> = service.list(&token).await.unwrap().into_iter().map(|a| a.name).collect();
    assert_eq!(listed, std::slice::from_ref(&created.name));
    assert!(service.verify(&token, &created.name, true).await.unwrap().problems.is_empty());
    assert!(service.prune(&Actor::System).await.unwrap().is_empty());
}
