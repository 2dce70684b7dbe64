//! An upload in one request, streamed to storage as it arrives (a resumable upload, sent in
//! chunks, is in [`super::uploads`]).

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{FileInfo, FileName, FileService, ProcessUpload, SNIFF_LEN, sniff};
use crate::{
    Actor, Error, Result,
    entities::file,
    error::{Field, Problem},
    jobs::NewJob,
    storage::StorageError,
};

impl FileService {
    /// Stores an upload as it arrives. `name` is what the client called the file; it is cleaned,
    /// not trusted. A refused, failed or interrupted upload leaves neither object nor row.
    pub async fn upload<S>(&self, actor: &Actor, name: &str, body: S) -> Result<FileInfo>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send,
    {
        self.upload_once(actor, None, name, body).await
    }

    /// [`Self::upload`], sent with an `Idempotency-Key` the caller has claimed: the key is kept on
    /// the row, in the transaction that makes it, and an upload with a key that already made a file
    /// (within [`crate::idempotency::KEEP_FOR`]) gives that file back without reading the body.
    /// That closes the gap the claim alone leaves: a process killed between its commit and keeping
    /// its answer, whose claim a retry takes over.
    #[tracing::instrument(skip_all, fields(name), err(level = "info"))]
    pub async fn upload_once<S>(
        &self,
        actor: &Actor,
        idempotency_key: Option<&str>,
        name: &str,
        body: S,
    ) -> Result<FileInfo>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send,
    {
        let owner = actor.user_id()?;
        if let Some(key) = idempotency_key {
            let since = OffsetDateTime::now_utc() - crate::idempotency::KEEP_FOR;
            let made = file::Entity::find()
                .filter(file::Column::OwnerId.eq(owner))
                .filter(file::Column::IdempotencyKey.eq(key))
                .filter(file::Column::CreatedAt.gt(since))
                .one(&self.db)
                .await?;
            if let Some(made) = made {
                return Ok(made.into());
            }
        }
        let name = FileName::clean(name)?;
        let remaining = self.quota.saturating_sub(self.usage(actor).await?);
        if remaining == 0 {
            return Err(Error::invalid(Field::File, Problem::OverQuota));
        }

        let mut body = Box::pin(body);
        let mut head = Vec::new();
        while head.len() < SNIFF_LEN {
            match body.next().await {
                Some(Ok(chunk)) => head.extend_from_slice(&chunk),
                Some(Err(err)) => return Err(Error::Unexpected(anyhow::Error::new(err).context("reading the upload"))),
                None => break,
            }
        }
        if head.is_empty() {
            return Err(Error::invalid(Field::File, Problem::Required));
        }
        let content_type = sniff(&head, name.as_ref()).ok_or(Error::invalid(Field::File, Problem::Unsupported))?;

        let id = Uuid::now_v7();
        let key = format!("files/{owner}/{id}");
        let limit = self.max_size.min(remaining);
        let whole = futures_util::stream::once(async move { Ok(Bytes::from(head)) }).chain(body);
        let stored = match self.storage.put_stream(&key, whole, limit).await {
            Ok(stored) => stored,
            Err(StorageError::TooLarge { .. }) if limit < self.max_size => {
                return Err(Error::invalid(Field::File, Problem::OverQuota));
            }
            Err(StorageError::TooLarge { .. }) => return Err(Error::invalid(Field::File, Problem::TooLarge)),
            Err(err) => return Err(Error::Unexpected(anyhow::Error::new(err).context("storing the upload"))),
        };

        let now = OffsetDateTime::now_utc();
        let size = stored.size;
        let row = file::ActiveModel {
            id: Set(id),
            owner_id: Set(owner),
            name: Set(name.as_ref().to_owned()),
            content_type: Set(content_type.to_owned()),
            size: Set(i64::try_from(size).unwrap_or(i64::MAX)),
            sha256: Set(stored.sha256),
            object_key: Set(key.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            processed_at: Set(None),
            idempotency_key: Set(idempotency_key.map(str::to_owned)),
            version: Set(crate::concurrency::FIRST_VERSION),
        };
        // The quota, the row and its processing job commit together: no file is left unprocessed,
        // and none is stored past the quota, however many uploads run at once.
        let saved = async {
            let txn = self.db.begin().await?;
            if !self.reserve(&txn, owner, size).await? {
                return Err(Error::invalid(Field::File, Problem::OverQuota));
            }
            let model = row.insert(&txn).await?;
            self.jobs.enqueue_in(&txn, NewJob::of(&ProcessUpload { file_id: model.id })).await?;
            txn.commit().await?;
            Ok::<_, Error>(model)
        };
        match saved.await {
            Ok(model) => Ok(model.into()),
            Err(err) => {
                if let Err(cleanup) = self.storage.delete(&key).await {
                    tracing::warn!(error = %cleanup, %key, "could not remove the object of a failed upload");
                }
                Err(err)
            }
        }
    }
}
