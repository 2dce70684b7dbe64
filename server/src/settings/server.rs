//! The server's own settings: listening, shutdown, logs, rate limits, hardening and the worker.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use domain::config::parse;
use serde::Deserialize;

/// The server's settings (see `crate::settings::SETTINGS`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address and port to listen on.
    #[serde(deserialize_with = "parse::from_str")]
    pub listen: SocketAddr,
    /// Serve plain http on an address other machines can reach although PUBLIC_URL is not https.
    #[serde(default, deserialize_with = "parse::switch")]
    pub allow_plain_http: bool,
    /// Serve the front end from this folder instead of the copy inside the binary.
    #[serde(default, deserialize_with = "parse::some")]
    pub site_root: Option<PathBuf>,
    /// How long to let running requests and jobs finish on shutdown.
    #[serde(deserialize_with = "parse::duration")]
    pub shutdown_timeout: Duration,
    /// On shutdown, how long to keep serving after readiness turns 503.
    #[serde(deserialize_with = "parse::duration")]
    pub shutdown_readiness_delay: Duration,
    /// Whether `serve` applies pending migrations when it starts; unset: on for SQLite only.
    #[serde(default, deserialize_with = "migrate_on_start")]
    pub migrate_on_start: Option<bool>,
    pub log: LogConfig,
    pub rate_limit: crate::rate_limit::RateLimitConfig,
    pub hardening: crate::hardening::HardeningConfig,
    #[serde(default)]
    pub worker: WorkerConfig,
}

fn migrate_on_start<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    parse::with(deserializer, parse::boolish).map(Some)
}

/// `smartai worker`'s own settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerConfig {
    /// Serve the worker's metrics at /metrics on this address. Unset: no HTTP at all.
    #[serde(default, deserialize_with = "parse::some")]
    pub metrics_addr: Option<SocketAddr>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// Log line format.
    #[serde(deserialize_with = "parse::from_str")]
    pub format: LogFormat,
    /// Which logs to keep, as a tracing filter (e.g. info,server=debug).
    #[serde(deserialize_with = "filter")]
    pub filter: String,
    /// Whether logs show IP and e-mail addresses whole or masked.
    #[serde(deserialize_with = "parse::from_str")]
    pub personal_data: domain::log_privacy::LogPersonalData,
}

impl ServerConfig {
    /// MIGRATE_ON_START, or its default for this database.
    pub fn migrates_on_start(&self, database: &domain::config::DatabaseConfig) -> bool {
        self.migrate_on_start.unwrap_or(database.url().backend() == domain::config::Backend::Sqlite)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// The values the setting takes (`--help` lists them).
    pub const CHOICES: &[(&str, &str)] = &[("text", ""), ("json", "")];
}

impl std::str::FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            _ => Err(parse::possible_values(Self::CHOICES)),
        }
    }
}

fn filter<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    parse::with(deserializer, parse_filter)
}

fn parse_filter(raw: &str) -> Result<String, String> {
    tracing_subscriber::EnvFilter::try_new(raw).map(|_| raw.to_owned()).map_err(|e| e.to_string())
}
