//! Stored files, their pages and their share links.

use serde::{Deserialize, Serialize};

/// A stored file, as lists and the file page show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDto {
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// RFC 3339, UTC.
    pub uploaded_at: String,
}

impl FileDto {
    /// Where the bytes are, shown in the browser (`download = false`) or saved.
    pub fn content_url(&self, download: bool) -> String {
        if download { format!("/files/{}/content?download", self.id) } else { format!("/files/{}/content", self.id) }
    }

    /// How the file page previews it.
    pub fn preview(&self) -> Preview {
        match self.content_type.as_str() {
            t if t.starts_with("image/") => Preview::Image,
            "application/pdf" => Preview::Pdf,
            t if t.starts_with("text/") => Preview::Text,
            _ => Preview::None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preview {
    Image,
    Pdf,
    Text,
    None,
}

/// One page of the file list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilePageDto {
    pub items: Vec<FileDto>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    /// The order the items are in (`name`, `type`, `size` or `uploaded`): the one asked for, or
    /// the default.
    pub sort: String,
    pub descending: bool,
    pub used: u64,
    pub quota: u64,
    pub max_size: u64,
}

/// A file with what its own page shows: a text preview and its share links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDetailsDto {
    pub file: FileDto,
    /// The beginning of a text file, for the preview.
    pub text_preview: Option<String>,
    pub shares: Vec<ShareDto>,
    /// The link a plain form post (no JavaScript) just made, shown once on the page it returned to.
    pub fresh_share: Option<String>,
}

/// A share link, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareDto {
    pub id: String,
    /// RFC 3339, UTC.
    pub expires_at: String,
    pub created_at: String,
}

/// A share link just made: its URL is shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewShareDto {
    pub share: ShareDto,
    pub url: String,
}

#[cfg(feature = "ssr")]
mod ssr {
    use domain::files::{FileInfo, ShareInfo};

    use super::{FileDto, ShareDto};
    use crate::dto::rfc3339;

    impl From<&FileInfo> for FileDto {
        fn from(f: &FileInfo) -> Self {
            Self {
                id: f.id.to_string(),
                name: f.name.clone(),
                content_type: f.content_type.clone(),
                size: f.size,
                uploaded_at: rfc3339(f.created_at),
            }
        }
    }

    impl From<&ShareInfo> for ShareDto {
        fn from(s: &ShareInfo) -> Self {
            Self { id: s.id.to_string(), expires_at: rfc3339(s.expires_at), created_at: rfc3339(s.created_at) }
        }
    }
}
