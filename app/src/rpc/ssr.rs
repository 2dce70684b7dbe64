//! What server functions need from the request: the actor, the services, cookies, status codes.

use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use domain::{Actor, Services, accounts::Account, sessions::ClientInfo};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::{error::AppError, i18n::Lang};

pub const SESSION_COOKIE: &str = "smartai_session";
/// The session cookie's name over https. Browsers take a `__Host-` cookie only from this very host,
/// with `Secure`, `Path=/` and no `Domain`, so a sibling subdomain cannot plant or overwrite it.
pub const HOST_SESSION_COOKIE: &str = "__Host-smartai_session";

/// How cookies are set; the server provides it from its configuration.
#[derive(Debug, Clone, Copy)]
pub struct CookiePolicy {
    /// Add `Secure` (the app is served over https).
    pub secure: bool,
}

impl CookiePolicy {
    /// The name the session cookie is set and read under (plain http, as on a laptop, cannot have
    /// the prefix: it needs `Secure`).
    pub fn session_cookie(self) -> &'static str {
        if self.secure { HOST_SESSION_COOKIE } else { SESSION_COOKIE }
    }
}

fn session_cookie() -> &'static str {
    use_context::<CookiePolicy>().map_or(SESSION_COOKIE, CookiePolicy::session_cookie)
}

fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or(AppError::Internal)
}

pub fn services() -> Result<Services, AppError> {
    use_context::<Services>().ok_or(AppError::Internal)
}

/// The assistant, for a caller who has its feature flag; `404` for one who does not.
pub async fn assistant() -> Result<domain::assistant::AssistantService, AppError> {
    let services = services()?;
    if !services.flags.enabled(&actor(), domain::flags::Flag::Assistant).await.map_err(fail)? {
        return Err(fail(AppError::NotFound));
    }
    Ok(services.assistant)
}

/// An id from a form or a query. A malformed one names nothing: the same answer (`404`) as
/// someone else's thing.
pub fn parse_id(id: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(id).map_err(|_| fail(AppError::NotFound))
}

pub fn actor() -> Actor {
    use_context::<Parts>().and_then(|p| p.extensions.get::<Actor>().cloned()).unwrap_or(Actor::Anonymous)
}

/// The signed-in account as loaded with the session at the start of this request.
pub fn current_account() -> Option<Account> {
    use_context::<Parts>().and_then(|p| p.extensions.get::<Account>().cloned())
}

/// The signed-in account's time zone, for the times sent back (without cloning the request,
/// as this runs once per time in a list).
pub fn viewer_time_zone() -> Option<String> {
    with_context::<Parts, _>(|p| p.extensions.get::<Account>().map(|a| a.time_zone.clone())).flatten()
}

pub fn client_info() -> ClientInfo {
    use_context::<Parts>().and_then(|p| p.extensions.get::<ClientInfo>().cloned()).unwrap_or_default()
}

pub fn request_lang() -> Lang {
    use_context::<Parts>().and_then(|p| p.extensions.get::<Lang>().copied()).unwrap_or_default()
}

/// An absolute link to `path` on this site, for copying elsewhere: built from PUBLIC_URL, never from
/// the request's `Host`, which whoever sends the request chooses.
pub fn public_link(path: &str) -> Result<String, AppError> {
    let link = services()?.public_url.join(path.trim_start_matches('/')).map_err(|_| AppError::Internal)?;
    Ok(link.to_string())
}

/// A browser posting a plain HTML form (no JavaScript) asks for HTML back; programs and the
/// hydrated UI do not.
pub fn is_form_post() -> bool {
    parts().is_ok_and(|p| {
        p.headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
    })
}

/// Whether this request is a call of a server function (not a page calling one while rendering).
fn is_rpc_call() -> bool {
    parts().is_ok_and(|p| p.uri.path().starts_with(crate::rpc::PREFIX))
}

/// Maps a domain error for the caller: programs get the right status code; a plain form post keeps
/// the redirect back to its page, which then shows the error; a page rendering on the server
/// decides its own status.
pub fn fail(err: impl Into<AppError>) -> AppError {
    let err = err.into();
    set_status_for(&err);
    err
}

/// Gives a program calling a server function the status code that fits the error.
pub fn set_status_for(err: &AppError) {
    if is_rpc_call()
        && !is_form_post()
        && let Some(response) = use_context::<ResponseOptions>()
    {
        response.set_status(StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
        if let Some(retry_after) = err.retry_after() {
            response.insert_header(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
    }
}

/// After a successful plain form post, where the browser should go (the hydrated UI navigates by
/// itself, without a reload).
pub fn redirect_form_post(path: &str) {
    if is_rpc_call() && is_form_post() {
        leptos_axum::redirect(path);
    }
}

/// After a successful plain form post, back to the page it came from (its path only: the query
/// may carry an earlier error or notice).
pub fn redirect_form_post_back() {
    let referer = parts().ok().and_then(|p| p.headers.get(header::REFERER)?.to_str().ok().map(str::to_owned));
    let path = referer
        .as_deref()
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
        .map(|path| path.split(['?', '#']).next().unwrap_or("/"))
        .filter(|path| path.starts_with('/') && !path.starts_with("//"))
        .unwrap_or("/");
    redirect_form_post(path);
}

fn append_cookie(cookie: String) {
    if let (Some(response), Ok(value)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(&cookie)) {
        response.append_header(header::SET_COOKIE, value);
    }
}

fn secure_attr() -> &'static str {
    if use_context::<CookiePolicy>().is_some_and(|p| p.secure) { "; Secure" } else { "" }
}

pub fn set_session_cookie(token: &str, max_age: std::time::Duration) {
    append_cookie(format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        session_cookie(),
        max_age.as_secs(),
        secure_attr()
    ));
}

pub fn clear_session_cookie() {
    append_cookie(format!("{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}", session_cookie(), secure_attr()));
}

pub fn set_lang_cookie(lang: Lang) {
    append_cookie(format!("{}={}; Path=/; SameSite=Lax; Max-Age=31536000{}", Lang::COOKIE, lang.code(), secure_attr()));
}

/// Hands a value to the next page load under `path` without putting it in a URL (a secret shown
/// once after a plain form post): an HttpOnly cookie for that path alone, kept a few minutes at
/// most. [`take_flash`] reads it and clears it.
pub fn set_flash(name: &str, value: &str, path: &str) {
    append_cookie(format!("{name}={value}; Path={path}; HttpOnly; SameSite=Strict; Max-Age=300{}", secure_attr()));
}

/// The value [`set_flash`] left for this request, cleared so the next load does not see it again.
/// The page showing it is not kept in any cache.
pub fn take_flash(name: &str, path: &str) -> Option<String> {
    let value = read_cookie(name)?;
    clear_flash(name, path);
    if let Some(response) = use_context::<ResponseOptions>() {
        response.insert_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Some(value)
}

/// The value of one of the request's cookies, if it has a non-empty one.
pub fn read_cookie(name: &str) -> Option<String> {
    let parts = parts().ok()?;
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('=').map(str::to_owned))
        .filter(|v| !v.is_empty())
}

/// Removes what [`set_flash`] left under `path`.
pub fn clear_flash(name: &str, path: &str) {
    append_cookie(format!("{name}=; Path={path}; HttpOnly; SameSite=Strict; Max-Age=0{}", secure_attr()));
}
