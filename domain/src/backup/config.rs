//! The backup settings: where archives go (`BACKUP_URL`), when the scheduled backup runs and
//! how many archives it keeps.

use std::str::FromStr;

use clap::Args;

use crate::storage::StorageUrl;

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Backups")]
pub struct BackupConfig {
    /// Where backup archives go: a folder (path or file:///folder), or s3://bucket/prefix (with the
    /// S3_* settings of storage). Defaults to DATA_DIR/backups.
    #[arg(id = "backup_url", long = "backup-url", env = "BACKUP_URL", value_name = "BACKUP_URL", global = true)]
    pub url: Option<BackupUrl>,

    /// When the scheduled backup runs: a cron expression with seconds, in UTC; empty turns it off.
    /// The default, 02:30 nightly, is after the day's traffic and before the 03:00 retention job,
    /// so the two do not compete for the database.
    #[arg(long = "backup-schedule", env = "BACKUP_SCHEDULE", value_name = "BACKUP_SCHEDULE",
          default_value = "0 30 2 * * *", value_parser = parse_schedule, global = true)]
    pub schedule: String,

    /// How many archives the scheduled backup keeps; older ones are deleted.
    #[arg(long = "backup-keep", env = "BACKUP_KEEP", value_name = "BACKUP_KEEP", default_value_t = 7,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub keep: u32,
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
