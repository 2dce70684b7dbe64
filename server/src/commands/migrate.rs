//! `smartai migrate`: applying, reverting and listing the schema's migrations.

use std::fmt;

use domain::db;

use super::Lines;
use crate::{cli::MigrateAction, migrate::Schema};

pub(super) async fn run(config: &domain::config::Config, action: MigrateAction) -> anyhow::Result<()> {
    let connection = db::connect(&config.database).await?;
    let result = match action {
        MigrateAction::Up => {
            crate::migrate::up(&connection).await.map(|before| println!("{}", Applied(&before.pending)))
        }
        MigrateAction::Down { steps } => {
            crate::migrate::down(&connection, steps).await.map(|()| println!("reverted {steps} migration(s)"))
        }
        MigrateAction::Status => crate::migrate::schema(&connection).await.map(|schema| {
            // Never empty: each migration this binary knows is applied or pending.
            println!("{}", Status(&schema));
        }),
    };
    let _ = connection.close().await;
    result
}

/// The migrations `migrate up` applied now, then that the database is up to date.
struct Applied<'a>(&'a [String]);

impl fmt::Display for Applied<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Lines::new(f);
        for name in self.0 {
            out.line(format_args!("applied  {name}"))?;
        }
        out.line(format_args!("database is up to date ({} migration(s) applied now)", self.0.len()))
    }
}

/// Every migration by name, each `applied`, `pending` or `unknown` (recorded in the database by a
/// newer smartai: the schema is ahead). Scripts split each line at its two spaces.
struct Status<'a>(&'a Schema);

impl fmt::Display for Status<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let schema = self.0;
        let mut lines: Vec<(&str, &str)> = schema
            .applied
            .iter()
            .map(|n| ("applied", n.as_str()))
            .chain(schema.pending.iter().map(|n| ("pending", n.as_str())))
            .chain(schema.unknown.iter().map(|n| ("unknown", n.as_str())))
            .collect();
        lines.sort_by_key(|(_, name)| *name);
        let mut out = Lines::new(f);
        for (state, name) in lines {
            out.line(format_args!("{state}  {name}"))?;
        }
        Ok(())
    }
}
