//! The settings: the optional file (`server/src/config_file.rs`) and every value parser behind
//! a setting, durations included (`domain::config::Config` and the rate limits of
//! `server/src/rate_limit/config.rs`), compiled here from their source files so the fuzz build
//! needs no Leptos or axum.
//!
//! Input: a settings file (TOML, keys are the environment variables' names); when it is no TOML,
//! `NAME=VALUE` lines. Each setting becomes its flag, and the flags are parsed as the server does.
//!
//! Properties: nothing panics; a rate limit reads back as itself from how it is shown; a size
//! is what its number and unit say.
#![no_main]

use std::{str::FromStr, sync::OnceLock};

use clap::{CommandFactory, FromArgMatches};
use libfuzzer_sys::fuzz_target;

/// The settings `config_file::parse` knows (the server's `Cli` holds more; these are the ones
/// with parsers of their own).
mod cli {
    #[derive(clap::Parser)]
    #[command(name = "smartai")]
    pub struct Cli {
        #[command(flatten)]
        pub config: domain::config::Config,
        #[command(flatten)]
        pub rate_limits: crate::rate_limit::RateLimitConfig,
    }
}

#[allow(dead_code)]
#[path = "../../server/src/config_file.rs"]
mod config_file;

#[allow(dead_code)]
#[path = "../../server/src/rate_limit/config.rs"]
mod rate_limit;

/// Built once: clap checks a command's definition when it is built, which is slow.
static COMMAND: OnceLock<clap::Command> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let settings = match config_file::parse(text) {
        Ok(settings) => settings,
        Err(_) => {
            text.lines().filter_map(|line| line.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
        }
    };
    let command = COMMAND.get_or_init(|| {
        let mut command = cli::Cli::command();
        command.build();
        command
    });
    let mut args = vec!["smartai".to_owned()];
    for (key, value) in &settings {
        let flag = command.get_arguments().find(|arg| arg.get_env().is_some_and(|env| env == key.as_str()));
        if let Some(long) = flag.and_then(|arg| arg.get_long()) {
            args.push(format!("--{long}={value}"));
        }
        check_value(value);
    }
    if let Ok(matches) = command.clone().try_get_matches_from(&args)
        && let Ok(cli) = cli::Cli::from_arg_matches(&matches)
    {
        let limits = &cli.rate_limits;
        for limit in [limits.api_ip, limits.api_user] {
            round_trip(limit);
        }
    }
});

/// Every value through the parsers that take any string, not only the flags' own.
fn check_value(value: &str) {
    if let Ok(limit) = rate_limit::Limit::from_str(value) {
        round_trip(limit);
    }
    if let Ok(size) = domain::files::ByteSize::from_str(value) {
        let digits: String = value.trim().chars().take_while(char::is_ascii_digit).collect();
        let number: u64 = digits.parse().expect("a size starts with its number");
        assert!(size.0 >= number && (number == 0 || size.0 % number == 0), "{value:?} read as {}", size.0);
    }
    let _ = humantime::parse_duration(value);
    let _ = domain::config::DatabaseUrl::from_str(value);
}

fn round_trip(limit: rate_limit::Limit) {
    let shown = limit.to_string();
    assert_eq!(rate_limit::Limit::from_str(&shown), Ok(limit), "{limit:?} is shown as {shown:?}");
}
