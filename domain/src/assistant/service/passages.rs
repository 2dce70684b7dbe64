//! A file's passages, the text the assistant searches, stored when the file is processed.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use uuid::Uuid;

use crate::{Result, assistant::chunking, entities::passage};

/// Passages written per statement (SQLite allows a limited number of bound values).
const INSERT_BATCH: usize = 100;

/// Replaces the passages of a file with those of `text` (its extracted text). Running it again
/// with the same text leaves the same passages, so the at-least-once processing job may.
pub async fn store_passages<C>(db: &C, owner: Uuid, file_id: Uuid, text: &str) -> Result<usize>
where
    C: ConnectionTrait + TransactionTrait,
{
    let passages = chunking::passages(text);
    let txn = db.begin().await?;
    passage::Entity::delete_many().filter(passage::Column::FileId.eq(file_id)).exec(&txn).await?;
    for (batch_number, batch) in passages.chunks(INSERT_BATCH).enumerate() {
        let rows = batch.iter().enumerate().map(|(i, text)| passage::ActiveModel {
            owner_id: Set(owner),
            file_id: Set(file_id),
            ordinal: Set(i32::try_from(batch_number * INSERT_BATCH + i).unwrap_or(i32::MAX)),
            text: Set(text.clone()),
            ..Default::default()
        });
        passage::Entity::insert_many(rows).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    Ok(passages.len())
}
