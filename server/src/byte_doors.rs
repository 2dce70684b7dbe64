//! The doors for bytes, which server functions cannot stream: uploads (multipart, stored as they
//! arrive), downloads (with ranges and validators), share links and avatar images.

use std::io;

use app::{
    dto::{FileDto, avatar_url},
    error::AppError,
    rpc::{account::AVATAR_UPLOAD_URL as AVATAR_PATH, files::UPLOAD_URL as UPLOAD_PATH, ssr::is_plain_form_post},
};
use axum::{
    Extension, Json,
    body::Body,
    extract::{Multipart, Path, Query, State, multipart::MultipartRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use domain::{
    Actor, Services,
    error::{Field, Problem},
    files::{Download, content_disposition},
};
use futures_util::TryStreamExt;
use leptos::server_fn::error::ServerFnUrlError;
use serde::Deserialize;
use uuid::Uuid;

/// How an answer reaches the caller: a program (or the hydrated page) reads JSON; a browser posting
/// a plain form follows a redirect, with an error in the query as server functions do.
struct ReplyTo {
    form_post: bool,
    referer: Option<String>,
}

impl ReplyTo {
    fn of(headers: &HeaderMap) -> Self {
        let header = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
        Self { form_post: is_plain_form_post(headers), referer: header(header::REFERER).map(str::to_owned) }
    }

    fn fail(&self, path: &str, err: AppError) -> Response {
        if self.form_post {
            let back = self.referer.as_deref().unwrap_or("/");
            if let Ok(url) = ServerFnUrlError::new(path, err.clone()).to_url(back) {
                let target = match url.query() {
                    Some(query) => format!("{}?{query}", url.path()),
                    None => url.path().to_owned(),
                };
                return Redirect::to(&target).into_response();
            }
        }
        rpc_error(err)
    }
}

fn bad_request(rejection: impl std::fmt::Display) -> AppError {
    AppError::Request { message: rejection.to_string() }
}

/// Who the answer is for, and the multipart body, or the answer refusing a body that is not one.
fn open_multipart(
    headers: &HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
    path: &str,
) -> Result<(ReplyTo, Multipart), Box<Response>> {
    let reply_to = ReplyTo::of(headers);
    match multipart {
        Ok(multipart) => Ok((reply_to, multipart)),
        Err(rejection) => Err(Box::new(reply_to.fail(path, bad_request(rejection)))),
    }
}

/// `POST /rpc/files/upload`: every `file` part of a multipart body, each stored as it arrives.
/// Answers `201` with the stored files; the first refusal stops the request and names its file
/// (the files before it are kept).
pub async fn upload(
    State(services): State<Services>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let (reply_to, mut multipart) = match open_multipart(&headers, multipart, UPLOAD_PATH) {
        Ok(opened) => opened,
        Err(refused) => return *refused,
    };
    let mut stored = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(err) => return reply_to.fail(UPLOAD_PATH, bad_request(err)),
        };
        // A form without a chosen file still sends an empty, nameless part.
        let Some(name) = field.file_name().filter(|n| !n.is_empty()).map(str::to_owned) else { continue };
        if field.name() != Some("file") {
            continue;
        }
        let body = field.map_err(io::Error::other);
        match services.files.upload(&actor, &name, body).await {
            Ok(info) => stored.push(FileDto::from(&info)),
            Err(err) => return reply_to.fail(UPLOAD_PATH, AppError::for_upload(err, &name)),
        }
    }
    if stored.is_empty() {
        let err = domain::Error::invalid(Field::File, Problem::Required);
        return reply_to.fail(UPLOAD_PATH, err.into());
    }
    if reply_to.form_post {
        return Redirect::to(&format!("/files?uploaded={}", stored.len())).into_response();
    }
    (StatusCode::CREATED, Json(stored)).into_response()
}

#[derive(Deserialize)]
pub struct ContentQuery {
    download: Option<String>,
}

/// `GET /files/{id}/content`: the owner's file, shown in the browser, or saved with `?download`.
pub async fn content(
    State(services): State<Services>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    Query(query): Query<ContentQuery>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else { return not_found() };
    match services.files.download(&actor, id).await {
        Ok(download) => {
            let kind = if query.download.is_some() { "attachment" } else { "inline" };
            serve(download, &headers, kind, "private, no-cache").await
        }
        Err(err) => error_response(err),
    }
}

/// `GET /account/exports/{id}/download`: the owner's data export, as a zip to save. A visitor
/// (the link opened in a browser not signed in) is sent to sign in first.
pub async fn export(
    State(services): State<Services>,
    Extension(actor): Extension<Actor>,
    Extension(client): Extension<domain::sessions::ClientInfo>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if actor.user_id().is_err() {
        return Redirect::to("/signin").into_response();
    }
    let Ok(id) = Uuid::parse_str(&id) else { return not_found() };
    match services.exports.download(&actor, id, &client).await {
        Ok(download) => serve(download, &headers, "attachment", "private, no-store").await,
        Err(err) => error_response(err),
    }
}

/// A request's path as logs and traces may keep it: a share link's token (see [`shared`]) opens
/// the file to whoever reads it, so it is left out.
pub(crate) fn logged_path(path: &str) -> &str {
    if path.starts_with("/s/") { "/s/{token}" } else { path }
}

/// `GET /s/{token}`: a shared file, for anyone holding the link.
pub async fn shared(State(services): State<Services>, Path(token): Path<String>, headers: HeaderMap) -> Response {
    match services.files.download_shared(&token).await {
        Ok(download) => serve(download, &headers, "attachment", "private, no-store").await,
        Err(err) => error_response(err),
    }
}

fn not_found() -> Response {
    error_response(domain::Error::NotFound)
}

fn error_response(err: domain::Error) -> Response {
    rpc_error(AppError::from(err))
}

/// An error as the server functions answer it (their JSON body, status and `Retry-After`), for
/// the byte doors, which programs and the uploader call like server functions.
pub fn rpc_error(err: AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let retry_after = err.retry_after();
    let mut response = (status, Json(err)).into_response();
    if let Some(seconds) = retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// Streams a stored file with the headers a download needs: length, type, a safe name, an ETag
/// (its SHA-256), and one byte range when asked.
pub(crate) async fn serve(download: Download, headers: &HeaderMap, disposition: &str, cache: &'static str) -> Response {
    match download.presigned_url().await {
        Ok(Some(url)) => return Redirect::temporary(url.as_str()).into_response(),
        Ok(None) => {}
        Err(err) => return error_response(err),
    }
    let info = &download.info;
    let etag = format!("\"{}\"", info.sha256);
    let header_str = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    if header_str(header::IF_NONE_MATCH)
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    // A range only applies to the version the client has (If-Range), else the whole file.
    let range = header_str(header::RANGE)
        .filter(|_| header_str(header::IF_RANGE).is_none_or(|tag| tag == etag))
        .map(|value| http_range_header::parse_range_header(value).and_then(|r| r.validate(info.size)));
    let (status, range) = match range {
        None => (StatusCode::OK, None),
        Some(Ok(ranges)) if ranges.len() == 1 => (StatusCode::PARTIAL_CONTENT, Some(ranges[0].clone())),
        // Several ranges at once: the whole file is a valid answer, and simpler for everyone.
        Some(Ok(_)) => (StatusCode::OK, None),
        Some(Err(_)) => {
            return (StatusCode::RANGE_NOT_SATISFIABLE, [(header::CONTENT_RANGE, format!("bytes */{}", info.size))])
                .into_response();
        }
    };
    let bytes = match download.bytes(range.clone().map(|r| *r.start()..*r.end() + 1)).await {
        Ok(bytes) => bytes,
        Err(err) => return error_response(err),
    };
    let content_type = if info.content_type.starts_with("text/") {
        format!("{}; charset=utf-8", info.content_type)
    } else {
        info.content_type.clone()
    };
    let mut response = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_DISPOSITION, content_disposition(disposition, &info.name))
        .header(header::ETAG, etag)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CACHE_CONTROL, cache)
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        // Stored files never run code in our origin; Chrome's PDF viewer needs no sandbox flag.
        // Only our own file page may frame them (its PDF preview).
        .header(
            header::CONTENT_SECURITY_POLICY,
            if info.content_type == "application/pdf" {
                "default-src 'none'; frame-ancestors 'self'"
            } else {
                "default-src 'none'; sandbox; frame-ancestors 'self'"
            },
        )
        .header(header::X_FRAME_OPTIONS, "SAMEORIGIN");
    response = match &range {
        Some(r) => response
            .header(header::CONTENT_LENGTH, r.end() - r.start() + 1)
            .header(header::CONTENT_RANGE, format!("bytes {}-{}/{}", r.start(), r.end(), info.size)),
        None => response.header(header::CONTENT_LENGTH, info.size),
    };
    response.body(Body::from_stream(bytes)).unwrap_or_else(|err| {
        tracing::error!(error = %err, "could not build a download response");
        StatusCode::INTERNAL_SERVER_ERROR.into_response()
    })
}

/// `POST /rpc/account/avatar`: the `avatar` part of a multipart body becomes the user's avatar.
pub async fn set_avatar(
    State(services): State<Services>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let (reply_to, mut multipart) = match open_multipart(&headers, multipart, AVATAR_PATH) {
        Ok(opened) => opened,
        Err(refused) => return *refused,
    };
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("avatar") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                let body = field.map_err(io::Error::other);
                return match services.avatars.set(&actor, body).await {
                    Ok(_) if reply_to.form_post => Redirect::to("/profile?saved=avatar").into_response(),
                    Ok(id) => {
                        Json(serde_json::json!({ "avatar_url": avatar_url(&id.to_string(), 256) })).into_response()
                    }
                    Err(err) => reply_to.fail(AVATAR_PATH, AppError::for_upload(err, &name)),
                };
            }
            Ok(Some(_)) => continue,
            Ok(None) => {
                let err = domain::Error::invalid(Field::Avatar, Problem::Required);
                return reply_to.fail(AVATAR_PATH, err.into());
            }
            Err(err) => return reply_to.fail(AVATAR_PATH, bad_request(err)),
        }
    }
}

/// `GET /avatars/{id}/{size}.png`: immutable, so cached for a year.
pub async fn avatar(State(services): State<Services>, Path((id, file)): Path<(String, String)>) -> Response {
    let size = file.strip_suffix(".png").and_then(|s| s.parse::<u32>().ok());
    let (Ok(id), Some(size)) = (Uuid::parse_str(&id), size) else { return not_found() };
    match services.avatars.image(id, size).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            Body::from_stream(bytes),
        )
            .into_response(),
        Err(err) => error_response(err),
    }
}

#[cfg(test)]
mod tests {
    use super::logged_path;

    #[test]
    fn share_tokens_stay_out_of_the_logs() {
        assert_eq!(logged_path("/s/Zm9vYmFyYmF6cXV4"), "/s/{token}");
        assert_eq!(logged_path("/files/3f1c/content"), "/files/3f1c/content");
        assert_eq!(logged_path("/signin"), "/signin");
    }
}
