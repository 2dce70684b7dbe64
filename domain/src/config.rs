//! The back end's settings. Each is a command-line flag and an environment variable; the server
//! also loads an optional file into the environment first, so the order is
//! defaults → file → environment → flags.

use std::{fmt, path::PathBuf, str::FromStr, time::Duration};

use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// The URL users reach the app at: links in e-mails start with it, and with https:// session
    /// cookies are marked Secure. Defaults to http://localhost:3000/.
    #[arg(long = "public-url", env = "PUBLIC_URL", value_name = "PUBLIC_URL", global = true)]
    pub public_url: Option<url::Url>,
    #[command(flatten)]
    pub database: DatabaseConfig,
    #[command(flatten)]
    pub sessions: SessionConfig,
    #[command(flatten)]
    pub throttle: crate::accounts::ThrottleConfig,
    #[command(flatten)]
    pub storage: crate::storage::StorageConfig,
    #[command(flatten)]
    pub files: crate::files::FileConfig,
    #[command(flatten)]
    pub jobs: crate::jobs::JobsConfig,
    #[command(flatten)]
    pub mail: crate::mail::MailConfig,
    #[command(flatten)]
    pub links: crate::accounts::LinksConfig,
    #[command(flatten)]
    pub retention: RetentionConfig,
    #[command(flatten)]
    pub assistant: crate::assistant::AssistantConfig,
    #[command(flatten)]
    pub backup: crate::backup::BackupConfig,
    #[command(flatten)]
    pub keys: crate::keys::KeysConfig,
    /// The OpenID Connect providers: read from `OIDC_*` variables by [`crate::oidc::OidcConfig::from_env`]
    /// (their names depend on the list, which a flag cannot express).
    #[arg(skip)]
    pub oidc: crate::oidc::OidcConfig,
}

impl Config {
    /// Where links to the app point.
    pub fn public_url(&self) -> url::Url {
        self.public_url.clone().unwrap_or_else(|| url::Url::parse("http://localhost:3000/").expect("a valid URL"))
    }
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Retention")]
pub struct RetentionConfig {
    /// Notifications older than this are removed by the nightly job.
    #[arg(long = "notifications-retention", env = "NOTIFICATIONS_RETENTION", value_name = "NOTIFICATIONS_RETENTION",
          default_value = "90d", value_parser = humantime::parse_duration, global = true)]
    pub notifications: Duration,

    /// Outbox e-mails (kept when no SMTP_URL is set) older than this are removed by the nightly
    /// job. Shorter than notifications: the outbox is a delivery buffer, whose copies hold the
    /// message, the address and any link in it, and a month is long enough to look into a
    /// delivery question.
    #[arg(long = "outbox-retention", env = "OUTBOX_RETENTION", value_name = "OUTBOX_RETENTION",
          default_value = "30d", value_parser = humantime::parse_duration, global = true)]
    pub outbox: Duration,

    /// Assistant conversations whose last message is older than this are removed, with their
    /// messages, by the nightly job (`forever` or `0` keeps them).
    #[arg(
        long = "assistant-conversations-retention",
        env = "ASSISTANT_CONVERSATIONS_RETENTION",
        value_name = "ASSISTANT_CONVERSATIONS_RETENTION",
        default_value = "365d",
        global = true
    )]
    pub assistant_conversations: KeepFor,

    /// Audit events older than this are removed by the nightly job, which records in the log
    /// where the kept chain starts so that it still verifies (`forever` or `0`, the default,
    /// keeps them).
    #[arg(
        long = "audit-retention",
        env = "AUDIT_RETENTION",
        value_name = "AUDIT_RETENTION",
        default_value = "forever",
        global = true
    )]
    pub audit: KeepFor,

    /// How long a data export can be downloaded after it is ready; the nightly job then removes it.
    #[arg(long = "exports-retention", env = "EXPORTS_RETENTION", value_name = "EXPORTS_RETENTION",
          default_value = "24h", value_parser = humantime::parse_duration, global = true)]
    pub exports: Duration,

    /// Dead jobs older than this are removed by the nightly job.
    #[arg(long = "dead-jobs-retention", env = "DEAD_JOBS_RETENTION", value_name = "DEAD_JOBS_RETENTION",
          default_value = "30d", value_parser = humantime::parse_duration, global = true)]
    pub dead_jobs: Duration,

    /// How long after its owner asks an account is erased; signing in before cancels.
    #[arg(long = "account-deletion-grace", env = "ACCOUNT_DELETION_GRACE", value_name = "ACCOUNT_DELETION_GRACE",
          default_value = "7d", value_parser = humantime::parse_duration, global = true)]
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

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Database")]
pub struct DatabaseConfig {
    /// Database URL: postgres://user:pass@host/db, or sqlite://path?mode=rwc.
    /// Defaults to a SQLite file in DATA_DIR.
    #[arg(long = "database-url", env = "DATABASE_URL", value_name = "DATABASE_URL", global = true)]
    pub url: Option<DatabaseUrl>,

    /// Folder for embedded data (the SQLite database when DATABASE_URL is unset).
    #[arg(long = "data-dir", env = "DATA_DIR", value_name = "DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// Maximum open database connections.
    #[arg(
        long = "database-max-connections",
        env = "DATABASE_MAX_CONNECTIONS",
        value_name = "DATABASE_MAX_CONNECTIONS",
        default_value_t = 10,
        global = true
    )]
    pub max_connections: u32,

    /// How long to wait at start-up for the database to accept a connection before giving up
    /// (e.g. 5s).
    #[arg(long = "database-connect-timeout", env = "DATABASE_CONNECT_TIMEOUT", value_name = "DATABASE_CONNECT_TIMEOUT", default_value = "5s",
          value_parser = humantime::parse_duration, global = true)]
    pub connect_timeout: Duration,

    /// How long a request waits for a connection from the pool (opening one if needed) before it
    /// fails with 503 and Retry-After: while the database is down, requests fail this fast
    /// instead of hanging (e.g. 2s).
    #[arg(long = "database-acquire-timeout", env = "DATABASE_ACQUIRE_TIMEOUT", value_name = "DATABASE_ACQUIRE_TIMEOUT", default_value = "2s",
          value_parser = humantime::parse_duration, global = true)]
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

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Sessions")]
pub struct SessionConfig {
    /// A session unused for this long ends (e.g. 30m, 7d).
    #[arg(long = "session-idle-timeout", env = "SESSION_IDLE_TIMEOUT", value_name = "SESSION_IDLE_TIMEOUT", default_value = "7d",
          value_parser = humantime::parse_duration, global = true)]
    pub idle_timeout: Duration,

    /// A session ends this long after sign-in, however active (e.g. 30d).
    #[arg(long = "session-max-age", env = "SESSION_MAX_AGE", value_name = "SESSION_MAX_AGE", default_value = "30d",
          value_parser = humantime::parse_duration, global = true)]
    pub max_age: Duration,

    /// How long a resolved session may be answered from memory without the database (0 turns the
    /// cache off). Sign-out and account changes reach every instance at once regardless.
    #[arg(long = "session-cache-ttl", env = "SESSION_CACHE_TTL", value_name = "SESSION_CACHE_TTL", default_value = "10s",
          value_parser = humantime::parse_duration, global = true)]
    pub cache_ttl: Duration,
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
