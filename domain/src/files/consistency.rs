//! The storage check (`smartai storage check`): the rows and the objects compared.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait, sea_query::Expr};
use uuid::Uuid;

use super::FileService;
use crate::{
    Actor, Error, Result,
    entities::{data_export, file, user},
};

/// What `smartai storage check` found: objects no row points at, and rows whose object is gone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsistencyReport {
    pub orphan_objects: Vec<String>,
    /// Files whose bytes are gone: (file id, object key).
    pub missing_objects: Vec<(Uuid, String)>,
    /// Users whose avatar images are gone.
    pub missing_avatars: Vec<Uuid>,
}

impl FileService {
    /// Compares the rows (files and avatars) with the objects. With `fix`, removes orphan objects
    /// and the rows whose bytes are gone (both are invisible or broken for users already).
    pub async fn check(&self, actor: &Actor, fix: bool) -> Result<ConsistencyReport> {
        use std::collections::HashSet;

        if !matches!(actor, Actor::System) {
            return Err(Error::Forbidden);
        }
        let listing = |prefix: &'static str| async move {
            self.storage
                .list(prefix)
                .await
                .map_err(|err| Error::Unexpected(anyhow::Error::new(err).context("listing stored objects")))
        };
        let rows = file::Entity::find().all(&self.db).await?;
        let avatars: Vec<(Uuid, Uuid)> = user::Entity::find()
            .filter(user::Column::AvatarId.is_not_null())
            .all(&self.db)
            .await?
            .into_iter()
            .filter_map(|u| Some((u.id, u.avatar_id?)))
            .collect();
        let objects = listing("files").await?;
        let avatar_objects = listing("avatars").await?;
        let upload_objects = listing("uploads").await?;
        let derived_objects = listing("derived").await?;
        let export_objects = listing("exports").await?;
        let exports: HashSet<String> =
            data_export::Entity::find().all(&self.db).await?.into_iter().map(|e| e.object_key).collect();
        let uploads = self.uploads_in_progress().await?;
        let upload_of = |key: &str| key.split('/').nth(1).and_then(|id| id.parse::<Uuid>().ok());

        let known: HashSet<&str> = rows.iter().map(|r| r.object_key.as_str()).collect();
        let file_ids: HashSet<Uuid> = rows.iter().map(|r| r.id).collect();
        let derived_from = |key: &str| key.split('/').nth(1).and_then(|id| id.parse::<Uuid>().ok());
        let stored: HashSet<&str> = objects.iter().map(String::as_str).collect();
        let known_avatars: HashSet<String> = avatars.iter().map(|(_, avatar)| avatar.to_string()).collect();
        let avatar_of = |key: &str| key.split('/').nth(1).unwrap_or_default().to_owned();
        let stored_avatars: HashSet<String> = avatar_objects.iter().map(|key| avatar_of(key)).collect();
        let report = ConsistencyReport {
            orphan_objects: objects
                .iter()
                .filter(|key| !known.contains(key.as_str()))
                .chain(avatar_objects.iter().filter(|key| !known_avatars.contains(&avatar_of(key))))
                .chain(upload_objects.iter().filter(|key| !upload_of(key).is_some_and(|id| uploads.contains(&id))))
                .chain(derived_objects.iter().filter(|key| !derived_from(key).is_some_and(|id| file_ids.contains(&id))))
                .chain(export_objects.iter().filter(|key| !exports.contains(key.as_str())))
                .cloned()
                .collect(),
            missing_objects: rows
                .iter()
                .filter(|row| !stored.contains(row.object_key.as_str()))
                .map(|row| (row.id, row.object_key.clone()))
                .collect(),
            missing_avatars: avatars
                .iter()
                .filter(|(_, avatar)| !stored_avatars.contains(&avatar.to_string()))
                .map(|(user, _)| *user)
                .collect(),
        };
        if fix {
            for key in &report.orphan_objects {
                self.storage
                    .delete(key)
                    .await
                    .map_err(|err| Error::Unexpected(anyhow::Error::new(err).context("removing an orphan object")))?;
            }
            for (id, _) in &report.missing_objects {
                let Some(row) = rows.iter().find(|row| row.id == *id) else { continue };
                let txn = self.db.begin().await?;
                if file::Entity::delete_by_id(*id).exec(&txn).await?.rows_affected == 1 {
                    Self::release(&txn, row.owner_id, row.size).await?;
                }
                txn.commit().await?;
            }
            if !report.missing_avatars.is_empty() {
                user::Entity::update_many()
                    .col_expr(user::Column::AvatarId, Expr::value(Option::<Uuid>::None))
                    .col_expr(user::Column::Version, crate::concurrency::next(user::Column::Version))
                    .filter(user::Column::Id.is_in(report.missing_avatars.iter().copied()))
                    .exec(&self.db)
                    .await?;
            }
        }
        Ok(report)
    }
}
