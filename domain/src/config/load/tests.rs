use super::*;
use crate::config::{Config, SETTINGS};

fn loader() -> Loader {
    Config::loader()
}

fn env(vars: &[(&str, &str)]) -> BTreeMap<String, String> {
    loader().env(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
}

#[test]
fn the_defaults_alone_make_a_whole_tree() {
    let config: Config = loader().load(&Sources::default()).unwrap();
    assert_eq!(config.files.max_size.0, 100 << 20);
    assert_eq!(config.sessions.idle_timeout, std::time::Duration::from_secs(7 * 86400));
    assert_eq!(config.mail.from.to_string(), "SmartAIPlatForm <noreply@localhost>");
    assert!(config.database.url.is_none() && config.keys.secret_keys.is_none());
}

#[test]
fn each_layer_overrides_the_one_before() {
    let loader = loader();
    let file = loader
        .parse_file(Path::new("s.toml"), "FILES_QUOTA = \"2GiB\"\nFILES_MAX_SIZE = \"2MiB\"\nJOBS_CONCURRENCY = 3\n")
        .unwrap();
    let sources = Sources {
        file: Some(file),
        env: env(&[("FILES_QUOTA", "3GiB"), ("JOBS_CONCURRENCY", "5"), ("HOME", "/root")]),
        flags: loader.args(["--jobs-concurrency", "7"]).unwrap(),
    };
    assert!(!sources.env.contains_key("HOME"), "only the settings' variables are kept");
    let config: Config = loader.load(&sources).unwrap();
    assert_eq!(config.files.max_size.0, 2 << 20, "the file over the default");
    assert_eq!(config.files.quota.0, 3 << 30, "the environment over the file");
    assert_eq!(config.jobs.concurrency, 7, "the flag over the environment");
    assert_eq!(config.files.upload_expiry, std::time::Duration::from_secs(86400), "the default");
}

#[test]
fn flags_are_read_as_a_command_line_gives_them() {
    let loader = loader();
    let flags = loader
        .args([
            "--files-quota=5MiB",
            "--no-in-process-worker",
            "--audit-retention",
            "2y",
            "--storage-presigned-downloads=false",
        ])
        .unwrap();
    let config: Config = loader.load(&Sources { flags, ..Sources::default() }).unwrap();
    assert_eq!(config.files.quota.0, 5 << 20);
    assert!(config.jobs.no_in_process_worker && !config.storage.presigned_downloads);
    assert!(matches!(config.retention.audit, crate::config::KeepFor::Only(_)));
    assert_eq!(loader.args(["--nope", "1"]).unwrap_err().to_string(), "unexpected argument '--nope'");
    assert!(loader.args(["--files-quota"]).unwrap_err().to_string().contains("a value is required"));
    assert!(loader.args(["files-quota"]).is_err());
}

#[test]
fn a_bad_value_names_the_setting_and_where_it_came_from() {
    let loader = loader();
    let load = |sources: Sources| loader.load::<Config>(&sources).unwrap_err().to_string();
    let err = load(Sources { env: env(&[("FILES_QUOTA", "abc")]), ..Sources::default() });
    assert!(err.starts_with("invalid value 'abc' for the environment variable FILES_QUOTA: "), "{err}");
    let err = load(Sources { flags: loader.args(["--audit-retention", "a year"]).unwrap(), ..Sources::default() });
    assert_eq!(
        err,
        "invalid value 'a year' for '--audit-retention <AUDIT_RETENTION>': `a year` is not a duration (e.g. 90d, 1y) or `forever`"
    );
    let file = loader.parse_file(Path::new("/etc/smartai.toml"), "BACKUP_KEEP = 0").unwrap();
    let err = load(Sources { file: Some(file), ..Sources::default() });
    assert_eq!(
        err,
        "invalid value '0' for BACKUP_KEEP in the settings file /etc/smartai.toml: 0 is not in 1..=4294967295"
    );
    let err = load(Sources { env: env(&[("JOBS_NO_IN_PROCESS_WORKER", "1")]), ..Sources::default() });
    assert!(err.contains("JOBS_NO_IN_PROCESS_WORKER: [possible values: true, false]"), "{err}");
    let err = load(Sources { env: env(&[("AI_API_KEY", "k"), ("AI_BASE_URL", "ftp://x")]), ..Sources::default() });
    assert!(err.contains("AI_BASE_URL") && err.contains("http://"), "{err}");
    // A secret's value is never repeated, whatever is wrong with it.
    let err = load(Sources { env: env(&[("SECRET_KEYS", "k1:c2VjcmV0")]), ..Sources::default() });
    assert!(err.starts_with("invalid value for the environment variable SECRET_KEYS: "), "{err}");
    assert!(!err.contains("c2VjcmV0"), "{err}");
}

#[test]
fn the_file_refuses_unknown_keys_and_tables() {
    let loader = loader();
    let parse = |text: &str| loader.parse_file(Path::new("s.toml"), text).map(|_| ()).unwrap_err().to_string();
    assert_eq!(
        parse("DATABSE_URL = \"x\""),
        "SMARTAI_CONFIG: s.toml: unknown setting `DATABSE_URL` (did you mean `DATABASE_URL`?)"
    );
    assert_eq!(
        parse("database_url = \"x\"\nzzz = 1"),
        "SMARTAI_CONFIG: s.toml: unknown setting `database_url` (the keys are the environment variable names)"
    );
    assert!(parse("FILES_QUOTA = [1]").contains("setting `FILES_QUOTA` must be a string, number or boolean"));
    assert!(parse("not toml at all =").contains("not valid TOML"));
    let file = loader.parse_file(Path::new("s.toml"), "OIDC_PROVIDERS = \"acme\"\nOIDC_ACME_ISSUER = \"x\"\n");
    assert!(file.is_ok(), "the providers' variables are named after OIDC_PROVIDERS");
}

#[test]
fn the_providers_read_the_environment_over_the_file() {
    let loader = loader();
    let file = loader
        .parse_file(
            Path::new("s.toml"),
            "OIDC_PROVIDERS = \"acme\"\nOIDC_ACME_ISSUER = \"https://id.acme.test\"\nOIDC_ACME_CLIENT_ID = \"file\"\n",
        )
        .unwrap();
    let sources = Sources {
        file: Some(file),
        env: env(&[("OIDC_ACME_CLIENT_ID", "env"), ("OIDC_ACME_CLIENT_SECRET", "s")]),
        ..Sources::default()
    };
    let oidc = sources.oidc().unwrap();
    assert_eq!(oidc.providers[0].client_id, "env");
    assert!(!format!("{sources:?}").contains("env\""), "values are never printed: {sources:?}");
}

#[test]
fn every_row_is_a_key_of_the_tree_and_has_its_own_names() {
    let loader = loader();
    for (i, row) in loader.rows().iter().enumerate() {
        for other in &SETTINGS[i + 1..] {
            assert!(row.setting.env != other.env && row.setting.flag != other.flag, "{} twice", other.env);
        }
        let sources =
            Sources { flags: loader.args([&*format!("--{}=1", row.setting.flag)]).unwrap(), ..Sources::default() };
        if let Err(err) = loader.load::<Config>(&sources) {
            let err = err.to_string();
            assert!(err.starts_with("invalid value") && err.contains(row.setting.flag), "{}: {err}", row.path);
        }
    }
}

#[test]
fn edit_distances() {
    assert_eq!(edit_distance("DATABSE_URL", "DATABASE_URL"), 1);
    assert_eq!(edit_distance("", "abc"), 3);
    assert_eq!(edit_distance("kitten", "sitting"), 3);
}
