//! The optional settings file. Its keys are the environment variable names; it is loaded into the
//! environment before the command line is parsed, so the environment and flags override it.

use std::{collections::HashSet, path::PathBuf};

use anyhow::{Context, bail};
use clap::CommandFactory;

use crate::cli::Cli;

/// The file named by `--config` or `SMARTAI_CONFIG`, if any.
fn path_from_args() -> Option<PathBuf> {
    let args: Vec<String> = std::env::args().collect();
    let from_flag = args.iter().enumerate().find_map(|(i, arg)| {
        arg.strip_prefix("--config=")
            .map(str::to_owned)
            .or_else(|| (arg == "--config").then(|| args.get(i + 1).cloned()).flatten())
    });
    from_flag.or_else(|| std::env::var("SMARTAI_CONFIG").ok()).map(PathBuf::from)
}

/// Every environment variable a setting can come from.
fn known_settings() -> HashSet<String> {
    fn collect(cmd: &clap::Command, into: &mut HashSet<String>) {
        for arg in cmd.get_arguments() {
            if let Some(env) = arg.get_env() {
                into.insert(env.to_string_lossy().into_owned());
            }
        }
        for sub in cmd.get_subcommands() {
            collect(sub, into);
        }
    }
    let mut known = HashSet::new();
    collect(&Cli::command(), &mut known);
    known
}

/// Parses the file into (name, value) pairs, refusing unknown names.
pub fn parse(text: &str) -> anyhow::Result<Vec<(String, String)>> {
    let table: toml::Table = text.parse().context("not valid TOML")?;
    let known = known_settings();
    let mut settings = Vec::new();
    for (key, value) in table {
        // OpenID Connect providers: their variables' names depend on `OIDC_PROVIDERS`
        // (`domain::oidc::OidcConfig::from_env` checks them).
        if !known.contains(&key) && !key.starts_with("OIDC_") {
            bail!("unknown setting `{key}`");
        }
        let value = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            _ => bail!("setting `{key}` must be a string, number or boolean"),
        };
        settings.push((key, value));
    }
    Ok(settings)
}

/// Loads the settings file, if one is named, into the environment.
///
/// Must run before any other thread starts (it calls `set_var`).
pub fn load_into_env() -> anyhow::Result<()> {
    let Some(path) = path_from_args() else { return Ok(()) };
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("SMARTAI_CONFIG: cannot read {}", path.display()))?;
    let settings = parse(&text).with_context(|| format!("SMARTAI_CONFIG: {}", path.display()))?;
    for (key, value) in settings {
        if std::env::var_os(&key).is_none() {
            // SAFETY: called at the very start of main, before the runtime or any thread exists.
            unsafe { std::env::set_var(key, value) };
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_known_settings() {
        let settings = parse("DATABASE_URL = \"postgres://db/app\"\nDATABASE_MAX_CONNECTIONS = 4\n").unwrap();
        assert!(settings.contains(&("DATABASE_URL".into(), "postgres://db/app".into())));
        assert!(settings.contains(&("DATABASE_MAX_CONNECTIONS".into(), "4".into())));
    }

    #[test]
    fn reads_provider_settings() {
        let settings = parse("OIDC_PROVIDERS = \"acme\"\nOIDC_ACME_ISSUER = \"https://id.acme.test\"\n").unwrap();
        assert!(settings.contains(&("OIDC_ACME_ISSUER".into(), "https://id.acme.test".into())));
    }

    #[test]
    fn refuses_unknown_settings_by_name() {
        assert!(parse("DATABSE_URL = \"x\"").unwrap_err().to_string().contains("DATABSE_URL"));
        assert!(parse("not toml at all =").is_err());
    }
}
