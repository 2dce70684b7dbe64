//! The files service against a real database (a temp SQLite file, and a fresh PostgreSQL database
//! at TEST_DATABASE_URL) and a real local store.

use std::io;

use bytes::Bytes;
use clap::Parser;
use domain::{
    Actor, Error, Services,
    accounts::{Locale, SignUp},
    config::Config,
    error::{Field, Problem},
    sessions::ClientInfo,
};
use futures_util::{TryStreamExt, stream};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database};

#[derive(Parser)]
struct TestCli {
    #[command(flatten)]
    config: Config,
}

enum Backend {
    Sqlite,
    Postgres,
}

struct TestFiles {
    services: Services,
    _dir: tempfile::TempDir,
}

async fn spawn(backend: Backend, quota: &str) -> TestFiles {
    let dir = tempfile::tempdir().unwrap();
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}?mode=rwc", dir.path().join("files.db").display()),
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
    let cli = TestCli::try_parse_from([
        "test",
        "--database-url",
        &url,
        "--data-dir",
        &data_dir,
        "--files-max-size",
        "64KiB",
        "--files-quota",
        quota,
    ])
    .unwrap();
    let db = domain::db::connect(&cli.config.database).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let storage = cli.config.storage.open(&cli.config.database.data_dir).unwrap();
    TestFiles { services: Services::new(db, storage, &cli.config), _dir: dir }
}

impl TestFiles {
    async fn user(&self) -> Actor {
        let email = format!("u-{}@example.com", uuid::Uuid::new_v4().simple());
        let input =
            SignUp { email: &email, password: "correct horse battery staple", display_name: None, locale: Locale::En };
        let (_, token) = self.services.accounts.sign_up(input, &ClientInfo::default()).await.unwrap();
        self.services.sessions.resolve(&token).await.unwrap().actor
    }

    async fn stored_objects(&self) -> usize {
        self.services.storage.list("files").await.unwrap().len()
    }
}

fn body(data: &[u8]) -> impl futures_util::Stream<Item = io::Result<Bytes>> + Send + 'static + use<> {
    let parts: Vec<io::Result<Bytes>> = data.chunks(1000).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    stream::iter(parts)
}

fn refused(result: Result<impl std::fmt::Debug, Error>) -> (Field, Problem) {
    match result {
        Err(Error::Invalid { field, problem }) => (field, problem),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test] async fn $name() { super::$name(super::Backend::Sqlite).await } )* }
        mod postgres { $( #[tokio::test] async fn $name() { super::$name(super::Backend::Postgres).await } )* }
    };
}

on_both_databases!(
    an_upload_is_stored_listed_and_read_back,
    the_type_comes_from_the_bytes_not_the_name,
    a_file_over_the_size_limit_is_refused_and_leaves_nothing,
    the_quota_counts_what_is_stored,
    other_users_get_not_found,
    rename_checks_the_name_and_delete_removes_the_bytes,
);

async fn an_upload_is_stored_listed_and_read_back(backend: Backend) {
    let app = spawn(backend, "1MiB").await;
    let ada = app.user().await;
    let text = "Minutes of the meeting.\n".repeat(200);

    let info = app.services.files.upload(&ada, "minutes.txt", body(text.as_bytes())).await.unwrap();

    assert_eq!(
        (info.name.as_str(), info.content_type.as_str(), info.size),
        ("minutes.txt", "text/plain", text.len() as u64)
    );
    assert_eq!(app.services.files.list(&ada).await.unwrap(), vec![info.clone()]);
    let (_, bytes) = app.services.files.open(&ada, info.id).await.unwrap();
    let read: Vec<Bytes> = bytes.try_collect().await.unwrap();
    assert_eq!(read.concat(), text.as_bytes());
    assert_eq!(app.services.files.usage(&ada).await.unwrap(), text.len() as u64);
}

async fn the_type_comes_from_the_bytes_not_the_name(backend: Backend) {
    let app = spawn(backend, "1MiB").await;
    let ada = app.user().await;

    let png =
        app.services.files.upload(&ada, "holiday.txt", body(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR rest")).await.unwrap();
    let exe =
        app.services.files.upload(&ada, "invoice.pdf", body(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0 payload")).await;

    assert_eq!(png.content_type, "image/png");
    assert_eq!(refused(exe), (Field::File, Problem::Unsupported));
    assert_eq!(app.services.files.list(&ada).await.unwrap().len(), 1);
    assert_eq!(app.stored_objects().await, 1, "the refused file left bytes behind");
}

async fn a_file_over_the_size_limit_is_refused_and_leaves_nothing(backend: Backend) {
    let app = spawn(backend, "1MiB").await;
    let ada = app.user().await;

    let result = app.services.files.upload(&ada, "big.txt", body(&vec![b'a'; 70 * 1024])).await;

    assert_eq!(refused(result), (Field::File, Problem::TooLarge));
    assert!(app.services.files.list(&ada).await.unwrap().is_empty());
    assert_eq!(app.stored_objects().await, 0);
}

async fn the_quota_counts_what_is_stored(backend: Backend) {
    let app = spawn(backend, "100KiB").await;
    let ada = app.user().await;
    let first = app.services.files.upload(&ada, "one.txt", body(&vec![b'a'; 60 * 1024])).await.unwrap();

    let second = app.services.files.upload(&ada, "two.txt", body(&vec![b'b'; 60 * 1024])).await;

    assert_eq!(refused(second), (Field::File, Problem::OverQuota));
    assert_eq!(
        app.services.files.list(&ada).await.unwrap(),
        vec![first.clone()],
        "what was stored before is untouched"
    );
    app.services.files.delete(&ada, first.id).await.unwrap();
    app.services.files.upload(&ada, "two.txt", body(&vec![b'b'; 60 * 1024])).await.expect("room again after a delete");
}

async fn other_users_get_not_found(backend: Backend) {
    let app = spawn(backend, "1MiB").await;
    let (ada, eve) = (app.user().await, app.user().await);
    let file = app.services.files.upload(&ada, "private.txt", body(b"secret plans")).await.unwrap();
    let files = &app.services.files;

    assert!(matches!(files.get(&eve, file.id).await, Err(Error::NotFound)));
    assert!(matches!(files.open(&eve, file.id).await.map(|_| ()), Err(Error::NotFound)));
    assert!(matches!(files.rename(&eve, file.id, "mine.txt").await, Err(Error::NotFound)));
    assert!(matches!(files.delete(&eve, file.id).await, Err(Error::NotFound)));
    assert!(files.list(&eve).await.unwrap().is_empty());
    assert!(matches!(files.list(&Actor::Anonymous).await, Err(Error::Unauthenticated)));
    assert_eq!(files.get(&ada, file.id).await.unwrap().name, "private.txt", "the owner's file is untouched");
}

async fn rename_checks_the_name_and_delete_removes_the_bytes(backend: Backend) {
    let app = spawn(backend, "1MiB").await;
    let ada = app.user().await;
    let file = app.services.files.upload(&ada, "draft.md", body(b"# Draft")).await.unwrap();
    assert_eq!(file.content_type, "text/markdown");

    assert_eq!(
        refused(app.services.files.rename(&ada, file.id, "../etc/passwd").await),
        (Field::FileName, Problem::Malformed)
    );
    assert_eq!(app.services.files.rename(&ada, file.id, "final.md").await.unwrap().name, "final.md");

    app.services.files.delete(&ada, file.id).await.unwrap();
    assert!(matches!(app.services.files.get(&ada, file.id).await, Err(Error::NotFound)));
    assert_eq!(app.stored_objects().await, 0);
}

#[tokio::test]
async fn the_consistency_check_finds_and_fixes_orphans_both_ways() {
    let app = spawn(Backend::Sqlite, "1MiB").await;
    let ada = app.user().await;
    let kept = app.services.files.upload(&ada, "kept.txt", body(b"kept")).await.unwrap();
    let broken = app.services.files.upload(&ada, "broken.txt", body(b"bytes about to vanish")).await.unwrap();
    let broken_key = format!("files/{}/{}", ada.user_id().unwrap(), broken.id);
    app.services.storage.delete(&broken_key).await.unwrap();
    let orphan_key = "files/nobody/left-behind";
    app.services.storage.put_stream(orphan_key, body(b"crashed before its row"), 1024).await.unwrap();

    assert!(matches!(app.services.files.check(&ada, false).await, Err(Error::Forbidden)), "users may not run it");
    let report = app.services.files.check(&Actor::System, false).await.unwrap();
    assert_eq!(report.orphan_objects, vec![orphan_key.to_owned()]);
    assert_eq!(report.missing_objects, vec![(broken.id, broken_key)]);
    assert_eq!(app.stored_objects().await, 2, "a check without --fix changes nothing");

    app.services.files.check(&Actor::System, true).await.unwrap();

    assert_eq!(app.services.files.check(&Actor::System, false).await.unwrap(), Default::default());
    assert_eq!(app.services.files.list(&ada).await.unwrap(), vec![kept]);
}
