//! `smartai storage`: rebuilding the search passages, and checking the rows against the objects.

use std::fmt;

use anyhow::bail;
use domain::{Actor, files::ConsistencyReport};

use super::Lines;
use crate::startup::open_services;

pub(super) async fn reindex(config: &domain::config::Config) -> anyhow::Result<()> {
    let services = open_services(config).await?;
    let result = services.files.reindex_passages(&Actor::System).await;
    services.close().await;
    let (files, passages) = result.map_err(|e| anyhow::anyhow!("reindexing failed: {e}"))?;
    println!("{files} files, {passages} passages");
    Ok(())
}

pub(super) async fn check(config: &domain::config::Config, fix: bool) -> anyhow::Result<()> {
    let services = open_services(config).await?;
    let report =
        services.files.check(&Actor::System, fix).await.map_err(|e| anyhow::anyhow!("storage check failed: {e}"))?;
    services.close().await;
    let checked = Checked { report: &report, fix };
    println!("{checked}");
    let found = checked.found();
    if found > 0 && !fix {
        bail!("{found} inconsistencies; `smartai storage check --fix` removes them");
    }
    Ok(())
}

/// Each inconsistency on a line, then that there were none or, with `--fix`, what was removed.
struct Checked<'a> {
    report: &'a ConsistencyReport,
    fix: bool,
}

impl Checked<'_> {
    fn found(&self) -> usize {
        let report = self.report;
        report.orphan_objects.len() + report.missing_objects.len() + report.missing_avatars.len()
    }
}

impl fmt::Display for Checked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (report, mut out) = (self.report, Lines::new(f));
        for key in &report.orphan_objects {
            out.line(format_args!("orphan object   {key}"))?;
        }
        for (id, key) in &report.missing_objects {
            out.line(format_args!("missing object  {key}  (file {id})"))?;
        }
        for user in &report.missing_avatars {
            out.line(format_args!("missing avatar  (user {user})"))?;
        }
        match (self.found(), self.fix) {
            (0, _) => out.line(format_args!("storage is consistent")),
            (_, true) => out.line(format_args!(
                "removed {} orphan object(s), {} file(s) without bytes and {} avatar(s) without images",
                report.orphan_objects.len(),
                report.missing_objects.len(),
                report.missing_avatars.len()
            )),
            // The command fails, saying how many and how to remove them.
            (_, false) => Ok(()),
        }
    }
}
