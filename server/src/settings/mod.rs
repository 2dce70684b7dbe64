//! The settings tree of the binary: the domain's settings ([`domain::config::Config`], its rows in
//! [`domain::config::SETTINGS`]) and the server's ([`ServerConfig`], its rows in [`SETTINGS`]),
//! loaded once by [`load`]: defaults → the settings file → the environment → the flags. The flags
//! themselves, with their help, are built from the same rows ([`flags`]), and a test holds the
//! README's table to them.

use std::{collections::BTreeMap, path::Path};

use clap::{
    Arg, ArgAction, ArgMatches,
    builder::{BoolishValueParser, PossibleValue, PossibleValuesParser},
    parser::ValueSource,
};
use domain::config::{Kind, Loader, Setting, SettingsError, Sources};
use serde::Deserialize;

mod server;
mod table;

pub use server::{LogConfig, LogFormat, ServerConfig, WorkerConfig};
pub use table::SETTINGS;

/// Every setting: the domain's, then the server's.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub domain: domain::config::Config,
    pub server: ServerConfig,
}

/// The loader of the whole tree: the domain's rows under `domain`, the server's under `server`.
pub fn loader() -> Loader {
    Loader::new(&[("domain", domain::config::SETTINGS), ("server", SETTINGS)])
}

/// Adds every setting's flag to `command` (on every command, or on the one that takes it), with
/// its environment variable, its default and its help as `--help` shows them. The flags are read
/// as text; the loader parses them like every other layer.
pub fn flags(mut command: clap::Command) -> clap::Command {
    for row in loader().rows() {
        let setting = row.setting;
        let arg = arg(setting);
        command = match setting.command {
            None => command.arg(arg.global(true)),
            Some(name) => command.mut_subcommand(name, |sub| sub.arg(arg)),
        };
    }
    command
}

fn arg(setting: &'static Setting) -> Arg {
    let arg = Arg::new(setting.env)
        .long(setting.flag)
        .env(setting.env)
        .hide_env_values(setting.secret)
        .help(setting.help)
        .help_heading(setting.heading);
    let arg = match setting.kind {
        Kind::Value => arg.value_name(setting.env).action(ArgAction::Set),
        Kind::Choice(choices) => arg.value_name(setting.env).action(ArgAction::Set).value_parser(
            PossibleValuesParser::new(choices.iter().map(|(name, help)| {
                let value = PossibleValue::new(*name);
                if help.is_empty() { value } else { value.help(*help) }
            })),
        ),
        Kind::Boolean => arg.value_name(setting.env).action(ArgAction::Set).value_parser(BoolishValueParser::new()),
        Kind::Switch => arg.action(ArgAction::SetTrue),
        Kind::List => arg.value_name(setting.env).action(ArgAction::Append).value_delimiter(','),
    };
    match setting.default {
        Some(default) => arg.default_value(default),
        None => arg,
    }
}

/// The settings given as flags on this command line (not those clap took from the environment
/// or a default: the loader has those layers itself), as text by variable name.
fn given(loader: &Loader, matches: &ArgMatches) -> BTreeMap<String, String> {
    let mut flags = BTreeMap::new();
    for row in loader.rows() {
        let setting = row.setting;
        let matches = match setting.command {
            None => matches,
            Some(name) => match matches.subcommand_matches(name) {
                Some(sub) => sub,
                None => continue,
            },
        };
        if matches.value_source(setting.env) != Some(ValueSource::CommandLine) {
            continue;
        }
        match setting.kind {
            Kind::Switch => loader.flag(&mut flags, setting, "true"),
            Kind::Boolean => {
                let value = matches.get_one::<bool>(setting.env).copied().unwrap_or_default();
                loader.flag(&mut flags, setting, if value { "true" } else { "false" });
            }
            Kind::Value | Kind::Choice(_) | Kind::List => {
                for value in matches.get_many::<String>(setting.env).into_iter().flatten() {
                    loader.flag(&mut flags, setting, value);
                }
            }
        }
    }
    flags
}

/// Loads the settings: defaults, then the settings file at `file` (if any), then `env` (read
/// once by the caller), then the flags in `matches`; the OpenID Connect providers from the
/// environment and the file.
pub fn load(
    file: Option<&Path>,
    env: BTreeMap<String, String>,
    matches: &ArgMatches,
) -> Result<Settings, SettingsError> {
    let loader = loader();
    let sources = Sources {
        file: file.map(|path| loader.read_file(path)).transpose()?,
        env: loader.env(env),
        flags: given(&loader, matches),
    };
    let mut settings: Settings = loader.load(&sources)?;
    settings.domain.oidc = sources.oidc()?;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use std::{collections::BTreeSet, ffi::OsString, time::Duration};

    use super::*;
    use crate::cli::Cli;

    /// Parses a command line with `env` as the whole environment.
    fn parse(args: &[&str], env: &[(&str, &str)]) -> Result<Cli, String> {
        let env = env.iter().map(|(k, v)| (OsString::from(k), OsString::from(v)));
        Cli::try_parse_with(std::iter::once("smartai").chain(args.iter().copied()), env).map_err(|e| e.to_string())
    }

    /// The README's settings table: (variable, flag, default) per row, as written.
    fn readme_rows() -> Vec<(String, String, String)> {
        let readme = include_str!("../../../README.md");
        let table = readme
            .split_once("| Environment variable | Flag | Default | Meaning |")
            .expect("the README has the settings table")
            .1;
        table
            .lines()
            .skip(2)
            .take_while(|line| line.starts_with('|'))
            .map(|line| {
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                (cells[1].trim_matches('`').to_owned(), cells[2].to_owned(), cells[3].to_owned())
            })
            .collect()
    }

    #[test]
    fn the_readme_table_is_the_settings_table() {
        let loader = loader();
        let rows = readme_rows();
        assert!(rows.len() > 50, "the README's table was not found whole: {rows:?}");
        for (env, flag, default) in &rows {
            let Some(row) = loader.by_env(env) else {
                // Not settings of the tree: the file itself, the providers (whose variables are
                // named after OIDC_PROVIDERS) and OpenTelemetry's own variables.
                let known = (env == "SMARTAI_CONFIG" && flag == "`--config`")
                    || ((env == "OIDC_PROVIDERS" || env.starts_with("OTEL_")) && flag == "none");
                assert!(known, "the README lists {env} ({flag}), which is no setting");
                continue;
            };
            let setting = row.setting;
            let expected = match setting.command {
                None => format!("`--{}`", setting.flag),
                Some(command) => format!("`smartai {command} --{}`", setting.flag),
            };
            assert_eq!(flag, &expected, "{env}: the README's flag");
            match (setting.default, setting.kind) {
                (Some(value), _) => assert_eq!(default, &format!("`{value}`"), "{env}: the README's default"),
                (None, Kind::Switch) => assert_eq!(default, "off", "{env}: the README's default"),
                // Unset: a value only when the code works it out (from `$DATA_DIR`, or as the
                // help says: "Defaults to …").
                (None, _) => {
                    let value = default.trim_matches('`');
                    let literal = default.starts_with('`') && default.ends_with('`');
                    let worked_out =
                        value.contains("$DATA_DIR") || setting.help.contains(&format!("Defaults to {value}"));
                    assert!(!literal || worked_out, "{env}: the README gives the default {default}, the settings none");
                }
            }
        }
        let documented: BTreeSet<&str> = rows.iter().map(|(env, _, _)| env.as_str()).collect();
        for row in loader.rows() {
            assert!(documented.contains(row.setting.env), "{} is not in the README's table", row.setting.env);
        }
    }

    #[test]
    fn every_row_is_a_key_of_the_tree() {
        let loader = loader();
        for row in loader.rows() {
            let mut sources = Sources::default();
            sources.flags.insert(row.setting.env.to_owned(), "1".to_owned());
            if let Err(err) = loader.load::<Settings>(&sources) {
                // A value this setting refuses is fine; a key the tree does not have is not.
                assert!(err.to_string().starts_with("invalid value"), "{}: {err}", row.path);
                assert!(err.to_string().contains(row.setting.flag), "{}: {err}", row.path);
            }
        }
    }

    #[test]
    fn the_defaults_are_todays() {
        let cli = parse(&[], &[]).unwrap();
        assert_eq!(cli.domain.files.quota.0, 1 << 30);
        assert_eq!(cli.domain.retention.audit, domain::config::KeepFor::Forever);
        assert_eq!(cli.domain.retention.notifications, Duration::from_secs(90 * 86400));
        assert_eq!(cli.domain.database.data_dir, std::path::PathBuf::from("./data"));
        assert_eq!(cli.domain.backup.schedule, "0 30 2 * * *");
        assert_eq!(cli.server.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(cli.server.log.format, LogFormat::Text);
        assert_eq!(cli.server.rate_limit.pages_user.0, None);
        assert!(cli.server.migrate_on_start.is_none() && !cli.server.allow_plain_http);
        assert!(cli.domain.oidc.providers.is_empty() && cli.server.worker.metrics_addr.is_none());
    }

    #[test]
    fn each_layer_overrides_the_one_before() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("smartai.toml");
        std::fs::write(
            &file,
            "FILES_QUOTA = \"2GiB\"\nFILES_MAX_SIZE = \"2MiB\"\nJOBS_CONCURRENCY = 3\nAI_MODEL = \"file\"\n",
        )
        .unwrap();
        let file = file.to_str().unwrap();
        let env = [("SMARTAI_CONFIG", file), ("FILES_QUOTA", "3GiB"), ("JOBS_CONCURRENCY", "5")];
        let cli = parse(&["--jobs-concurrency", "7", "serve"], &env).unwrap();
        assert_eq!(cli.domain.files.max_size.0, 2 << 20, "the file over the default");
        assert_eq!(cli.domain.files.quota.0, 3 << 30, "the environment over the file");
        assert_eq!(cli.domain.jobs.concurrency, 7, "the flag over the environment");
        assert_eq!(cli.domain.assistant.model, "file");
        assert_eq!(cli.domain.files.upload_expiry, Duration::from_secs(86400), "the default");
        // `--config` over SMARTAI_CONFIG.
        let other = dir.path().join("other.toml");
        std::fs::write(&other, "AI_MODEL = \"other\"\n").unwrap();
        let cli = parse(&["--config", other.to_str().unwrap()], &[("SMARTAI_CONFIG", file)]).unwrap();
        assert_eq!(cli.domain.assistant.model, "other");
    }

    #[test]
    fn flags_count_before_or_after_the_command_and_lists_add_up() {
        let cli = parse(&["serve", "--files-quota", "5MiB", "--ip-deny", "10.0.0.0/8", "--ip-deny=192.0.2.1,::1"], &[])
            .unwrap();
        assert_eq!(cli.domain.files.quota.0, 5 << 20);
        assert_eq!(cli.server.hardening.ip_deny.len(), 3);
        let cli = parse(&["--no-in-process-worker", "--allow-plain-http", "--migrate-on-start", "no"], &[]).unwrap();
        assert!(cli.domain.jobs.no_in_process_worker && cli.server.allow_plain_http);
        assert_eq!(cli.server.migrate_on_start, Some(false));
        let cli = parse(&["worker", "--metrics-listen", "127.0.0.1:9464"], &[]).unwrap();
        assert_eq!(cli.server.worker.metrics_addr.unwrap().port(), 9464);
        let cli = parse(&["worker"], &[("WORKER_METRICS_ADDR", "127.0.0.1:9465")]).unwrap();
        assert_eq!(cli.server.worker.metrics_addr.unwrap().port(), 9465);
        assert!(parse(&["serve", "--metrics-listen", "127.0.0.1:1"], &[]).is_err(), "a flag of `worker` only");
    }

    #[test]
    fn a_bad_value_names_its_setting_and_its_source() {
        let err = parse(&[], &[("FILES_QUOTA", "abc")]).unwrap_err();
        assert!(err.contains("invalid value 'abc' for the environment variable FILES_QUOTA"), "{err}");
        let err = parse(&["--files-quota", "abc"], &[]).unwrap_err();
        assert!(err.contains("invalid value 'abc' for '--files-quota <FILES_QUOTA>'"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("smartai.toml");
        std::fs::write(&file, "AUDIT_RETENTION = \"a year\"\n").unwrap();
        let err = parse(&["--config", file.to_str().unwrap()], &[]).unwrap_err();
        assert!(
            err.contains("AUDIT_RETENTION in the settings file") && err.contains("`a year` is not a duration"),
            "{err}"
        );
        let err = parse(&[], &[("LOG_FORMAT", "xml")]).unwrap_err();
        assert!(err.contains("LOG_FORMAT") && err.contains("[possible values: text, json]"), "{err}");
        let err = parse(&[], &[("OIDC_PROVIDERS", "acme")]).unwrap_err();
        assert!(err.contains("OIDC_ACME_ISSUER"), "{err}");
        // A secret's value is never repeated.
        let err = parse(&[], &[("SECRET_KEYS", "k1:c2VjcmV0")]).unwrap_err();
        assert!(err.contains("SECRET_KEYS") && !err.contains("c2VjcmV0"), "{err}");
    }

    #[test]
    fn the_settings_file_refuses_an_unknown_key_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("smartai.toml");
        std::fs::write(&file, "DATABSE_URL = \"postgres://x/y\"\n").unwrap();
        let err = parse(&["--config", file.to_str().unwrap()], &[]).unwrap_err();
        assert!(err.contains("unknown setting `DATABSE_URL` (did you mean `DATABASE_URL`?)"), "{err}");
        let err = parse(&[], &[("SMARTAI_CONFIG", "/nowhere/smartai.toml")]).unwrap_err();
        assert!(err.contains("SMARTAI_CONFIG: cannot read /nowhere/smartai.toml"), "{err}");
    }

    #[test]
    fn the_providers_come_from_the_file_and_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("smartai.toml");
        std::fs::write(
            &file,
            "OIDC_PROVIDERS = \"acme\"\nOIDC_ACME_ISSUER = \"https://id.acme.test\"\nOIDC_ACME_CLIENT_ID = \"app\"\n\
             OIDC_ACME_CLIENT_SECRET = \"from-file\"\n",
        )
        .unwrap();
        let env = [("SMARTAI_CONFIG", file.to_str().unwrap()), ("OIDC_ACME_CLIENT_ID", "from-env")];
        let cli = parse(&[], &env).unwrap();
        let [acme] = &cli.domain.oidc.providers[..] else { panic!("one provider") };
        assert_eq!((acme.issuer.as_str(), acme.client_id.as_str()), ("https://id.acme.test", "from-env"));
    }

    #[test]
    fn the_settings_never_print_a_secret() {
        let key = domain::keys::Keyring::generate_line();
        let env = [
            ("DATABASE_URL", "postgres://app:db-secret@db/app"),
            ("SMTP_URL", "smtp://mail:smtp-secret@mail.example:587"),
            ("REDIS_URL", "redis://:redis-secret@redis:6379"),
            ("AI_API_KEY", "ai-secret"),
            ("S3_SECRET_ACCESS_KEY", "s3-secret"),
            ("SECRET_KEYS", key.as_str()),
            ("OIDC_PROVIDERS", "acme"),
            ("OIDC_ACME_ISSUER", "https://id.acme.test"),
            ("OIDC_ACME_CLIENT_ID", "app"),
            ("OIDC_ACME_CLIENT_SECRET", "oidc-secret"),
        ];
        let printed = format!("{:?}", parse(&[], &env).unwrap());
        let base64 = key.split_once(':').unwrap().1;
        for secret in ["db-secret", "smtp-secret", "redis-secret", "ai-secret", "s3-secret", "oidc-secret", base64] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(printed.contains("postgres://app:***@db/app"), "{printed}");
    }

    #[test]
    fn help_lists_every_setting_with_its_variable() {
        let help = Cli::command().render_long_help().to_string();
        let worker = Cli::command().find_subcommand_mut("worker").unwrap().render_long_help().to_string();
        for row in loader().rows() {
            let setting = row.setting;
            let help = if setting.command.is_some() { &worker } else { &help };
            assert!(help.contains(&format!("--{}", setting.flag)), "--{}", setting.flag);
            assert!(help.contains(&format!("[env: {}", setting.env)), "{}", setting.env);
        }
        assert!(help.contains("[env: SMARTAI_CONFIG"));
    }
}
