//! Optimistic concurrency for the rows a caller reads and then changes: accounts (`users`) and
//! files. Each row counts its changes in `version`, and every update adds one in the statement
//! that writes it (`version = version + 1`, never a number computed from a read, so two writers
//! can never leave two different rows at the same version). An update based on what the caller
//! read names the version it saw and writes with `UPDATE … WHERE id = ? AND version = ?`: when
//! another change came first no row matches, nothing is written, and the caller gets
//! [`Error::StaleVersion`]. The REST API's ETags are these versions, so its `If-Match` is checked
//! by the write itself, not by a read before it.
//!
//! What bumps a version: every change of the row that its owner (or an administrator) can see
//! or that decides what they may do (name, language, avatar, role, suspension, password, pending
//! deletion, a file's name). Bookkeeping nobody reads back does not (a file marked processed, a
//! row locked with a no-op write), so an ETag a client holds is not made stale by a background
//! job.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Iterable, PrimaryKeyToColumn, QueryFilter, UpdateMany,
    sea_query::{Expr, SimpleExpr},
};
use uuid::Uuid;

use crate::{Error, Result};

/// The version a row is created at. No row is ever at a lower one.
pub const FIRST_VERSION: i64 = 1;

/// [`FIRST_VERSION`], for serde's `default` (archives made before the column existed).
pub(crate) fn first_version() -> i64 {
    FIRST_VERSION
}

/// The next version, computed by the database from the stored one.
pub(crate) fn next<C: ColumnTrait>(version: C) -> SimpleExpr {
    Expr::col(version).add(1)
}

/// [`Error::StaleVersion`] when the caller based its change on another version than `stored`;
/// nothing to check when it named none.
pub(crate) fn check(expected: Option<i64>, stored: i64) -> Result<()> {
    match expected {
        Some(expected) if expected != stored => Err(Error::StaleVersion),
        _ => Ok(()),
    }
}

/// Writes `changes` (an `UPDATE` of `E`'s columns, without a `WHERE`) to the row `id`, with its
/// version bumped and, when the caller named a version, only while the row is still at it: one
/// statement, `UPDATE … SET …, version = version + 1 WHERE id = ? [AND version = ?] RETURNING *`.
/// The row as written; [`Error::StaleVersion`] when another change came first, `gone` when there
/// is no such row.
pub(crate) async fn write<E, C>(
    conn: &C,
    id: Uuid,
    changes: UpdateMany<E>,
    version: E::Column,
    expected: Option<i64>,
    gone: Error,
) -> Result<E::Model>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let key = E::PrimaryKey::iter().next().expect("an entity has a primary key").into_column();
    let mut update = changes.col_expr(version, next(version)).filter(key.eq(id));
    if let Some(expected) = expected {
        update = update.filter(version.eq(expected));
    }
    if let Some(written) = update.exec_with_returning(conn).await?.pop() {
        return Ok(written);
    }
    // No row matched: with a version named, the row may still be there at another one.
    let still_there = expected.is_some() && E::find().filter(key.eq(id)).one(conn).await?.is_some();
    Err(if still_there { Error::StaleVersion } else { gone })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_based_on_another_version_is_stale() {
        assert!(check(None, 7).is_ok());
        assert!(check(Some(7), 7).is_ok());
        assert!(matches!(check(Some(6), 7), Err(Error::StaleVersion)));
        assert!(matches!(check(Some(8), 7), Err(Error::StaleVersion)));
    }
}
