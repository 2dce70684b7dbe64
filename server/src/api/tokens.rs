//! `/tokens`: the caller's personal access tokens.

use std::time::Duration;

use axum::{
    Extension,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use domain::{
    Scope, Scopes, Services,
    accounts::{TokenInfo, TokenRequest},
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    error::{ApiError, ErrorBody},
    extract::{Caller, Json, Path, Read, Write},
    idempotency::OneTimeSecret,
};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_tokens, create_token)).routes(routes!(revoke_token))
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ScopeName {
    /// Read everything the account may read.
    Read,
    /// Change everything the account may change.
    Write,
    /// The admin API (administrators only).
    Admin,
}

impl From<ScopeName> for Scope {
    fn from(s: ScopeName) -> Self {
        match s {
            ScopeName::Read => Self::Read,
            ScopeName::Write => Self::Write,
            ScopeName::Admin => Self::Admin,
        }
    }
}

impl From<Scope> for ScopeName {
    fn from(s: Scope) -> Self {
        match s {
            Scope::Read => Self::Read,
            Scope::Write => Self::Write,
            Scope::Admin => Self::Admin,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenBody {
    pub id: Uuid,
    pub name: String,
    pub scopes: Vec<ScopeName>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    pub last_used_ip: Option<String>,
}

impl From<TokenInfo> for TokenBody {
    fn from(t: TokenInfo) -> Self {
        Self {
            id: t.id,
            name: t.name,
            scopes: t.scopes.iter().map(ScopeName::from).collect(),
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
            last_used_ip: t.last_used_ip,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenRequest {
    /// What the token is for, e.g. "backup script".
    pub name: String,
    /// No more than the calling token's own scopes.
    pub scopes: Vec<ScopeName>,
    /// Lifetime in days, 1 to 366.
    #[schema(minimum = 1, maximum = 366)]
    pub expires_in_days: u32,
}

/// A token just created, with its secret: shown this once.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedToken {
    pub token: TokenBody,
    /// Send as `Authorization: Bearer <secret>`. Not retrievable later.
    pub secret: String,
}

/// The caller's tokens, newest first (expired ones too, until they are cleaned up a week later).
#[utoipa::path(get, path = "/tokens", tag = "tokens",
    responses((status = 200, body = Vec<TokenBody>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["read"]), ("session" = [])))]
async fn list_tokens(State(services): State<Services>, caller: Caller<Read>) -> Result<impl IntoResponse, ApiError> {
    let tokens = services.tokens.list(&caller.actor).await?;
    Ok(axum::Json(tokens.into_iter().map(TokenBody::from).collect::<Vec<_>>()))
}

/// Creates a token. Accepts an `Idempotency-Key`.
#[utoipa::path(post, path = "/tokens", tag = "tokens", request_body = NewTokenRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeats with the same key get the first answer")),
    responses(
        (status = 201, body = CreatedToken, headers(("Location" = String))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = ["write"]), ("session" = [])))]
async fn create_token(
    State(services): State<Services>,
    caller: Caller<Write>,
    Json(request): Json<NewTokenRequest>,
) -> Result<Response, ApiError> {
    if !(1..=366).contains(&request.expires_in_days) {
        return Err(ApiError::invalid("expires_in_days", "out_of_range"));
    }
    let scopes: Scopes = request.scopes.iter().map(|s| Scope::from(*s)).collect();
    let lifetime = Duration::from_secs(u64::from(request.expires_in_days) * 24 * 3600);
    let created = services
        .tokens
        .create(&caller.actor, TokenRequest { name: &request.name, scopes, lifetime }, &caller.client)
        .await?;
    let location = format!("/api/v1/tokens/{}", created.info.id);
    let body = CreatedToken { token: created.info.into(), secret: created.secret };
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Extension(OneTimeSecret), axum::Json(body))
        .into_response())
}

/// Revokes one of the caller's tokens; it stops working at once.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "tokens",
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ),
    security(("bearer" = ["write"]), ("session" = [])))]
async fn revoke_token(
    State(services): State<Services>,
    caller: Caller<Write>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    services.tokens.revoke(&caller.actor, id, &caller.client).await?;
    Ok(StatusCode::NO_CONTENT)
}
