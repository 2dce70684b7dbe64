//! Share links: a secret URL that lets anyone holding it download one file until it expires or
//! its owner revokes it. The secret is 256 random bits, shown once; the table keeps only its
//! SHA-256, so the links cannot be forged, guessed or read back from a copy of the database.

use std::time::Duration;

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Download, FileService};
use crate::{
    Actor, Error, Result,
    entities::{file, file_share},
    error::{Field, Problem},
    secret,
};

/// The longest a link may live.
pub const MAX_SHARE_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);
/// The shortest: anything less is a mistake.
pub const MIN_SHARE_LIFETIME: Duration = Duration::from_secs(60);

/// A share link as its owner sees it in the list (without the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareInfo {
    pub id: Uuid,
    pub file_id: Uuid,
    pub expires_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
}

impl From<file_share::Model> for ShareInfo {
    fn from(m: file_share::Model) -> Self {
        Self { id: m.id, file_id: m.file_id, expires_at: m.expires_at, created_at: m.created_at }
    }
}

/// A link just made: the only time its secret is known.
#[derive(Debug, Clone)]
pub struct NewShare {
    pub info: ShareInfo,
    pub token: String,
}

impl FileService {
    /// Makes a link to one of the user's files, valid for `lifetime`.
    pub async fn share(&self, actor: &Actor, file_id: Uuid, lifetime: Duration) -> Result<NewShare> {
        if lifetime < MIN_SHARE_LIFETIME {
            return Err(Error::invalid(Field::ExpiresIn, Problem::TooShort));
        }
        if lifetime > MAX_SHARE_LIFETIME {
            return Err(Error::invalid(Field::ExpiresIn, Problem::TooLong));
        }
        let file = self.owned(actor, file_id).await?;
        let token = secret::random_token();
        let now = OffsetDateTime::now_utc();
        let row = file_share::ActiveModel {
            id: Set(Uuid::now_v7()),
            file_id: Set(file.id),
            token_hash: Set(secret::digest(&token)),
            expires_at: Set(now + lifetime),
            created_at: Set(now),
        }
        .insert(&self.db)
        .await?;
        Ok(NewShare { info: row.into(), token })
    }

    /// The file's links that still work, newest first.
    pub async fn shares(&self, actor: &Actor, file_id: Uuid) -> Result<Vec<ShareInfo>> {
        let file = self.owned(actor, file_id).await?;
        let rows = file_share::Entity::find()
            .filter(file_share::Column::FileId.eq(file.id))
            .filter(file_share::Column::ExpiresAt.gt(OffsetDateTime::now_utc()))
            .order_by_desc(file_share::Column::CreatedAt)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(ShareInfo::from).collect())
    }

    /// Ends a link at once. Only the file's owner may.
    pub async fn revoke_share(&self, actor: &Actor, share_id: Uuid) -> Result<()> {
        let share = file_share::Entity::find_by_id(share_id).one(&self.db).await?.ok_or(Error::NotFound)?;
        self.owned(actor, share.file_id).await?;
        file_share::Entity::delete_by_id(share.id).exec(&self.db).await?;
        Ok(())
    }

    /// The file behind a link, for anyone holding it. Unknown, revoked and expired links are all
    /// `NotFound`: a stranger learns nothing from the difference.
    pub async fn download_shared(&self, token: &str) -> Result<Download> {
        let share = file_share::Entity::find()
            .filter(file_share::Column::TokenHash.eq(secret::digest(token)))
            .one(&self.db)
            .await?
            .filter(|share| share.expires_at > OffsetDateTime::now_utc())
            .ok_or(Error::NotFound)?;
        let file = file::Entity::find_by_id(share.file_id).one(&self.db).await?.ok_or(Error::NotFound)?;
        Ok(self.reader(file))
    }

    /// Removes links past their expiry; they no longer work either way.
    pub async fn purge_expired_shares(&self) -> Result<u64> {
        let result = file_share::Entity::delete_many()
            .filter(file_share::Column::ExpiresAt.lte(OffsetDateTime::now_utc()))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }
}
