//! Rate limiting per client address and per account, with limits per group of routes. Every
//! limited response says where its caller stands (`RateLimit-Limit`, `-Remaining`, `-Reset`, in
//! the IETF draft's style); a refusal is a 429 with `Retry-After`.
//!
//! Counts are fixed windows: in Redis when `REDIS_URL` is set, so every instance shares them, in
//! this process otherwise. A Redis that fails or is slow lets requests through (fail open: the
//! limiter protects the app, it must not take it down), logs a warning and counts
//! `http_rate_limit_store_errors_total`.

mod config;
mod store;

use std::{
    net::{IpAddr, Ipv6Addr, SocketAddr},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{SystemTime, UNIX_EPOCH},
};

use app::{error::AppError, i18n::Lang, rpc::ssr::is_plain_form_post};
use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
pub use config::{BadLimit, Limit, Quota, RateLimitConfig};
use domain::Actor;
use store::{Hit, Store};

use domain::metric_names::{RATE_LIMIT_STORE_ERRORS_TOTAL, RATE_LIMITED_TOTAL};

/// A group of routes sharing one pair of limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Api,
    Auth,
    Rpc,
    Pages,
}

impl Group {
    /// The group a path belongs to; `None` for what is never limited (health checks, metrics,
    /// the front end's static files).
    pub fn of(path: &str) -> Option<Self> {
        if path.starts_with("/health/") || path == "/metrics" || path.starts_with("/pkg/") || path == "/favicon.ico" {
            None
        } else if path.starts_with("/api/") {
            Some(Self::Api)
        } else if path.starts_with("/rpc/auth/")
            || path.starts_with("/rpc/passkeys/sign_in_")
            || path.starts_with("/auth/")
        {
            Some(Self::Auth)
        } else if path.starts_with("/rpc/") {
            Some(Self::Rpc)
        } else {
            Some(Self::Pages)
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::Auth => "auth",
            Self::Rpc => "rpc",
            Self::Pages => "pages",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Ip,
    User,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Self::Ip => "ip",
            Self::User => "user",
        }
    }
}

#[derive(Clone)]
pub struct RateLimiter(Arc<Inner>);

struct Inner {
    config: RateLimitConfig,
    store: Store,
    /// Key prefix (the deployment's `REDIS_PREFIX`).
    prefix: String,
    /// When a store failure was last logged (Unix seconds), so an outage logs once in a while.
    warned_at: AtomicU64,
}

impl RateLimiter {
    /// Counts in Redis when the jobs' `REDIS_URL` is set, under its `REDIS_PREFIX`; in this
    /// process otherwise.
    pub async fn open(config: &RateLimitConfig, jobs: &domain::jobs::JobsConfig) -> anyhow::Result<Self> {
        let store = match &jobs.redis_url {
            Some(url) => Store::redis(url).await?,
            None => Store::local(),
        };
        Ok(Self(Arc::new(Inner {
            config: config.clone(),
            store,
            prefix: format!("{}ratelimit:", jobs.redis_prefix),
            warned_at: AtomicU64::new(0),
        })))
    }

    fn limits(&self, group: Group) -> [(Scope, Limit); 2] {
        let c = &self.0.config;
        let (ip, user) = match group {
            Group::Api => (c.api_ip, c.api_user),
            Group::Auth => (c.auth_ip, c.auth_user),
            Group::Rpc => (c.rpc_ip, c.rpc_user),
            Group::Pages => (c.pages_ip, c.pages_user),
        };
        [(Scope::Ip, ip), (Scope::User, user)]
    }

    /// Counts the request against each limit that applies; `None` when none applies or the
    /// store failed.
    async fn check(&self, group: Group, ip: Option<IpAddr>, user: Option<uuid::Uuid>) -> Option<Verdict> {
        let mut checks = Vec::with_capacity(2);
        for (scope, limit) in self.limits(group) {
            let who = match scope {
                Scope::Ip => ip.map(|ip| ip.to_string()),
                Scope::User => user.map(|id| id.to_string()),
            };
            if let (Some(quota), Some(who)) = (limit.0, who) {
                let key = format!("{}{}:{}:{who}", self.0.prefix, group.as_str(), scope.as_str());
                checks.push((scope, quota, key));
            }
        }
        if checks.is_empty() {
            return None;
        }
        let keys: Vec<_> = checks.iter().map(|(_, quota, key)| (key.clone(), quota.period)).collect();
        match self.0.store.hit(&keys).await {
            Ok(hits) => Verdict::of(checks.iter().zip(hits).map(|((scope, quota, _), hit)| (*scope, *quota, hit))),
            Err(err) => {
                metrics::counter!(RATE_LIMIT_STORE_ERRORS_TOTAL).increment(1);
                let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
                if now.saturating_sub(self.0.warned_at.swap(now, Ordering::Relaxed)) >= 10 {
                    tracing::warn!(error = format!("{err:#}"), "rate limit store failed; letting requests through");
                }
                None
            }
        }
    }
}

/// Where a request stands against the limit closest to exhaustion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Verdict {
    scope: Scope,
    limit: u64,
    remaining: u64,
    /// Whole seconds until the window ends, rounded up.
    reset: u64,
    refused: bool,
}

impl Verdict {
    /// A refusal wins over a pass (the refusal that lasts longest); otherwise the fewest remaining.
    fn of(hits: impl Iterator<Item = (Scope, Quota, Hit)>) -> Option<Self> {
        hits.map(|(scope, quota, hit)| {
            let reset = hit.resets_in.as_secs() + u64::from(hit.resets_in.subsec_nanos() > 0);
            Verdict {
                scope,
                limit: quota.max,
                remaining: quota.max.saturating_sub(hit.count),
                reset: reset.max(1),
                refused: hit.count > quota.max,
            }
        })
        .max_by_key(|v| (v.refused, if v.refused { v.reset } else { 0 }, std::cmp::Reverse(v.remaining), v.reset))
    }

    fn write_headers(&self, headers: &mut HeaderMap) {
        headers.insert(HeaderName::from_static("ratelimit-limit"), HeaderValue::from(self.limit));
        headers.insert(HeaderName::from_static("ratelimit-remaining"), HeaderValue::from(self.remaining));
        headers.insert(HeaderName::from_static("ratelimit-reset"), HeaderValue::from(self.reset));
    }
}

/// The middleware. Runs after `request_context::resolve`, which puts the actor in the request.
pub async fn enforce(State(limiter): State<RateLimiter>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let Some(group) = Group::of(path) else { return next.run(request).await };
    let ip = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| client_key(c.0.ip()));
    let user = request.extensions().get::<Actor>().and_then(|actor| actor.user_id().ok());
    let Some(verdict) = limiter.check(group, ip, user).await else { return next.run(request).await };
    if verdict.refused {
        metrics::counter!(RATE_LIMITED_TOTAL, "group" => group.as_str(), "scope" => verdict.scope.as_str())
            .increment(1);
        let mut response = refusal(&request, group, verdict.reset);
        verdict.write_headers(response.headers_mut());
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(verdict.reset));
        return response;
    }
    let mut response = next.run(request).await;
    verdict.write_headers(response.headers_mut());
    response
}

/// The 429 answer in the caller's terms: the REST API's error object, the server functions'
/// typed error (which the UI shows as "try again in N seconds"), or a short translated text
/// (pages, and server functions posted by a form without JavaScript).
fn refusal(request: &Request, group: Group, retry_after: u64) -> Response {
    let lang = request.extensions().get::<Lang>().copied().unwrap_or_default();
    let message = lang.tr_args("error-rate-limited", &[("count", retry_after.to_string())]);
    let status = StatusCode::TOO_MANY_REQUESTS;
    match group {
        // `api::shape_errors` writes the body, with the request id.
        Group::Api => crate::api::error::ApiError::new(status, "rate_limited", message).into_response(),
        // A plain form post (a browser without JavaScript) gets the text, like a page.
        Group::Auth | Group::Rpc
            if request.uri().path().starts_with(app::rpc::PREFIX) && !is_plain_form_post(request.headers()) =>
        {
            (status, axum::Json(AppError::TooManyAttempts { retry_after })).into_response()
        }
        _ => (status, message).into_response(),
    }
}

/// The address a client is counted under: IPv6 clients by their /64, the block one subscriber
/// usually holds (counting single addresses would let them rotate through billions).
fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(v6.to_bits() & !((1u128 << 64) - 1))),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn paths_fall_in_groups() {
        assert_eq!(Group::of("/health/ready"), None);
        assert_eq!(Group::of("/metrics"), None);
        assert_eq!(Group::of("/pkg/smartai.wasm"), None);
        assert_eq!(Group::of("/api/v1/files"), Some(Group::Api));
        assert_eq!(Group::of("/rpc/auth/sign_in"), Some(Group::Auth));
        assert_eq!(Group::of("/rpc/passkeys/sign_in_start"), Some(Group::Auth));
        assert_eq!(Group::of("/auth/oidc/acme/start"), Some(Group::Auth));
        assert_eq!(Group::of("/rpc/passkeys/list"), Some(Group::Rpc));
        assert_eq!(Group::of("/rpc/account/me"), Some(Group::Rpc));
        assert_eq!(Group::of("/"), Some(Group::Pages));
        assert_eq!(Group::of("/files/1/content"), Some(Group::Pages));
    }

    #[test]
    fn ipv6_clients_count_by_their_64_block() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_eq!(client_key(a).to_string(), "2001:db8:1:2::");
        assert_eq!(client_key("::ffff:10.0.0.1".parse().unwrap()).to_string(), "10.0.0.1");
        assert_eq!(client_key("10.0.0.1".parse().unwrap()).to_string(), "10.0.0.1");
    }

    fn hit(scope: Scope, max: u64, count: u64, resets_in_ms: u64) -> (Scope, Quota, Hit) {
        (
            scope,
            Quota { max, period: Duration::from_secs(60) },
            Hit { count, resets_in: Duration::from_millis(resets_in_ms) },
        )
    }

    #[test]
    fn the_limit_closest_to_exhaustion_is_reported() {
        let v = Verdict::of([hit(Scope::Ip, 100, 10, 5000), hit(Scope::User, 10, 8, 30_000)].into_iter()).unwrap();
        assert_eq!((v.scope, v.remaining, v.reset, v.refused), (Scope::User, 2, 30, false));
        // A refusal wins, and of two refusals the one that lasts longer.
        let v = Verdict::of([hit(Scope::Ip, 5, 6, 1500), hit(Scope::User, 10, 8, 30_000)].into_iter()).unwrap();
        assert_eq!((v.scope, v.remaining, v.reset, v.refused), (Scope::Ip, 0, 2, true));
        let v = Verdict::of([hit(Scope::Ip, 5, 6, 1500), hit(Scope::User, 10, 11, 30_000)].into_iter()).unwrap();
        assert_eq!((v.scope, v.reset), (Scope::User, 30));
        assert_eq!(Verdict::of(std::iter::empty()), None);
    }
}
