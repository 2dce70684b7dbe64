//! Removing the oldest audit events (`AUDIT_RETENTION`) without making the chain unverifiable.
//!
//! A removal always takes a prefix of the chain: every event up to the last one older than the
//! limit, never a gap. In the same transaction the log appends an `audit_pruned` event naming the
//! last event removed (`through`) and its hash. That event is itself in the keyed chain, so only
//! the app can write one; [`super::AuditLog::verify`] starts from the newest such anchor, and the
//! first kept event must be `through + 1` and link to `through_hash`. A removal the anchor does not
//! explain (more old events, a middle one, the newest) still shows, as before: missing events, a
//! broken link, or a head the rows do not reach.
//!
//! Pseudonymised events: one is accepted only while an `account_erased` event covers it. That
//! event is appended after the events it blanks (in the erasure's transaction, behind the head
//! lock), so it always has a higher number than they do; since removals take a prefix, an erasure
//! is only ever removed together with every event it explains. Nothing needs to be kept back.
//!
//! Before removing, the events to remove are verified: a removal must not erase the evidence of
//! tampering, so a broken prefix is left in place and the job fails, naming the break.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Statement,
    TransactionTrait,
};
use time::OffsetDateTime;

use super::{
    AuditLog, Context, Event,
    verify::{detail, walk},
};
use crate::{Actor, Error, Result, entities::audit_event, sessions::ClientInfo};

/// Where the kept chain starts: the `audit_pruned` event that records it, and the last event
/// removed (every event up to it is gone; numbers start at 1, so `through` were removed in all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    /// The `audit_pruned` event's number.
    pub seq: i64,
    /// The last event removed.
    pub through: i64,
    /// Its hash, which the first kept event links to.
    pub through_hash: String,
    /// How many events this removal took (the ones before it, by older anchors, not counted).
    pub removed: u64,
}

impl AuditLog {
    /// Removes the events older than `age` (the nightly retention job); see [`Self::prune_before`].
    pub async fn prune_older_than(&self, age: std::time::Duration) -> Result<Option<Anchor>> {
        self.prune_before(OffsetDateTime::now_utc() - age).await
    }

    /// Removes every event up to the last one before the first written at `before` or later, and
    /// records the anchor (see the module's doc), in one transaction. Nothing when no event is
    /// that old; an error, removing nothing, when the events to remove do not verify.
    #[tracing::instrument(skip_all, err)]
    pub async fn prune_before(&self, before: OffsetDateTime) -> Result<Option<Anchor>> {
        let txn = self.db.begin().await?;
        // Lock the head first, as appends do: no event is added while the prefix is chosen,
        // checked and removed. (On PostgreSQL an erasure that already blanked rows to remove and
        // now waits for the head can deadlock with this; the database ends one of the two, and
        // both are jobs that run again.)
        let head = Statement::from_string(
            txn.get_database_backend(),
            "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq",
        );
        let head = txn.query_one(head).await?.ok_or_else(|| anyhow::anyhow!("the audit head row is missing"))?;
        let head_seq: i64 = head.try_get("", "seq")?;
        // Walks the primary key from the oldest event and stops at the first one to keep.
        let first_kept = audit_event::Entity::find()
            .filter(audit_event::Column::CreatedAt.gte(before))
            .order_by_asc(audit_event::Column::Seq)
            .one(&txn)
            .await?;
        let through = first_kept.map_or(head_seq, |row| row.seq - 1);
        let start = newest_anchor(&txn).await?.map_or(0, |anchor| anchor.through);
        if through <= start {
            txn.rollback().await?;
            return Ok(None);
        }
        if let Some(broken) = walk(&txn, &self.keys, Some(through)).await?.broken {
            txn.rollback().await?;
            return Err(Error::Unexpected(anyhow::anyhow!(
                "audit events up to {through} were not removed: they do not verify ({broken}); run `smartai audit \
                 verify` and look into it first"
            )));
        }
        let last = audit_event::Entity::find_by_id(through)
            .one(&txn)
            .await?
            .ok_or_else(|| anyhow::anyhow!("audit event {through} vanished while it was being removed"))?;
        let removed =
            audit_event::Entity::delete_many().filter(audit_event::Column::Seq.lte(through)).exec(&txn).await?;
        let client = ClientInfo::default();
        let context = Context::about(None, &Actor::System, &client)
            .detail("through", through)
            .detail("through_hash", last.hash.clone())
            .detail("removed", removed.rows_affected)
            .detail("before", before.format(&time::format_description::well_known::Rfc3339).unwrap_or_default());
        let seq = self.record_in(&txn, Event::AuditPruned, context).await?;
        txn.commit().await?;
        tracing::info!(removed = removed.rows_affected, through, anchor = seq, "audit log: old events removed");
        Ok(Some(Anchor { seq, through, through_hash: last.hash, removed: removed.rows_affected }))
    }
}

/// The anchor that removed the most: the kept chain starts after it. Anchors whose details do not
/// read are skipped here; the walk reaches them and reports them as edited.
pub(super) async fn newest_anchor(txn: &DatabaseTransaction) -> Result<Option<Anchor>> {
    let rows =
        audit_event::Entity::find().filter(audit_event::Column::Event.eq(Event::AuditPruned.code())).all(txn).await?;
    let anchors = rows.into_iter().filter_map(|row| {
        let details: serde_json::Value = serde_json::from_str(&row.details).ok()?;
        let through = details.get("through")?.as_i64()?;
        let through_hash = detail(&row, "through_hash")?;
        let removed = details.get("removed").and_then(serde_json::Value::as_u64).unwrap_or_default();
        Some(Anchor { seq: row.seq, through, through_hash, removed })
    });
    Ok(anchors.max_by_key(|anchor| anchor.through))
}
