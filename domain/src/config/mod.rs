//! The back end's settings: one tree ([`Config`], and the server's settings beside it), loaded
//! once, in layers: defaults → the settings file → the environment → the flags. Each setting is
//! a row of a table ([`SETTINGS`]): its key in the tree, its environment variable (also its key
//! in the settings file), its flag, its default and its help. The loader ([`Loader`]) reads the
//! layers through the table with figment; the server builds its flags and `--help` from it.
//! Secrets are [`secrecy::SecretString`] or types that never print them.

mod load;
pub mod parse;
mod setting;
mod table;

use std::{fmt, ops::Deref, path::PathBuf, str::FromStr, time::Duration};

use serde::Deserialize;

pub use load::{CONFIG_FILE_VARIABLE, Loader, Row, SettingsError, SettingsFile, Sources};
pub use setting::{Kind, Setting};
pub use table::SETTINGS;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The URL users reach the app at. Defaults to http://localhost:3000/.
    #[serde(default, deserialize_with = "parse::some")]
    pub public_url: Option<url::Url>,
    pub database: DatabaseConfig,
    pub sessions: SessionConfig,
    pub throttle: crate::accounts::ThrottleConfig,
    pub storage: crate::storage::StorageConfig,
    pub files: crate::files::FileConfig,
    pub jobs: crate::jobs::JobsConfig,
    pub mail: crate::mail::MailConfig,
    pub links: crate::accounts::LinksConfig,
    pub retention: RetentionConfig,
    pub assistant: crate::assistant::AssistantConfig,
    pub backup: crate::backup::BackupConfig,
    #[serde(default)]
    pub keys: crate::keys::KeysConfig,
    /// The OpenID Connect providers: from `OIDC_*` variables, whose names depend on
    /// `OIDC_PROVIDERS` (so no flag and no row of the table: see [`Sources::oidc`]).
    #[serde(skip)]
    pub oidc: crate::oidc::OidcConfig,
}

impl Config {
    /// Where links to the app point.
    pub fn public_url(&self) -> url::Url {
        self.public_url.clone().unwrap_or_else(|| url::Url::parse("http://localhost:3000/").expect("a valid URL"))
    }

    /// The loader of the domain's settings alone, keyed from the root of [`Config`].
    pub fn loader() -> Loader {
        Loader::new(&[("", SETTINGS)])
    }

    /// The settings from their defaults and these flags alone (`--files-quota 1GiB`, …): no file,
    /// no environment, no providers. For tests and tools that hold their settings in code.
    pub fn from_flags(flags: &[&str]) -> Result<Self, SettingsError> {
        let loader = Self::loader();
        let sources = Sources { flags: loader.args(flags.iter().copied())?, ..Sources::default() };
        loader.load(&sources)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    /// Notifications older than this are removed by the nightly job.
    #[serde(deserialize_with = "parse::duration")]
    pub notifications: Duration,
    /// Outbox e-mails (kept when no SMTP_URL is set) older than this are removed by the nightly job.
    #[serde(deserialize_with = "parse::duration")]
    pub outbox: Duration,
    /// Assistant conversations whose last message is older than this are removed.
    #[serde(deserialize_with = "parse::from_str")]
    pub assistant_conversations: KeepFor,
    /// Audit events older than this are removed (`forever` keeps them).
    #[serde(deserialize_with = "parse::from_str")]
    pub audit: KeepFor,
    /// How long a data export can be downloaded after it is ready.
    #[serde(deserialize_with = "parse::duration")]
    pub exports: Duration,
    /// Dead jobs older than this are removed by the nightly job.
    #[serde(deserialize_with = "parse::duration")]
    pub dead_jobs: Duration,
    /// How long after its owner asks an account is erased.
    #[serde(deserialize_with = "parse::duration")]
    pub account_deletion_grace: Duration,
}

/// How long records of a kind are kept: for a time, or for good (`forever`, or `0`, which as a
/// retention would mean removing everything at once, and is never what an operator wants).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeepFor {
    Forever,
    Only(Duration),
}

impl KeepFor {
    /// The age past which records go, if they go at all.
    pub fn limit(self) -> Option<Duration> {
        match self {
            Self::Forever => None,
            Self::Only(age) => Some(age),
        }
    }
}

impl FromStr for KeepFor {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("forever") {
            return Ok(Self::Forever);
        }
        match humantime::parse_duration(s) {
            Ok(age) if age.is_zero() => Ok(Self::Forever),
            Ok(age) => Ok(Self::Only(age)),
            Err(_) => Err(format!("`{s}` is not a duration (e.g. 90d, 1y) or `forever`")),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// Database URL. Defaults to a SQLite file in `data_dir`.
    #[serde(default, deserialize_with = "parse::some")]
    pub url: Option<DatabaseUrl>,
    /// Folder for embedded data (the SQLite database when DATABASE_URL is unset).
    #[serde(deserialize_with = "parse::from_str")]
    pub data_dir: PathBuf,
    /// Maximum open database connections.
    #[serde(deserialize_with = "parse::from_str")]
    pub max_connections: u32,
    /// How long to wait at start-up for the database to accept a connection.
    #[serde(deserialize_with = "parse::duration")]
    pub connect_timeout: Duration,
    /// How long a request waits for a connection from the pool before it fails with 503.
    #[serde(deserialize_with = "parse::duration")]
    pub acquire_timeout: Duration,
}

impl DatabaseConfig {
    /// The configured URL, or the embedded SQLite file under `data_dir`.
    pub fn url(&self) -> DatabaseUrl {
        self.url.clone().unwrap_or_else(|| {
            let path = self.data_dir.join("smartai.db");
            DatabaseUrl(format!("sqlite://{}?mode=rwc", path.display()))
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionConfig {
    /// A session unused for this long ends.
    #[serde(deserialize_with = "parse::duration")]
    pub idle_timeout: Duration,
    /// A session ends this long after sign-in, however active.
    #[serde(deserialize_with = "parse::duration")]
    pub max_age: Duration,
    /// How long a resolved session may be answered from memory (0 turns the cache off).
    #[serde(deserialize_with = "parse::duration")]
    pub cache_ttl: Duration,
}

/// A URL that may carry a password (`redis://:password@host`): printed without it.
#[derive(Clone, PartialEq, Eq)]
pub struct RedactedUrl(url::Url);

impl RedactedUrl {
    pub fn new(url: url::Url) -> Self {
        Self(url)
    }
}

impl Deref for RedactedUrl {
    type Target = url::Url;

    fn deref(&self) -> &url::Url {
        &self.0
    }
}

impl FromStr for RedactedUrl {
    type Err = url::ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        url::Url::parse(s).map(Self)
    }
}

impl fmt::Debug for RedactedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut url = self.0.clone();
        if url.password().is_some() {
            let _ = url.set_password(Some("***"));
        }
        f.write_str(url.as_str())
    }
}

/// A database URL whose scheme we can serve. Parsed at the boundary; never printed with its password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl DatabaseUrl {
    pub fn backend(&self) -> Backend {
        if self.0.starts_with("sqlite:") { Backend::Sqlite } else { Backend::Postgres }
    }

    /// The URL with any password replaced, for logs and error messages.
    pub fn redacted(&self) -> String {
        match url::Url::parse(&self.0) {
            Ok(mut url) if url.password().is_some() => {
                let _ = url.set_password(Some("***"));
                url.to_string()
            }
            _ => self.0.clone(),
        }
    }

    /// The SQLite file this URL points at, if it is a SQLite file URL.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let rest = self.0.strip_prefix("sqlite://").or_else(|| self.0.strip_prefix("sqlite:"))?;
        let path = rest.split('?').next().unwrap_or_default();
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }
}

impl AsRef<str> for DatabaseUrl {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let url = url::Url::parse(s).map_err(|e| format!("not a URL ({e})"))?;
        match url.scheme() {
            "sqlite" => Ok(Self(s.to_owned())),
            "postgres" | "postgresql" => {
                if url.host_str().is_none_or(str::is_empty) {
                    return Err("a postgres URL needs a host".into());
                }
                Ok(Self(s.to_owned()))
            }
            other => Err(format!("unsupported scheme `{other}` (use postgres:// or sqlite://)")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_postgres_and_sqlite() {
        assert_eq!("postgres://u:p@localhost/db".parse::<DatabaseUrl>().unwrap().backend(), Backend::Postgres);
        assert_eq!("sqlite://./data/x.db?mode=rwc".parse::<DatabaseUrl>().unwrap().backend(), Backend::Sqlite);
    }

    #[test]
    fn refuses_other_schemes_and_garbage() {
        assert!("mysql://localhost/db".parse::<DatabaseUrl>().unwrap_err().contains("mysql"));
        assert!("not a url".parse::<DatabaseUrl>().is_err());
        assert!("postgres:///db".parse::<DatabaseUrl>().is_err());
    }

    #[test]
    fn never_prints_the_password() {
        let url: DatabaseUrl = "postgres://app:hunter2@db:5432/app".parse().unwrap();
        assert!(!format!("{url} {url:?}").contains("hunter2"));
    }

    #[test]
    fn a_retention_is_a_duration_or_forever() {
        let day = Duration::from_secs(24 * 3600);
        assert_eq!("90d".parse::<KeepFor>(), Ok(KeepFor::Only(90 * day)));
        for forever in ["forever", "Forever", " 0 ", "0s"] {
            assert_eq!(forever.parse::<KeepFor>(), Ok(KeepFor::Forever), "{forever}");
        }
        assert_eq!(KeepFor::Forever.limit(), None);
        let err = "a year".parse::<KeepFor>().unwrap_err();
        assert!(err.contains("`a year` is not a duration") && err.contains("forever"), "{err}");
    }

    #[test]
    fn finds_the_sqlite_file() {
        let url: DatabaseUrl = "sqlite://./data/smartai.db?mode=rwc".parse().unwrap();
        assert_eq!(url.sqlite_path(), Some(PathBuf::from("./data/smartai.db")));
        assert_eq!("sqlite::memory:".parse::<DatabaseUrl>().unwrap().sqlite_path(), None);
    }
}
