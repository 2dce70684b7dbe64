//! Logs: human-readable text by default, one JSON object per line with `LOG_FORMAT=json`.
//! The request span carries the request id, so every line logged inside a request names it.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::cli::{LogConfig, LogFormat};

pub fn init(config: &LogConfig) {
    let filter = EnvFilter::try_new(&config.filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = match config.format {
        LogFormat::Text => registry.with(fmt::layer().with_target(false)).try_init(),
        LogFormat::Json => registry.with(fmt::layer().json().with_current_span(true).with_span_list(false)).try_init(),
    };
    // Tests start several apps in one process; the first subscriber wins.
    let _ = result;
}
