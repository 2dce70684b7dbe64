//! `Idempotency-Key` on POSTs that create things: a repeat with the same key (a client retrying
//! after a timeout, say) gets the first answer again, marked `Idempotent-Replayed: true`, instead of
//! creating a second resource. Only successful answers are kept (24 hours): after a failure the
//! client may retry with the same key. The same key with another request is refused (422); while
//! the first is still being answered, a repeat gets 409 with `Retry-After`. The process answering
//! renews its claim every few seconds; if it dies mid-request (SIGKILL, a lost machine) the claim
//! runs out within [`domain::idempotency::LEASE`] and a retry takes it over. A process that dies
//! after its handler committed but before the answer was kept would leave the retry to make the
//! resource a second time; an upload closes that gap by keeping the [`ClaimedKey`] on the file's
//! row in the transaction that makes it, so the retry finds the file. (Other creations, whose
//! handlers answer within milliseconds of their commit, keep that small window.)
//!
//! An answer that shows a secret once (a new token, a share link) is marked [`OneTimeSecret`] by
//! its handler: only its status and headers are kept, never the body, and a repeat gets 409 with
//! the first answer's `Location` instead of the secret again. A key works only for a credential
//! that may write, checked before any replay: a read-only token learns nothing from a key.

use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderName, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use domain::{
    Actor, Scope, Services,
    idempotency::{Claim, StoredResponse},
};
use sha2::{Digest, Sha256};

use super::error::ApiError;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// JSON request and response bodies are small; an upload's body is never buffered.
const MAX_BUFFERED: usize = 1 << 20;
const REPLAYED_HEADERS: [HeaderName; 3] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG];

/// Put in a response's extensions by a handler whose body holds a secret shown only this once.
#[derive(Debug, Clone, Copy)]
pub struct OneTimeSecret;

/// Put in a request's extensions when its `Idempotency-Key` was claimed for it, for a handler
/// that keeps the key with what it makes, in the same transaction (an upload does).
#[derive(Debug, Clone)]
pub struct ClaimedKey(pub String);

pub async fn keys(State(services): State<Services>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(key) = request.headers().get(&IDEMPOTENCY_KEY).cloned() else { return next.run(request).await };
    let actor = request.extensions().get::<Actor>();
    let Some(user_id) =
        actor.and_then(|a| a.user_id().ok()).filter(|_| actor.is_some_and(|a| a.has_scope(Scope::Write)))
    else {
        // Not signed in, or not allowed to write: the handler says so, and no stored answer is shown.
        return next.run(request).await;
    };
    let Some(key) = key.to_str().ok().filter(|k| (1..=255).contains(&k.len())).map(str::to_owned) else {
        return ApiError::invalid("idempotency_key", "malformed").into_response();
    };
    let (mut request, fingerprint) = match fingerprint(request).await {
        Ok(pair) => pair,
        Err(err) => return err.into_response(),
    };
    match services.idempotency.claim(user_id, &key, &fingerprint).await {
        Ok(Claim::New) => {
            request.extensions_mut().insert(ClaimedKey(key.clone()));
        }
        Ok(Claim::Replay(stored)) => return replay(stored),
        Ok(Claim::Withheld(stored)) => return withheld(&stored),
        Ok(Claim::InProgress { retry_after }) => {
            let mut err = ApiError::new(
                StatusCode::CONFLICT,
                "idempotency_key_in_progress",
                "a request with this Idempotency-Key is still being answered; retry after the Retry-After delay",
            );
            err.retry_after = Some(domain::error::whole_seconds(retry_after));
            return err.into_response();
        }
        Ok(Claim::Mismatch) => {
            let mut err = ApiError::invalid("idempotency_key", "reused");
            err.code = "idempotency_key_reused";
            err.message = "this Idempotency-Key was used for a different request".into();
            return err.into_response();
        }
        Err(err) => return ApiError::from(err).into_response(),
    }
    let response = answer_holding_claim(&services, user_id, &key, next.run(request)).await;
    if !response.status().is_success() {
        if let Err(err) = services.idempotency.release(user_id, &key).await {
            tracing::warn!(error = %err, "could not release an idempotency key");
        }
        return response;
    }
    let (parts, body) = response.into_parts();
    let withhold_body = parts.extensions.get::<OneTimeSecret>().is_some();
    let body = match to_bytes(body, MAX_BUFFERED).await {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(error = %err, "could not read a response to keep for its idempotency key");
            let _ = services.idempotency.release(user_id, &key).await;
            return ApiError::from(domain::Error::Unexpected(anyhow::anyhow!("response unreadable"))).into_response();
        }
    };
    let stored = StoredResponse {
        status: parts.status.as_u16(),
        headers: REPLAYED_HEADERS
            .iter()
            .filter_map(|name| Some((name.to_string(), parts.headers.get(name)?.to_str().ok()?.to_owned())))
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    if let Err(err) = services.idempotency.complete(user_id, &key, &stored, withhold_body).await {
        tracing::warn!(error = %err, "could not keep the answer of an idempotent request");
    }
    Response::from_parts(parts, Body::from(body))
}

/// Runs the handler, renewing the key's claim while it answers (a large upload takes minutes).
async fn answer_holding_claim(
    services: &Services,
    user_id: uuid::Uuid,
    key: &str,
    handler: impl Future<Output = Response>,
) -> Response {
    let mut handler = std::pin::pin!(handler);
    let mut renew = tokio::time::interval_at(
        tokio::time::Instant::now() + domain::idempotency::RENEW_EVERY,
        domain::idempotency::RENEW_EVERY,
    );
    loop {
        tokio::select! {
            response = &mut handler => return response,
            _ = renew.tick() => {
                if let Err(err) = services.idempotency.renew(user_id, key).await {
                    tracing::warn!(error = %err, "could not renew the claim of an idempotency key");
                }
            }
        }
    }
}

/// What makes two requests "the same": method, path and query, content type, and the body when it
/// is JSON (an upload's body is streamed, so its length stands in for it).
async fn fingerprint(request: Request) -> Result<(Request, String), ApiError> {
    let (parts, body) = request.into_parts();
    let mut hash = Sha256::new();
    hash.update(parts.method.as_str());
    hash.update([0]);
    hash.update(parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or_default());
    hash.update([0]);
    let header = |name| parts.headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).unwrap_or_default();
    let content_type = header(header::CONTENT_TYPE).to_owned();
    hash.update(&content_type);
    hash.update([0]);
    let body = if content_type.starts_with("application/json") {
        let bytes = to_bytes(body, MAX_BUFFERED).await.map_err(|_| {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "the JSON body is larger than 1 MiB")
        })?;
        hash.update(&bytes);
        Body::from(bytes)
    } else {
        hash.update(header(header::CONTENT_LENGTH));
        body
    };
    let digest = format!("{:x}", hash.finalize());
    Ok((Request::from_parts(parts, body), digest))
}

/// The first answer held a secret that was shown once and not kept: say so, and where the
/// resource it made is (its secret cannot be had again; revoke it and make another if it was lost).
fn withheld(stored: &StoredResponse) -> Response {
    let mut response = ApiError::new(
        StatusCode::CONFLICT,
        "idempotency_key_secret_withheld",
        "the first request with this Idempotency-Key made a resource whose secret is shown only once, and is not kept \
         for a replay; find the resource at its Location (revoke it and make another if the secret was lost)",
    )
    .into_response();
    let location = stored.headers.iter().find(|(name, _)| name == header::LOCATION.as_str());
    if let Some(value) = location.and_then(|(_, v)| HeaderValue::from_str(v).ok()) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response.headers_mut().insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    for (name, value) in &stored.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name.as_str()), HeaderValue::from_str(value)) {
            headers.insert(name, value);
        }
    }
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}
