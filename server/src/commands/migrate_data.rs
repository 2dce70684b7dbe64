//! `smartai migrate-data`: copying every row of one database into another (SQLite to PostgreSQL).

use std::fmt;

use anyhow::{Context, bail};
use domain::{
    backup::TableCopy,
    config::{Config, DatabaseUrl},
    db,
};

use super::Lines;

pub(super) async fn run(config: &Config, from: DatabaseUrl, to: DatabaseUrl, force: bool) -> anyhow::Result<()> {
    if from == to {
        bail!("--from and --to are the same database");
    }
    let open = |url: DatabaseUrl| {
        let mut database = config.database.clone();
        database.url = Some(url);
        async move { db::connect(&database).await }
    };
    let source = open(from.clone()).await.context("--from")?;
    let target = open(to.clone()).await.context("--to")?;
    // The source must be at this binary's schema for its rows to fit the entities.
    crate::migrate::up(&source).await.context("--from: migrating")?;
    crate::migrate::up(&target).await.context("--to: migrating")?;
    let started = std::time::Instant::now();
    let tables = domain::backup::copy_database(&source, &target, force)
        .await
        .map_err(|e| anyhow::anyhow!("migrate-data: {e}"))?;
    let copied = Copied { tables: &tables, from: &from, to: &to, elapsed: started.elapsed() };
    println!("{copied}");
    let _ = source.close().await;
    let _ = target.close().await;
    let mismatches = copied.mismatches();
    if mismatches > 0 {
        bail!("{mismatches} table(s) have different row counts");
    }
    Ok(())
}

/// Every table's rows on both sides, the ones that differ marked, then the total.
struct Copied<'a> {
    tables: &'a [TableCopy],
    from: &'a DatabaseUrl,
    to: &'a DatabaseUrl,
    elapsed: std::time::Duration,
}

impl Copied<'_> {
    fn mismatches(&self) -> usize {
        self.tables.iter().filter(|table| table.source_rows != table.target_rows).count()
    }
}

impl fmt::Display for Copied<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Lines::new(f);
        out.line(format_args!("{:<28} {:>10} {:>10}", "table", "source", "target"))?;
        for table in self.tables {
            let mark = if table.source_rows == table.target_rows { "" } else { "  MISMATCH" };
            out.line(format_args!("{:<28} {:>10} {:>10}{mark}", table.name, table.source_rows, table.target_rows))?;
        }
        let rows: u64 = self.tables.iter().map(|t| t.target_rows).sum();
        out.line(format_args!(
            "copied {rows} rows in {} tables from {} to {} in {:.2}s",
            self.tables.len(),
            self.from,
            self.to,
            self.elapsed.as_secs_f64()
        ))
    }
}
