//! What server functions need from the request: the actor, the services, cookies, status codes.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use domain::{Actor, Services, accounts::Account, sessions::ClientInfo};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::{
    cookies::{self, CookiePolicy, Flash},
    error::AppError,
    i18n::Lang,
};

/// How this app sets cookies, as the server provided it (plain http when it did not).
fn cookie_policy() -> CookiePolicy {
    use_context::<CookiePolicy>().unwrap_or_default()
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
    Ok(services.assistant.clone())
}

/// An id from a form or a query, the one way every server function reads one (they take ids as
/// strings, so that a malformed one reaches this instead of failing to decode). A malformed one names
/// nothing: the same answer (`404`) as someone else's thing.
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

/// Whether this request is a plain HTML form post from a browser without JavaScript, which wants a
/// redirect (or a page) back, not JSON: such a browser asks for HTML; programs and the hydrated UI
/// do not. The one test of it, for the server functions here and the server's own doors (the byte
/// doors, the rate limiter's refusal) alike.
pub fn is_plain_form_post(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// [`is_plain_form_post`] for the request this server function answers.
pub fn is_form_post() -> bool {
    parts().is_ok_and(|p| is_plain_form_post(&p.headers))
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

pub fn set_session_cookie(token: &str, max_age: std::time::Duration) {
    append_cookie(cookie_policy().session(token, max_age));
}

pub fn clear_session_cookie() {
    append_cookie(cookie_policy().clear_session());
}

pub fn set_lang_cookie(lang: Lang) {
    append_cookie(cookie_policy().lang(lang));
}

/// Hands a value to the next page load under the flash's path without putting it in a URL.
/// [`take_flash`] reads it and clears it.
pub fn set_flash(flash: Flash, value: &str) {
    append_cookie(cookie_policy().flash(flash, value));
}

/// The value [`set_flash`] left for this request, cleared so the next load does not see it again.
/// The page showing it is not kept in any cache.
pub fn take_flash(flash: Flash) -> Option<String> {
    let value = read_flash(flash)?;
    clear_flash(flash);
    if let Some(response) = use_context::<ResponseOptions>() {
        response.insert_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Some(value)
}

/// The value [`set_flash`] left for this request, if any, left in place.
pub fn read_flash(flash: Flash) -> Option<String> {
    with_context::<Parts, _>(|p| cookies::read(&p.headers, flash.name()).map(str::to_owned)).flatten()
}

/// Removes what [`set_flash`] left.
pub fn clear_flash(flash: Flash) {
    append_cookie(cookie_policy().clear_flash(flash));
}
