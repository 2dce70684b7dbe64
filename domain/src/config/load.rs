//! Loading the settings, once, in four layers: each setting's default, then the settings file,
//! then the environment, then the command line. Each layer holds text keyed by the settings'
//! environment variable names; figment places the text at the setting's key in the tree and
//! serde reads the tree, so every value goes through the same parser whichever layer it came
//! from, and an error names the setting and the layer. Nothing here writes the environment.

use std::{
    collections::BTreeMap,
    fmt,
    path::{Path, PathBuf},
};

use figment::{
    Figment, Metadata, Profile, Provider,
    value::{Dict, Map, Value},
};
use serde::de::DeserializeOwned;

use super::{Kind, Setting};
use crate::oidc::OidcConfig;

/// The environment variable that names the settings file (also `--config`).
pub const CONFIG_FILE_VARIABLE: &str = "SMARTAI_CONFIG";

/// Variables whose names depend on other settings (`OIDC_PROVIDERS`, then `OIDC_<NAME>_…`): the
/// OpenID Connect providers, read by [`OidcConfig::from_vars`].
const OIDC_PREFIX: &str = "OIDC_";

/// A setting that cannot be loaded. The message names the setting and where its value came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SettingsError(String);

impl SettingsError {
    fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// One setting and where it goes in the tree being loaded.
#[derive(Debug, Clone)]
pub struct Row {
    /// The key path in the tree, e.g. `files.quota` (or `domain.files.quota` in a tree that holds
    /// the domain's settings under `domain`).
    pub path: String,
    pub setting: &'static Setting,
}

/// The settings file: its keys are the environment variable names.
pub struct SettingsFile {
    pub path: PathBuf,
    values: BTreeMap<String, String>,
}

impl SettingsFile {
    /// The file's settings, as text by variable name.
    pub fn values(&self) -> &BTreeMap<String, String> {
        &self.values
    }
}

/// What the settings are loaded from, besides the defaults. Values are text, keyed by the
/// settings' environment variable names. Never printed (it holds secrets as they were given).
#[derive(Default)]
pub struct Sources {
    pub file: Option<SettingsFile>,
    /// The environment, read once: only the settings' variables and the providers' `OIDC_*`.
    pub env: BTreeMap<String, String>,
    /// The flags given on the command line, by the variable name of their setting.
    pub flags: BTreeMap<String, String>,
}

impl fmt::Debug for Sources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sources")
            .field("file", &self.file.as_ref().map(|file| &file.path))
            .field("env", &self.env.keys().collect::<Vec<_>>())
            .field("flags", &self.flags.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Sources {
    /// The OpenID Connect providers, from the environment, or else the settings file.
    pub fn oidc(&self) -> Result<OidcConfig, SettingsError> {
        OidcConfig::from_vars(|name| {
            self.env.get(name).or_else(|| self.file.as_ref().and_then(|file| file.values.get(name))).cloned()
        })
        .map_err(|err| SettingsError::new(format!("{err:#}")))
    }
}

/// The layers' names, as figment records where each value came from.
const DEFAULTS: &str = "defaults";
const FILE: &str = "settings file";
const ENVIRONMENT: &str = "environment";
const FLAGS: &str = "command line";

/// Loads a settings tree from the rows of one or more tables.
pub struct Loader {
    rows: Vec<Row>,
}

impl Loader {
    /// The rows of each table, their keys under the prefix given with it (`""`: at the root).
    pub fn new(tables: &[(&str, &'static [Setting])]) -> Self {
        let rows = tables
            .iter()
            .flat_map(|(prefix, table)| {
                table.iter().map(move |setting| Row {
                    path: if prefix.is_empty() { setting.key.to_owned() } else { format!("{prefix}.{}", setting.key) },
                    setting,
                })
            })
            .collect();
        Self { rows }
    }

    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The setting read from the environment variable `name`.
    pub fn by_env(&self, name: &str) -> Option<&Row> {
        self.rows.iter().find(|row| row.setting.env == name)
    }

    /// The setting of the flag `--flag`.
    pub fn by_flag(&self, flag: &str) -> Option<&Row> {
        self.rows.iter().find(|row| row.setting.flag == flag)
    }

    /// The settings' variables (and the providers' `OIDC_*`) out of an environment.
    pub fn env(&self, vars: impl IntoIterator<Item = (String, String)>) -> BTreeMap<String, String> {
        vars.into_iter().filter(|(name, _)| name.starts_with(OIDC_PREFIX) || self.by_env(name).is_some()).collect()
    }

    /// Reads the settings file at `path`.
    pub fn read_file(&self, path: &Path) -> Result<SettingsFile, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|err| {
            SettingsError::new(format!("{CONFIG_FILE_VARIABLE}: cannot read {}: {err}", path.display()))
        })?;
        self.parse_file(path, &text)
    }

    /// Parses a settings file: TOML whose keys are the settings' environment variable names
    /// (and the providers' `OIDC_*`), each a string, a number or a boolean. An unknown key is
    /// refused by name, with the nearest known one.
    pub fn parse_file(&self, path: &Path, text: &str) -> Result<SettingsFile, SettingsError> {
        let refuse =
            |problem: String| SettingsError::new(format!("{CONFIG_FILE_VARIABLE}: {}: {problem}", path.display()));
        let table: toml::Table = text.parse().map_err(|err| refuse(format!("not valid TOML: {err}")))?;
        let mut values = BTreeMap::new();
        for (key, value) in table {
            if !key.starts_with(OIDC_PREFIX) && self.by_env(&key).is_none() {
                return Err(refuse(match self.nearest(&key) {
                    Some(near) => format!("unknown setting `{key}` (did you mean `{near}`?)"),
                    None => format!("unknown setting `{key}` (the keys are the environment variable names)"),
                }));
            }
            let value = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                _ => return Err(refuse(format!("setting `{key}` must be a string, number or boolean"))),
            };
            values.insert(key, value);
        }
        Ok(SettingsFile { path: path.to_owned(), values })
    }

    /// The known variable name nearest to a misspelt one, if one is near enough.
    fn nearest(&self, name: &str) -> Option<&'static str> {
        self.rows
            .iter()
            .map(|row| (edit_distance(name, row.setting.env), row.setting.env))
            .filter(|(distance, _)| *distance <= 3)
            .min()
            .map(|(_, env)| env)
    }

    /// Flags as a command line gives them (`--files-quota 1GiB`, `--files-quota=1GiB`, a switch
    /// alone), for a caller without a command-line parser of its own (the tests).
    pub fn args<'a>(&self, args: impl IntoIterator<Item = &'a str>) -> Result<BTreeMap<String, String>, SettingsError> {
        let mut flags = BTreeMap::new();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let Some(flag) = arg.strip_prefix("--") else {
                return Err(SettingsError::new(format!("unexpected argument '{arg}'")));
            };
            let (flag, inline) = match flag.split_once('=') {
                Some((flag, value)) => (flag, Some(value)),
                None => (flag, None),
            };
            let row =
                self.by_flag(flag).ok_or_else(|| SettingsError::new(format!("unexpected argument '--{flag}'")))?;
            let value = match (row.setting.kind, inline) {
                (_, Some(value)) => value,
                (Kind::Switch, None) => "true",
                (_, None) => args.next().ok_or_else(|| {
                    SettingsError::new(format!("a value is required for '--{flag}' but none was supplied"))
                })?,
            };
            self.flag(&mut flags, row.setting, value);
        }
        Ok(flags)
    }

    /// Records a flag's value: a list's occurrences add up, any other flag's last one counts.
    pub fn flag(&self, flags: &mut BTreeMap<String, String>, setting: &Setting, value: &str) {
        match flags.get_mut(setting.env) {
            Some(values) if setting.kind == Kind::List => {
                values.push(',');
                values.push_str(value);
            }
            _ => {
                flags.insert(setting.env.to_owned(), value.to_owned());
            }
        }
    }

    /// The settings tree, from the defaults and `sources`, each layer over the one before.
    pub fn load<T: DeserializeOwned>(&self, sources: &Sources) -> Result<T, SettingsError> {
        let defaults: BTreeMap<String, String> = self
            .rows
            .iter()
            .filter_map(|row| row.setting.default.map(|value| (row.setting.env.to_owned(), value.to_owned())))
            .collect();
        let mut figment = Figment::new().merge(self.layer(DEFAULTS, None, &defaults));
        if let Some(file) = &sources.file {
            figment = figment.merge(self.layer(FILE, Some(&file.path), &file.values));
        }
        figment = figment.merge(self.layer(ENVIRONMENT, None, &sources.env));
        figment = figment.merge(self.layer(FLAGS, None, &sources.flags));
        figment.extract().map_err(|err| self.explain(err, sources))
    }

    fn layer<'a>(&'a self, name: &'static str, file: Option<&Path>, values: &'a BTreeMap<String, String>) -> Layer<'a> {
        Layer { name, file: file.map(Path::to_owned), rows: &self.rows, values }
    }

    /// The first error, in the operator's terms: the setting, the value, where it came from and
    /// what is wrong with it.
    fn explain(&self, err: figment::Error, sources: &Sources) -> SettingsError {
        let path = err.path.join(".");
        let Some(row) = self.rows.iter().find(|row| row.path == path) else {
            // A tree that disagrees with its table (a test catches it): figment's own words.
            return SettingsError::new(format!("settings: {err}"));
        };
        let setting = row.setting;
        let layer = err.metadata.as_ref().map(|metadata| metadata.name.as_ref());
        let (raw, whence) = match layer {
            Some(FLAGS) => (sources.flags.get(setting.env).cloned(), format!("'{}'", setting.flag_usage())),
            Some(ENVIRONMENT) => {
                (sources.env.get(setting.env).cloned(), format!("the environment variable {}", setting.env))
            }
            Some(FILE) => match &sources.file {
                Some(file) => (
                    file.values.get(setting.env).cloned(),
                    format!("{} in the settings file {}", setting.env, file.path.display()),
                ),
                None => (None, setting.env.to_owned()),
            },
            _ => (setting.default.map(str::to_owned), format!("the default of {}", setting.env)),
        };
        let reason = match err.kind {
            figment::error::Kind::Message(message) => message,
            other => other.to_string(),
        };
        let value = match raw {
            Some(raw) if !setting.secret => format!(" '{raw}'"),
            _ => String::new(),
        };
        SettingsError::new(format!("invalid value{value} for {whence}: {reason}"))
    }
}

/// One layer's values, placed at their settings' keys for figment.
struct Layer<'a> {
    name: &'static str,
    file: Option<PathBuf>,
    rows: &'a [Row],
    values: &'a BTreeMap<String, String>,
}

impl Provider for Layer<'_> {
    fn metadata(&self) -> Metadata {
        let metadata = Metadata::named(self.name);
        match &self.file {
            Some(path) => metadata.source(path.as_path()),
            None => metadata,
        }
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let mut tree = Dict::new();
        for row in self.rows {
            if let Some(value) = self.values.get(row.setting.env) {
                insert(&mut tree, &row.path, Value::from(value.clone()));
            }
        }
        Ok(Profile::Default.collect(tree))
    }
}

/// Puts `value` at the dotted `path` in `tree`, making the dictionaries on the way.
fn insert(tree: &mut Dict, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            tree.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let entry = tree.entry(head.to_owned()).or_insert_with(|| Value::from(Dict::new()));
            if let Value::Dict(_, dict) = entry {
                insert(dict, rest, value);
            }
        }
    }
}

/// Levenshtein distance, for suggesting the setting an unknown key was meant to be.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests;
