//! `/uploads`: resumable uploads over the tus 1.0 protocol (<https://tus.io/protocols/resumable-upload>),
//! with the `creation`, `creation-with-upload`, `termination`, `expiration` and `checksum`
//! (sha256) extensions. An upload that completes becomes a file of `/files`, named in the
//! `File-Location` header of the response that completed it and of later `HEAD`s.

use axum::{
    body::Body,
    extract::State,
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use domain::{
    Services,
    files::{NewUpload, UploadError, UploadState},
};
use futures_util::TryStreamExt;
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    error::{ApiError, ErrorBody},
    extract::{Caller, Path, Read, Write},
};
use crate::state::AppState;

const VERSION: &str = "1.0.0";
const EXTENSIONS: &str = "creation,creation-with-upload,termination,expiration,checksum";
const OCTETS: &str = "application/offset+octet-stream";

const TUS_RESUMABLE: HeaderName = HeaderName::from_static("tus-resumable");
const TUS_VERSION: HeaderName = HeaderName::from_static("tus-version");
const TUS_EXTENSION: HeaderName = HeaderName::from_static("tus-extension");
const TUS_MAX_SIZE: HeaderName = HeaderName::from_static("tus-max-size");
const TUS_CHECKSUM_ALGORITHM: HeaderName = HeaderName::from_static("tus-checksum-algorithm");
const UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");
const UPLOAD_LENGTH: HeaderName = HeaderName::from_static("upload-length");
const UPLOAD_DEFER_LENGTH: HeaderName = HeaderName::from_static("upload-defer-length");
const UPLOAD_METADATA: HeaderName = HeaderName::from_static("upload-metadata");
const UPLOAD_EXPIRES: HeaderName = HeaderName::from_static("upload-expires");
const UPLOAD_CHECKSUM: HeaderName = HeaderName::from_static("upload-checksum");
const FILE_LOCATION: HeaderName = HeaderName::from_static("file-location");

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

fn check_version(headers: &HeaderMap) -> Result<(), ApiError> {
    match headers.get(TUS_RESUMABLE).and_then(|v| v.to_str().ok()) {
        Some(VERSION) => Ok(()),
        sent => {
            let message = match sent {
                Some(other) => format!("Tus-Resumable {other} is not supported; this server speaks {VERSION}"),
                None => format!("send Tus-Resumable: {VERSION}"),
            };
            let mut err = ApiError::new(StatusCode::PRECONDITION_FAILED, "unsupported_tus_version", message);
            err.headers.push((TUS_VERSION, HeaderValue::from_static(VERSION)));
            Err(err)
        }
    }
}

fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::CONTENT_TYPE)?.to_str().ok().map(|v| v.split(';').next().unwrap_or_default().trim())
}

fn header_text<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Result<Option<&'h str>, ApiError> {
    headers
        .get(name)
        .map(|v| v.to_str().map_err(|_| ApiError::bad_request(format!("{name} is not ASCII text"))))
        .transpose()
}

/// A header holding a non-negative integer: digits only, as the protocol says.
fn number(headers: &HeaderMap, name: &HeaderName) -> Result<Option<u64>, ApiError> {
    let Some(raw) = header_text(headers, name)? else { return Ok(None) };
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad_request(format!("{name} must be a non-negative integer")));
    }
    raw.parse().map(Some).map_err(|_| ApiError::bad_request(format!("{name} is too large")))
}

/// The value of `key` in `Upload-Metadata` (`key base64, key base64, …`), decoded as UTF-8.
fn metadata_value(metadata: &str, key: &str) -> Result<Option<String>, ApiError> {
    for pair in metadata.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once(' ').unwrap_or((pair, ""));
        if k != key {
            continue;
        }
        let bytes = STANDARD
            .decode(v.trim())
            .map_err(|_| ApiError::bad_request(format!("Upload-Metadata: the value of `{key}` is not base64")))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| ApiError::bad_request(format!("Upload-Metadata: the value of `{key}` is not UTF-8")))?;
        return Ok(Some(text));
    }
    Ok(None)
}

/// `Upload-Checksum: sha256 <base64>`; any other algorithm is refused (400), as the protocol says.
fn checksum(headers: &HeaderMap) -> Result<Option<[u8; 32]>, ApiError> {
    let Some(raw) = header_text(headers, &UPLOAD_CHECKSUM)? else { return Ok(None) };
    let (algorithm, digest) = raw.trim().split_once(' ').unwrap_or((raw, ""));
    if !algorithm.eq_ignore_ascii_case("sha256") {
        return Err(ApiError::bad_request(format!(
            "Upload-Checksum: algorithm `{algorithm}` is not supported; use sha256"
        )));
    }
    STANDARD
        .decode(digest.trim())
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .map(Some)
        .ok_or_else(|| ApiError::bad_request("Upload-Checksum: the digest is not 32 bytes of base64"))
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

fn value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// An HTTP date (RFC 9110: `Sun, 06 Nov 1994 08:49:37 GMT`).
fn http_date(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let weekday = at.weekday().to_string();
    let month = at.month().to_string();
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        &weekday[..3],
        at.day(),
        &month[..3],
        at.year(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_http_dates() {
        let at = OffsetDateTime::from_unix_timestamp(784_111_777).unwrap();
        assert_eq!(http_date(at), "Sun, 06 Nov 1994 08:49:37 GMT");
    }

    #[test]
    fn metadata_is_read_by_key() {
        let metadata = "relativePath null,filename cmVwb3J0LnBkZg==, filetype YXBwbGljYXRpb24vcGRm,is_confidential";
        assert_eq!(metadata_value(metadata, "filename").unwrap().as_deref(), Some("report.pdf"));
        assert_eq!(metadata_value(metadata, "filetype").unwrap().as_deref(), Some("application/pdf"));
        assert_eq!(metadata_value(metadata, "is_confidential").unwrap().as_deref(), Some(""));
        assert_eq!(metadata_value(metadata, "missing").unwrap(), None);
        assert!(metadata_value("filename %%%", "filename").is_err());
    }

    #[test]
    fn only_sha256_checksums_are_taken() {
        let mut headers = HeaderMap::new();
        headers.insert(UPLOAD_CHECKSUM, HeaderValue::from_static("md5 1B2M2Y8AsgTpgAmY7PhCfg=="));
        assert!(checksum(&headers).unwrap_err().message.contains("md5"));
        headers
            .insert(UPLOAD_CHECKSUM, HeaderValue::from_static("sha256 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="));
        assert_eq!(checksum(&headers).unwrap().map(|d| d[0]), Some(0xe3));
        headers.insert(UPLOAD_CHECKSUM, HeaderValue::from_static("sha256 AAAA"));
        assert!(checksum(&headers).is_err());
    }

    #[test]
    fn offsets_are_digits_only() {
        let mut headers = HeaderMap::new();
        for bad in ["-1", "+5", " 5", "1e3", ""] {
            headers.insert(UPLOAD_OFFSET, HeaderValue::from_str(bad).unwrap());
            assert!(number(&headers, &UPLOAD_OFFSET).is_err(), "{bad:?}");
        }
        headers.insert(UPLOAD_OFFSET, HeaderValue::from_static("42"));
        assert_eq!(number(&headers, &UPLOAD_OFFSET).unwrap(), Some(42));
    }
}
