//! A deletion the owner asked for waits out its grace period (`DeletionService::request`); the
//! owner proving who they are again, any way of signing in, calls it off. It lives with the
//! sign-ins that call it rather than in `deletion`, which builds on accounts.

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait, sea_query::Expr};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Result,
    audit::{AuditLog, Context, Event},
    entities::user,
    sessions::ClientInfo,
};

/// The owner proved who they are (any way of signing in): a pending deletion is off.
/// Returns whether there was one.
pub(crate) async fn cancel_on_sign_in(
    db: &DatabaseConnection,
    audit: &AuditLog,
    user_id: Uuid,
    client: &ClientInfo,
) -> Result<bool> {
    let txn = db.begin().await?;
    let cancelled = user::Entity::update_many()
        .col_expr(user::Column::DeletionDueAt, Expr::value(Option::<OffsetDateTime>::None))
        .col_expr(user::Column::Version, crate::concurrency::next(user::Column::Version))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::DeletionDueAt.is_not_null())
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if cancelled {
        audit.record_in(&txn, Event::DeletionCancelled, Context::own(user_id, client)).await?;
        tracing::info!(%user_id, "account deletion cancelled by signing in");
    }
    txn.commit().await?;
    Ok(cancelled)
}
