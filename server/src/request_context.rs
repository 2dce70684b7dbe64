//! Resolves, once per request, who is asking (the session cookie), from where, and in which
//! language, and puts it in the request extensions for every door to read.

use std::net::SocketAddr;

use app::{
    cookies::{self, CookiePolicy},
    error::AppError,
    i18n::Lang,
};
use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use domain::{
    Services,
    error::Class,
    sessions::{ClientInfo, Resolved, SessionToken},
};
use tower_http::request_id::RequestId;

use crate::api::extract::InvalidBearer;

/// Paths that never need an actor: static files, health, metrics.
fn needs_context(path: &str) -> bool {
    !(path.starts_with("/pkg/")
        || path.starts_with("/health/")
        || path.starts_with("/avatars/")
        || path == "/metrics"
        || path == "/favicon.ico")
}

pub async fn resolve(
    State(services): State<Services>,
    State(policy): State<CookiePolicy>,
    mut request: Request,
    next: Next,
) -> Response {
    if !needs_context(request.uri().path()) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let client = ClientInfo {
        user_agent: headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned),
        ip: request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()),
        request_id: request
            .extensions()
            .get::<RequestId>()
            .and_then(|id| id.header_value().to_str().ok())
            .map(str::to_owned),
    };
    let mut invalid_bearer = false;
    let path = request.uri().path();
    let resolved = match credential(path, headers, policy.session_name()) {
        Some(PresentedCredential::Bearer(secret)) => match services.tokens.resolve(secret, &client).await {
            Ok(resolved) => {
                invalid_bearer = resolved.account.is_none();
                resolved
            }
            Err(err) if err.class() == Class::Unavailable => return unavailable(path, err),
            Err(err) => {
                tracing::warn!(error = %err, "could not resolve the bearer token; treating the request as anonymous");
                invalid_bearer = true;
                Resolved::anonymous()
            }
        },
        Some(PresentedCredential::Session(token)) => {
            match services.sessions.resolve(&SessionToken::from_cookie(token)).await {
                Ok(resolved) => resolved,
                // Signed-in requests cannot be served without the database: answer 503 and
                // Retry-After now rather than as someone signed out.
                Err(err) if err.class() == Class::Unavailable => return unavailable(path, err),
                Err(err) => {
                    tracing::warn!(error = %err, "could not resolve the session; treating the request as anonymous");
                    Resolved::anonymous()
                }
            }
        }
        None => Resolved::anonymous(),
    };
    let accept_language = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    let preference = resolved.account.as_ref().map(|a| a.locale.as_str());
    let lang = Lang::negotiate(preference, cookies::read(headers, cookies::LANG), accept_language);
    let extensions = request.extensions_mut();
    if invalid_bearer {
        extensions.insert(InvalidBearer);
    }
    extensions.insert(resolved.actor);
    if let Some(account) = resolved.account {
        extensions.insert(account);
    }
    extensions.insert(client);
    extensions.insert(lang);
    next.run(request).await
}

/// The database is down: the REST API's error, or the server functions' (pages included), with
/// status and `Retry-After` from the domain's table.
fn unavailable(path: &str, err: domain::Error) -> Response {
    if path.starts_with("/api/") {
        crate::api::error::ApiError::from(err).into_response()
    } else {
        crate::byte_doors::rpc_error(AppError::from(err))
    }
}

/// A credential as the request presents it, not yet checked (`domain::Credential` is what a
/// checked one proved).
enum PresentedCredential<'a> {
    Bearer(&'a str),
    Session(&'a str),
}

/// What the request proves itself with. Tokens are for the REST API only: the pages and server
/// functions do not check scopes. A request to the API with an `Authorization` header is judged
/// by that header alone, never by cookies it may also carry.
fn credential<'a>(path: &str, headers: &'a HeaderMap, session_cookie: &str) -> Option<PresentedCredential<'a>> {
    if path.starts_with("/api/")
        && let Some(value) = headers.get(header::AUTHORIZATION)
    {
        let value = value.to_str().unwrap_or_default();
        let secret = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).unwrap_or_default();
        return Some(PresentedCredential::Bearer(secret.trim()));
    }
    cookies::read(headers, session_cookie).map(PresentedCredential::Session)
}
