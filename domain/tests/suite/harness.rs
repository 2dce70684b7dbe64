//! What every module of the suite shares: a fresh database (a temp SQLite file, or a fresh
//! PostgreSQL database at TEST_DATABASE_URL), the settings loaded as the app loads them, and the
//! services wired onto them.

use std::{io, path::Path, time::Duration};

use bytes::Bytes;
use domain::{Services, config::Config};
use futures_util::stream;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use totp_rs::{Algorithm, Secret, Totp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The URL of a new, empty database: a SQLite file in `dir`, or a fresh PostgreSQL database at
/// TEST_DATABASE_URL's server.
pub async fn database_url(backend: Backend, dir: &Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}?mode=rwc", dir.join("smartai.db").display()),
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
    }
}

/// A fresh database with the current schema and the settings that go with it; no services yet
/// (for a test that builds them itself, with keys of its own).
pub struct Opened {
    pub config: Config,
    pub db: DatabaseConnection,
    /// The data dir (and the SQLite file); deleted on drop.
    pub dir: tempfile::TempDir,
}

/// A fresh database, migrated, with `extra_settings` as more command-line flags.
pub async fn open_database(backend: Backend, extra_settings: &[&str]) -> Opened {
    let dir = tempfile::tempdir().unwrap();
    let database_url = database_url(backend, dir.path()).await;
    let data_dir = dir.path().to_str().unwrap().to_owned();
    let mut args = vec!["--database-url", database_url.as_str(), "--data-dir", &data_dir];
    args.extend_from_slice(extra_settings);
    // The app's own loader, from the defaults and these flags (no file, no environment).
    let config = Config::from_flags(&args).unwrap();
    let db = domain::db::connect(&config.database).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    Opened { config, db, dir }
}

/// The services on a fresh database and a local store in a temp data dir.
pub struct Spawned {
    pub services: Services,
    pub db: DatabaseConnection,
    pub config: Config,
    /// The data dir (and the SQLite file); deleted on drop.
    pub dir: tempfile::TempDir,
}

/// The services on a fresh database, with `extra_settings` as more command-line flags; jobs go to
/// the SQL queue (nothing runs them unless a test starts a worker on `services.jobs`).
pub async fn spawn_services(backend: Backend, extra_settings: &[&str]) -> Spawned {
    let Opened { config, db, dir } = open_database(backend, extra_settings).await;
    let storage = config.storage.open(&config.database.data_dir).unwrap();
    let queue = domain::jobs::Queue::sql(db.clone(), Duration::from_secs(60));
    let services = Services::new(db.clone(), storage, queue, domain::events::Events::local(), &config);
    Spawned { services, db, config, dir }
}

/// A new member with a random address, signed in: the actor of their session.
pub async fn sign_up_member(services: &Services) -> domain::Actor {
    let email = format!("u-{}@example.com", uuid::Uuid::new_v4().simple());
    let input = domain::accounts::SignUp {
        email: &email,
        password: "correct horse battery staple",
        display_name: None,
        locale: domain::accounts::Locale::En,
    };
    let (_, token) = services.accounts.sign_up(input, &domain::sessions::ClientInfo::default()).await.unwrap();
    services.sessions.resolve(&token).await.unwrap().actor
}

/// `data` as an upload's body, in chunks of 1000 bytes.
pub fn body(data: &[u8]) -> impl futures_util::Stream<Item = io::Result<Bytes>> + Send + 'static + use<> {
    let parts: Vec<io::Result<Bytes>> = data.chunks(1000).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    stream::iter(parts)
}

/// The peak resident memory of this process so far, in bytes (`VmHWM`).
pub fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM in /proc/self/status");
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() * 1024
}

/// The code an authenticator app shows `steps_ahead` 30-second steps from now.
pub fn code(secret: &str, steps_ahead: u64) -> String {
    let secret = Secret::try_from_base32(secret).unwrap();
    let totp: Totp = totp_rs::Builder::new().with_algorithm(Algorithm::SHA1).with_secret(secret).build_noncompliant();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    totp.generate(now + 30 * steps_ahead).to_string()
}
