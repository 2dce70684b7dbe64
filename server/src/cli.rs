//! The command line: the commands, the settings file, and a flag for every setting, built from
//! the settings table (`crate::settings`) with the environment variable each is also read from,
//! all listed by `--help`.

use std::{collections::BTreeMap, ffi::OsString, path::PathBuf};

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, error::ErrorKind};
use domain::config::CONFIG_FILE_VARIABLE;

use crate::settings::ServerConfig;

/// The arguments that are not settings: the settings file and the command.
#[derive(Debug, Parser)]
#[command(
    name = "smartai",
    version,
    about = "SmartAIPlatForm: the web app, its RPC API and the operator commands, in one binary."
)]
struct Args {
    /// Settings file (TOML; keys are the environment variable names, e.g. DATABASE_URL = "…").
    /// Environment variables and flags override it.
    #[arg(long, env = "SMARTAI_CONFIG", value_name = "SMARTAI_CONFIG", global = true)]
    config: Option<PathBuf>,

    /// What to do; `serve` when omitted (how cargo-leptos starts the binary).
    #[command(subcommand)]
    command: Option<Command>,
}

/// A parsed command line, with the settings it loaded (defaults, the settings file, the
/// environment, the flags).
#[derive(Debug)]
pub struct Cli {
    /// The settings file, if one was named.
    pub config: Option<PathBuf>,
    pub domain: domain::config::Config,
    pub server: ServerConfig,
    /// What to do; `serve` when omitted.
    pub command: Option<Command>,
}

impl Cli {
    /// The command line's definition: the commands, `--config`, and every setting's flag.
    pub fn command() -> clap::Command {
        crate::settings::flags(Args::command())
    }

    /// The process's command line and environment; exits (2, or 0 for `--help`) when they do
    /// not parse, naming the setting at fault.
    pub fn parse() -> Self {
        Self::try_parse_with(std::env::args_os(), std::env::vars_os()).unwrap_or_else(|err| err.exit())
    }

    /// `args` with the process's environment.
    pub fn try_parse_from<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        Self::try_parse_with(args, std::env::vars_os())
    }

    /// `args` with `env` as the environment (read once here; nothing writes it).
    pub fn try_parse_with<I, T>(
        args: I,
        env: impl IntoIterator<Item = (OsString, OsString)>,
    ) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let mut command = Self::command();
        let matches = command.try_get_matches_from_mut(args)?;
        let Args { config, command: subcommand } = Args::from_arg_matches(&matches)?;
        let env: BTreeMap<String, String> = env
            .into_iter()
            .map(|(name, value)| (name.to_string_lossy().into_owned(), value.to_string_lossy().into_owned()))
            .collect();
        let given = matches.value_source("config") == Some(clap::parser::ValueSource::CommandLine);
        let file = if given { config } else { env.get(CONFIG_FILE_VARIABLE).map(PathBuf::from) };
        let settings = crate::settings::load(file.as_deref(), env, &matches)
            .map_err(|err| command.error(ErrorKind::ValueValidation, err))?;
        Ok(Self { config: file, domain: settings.domain, server: settings.server, command: subcommand })
    }
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
    // Its `--metrics-listen` (WORKER_METRICS_ADDR) is a setting, added from the table
    // (`crate::settings`) into `ServerConfig::worker`.
    Worker,
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

#[cfg(test)]
mod tests {
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
