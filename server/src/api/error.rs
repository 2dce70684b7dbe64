//! The one error body of the REST API, `{"error": {"code", "message", "request_id", "fields"}}`,
//! for every error any layer produces: handlers, extractors, body limits, timeouts, the rate limiter.
//! A layer that has words of its own returns an [`ApiError`]; any other error status gets the
//! generic words for it.

use std::collections::BTreeMap;

use axum::{
    Json,
    extract::{
        Request,
        rejection::{JsonRejection, PathRejection, QueryRejection},
    },
    http::{HeaderName, HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use tower_http::request_id::RequestId;
use utoipa::ToSchema;

/// An error as handlers return it; the request id is added on the way out.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Field name → problem code (`required`, `too_long`, …), for validation errors.
    pub fields: BTreeMap<String, String>,
    /// Whole seconds for `Retry-After`, when retrying later may work.
    pub retry_after: Option<u64>,
    /// Headers a protocol asks for with this error (tus' `Upload-Offset` on a 409, say).
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

/// The error body.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: `not_found`, `validation_failed`, `rate_limited`, …
    pub code: String,
    /// For people; may change between versions.
    pub message: String,
    /// The `x-request-id` of the request, to find it in the server's logs.
    pub request_id: String,
    /// Field name → problem code; empty unless `code` is `validation_failed`.
    pub fields: BTreeMap<String, String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), fields: BTreeMap::new(), retry_after: None, headers: Vec::new() }
    }

    pub fn invalid(field: &str, problem: &str) -> Self {
        let mut err = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", format!("{field}: {problem}"));
        err.fields.insert(field.to_owned(), problem.to_owned());
        err
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", message)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
    }

    pub fn precondition_failed() -> Self {
        Self::for_status(StatusCode::PRECONDITION_FAILED)
    }

    /// The generic error for a status some layer answered with on its own.
    fn for_status(status: StatusCode) -> Self {
        let (code, message) = match status {
            StatusCode::BAD_REQUEST => ("invalid_request", "the request could not be read"),
            StatusCode::UNAUTHORIZED => ("unauthenticated", "sign in or send a valid bearer token"),
            StatusCode::FORBIDDEN => ("forbidden", "not allowed"),
            StatusCode::NOT_FOUND => ("not_found", "no such resource"),
            StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "this method is not allowed on this resource"),
            StatusCode::REQUEST_TIMEOUT => ("timeout", "the request took too long"),
            StatusCode::PRECONDITION_FAILED => {
                ("precondition_failed", "the resource changed since it was read (If-Match does not match its ETag)")
            }
            StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "the request body is too large"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "send the body as application/json"),
            StatusCode::RANGE_NOT_SATISFIABLE => ("range_not_satisfiable", "the range lies outside the file"),
            StatusCode::TOO_MANY_REQUESTS => ("rate_limited", "too many requests; retry after the Retry-After delay"),
            StatusCode::SERVICE_UNAVAILABLE => ("unavailable", "the service is unavailable; retry later"),
            StatusCode::GATEWAY_TIMEOUT => ("timeout", "the request took too long"),
            s if s.is_client_error() => ("invalid_request", "the request was refused"),
            _ => ("internal", "internal error"),
        };
        Self::new(status, code, message)
    }
}

impl IntoResponse for ApiError {
    /// The body is written by [`shape_errors`], which knows the request id.
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            let challenge = if self.code == "invalid_token" { r#"Bearer error="invalid_token""# } else { "Bearer" };
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        }
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        for (name, value) in &self.headers {
            response.headers_mut().insert(name.clone(), value.clone());
        }
        response.extensions_mut().insert(self);
        response
    }
}

/// Status, code and `Retry-After` come from the domain's table ([`domain::error::Class`]); only
/// the words, and the fields a validation error names, are the REST API's own.
impl From<domain::Error> for ApiError {
    fn from(err: domain::Error) -> Self {
        use domain::Error as E;
        let class = err.class();
        let status = StatusCode::from_u16(class.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut api = Self::for_status(status);
        api.code = err.code();
        api.retry_after = class.retry_after();
        match err {
            E::Invalid { field, problem } => {
                api.message = format!("{field}: {problem}");
                api.fields.insert(field.as_str().into(), problem.as_str().into());
            }
            E::EmailTaken => {
                api.message = "this e-mail address is already registered".into();
                api.fields.insert("email".into(), "taken".into());
            }
            E::InvalidCredentials => api.message = "wrong e-mail or password".into(),
            E::WrongPassword => {
                api.message = "the current password is wrong".into();
                api.fields.insert("current_password".into(), "incorrect".into());
            }
            E::TooManyAttempts { .. } => {
                api.message = format!("too many attempts; retry in {} s", api.retry_after.unwrap_or(1));
            }
            // The words of `for_status`: the resource changed since the version `If-Match` names.
            E::Unauthenticated | E::Forbidden | E::NotFound | E::StaleVersion => {}
            E::Unavailable(cause) => tracing::error!(error = %cause, "dependency unavailable"),
            E::Unexpected(cause) => tracing::error!(error = ?cause, "unexpected error"),
        }
        api
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
            return Self::for_status(status);
        }
        // Missing or mistyped fields are the caller's input, named; broken JSON is a bad request.
        match rejection {
            JsonRejection::JsonDataError(err) => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", err.body_text())
            }
            other => Self::bad_request(other.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::bad_request(rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        // A malformed id names nothing that exists.
        match rejection {
            PathRejection::FailedToDeserializePathParams(_) => Self::not_found(),
            other => Self::bad_request(other.body_text()),
        }
    }
}

/// Gives every error response of the API the one body, with the request's id: those handlers
/// returned (their [`ApiError`]) and those other layers made (from their status alone).
pub async fn shape_errors(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if !path.starts_with("/api/") || path.starts_with(super::DOCS_PATH) {
        return next.run(request).await;
    }
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let err = parts.extensions.remove::<ApiError>().unwrap_or_else(|| ApiError::for_status(status));
    let body = ErrorBody {
        error: ErrorDetail { code: err.code.into(), message: err.message, request_id, fields: err.fields },
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_TYPE);
    let mut response = (parts.status, Json(body)).into_response();
    response.headers_mut().extend(parts.headers);
    response
}
