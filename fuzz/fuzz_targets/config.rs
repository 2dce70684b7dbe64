//! The settings: the optional file and every value parser behind a setting, through the loader
//! the binary uses (`domain::config::Loader`: the file's keys, then each value at its key of
//! `domain::config::Config`, durations, sizes, URLs, schedules… included), and the rate limits'
//! parser (`server/src/rate_limit/config.rs`, compiled here from its source file so the fuzz
//! build needs no Leptos or axum).
//!
//! Input: a settings file (TOML, keys are the environment variables' names); when it is no TOML,
//! `NAME=VALUE` lines, taken as the environment.
//!
//! Properties: nothing panics; a rate limit reads back as itself from how it is shown; a size
//! is what its number and unit say.
#![no_main]

use std::{path::Path, str::FromStr, sync::OnceLock};

use domain::config::{Config, Loader, Sources};
use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../server/src/rate_limit/config.rs"]
mod rate_limit;

static LOADER: OnceLock<Loader> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let loader = LOADER.get_or_init(Config::loader);
    let mut sources = Sources::default();
    match loader.parse_file(Path::new("fuzz.toml"), text) {
        Ok(file) => sources.file = Some(file),
        Err(_) => {
            let lines = text.lines().filter_map(|line| line.split_once('='));
            sources.env = loader.env(lines.map(|(k, v)| (k.to_owned(), v.to_owned())));
        }
    }
    let values = sources.file.as_ref().map(|file| file.values()).unwrap_or(&sources.env);
    for value in values.values() {
        check_value(value);
    }
    if let Err(err) = loader.load::<Config>(&sources) {
        // Every error is in the operator's terms, never figment's about the tree.
        assert!(err.to_string().starts_with("invalid value"), "{err}");
    }
    let _ = sources.oidc();
});

/// Every value through the parsers that take any string, not only its own setting's.
fn check_value(value: &str) {
    if let Ok(limit) = rate_limit::Limit::from_str(value) {
        let shown = limit.to_string();
        assert_eq!(rate_limit::Limit::from_str(&shown), Ok(limit), "{limit:?} is shown as {shown:?}");
    }
    if let Ok(size) = domain::files::ByteSize::from_str(value) {
        let digits: String = value.trim().chars().take_while(char::is_ascii_digit).collect();
        let number: u64 = digits.parse().expect("a size starts with its number");
        assert!(size.0 >= number && (number == 0 || size.0 % number == 0), "{value:?} read as {}", size.0);
    }
    let _ = humantime::parse_duration(value);
    let _ = domain::config::DatabaseUrl::from_str(value);
}
