//! `/admin/flags`: feature flags, for administrators. Every instance follows a change at once.

use axum::extract::State;
use domain::{
    Role, Services,
    flags::{Flag, FlagInfo, Rule},
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    account::RoleName,
    error::{ApiError, ErrorBody},
    extract::{Admin, Caller, Json, Path},
};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_flags)).routes(routes!(set_flag))
}

/// A feature flag and how it is set.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FlagBody {
    /// `assistant`, … (new flags may be added).
    pub key: String,
    pub description: String,
    pub enabled: bool,
    /// 0 to 100: the share of users who get it, each by a stable hash of the flag and their id,
    /// so raising it only adds users.
    pub rollout: u8,
    /// Always get it (while enabled), whatever the rollout.
    pub allow_users: Vec<Uuid>,
    /// Never get it. Wins over every other list.
    pub deny_users: Vec<Uuid>,
    pub allow_roles: Vec<RoleName>,
    pub deny_roles: Vec<RoleName>,
    /// When an administrator last set it; null while it is at its default.
    #[serde(with = "time::serde::rfc3339::option")]
    pub updated_at: Option<OffsetDateTime>,
}

impl From<FlagInfo> for FlagBody {
    fn from(f: FlagInfo) -> Self {
        Self {
            key: f.flag.key().to_owned(),
            description: f.flag.description().to_owned(),
            enabled: f.rule.enabled,
            rollout: f.rule.rollout,
            allow_users: f.rule.allow_users,
            deny_users: f.rule.deny_users,
            allow_roles: f.rule.allow_roles.into_iter().map(RoleName::from).collect(),
            deny_roles: f.rule.deny_roles.into_iter().map(RoleName::from).collect(),
            updated_at: f.updated_at,
        }
    }
}

/// How to set a flag: the whole rule (lists left out are empty).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlagUpdate {
    pub enabled: bool,
    /// 0 to 100.
    #[schema(maximum = 100)]
    pub rollout: u8,
    #[serde(default)]
    pub allow_users: Vec<Uuid>,
    #[serde(default)]
    pub deny_users: Vec<Uuid>,
    #[serde(default)]
    pub allow_roles: Vec<RoleName>,
    #[serde(default)]
    pub deny_roles: Vec<RoleName>,
}

/// Every feature flag the platform knows, with how it is set.
#[utoipa::path(get, path = "/admin/flags", tag = "admin",
    responses((status = 200, body = Vec<FlagBody>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["admin"]), ("session" = [])))]
async fn list_flags(
    State(services): State<Services>,
    caller: Caller<Admin>,
) -> Result<axum::Json<Vec<FlagBody>>, ApiError> {
    let flags = services.flags.list(&caller.actor).await?;
    Ok(axum::Json(flags.into_iter().map(FlagBody::from).collect()))
}

/// Sets a feature flag; every instance follows within a second. Audited (`flag_changed`).
#[utoipa::path(put, path = "/admin/flags/{key}", tag = "admin", request_body = FlagUpdate,
    params(("key" = String, Path)),
    responses(
        (status = 200, body = FlagBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = ["admin"]), ("session" = [])))]
async fn set_flag(
    State(services): State<Services>,
    caller: Caller<Admin>,
    Path(key): Path<String>,
    Json(update): Json<FlagUpdate>,
) -> Result<axum::Json<FlagBody>, ApiError> {
    let flag = Flag::parse(&key).ok_or(domain::Error::NotFound)?;
    let rule = Rule {
        enabled: update.enabled,
        rollout: update.rollout,
        allow_users: update.allow_users,
        deny_users: update.deny_users,
        allow_roles: update.allow_roles.into_iter().map(Role::from).collect(),
        deny_roles: update.deny_roles.into_iter().map(Role::from).collect(),
    };
    Ok(axum::Json(services.flags.set(&caller.actor, flag, rule, &caller.client).await?.into()))
}
