//! `/sessions`: the caller's signed-in browser sessions, and signing them out.

use axum::{extract::State, http::StatusCode, response::IntoResponse};
use domain::{Services, sessions::SessionInfo};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::{ApiError, ErrorBody},
    extract::{Caller, Path, Read, Write},
};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_sessions, end_other_sessions)).routes(routes!(end_session))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionBody {
    pub id: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_at: OffsetDateTime,
    /// The session this request came with (never, for a token).
    pub current: bool,
}

impl From<SessionInfo> for SessionBody {
    fn from(s: SessionInfo) -> Self {
        Self {
            id: s.id,
            ip: s.ip,
            user_agent: s.user_agent,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            current: s.current,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Ended {
    /// How many sessions were signed out.
    pub ended: u64,
}

/// The caller's live sessions, most recently used first.
#[utoipa::path(get, path = "/sessions", tag = "sessions",
    responses((status = 200, body = Vec<SessionBody>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["read"]), ("session" = [])))]
async fn list_sessions(State(services): State<Services>, caller: Caller<Read>) -> Result<impl IntoResponse, ApiError> {
    let sessions = services.sessions.list(&caller.actor).await?;
    Ok(axum::Json(sessions.into_iter().map(SessionBody::from).collect::<Vec<_>>()))
}

/// Signs out every session of the caller but the one in use (all of them, for a token).
#[utoipa::path(delete, path = "/sessions", tag = "sessions",
    responses((status = 200, body = Ended), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["write"]), ("session" = [])))]
async fn end_other_sessions(
    State(services): State<Services>,
    caller: Caller<Write>,
) -> Result<impl IntoResponse, ApiError> {
    let ended = services.accounts.end_other_sessions(&caller.actor, &caller.client).await?;
    Ok(axum::Json(Ended { ended }))
}

/// Signs out one of the caller's sessions.
#[utoipa::path(delete, path = "/sessions/{id}", tag = "sessions",
    params(("id" = String, Path, description = "The session's id")),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ),
    security(("bearer" = ["write"]), ("session" = [])))]
async fn end_session(
    State(services): State<Services>,
    caller: Caller<Write>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    services.accounts.end_session(&caller.actor, &id, &caller.client).await?;
    Ok(StatusCode::NO_CONTENT)
}
