use std::{path::PathBuf, time::Duration};

use reqwest::{
    Client, RequestBuilder, Response, header,
    multipart::{Form, Part},
};
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use server::{cli::Cli, startup::Application};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const PASSWORD: &str = "correct horse battery staple";
/// The app's keys in every test app and every `smartai` command the tests run, so that commands
/// run with another DATA_DIR (hence another embedded key file) against an app's database can
/// open and check what the app stored.
pub const SECRET_KEYS: &str = "test:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

pub struct TestApp {
    pub address: String,
    pub backend: Backend,
    pub database_url: String,
    /// A browser: keeps cookies, follows no redirects (tests look at them).
    pub client: Client,
    /// The app's own services (it runs in this process).
    pub services: domain::Services,
    pg_database: Option<String>,
    sqlite_file: Option<PathBuf>,
    data_dir: tempfile::TempDir,
}

pub fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Replaces the database name of a PostgreSQL URL.
pub fn with_database(url: &str, name: &str) -> String {
    let mut url = url::Url::parse(url).expect("TEST_DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// A new, empty PostgreSQL database at TEST_DATABASE_URL's server; its URL.
pub async fn create_postgres_database() -> String {
    new_postgres_database().await.0
}

/// A new, empty PostgreSQL database at TEST_DATABASE_URL's server; its URL and its name.
pub async fn new_postgres_database() -> (String, String) {
    let admin_url = postgres_admin_url();
    let name = format!("smartai_test_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at TEST_DATABASE_URL={admin_url} is not reachable: {e}"));
    admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create test database");
    admin.close().await.ok();
    (with_database(&admin_url, &name), name)
}

pub struct Options {
    pub idle_timeout: &'static str,
    pub public_url: Option<&'static str>,
    /// More command-line settings.
    pub extra: Vec<String>,
    /// Where to listen (a free port by default).
    pub listen: Option<String>,
    /// OpenID Connect providers (settings the command line cannot carry).
    pub oidc: Option<domain::oidc::OidcConfig>,
}

impl Default for Options {
    fn default() -> Self {
        Self { idle_timeout: "7d", public_url: None, extra: Vec::new(), listen: None, oidc: None }
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, Options::default()).await
}

pub async fn spawn_app_with(backend: Backend, options: Options) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let (database_url, pg_database, sqlite_file) = match backend {
        Backend::Sqlite => {
            let file = data_dir.path().join("test.db");
            (format!("sqlite://{}?mode=rwc", file.display()), None, Some(file))
        }
        Backend::Postgres => {
            let (url, name) = new_postgres_database().await;
            (url, Some(name), None)
        }
    };
    let listen = options.listen.clone().unwrap_or_else(|| "127.0.0.1:0".into());
    let mut args = vec![
        "smartai",
        "--database-url",
        &database_url,
        "--data-dir",
        data_dir.path().to_str().unwrap(),
        "--listen",
        &listen,
        "--session-idle-timeout",
        options.idle_timeout,
        "--database-connect-timeout",
        "3s",
        "--secret-keys",
        SECRET_KEYS,
        // What the migration Job does before a release starts (the default on SQLite anyway).
        "--migrate-on-start",
        "true",
    ];
    if let Some(url) = options.public_url {
        args.extend(["--public-url", url]);
    }
    args.extend(options.extra.iter().map(String::as_str));
    args.push("serve");
    let mut cli = Cli::try_parse_from(args).expect("test settings parse");
    if let Some(oidc) = options.oidc {
        cli.domain.oidc = oidc;
    }
    // Boxed: building is a large future, and every test awaits it on its own thread's stack.
    let app = Box::pin(Application::build(&cli.domain, &cli.server)).await.expect("the app builds");
    let address = format!("http://{}", app.address());
    let services = app.services().clone();
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    TestApp { address, backend, database_url, client: browser(), services, pg_database, sqlite_file, data_dir }
}

/// A client that keeps cookies and asks for HTML like a browser, and does not follow redirects.
pub fn browser() -> Client {
    let mut headers = header::HeaderMap::new();
    headers.insert(header::ACCEPT, header::HeaderValue::from_static("text/html,application/xhtml+xml,*/*;q=0.8"));
    Client::builder()
        .default_headers(headers)
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// The S3 test server (`TEST_S3_ENDPOINT`, started by `scripts/test`).
pub fn s3_endpoint() -> String {
    env_or("TEST_S3_ENDPOINT", "http://127.0.0.1:9000")
}

/// Settings that keep files in the S3 server at `endpoint`, under a new prefix named after `name`.
pub fn s3_settings(name: &str, endpoint: &str) -> Vec<String> {
    vec![
        "--storage-url".into(),
        format!("s3://{}/{name}-{}", env_or("TEST_S3_BUCKET", "smartai-test"), uuid::Uuid::new_v4().simple()),
        "--s3-endpoint".into(),
        endpoint.to_owned(),
        "--s3-access-key-id".into(),
        env_or("TEST_S3_ACCESS_KEY_ID", "smartai"),
        "--s3-secret-access-key".into(),
        env_or("TEST_S3_SECRET_ACCESS_KEY", "smartai-secret"),
    ]
}

/// A new browser, signed up with a fresh address at the app served at `base` (an app in another
/// process, or one of several instances, which `TestApp` does not describe).
pub async fn signed_up_at(base: &str) -> Client {
    let client = browser();
    let response = client
        .post(format!("{base}/rpc/auth/sign_up"))
        .header(header::ACCEPT, "application/json")
        .form(&[("email", unique_email().as_str()), ("password", PASSWORD)])
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), 200, "sign-up at {base}");
    client
}

/// Sends `request` asking for JSON, checks that it succeeded and returns the body.
pub async fn fetch_json(request: RequestBuilder) -> Value {
    let response = request.header(header::ACCEPT, "application/json").send().await.expect("request sent");
    assert!(response.status().is_success(), "{}: {}", response.url().clone(), response.status());
    response.json().await.expect("a JSON body")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Calls a server function the way a program does: form-encoded in, JSON out.
    pub async fn rpc_with(&self, client: &Client, name: &str, form: &[(&str, &str)]) -> Response {
        client
            .post(self.url(&format!("/rpc/{name}")))
            .header(header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .expect("request sent")
    }

    /// Uploads one file through the pages' upload door (`/rpc/files/upload`) as `client`.
    pub async fn upload_with(&self, client: &Client, name: &str, bytes: &[u8]) -> Response {
        let form = Form::new().part("file", Part::bytes(bytes.to_vec()).file_name(name.to_owned()));
        client
            .post(self.url("/rpc/files/upload"))
            .header(header::ACCEPT, "application/json")
            .multipart(form)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn rpc(&self, name: &str, form: &[(&str, &str)]) -> Response {
        self.rpc_with(&self.client, name, form).await
    }

    pub async fn get_rpc_with(&self, client: &Client, name: &str) -> Response {
        client
            .get(self.url(&format!("/rpc/{name}")))
            .header(header::ACCEPT, "application/json")
            .send()
            .await
            .expect("request sent")
    }

    pub async fn me_with(&self, client: &Client) -> Value {
        let response = self.get_rpc_with(client, "account/me").await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("json")
    }

    pub async fn me(&self) -> Value {
        self.me_with(&self.client).await
    }

    pub async fn sign_up_with(&self, client: &Client, email: &str) -> Response {
        self.rpc_with(client, "auth/sign_up", &[("email", email), ("password", PASSWORD)]).await
    }

    pub async fn sign_up(&self, email: &str) -> Response {
        self.sign_up_with(&self.client, email).await
    }

    /// Signs up and confirms the address, as its owner following the e-mailed link would: tokens,
    /// passkeys and two-factor wait for a confirmed address.
    pub async fn sign_up_confirmed_with(&self, client: &Client, email: &str) -> Response {
        let response = self.sign_up_with(client, email).await;
        self.confirm_email(email).await;
        response
    }

    /// Marks `email` confirmed (the link itself is tested in `mail.rs`).
    pub async fn confirm_email(&self, email: &str) {
        let db = Database::connect(&self.database_url).await.expect("the test database");
        let sql = match self.backend {
            Backend::Sqlite => "UPDATE users SET email_verified_at = CURRENT_TIMESTAMP WHERE email = ?",
            Backend::Postgres => "UPDATE users SET email_verified_at = now() WHERE email = $1",
        };
        let statement = sea_orm::Statement::from_sql_and_values(db.get_database_backend(), sql, [email.into()]);
        db.execute(statement).await.expect("confirm the address");
        db.close().await.ok();
        self.changed_behind_the_app().await;
    }

    /// A test changed rows behind the app's back (SQL): the app's session cache must not answer
    /// from before, as it would not after any change made through a service.
    pub async fn changed_behind_the_app(&self) {
        self.services.sessions.forget_everything().await;
    }

    pub async fn sign_in_with(&self, client: &Client, email: &str, password: &str) -> Response {
        self.rpc_with(client, "auth/sign_in", &[("email", email), ("password", password)]).await
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("request sent")
    }

    /// How many objects the app's local storage holds under `prefix`.
    pub fn stored_objects(&self, prefix: &str) -> usize {
        fn count(dir: &std::path::Path) -> usize {
            std::fs::read_dir(dir).map_or(0, |entries| {
                entries.filter_map(Result::ok).map(|e| if e.path().is_dir() { count(&e.path()) } else { 1 }).sum()
            })
        }
        count(&self.data_dir.path().join("objects").join(prefix))
    }

    /// Takes the database away from the running app.
    pub async fn destroy_database(&self) {
        match self.backend {
            Backend::Sqlite => {
                let file = self.sqlite_file.as_ref().unwrap();
                std::fs::remove_file(file).expect("remove the SQLite file");
            }
            Backend::Postgres => drop_postgres_database(self.pg_database.as_ref().unwrap()).await,
        }
    }
}

/// Drops a database made by `new_postgres_database`, whoever is still connected to it.
pub async fn drop_postgres_database(name: &str) {
    let admin = Database::connect(&postgres_admin_url()).await.expect("TEST_DATABASE_URL is reachable");
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.expect("drop database");
    admin.close().await.ok();
}

/// The value a Set-Cookie header gives a cookie, with its attributes.
pub fn set_cookie<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
}

pub fn unique_email() -> String {
    format!("user-{}@example.com", uuid::Uuid::new_v4().simple())
}
