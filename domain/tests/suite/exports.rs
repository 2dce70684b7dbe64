//! Data exports against a real database (a temp SQLite file, and a fresh PostgreSQL database at
//! TEST_DATABASE_URL) and a real local store: the zip is read back entry by entry and compared
//! with what the user stored.

use std::{collections::BTreeMap, io::Read};

use bytes::Bytes;
use domain::{
    Actor, Error, Services,
    accounts::{Locale, SignUp},
    entities::{conversation, data_export, message},
    exports::{BuildExport, ExportStatus},
    sessions::ClientInfo,
};
use futures_util::{TryStreamExt, stream};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

use crate::harness::{Backend, peak_rss, spawn_services};

struct TestApp {
    services: Services,
    db: sea_orm::DatabaseConnection,
    _dir: tempfile::TempDir,
}

async fn spawn(backend: Backend) -> TestApp {
    let app = spawn_services(backend, &[]).await;
    TestApp { services: app.services, db: app.db, _dir: app.dir }
}

impl TestApp {
    async fn user(&self, email: &str) -> Actor {
        let input = SignUp {
            email,
            password: "correct horse battery staple",
            display_name: Some("Ada Lovelace"),
            locale: Locale::En,
        };
        let (_, token) = self.services.accounts.sign_up(input, &ClientInfo::default()).await.unwrap();
        self.services.sessions.resolve(&token).await.unwrap().actor
    }

    async fn upload(&self, actor: &Actor, name: &str, bytes: &[u8]) {
        let body = stream::iter(vec![Ok::<_, std::io::Error>(Bytes::copy_from_slice(bytes))]);
        self.services.files.upload(actor, name, body).await.unwrap();
    }

    /// Runs the export's job as the worker would.
    async fn build(&self, id: uuid::Uuid) {
        self.services.exports.build(BuildExport { export_id: id }).await.unwrap();
    }

    /// The export's zip, downloaded as its owner would: entry name → bytes.
    async fn zip(&self, actor: &Actor, id: uuid::Uuid) -> BTreeMap<String, Vec<u8>> {
        let download = self.services.exports.download(actor, id, &ClientInfo::default()).await.unwrap();
        assert_eq!(download.info.content_type, "application/zip");
        let chunks: Vec<Bytes> = download.bytes(None).await.unwrap().try_collect().await.unwrap();
        let bytes = chunks.concat();
        assert_eq!(bytes.len() as u64, download.info.size);
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a valid zip");
        let mut entries = BTreeMap::new();
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).unwrap();
            let mut content = Vec::new();
            entry.read_to_end(&mut content).unwrap();
            entries.insert(entry.name().to_owned(), content);
        }
        entries
    }
}

fn png() -> Vec<u8> {
    let mut png = Vec::new();
    image::RgbImage::from_pixel(8, 8, image::Rgb([200, 30, 30]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

fn document(entries: &BTreeMap<String, Vec<u8>>, name: &str) -> Value {
    serde_json::from_slice(entries.get(name).unwrap_or_else(|| panic!("{name} is missing"))).unwrap()
}

crate::on_both_databases!(
    an_export_holds_every_record_and_file_of_its_owner_and_nothing_else,
    an_export_is_asked_for_once_at_a_time_and_only_its_owner_downloads_it,
    an_expired_export_cannot_be_downloaded_and_the_nightly_job_removes_it,
);

async fn an_export_holds_every_record_and_file_of_its_owner_and_nothing_else(backend: Backend) {
    let app = spawn(backend).await;
    let ada = app.user("ada@example.com").await;
    let bob = app.user("bob@example.com").await;
    let minutes = "Minutes of the meeting.\n".repeat(500);
    let photo = png();
    app.upload(&ada, "notes.txt", minutes.as_bytes()).await;
    app.upload(&ada, "notes.txt", b"a second file with the same name").await;
    app.upload(&ada, "../holiday.png", &photo).await;
    app.upload(&bob, "bob's secret.txt", b"not Ada's").await;
    let ada_id = ada.user_id().unwrap();
    app.services
        .notifications
        .notify(ada_id, "file_processed", json!({ "file_id": uuid::Uuid::nil().to_string(), "name": "notes.txt" }))
        .await
        .unwrap();
    let now = time::OffsetDateTime::now_utc();
    let thread = conversation::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        owner_id: Set(ada_id),
        title: Set("Launch plans".into()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&app.db)
    .await
    .unwrap();
    message::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        conversation_id: Set(thread.id),
        speaker: Set("user".into()),
        content: Set("When do we launch the Zephyr?".into()),
        sources: Set("[]".into()),
        stopped: Set(false),
        tokens: Set(0),
        created_at: Set(now),
    }
    .insert(&app.db)
    .await
    .unwrap();

    let asked = app.services.exports.request(&ada, &ClientInfo::default()).await.unwrap().export;
    assert_eq!(asked.status, ExportStatus::Pending);
    app.build(asked.id).await;
    let listed = app.services.exports.list(&ada).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].status, ExportStatus::Ready);
    let entries = app.zip(&ada, asked.id).await;

    let names: Vec<&str> = entries.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "README.json",
            "access_tokens.json",
            "assistant_conversations.json",
            "files.json",
            "files/holiday.png",
            "files/notes (2).txt",
            "files/notes.txt",
            "notifications.json",
            "profile.json",
            "security_events.json",
            "sessions.json",
            "sign_in_methods.json",
        ]
    );
    // The files, byte for byte, under their names (made unique, and never outside files/).
    assert_eq!(entries["files/notes.txt"], minutes.as_bytes());
    assert_eq!(entries["files/notes (2).txt"], b"a second file with the same name");
    assert_eq!(entries["files/holiday.png"], photo);
    let files = document(&entries, "files.json");
    let described: Vec<(&str, &str)> = files
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap(), f["in_archive"].as_str().unwrap()))
        .collect();
    assert_eq!(
        described,
        [("notes.txt", "files/notes.txt"), ("notes.txt", "files/notes (2).txt"), ("holiday.png", "files/holiday.png")]
    );
    assert_eq!(files[0]["size"], minutes.len());

    let profile = document(&entries, "profile.json");
    assert_eq!(
        (profile["email"].as_str(), profile["display_name"].as_str()),
        (Some("ada@example.com"), Some("Ada Lovelace"))
    );
    assert_eq!(document(&entries, "sessions.json").as_array().unwrap().len(), 1);
    assert_eq!(document(&entries, "notifications.json")[0]["kind"], "file_processed");
    let threads = document(&entries, "assistant_conversations.json");
    assert_eq!(threads[0]["title"], "Launch plans");
    assert_eq!(threads[0]["messages"][0]["content"], "When do we launch the Zephyr?");
    let events: Vec<String> = document(&entries, "security_events.json")
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(events, ["sign_up", "export_requested"]);
    assert_eq!(document(&entries, "sign_in_methods.json")["password"], true);

    // Nothing of Bob's, and no secret of Ada's (her password hash, her session ids).
    let everything: Vec<u8> = entries.values().flatten().copied().collect();
    let text = String::from_utf8_lossy(&everything);
    for absent in ["bob", "not Ada's", "$argon2"] {
        assert!(!text.contains(absent), "the export holds {absent:?}");
    }
    let report = app.services.files.check(&Actor::System, false).await.unwrap();
    assert!(report.orphan_objects.is_empty(), "the export's object is known: {:?}", report.orphan_objects);
}

async fn an_export_is_asked_for_once_at_a_time_and_only_its_owner_downloads_it(backend: Backend) {
    let app = spawn(backend).await;
    let ada = app.user("ada@example.com").await;
    let eve = app.user("eve@example.com").await;
    let client = ClientInfo::default();
    let first = app.services.exports.request(&ada, &client).await.unwrap();
    assert!(first.started);
    let first = first.export;

    let again = app.services.exports.request(&ada, &client).await.unwrap();
    assert!(!again.started);
    assert_eq!(again.export.id, first.id, "the export being built is given back, not a second one started");
    assert!(matches!(app.services.exports.download(&ada, first.id, &client).await, Err(Error::NotFound)), "not ready");
    app.build(first.id).await;
    app.build(first.id).await; // a second delivery of the job changes nothing
    match app.services.exports.request(&ada, &client).await {
        Err(Error::TooManyAttempts { retry_after }) => assert!(retry_after.as_secs() > 500, "{retry_after:?}"),
        other => panic!("a new export moments after the last: {other:?}"),
    }
    for stranger in [&eve, &Actor::Anonymous] {
        assert!(app.services.exports.download(stranger, first.id, &client).await.is_err());
        assert!(app.services.exports.get(stranger, first.id).await.is_err());
    }
    assert!(app.services.exports.list(&eve).await.unwrap().is_empty());
    assert_eq!(app.services.notifications.unread(&ada).await.unwrap(), 1, "told once that it is ready");
    let downloads = app.services.audit.list_own(&ada, 10).await.unwrap();
    assert_eq!(downloads.iter().filter(|e| e.event == "export_downloaded").count(), 0);
    app.zip(&ada, first.id).await;
    let events = app.services.audit.list_own(&ada, 10).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.event == "export_downloaded").count(), 1);

    // Ten minutes on, another may be asked for.
    let earlier = time::OffsetDateTime::now_utc() - time::Duration::minutes(11);
    data_export::Entity::update_many()
        .col_expr(data_export::Column::CreatedAt, sea_orm::sea_query::Expr::value(earlier))
        .filter(data_export::Column::Id.eq(first.id))
        .exec(&app.db)
        .await
        .unwrap();
    let second = app.services.exports.request(&ada, &client).await.unwrap().export;
    assert_ne!(second.id, first.id);
}

async fn an_expired_export_cannot_be_downloaded_and_the_nightly_job_removes_it(backend: Backend) {
    let app = spawn(backend).await;
    let ada = app.user("ada@example.com").await;
    app.upload(&ada, "notes.txt", b"kept").await;
    let client = ClientInfo::default();
    let export = app.services.exports.request(&ada, &client).await.unwrap().export;
    app.build(export.id).await;
    assert_eq!(app.services.storage.list("exports").await.unwrap().len(), 1);
    assert_eq!(app.services.exports.purge_expired().await.unwrap(), 0, "a ready export is kept until it expires");

    let past = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
    data_export::Entity::update_many()
        .col_expr(data_export::Column::ExpiresAt, sea_orm::sea_query::Expr::value(past))
        .filter(data_export::Column::Id.eq(export.id))
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(app.services.exports.get(&ada, export.id).await.unwrap().status, ExportStatus::Expired);
    assert!(matches!(app.services.exports.download(&ada, export.id, &client).await, Err(Error::NotFound)));

    app.services.retain().await.unwrap();

    assert!(app.services.exports.list(&ada).await.unwrap().is_empty());
    assert!(app.services.storage.list("exports").await.unwrap().is_empty());
    assert_eq!(app.services.storage.list("files").await.unwrap().len(), 1, "the user's files stay");
}

/// A user with a full quota: the export is streamed, so memory does not grow with the files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_of_large_files_is_streamed_in_bounded_memory() {
    const FILE: usize = 48 << 20;
    let app = spawn(Backend::Sqlite).await;
    let ada = app.user("ada@example.com").await;
    for n in 0..3u8 {
        // Made as it is sent, 64 KiB at a time: the test itself holds no file in memory.
        let chunks = (0..FILE / (64 << 10))
            .map(move |i| Ok(Bytes::from(vec![b'a' + ((i + usize::from(n)) % 26) as u8; 64 << 10])));
        app.services.files.upload(&ada, &format!("big-{n}.txt"), stream::iter(chunks)).await.unwrap();
    }
    let before = peak_rss();

    let export = app.services.exports.request(&ada, &ClientInfo::default()).await.unwrap().export;
    let started = std::time::Instant::now();
    app.build(export.id).await;
    let took = started.elapsed();

    let grown = peak_rss().saturating_sub(before);
    eprintln!("exported {} MiB in {took:?}; peak memory grew by {} KiB", (3 * FILE) >> 20, grown >> 10);
    assert!(grown < 32 << 20, "a {} MiB export raised the peak memory by {} MiB", (3 * FILE) >> 20, grown >> 20);
    let ready = app.services.exports.get(&ada, export.id).await.unwrap();
    assert_eq!(ready.status, ExportStatus::Ready);
}
