//! What every handler takes from a request: who is calling (and whether their credential carries
//! the scope the route needs), the body, the query and the path, each refused in the API's words.

use std::marker::PhantomData;

use axum::{
    extract::{FromRequest, FromRequestParts},
    http::{HeaderMap, StatusCode, header, request::Parts},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use domain::{
    Actor, Scope,
    pagination::{MAX_LIMIT, PageRequest},
    sessions::ClientInfo,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::ApiError;

/// A bearer token was sent but names no live token; the request is not retried with cookies.
#[derive(Debug, Clone, Copy)]
pub struct InvalidBearer;

/// The scope a route needs from a token.
pub trait Needs: Send + Sync + 'static {
    const SCOPE: Scope;
}

pub struct Read;
pub struct Write;
pub struct Admin;

impl Needs for Read {
    const SCOPE: Scope = Scope::Read;
}
impl Needs for Write {
    const SCOPE: Scope = Scope::Write;
}
impl Needs for Admin {
    const SCOPE: Scope = Scope::Admin;
}

/// The signed-in caller (session or token), whose credential carries scope `N`.
pub struct Caller<N> {
    pub actor: Actor,
    pub client: ClientInfo,
    scope: PhantomData<N>,
}

impl<N: Needs, S: Send + Sync> FromRequestParts<S> for Caller<N> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        if parts.extensions.get::<InvalidBearer>().is_some() {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                "the bearer token is unknown, revoked or expired",
            ));
        }
        let actor = parts.extensions.get::<Actor>().cloned().unwrap_or(Actor::Anonymous);
        if actor.user_id().is_err() {
            return Err(domain::Error::Unauthenticated.into());
        }
        if !actor.has_scope(N::SCOPE) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "insufficient_scope",
                format!("this token lacks the `{}` scope", N::SCOPE.as_str()),
            ));
        }
        let client = parts.extensions.get::<ClientInfo>().cloned().unwrap_or_default();
        Ok(Self { actor, client, scope: PhantomData })
    }
}

/// A JSON body, refused with the API's error body.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// `?limit=&cursor=` of a listing.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    pub fn request(&self) -> Result<PageRequest, ApiError> {
        let limit = self.limit.unwrap_or(PageRequest::default().limit);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid("limit", "out_of_range"));
        }
        let after = match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            Some(cursor) => Some(decode_cursor(cursor).ok_or_else(|| ApiError::invalid("cursor", "malformed"))?),
            None => None,
        };
        Ok(PageRequest { after, limit })
    }
}

fn decode_cursor(cursor: &str) -> Option<Uuid> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    Uuid::from_slice(&bytes).ok()
}

pub fn encode_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

/// One page of a listing.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    pub fn from_domain<D>(page: domain::pagination::Page<D>, f: impl FnMut(D) -> T) -> Self {
        let next_cursor = page.next.map(encode_cursor);
        Self { items: page.items.into_iter().map(f).collect(), next_cursor }
    }
}

/// The ETag of a resource at `version`: the count of its changes (see `domain::concurrency`), so
/// every change gives another one, and the `If-Match` of an update names the version it is based
/// on, checked by the write itself.
pub fn etag(version: i64) -> String {
    format!("\"v{version}\"")
}

/// The version an update's `If-Match` names, for the service to write only while the resource is
/// still at it (412 when it is not). None without the header, or with `*`: the update goes ahead
/// whatever the version (the header is how a client asks not to overwrite a change). A tag that
/// is no version of ours (another resource's hash, say) matches no version; with several, the
/// newest counts.
pub fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else { return Ok(None) };
    let value = value.to_str().map_err(|_| ApiError::precondition_failed())?;
    let tags: Vec<&str> = value.split(',').map(str::trim).collect();
    if tags.contains(&"*") {
        return Ok(None);
    }
    let newest = tags.iter().filter_map(|tag| version_of(tag)).max();
    Ok(Some(newest.unwrap_or(NO_VERSION)))
}

/// A version no resource is ever at: what an `If-Match` naming none of ours asks for.
const NO_VERSION: i64 = domain::concurrency::FIRST_VERSION - 1;

fn version_of(tag: &str) -> Option<i64> {
    let digits = tag.strip_prefix("\"v")?.strip_suffix('"')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// `200` with the body and the ETag of `version`, or `304` when the client's `If-None-Match`
/// has it already.
pub fn with_etag<T: Serialize>(headers: &HeaderMap, version: i64, value: T) -> axum::response::Response {
    use axum::response::IntoResponse;
    let etag = etag(version);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').map(str::trim).any(|tag| tag == etag || tag == "*"));
    if fresh {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    ([(header::ETAG, etag)], axum::Json(value)).into_response()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let id = Uuid::now_v7();
        let query = PageQuery { limit: Some(5), cursor: Some(encode_cursor(id)) };
        assert_eq!(query.request().unwrap(), PageRequest { after: Some(id), limit: 5 });
        let bad = PageQuery { limit: None, cursor: Some("not a cursor".into()) };
        assert_eq!(bad.request().unwrap_err().fields.get("cursor").map(String::as_str), Some("malformed"));
        let big = PageQuery { limit: Some(1000), cursor: None };
        assert_eq!(big.request().unwrap_err().fields.get("limit").map(String::as_str), Some("out_of_range"));
    }

    #[test]
    fn if_match_names_the_version_its_etag_is_of() {
        assert_eq!(etag(3), "\"v3\"");
        assert_ne!(etag(3), etag(4));
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::IF_MATCH, HeaderValue::from_static(value));
            if_match(&headers).map_err(|e| e.status)
        };
        assert_eq!(if_match(&HeaderMap::new()).unwrap(), None, "no header: no condition");
        assert_eq!(with("\"v7\"").unwrap(), Some(7));
        assert_eq!(with("*").unwrap(), None);
        assert_eq!(with("\"v2\", \"v5\"").unwrap(), Some(5));
        // Tags that are no version of ours match no version at all.
        for other in ["\"stale\"", "W/\"v7\"", "\"v\"", "\"v-1\"", "\"v7x\"", "v7"] {
            assert_eq!(with(other).unwrap(), Some(NO_VERSION), "{other}");
        }
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_MATCH, HeaderValue::from_bytes(b"\"v\xff\"").unwrap());
        assert_eq!(if_match(&headers).unwrap_err().status, StatusCode::PRECONDITION_FAILED);
    }
}
