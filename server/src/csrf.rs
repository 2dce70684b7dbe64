//! Cross-site request forgery protection for every state-changing request: server functions, the
//! upload doors, plain form posts, everything that is not `GET`, `HEAD`, `OPTIONS` or `TRACE`.
//!
//! The session cookie is `SameSite=Lax`, which keeps it off cross-site posts, but not off requests
//! from a sibling subdomain (`same-site`), and not in browsers that ignore the attribute. So a
//! state-changing request must also show that a page of this app sent it:
//!
//! 1. `Sec-Fetch-Site` (every current browser sends it): `same-origin`, or `none` (the user typed
//!    the address), passes; `cross-site` and `same-site` are refused.
//! 2. Without it, `Origin` (or else `Referer`) must be this app's origin: `PUBLIC_URL` when it is set,
//!    otherwise the request's own `Host` (over http or https, for a TLS proxy in front).
//! 3. With none of these headers the caller is not a browser (curl, a script, another service). It
//!    is let through: such a program sends only the cookies it was given itself, never a victim's,
//!    so there is nothing to forge.
//!
//! A REST API request with an `Authorization` header passes too: the API then ignores cookies,
//! and no browser adds that header on another site's behalf.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use url::{Origin, Url};

/// Where legitimate requests come from.
#[derive(Debug, Clone)]
pub struct CsrfPolicy {
    /// The origin of `PUBLIC_URL`, when it is set.
    public: Option<Origin>,
}

impl CsrfPolicy {
    pub fn new(public_url: Option<&Url>) -> Self {
        Self { public: public_url.map(Url::origin) }
    }

    /// Why a state-changing request with these headers is refused, if it is.
    fn refusal(&self, headers: &HeaderMap, authority: Option<&str>) -> Option<String> {
        let value = |name| headers.get(name).map(|v| v.to_str().unwrap_or_default());
        match value(header::HeaderName::from_static("sec-fetch-site")) {
            Some("same-origin" | "none") => return None,
            Some(site @ ("cross-site" | "same-site")) => return Some(format!("Sec-Fetch-Site: {site}")),
            // An unknown value: judge by the origin as in a browser without the header.
            _ => {}
        }
        let (name, source) = match (value(header::ORIGIN), value(header::REFERER)) {
            (Some(origin), _) => ("Origin", origin),
            (None, Some(referer)) => ("Referer", referer),
            (None, None) => return None,
        };
        // `Origin: null` (a sandboxed frame, a redirect across origins) parses as no origin at all.
        let origin = Url::parse(source).map(|url| url.origin()).ok().filter(Origin::is_tuple);
        let allowed = origin.as_ref().is_some_and(|origin| match &self.public {
            Some(public) => origin == public,
            None => authority.is_some_and(|authority| {
                ["http", "https"].iter().any(|scheme| {
                    Url::parse(&format!("{scheme}://{authority}")).is_ok_and(|own| &own.origin() == origin)
                })
            }),
        });
        (!allowed).then(|| format!("{name}: {source}"))
    }
}

/// Refuses a state-changing request that another site's page made the browser send.
pub async fn refuse_cross_site(State(policy): State<CsrfPolicy>, request: Request, next: Next) -> Response {
    // A bearer token is sent by the program holding it, never added by a browser on its own.
    let bearer = request.uri().path().starts_with("/api/") && request.headers().contains_key(header::AUTHORIZATION);
    if request.method().is_safe() || bearer {
        return next.run(request).await;
    }
    let authority = request
        .headers()
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    let Some(reason) = policy.refusal(request.headers(), authority) else {
        return next.run(request).await;
    };
    metrics::counter!(domain::metric_names::CSRF_REFUSED_TOTAL).increment(1);
    tracing::warn!(method = %request.method(), path = %request.uri().path(), reason = ?reason, "cross-site request refused");
    (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "cross-site request refused\n")
        .into_response()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (header::HeaderName::from_static(k), HeaderValue::from_static(v))).collect()
    }

    fn refused(policy: &CsrfPolicy, pairs: &[(&'static str, &'static str)]) -> bool {
        policy.refusal(&headers(pairs), Some("app.example:3000")).is_some()
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        let policy = CsrfPolicy::new(None);
        assert!(!refused(&policy, &[("sec-fetch-site", "same-origin")]));
        assert!(!refused(&policy, &[("sec-fetch-site", "none")]));
        assert!(refused(&policy, &[("sec-fetch-site", "cross-site")]));
        assert!(refused(&policy, &[("sec-fetch-site", "same-site"), ("origin", "http://app.example:3000")]));
        // Same-origin metadata wins over a Referer some proxy rewrote.
        assert!(!refused(&policy, &[("sec-fetch-site", "same-origin"), ("referer", "https://elsewhere.example/")]));
    }

    #[test]
    fn without_fetch_metadata_the_origin_must_be_the_hosts() {
        let policy = CsrfPolicy::new(None);
        assert!(!refused(&policy, &[("origin", "http://app.example:3000")]));
        assert!(!refused(&policy, &[("origin", "https://app.example:3000")]));
        assert!(refused(&policy, &[("origin", "https://evil.example")]));
        assert!(refused(&policy, &[("origin", "http://app.example:3001")]));
        assert!(refused(&policy, &[("origin", "http://app.example.evil.example:3000")]));
        assert!(refused(&policy, &[("origin", "null")]));
        assert!(refused(&policy, &[("origin", "garbage")]));
        // The Origin decides even when the Referer looks right.
        assert!(refused(&policy, &[("origin", "https://evil.example"), ("referer", "http://app.example:3000/")]));
    }

    #[test]
    fn the_referer_stands_in_for_a_missing_origin() {
        let policy = CsrfPolicy::new(None);
        assert!(!refused(&policy, &[("referer", "http://app.example:3000/profile?x=1")]));
        assert!(refused(&policy, &[("referer", "https://evil.example/app.example:3000")]));
    }

    #[test]
    fn a_public_url_pins_the_origin() {
        let policy = CsrfPolicy::new(Some(&Url::parse("https://smartai.example.com/").unwrap()));
        assert!(!refused(&policy, &[("origin", "https://smartai.example.com")]));
        assert!(!refused(&policy, &[("origin", "https://smartai.example.com:443")]));
        assert!(refused(&policy, &[("origin", "http://smartai.example.com")]));
        assert!(refused(&policy, &[("origin", "http://app.example:3000")]));
    }

    #[test]
    fn programs_without_browser_headers_pass() {
        assert!(!refused(&CsrfPolicy::new(None), &[]));
        assert!(!refused(&CsrfPolicy::new(Some(&Url::parse("https://smartai.example.com/").unwrap())), &[]));
    }
}
