//! The front end's files: the wasm, JS and CSS cargo-leptos builds, and `public/`. A release binary
//! carries them inside itself; `LEPTOS_SITE_ROOT` serves them from a folder instead.

use std::path::{Component, Path, PathBuf};

use axum::{
    body::Body,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "$SMARTAI_SITE_ROOT"]
struct Embedded;

#[derive(Debug, Clone)]
pub enum Assets {
    Embedded,
    Folder(PathBuf),
}

impl Assets {
    pub fn new(site_root: Option<PathBuf>) -> Self {
        site_root.map_or(Self::Embedded, Self::Folder)
    }

    /// The folder leptos is told about (only used for its configuration).
    pub fn site_root(&self) -> String {
        match self {
            Self::Embedded => "embedded".into(),
            Self::Folder(path) => path.display().to_string(),
        }
    }

    /// The file at `path`, or `None` when there is no such file.
    pub async fn serve(&self, path: &str, headers: &HeaderMap) -> Option<Response> {
        let relative = sanitize(path)?;
        let not_modified =
            |etag: &str| headers.get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == etag.as_bytes());
        let (bytes, etag) = match self {
            Self::Embedded => {
                let file = Embedded::get(&relative)?;
                let etag = format!("\"{}\"", to_hex(&file.metadata.sha256_hash()[..16]));
                if not_modified(&etag) {
                    return Some(StatusCode::NOT_MODIFIED.into_response());
                }
                (file.data.into_owned(), etag)
            }
            Self::Folder(root) => {
                let full = root.join(&relative);
                // Size and modification time, as nginx does: no need to read (or hash) the file
                // to answer a revalidation, and a rebuilt file gets a new tag.
                let metadata = tokio::fs::metadata(&full).await.ok().filter(|m| m.is_file())?;
                let modified = metadata.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
                let etag = format!("\"{:x}-{:x}\"", metadata.len(), modified.as_nanos());
                if not_modified(&etag) {
                    return Some(StatusCode::NOT_MODIFIED.into_response());
                }
                (tokio::fs::read(&full).await.ok()?, etag)
            }
        };
        let mime = mime_guess::from_path(&relative).first_or_octet_stream();
        let mut response = Response::new(Body::from(bytes));
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(mime.as_ref()).unwrap_or(HeaderValue::from_static("application/octet-stream")),
        );
        // File names carry no hash, so the browser revalidates (cheaply, by ETag) each time.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        if let Ok(etag) = HeaderValue::from_str(&etag) {
            h.insert(header::ETAG, etag);
        }
        Some(response)
    }
}

/// A relative path inside the site folder, or `None` for anything that tries to leave it.
fn sanitize(path: &str) -> Option<String> {
    let trimmed = path.trim_start_matches('/');
    if trimmed.is_empty() {
        return None;
    }
    let all_normal = Path::new(trimmed).components().all(|c| matches!(c, Component::Normal(_)));
    all_normal.then(|| trimmed.to_owned())
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_leave_the_site() {
        assert_eq!(sanitize("/pkg/smartai.js").as_deref(), Some("pkg/smartai.js"));
        assert_eq!(sanitize("/../etc/passwd"), None);
        assert_eq!(sanitize("/pkg/../../secret"), None);
        assert_eq!(sanitize("/"), None);
    }

    #[tokio::test]
    async fn files_from_a_folder_are_revalidated_by_etag() {
        let site = tempfile::tempdir().unwrap();
        std::fs::create_dir(site.path().join("pkg")).unwrap();
        std::fs::write(site.path().join("pkg/app.wasm"), b"\0asm first build").unwrap();
        let assets = Assets::new(Some(site.path().to_owned()));
        let serve = |etag: Option<&HeaderValue>| {
            let mut headers = HeaderMap::new();
            if let Some(etag) = etag {
                headers.insert(header::IF_NONE_MATCH, etag.clone());
            }
            let assets = assets.clone();
            async move { assets.serve("/pkg/app.wasm", &headers).await.unwrap() }
        };

        let first = serve(None).await;
        assert_eq!(first.status(), StatusCode::OK);
        let etag = first.headers()[header::ETAG].clone();
        assert_eq!(serve(Some(&etag)).await.status(), StatusCode::NOT_MODIFIED);

        std::fs::write(site.path().join("pkg/app.wasm"), b"\0asm the second, longer build").unwrap();
        let rebuilt = serve(Some(&etag)).await;
        assert_eq!(rebuilt.status(), StatusCode::OK, "a rebuilt file is sent again");
        assert_ne!(rebuilt.headers()[header::ETAG], etag);
        assert!(assets.serve("/pkg", &HeaderMap::new()).await.is_none(), "a folder is not a file");
    }
}
