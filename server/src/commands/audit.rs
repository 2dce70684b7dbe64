//! `smartai audit`: verifying the audit log's hash chain, and reading it.

use std::fmt;

use domain::{
    Actor,
    audit::{AuditEntry, Report},
};

use super::Lines;
use crate::{cli::AuditAction, startup::open_services};

pub(super) async fn run(config: &domain::config::Config, action: AuditAction) -> anyhow::Result<()> {
    let services = open_services(config).await?;
    let log = &services.audit;
    let result = match action {
        AuditAction::Verify => match log.verify(&Actor::System).await {
            Ok(report) => match &report.broken {
                None => {
                    println!("{}", Intact(&report));
                    Ok(())
                }
                Some(broken) => {
                    Err(anyhow::anyhow!("audit log broken: {broken} ({} events before it are intact)", report.events))
                }
            },
            Err(e) => Err(anyhow::anyhow!("audit verify failed: {e}")),
        },
        AuditAction::List { user, limit } => match log.list(&Actor::System, user.as_deref(), limit).await {
            Ok(events) => {
                for event in &events {
                    println!("{}", Listed(event));
                }
                Ok(())
            }
            Err(domain::Error::Invalid { field: domain::error::Field::Email, .. }) => {
                Err(anyhow::anyhow!("--user: no account has this e-mail address"))
            }
            Err(e) => Err(anyhow::anyhow!("audit list failed: {e}")),
        },
    };
    services.close().await;
    result
}

/// An intact chain: how long it is, its head, and where the retention made it start.
struct Intact<'a>(&'a Report);

impl fmt::Display for Intact<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (report, mut out) = (self.0, Lines::new(f));
        out.line(format_args!("audit log intact: {} events", report.events))?;
        out.line(format_args!("head: event {}, hash {}", report.head_seq, report.head_hash))?;
        if let Some(anchor) = &report.pruned {
            out.line(format_args!(
                "events 1 to {} removed by retention (AUDIT_RETENTION), as event {} records: the chain starts \
                 after it",
                anchor.through, anchor.seq
            ))?;
        }
        Ok(())
    }
}

/// One event of `audit list`, on one line; a dash where a value is absent.
struct Listed<'a>(&'a AuditEntry);

impl fmt::Display for Listed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.0;
        let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
        write!(
            f,
            "{:>6}  {}  {:<18}  user {}  actor {}  ip {}  request {}  {}  {}",
            e.seq,
            utc(e.created_at),
            e.event,
            or_dash(e.user_id.map(|id| id.to_string())),
            or_dash(e.actor_id.map(|id| id.to_string())),
            or_dash(e.ip.clone()),
            or_dash(e.request_id.clone()),
            e.details,
            e.user_agent.as_deref().unwrap_or_default(),
        )
    }
}

fn utc(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}
