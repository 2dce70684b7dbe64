//! Files: upload (streamed, type checked from the bytes, within size and quota), list, read,
//! rename, delete and share, each for its owner only. The object is written first and the row
//! second, so a crash in between leaves an orphan object no user can see, never a row without its
//! bytes.

mod erasure;
pub mod pdf;
mod processing;
mod rules;
mod shares;
mod uploads;

use std::ops::Range;

use bytes::Bytes;
use clap::Args;
use futures_util::{Stream, StreamExt, stream::BoxStream};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, Set, TransactionTrait,
    sea_query::{Expr, Func, LikeExpr, OnConflict},
};
use time::OffsetDateTime;
use uuid::Uuid;

pub use erasure::OwnedObjects;
pub use processing::{ProcessUpload, THUMBNAIL_SIZE, text_key, thumbnail, thumbnail_key};
pub use rules::{ByteSize, FileName, sniff};
pub use shares::{NewShare, ShareInfo};
pub use uploads::{NewUpload, ResumableSha256, UploadError, UploadState};

use crate::{
    Actor, Error, Result,
    entities::{data_export, file, storage_usage, user},
    error::{Field, Problem},
    jobs::{NewJob, Queue},
    notifications::NotificationService,
    pagination::{self, Page, PageRequest},
    storage::{Storage, StorageError},
};

/// How many leading bytes the type check looks at.
const SNIFF_LEN: usize = 8192;

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Files")]
pub struct FileConfig {
    /// Largest file a user may upload (e.g. 100MiB).
    #[arg(
        long = "files-max-size",
        env = "FILES_MAX_SIZE",
        value_name = "FILES_MAX_SIZE",
        default_value = "100MiB",
        global = true
    )]
    pub max_size: ByteSize,

    /// Storage each user may fill in total (e.g. 1GiB).
    #[arg(
        long = "files-quota",
        env = "FILES_QUOTA",
        value_name = "FILES_QUOTA",
        default_value = "1GiB",
        global = true
    )]
    pub quota: ByteSize,

    /// How long an unfinished resumable upload is kept after its last chunk (e.g. 24h).
    #[arg(
        long = "files-upload-expiry",
        env = "FILES_UPLOAD_EXPIRY",
        value_name = "FILES_UPLOAD_EXPIRY",
        default_value = "24h",
        value_parser = humantime::parse_duration,
        global = true
    )]
    pub upload_expiry: std::time::Duration,
}

/// A stored file, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    pub id: Uuid,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub created_at: OffsetDateTime,
}

impl From<file::Model> for FileInfo {
    fn from(m: file::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            content_type: m.content_type,
            size: u64::try_from(m.size).unwrap_or_default(),
            sha256: m.sha256,
            created_at: m.created_at,
        }
    }
}

/// What a page of the file list asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// Part of the name, any case.
    pub search: Option<String>,
    pub sort: SortBy,
    pub descending: bool,
    /// Counted from 1.
    pub page: u64,
    pub per_page: u64,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self { search: None, sort: SortBy::Uploaded, descending: true, page: 1, per_page: 20 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Name,
    Type,
    Size,
    Uploaded,
}

impl SortBy {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "name" => Self::Name,
            "type" => Self::Type,
            "size" => Self::Size,
            "uploaded" => Self::Uploaded,
            _ => return None,
        })
    }
}

/// One page of a user's files, with what the page needs to show about their storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePage {
    pub items: Vec<FileInfo>,
    /// Files matching the search, on all pages.
    pub total: u64,
    pub pages: u64,
    pub used: u64,
    pub quota: u64,
    pub max_size: u64,
}

/// A file someone may read, and the way to its bytes.
pub struct Download {
    pub info: FileInfo,
    key: String,
    storage: Storage,
}

impl Download {
    pub(crate) fn new(info: FileInfo, key: String, storage: Storage) -> Self {
        Self { info, key, storage }
    }

    /// The bytes, or the bytes in `range`.
    pub async fn bytes(&self, range: Option<Range<u64>>) -> Result<BoxStream<'static, Result<Bytes, StorageError>>> {
        self.storage.get(&self.key, range).await.map_err(|err| match err {
            StorageError::NotFound => Error::NotFound,
            other => Error::Unexpected(anyhow::Error::new(other).context("reading a stored file")),
        })
    }

    /// The first `limit` bytes as text (a preview): a character cut at the end is dropped.
    pub async fn text_start(&self, limit: u64) -> Result<String> {
        use futures_util::TryStreamExt;

        let end = self.info.size.min(limit);
        let chunks: Vec<Bytes> = self
            .bytes(Some(0..end))
            .await?
            .try_collect()
            .await
            .map_err(|err| Error::Unexpected(anyhow::Error::new(err).context("reading a stored file")))?;
        let bytes = chunks.concat();
        let text = match std::str::from_utf8(&bytes) {
            Ok(text) => text,
            Err(err) => std::str::from_utf8(&bytes[..err.valid_up_to()]).unwrap_or_default(),
        };
        Ok(text.to_owned())
    }

    /// A short-lived URL of the storage service itself, when it offers them and the operator
    /// turned them on: the bytes then bypass this server.
    pub async fn presigned_url(&self) -> Result<Option<url::Url>> {
        let disposition = content_disposition("attachment", &self.info.name);
        self.storage
            .presigned_get(&self.key, &disposition, &self.info.content_type)
            .await
            .map_err(|err| Error::Unexpected(anyhow::Error::new(err).context("signing a download URL")))
    }
}

/// A `Content-Disposition` value that keeps any name safe: an ASCII fallback and the exact name
/// in RFC 5987 encoding.
pub fn content_disposition(kind: &str, name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '%') || c == ' ' { c } else { '_' })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[derive(Clone)]
pub struct FileService {
    db: DatabaseConnection,
    storage: Storage,
    jobs: Queue,
    notifications: NotificationService,
    max_size: u64,
    quota: u64,
    upload_expiry: std::time::Duration,
}

impl FileService {
    pub fn new(
        db: DatabaseConnection,
        storage: Storage,
        jobs: Queue,
        notifications: NotificationService,
        config: &FileConfig,
    ) -> Self {
        Self {
            db,
            storage,
            jobs,
            notifications,
            max_size: config.max_size.0,
            quota: config.quota.0,
            upload_expiry: config.upload_expiry,
        }
    }

    /// Bytes each user may store.
    pub fn quota(&self) -> u64 {
        self.quota
    }

    /// The largest file a user may upload.
    pub fn max_size(&self) -> u64 {
        self.max_size
    }

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
    async fn reserve<C: ConnectionTrait>(&self, txn: &C, owner: Uuid, size: u64) -> Result<bool> {
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
    async fn release<C: ConnectionTrait>(txn: &C, owner: Uuid, size: i64) -> Result<()> {
        storage_usage::Entity::update_many()
            .col_expr(storage_usage::Column::Used, Expr::col(storage_usage::Column::Used).sub(size))
            .filter(storage_usage::Column::UserId.eq(owner))
            .exec(txn)
            .await?;
        Ok(())
    }

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

    /// One page of the user's files, searched and sorted.
    pub async fn list(&self, actor: &Actor, query: &ListQuery) -> Result<FilePage> {
        let owner = actor.user_id()?;
        let mut select = file::Entity::find().filter(file::Column::OwnerId.eq(owner));
        if let Some(search) = query.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            select = select.filter(name_contains(search));
        }
        let order = if query.descending { Order::Desc } else { Order::Asc };
        select = match query.sort {
            SortBy::Name => select.order_by(Expr::expr(Func::lower(Expr::col(file::Column::Name))), order.clone()),
            SortBy::Type => select.order_by(file::Column::ContentType, order.clone()),
            SortBy::Size => select.order_by(file::Column::Size, order.clone()),
            SortBy::Uploaded => select.order_by(file::Column::CreatedAt, order.clone()),
        };
        // Ties (same size, same type) keep one stable order across pages.
        let paginator = select.order_by(file::Column::Id, order).paginate(&self.db, query.per_page.clamp(1, 100));
        let counts = paginator.num_items_and_pages().await?;
        let items = paginator.fetch_page(query.page.max(1) - 1).await?;
        Ok(FilePage {
            items: items.into_iter().map(FileInfo::from).collect(),
            total: counts.number_of_items,
            pages: counts.number_of_pages,
            used: self.usage(actor).await?,
            quota: self.quota,
            max_size: self.max_size,
        })
    }

    /// One page of the user's files, newest first, optionally only those whose name contains
    /// `search` (the REST API's listing).
    pub async fn page(&self, actor: &Actor, search: Option<&str>, request: PageRequest) -> Result<Page<FileInfo>> {
        let owner = actor.user_id()?;
        let mut select = file::Entity::find().filter(file::Column::OwnerId.eq(owner));
        if let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) {
            select = select.filter(name_contains(search));
        }
        let page = pagination::fetch(&self.db, select, file::Column::Id, request, |f| f.id).await?;
        Ok(page.map(FileInfo::from))
    }

    /// One of the user's files. Anyone else's file is `NotFound`, not `Forbidden`: its existence
    /// is not revealed.
    async fn owned(&self, actor: &Actor, id: Uuid) -> Result<file::Model> {
        let owner = actor.user_id()?;
        file::Entity::find_by_id(id).filter(file::Column::OwnerId.eq(owner)).one(&self.db).await?.ok_or(Error::NotFound)
    }

    pub async fn get(&self, actor: &Actor, id: Uuid) -> Result<FileInfo> {
        Ok(self.owned(actor, id).await?.into())
    }

    /// The file, ready to be read.
    pub async fn download(&self, actor: &Actor, id: Uuid) -> Result<Download> {
        Ok(self.reader(self.owned(actor, id).await?))
    }

    fn reader(&self, row: file::Model) -> Download {
        let key = row.object_key.clone();
        Download { info: row.into(), key, storage: self.storage.clone() }
    }

    pub async fn rename(&self, actor: &Actor, id: Uuid, name: &str) -> Result<FileInfo> {
        let name = FileName::parse(name)?;
        let row = self.owned(actor, id).await?;
        let mut model: file::ActiveModel = row.into();
        model.name = Set(name.as_ref().to_owned());
        model.updated_at = Set(OffsetDateTime::now_utc());
        Ok(model.update(&self.db).await?.into())
    }

    /// Removes the row (and with it the file's share links), then the object. A failure between
    /// the two leaves an orphan object that no user can reach (and that a storage check can
    /// find), never a row without its bytes.
    pub async fn delete(&self, actor: &Actor, id: Uuid) -> Result<()> {
        let row = self.owned(actor, id).await?;
        let txn = self.db.begin().await?;
        // Given back only by the delete that removed the row: two deletes at once free it once.
        if file::Entity::delete_by_id(row.id).exec(&txn).await?.rows_affected == 1 {
            Self::release(&txn, row.owner_id, row.size).await?;
        }
        txn.commit().await?;
        for key in [row.object_key.clone(), thumbnail_key(row.id), text_key(row.id)] {
            if let Err(err) = self.storage.delete(&key).await {
                tracing::warn!(error = %err, %key, "file deleted, an object of it remains");
            }
        }
        Ok(())
    }
}

/// Names containing `search`, case-insensitively, with LIKE's wildcards taken literally.
fn name_contains(search: &str) -> sea_orm::sea_query::SimpleExpr {
    let escaped = search.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    Expr::expr(Func::lower(Expr::col(file::Column::Name))).like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

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
                    .filter(user::Column::Id.is_in(report.missing_avatars.iter().copied()))
                    .exec(&self.db)
                    .await?;
            }
        }
        Ok(report)
    }
}
