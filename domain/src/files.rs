//! Files: upload (streamed, type checked from the bytes, within size and quota), list, read,
//! rename and delete, each for its owner only. The object is written first and the row second, so
//! a crash in between leaves an orphan object no user can see, never a row without its bytes.

use std::{fmt, str::FromStr};

use bytes::Bytes;
use clap::Args;
use futures_util::{Stream, StreamExt, stream::BoxStream};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, Set,
    sea_query::{Alias, Expr},
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Actor, Error, Result,
    entities::file,
    error::{Field, Problem},
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
}

/// A size in bytes, written as `1024`, `100KiB`, `100MiB`, `1GiB` (or kB/MB/GB for powers of ten).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl FromStr for ByteSize {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (number, unit) = s.split_at(split);
        let number: u64 = number.parse().map_err(|_| format!("`{s}` is not a size like 100MiB"))?;
        let factor: u64 = match unit.trim() {
            "" | "B" => 1,
            "kB" | "KB" => 1_000,
            "KiB" => 1 << 10,
            "MB" => 1_000_000,
            "MiB" => 1 << 20,
            "GB" => 1_000_000_000,
            "GiB" => 1 << 30,
            other => return Err(format!("unknown unit `{other}` (use B, KiB, MiB, GiB, kB, MB or GB)")),
        };
        number.checked_mul(factor).map(Self).ok_or_else(|| format!("`{s}` is too large"))
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} bytes", self.0)
    }
}

/// A file's name as its owner sees it: no path, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName(String);

impl FileName {
    pub const MAX_LENGTH: usize = 255;

    pub fn parse(raw: &str) -> Result<Self> {
        let name = raw.trim();
        let invalid = |problem| Error::invalid(Field::FileName, problem);
        if name.is_empty() {
            return Err(invalid(Problem::Required));
        }
        if name.chars().count() > Self::MAX_LENGTH {
            return Err(invalid(Problem::TooLong));
        }
        if name.chars().any(|c| c.is_control() || matches!(c, '/' | '\\')) || name == "." || name == ".." {
            return Err(invalid(Problem::Malformed));
        }
        Ok(Self(name.to_owned()))
    }
}

impl AsRef<str> for FileName {
    fn as_ref(&self) -> &str {
        &self.0
    }
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

/// The type of a file, decided from its first bytes (never from its name alone): documents and
/// images we can show, and plain UTF-8 text. Anything else, executables included, is refused.
pub fn sniff(head: &[u8], name: &str) -> Option<&'static str> {
    const ALLOWED: [&str; 5] = ["application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"];
    if let Some(kind) = infer::get(head) {
        return ALLOWED.into_iter().find(|allowed| *allowed == kind.mime_type());
    }
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        // The sniffed window may end inside a multi-byte character.
        Err(err) if err.error_len().is_none() => std::str::from_utf8(&head[..err.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    if text.contains('\0') {
        return None;
    }
    let extension = name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase());
    Some(match extension.as_deref() {
        Some("md" | "markdown") => "text/markdown",
        Some("csv") => "text/csv",
        _ => "text/plain",
    })
}

#[derive(Clone)]
pub struct FileService {
    db: DatabaseConnection,
    storage: Storage,
    max_size: u64,
    quota: u64,
}

#[derive(FromQueryResult)]
struct Used {
    used: Option<i64>,
}

impl FileService {
    pub fn new(db: DatabaseConnection, storage: Storage, config: &FileConfig) -> Self {
        Self { db, storage, max_size: config.max_size.0, quota: config.quota.0 }
    }

    /// Bytes the user's files take.
    pub async fn usage(&self, actor: &Actor) -> Result<u64> {
        let owner = actor.user_id()?;
        let used = file::Entity::find()
            .select_only()
            // PostgreSQL sums BIGINT into NUMERIC; the cast keeps one answer type on both databases.
            .column_as(Expr::col(file::Column::Size).sum().cast_as(Alias::new("BIGINT")), "used")
            .filter(file::Column::OwnerId.eq(owner))
            .into_model::<Used>()
            .one(&self.db)
            .await?;
        Ok(used.and_then(|u| u.used).map_or(0, |u| u64::try_from(u).unwrap_or_default()))
    }

    #[tracing::instrument(skip_all, fields(name), err(level = "info"))]
    pub async fn upload<S>(&self, actor: &Actor, name: &str, body: S) -> Result<FileInfo>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    {
        let owner = actor.user_id()?;
        let name = FileName::parse(name)?;
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
        let row = file::ActiveModel {
            id: Set(id),
            owner_id: Set(owner),
            name: Set(name.as_ref().to_owned()),
            content_type: Set(content_type.to_owned()),
            size: Set(i64::try_from(stored.size).unwrap_or(i64::MAX)),
            sha256: Set(stored.sha256),
            object_key: Set(key.clone()),
            created_at: Set(now),
            updated_at: Set(now),
        };
        match row.insert(&self.db).await {
            Ok(model) => Ok(model.into()),
            Err(err) => {
                if let Err(cleanup) = self.storage.delete(&key).await {
                    tracing::warn!(error = %cleanup, %key, "could not remove the object of a failed upload");
                }
                Err(err.into())
            }
        }
    }

    /// The user's files, newest first.
    pub async fn list(&self, actor: &Actor) -> Result<Vec<FileInfo>> {
        let owner = actor.user_id()?;
        let rows = file::Entity::find()
            .filter(file::Column::OwnerId.eq(owner))
            .order_by_desc(file::Column::CreatedAt)
            .order_by_desc(file::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(FileInfo::from).collect())
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

    /// The file and its bytes, as a stream.
    pub async fn open(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<(FileInfo, BoxStream<'static, Result<Bytes, StorageError>>)> {
        let row = self.owned(actor, id).await?;
        let bytes = self.storage.get(&row.object_key).await.map_err(|err| match err {
            StorageError::NotFound => Error::NotFound,
            other => Error::Unexpected(anyhow::Error::new(other).context("reading a stored file")),
        })?;
        Ok((row.into(), bytes))
    }

    pub async fn rename(&self, actor: &Actor, id: Uuid, name: &str) -> Result<FileInfo> {
        let name = FileName::parse(name)?;
        let row = self.owned(actor, id).await?;
        let mut model: file::ActiveModel = row.into();
        model.name = Set(name.as_ref().to_owned());
        model.updated_at = Set(OffsetDateTime::now_utc());
        Ok(model.update(&self.db).await?.into())
    }

    /// Removes the row, then the object. A failure between the two leaves an orphan object that no
    /// user can reach (and that a storage check can find), never a row without its bytes.
    pub async fn delete(&self, actor: &Actor, id: Uuid) -> Result<()> {
        let row = self.owned(actor, id).await?;
        file::Entity::delete_by_id(row.id).exec(&self.db).await?;
        if let Err(err) = self.storage.delete(&row.object_key).await {
            tracing::warn!(error = %err, key = %row.object_key, "file deleted, its object remains");
        }
        Ok(())
    }
}

/// What `smartai storage check` found: objects no row points at, and rows whose object is gone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsistencyReport {
    pub orphan_objects: Vec<String>,
    pub missing_objects: Vec<(Uuid, String)>,
}

impl FileService {
    /// Compares the rows with the objects. With `fix`, removes orphan objects and the rows whose
    /// bytes are gone (both are invisible or broken for users already).
    pub async fn check(&self, actor: &Actor, fix: bool) -> Result<ConsistencyReport> {
        if !matches!(actor, Actor::System) {
            return Err(Error::Forbidden);
        }
        let rows = file::Entity::find().all(&self.db).await?;
        let objects = self
            .storage
            .list("files")
            .await
            .map_err(|err| Error::Unexpected(anyhow::Error::new(err).context("listing stored objects")))?;
        let known: std::collections::HashSet<&str> = rows.iter().map(|r| r.object_key.as_str()).collect();
        let stored: std::collections::HashSet<&str> = objects.iter().map(String::as_str).collect();
        let report = ConsistencyReport {
            orphan_objects: objects.iter().filter(|key| !known.contains(key.as_str())).cloned().collect(),
            missing_objects: rows
                .iter()
                .filter(|row| !stored.contains(row.object_key.as_str()))
                .map(|row| (row.id, row.object_key.clone()))
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
                file::Entity::delete_by_id(*id).exec(&self.db).await?;
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!("1024".parse(), Ok(ByteSize(1024)));
        assert_eq!("100MiB".parse(), Ok(ByteSize(100 << 20)));
        assert_eq!("1GB".parse(), Ok(ByteSize(1_000_000_000)));
        assert!("lots".parse::<ByteSize>().is_err());
        assert!("5 parsecs".parse::<ByteSize>().unwrap_err().contains("parsecs"));
    }

    #[test]
    fn file_names_have_no_paths() {
        assert_eq!(FileName::parse(" report.pdf ").unwrap().as_ref(), "report.pdf");
        for bad in ["", "  ", "a/b", "..\\x", "..", "tab\there"] {
            assert!(FileName::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(FileName::parse(&"x".repeat(256)).is_err());
    }

    #[test]
    fn the_type_comes_from_the_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n...", "notes.txt"), Some("application/pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "photo.pdf"), Some("image/png"));
        assert_eq!(sniff(b"# Title\n\nSome text", "readme.md"), Some("text/markdown"));
        assert_eq!(sniff("caf\u{e9}".as_bytes(), "a.txt"), Some("text/plain"));
        assert_eq!(sniff(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", "report.pdf"), None, "an executable");
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0", "invoice.pdf"), None, "a Windows executable");
        assert_eq!(sniff(b"text\0with nul", "a.txt"), None);
    }

    #[test]
    fn text_cut_inside_a_character_is_still_text() {
        let mut head = "ab\u{e9}".as_bytes().to_vec();
        head.pop();
        assert_eq!(sniff(&head, "a.txt"), Some("text/plain"));
    }
}
