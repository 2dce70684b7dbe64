//! `/uploads`: resumable uploads over the tus 1.0 protocol (<https://tus.io/protocols/resumable-upload>),
//! with the `creation`, `creation-with-upload`, `termination`, `expiration` and `checksum`
//! (sha256) extensions. An upload that completes becomes a file of `/files`, named in the
//! `File-Location` header of the response that completed it and of later `HEAD`s.

use axum::{
    body::Body,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use domain::{
    Services,
    files::{NewUpload, UploadError, UploadState},
};
use futures_util::TryStreamExt;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    error::{ApiError, ErrorBody},
    extract::{Caller, Path, Read, Write},
};
use crate::state::AppState;

mod headers;

use headers::{
    EXTENSIONS, FILE_LOCATION, OCTETS, TUS_CHECKSUM_ALGORITHM, TUS_EXTENSION, TUS_MAX_SIZE, TUS_RESUMABLE, TUS_VERSION,
    UPLOAD_DEFER_LENGTH, UPLOAD_EXPIRES, UPLOAD_LENGTH, UPLOAD_METADATA, UPLOAD_OFFSET, VERSION, check_version,
    checksum, content_type, header_text, http_date, metadata_value, number, value,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(discover, create_upload))
        .routes(routes!(upload_offset, append_to_upload, terminate_upload))
        .layer(axum::middleware::map_response(|mut response: Response| async move {
            response.headers_mut().insert(TUS_RESUMABLE, HeaderValue::from_static(VERSION));
            response
        }))
}

/// What the server supports (`OPTIONS`, no credentials needed).
#[utoipa::path(options, path = "/uploads", tag = "uploads",
    responses((status = 204, description = "Supported version, extensions and limits",
        headers(("Tus-Version" = String), ("Tus-Extension" = String), ("Tus-Max-Size" = u64), ("Tus-Checksum-Algorithm" = String)))))]
async fn discover(State(services): State<Services>) -> Response {
    (
        StatusCode::NO_CONTENT,
        [
            (TUS_VERSION, HeaderValue::from_static(VERSION)),
            (TUS_EXTENSION, HeaderValue::from_static(EXTENSIONS)),
            (TUS_MAX_SIZE, HeaderValue::from(services.files.max_size())),
            (TUS_CHECKSUM_ALGORITHM, HeaderValue::from_static("sha256")),
        ],
    )
        .into_response()
}

/// Announces an upload (`Upload-Length`, and `Upload-Metadata` with at least `filename`), reserving
/// its size from the caller's quota. With a body of type `application/offset+octet-stream`, that is
/// its first chunk.
#[utoipa::path(post, path = "/uploads", tag = "uploads",
    params(
        ("Tus-Resumable" = String, Header, description = "1.0.0"),
        ("Upload-Length" = u64, Header, description = "The file's size in bytes"),
        ("Upload-Metadata" = String, Header, description = "`filename <base64>` (required), `filetype <base64>`, comma-separated"),
        ("Upload-Checksum" = Option<String>, Header, description = "`sha256 <base64 digest>` of the body, when there is one"),
    ),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream", description = "Optional first chunk"),
    responses(
        (status = 201, description = "Created", headers(("Location" = String), ("Upload-Offset" = u64), ("Upload-Expires" = String))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 412, body = ErrorBody, description = "Unsupported Tus-Resumable version"),
        (status = 413, body = ErrorBody, description = "Larger than the largest file allowed, or than the storage left"),
        (status = 422, body = ErrorBody), (status = 460, body = ErrorBody, description = "Checksum mismatch")),
    security(("bearer" = ["write"]), ("session" = [])))]
async fn create_upload(
    State(services): State<Services>,
    caller: Caller<Write>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    check_version(&headers)?;
    if headers.contains_key(UPLOAD_DEFER_LENGTH) {
        return Err(ApiError::bad_request("Upload-Defer-Length is not supported: send Upload-Length"));
    }
    let length = number(&headers, &UPLOAD_LENGTH)?.ok_or_else(|| ApiError::bad_request("Upload-Length is required"))?;
    let metadata = header_text(&headers, &UPLOAD_METADATA)?.unwrap_or_default();
    let name = metadata_value(metadata, "filename")?
        .ok_or_else(|| ApiError::bad_request("Upload-Metadata must name the file: `filename <base64>`"))?;
    let with_body = content_type(&headers) == Some(OCTETS);
    let checksum = if with_body { checksum(&headers)? } else { None };

    let created = services
        .files
        .create_upload(&caller.actor, NewUpload { name: &name, length, metadata })
        .await
        .map_err(upload_error)?;
    let location = format!("/api/v1/uploads/{}", created.id);
    let state = if with_body {
        match write(services, caller.actor, created.id, 0, checksum, body).await {
            Ok(state) => state,
            // The upload exists: the client learns where, to resume it.
            Err(err) => {
                let mut response = upload_error(err).into_response();
                response.headers_mut().insert(header::LOCATION, value(&location));
                return Ok(response);
            }
        }
    } else {
        created
    };
    let mut response = StatusCode::CREATED.into_response();
    response.headers_mut().insert(header::LOCATION, value(&location));
    describe(response.headers_mut(), &state);
    Ok(response)
}

/// Where the upload stands (`Upload-Offset`): the client resumes from there.
#[utoipa::path(head, path = "/uploads/{id}", tag = "uploads",
    params(("id" = Uuid, Path), ("Tus-Resumable" = String, Header, description = "1.0.0")),
    responses(
        (status = 200, description = "The upload's state",
            headers(("Upload-Offset" = u64), ("Upload-Length" = u64), ("Upload-Metadata" = String), ("Upload-Expires" = String),
                ("File-Location" = String, description = "The file it became, once complete"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 410, body = ErrorBody, description = "Expired"), (status = 412, body = ErrorBody)),
    security(("bearer" = ["read"]), ("session" = [])))]
async fn upload_offset(
    State(services): State<Services>,
    caller: Caller<Read>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_version(&headers)?;
    let state = services.files.upload_status(&caller.actor, id).await.map_err(upload_error)?;
    let mut response = StatusCode::OK.into_response();
    let out = response.headers_mut();
    describe(out, &state);
    out.insert(UPLOAD_LENGTH, HeaderValue::from(state.length));
    if !state.metadata.is_empty() {
        out.insert(UPLOAD_METADATA, value(&state.metadata));
    }
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Appends a chunk at `Upload-Offset`, which must be where the upload stands (409 otherwise).
/// A chunk cut short keeps what arrived, unless it carries an `Upload-Checksum`.
#[utoipa::path(patch, path = "/uploads/{id}", tag = "uploads",
    params(("id" = Uuid, Path), ("Tus-Resumable" = String, Header, description = "1.0.0"),
        ("Upload-Offset" = u64, Header, description = "Where this chunk starts"),
        ("Upload-Checksum" = Option<String>, Header, description = "`sha256 <base64 digest>` of the chunk")),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"),
    responses(
        (status = 204, description = "Stored", headers(("Upload-Offset" = u64), ("Upload-Expires" = String),
            ("File-Location" = String, description = "The file the upload became, when this chunk completed it"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Upload-Offset is not where the upload stands"),
        (status = 410, body = ErrorBody, description = "Expired"), (status = 412, body = ErrorBody),
        (status = 413, body = ErrorBody, description = "The chunk goes past Upload-Length"),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 423, body = ErrorBody, description = "Another request is writing to the upload"),
        (status = 460, body = ErrorBody, description = "Checksum mismatch")),
    security(("bearer" = ["write"]), ("session" = [])))]
async fn append_to_upload(
    State(services): State<Services>,
    caller: Caller<Write>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    check_version(&headers)?;
    if content_type(&headers) != Some(OCTETS) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("send the chunk as {OCTETS}"),
        ));
    }
    let offset = number(&headers, &UPLOAD_OFFSET)?.ok_or_else(|| ApiError::bad_request("Upload-Offset is required"))?;
    let checksum = checksum(&headers)?;
    let state = write(services, caller.actor, id, offset, checksum, body).await.map_err(upload_error)?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    describe(response.headers_mut(), &state);
    Ok(response)
}

/// Gives up the upload: its bytes so far go and its reserved space comes back.
#[utoipa::path(delete, path = "/uploads/{id}", tag = "uploads",
    params(("id" = Uuid, Path), ("Tus-Resumable" = String, Header, description = "1.0.0")),
    responses((status = 204, description = "Terminated"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 412, body = ErrorBody), (status = 423, body = ErrorBody)),
    security(("bearer" = ["write"]), ("session" = [])))]
async fn terminate_upload(
    State(services): State<Services>,
    caller: Caller<Write>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    check_version(&headers)?;
    services.files.terminate_upload(&caller.actor, id).await.map_err(upload_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Writes the chunk in a task of its own: when the client's connection drops, hyper drops the
/// request's future, but what arrived before the drop must still be saved for the client to
/// resume from.
async fn write(
    services: Services,
    actor: domain::Actor,
    id: Uuid,
    offset: u64,
    checksum: Option<[u8; 32]>,
    body: Body,
) -> Result<UploadState, UploadError> {
    let stream = body.into_data_stream().map_err(std::io::Error::other);
    let task = tokio::spawn(async move { services.files.write_upload(&actor, id, offset, checksum, stream).await });
    task.await.map_err(|err| {
        UploadError::Other(domain::Error::Unexpected(anyhow::Error::new(err).context("writing a chunk")))
    })?
}

/// The headers every answer about an upload carries.
fn describe(out: &mut HeaderMap, state: &UploadState) {
    out.insert(UPLOAD_OFFSET, HeaderValue::from(state.offset));
    match &state.file {
        Some(file) => {
            out.insert(FILE_LOCATION, value(&format!("/api/v1/files/{}", file.id)));
        }
        None => {
            out.insert(UPLOAD_EXPIRES, value(&http_date(state.expires_at)));
        }
    }
}

fn upload_error(err: UploadError) -> ApiError {
    let status = |code: u16| StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let message = err.to_string();
    match err {
        UploadError::OffsetMismatch { current } => {
            let mut api = ApiError::new(StatusCode::CONFLICT, "offset_mismatch", message);
            api.headers.push((UPLOAD_OFFSET, HeaderValue::from(current)));
            api
        }
        UploadError::Expired => ApiError::new(StatusCode::GONE, "upload_expired", message),
        UploadError::Locked => {
            let mut api = ApiError::new(status(423), "upload_locked", message);
            api.retry_after = Some(1);
            api
        }
        UploadError::ChecksumMismatch => ApiError::new(status(460), "checksum_mismatch", message),
        UploadError::TooLarge { .. } => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "file_too_large", message),
        UploadError::OverQuota { .. } => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "over_quota", message),
        UploadError::PastLength { .. } => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "past_upload_length", message),
        UploadError::CutShort => ApiError::bad_request(message),
        UploadError::Other(err) => err.into(),
    }
}
