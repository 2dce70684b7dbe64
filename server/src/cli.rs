//! The command line. Every setting is a flag and an environment variable, listed by `--help`.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "smartai",
    version,
    about = "SmartAIPlatForm: the web app, its RPC API and the operator commands, in one binary."
)]
pub struct Cli {
    /// Settings file (TOML; keys are the environment variable names, e.g. DATABASE_URL = "…").
    /// Environment variables and flags override it.
    #[arg(long, env = "SMARTAI_CONFIG", value_name = "SMARTAI_CONFIG", global = true)]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub domain: domain::config::Config,

    #[command(flatten)]
    pub server: ServerConfig,

    /// What to do; `serve` when omitted (how cargo-leptos starts the binary).
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app, the RPC API, health and metrics.
    Serve,
    /// Manage the database schema.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Check object storage against the database.
    Storage {
        #[command(subcommand)]
        action: StorageAction,
    },
    /// Run background jobs (as many worker processes as you like, beside or instead of the
    /// workers inside `serve`).
    Worker {
        /// Serve this worker's metrics (jobs run, their durations, backups) at /metrics on this
        /// address, e.g. 0.0.0.0:9464, for Prometheus. Unset: no HTTP at all.
        #[arg(long = "metrics-listen", env = "WORKER_METRICS_ADDR", value_name = "WORKER_METRICS_ADDR")]
        metrics_listen: Option<std::net::SocketAddr>,
    },
    /// Look at the job queue and its dead-letter set.
    Jobs {
        #[command(subcommand)]
        action: JobsAction,
    },
    /// Outgoing e-mail: send a test message, read the outbox.
    Mail {
        #[command(subcommand)]
        action: MailAction,
    },
    /// The audit log of security events: check its hash chain, read it.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// The app's secret keys (SECRET_KEYS): make a new one, re-seal under the newest.
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Backups: write an archive (a consistent export of the database and a manifest of the
    /// objects), list, verify and restore them.
    Backup {
        #[command(subcommand)]
        action: BackupAction,
    },
    /// Copy every row of one database into another, e.g. an embedded SQLite install into
    /// PostgreSQL (migrates the target first, then compares row counts per table).
    MigrateData {
        /// The database to read, e.g. sqlite://./data/smartai.db.
        #[arg(long = "from", id = "migrate_from", value_name = "URL")]
        from: domain::config::DatabaseUrl,
        /// The database to fill, e.g. postgres://user@host/db.
        #[arg(long = "to", id = "migrate_to", value_name = "URL")]
        to: domain::config::DatabaseUrl,
        /// Wipe a target that already holds users.
        #[arg(long)]
        force: bool,
    },
    /// The REST API's OpenAPI document: print it, check it against a committed one.
    Api {
        #[command(subcommand)]
        action: ApiAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApiAction {
    /// Print the OpenAPI document (JSON), as served at /api/v1/openapi.json.
    Spec,
    /// Exit 1, listing them, if the API has breaking changes against an older document (a
    /// removed route, field or enum value, a new required field or parameter).
    CheckCompat {
        /// The document to stay compatible with, e.g. docs/openapi.json.
        against: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum BackupAction {
    /// Write an archive to BACKUP_URL and print its name, rows, objects and size.
    Create {
        /// Put the stored objects' bytes in the archive too, not only their checksums.
        #[arg(long)]
        with_objects: bool,
    },
    /// The archives in BACKUP_URL, oldest first.
    List,
    /// Check an archive's checksums and that storage holds every object it lists; exits 1
    /// listing the problems.
    Verify {
        /// An archive name in BACKUP_URL, or the path of a local archive file.
        archive: String,
        /// Check the archive alone, not the objects in storage.
        #[arg(long)]
        archive_only: bool,
    },
    /// Rebuild the database at DATABASE_URL from an archive (migrating it first), restore the
    /// archive's objects if it has them, then check storage against it.
    Restore {
        /// An archive name in BACKUP_URL, or the path of a local archive file.
        archive: String,
        /// Restore into a database that already holds users, deleting every row it has first.
        #[arg(long)]
        force: bool,
    },
    /// Delete the oldest archives beyond BACKUP_KEEP (what the scheduled backup does after each run).
    Prune,
}

#[derive(Debug, Subcommand)]
pub enum KeysAction {
    /// Print a new key as an `id:base64` entry; put it first in SECRET_KEYS, keeping the others.
    Generate,
    /// Re-seal every TOTP secret under the newest key, and list the keys stored values still
    /// need (recovery codes and audit events keep theirs: leave those keys in SECRET_KEYS).
    Rotate,
}

#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Walk the hash chain; exits 1 naming the first event that was edited, deleted or moved.
    Verify,
    /// The newest events, newest first.
    List {
        /// Only those about this account (its e-mail address).
        #[arg(long)]
        user: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum MailAction {
    /// Send a test e-mail now, through SMTP_URL or into the outbox, to check the settings.
    Test {
        #[arg(long)]
        to: String,
    },
    /// The newest e-mails in the database outbox (where mail goes without SMTP_URL).
    List {
        /// Only those to this address (or part of it).
        #[arg(long)]
        to: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: u64,
        /// Print each e-mail in full, not only its subject.
        #[arg(long)]
        full: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum JobsAction {
    /// Waiting jobs per queue, and the dead ones with their last error.
    Status,
    /// Put a dead job back in its queue with fresh attempts.
    Retry { id: uuid::Uuid },
    /// Drop a dead job for good.
    Discard { id: uuid::Uuid },
    /// Enqueue and run no-op jobs on the configured queue and print jobs per second (a
    /// benchmark; use a queue no production worker reads, e.g. a separate REDIS_PREFIX).
    Bench {
        #[arg(long, default_value_t = 100_000)]
        count: u32,
        /// Jobs run at once by the benchmark's worker.
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum StorageAction {
    /// List objects no file points at and files whose object is gone; exits 1 when it finds any.
    Check {
        /// Remove what it finds: the orphan objects, and the files whose bytes are gone.
        #[arg(long)]
        fix: bool,
    },
    /// Rebuild the assistant's passages from the text kept of every processed file (files
    /// processed before the assistant existed have none).
    Reindex,
}

#[derive(Debug, Subcommand)]
pub enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Revert the most recent migrations.
    Down {
        /// How many migrations to revert.
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether each is applied (`applied`, `pending`, or `unknown`: applied
    /// by a newer smartai).
    Status,
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create an account. The password is read from standard input (`--password-stdin`), from
    /// SMARTAI_USER_PASSWORD, or asked for at the terminal.
    Create {
        #[arg(long)]
        email: String,
        /// Display name (defaults to the part of the e-mail before the @).
        #[arg(long)]
        name: Option<String>,
        /// Make the account an administrator.
        #[arg(long)]
        admin: bool,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "HTTP")]
pub struct ServerConfig {
    /// Address and port to listen on.
    #[arg(
        long = "listen",
        env = "LISTEN_ADDR",
        value_name = "LISTEN_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub listen: SocketAddr,

    /// Serve plain http on an address other machines can reach (LISTEN_ADDR) although PUBLIC_URL
    /// is not https: session cookies then cross the network unencrypted. For trials on a private
    /// network only; every start logs a warning.
    #[arg(long = "allow-plain-http", env = "ALLOW_PLAIN_HTTP", global = true)]
    pub allow_plain_http: bool,

    /// Serve the front end (wasm, JS, CSS, public/) from this folder instead of the copy inside
    /// the binary.
    #[arg(long = "site-root", env = "LEPTOS_SITE_ROOT", value_name = "LEPTOS_SITE_ROOT", global = true)]
    pub site_root: Option<PathBuf>,

    /// How long to let running requests and jobs finish on shutdown, once new connections are
    /// refused (e.g. 30s); what still runs then is abandoned (jobs are delivered again).
    #[arg(long = "shutdown-timeout", env = "SHUTDOWN_TIMEOUT", value_name = "SHUTDOWN_TIMEOUT", default_value = "30s",
          value_parser = humantime::parse_duration, global = true)]
    pub shutdown_timeout: Duration,

    /// On shutdown, how long to keep serving after readiness turns 503, so that load balancers
    /// stop sending before connections are refused (0s when nothing balances this instance).
    #[arg(long = "shutdown-readiness-delay", env = "SHUTDOWN_READINESS_DELAY", value_name = "SHUTDOWN_READINESS_DELAY",
          default_value = "5s", value_parser = humantime::parse_duration, global = true)]
    pub shutdown_readiness_delay: Duration,

    /// Whether `serve` applies pending migrations when it starts (under the same lock as
    /// `smartai migrate up`). Default: on for the embedded SQLite database (one process), off for
    /// PostgreSQL, where `smartai migrate up` runs once per release before new processes start;
    /// without it a `serve` on a schema that is behind refuses to start, naming what is pending.
    #[arg(long = "migrate-on-start", env = "MIGRATE_ON_START", value_name = "MIGRATE_ON_START",
          value_parser = clap::builder::BoolishValueParser::new(), global = true)]
    pub migrate_on_start: Option<bool>,

    #[command(flatten)]
    pub log: LogConfig,

    #[command(flatten)]
    pub rate_limit: crate::rate_limit::RateLimitConfig,

    #[command(flatten)]
    pub hardening: crate::hardening::HardeningConfig,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Logging")]
pub struct LogConfig {
    /// Log line format.
    #[arg(long = "log-format", env = "LOG_FORMAT", value_name = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub format: LogFormat,

    /// Which logs to keep, as a tracing filter (e.g. info,server=debug).
    #[arg(long = "log", env = "RUST_LOG", value_name = "RUST_LOG", default_value = "info,sqlx=warn,sea_orm=warn",
          value_parser = parse_filter, global = true)]
    pub filter: String,

    /// Whether logs show IP and e-mail addresses whole (`keep`) or masked (`mask`: an IPv4
    /// address's /24, an IPv6 address's /48, an e-mail address's first character and domain).
    #[arg(long = "log-personal-data", env = "LOG_PERSONAL_DATA", value_name = "LOG_PERSONAL_DATA", value_enum,
          default_value_t = domain::log_privacy::LogPersonalData::Mask, global = true)]
    pub personal_data: domain::log_privacy::LogPersonalData,
}

impl ServerConfig {
    /// MIGRATE_ON_START, or its default for this database.
    pub fn migrates_on_start(&self, database: &domain::config::DatabaseConfig) -> bool {
        self.migrate_on_start.unwrap_or(database.url().backend() == domain::config::Backend::Sqlite)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

fn parse_filter(raw: &str) -> Result<String, String> {
    tracing_subscriber::EnvFilter::try_new(raw).map(|_| raw.to_owned()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_bad_setting_names_itself() {
        let err = Cli::try_parse_from(["smartai", "--database-url", "mysql://x/y", "serve"]).unwrap_err().to_string();
        assert!(err.contains("--database-url") && err.contains("mysql"), "{err}");
        let err = Cli::try_parse_from(["smartai", "--listen", "nowhere", "serve"]).unwrap_err().to_string();
        assert!(err.contains("--listen"), "{err}");
        let err = Cli::try_parse_from(["smartai", "--session-max-age", "forever", "serve"]).unwrap_err().to_string();
        assert!(err.contains("--session-max-age"), "{err}");
    }
}
