//! One request writes to an upload at a time: the row's lease, taken with the offset it writes
//! at, renewed as the bytes come, released at the end (or left to run out with a dead process).

use std::time::Duration;

use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, sea_query::Expr};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{UploadError, to_i64};
use crate::{entities::resumable_upload as upload, files::FileService};

/// How long a request's hold on an upload lasts unless renewed, and how often it is renewed.
const LEASE: Duration = Duration::from_secs(10);
pub(super) const RENEW_EVERY: Duration = Duration::from_secs(3);

impl FileService {
    /// Takes the lease of the owner's unfinished, unexpired upload at `offset` if no live request
    /// holds it, and returns the upload as it then stands: one statement, as every chunk pays it.
    pub(super) async fn lock_upload(
        &self,
        owner: Uuid,
        id: Uuid,
        offset: u64,
        token: Uuid,
    ) -> Result<Option<upload::Model>, UploadError> {
        let now = OffsetDateTime::now_utc();
        let lock = upload::Entity::update_many()
            .col_expr(upload::Column::LockToken, Expr::value(token))
            .col_expr(upload::Column::LockedUntil, Expr::value(now + LEASE))
            .filter(upload::Column::Id.eq(id))
            .filter(upload::Column::OwnerId.eq(owner))
            .filter(upload::Column::UploadOffset.eq(to_i64(offset)))
            .filter(upload::Column::FileId.is_null())
            .filter(upload::Column::ExpiresAt.gt(now))
            .filter(Condition::any().add(upload::Column::LockToken.is_null()).add(upload::Column::LockedUntil.lt(now)));
        Ok(lock.exec_with_returning(&self.db).await?.pop())
    }

    /// Extends the lease; `Locked` when it was lost (it ran out and another request took it).
    pub(super) async fn renew_lease(&self, id: Uuid, token: Uuid) -> Result<(), UploadError> {
        let renewed = upload::Entity::update_many()
            .col_expr(upload::Column::LockedUntil, Expr::value(OffsetDateTime::now_utc() + LEASE))
            .filter(upload::Column::Id.eq(id))
            .filter(upload::Column::LockToken.eq(token))
            .exec(&self.db)
            .await?;
        if renewed.rows_affected == 1 { Ok(()) } else { Err(UploadError::Locked) }
    }

    pub(super) async fn release_lease(&self, id: Uuid, token: Uuid) -> Result<(), UploadError> {
        upload::Entity::update_many()
            .col_expr(upload::Column::LockToken, Expr::value(Option::<Uuid>::None))
            .col_expr(upload::Column::LockedUntil, Expr::value(Option::<OffsetDateTime>::None))
            .filter(upload::Column::Id.eq(id))
            .filter(upload::Column::LockToken.eq(token))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
