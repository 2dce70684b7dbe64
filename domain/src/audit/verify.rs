//! Checking the chain: [`AuditLog::verify`] walks it from its start (genesis, or the retention's
//! anchor) to the head and reports the first break, if any (see the parent module's doc).

use std::fmt;

use sea_orm::{
    AccessMode, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, IsolationLevel, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use super::{
    Anchor, AuditLog, Event, GENESIS,
    hash::{is_keyed, matches},
    retention,
};
use crate::{
    Actor, Result,
    entities::{audit_event, audit_head},
    keys::Keyring,
};

/// How many rows `verify` reads at a time.
const PAGE: u64 = 1000;

/// What [`AuditLog::verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Events read.
    pub events: u64,
    /// The newest event as the head row records it: its number and hash.
    pub head_seq: i64,
    pub head_hash: String,
    /// Events whose personal data an account's erasure blanked (their chain still verified).
    pub pseudonymised: u64,
    /// Where the kept chain starts when the retention removed older events.
    pub pruned: Option<Anchor>,
    /// The first place the chain is broken, if any.
    pub broken: Option<Break>,
}

/// Where the chain breaks first, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub seq: i64,
    /// The event's code, when its row is there.
    pub event: Option<String>,
    pub problem: Breach,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breach {
    /// The row's contents do not match its hash: edited (or moved to another number).
    Edited,
    /// No row has this number; the chain goes on at `next` (none: nothing after it is left).
    Missing { next: Option<i64> },
    /// The row does not name the hash of the event before it: that event was replaced.
    Unlinked,
    /// The row is newer than the head row: it was written outside the audit log.
    NotInHead,
    /// The head row is gone.
    HeadMissing,
    /// The row's hash is not keyed: rewritten by someone without the key (or, for a log that
    /// has no keyed event at all, from before SECRET_KEYS and not yet anchored by a start).
    Unkeyed,
    /// The row's personal data is marked erased, but no account erasure covers it.
    FalselyErased,
}

impl Breach {
    /// A stable code for the kind of break (the UI words it with `admin-audit-breach-<code>`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Edited => "edited",
            Self::Missing { .. } => "missing",
            Self::Unlinked => "unlinked",
            Self::NotInHead => "not_in_head",
            Self::HeadMissing => "head_missing",
            Self::Unkeyed => "unkeyed",
            Self::FalselyErased => "falsely_erased",
        }
    }
}

impl fmt::Display for Break {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seq = self.seq;
        let event = self.event.as_deref().map(|e| format!(" ({e})")).unwrap_or_default();
        match self.problem {
            Breach::Edited => write!(f, "event {seq}{event} was edited: its contents do not match its hash"),
            Breach::Missing { next: Some(next) } => {
                write!(f, "event {seq} is missing (deleted): the chain goes on at event {next}")
            }
            Breach::Missing { next: None } => {
                write!(f, "event {seq} is missing (deleted): the newest events are gone")
            }
            Breach::Unlinked => {
                write!(f, "event {seq}{event} does not link to event {}: an event before it was replaced", seq - 1)
            }
            Breach::NotInHead => write!(f, "event {seq}{event} was written outside the audit log"),
            Breach::HeadMissing => write!(f, "the audit head row is missing"),
            Breach::Unkeyed => write!(
                f,
                "event {seq}{event} has no keyed hash: rewritten by someone without the audit key (or, if no \
                 event is keyed yet, written before SECRET_KEYS: start the app once to anchor it)"
            ),
            Breach::FalselyErased => write!(
                f,
                "event {seq}{event} is marked as erased, but no account erasure covers it: its personal data was \
                 removed or changed outside the app"
            ),
        }
    }
}

impl AuditLog {
    /// Walks the whole chain in order, in one consistent snapshot, and reports the first break.
    #[tracing::instrument(skip_all, err)]
    pub async fn verify(&self, actor: &Actor) -> Result<Report> {
        actor.require_admin()?;
        let txn = match self.db.get_database_backend() {
            DbBackend::Postgres => {
                self.db.begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly)).await?
            }
            // A read transaction in WAL mode sees one snapshot from its first read on.
            _ => self.db.begin().await?,
        };
        let report = walk(&txn, &self.keys, None).await;
        txn.rollback().await?;
        report
    }
}

/// The accounts the log says were erased: their ids and their addresses' hashes.
struct Erased {
    ids: std::collections::HashSet<Uuid>,
    emails: std::collections::HashSet<String>,
}

impl Erased {
    async fn read(txn: &DatabaseTransaction) -> Result<Self> {
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::Event.eq(Event::AccountErased.code()))
            .all(txn)
            .await?;
        let mut erased = Self { ids: Default::default(), emails: Default::default() };
        for row in rows {
            erased.ids.extend(row.user_id);
            if let Some(email) = detail(&row, "email") {
                erased.emails.insert(email);
            }
        }
        Ok(erased)
    }

    /// Whether an erasure explains the event's blanked personal data.
    fn covers(&self, row: &audit_event::Model) -> bool {
        [row.user_id, row.actor_id].into_iter().flatten().any(|id| self.ids.contains(&id))
            || detail(row, "email").is_some_and(|email| self.emails.contains(&email))
    }
}

pub(super) fn detail(row: &audit_event::Model, key: &str) -> Option<String> {
    let details: serde_json::Value = serde_json::from_str(&row.details).ok()?;
    details.get(key)?.as_str().map(str::to_owned)
}

/// Checks the chain from its start (genesis, or the retention's anchor) to the head, or only
/// `through` that event (before the retention removes them: the head is not compared then).
pub(super) async fn walk(txn: &DatabaseTransaction, keys: &Keyring, through: Option<i64>) -> Result<Report> {
    let head = audit_head::Entity::find_by_id(1).one(txn).await?;
    let Some(head) = head else {
        let broken = Break { seq: 0, event: None, problem: Breach::HeadMissing };
        let report = Report {
            events: 0,
            head_seq: 0,
            head_hash: String::new(),
            pseudonymised: 0,
            pruned: None,
            broken: Some(broken),
        };
        return Ok(report);
    };
    let anchor = retention::newest_anchor(txn).await?;
    let mut report = Report {
        events: 0,
        head_seq: head.seq,
        head_hash: head.hash.clone(),
        pseudonymised: 0,
        pruned: anchor.clone(),
        broken: None,
    };
    if let Some(anchor) = &anchor
        && anchor.seq <= anchor.through
    {
        // An anchor claiming to have removed itself would start the walk past it, unchecked.
        let event = Some(Event::AuditPruned.code().to_owned());
        report.broken = Some(Break { seq: anchor.seq, event, problem: Breach::Edited });
        return Ok(report);
    }
    let erased = Erased::read(txn).await?;
    // The chain starts at genesis, or after the last event the retention removed: the first kept
    // event must be the next one and link to its hash, or a removal the anchor does not explain
    // shows as missing events.
    let (mut last_seq, mut last_hash, mut last_event) =
        anchor.map_or((0i64, GENESIS.to_owned(), None), |a| (a.through, a.through_hash, None));
    let mut keyed_seen = false;
    loop {
        let mut page = audit_event::Entity::find().filter(audit_event::Column::Seq.gt(last_seq));
        if let Some(through) = through {
            page = page.filter(audit_event::Column::Seq.lte(through));
        }
        let rows = page.order_by_asc(audit_event::Column::Seq).limit(PAGE).all(txn).await?;
        let done = (rows.len() as u64) < PAGE;
        for row in rows {
            let at = |problem| Some(Break { seq: row.seq, event: Some(row.event.clone()), problem });
            let broken = if row.seq != last_seq + 1 {
                Some(Break { seq: last_seq + 1, event: None, problem: Breach::Missing { next: Some(row.seq) } })
            } else if row.seq > head.seq {
                at(Breach::NotInHead)
            } else if !is_keyed(&row.hash) && keyed_seen {
                at(Breach::Unkeyed)
            } else if row.pseudonymised_at.is_some() && !erased.covers(&row) {
                at(Breach::FalselyErased)
            } else if !matches(&row, keys)? {
                at(Breach::Edited)
            } else if row.prev_hash != last_hash {
                at(Breach::Unlinked)
            } else {
                None
            };
            if broken.is_some() {
                report.broken = broken;
                return Ok(report);
            }
            report.events += 1;
            report.pseudonymised += u64::from(row.pseudonymised_at.is_some());
            keyed_seen |= is_keyed(&row.hash);
            (last_seq, last_hash, last_event) = (row.seq, row.hash, Some(row.event));
        }
        if done {
            break;
        }
    }
    if let Some(through) = through {
        if last_seq < through {
            report.broken = Some(Break { seq: last_seq + 1, event: None, problem: Breach::Missing { next: None } });
        }
        return Ok(report);
    }
    if last_seq < head.seq {
        report.broken = Some(Break { seq: last_seq + 1, event: None, problem: Breach::Missing { next: None } });
    } else if last_hash != head.hash {
        // The newest row matches its own hash but not the one recorded at its append: it was
        // rewritten whole (hash included).
        report.broken = Some(Break { seq: last_seq, event: last_event, problem: Breach::Edited });
    } else if last_seq > 0 && !keyed_seen {
        // Nothing keyed covers the chain: it may be from before SECRET_KEYS, or rewritten whole
        // with plain SHA-256 by someone without the key.
        report.broken = Some(Break { seq: last_seq, event: last_event, problem: Breach::Unkeyed });
    }
    Ok(report)
}
