//! `/files`: the caller's documents, streamed in and out, and their share links.

use std::time::Duration;

use axum::{
    Extension,
    body::Body,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use domain::{
    Services,
    files::{FileInfo, ListQuery, ShareInfo},
    pagination::Paging,
};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    error::{ApiError, ErrorBody},
    extract::{Caller, Json, Page, PageQuery, Path, Query, Read, Write, etag, if_match, with_etag},
    idempotency::{ClaimedKey, OneTimeSecret},
};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_files, upload_file))
        .routes(routes!(get_file, rename_file, delete_file))
        .routes(routes!(file_content))
        .routes(routes!(list_shares, create_share))
        .routes(routes!(revoke_share))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FileBody {
    pub id: Uuid,
    pub name: String,
    /// Decided from the bytes, not from the name or the client.
    pub content_type: String,
    pub size: u64,
    /// Hex SHA-256 of the content; also the ETag of `/content`.
    pub sha256: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<FileInfo> for FileBody {
    fn from(f: FileInfo) -> Self {
        Self {
            id: f.id,
            name: f.name,
            content_type: f.content_type,
            size: f.size,
            sha256: f.sha256,
            created_at: f.created_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileSearch {
    /// Only files whose name contains this (case-insensitive).
    pub q: Option<String>,
}

/// The caller's files, newest first.
#[utoipa::path(get, path = "/files", tag = "files", params(PageQuery, FileSearch),
    responses((status = 200, body = Page<FileBody>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["read"]), ("session" = [])))]
async fn list_files(
    State(services): State<Services>,
    caller: Caller<Read>,
    Query(page): Query<PageQuery>,
    Query(search): Query<FileSearch>,
) -> Result<impl IntoResponse, ApiError> {
    let query = ListQuery { search: search.q, paging: Paging::Cursor(page.request()?), ..ListQuery::default() };
    let found = services.files.list(&caller.actor, &query).await?;
    Ok(axum::Json(Page::from_domain(found, FileBody::from)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name (cleaned: no path, no control characters).
    pub name: String,
}

/// Uploads one file: the body is the content, streamed to storage as it arrives. Its type is
/// decided from the bytes. Accepts an `Idempotency-Key`.
#[utoipa::path(post, path = "/files", tag = "files", params(UploadQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "Repeats with the same key get the first answer")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file's bytes"),
    responses(
        (status = 201, body = FileBody, headers(("Location" = String), ("ETag" = String))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = ["write"]), ("session" = [])))]
async fn upload_file(
    State(services): State<Services>,
    caller: Caller<Write>,
    Query(query): Query<UploadQuery>,
    claimed: Option<Extension<ClaimedKey>>,
    body: Body,
) -> Result<Response, ApiError> {
    let stream = body.into_data_stream().map_err(std::io::Error::other);
    let key = claimed.as_ref().map(|Extension(ClaimedKey(key))| key.as_str());
    let stored = services.files.upload_once(&caller.actor, key, &query.name, stream).await?;
    let etag = etag(stored.version);
    let stored = FileBody::from(stored);
    let location = format!("/api/v1/files/{}", stored.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location), (header::ETAG, etag)], axum::Json(stored)).into_response())
}

/// One of the caller's files.
#[utoipa::path(get, path = "/files/{id}", tag = "files", params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = FileBody, headers(("ETag" = String))), (status = 304, description = "Not modified"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ),
    security(("bearer" = ["read"]), ("session" = [])))]
async fn get_file(
    State(services): State<Services>,
    caller: Caller<Read>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let file = services.files.get(&caller.actor, id).await?;
    Ok(with_etag(&headers, file.version, FileBody::from(file)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileUpdate {
    pub name: String,
}

/// Renames one of the caller's files. Send `If-Match` to refuse overwriting a change made in between.
#[utoipa::path(patch, path = "/files/{id}", tag = "files", request_body = FileUpdate,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version this change is based on")),
    responses(
        (status = 200, body = FileBody, headers(("ETag" = String))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 412, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = ["write"]), ("session" = [])))]
async fn rename_file(
    State(services): State<Services>,
    caller: Caller<Write>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    Json(update): Json<FileUpdate>,
) -> Result<Response, ApiError> {
    let renamed = services.files.rename(&caller.actor, id, &update.name, if_match(&headers)?).await?;
    Ok(with_etag(&HeaderMap::new(), renamed.version, FileBody::from(renamed)))
}

/// Deletes one of the caller's files, its share links and its stored bytes.
#[utoipa::path(delete, path = "/files/{id}", tag = "files", params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ),
    security(("bearer" = ["write"]), ("session" = [])))]
async fn delete_file(
    State(services): State<Services>,
    caller: Caller<Write>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    services.files.delete(&caller.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The file's bytes, streamed, with `Content-Length`, its SHA-256 as `ETag` (`If-None-Match` →
/// 304) and one byte `Range` (206, 416 past the end). With presigned downloads configured, a 307
/// to the storage.
#[utoipa::path(get, path = "/files/{id}/content", tag = "files",
    params(("id" = Uuid, Path), ("Range" = Option<String>, Header, description = "One byte range, e.g. bytes=0-99")),
    responses(
        (status = 200, content_type = "*/*", body = Vec<u8>, description = "The bytes, as the type the file was stored as"),
        (status = 206, content_type = "*/*", body = Vec<u8>, description = "The range asked for"),
        (status = 304, description = "Not modified"),
        (status = 307, description = "Fetch it from storage (presigned URL)"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 416, body = ErrorBody),
    ),
    security(("bearer" = ["read"]), ("session" = [])))]
async fn file_content(
    State(services): State<Services>,
    caller: Caller<Read>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let download = services.files.download(&caller.actor, id).await?;
    Ok(crate::byte_doors::serve(download, &headers, "attachment", "private, no-cache").await)
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ShareBody {
    pub id: Uuid,
    pub file_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

impl From<ShareInfo> for ShareBody {
    fn from(s: ShareInfo) -> Self {
        Self { id: s.id, file_id: s.file_id, created_at: s.created_at, expires_at: s.expires_at }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShareRequest {
    /// How long the link works, in seconds: 60 to 2592000 (30 days).
    #[schema(minimum = 60, maximum = 2592000)]
    pub expires_in: u64,
}

/// A share link just made: its path holds the secret, shown this once.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedShare {
    pub share: ShareBody,
    /// `/s/<secret>`: anyone with it can download the file until it expires or is revoked.
    pub path: String,
}

/// The file's share links that still work, newest first.
#[utoipa::path(get, path = "/files/{id}/shares", tag = "files", params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Vec<ShareBody>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ),
    security(("bearer" = ["read"]), ("session" = [])))]
async fn list_shares(
    State(services): State<Services>,
    caller: Caller<Read>,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    let shares = services.files.shares(&caller.actor, id).await?;
    Ok(axum::Json(shares.into_iter().map(ShareBody::from).collect::<Vec<_>>()))
}

/// Makes a share link to the file. Accepts an `Idempotency-Key`.
#[utoipa::path(post, path = "/files/{id}/shares", tag = "files", request_body = NewShareRequest,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header, description = "Repeats with the same key get the first answer")),
    responses(
        (status = 201, body = CreatedShare),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = ["write"]), ("session" = [])))]
async fn create_share(
    State(services): State<Services>,
    caller: Caller<Write>,
    Path(id): Path<Uuid>,
    Json(request): Json<NewShareRequest>,
) -> Result<Response, ApiError> {
    let lifetime = Duration::from_secs(request.expires_in.min(u64::from(u32::MAX)));
    let created = services.files.share(&caller.actor, id, lifetime).await?;
    let body = CreatedShare { path: format!("/s/{}", created.token), share: created.info.into() };
    Ok((StatusCode::CREATED, Extension(OneTimeSecret), axum::Json(body)).into_response())
}

/// Ends a share link at once.
#[utoipa::path(delete, path = "/shares/{id}", tag = "files", params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ),
    security(("bearer" = ["write"]), ("session" = [])))]
async fn revoke_share(
    State(services): State<Services>,
    caller: Caller<Write>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    services.files.revoke_share(&caller.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
