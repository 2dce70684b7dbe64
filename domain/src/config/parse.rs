//! How a setting's text becomes its value: `deserialize_with` functions over the parsers the
//! settings have always had, so that every layer (default, file, environment, flag) is read the
//! same way and an error is the parser's own message (the loader adds the setting's name).

use std::{convert::Infallible, fmt::Display, str::FromStr, time::Duration};

use serde::{Deserializer, de};

/// A setting's value as written. Every layer gives text; a number or a boolean is taken as its
/// text too, so that no layer can bring a value the parsers never saw.
struct Text;

impl de::Visitor<'_> for Text {
    type Value = String;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a setting's value (text, a number or a boolean)")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
}

/// Reads the value's text and parses it with `parse`, whose error becomes the message.
pub fn with<'de, D, T, E>(deserializer: D, parse: impl FnOnce(&str) -> Result<T, E>) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    E: Display,
{
    let raw = deserializer.deserialize_any(Text)?;
    parse(&raw).map_err(de::Error::custom)
}

/// A value with a [`FromStr`].
pub fn from_str<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: Display,
{
    with(deserializer, |raw| raw.parse::<T>())
}

/// An optional value with a [`FromStr`] (absent: `None`, with `#[serde(default)]`).
pub fn some<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: Display,
{
    from_str(deserializer).map(Some)
}

/// A duration such as `90d`, `15m` or `1h 30m` (humantime).
pub fn duration<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    with(deserializer, humantime::parse_duration)
}

/// A flag without a value on the command line; `true` or `false` from the environment or a file.
pub fn switch<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    with(deserializer, |raw| match raw {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("[possible values: true, false]"),
    })
}

/// The error of a setting that takes one of `choices` (a row's `Kind::Choice`), in clap's words.
pub fn possible_values(choices: &[(&str, &str)]) -> String {
    let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
    format!("[possible values: {}]", names.join(", "))
}

/// `true` or `false`, also as `yes`/`no`, `on`/`off`, `1`/`0`, `y`/`n`, `t`/`f` (any case).
pub fn boolish(raw: &str) -> Result<bool, &'static str> {
    match raw.to_ascii_lowercase().as_str() {
        "y" | "yes" | "t" | "true" | "on" | "1" => Ok(true),
        "n" | "no" | "f" | "false" | "off" | "0" => Ok(false),
        _ => Err("value was not a boolean"),
    }
}

/// A value that can only be text; an empty one is kept as it is.
pub fn secret<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<secrecy::SecretString>, D::Error> {
    with(deserializer, |raw| Ok::<_, Infallible>(Some(raw.into())))
}

/// Comma-separated values, each parsed by `parse` (an empty list item is parsed too, and refused
/// by any parser that needs something).
pub fn list<'de, D, T, E>(deserializer: D, parse: impl Fn(&str) -> Result<T, E>) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    E: Display,
{
    with(deserializer, |raw| raw.split(',').map(&parse).collect::<Result<Vec<T>, E>>())
}
