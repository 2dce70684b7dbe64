//! `/account`: the caller's own profile, password, avatar, security activity and data exports.

use axum::{
    body::Body,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use domain::{
    Services,
    accounts::{Account, ProfileUpdate},
    audit::AuditEntry,
    exports::{ExportInfo, ExportStatus},
};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::state::AppState;

use super::{
    error::{ApiError, ErrorBody},
    extract::{Caller, Json, Path, Read, Write, if_match, with_etag},
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_account, update_account))
        .routes(routes!(change_password))
        .routes(routes!(request_deletion))
        .routes(routes!(set_avatar, remove_avatar))
        .routes(routes!(activity))
        .routes(routes!(request_export, list_exports))
        .routes(routes!(get_export))
        .routes(routes!(download_export))
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    User,
    Admin,
}

impl From<domain::Role> for RoleName {
    fn from(role: domain::Role) -> Self {
        match role {
            domain::Role::User => Self::User,
            domain::Role::Admin => Self::Admin,
        }
    }
}

impl From<RoleName> for domain::Role {
    fn from(role: RoleName) -> Self {
        match role {
            RoleName::User => Self::User,
            RoleName::Admin => Self::Admin,
        }
    }
}

/// An account.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountBody {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: RoleName,
    /// A language code: `en`, `de`, `fr`, `ar`.
    pub locale: String,
    /// An IANA time zone, e.g. `Europe/Berlin`.
    pub time_zone: String,
    /// Path of the 256 px avatar image, if there is one.
    pub avatar_url: Option<String>,
    pub email_verified: bool,
    /// Suspended by an administrator: it cannot sign in, and its tokens do not work.
    pub suspended: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Account> for AccountBody {
    fn from(a: Account) -> Self {
        Self {
            id: a.id,
            email: a.email,
            display_name: a.display_name,
            role: a.role.into(),
            locale: a.locale,
            time_zone: a.time_zone,
            avatar_url: a.avatar_id.map(|id| app::dto::avatar_url(&id.to_string(), 256)),
            email_verified: a.email_verified,
            suspended: a.suspended,
            created_at: a.created_at,
        }
    }
}

/// Fields to change; those left out keep their value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountUpdate {
    pub display_name: Option<String>,
    pub locale: Option<String>,
    pub time_zone: Option<String>,
}

/// The caller's account.
#[utoipa::path(get, path = "/account", tag = "account",
    responses(
        (status = 200, body = AccountBody, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, body = ErrorBody),
    ),
    security(("bearer" = ["read"]), ("session" = [])))]
async fn get_account(
    State(services): State<Services>,
    caller: Caller<Read>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let account = services.accounts.profile(&caller.actor).await?;
    Ok(with_etag(&headers, account.version, AccountBody::from(account)))
}

/// Changes the caller's name, language or time zone. Send `If-Match` with the ETag read to refuse
/// overwriting a change made in between.
#[utoipa::path(patch, path = "/account", tag = "account", request_body = AccountUpdate,
    params(("If-Match" = Option<String>, Header, description = "ETag of the version this change is based on")),
    responses(
        (status = 200, body = AccountBody, headers(("ETag" = String))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 412, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = ["write"]), ("session" = [])))]
async fn update_account(
    State(services): State<Services>,
    caller: Caller<Write>,
    headers: HeaderMap,
    Json(update): Json<AccountUpdate>,
) -> Result<Response, ApiError> {
    let update = ProfileUpdate {
        display_name: update.display_name.as_deref(),
        locale: update.locale.as_deref(),
        time_zone: update.time_zone.as_deref(),
    };
    let account = services.accounts.update_profile(&caller.actor, update, if_match(&headers)?).await?;
    Ok(with_etag(&HeaderMap::new(), account.version, AccountBody::from(account)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// At least 10 characters, not a common password.
    pub new_password: String,
}

/// Changes the caller's password (the current one is required) and ends their other sessions.
#[utoipa::path(put, path = "/account/password", tag = "account", request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = ["write"]), ("session" = [])))]
async fn change_password(
    State(services): State<Services>,
    caller: Caller<Write>,
    Json(change): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    services
        .accounts
        .change_password(&caller.actor, &change.current_password, &change.new_password, &caller.client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeletionRequest {
    /// The account's password; may be left out by a session that signed in minutes ago.
    pub password: Option<String>,
    /// The account's e-mail address, typed out.
    pub confirmation: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeletionScheduled {
    /// When the account is erased, unless its owner signs in before.
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
}

/// Asks for the caller's account to be deleted: every session (this one too) and access token
/// ends now, and the account with everything it owns is erased at `due_at` unless its owner
/// signs in before. A browser session only (tokens are refused), with the password unless it
/// signed in minutes ago.
#[utoipa::path(post, path = "/account/deletion", tag = "account", request_body = DeletionRequest,
    responses(
        (status = 202, body = DeletionScheduled),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("session" = [])))]
async fn request_deletion(
    State(services): State<Services>,
    caller: Caller<Write>,
    Json(request): Json<DeletionRequest>,
) -> Result<Response, ApiError> {
    let password = request.password.as_deref().filter(|p| !p.is_empty());
    let scheduled = services.deletion.request(&caller.actor, password, &request.confirmation, &caller.client).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(DeletionScheduled { due_at: scheduled.due_at })).into_response())
}

/// Sets the caller's avatar from an image in the body (PNG, JPEG, GIF or WebP); it is cropped
/// square and stored at 64 and 256 px without its metadata.
#[utoipa::path(put, path = "/account/avatar", tag = "account",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The image"),
    responses(
        (status = 200, body = AccountBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = ["write"]), ("session" = [])))]
async fn set_avatar(State(services): State<Services>, caller: Caller<Write>, body: Body) -> Result<Response, ApiError> {
    let stream = body.into_data_stream().map_err(std::io::Error::other);
    services.avatars.set(&caller.actor, stream).await?;
    let account = services.accounts.profile(&caller.actor).await?;
    Ok(with_etag(&HeaderMap::new(), account.version, AccountBody::from(account)))
}

/// Removes the caller's avatar.
#[utoipa::path(delete, path = "/account/avatar", tag = "account",
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["write"]), ("session" = [])))]
async fn remove_avatar(State(services): State<Services>, caller: Caller<Write>) -> Result<StatusCode, ApiError> {
    services.avatars.remove(&caller.actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A security event on the caller's account.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ActivityBody {
    /// `sign_in`, `password_changed`, `token_created`, … (new codes may be added).
    pub event: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<AuditEntry> for ActivityBody {
    fn from(e: AuditEntry) -> Self {
        Self { event: e.event, ip: e.ip, user_agent: e.user_agent, created_at: e.created_at }
    }
}

/// The newest 50 security events of the caller's account, newest first.
#[utoipa::path(get, path = "/account/activity", tag = "account",
    responses((status = 200, body = Vec<ActivityBody>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["read"]), ("session" = [])))]
async fn activity(State(services): State<Services>, caller: Caller<Read>) -> Result<impl IntoResponse, ApiError> {
    let events = services.audit.list_own(&caller.actor, 50).await?;
    Ok(axum::Json(events.into_iter().map(ActivityBody::from).collect::<Vec<_>>()))
}

/// A data export of the caller's account.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ExportBody {
    pub id: Uuid,
    /// `pending` (being built), `ready` (downloadable until `expires_at`), `failed` (ask again) or
    /// `expired`.
    pub status: ExportState,
    /// Bytes of the zip, once ready.
    pub size: Option<u64>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ready_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    /// Where the zip is downloaded, once ready.
    pub download_url: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ExportState {
    Pending,
    Ready,
    Failed,
    Expired,
}

impl From<ExportInfo> for ExportBody {
    fn from(e: ExportInfo) -> Self {
        let status = match e.status {
            ExportStatus::Pending => ExportState::Pending,
            ExportStatus::Ready => ExportState::Ready,
            ExportStatus::Failed => ExportState::Failed,
            ExportStatus::Expired => ExportState::Expired,
        };
        Self {
            id: e.id,
            status,
            size: e.size,
            created_at: e.created_at,
            ready_at: e.ready_at,
            expires_at: e.expires_at,
            download_url: (status == ExportState::Ready).then(|| format!("/api/v1/account/exports/{}/download", e.id)),
        }
    }
}

/// Asks for a copy of everything the platform keeps about the caller (profile, sessions, tokens'
/// metadata, sign-in methods, files, notifications, assistant conversations, security events), as
/// one zip built in the background. The caller is notified when it is ready. While one is being
/// built, asking again gives it back (200); a new one is refused (429) for ten minutes after the last.
#[utoipa::path(post, path = "/account/exports", tag = "account",
    responses(
        (status = 202, body = ExportBody, headers(("Location" = String))),
        (status = 200, body = ExportBody, description = "An export already being built"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody),
    ),
    security(("bearer" = ["write"]), ("session" = [])))]
async fn request_export(State(services): State<Services>, caller: Caller<Write>) -> Result<Response, ApiError> {
    let requested = services.exports.request(&caller.actor, &caller.client).await?;
    let location = format!("/api/v1/account/exports/{}", requested.export.id);
    let status = if requested.started { StatusCode::ACCEPTED } else { StatusCode::OK };
    let body = axum::Json(ExportBody::from(requested.export));
    Ok((status, [(axum::http::header::LOCATION, location)], body).into_response())
}

/// The caller's latest data exports, newest first.
#[utoipa::path(get, path = "/account/exports", tag = "account",
    responses((status = 200, body = Vec<ExportBody>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["read"]), ("session" = [])))]
async fn list_exports(State(services): State<Services>, caller: Caller<Read>) -> Result<impl IntoResponse, ApiError> {
    let list = services.exports.list(&caller.actor).await?;
    Ok(axum::Json(list.into_iter().map(ExportBody::from).collect::<Vec<_>>()))
}

/// One of the caller's data exports (poll it until `ready`).
#[utoipa::path(get, path = "/account/exports/{id}", tag = "account", params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = ExportBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ),
    security(("bearer" = ["read"]), ("session" = [])))]
async fn get_export(
    State(services): State<Services>,
    caller: Caller<Read>,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(axum::Json(ExportBody::from(services.exports.get(&caller.actor, id).await?)))
}

/// The zip of a ready export. `404` when it is not ready, has expired, or is not the caller's.
#[utoipa::path(get, path = "/account/exports/{id}/download", tag = "account", params(("id" = Uuid, Path)),
    responses(
        (status = 200, content_type = "application/zip", body = Vec<u8>, headers(("ETag" = String))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ),
    security(("bearer" = ["read"]), ("session" = [])))]
async fn download_export(
    State(services): State<Services>,
    caller: Caller<Read>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let download = services.exports.download(&caller.actor, id, &caller.client).await?;
    Ok(crate::byte_doors::serve(download, &headers, "attachment", "private, no-store").await)
}
