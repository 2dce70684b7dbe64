//! The bytes each user's files take, kept in `storage_usage` and changed in the transaction that
//! adds or removes a file's row, so that uploads at once can never pass the quota together.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

use super::FileService;
use crate::{Actor, Result, entities::storage_usage};

impl FileService {
    /// Bytes the user's files take (what [`FileService::upload`] reserved for them).
    pub async fn usage(&self, actor: &Actor) -> Result<u64> {
        let owner = actor.user_id()?;
        let row = storage_usage::Entity::find_by_id(owner).one(&self.db).await?;
        Ok(row.map_or(0, |u| u64::try_from(u.used).unwrap_or_default()))
    }

    /// Reserves `size` bytes of the owner's quota, as part of `txn`: one conditional statement,
    /// so two uploads in parallel cannot both take the last free bytes. `false` when they do not
    /// fit. (The first statement of the transaction writes, so SQLite takes its write lock at
    /// once instead of failing to upgrade a read.)
    pub(super) async fn reserve<C: ConnectionTrait>(&self, txn: &C, owner: Uuid, size: u64) -> Result<bool> {
        let size = i64::try_from(size).unwrap_or(i64::MAX);
        let quota = i64::try_from(self.quota).unwrap_or(i64::MAX);
        storage_usage::Entity::insert(storage_usage::ActiveModel { user_id: Set(owner), used: Set(0) })
            .on_conflict(OnConflict::column(storage_usage::Column::UserId).do_nothing().to_owned())
            .exec_without_returning(txn)
            .await?;
        let reserved = storage_usage::Entity::update_many()
            .col_expr(storage_usage::Column::Used, Expr::col(storage_usage::Column::Used).add(size))
            .filter(storage_usage::Column::UserId.eq(owner))
            .filter(Expr::expr(Expr::col(storage_usage::Column::Used).add(size)).lte(quota))
            .exec(txn)
            .await?;
        Ok(reserved.rows_affected == 1)
    }

    /// Gives back the bytes of a file whose row is gone.
    pub(super) async fn release<C: ConnectionTrait>(txn: &C, owner: Uuid, size: i64) -> Result<()> {
        storage_usage::Entity::update_many()
            .col_expr(storage_usage::Column::Used, Expr::col(storage_usage::Column::Used).sub(size))
            .filter(storage_usage::Column::UserId.eq(owner))
            .exec(txn)
            .await?;
        Ok(())
    }
}
