//! `/notifications`: the caller's notifications and how each kind reaches them.

use axum::{extract::State, http::StatusCode, response::IntoResponse};
use domain::{
    Services,
    notifications::{NotificationInfo, NotificationQuery, Preference},
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    error::{ApiError, ErrorBody},
    extract::{Caller, Json, Page, PageQuery, Path, Query, Read, Write},
};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(unread_count))
        .routes(routes!(mark_all_read))
        .routes(routes!(mark_read))
        .routes(routes!(delete_notification))
        .routes(routes!(get_preferences, set_preferences))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NotificationBody {
    pub id: Uuid,
    /// `file_processed`, `file_failed`, … (new kinds may be added).
    pub kind: String,
    /// What the notification is about, by kind (e.g. `file_id`, `name`).
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
    pub read: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<NotificationInfo> for NotificationBody {
    fn from(n: NotificationInfo) -> Self {
        Self { id: n.id, kind: n.kind, params: n.params, read: n.read, created_at: n.created_at }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationFilter {
    /// Only unread notifications.
    pub unread: Option<bool>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UnreadCount {
    pub unread: u64,
}

/// How one kind of notification reaches the caller.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferenceBody {
    pub kind: String,
    /// Shown in the app.
    pub in_app: bool,
    /// Sent by e-mail.
    pub email: bool,
}

impl From<Preference> for PreferenceBody {
    fn from(p: Preference) -> Self {
        Self { kind: p.kind.to_owned(), in_app: p.in_app, email: p.email }
    }
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/notifications", tag = "notifications", params(PageQuery, NotificationFilter),
    responses((status = 200, body = Page<NotificationBody>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["read"]), ("session" = [])))]
async fn list_notifications(
    State(services): State<Services>,
    caller: Caller<Read>,
    Query(page): Query<PageQuery>,
    Query(filter): Query<NotificationFilter>,
) -> Result<impl IntoResponse, ApiError> {
    let query = NotificationQuery { unread_only: filter.unread.unwrap_or(false), page: page.request()? };
    let found = services.notifications.list(&caller.actor, &query).await?;
    Ok(axum::Json(Page::from_domain(found, NotificationBody::from)))
}

/// How many of the caller's notifications are unread.
#[utoipa::path(get, path = "/notifications/unread", tag = "notifications",
    responses((status = 200, body = UnreadCount), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["read"]), ("session" = [])))]
async fn unread_count(State(services): State<Services>, caller: Caller<Read>) -> Result<impl IntoResponse, ApiError> {
    Ok(axum::Json(UnreadCount { unread: services.notifications.unread(&caller.actor).await? }))
}

/// Marks every notification of the caller read.
#[utoipa::path(post, path = "/notifications/read", tag = "notifications",
    responses((status = 204, description = "Done"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["write"]), ("session" = [])))]
async fn mark_all_read(State(services): State<Services>, caller: Caller<Write>) -> Result<StatusCode, ApiError> {
    services.notifications.mark_read(&caller.actor, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks one notification read.
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "notifications", params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Done"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ),
    security(("bearer" = ["write"]), ("session" = [])))]
async fn mark_read(
    State(services): State<Services>,
    caller: Caller<Write>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    services.notifications.mark_read(&caller.actor, Some(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes one notification.
#[utoipa::path(delete, path = "/notifications/{id}", tag = "notifications", params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ),
    security(("bearer" = ["write"]), ("session" = [])))]
async fn delete_notification(
    State(services): State<Services>,
    caller: Caller<Write>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    services.notifications.delete(&caller.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How each kind of notification reaches the caller.
#[utoipa::path(get, path = "/notifications/preferences", tag = "notifications",
    responses((status = 200, body = Vec<PreferenceBody>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["read"]), ("session" = [])))]
async fn get_preferences(
    State(services): State<Services>,
    caller: Caller<Read>,
) -> Result<impl IntoResponse, ApiError> {
    let preferences = services.notifications.preferences(&caller.actor).await?;
    Ok(axum::Json(preferences.into_iter().map(PreferenceBody::from).collect::<Vec<_>>()))
}

/// Changes how some kinds reach the caller; kinds left out keep theirs. An unknown kind refuses
/// the whole change.
#[utoipa::path(put, path = "/notifications/preferences", tag = "notifications", request_body = Vec<PreferenceBody>,
    responses(
        (status = 200, body = Vec<PreferenceBody>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = ["write"]), ("session" = [])))]
async fn set_preferences(
    State(services): State<Services>,
    caller: Caller<Write>,
    Json(choices): Json<Vec<PreferenceBody>>,
) -> Result<impl IntoResponse, ApiError> {
    let choices: Vec<_> = choices.into_iter().map(|p| (p.kind, p.in_app, p.email)).collect();
    let preferences = services.notifications.set_preferences(&caller.actor, &choices).await?;
    Ok(axum::Json(preferences.into_iter().map(PreferenceBody::from).collect::<Vec<_>>()))
}
