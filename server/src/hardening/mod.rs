//! Hardening for every response, in one middleware (`guard`) near the outside of the router:
//!
//! - **IP lists.** `IP_DENY` and `IP_ALLOW` (CIDRs) judge the TCP peer; deny wins; a refusal is
//!   `403 forbidden`. The health endpoints are exempt: the orchestrator's probes come from addresses
//!   nobody thinks of listing, and a refused probe restarts a healthy app. They reveal nothing.
//! - **CORS** for `/api/` only, and only for the origins in `CORS_ORIGINS` (none by default: then no
//!   CORS header is ever sent and browsers keep other sites' pages out).
//! - **A body limit** (`BODY_LIMIT`) for forms, JSON and server functions: the body is read, up to
//!   the limit, before any handler runs, so a refused request (`413`) changes nothing.
//! - **A timeout** (`REQUEST_TIMEOUT`) until the response starts: `408` while the client is still
//!   sending its body, `503` when the app itself is slow (a database lock, a stuck provider).
//! - **Security headers**: a Content-Security-Policy with a fresh nonce per response (Leptos puts
//!   it on every inline script it writes), `X-Frame-Options`, `X-Content-Type-Options`,
//!   `Referrer-Policy`, and HSTS when `PUBLIC_URL` is https.
//!
//! Streamed routes (see [`is_streamed`]) skip the body limit and the timeout.

use std::{
    convert::Infallible,
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use axum::{
    body::Body,
    extract::{ConnectInfo, DefaultBodyLimit, Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use ipnet::IpNet;
use leptos::{nonce::Nonce, prelude::*};
use tokio::time::Instant;
use tower::{Layer, ServiceExt, service_fn};
use tower_http::cors::{AllowOrigin, CorsLayer};

mod config;
mod csp;

pub use config::HardeningConfig;
use csp::ContentSecurityPolicy;

/// What `guard` enforces, built once at start-up.
#[derive(Clone)]
pub struct Hardening(Arc<Policy>);

struct Policy {
    body_limit: usize,
    timeout: Option<Duration>,
    cors: Option<CorsLayer>,
    allow: Vec<IpNet>,
    deny: Vec<IpNet>,
    hsts: bool,
    csp: ContentSecurityPolicy,
}

impl Hardening {
    pub fn new(domain: &domain::config::Config, config: &HardeningConfig) -> Self {
        Self(Arc::new(Policy {
            body_limit: usize::try_from(config.body_limit.0).unwrap_or(usize::MAX),
            timeout: (!config.request_timeout.is_zero()).then_some(config.request_timeout),
            cors: (!config.cors_origins.is_empty()).then(|| cors(&config.cors_origins)),
            allow: config.ip_allow.clone(),
            deny: config.ip_deny.clone(),
            hsts: domain.public_url.as_ref().is_some_and(|url| url.scheme() == "https"),
            csp: ContentSecurityPolicy::new(domain),
        }))
    }
}

/// CORS for `/api/`: the listed origins, bearer tokens (no cookies: `allow_credentials` stays off,
/// so another site can never act with a user's session), and the headers API clients read.
fn cors(origins: &[HeaderValue]) -> CorsLayer {
    const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
    let exposed = ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "ratelimit-policy"]
        .map(HeaderName::from_static)
        .into_iter()
        .chain([header::ETAG, header::RETRY_AFTER]);
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins.iter().cloned()))
        .allow_methods([Method::GET, Method::HEAD, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::IF_MATCH, IDEMPOTENCY_KEY])
        .expose_headers(exposed.collect::<Vec<_>>())
        .max_age(Duration::from_secs(600))
}

/// Routes whose bodies stream for as long as they take, so the body limit and the timeout would
/// cut them off: the uploads (each file is limited by FILES_MAX_SIZE in the domain, as it
/// arrives), downloads and share links (big files on slow links), and `/events` (server-sent
/// events, open for the whole visit). A new streamed route must be added here.
pub fn is_streamed(method: &Method, path: &str) -> bool {
    let upload = path == app::rpc::files::UPLOAD_URL
        || path == app::rpc::account::AVATAR_UPLOAD_URL
        || (method == Method::POST && path == "/api/v1/files")
        || (method == Method::PUT && path == "/api/v1/account/avatar")
        || (method == Method::POST && path == "/api/v1/uploads")
        || (method == Method::PATCH && path.starts_with("/api/v1/uploads/"));
    let download = path.starts_with("/s/")
        || ((path.starts_with("/files/") || path.starts_with("/api/v1/files/")) && path.ends_with("/content"));
    upload || download || path == "/events"
}

/// Routes whose request is small but whose response streams for as long as it takes: the
/// assistant's answer (newline-delimited JSON, written as the model writes it). The body limit
/// still applies to the request; the timeout does not apply to the answer.
pub fn streams_response(path: &str) -> bool {
    use leptos::server_fn::ServerFn;

    path == <app::rpc::assistant::Ask as ServerFn>::PATH
}

/// Applies the whole policy to one request and its response.
pub async fn guard(State(hardening): State<Hardening>, mut request: Request, next: Next) -> Response {
    let policy = &hardening.0;
    let nonce = Nonce::new();
    request.extensions_mut().insert(nonce.clone());
    let path = request.uri().path().to_owned();
    let mut response = match policy.refusal(&request) {
        Some(refusal) => refusal,
        None => match &policy.cors {
            Some(cors) if path.starts_with("/api/") => {
                let hardening = hardening.clone();
                let inner = service_fn(move |request| {
                    let (hardening, next) = (hardening.clone(), next.clone());
                    async move { Ok::<_, Infallible>(hardening.0.bounded(request, next).await) }
                });
                let Ok(response) = cors.layer(inner).oneshot(request).await;
                response
            }
            _ => policy.bounded(request, next).await,
        },
    };
    policy.add_headers(&path, &nonce, response.headers_mut());
    response
}

/// Gives Leptos this response's nonce (the one in the CSP header) instead of the one it made up.
/// Call it in the context of every render.
pub fn provide_nonce() {
    if let Some(nonce) = use_context::<Parts>().and_then(|parts| parts.extensions.get::<Nonce>().cloned()) {
        provide_context(nonce);
    }
}

fn plain(status: StatusCode, body: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

impl Policy {
    /// A `403` for a client the IP lists keep out.
    fn refusal(&self, request: &Request) -> Option<Response> {
        if (self.allow.is_empty() && self.deny.is_empty()) || request.uri().path().starts_with("/health/") {
            return None;
        }
        let ip = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_canonical());
        if ip.is_some_and(|ip| admits(&self.allow, &self.deny, ip)) {
            return None;
        }
        let ip = ip.map_or_else(|| "unknown".to_owned(), domain::log_privacy::ip);
        tracing::warn!(%ip, path = %crate::byte_doors::logged_path(request.uri().path()), "request refused by IP_ALLOW/IP_DENY");
        Some(plain(StatusCode::FORBIDDEN, "forbidden\n"))
    }

    /// Runs the request within the body limit and the timeout (streamed routes without them).
    async fn bounded(&self, request: Request, next: Next) -> Response {
        if is_streamed(request.method(), request.uri().path()) {
            return next.run(request).await;
        }
        let deadline = self.timeout.map(|timeout| Instant::now() + timeout);
        let request = match within(deadline, self.read_body(request)).await {
            None => return plain(StatusCode::REQUEST_TIMEOUT, "request timed out\n"),
            Some(Err(refusal)) => return refusal,
            Some(Ok(request)) => request,
        };
        let streams_response = streams_response(request.uri().path());
        // Extractors (Json, Form) may then take the whole limit, not axum's default of 2 MB.
        let run = DefaultBodyLimit::max(self.body_limit).layer(next).oneshot(request);
        if streams_response {
            let Ok(response) = run.await;
            return response;
        }
        match within(deadline, run).await {
            Some(Ok(response)) => response,
            None => {
                tracing::warn!("request timed out (REQUEST_TIMEOUT)");
                plain(StatusCode::SERVICE_UNAVAILABLE, "request timed out\n")
            }
        }
    }

    /// The request with its body read into memory, or `413` when it is over the limit.
    async fn read_body(&self, request: Request) -> Result<Request, Response> {
        let too_large = || plain(StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n");
        let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|length| length > self.body_limit as u64) {
            return Err(too_large());
        }
        let (parts, body) = request.into_parts();
        match axum::body::to_bytes(body, self.body_limit).await {
            Ok(bytes) => Ok(Request::from_parts(parts, Body::from(bytes))),
            Err(err) if is_length_limit(&err) => Err(too_large()),
            Err(_) => Err(plain(StatusCode::BAD_REQUEST, "could not read the request body\n")),
        }
    }

    fn add_headers(&self, path: &str, nonce: &str, headers: &mut HeaderMap) {
        // A handler that set its own policy (stored files: `default-src 'none'`) knows better.
        if !headers.contains_key(header::CONTENT_SECURITY_POLICY)
            && let Ok(value) = HeaderValue::from_str(&self.csp.header(path, nonce))
        {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
        headers.entry(header::X_FRAME_OPTIONS).or_insert(HeaderValue::from_static("DENY"));
        headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
        if self.hsts {
            headers.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=63072000; includeSubDomains"),
            );
        }
    }
}

/// Deny wins; an empty allow list allows everyone.
fn admits(allow: &[IpNet], deny: &[IpNet], ip: IpAddr) -> bool {
    !deny.iter().any(|net| net.contains(&ip)) && (allow.is_empty() || allow.iter().any(|net| net.contains(&ip)))
}

/// `None` when the deadline passed first.
async fn within<F: Future>(deadline: Option<Instant>, future: F) -> Option<F::Output> {
    match deadline {
        Some(deadline) => tokio::time::timeout_at(deadline, future).await.ok(),
        None => Some(future.await),
    }
}

fn is_length_limit(err: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::{config::parse_network, *};

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| parse_network("TEST", n).unwrap()).collect()
    }

    #[test]
    fn deny_wins_and_an_empty_allow_list_allows_all() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(admits(&[], &[], ip("203.0.113.9")));
        assert!(!admits(&[], &nets(&["203.0.113.0/24"]), ip("203.0.113.9")));
        assert!(admits(&nets(&["10.0.0.0/8"]), &[], ip("10.1.2.3")));
        assert!(!admits(&nets(&["10.0.0.0/8"]), &[], ip("11.1.2.3")));
        assert!(!admits(&nets(&["10.0.0.0/8"]), &nets(&["10.1.2.3"]), ip("10.1.2.3")));
        assert!(admits(&nets(&["2001:db8::/32"]), &[], ip("2001:db8::1")));
    }

    #[test]
    fn streamed_routes_are_the_uploads_downloads_and_events() {
        let streamed = [
            (Method::POST, "/rpc/files/upload"),
            (Method::POST, "/rpc/account/avatar"),
            (Method::POST, "/api/v1/files"),
            (Method::GET, "/events"),
            (Method::GET, "/files/abc/content"),
            (Method::GET, "/api/v1/files/abc/content"),
            (Method::GET, "/s/token"),
        ];
        for (method, path) in streamed {
            assert!(is_streamed(&method, path), "{method} {path}");
        }
        let bounded = [
            (Method::GET, "/files"),
            (Method::GET, "/files/abc"),
            (Method::POST, "/rpc/auth/sign_in"),
            (Method::GET, "/api/v1/files"),
            (Method::PATCH, "/api/v1/files/abc"),
            (Method::GET, "/"),
        ];
        for (method, path) in bounded {
            assert!(!is_streamed(&method, path), "{method} {path}");
        }
    }

    #[test]
    fn only_the_assistants_answer_streams_its_response() {
        assert!(streams_response("/rpc/assistant/ask"));
        assert!(!is_streamed(&Method::POST, "/rpc/assistant/ask"), "its request is read within the limit");
        for path in ["/rpc/assistant/conversations", "/rpc/assistant/rename", "/assistant", "/events"] {
            assert!(!streams_response(path), "{path}");
        }
    }
}
