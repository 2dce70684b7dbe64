//! The chunk that completes an upload makes it a file: the parts assembled by the store, then
//! the file's row, its processing job and the upload's end committed together.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait, sea_query::Expr};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    ResumableSha256, UploadError, UploadState,
    parts::{Gathered, Part},
    storage_failed, to_u64,
};
use crate::{
    Error,
    entities::{file, resumable_upload as upload},
    error::{Field, Problem},
    files::{FileService, ProcessUpload},
    jobs::NewJob,
};

impl FileService {
    /// Assembles the parts into the file's object, then commits the file's row, its processing job
    /// and the upload's end together. The quota reserved at creation becomes the file's.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn complete_upload(
        &self,
        row: upload::Model,
        token: Uuid,
        mut multipart_id: Option<String>,
        mut parts: Vec<Part>,
        mut last: Gathered,
        hash: ResumableSha256,
        content_type: Option<String>,
    ) -> Result<UploadState, UploadError> {
        let length = to_u64(row.length);
        let content_type = content_type.ok_or_else(|| Error::invalid(Field::File, Problem::Unsupported))?;
        if !last.is_empty() {
            self.store_part(&row, &mut multipart_id, &mut parts, &mut last).await?;
        }
        let multipart_id = match multipart_id {
            Some(id) => id,
            None => self.start_parts(&row).await?,
        };
        let parts = parts.into_iter().map(|part| part.id).collect();
        self.storage
            .complete_parts(&row.object_key, &multipart_id, parts, length)
            .await
            .map_err(|e| storage_failed(e, "assembling an upload's parts"))?;

        let now = OffsetDateTime::now_utc();
        let file = file::ActiveModel {
            id: Set(row.id),
            owner_id: Set(row.owner_id),
            name: Set(row.name.clone()),
            content_type: Set(content_type),
            size: Set(row.length),
            sha256: Set(hash.finish()),
            object_key: Set(row.object_key.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            processed_at: Set(None),
            idempotency_key: Set(None),
            version: Set(crate::concurrency::FIRST_VERSION),
        };
        let committed = async {
            let txn = self.db.begin().await?;
            let ended = upload::Entity::update_many()
                .col_expr(upload::Column::UploadOffset, Expr::value(row.length))
                .col_expr(upload::Column::FileId, Expr::value(row.id))
                .col_expr(upload::Column::Parts, Expr::value("[]"))
                .col_expr(upload::Column::TailKey, Expr::value(Option::<String>::None))
                .col_expr(upload::Column::MultipartId, Expr::value(Option::<String>::None))
                .col_expr(upload::Column::LockToken, Expr::value(Option::<Uuid>::None))
                .col_expr(upload::Column::LockedUntil, Expr::value(Option::<OffsetDateTime>::None))
                .col_expr(upload::Column::UpdatedAt, Expr::value(now))
                .filter(upload::Column::Id.eq(row.id))
                .filter(upload::Column::LockToken.eq(token))
                .exec(&txn)
                .await?;
            if ended.rows_affected != 1 {
                return Err(UploadError::Locked);
            }
            file.insert(&txn).await?;
            self.jobs.enqueue_in(&txn, NewJob::of(&ProcessUpload { file_id: row.id })).await?;
            txn.commit().await?;
            Ok(())
        };
        match committed.await {
            Ok(()) => {}
            // Another request holds the upload now (this one stalled past its lease): it answers.
            Err(UploadError::Locked) => return Err(UploadError::Locked),
            Err(err) => {
                // The parts are assembled, so the upload cannot go on: it is ended, its quota
                // given back and its object removed (or left for `smartai storage check`).
                tracing::warn!(error = %err, key = %row.object_key, "an upload's bytes are stored but its file could not be saved");
                self.delete_quietly(&row.object_key).await;
                self.end_upload(&row).await?;
                return Err(err);
            }
        }
        if let Some(tail) = &row.tail_key {
            self.delete_quietly(tail).await;
        }
        let row = upload::Entity::find_by_id(row.id).one(&self.db).await?.ok_or(Error::NotFound)?;
        self.upload_state(row).await
    }
}
