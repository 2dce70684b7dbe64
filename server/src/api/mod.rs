//! The REST API, `/api/v1`: the same services as the pages and server functions, for other
//! programs. JSON in and out, one error body, keyset pagination, ETags, idempotency keys, and an
//! OpenAPI document generated from the handlers (so it cannot drift from them), browsable at
//! `/api/docs`. The rules for changing it are in `docs/api.md`.

mod account;
mod admin;
mod audit;
pub mod compat;
pub mod error;
pub mod extract;
mod files;
mod flags;
mod idempotency;
mod jobs;
mod notifications;
mod sessions;
mod tokens;
mod uploads;

use axum::{
    Router,
    extract::State,
    http::{HeaderMap, HeaderValue},
    middleware,
    response::Response,
    routing::any,
};
use domain::Services;
pub use error::shape_errors;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};
use utoipa_swagger_ui::SwaggerUi;

use crate::state::AppState;
use error::{ApiError, ErrorBody};
use extract::{Caller, Read};

pub const SPEC_PATH: &str = "/api/v1/openapi.json";
pub const DOCS_PATH: &str = "/api/docs";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "SmartAIPlatForm API",
        version = "1.0.0",
        description = "Everything a user can do in the app, for programs. Authenticate with a personal \
            access token (`Authorization: Bearer sat_…`, created on the profile page) or a browser session. \
            Errors share one body: `{\"error\": {\"code\", \"message\", \"request_id\", \"fields\"}}`. \
            Listings are newest first, paged with `limit` and `cursor` (the previous page's `next_cursor`). \
            Versioning and deprecation rules: docs/api.md.",
        license(name = "MIT"),
    ),
    modifiers(&Security),
    tags(
        (name = "account", description = "The caller's own account"),
        (name = "sessions", description = "The caller's browser sessions"),
        (name = "tokens", description = "The caller's personal access tokens"),
        (name = "files", description = "The caller's documents and their share links"),
        (name = "notifications", description = "The caller's notifications"),
        (name = "admin", description = "Accounts, for administrators"),
    ),
    components(schemas(ErrorBody))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A personal access token; its scopes (read, write, admin) limit what it may do"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                app::cookies::SESSION,
                "The browser's session cookie (state-changing requests must come from the app's own pages)",
            ))),
        );
    }
}

/// Errors any operation may answer, documented once here rather than on every handler: a request
/// that cannot be read (400), too many requests (429, with `Retry-After`), and for operations with
/// a body, one too large (413) or not JSON where JSON is expected (415).
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, HttpMethod, Ref, ResponseBuilder, header::Header};

        let error = |description: &str| {
            ResponseBuilder::new().description(description).content(
                "application/json",
                ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
            )
        };
        let common = [
            ("400", error("The request could not be read (malformed query, header or body)").build()),
            (
                "429",
                error("Too many requests; retry after `Retry-After` seconds")
                    .header("Retry-After", Header::default())
                    .build(),
            ),
        ];
        let with_body = [
            ("413", error("The request body is too large").build()),
            ("415", error("The body is not of the documented content type").build()),
        ];
        for item in openapi.paths.paths.values_mut() {
            for method in [HttpMethod::Get, HttpMethod::Post, HttpMethod::Put, HttpMethod::Patch, HttpMethod::Delete] {
                let operation = match method {
                    HttpMethod::Get => item.get.as_mut(),
                    HttpMethod::Post => item.post.as_mut(),
                    HttpMethod::Put => item.put.as_mut(),
                    HttpMethod::Patch => item.patch.as_mut(),
                    HttpMethod::Delete => item.delete.as_mut(),
                    _ => None,
                };
                let Some(operation) = operation else { continue };
                let has_body = operation.request_body.is_some();
                let responses = &mut operation.responses.responses;
                let extra = common.iter().chain(with_body.iter().filter(|_| has_body));
                for (status, response) in extra {
                    responses.entry((*status).to_owned()).or_insert_with(|| response.clone().into());
                }
            }
        }
    }
}

/// The routes under `/api/v1` and the document describing them.
#[allow(deprecated)] // `me` is served on purpose until its sunset.
fn documented() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let v1 = OpenApiRouter::new()
        .merge(account::routes())
        .routes(routes!(me))
        .merge(sessions::routes())
        .merge(tokens::routes())
        .merge(files::routes())
        .merge(notifications::routes())
        .merge(uploads::routes())
        .merge(admin::routes())
        .merge(jobs::routes())
        .merge(audit::routes())
        .merge(flags::routes());
    let (router, mut spec) = OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api/v1", v1).split_for_parts();
    // After the routes are in: modifiers given to `#[openapi]` run before there are any.
    CommonErrors.modify(&mut spec);
    (router, spec)
}

/// The OpenAPI document, as served and as committed in `docs/openapi.json`.
pub fn spec() -> utoipa::openapi::OpenApi {
    documented().1
}

/// The document as pretty JSON with a final newline: the committed file's exact form.
pub fn spec_json() -> String {
    let mut json = spec().to_pretty_json().expect("the OpenAPI document serialises");
    json.push('\n');
    json
}

pub fn router(services: Services) -> Router<AppState> {
    let (routes, spec) = documented();
    routes
        .route_layer(middleware::from_fn_with_state(services, idempotency::keys))
        // Anything else under /api is a JSON 404, not the app's HTML page.
        .route("/api/{*rest}", any(|| async { ApiError::not_found() }))
        .merge(SwaggerUi::new(DOCS_PATH).url(SPEC_PATH, spec))
}

/// A route kept for old clients: it answers as before, with `Deprecation` (RFC 9745), `Sunset`
/// (RFC 8594) and a link to its successor, until the sunset date. See docs/api.md.
struct Deprecated {
    /// Unix time the deprecation was announced.
    since: i64,
    /// HTTP date after which the route may be removed.
    sunset: &'static str,
    successor: &'static str,
}

impl Deprecated {
    fn mark(&self, mut response: Response) -> Response {
        let headers = response.headers_mut();
        let mut set = |name: &'static str, value: String| {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        };
        set("deprecation", format!("@{}", self.since));
        set("sunset", self.sunset.to_owned());
        set("link", format!("<{}>; rel=\"successor-version\"", self.successor));
        response
    }
}

const ME: Deprecated =
    Deprecated { since: 1_795_651_200, sunset: "Wed, 30 Jun 2027 00:00:00 GMT", successor: "/api/v1/account" };

/// The caller's account. Deprecated: use `GET /api/v1/account`; removed after 2027-06-30.
#[utoipa::path(get, path = "/me", tag = "account",
    responses(
        (status = 200, body = account::AccountBody, headers(("Deprecation" = String), ("Sunset" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    ),
    security(("bearer" = ["read"]), ("session" = [])))]
#[deprecated = "use GET /api/v1/account"]
async fn me(State(services): State<Services>, caller: Caller<Read>, headers: HeaderMap) -> Result<Response, ApiError> {
    let account = services.accounts.profile(&caller.actor).await?;
    Ok(ME.mark(extract::with_etag(&headers, account.version, account::AccountBody::from(account))))
}
