//! `smartai backup`: archives of the database and the stored objects, and restoring one.

use std::fmt;

use anyhow::Context;
use domain::{
    Actor,
    backup::{ArchiveInfo, BackupError, Created, Restored, Verified},
};

use super::Lines;
use crate::{cli::BackupAction, startup::open_services};

pub(super) async fn run(config: &domain::config::Config, action: BackupAction) -> anyhow::Result<()> {
    if matches!(action, BackupAction::Restore { .. }) {
        // A restore rebuilds the database, often a fresh one: it brings the schema up first.
        crate::migrate::up_at(&config.database).await.context("backup restore: migrating the target")?;
    }
    let services = open_services(config).await?;
    let backups = &services.backups;
    // The operator at the command line.
    let operator = &Actor::System;
    let fail = |e: BackupError| anyhow::anyhow!("backup: {e}");
    let result = match action {
        BackupAction::Create { with_objects } => {
            backups.create(operator, with_objects).await.map(|created| println!("{}", Written(&created))).map_err(fail)
        }
        BackupAction::List => {
            backups.list(operator).await.map(|archives| println!("{}", Archives(&archives))).map_err(fail)
        }
        BackupAction::Prune => backups
            .prune(operator)
            .await
            .map(|deleted| println!("{}", Pruned { deleted: &deleted, keep: backups.config().keep }))
            .map_err(fail),
        BackupAction::Verify { archive, archive_only } => match backups.verify(operator, &archive, !archive_only).await
        {
            Ok(verified) => {
                println!("{}", Checked { archive: &archive, verified: &verified, archive_only });
                if verified.problems.is_empty() {
                    Ok(())
                } else {
                    for problem in &verified.problems {
                        eprintln!("problem: {problem}");
                    }
                    Err(anyhow::anyhow!("{} problem(s) found in {archive}", verified.problems.len()))
                }
            }
            Err(e) => Err(fail(e)),
        },
        BackupAction::Restore { archive, force } => match backups.restore(operator, &archive, force).await {
            Ok(restored) => {
                // Running instances (told through Redis) must not trust what they cached before.
                services.sessions.forget_everything().await;
                println!("{}", Rebuilt { archive: &archive, restored: &restored });
                if restored.problems.is_empty() {
                    Ok(())
                } else {
                    for problem in &restored.problems {
                        eprintln!("problem: {problem}");
                    }
                    Err(anyhow::anyhow!(
                        "the database is restored, but {} object(s) are missing or differ in storage",
                        restored.problems.len()
                    ))
                }
            }
            Err(e) => Err(fail(e)),
        },
    };
    services.close().await;
    result
}

/// The archive `backup create` wrote: its name alone on the first line, for scripts.
struct Written<'a>(&'a Created);

impl fmt::Display for Written<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let created = self.0;
        writeln!(f, "{}", created.name)?;
        write!(
            f,
            "{} tables, {} rows, {} objects ({} bytes, {}), archive {} bytes, {:.2}s",
            created.tables,
            created.rows,
            created.objects,
            created.object_bytes,
            if created.objects_included { "included" } else { "listed with checksums" },
            created.bytes,
            created.elapsed.as_secs_f64()
        )
    }
}

/// The archives in BACKUP_URL, with their sizes, then how many there are.
struct Archives<'a>(&'a [ArchiveInfo]);

impl fmt::Display for Archives<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Lines::new(f);
        for archive in self.0 {
            out.line(format_args!("{:>14}  {}", archive.bytes, archive.name))?;
        }
        out.line(format_args!("{} archive(s)", self.0.len()))
    }
}

/// The archives `backup prune` deleted.
struct Pruned<'a> {
    deleted: &'a [String],
    keep: u32,
}

impl fmt::Display for Pruned<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Lines::new(f);
        for name in self.deleted {
            out.line(format_args!("deleted {name}"))?;
        }
        out.line(format_args!("{} archive(s) deleted, {} kept at most", self.deleted.len(), self.keep))
    }
}

/// What `backup verify` read from the manifest and, when nothing is wrong, that it is intact (the
/// problems go to standard error).
struct Checked<'a> {
    archive: &'a str,
    verified: &'a Verified,
    archive_only: bool,
}

impl fmt::Display for Checked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (manifest, mut out) = (&self.verified.manifest, Lines::new(f));
        out.line(format_args!(
            "archive {}: written {} by smartai {} from {}, {} tables, {} rows, {} objects",
            self.archive,
            manifest.created_at,
            manifest.app_version,
            manifest.source,
            manifest.tables.len(),
            manifest.rows(),
            manifest.objects.len()
        ))?;
        if self.verified.problems.is_empty() {
            out.line(format_args!(
                "{}",
                if self.archive_only { "the archive is intact" } else { "the archive and storage are intact" }
            ))?;
        }
        Ok(())
    }
}

/// What `backup restore` put back and, when nothing is missing, that storage matches (the
/// problems go to standard error).
struct Rebuilt<'a> {
    archive: &'a str,
    restored: &'a Restored,
}

impl fmt::Display for Rebuilt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (restored, mut out) = (self.restored, Lines::new(f));
        if restored.wiped_rows > 0 {
            out.line(format_args!("wiped {} rows that were in the database (--force)", restored.wiped_rows))?;
        }
        out.line(format_args!(
            "restored {} rows into {} tables and {} objects from {} in {:.2}s",
            restored.rows,
            restored.manifest.tables.len(),
            restored.objects_restored,
            self.archive,
            restored.elapsed.as_secs_f64()
        ))?;
        if restored.problems.is_empty() {
            out.line(format_args!(
                "all {} objects of the archive are in storage with their checksums",
                restored.manifest.objects.len()
            ))?;
        }
        Ok(())
    }
}
