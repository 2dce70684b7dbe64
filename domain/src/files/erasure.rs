//! What an account's erasure removes from the object store: its files (and what was derived
//! from them), its unfinished uploads and its avatar. The rows go with the account (their foreign
//! keys cascade); the objects are gathered first and removed after the rows, so a failure between
//! the two leaves orphan objects that no user can reach and `smartai storage check` finds, never a
//! row without its bytes.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{FileService, text_key, thumbnail_key};
use crate::{
    Error,
    entities::{file, resumable_upload as upload, user},
};

/// The stored objects of one account.
#[derive(Debug, Default)]
pub struct OwnedObjects {
    /// Whole objects and prefixes under which every object goes.
    keys: Vec<String>,
    prefixes: Vec<String>,
    /// Unfinished multipart uploads: (object key, upload id).
    parts: Vec<(String, String)>,
}

impl OwnedObjects {
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.prefixes.is_empty() && self.parts.is_empty()
    }
}

impl FileService {
    /// Every object the account's rows point at, read in the caller's transaction (before it
    /// deletes them).
    pub(crate) async fn objects_of(&self, conn: &impl ConnectionTrait, owner: Uuid) -> Result<OwnedObjects, Error> {
        let mut objects = OwnedObjects::default();
        for row in file::Entity::find().filter(file::Column::OwnerId.eq(owner)).all(conn).await? {
            objects.keys.extend([row.object_key, thumbnail_key(row.id), text_key(row.id)]);
        }
        for row in upload::Entity::find().filter(upload::Column::OwnerId.eq(owner)).all(conn).await? {
            if row.file_id.is_some() {
                continue;
            }
            if let Some(id) = row.multipart_id {
                objects.parts.push((row.object_key.clone(), id));
            }
            // Tails, and the staging file of an upload to a local folder.
            objects.prefixes.push(format!("uploads/{}/", row.id));
            objects.keys.push(row.object_key);
        }
        objects.prefixes.push(format!("exports/{owner}/"));
        if let Some(avatar) = user::Entity::find_by_id(owner).one(conn).await?.and_then(|u| u.avatar_id) {
            objects.prefixes.push(format!("avatars/{avatar}/"));
        }
        Ok(objects)
    }

    /// Removes the objects; the first failure is returned after trying every one (a retry then
    /// finds the rest, or `smartai storage check --fix` does).
    pub(crate) async fn remove_objects(&self, objects: OwnedObjects) -> Result<(), Error> {
        let mut failed = None;
        let mut note = |err: crate::storage::StorageError, what: &str| {
            tracing::warn!(error = %err, what, "an erased account's object remains");
            failed.get_or_insert_with(|| Error::Unexpected(anyhow::Error::new(err).context("removing an object")));
        };
        for (key, id) in &objects.parts {
            if let Err(err) = self.storage.abort_parts(key, id).await {
                note(err, key);
            }
        }
        let mut keys = objects.keys;
        for prefix in &objects.prefixes {
            match self.storage.list(prefix).await {
                Ok(found) => keys.extend(found),
                Err(err) => note(err, prefix),
            }
        }
        for key in &keys {
            if let Err(err) = self.storage.delete(key).await {
                note(err, key);
            }
        }
        failed.map_or(Ok(()), Err)
    }
}
