//! The backup settings: where archives go (`BACKUP_URL`), when the scheduled backup runs and
//! how many archives it keeps.

use std::str::FromStr;

use serde::Deserialize;

use crate::storage::StorageUrl;

/// The settings `BACKUP_*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupConfig {
    /// Where backup archives go. Defaults to DATA_DIR/backups.
    #[serde(default, deserialize_with = "crate::config::parse::some")]
    pub url: Option<BackupUrl>,
    /// When the scheduled backup runs: a cron expression with seconds, in UTC; empty turns it off.
    #[serde(deserialize_with = "schedule")]
    pub schedule: String,
    /// How many archives the scheduled backup keeps (at least 1).
    #[serde(deserialize_with = "keep")]
    pub keep: u32,
}

fn schedule<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    crate::config::parse::with(deserializer, parse_schedule)
}

fn keep<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    crate::config::parse::with(deserializer, parse_keep)
}

/// A count of at least one.
fn parse_keep(raw: &str) -> Result<u32, String> {
    match raw.parse::<u32>().map_err(|e| e.to_string())? {
        0 => Err(format!("0 is not in 1..={}", u32::MAX)),
        keep => Ok(keep),
    }
}

fn parse_schedule(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if !raw.is_empty() {
        cron::Schedule::from_str(raw).map_err(|e| format!("not a cron expression with seconds ({e})"))?;
    }
    Ok(raw.to_owned())
}

/// A parsed `BACKUP_URL`: a plain path is a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupUrl(pub(super) StorageUrl);

impl FromStr for BackupUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.contains("://") {
            return s.parse().map(Self);
        }
        if s.trim().is_empty() {
            return Err("an empty location".into());
        }
        Ok(Self(StorageUrl::Folder(s.to_owned())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parses_backup_locations() {
        assert_eq!("./data/backups".parse(), Ok(BackupUrl(StorageUrl::Folder("./data/backups".into()))));
        assert_eq!(
            "s3://bucket/backups".parse(),
            Ok(BackupUrl(StorageUrl::S3 { bucket: "bucket".into(), prefix: Some("backups".into()) }))
        );
        assert!("ftp://host/x".parse::<BackupUrl>().unwrap_err().contains("ftp"));
        assert!("".parse::<BackupUrl>().is_err());
    }

    #[test]
    fn schedules_are_cron_with_seconds_or_empty() {
        assert_eq!(parse_schedule(""), Ok(String::new()));
        assert!(parse_schedule("0 30 2 * * *").is_ok());
        assert!(parse_schedule("every night").is_err());
    }
}
