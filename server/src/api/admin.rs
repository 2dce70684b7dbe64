//! `/admin/users`: accounts, for administrators (a session of an admin, or an admin's token with
//! the `admin` scope).

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use domain::{
    Services,
    accounts::{Locale, SignUp},
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    account::{AccountBody, RoleName},
    error::{ApiError, ErrorBody},
    extract::{Admin, Caller, Json, Page, PageQuery, Path, Query, if_match, with_etag},
    sessions::SessionBody,
    tokens::TokenBody,
};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user, delete_user))
        .routes(routes!(user_overview))
        .routes(routes!(suspend_user, reactivate_user))
        .routes(routes!(sign_out_user))
        .routes(routes!(send_password_reset))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserSearch {
    /// Only accounts whose e-mail address (or name) contains this.
    pub email: Option<String>,
    /// Only accounts of this role.
    pub role: Option<RoleName>,
    /// Only suspended accounts, or only active ones.
    pub state: Option<AccountState>,
}

/// Whether an account may be used.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    Active,
    Suspended,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    /// At least 10 characters, not a common password.
    pub password: String,
    pub display_name: Option<String>,
    /// `user` when left out.
    pub role: Option<RoleName>,
    /// `en` when left out.
    pub locale: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    pub role: RoleName,
}

/// Every account, newest first.
#[utoipa::path(get, path = "/admin/users", tag = "admin", params(PageQuery, UserSearch),
    responses((status = 200, body = Page<AccountBody>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["admin"]), ("session" = [])))]
async fn list_users(
    State(services): State<Services>,
    caller: Caller<Admin>,
    Query(page): Query<PageQuery>,
    Query(search): Query<UserSearch>,
) -> Result<impl IntoResponse, ApiError> {
    let role = search.role.map(domain::Role::from);
    let suspended = search.state.map(|state| matches!(state, AccountState::Suspended));
    let found =
        services.accounts.users(&caller.actor, search.email.as_deref(), role, suspended, page.request()?).await?;
    Ok(axum::Json(Page::from_domain(found, AccountBody::from)))
}

/// Creates an account (not signed in; its owner confirms the address on first sign-in).
/// Accepts an `Idempotency-Key`.
#[utoipa::path(post, path = "/admin/users", tag = "admin", request_body = NewUser,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeats with the same key get the first answer")),
    responses(
        (status = 201, body = AccountBody, headers(("Location" = String))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = ["admin"]), ("session" = [])))]
async fn create_user(
    State(services): State<Services>,
    caller: Caller<Admin>,
    Json(new): Json<NewUser>,
) -> Result<Response, ApiError> {
    let locale = match new.locale.as_deref() {
        Some(code) => Locale::parse(code)?,
        None => Locale::En,
    };
    let input =
        SignUp { email: &new.email, password: &new.password, display_name: new.display_name.as_deref(), locale };
    let role = new.role.unwrap_or(RoleName::User).into();
    let account = services.accounts.create_user(&caller.actor, input, role, &caller.client).await?;
    let location = format!("/api/v1/admin/users/{}", account.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], axum::Json(AccountBody::from(account))).into_response())
}

/// One account.
#[utoipa::path(get, path = "/admin/users/{id}", tag = "admin", params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = AccountBody, headers(("ETag" = String))), (status = 304, description = "Not modified"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ),
    security(("bearer" = ["admin"]), ("session" = [])))]
async fn get_user(
    State(services): State<Services>,
    caller: Caller<Admin>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let account = services.accounts.user(&caller.actor, id).await?;
    Ok(with_etag(&headers, account.version, AccountBody::from(account)))
}

/// Where an account's two-factor authentication stands.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TwoFactorBody {
    pub enabled: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub enabled_at: Option<OffsetDateTime>,
    /// Recovery codes not used yet.
    pub recovery_codes_left: u64,
}

/// An account with what it holds.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountOverviewBody {
    pub account: AccountBody,
    /// Live sessions, most recently used first.
    pub sessions: Vec<SessionBody>,
    /// Personal access tokens, newest first (never their secrets).
    pub tokens: Vec<TokenBody>,
    pub two_factor: TwoFactorBody,
    /// Passkeys registered.
    pub passkeys: u64,
    /// Linked OpenID Connect providers, by their configured names.
    pub providers: Vec<String>,
    pub files: u64,
    /// Bytes the account's files take, and the most it may store.
    pub storage_used: u64,
    pub storage_quota: u64,
    /// The newest sign-in: by the audit log, or the start of the newest live session.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_sign_in: Option<OffsetDateTime>,
}

/// One account with its sessions, tokens, second factors, storage and last sign-in.
#[utoipa::path(get, path = "/admin/users/{id}/overview", tag = "admin", params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = AccountOverviewBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ),
    security(("bearer" = ["admin"]), ("session" = [])))]
async fn user_overview(
    State(services): State<Services>,
    caller: Caller<Admin>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<AccountOverviewBody>, ApiError> {
    let o = services.accounts.overview(&caller.actor, id).await?;
    Ok(axum::Json(AccountOverviewBody {
        account: o.account.into(),
        sessions: o.sessions.into_iter().map(SessionBody::from).collect(),
        tokens: o.tokens.into_iter().map(TokenBody::from).collect(),
        two_factor: TwoFactorBody {
            enabled: o.two_factor.enabled_at.is_some(),
            enabled_at: o.two_factor.enabled_at,
            recovery_codes_left: o.two_factor.recovery_codes_left,
        },
        passkeys: o.passkeys,
        providers: o.providers,
        files: o.files,
        storage_used: o.storage_used,
        storage_quota: services.files.quota(),
        last_sign_in: o.last_sign_in,
    }))
}

/// Deletes an account (not one's own, not the last administrator's): it stops working at once,
/// and a job erases it with everything it owns in the next moments.
#[utoipa::path(delete, path = "/admin/users/{id}", tag = "admin", params(("id" = Uuid, Path)),
    responses(
        (status = 202, description = "Deleted; the erasure is under way"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = ["admin"]), ("session" = [])))]
async fn delete_user(
    State(services): State<Services>,
    caller: Caller<Admin>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    services.deletion.delete_user(&caller.actor, id, &caller.client).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Changes an account's role (not one's own).
#[utoipa::path(patch, path = "/admin/users/{id}", tag = "admin", request_body = UserUpdate,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version this change is based on")),
    responses(
        (status = 200, body = AccountBody, headers(("ETag" = String))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 412, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = ["admin"]), ("session" = [])))]
async fn update_user(
    State(services): State<Services>,
    caller: Caller<Admin>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    Json(update): Json<UserUpdate>,
) -> Result<Response, ApiError> {
    let expected = if_match(&headers)?;
    let account = services.accounts.set_role(&caller.actor, id, update.role.into(), expected, &caller.client).await?;
    Ok(with_etag(&HeaderMap::new(), account.version, AccountBody::from(account)))
}

/// Suspends an account (not one's own, not the last active administrator): its sessions end and
/// its tokens stop working at once, on every instance, and it cannot sign in until reactivated.
#[utoipa::path(put, path = "/admin/users/{id}/suspension", tag = "admin", params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = AccountBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = ["admin"]), ("session" = [])))]
async fn suspend_user(
    State(services): State<Services>,
    caller: Caller<Admin>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<AccountBody>, ApiError> {
    Ok(axum::Json(services.accounts.suspend(&caller.actor, id, &caller.client).await?.into()))
}

/// Lifts an account's suspension: it may sign in again, and its tokens work again.
#[utoipa::path(delete, path = "/admin/users/{id}/suspension", tag = "admin", params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = AccountBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = ["admin"]), ("session" = [])))]
async fn reactivate_user(
    State(services): State<Services>,
    caller: Caller<Admin>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<AccountBody>, ApiError> {
    Ok(axum::Json(services.accounts.reactivate(&caller.actor, id, &caller.client).await?.into()))
}

/// Signs an account out of every session, on every instance (its tokens keep working).
#[utoipa::path(post, path = "/admin/users/{id}/sign-out", tag = "admin", params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = super::sessions::Ended),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = ["admin"]), ("session" = [])))]
async fn sign_out_user(
    State(services): State<Services>,
    caller: Caller<Admin>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<super::sessions::Ended>, ApiError> {
    let ended = services.accounts.sign_out_everywhere(&caller.actor, id, &caller.client).await?;
    Ok(axum::Json(super::sessions::Ended { ended }))
}

/// E-mails the account a link to choose a new password, as "forgot password" would (at most one
/// every few minutes).
#[utoipa::path(post, path = "/admin/users/{id}/password-reset", tag = "admin", params(("id" = Uuid, Path)),
    responses(
        (status = 202, description = "The e-mail is on its way"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = ["admin"]), ("session" = [])))]
async fn send_password_reset(
    State(services): State<Services>,
    caller: Caller<Admin>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    services.accounts.send_password_reset(&caller.actor, id, &caller.client).await?;
    Ok(StatusCode::ACCEPTED)
}
