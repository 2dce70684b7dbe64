//! Migrations in a fleet: only `smartai migrate up` applies them, one process at a time; every
//! other process refuses a schema that is behind and tolerates one that is ahead (a rolling update).

use std::process::Output;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database};
use server::{cli::Cli, startup::Application};

use crate::{
    cli::{smartai, stderr},
    helpers::{SECRET_KEYS, browser, create_postgres_database},
};

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The smartai binary on `database_url`, from a blocking thread so that several run at once.
async fn run(database_url: &str, args: &[&str]) -> Output {
    let (database_url, args) = (database_url.to_owned(), args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>());
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        smartai(dir.path(), &args, &[("DATABASE_URL", &database_url), ("LISTEN_ADDR", "127.0.0.1:0")], None)
    })
    .await
    .unwrap()
}

async fn recorded_migrations(database_url: &str) -> Option<Vec<String>> {
    let db = Database::connect(database_url).await.unwrap();
    let exists = db
        .query_one(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT to_regclass('seaql_migrations') IS NOT NULL AS present",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<bool>("", "present")
        .unwrap();
    let versions = if exists {
        let rows = db
            .query_all(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT version FROM seaql_migrations ORDER BY version",
            ))
            .await
            .unwrap();
        Some(rows.iter().map(|row| row.try_get::<String>("", "version").unwrap()).collect())
    } else {
        None
    };
    db.close().await.ok();
    versions
}

fn known() -> Vec<String> {
    Migrator::migrations().iter().map(|m| m.name().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_migrate_up_on_one_fresh_postgres_database_applies_the_schema_once() {
    let database_url = create_postgres_database().await;

    concurrent_migrate_up_applies_the_schema_once(&database_url).await;

    assert_eq!(recorded_migrations(&database_url).await, Some(known()));
}

/// One SQLite file may be shared too (`serve` and `worker`, or two releases during a restart).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_migrate_up_on_one_fresh_sqlite_file_applies_the_schema_once() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}?mode=rwc", dir.path().join("shared.db").display());

    concurrent_migrate_up_applies_the_schema_once(&database_url).await;

    assert!(dir.path().join("shared.db.migrate-lock").exists(), "the lock is a file beside the database");
}

/// An in-memory database is one connection's own: migrated without a lock file anywhere.
#[tokio::test]
async fn migrate_up_on_an_in_memory_sqlite_database_leaves_no_lock_file() {
    let locks = || -> Vec<_> {
        let names = std::fs::read_dir(".").unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned());
        names.filter(|name| name.ends_with(".migrate-lock")).collect()
    };
    let db = sea_orm::Database::connect("sqlite::memory:").await.unwrap();

    let schema = server::migrate::up(&db).await.unwrap();

    assert_eq!(schema.pending, known());
    assert_eq!(locks(), Vec::<String>::new(), "a lock file in the working folder");
}

async fn concurrent_migrate_up_applies_the_schema_once(database_url: &str) {
    // Arrange: a fresh database, and several processes told to migrate it at the same moment.
    const PROCESSES: usize = 4;

    // Act
    let runs = futures_util::future::join_all((0..PROCESSES).map(|_| run(database_url, &["migrate", "up"]))).await;

    // Assert: every process succeeded, exactly one applied the migrations, the others found
    // nothing left to do; the schema is complete.
    for output in &runs {
        assert!(output.status.success(), "a concurrent `migrate up` failed: {}", stderr(output));
    }
    let total = known().len();
    let applied_now: Vec<usize> = runs
        .iter()
        .map(|o| {
            let out = stdout(o);
            let count = out.split("up to date (").nth(1).and_then(|rest| rest.split(' ').next()).map(str::to_owned);
            count.unwrap_or_else(|| panic!("no summary in {out}")).parse().unwrap()
        })
        .collect();
    assert_eq!(applied_now.iter().filter(|&&n| n == total).count(), 1, "{applied_now:?}");
    assert_eq!(applied_now.iter().filter(|&&n| n == 0).count(), PROCESSES - 1, "{applied_now:?}");
    let status = stdout(&run(database_url, &["migrate", "status"]).await);
    assert!(status.lines().all(|l| l.starts_with("applied  ")), "{status}");
    assert_eq!(status.lines().count(), total, "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_serve_and_admin_commands_refuse_an_unmigrated_postgres_database() {
    let database_url = create_postgres_database().await;
    let first = known()[0].clone();

    for args in [&["worker"][..], &["serve"][..], &["jobs", "status"][..]] {
        let output = run(&database_url, args).await;

        assert!(!output.status.success(), "`smartai {}` started on an unmigrated database", args.join(" "));
        let err = stderr(&output);
        assert!(err.contains("smartai migrate up"), "`smartai {}` does not name the command: {err}", args.join(" "));
        assert!(err.contains(&first) && err.contains("pending"), "no pending migration named: {err}");
    }
    // Nothing was written: not even the migrations' own table.
    assert_eq!(recorded_migrations(&database_url).await, None);
    // Asked to, serve migrates (MIGRATE_ON_START), as the embedded SQLite default does.
    let cli = Cli::try_parse_from([
        "smartai",
        "--database-url",
        &database_url,
        "--data-dir",
        tempfile::tempdir().unwrap().path().to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--secret-keys",
        SECRET_KEYS,
        "--migrate-on-start",
        "true",
        "serve",
    ])
    .unwrap();
    let app = Application::build(&cli.domain, &cli.server).await.expect("serve migrates when asked to");
    drop(app);
    assert_eq!(recorded_migrations(&database_url).await, Some(known()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_starts_on_a_schema_ahead_of_it_as_during_a_rolling_update() {
    // Arrange: the schema as a newer release leaves it: one migration this binary does not know.
    let database_url = create_postgres_database().await;
    assert!(run(&database_url, &["migrate", "up"]).await.status.success());
    let future = "m20991231_000001_from_a_newer_release";
    let db = Database::connect(&database_url).await.unwrap();
    db.execute_unprepared(&format!("INSERT INTO seaql_migrations (version, applied_at) VALUES ('{future}', 0)"))
        .await
        .unwrap();
    db.close().await.ok();
    let data_dir = tempfile::tempdir().unwrap();

    // Act: serve with the PostgreSQL default (no migration at start).
    let cli = Cli::try_parse_from([
        "smartai",
        "--database-url",
        &database_url,
        "--data-dir",
        data_dir.path().to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--secret-keys",
        SECRET_KEYS,
        "serve",
    ])
    .unwrap();
    let app = Application::build(&cli.domain, &cli.server).await.expect("serve starts on a newer schema");
    let address = format!("http://{}", app.address());
    tokio::spawn(app.run_until_stopped(std::future::pending()));

    // Assert: it serves; status names the unknown migration; this older binary will not migrate.
    let ready = browser().get(format!("{address}/health/ready")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let status = stdout(&run(&database_url, &["migrate", "status"]).await);
    assert!(status.contains(&format!("unknown  {future}")), "{status}");
    let worker_check = run(&database_url, &["jobs", "status"]).await;
    assert!(worker_check.status.success(), "{}", stderr(&worker_check));
    let up = run(&database_url, &["migrate", "up"]).await;
    assert!(!up.status.success());
    assert!(stderr(&up).contains("ahead") && stderr(&up).contains(future), "{}", stderr(&up));
}
