//! The hardening settings, parsed and checked when the settings load.

use std::{net::IpAddr, time::Duration};

use axum::http::HeaderValue;
use domain::{config::parse, files::ByteSize};
use ipnet::IpNet;
use serde::Deserialize;
use url::Url;

/// The settings `BODY_LIMIT`, `REQUEST_TIMEOUT`, `CORS_ORIGINS`, `IP_ALLOW` and `IP_DENY`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HardeningConfig {
    /// Largest request body of forms, JSON and server functions.
    #[serde(deserialize_with = "parse::from_str")]
    pub body_limit: ByteSize,
    /// How long a request may take until its response starts (0 turns it off).
    #[serde(deserialize_with = "parse::duration")]
    pub request_timeout: Duration,
    /// Origins whose pages may call /api/ from the browser (CORS). None by default.
    #[serde(default, deserialize_with = "origins")]
    pub cors_origins: Vec<HeaderValue>,
    /// Only clients in these networks are served. Everyone by default.
    #[serde(default, deserialize_with = "allowed")]
    pub ip_allow: Vec<IpNet>,
    /// Clients in these networks are refused, even when IP_ALLOW lists them.
    #[serde(default, deserialize_with = "denied")]
    pub ip_deny: Vec<IpNet>,
}

fn origins<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<HeaderValue>, D::Error> {
    parse::list(deserializer, parse_origin)
}

fn allowed<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<IpNet>, D::Error> {
    parse::list(deserializer, parse_allowed)
}

fn denied<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<IpNet>, D::Error> {
    parse::list(deserializer, parse_denied)
}

/// An origin such as `https://app.example` (no path), as the browser sends it in `Origin`.
fn parse_origin(raw: &str) -> Result<HeaderValue, String> {
    let raw = raw.trim();
    let refuse = || format!("CORS_ORIGINS: `{raw}` is not an origin like https://app.example");
    let url = Url::parse(raw).map_err(|_| refuse())?;
    let origin = url.origin();
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none() && url.username().is_empty();
    if !origin.is_tuple() || !bare || !matches!(url.scheme(), "http" | "https") {
        return Err(refuse());
    }
    HeaderValue::from_str(&origin.ascii_serialization()).map_err(|_| refuse())
}

/// A network (`10.0.0.0/8`) or one address (`192.0.2.7`, `2001:db8::1`).
pub(super) fn parse_network(setting: &str, raw: &str) -> Result<IpNet, String> {
    let raw = raw.trim();
    raw.parse::<IpNet>()
        .or_else(|_| raw.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{setting}: `{raw}` is not an IP network"))
}

fn parse_allowed(raw: &str) -> Result<IpNet, String> {
    parse_network("IP_ALLOW", raw)
}

fn parse_denied(raw: &str) -> Result<IpNet, String> {
    parse_network("IP_DENY", raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_networks_and_origins_name_their_setting() {
        assert_eq!(parse_denied("10.0.0/8").unwrap_err(), "IP_DENY: `10.0.0/8` is not an IP network");
        assert_eq!(parse_allowed("nowhere").unwrap_err(), "IP_ALLOW: `nowhere` is not an IP network");
        assert_eq!(parse_allowed(" 192.0.2.7 ").unwrap(), "192.0.2.7/32".parse::<IpNet>().unwrap());
        assert_eq!(parse_origin("https://a.example").unwrap(), "https://a.example");
        assert_eq!(parse_origin("https://a.example:8443/").unwrap(), "https://a.example:8443");
        for bad in ["a.example", "https://a.example/app", "ftp://a.example", "*"] {
            let err = parse_origin(bad).unwrap_err();
            assert!(err.starts_with("CORS_ORIGINS: ") && err.contains(bad), "{err}");
        }
    }
}
