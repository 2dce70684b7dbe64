//! The limits, one per route group and scope, as `N/PERIOD` settings.

use std::{fmt, str::FromStr, time::Duration};

use domain::config::parse;
use serde::Deserialize;

/// At most `max` requests per `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub max: u64,
    pub period: Duration,
}

/// A limit setting: a quota, or none (`0` or `off`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(pub Option<Quota>);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not N/PERIOD (e.g. 600/min, 50/s, 5/10s), nor 0 or off for no limit")]
pub struct BadLimit(String);

impl FromStr for Limit {
    type Err = BadLimit;

    fn from_str(raw: &str) -> Result<Self, BadLimit> {
        let bad = || BadLimit(raw.to_owned());
        let text = raw.trim();
        if text == "0" || text.eq_ignore_ascii_case("off") {
            return Ok(Self(None));
        }
        let (max, period) = text.split_once('/').ok_or_else(bad)?;
        let max: u64 = max.trim().parse().map_err(|_| bad())?;
        let period = period.trim();
        // "min" means "1min": humantime wants a number before its unit.
        let period =
            if period.starts_with(|c: char| c.is_ascii_digit()) { period.to_owned() } else { format!("1{period}") };
        let period = humantime::parse_duration(&period).map_err(|_| bad())?;
        if period < Duration::from_millis(1) {
            return Err(bad());
        }
        Ok(Self((max > 0).then_some(Quota { max, period })))
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(quota) => write!(f, "{}/{}", quota.max, humantime::format_duration(quota.period)),
            None => f.write_str("off"),
        }
    }
}

/// Requests per client address (`ip`) and per signed-in account (`user`, whether by session or
/// token), for each group of routes. Counted in Redis when `REDIS_URL` is set (shared by every
/// instance), in this process otherwise.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Requests to the REST API (/api/) per client address.
    #[serde(deserialize_with = "parse::from_str")]
    pub api_ip: Limit,
    /// Requests to the REST API (/api/) per account.
    #[serde(deserialize_with = "parse::from_str")]
    pub api_user: Limit,
    /// Sign-in, sign-up, password reset and other auth routes, per client address.
    #[serde(deserialize_with = "parse::from_str")]
    pub auth_ip: Limit,
    /// The same routes per account.
    #[serde(deserialize_with = "parse::from_str")]
    pub auth_user: Limit,
    /// Other server functions (/rpc/) per client address.
    #[serde(deserialize_with = "parse::from_str")]
    pub rpc_ip: Limit,
    /// Other server functions (/rpc/) per account.
    #[serde(deserialize_with = "parse::from_str")]
    pub rpc_user: Limit,
    /// Everything else per client address.
    #[serde(deserialize_with = "parse::from_str")]
    pub pages_ip: Limit,
    /// Everything else per account.
    #[serde(deserialize_with = "parse::from_str")]
    pub pages_user: Limit,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quota(max: u64, secs: u64) -> Limit {
        Limit(Some(Quota { max, period: Duration::from_secs(secs) }))
    }

    #[test]
    fn reads_counts_per_period() {
        assert_eq!("600/min".parse(), Ok(quota(600, 60)));
        assert_eq!("50/s".parse(), Ok(quota(50, 1)));
        assert_eq!("2/1s".parse(), Ok(quota(2, 1)));
        assert_eq!(" 5 / 10s ".parse(), Ok(quota(5, 10)));
        assert_eq!("1000/hour".parse(), Ok(quota(1000, 3600)));
        assert_eq!("10/day".parse(), Ok(quota(10, 86400)));
        assert_eq!("3/500ms".parse(), Ok(Limit(Some(Quota { max: 3, period: Duration::from_millis(500) }))));
    }

    #[test]
    fn zero_and_off_mean_no_limit() {
        for raw in ["0", "off", "OFF", "0/min"] {
            assert_eq!(raw.parse(), Ok(Limit(None)), "{raw}");
        }
    }

    #[test]
    fn anything_else_is_refused_by_name() {
        for raw in ["abc", "", "10", "10/", "/min", "-1/min", "1.5/min", "10/fortnights", "10/0s"] {
            let err = raw.parse::<Limit>().unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("`{raw}` is not N/PERIOD (e.g. 600/min, 50/s, 5/10s), nor 0 or off for no limit")
            );
        }
    }
}
