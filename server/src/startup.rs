//! The composition root: build every part once, wire the router, run until told to stop.

use std::{future::Future, net::SocketAddr, sync::OnceLock, time::Duration};

use anyhow::Context;
use app::{App, OUTPUT_NAME, cookies::CookiePolicy, shell};
use axum::{
    Router,
    body::Body,
    extract::DefaultBodyLimit,
    extract::Request,
    http::{Extensions, HeaderMap, HeaderName, Method, StatusCode, Version, header},
    middleware,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use domain::Services;
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list, render_app_async_with_context};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::{
    LatencyUnit,
    compression::{CompressionLayer, DefaultPredicate, Predicate},
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    trace::{DefaultOnResponse, OnResponse, TraceLayer},
};
use tracing::Level;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::{
    api,
    assets::Assets,
    byte_doors,
    csrf::{self, CsrfPolicy},
    event_stream, health,
    metrics::{self, FallbackRoute},
    migrate, oidc_sign_in, request_context,
    settings::ServerConfig,
    state::AppState,
};

pub struct Application {
    listener: TcpListener,
    router: Router,
    services: Services,
    worker: Option<domain::jobs::Worker>,
    stop: tokio::sync::watch::Sender<bool>,
    draining: tokio::sync::watch::Sender<bool>,
    shutdown_timeout: Duration,
    readiness_delay: Duration,
}

impl Application {
    /// Connects, migrates when MIGRATE_ON_START says so (else refuses a schema that is behind),
    /// binds. Every failure names the setting at fault.
    pub async fn build(domain: &domain::config::Config, server: &ServerConfig) -> anyhow::Result<Self> {
        // Install the recorder before the first request, or early measurements are lost.
        metrics::handle();
        check_transport(server.listen, domain.public_url.as_ref(), server.allow_plain_http)?;
        if server.migrates_on_start(&domain.database) {
            migrate::up_at(&domain.database).await?;
        }
        let services = open_services(domain).await?;
        let worker =
            (!domain.jobs.no_in_process_worker).then(|| worker(&services, &domain.jobs, server.shutdown_timeout));
        let listener = TcpListener::bind(server.listen)
            .await
            .with_context(|| format!("LISTEN_ADDR: cannot listen on {}", server.listen))?;
        let address = listener.local_addr().context("LISTEN_ADDR: no local address")?;
        let assets = Assets::new(server.site_root.clone());
        let leptos = LeptosOptions::builder()
            .output_name(OUTPUT_NAME)
            .site_root(assets.site_root())
            .site_pkg_dir("pkg")
            .site_addr(address)
            .build();
        let cookies = CookiePolicy { secure: domain.public_url.as_ref().is_some_and(|u| u.scheme() == "https") };
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let (draining, draining_rx) = tokio::sync::watch::channel(false);
        let csrf = CsrfPolicy::new(domain.public_url.as_ref());
        let state = AppState {
            leptos,
            csrf,
            services: services.clone(),
            assets,
            cookies,
            stopping: event_stream::Stopping(stopping),
            rate_limit: crate::rate_limit::RateLimiter::open(&server.rate_limit, &domain.jobs).await?,
            hardening: crate::hardening::Hardening::new(domain, &server.hardening),
            draining: health::Draining(draining_rx),
            readiness: health::Readiness::new(services.clone()),
        };
        Ok(Self {
            listener,
            router: router(state),
            services,
            worker,
            stop,
            draining,
            shutdown_timeout: server.shutdown_timeout,
            readiness_delay: server.shutdown_readiness_delay,
        })
    }

    /// The services the app runs on (tests reach its caches through them).
    pub fn services(&self) -> &Services {
        &self.services
    }

    pub fn address(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Serves until `shutdown` resolves, then stops in three steps: readiness turns 503 at once
    /// while everything else is still served for the readiness delay (load balancers need a few
    /// probes to notice); then new connections are refused and running requests and jobs get up to
    /// the shutdown timeout to finish; whatever still runs after that is dropped (jobs go back to
    /// the queue, or come back after their visibility timeout).
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let stop_rx = self.stop.subscribe();
        let stop_tx = self.stop;
        let draining = self.draining;
        let (delay, timeout) = (self.readiness_delay, self.shutdown_timeout);
        let mut stopped = stop_rx.clone();
        let worker = self.worker.map(|worker| tokio::spawn(worker.run(stop_rx.clone())));
        let server = axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                shutdown.await;
                let _ = draining.send(true);
                tracing::info!(readiness_delay = ?delay, "shutting down: readiness answers 503; still serving meanwhile");
                tokio::time::sleep(delay).await;
                tracing::info!(shutdown_timeout = ?timeout, "refusing new connections; running requests and jobs finish");
                let _ = stop_tx.send(true);
            });
        let forced = async move {
            let _ = stopped.wait_for(|s| *s).await;
            tokio::time::sleep(timeout).await;
        };
        tokio::select! {
            result = server => result.context("HTTP server failed")?,
            () = forced => tracing::warn!(?timeout, "shutdown timeout passed; dropping unfinished requests"),
        }
        drop(stop_rx);
        if let Some(worker) = worker {
            // The worker heard the same stop signal; it finishes or hands back its jobs.
            let _ = worker.await;
        }
        self.services.close().await;
        Ok(())
    }
}

/// Opens storage and the database, checks that the schema is not behind this binary (it applies
/// no migration: see `migrate`) and wires the services: what `serve` and every command that
/// touches data start with.
pub async fn open_services(domain: &domain::config::Config) -> anyhow::Result<Services> {
    let storage = domain.storage.open(&domain.database.data_dir)?;
    let db = domain::db::connect(&domain.database).await?;
    if let Err(err) = migrate::require_current(&db).await {
        let _ = db.close().await;
        return Err(err);
    }
    let queue = domain::jobs::Queue::open(&domain.jobs, db.clone()).await?;
    let events = match &domain.jobs.redis_url {
        Some(url) => domain::events::Events::redis(url, &domain.jobs.redis_prefix).await?,
        None => domain::events::Events::local(),
    };
    let keys = domain.keys.open(&domain.database.data_dir)?;
    let services = Services::with_keys(db, storage, queue, events, domain, keys);
    // A key still needed by stored values must not have left SECRET_KEYS; values from before
    // SECRET_KEYS are brought under the newest key.
    services.keys.check_in_use().await?;
    services.keys.upgrade().await.context("bringing stored secrets under SECRET_KEYS")?;
    Ok(services)
}

/// A worker for every kind of job and the periodic ones; on shutdown its running jobs get `grace`
/// to finish.
pub fn worker(services: &Services, config: &domain::jobs::JobsConfig, grace: Duration) -> domain::jobs::Worker {
    let mut options = domain::jobs::WorkerOptions::new(config.concurrency);
    options.grace = grace;
    domain::jobs::Worker::new(services.jobs.clone(), services.handlers(), options).with_periodic(services.periodic())
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState) -> Router {
    let context = {
        let (services, cookies) = (state.services.clone(), state.cookies);
        move || {
            provide_context(services.clone());
            provide_context(cookies);
            crate::hardening::provide_nonce();
        }
    };
    let shell_options = state.leptos.clone();
    let app_shell = move || shell(shell_options.clone());
    let not_found_page = render_app_async_with_context(context.clone(), app_shell.clone());

    // Generated once per process: leptos suppresses resource loading process-wide while it walks
    // the app for its routes, so a second generation (tests start many apps in one process) would
    // stall resources of requests being served at that moment (leptos-rs/leptos#4773).
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    let routes = ROUTES.get_or_init(|| generate_route_list(App)).clone();
    let fallback = {
        let state = state.clone();
        move |request: Request| fallback(state.clone(), not_found_page.clone(), request)
    };
    Router::new()
        .leptos_routes_with_context(&state, routes, context, app_shell)
        .route(app::rpc::files::UPLOAD_URL, post(byte_doors::upload).layer(DefaultBodyLimit::disable()))
        .route(app::rpc::account::AVATAR_UPLOAD_URL, post(byte_doors::set_avatar).layer(DefaultBodyLimit::disable()))
        .route("/files/{id}/content", get(byte_doors::content))
        .route("/account/exports/{id}/download", get(byte_doors::export))
        .route("/s/{token}", get(byte_doors::shared))
        .route("/avatars/{id}/{file}", get(byte_doors::avatar))
        .route("/auth/oidc/{provider}/start", get(oidc_sign_in::start).post(oidc_sign_in::connect))
        .route("/auth/oidc/{provider}/callback", get(oidc_sign_in::callback))
        .route("/auth/oidc/link", post(oidc_sign_in::link))
        .route("/events", get(event_stream::stream))
        .route("/health/live", get(health::live))
        .route("/health/ready", get(health::ready))
        .route("/metrics", get(metrics::render))
        .merge(api::router(state.services.clone()))
        .route_layer(middleware::from_fn(metrics::track))
        .fallback_service(
            ServiceBuilder::new()
                .layer(middleware::from_fn(metrics::track))
                .service(axum::handler::HandlerWithoutStateExt::into_service(fallback)),
        )
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(request_span).on_response(
                    |response: &Response, latency: Duration, span: &tracing::Span| {
                        span.record("http.response.status_code", response.status().as_u16());
                        DefaultOnResponse::new()
                            .level(Level::INFO)
                            .latency_unit(LatencyUnit::Micros)
                            .on_response(response, latency, span);
                    },
                ))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(middleware::from_fn(api::shape_errors))
                .layer(middleware::from_fn_with_state(state.hardening.clone(), crate::hardening::guard))
                .layer(
                    CompressionLayer::new()
                        .compress_when(DefaultPredicate::new().and(not_a_stored_file).and(not_a_live_stream)),
                )
                .layer(middleware::from_fn_with_state(state.csrf.clone(), csrf::refuse_cross_site))
                .layer(middleware::from_fn_with_state(state.clone(), request_context::resolve))
                .layer(middleware::from_fn_with_state(state.rate_limit.clone(), crate::rate_limit::enforce)),
        )
        .with_state(state)
}

/// Refuses to serve plain http beyond this machine: a listener other machines can reach needs an
/// `https` PUBLIC_URL (TLS ends at a proxy in front), or sessions and passwords travel in clear.
fn check_transport(listen: SocketAddr, public_url: Option<&url::Url>, allow_plain_http: bool) -> anyhow::Result<()> {
    let https = public_url.is_some_and(|u| u.scheme() == "https");
    if listen.ip().is_loopback() || https {
        return Ok(());
    }
    if allow_plain_http {
        tracing::warn!(
            %listen,
            "ALLOW_PLAIN_HTTP is set: serving plain http to the network; passwords and session cookies cross it unencrypted"
        );
        return Ok(());
    }
    anyhow::bail!(
        "LISTEN_ADDR {listen} can be reached from other machines, but PUBLIC_URL is not https: set PUBLIC_URL to the \
         https address users reach (TLS ending at a proxy in front), listen on 127.0.0.1, or, for a trial on a private \
         network only, set ALLOW_PLAIN_HTTP=true"
    )
}

/// The span of one request: a server span in the caller's trace (W3C `traceparent`) or a new one,
/// named by the method alone because the route is not known yet at this layer (and raw paths, full
/// of ids, would make span names countless).
fn request_span(request: &Request) -> tracing::Span {
    let request_id =
        request.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok()).unwrap_or_default();
    let span = tracing::info_span!(
        "request",
        otel.name = %request.method(),
        otel.kind = "server",
        request_id,
        method = %request.method(),
        path = %crate::byte_doors::logged_path(request.uri().path()),
        http.response.status_code = tracing::field::Empty,
    );
    // Fails only when no OpenTelemetry layer is installed (tests that build the app in-process).
    let _ = span.set_parent(crate::telemetry::incoming(request.headers(), request_id));
    span
}

/// Stored files go out as stored: compressing them on the fly would drop their `Content-Length`,
/// their byte ranges and the meaning of their ETag.
fn not_a_stored_file(_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions) -> bool {
    !headers.contains_key(header::CONTENT_DISPOSITION)
}

/// A live stream (the assistant's answer) must reach the browser line by line: the compressor
/// would hold its pieces back until it had enough to compress. (Server-sent events are already
/// left alone by `DefaultPredicate`.)
fn not_a_live_stream(_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions) -> bool {
    let (name, value) = app::rpc::assistant::UNBUFFERED;
    headers.get(name).is_none_or(|v| v != value)
}

/// Static files first; anything else is the app's 404 page.
async fn fallback<H, F>(state: AppState, not_found_page: H, request: Request) -> Response
where
    H: Fn(Request<Body>) -> F,
    F: Future<Output = Response>,
{
    if matches!(*request.method(), Method::GET | Method::HEAD)
        && let Some(mut response) = state.assets.serve(request.uri().path(), request.headers()).await
    {
        response.extensions_mut().insert(FallbackRoute("static"));
        return response;
    }
    let mut response = not_found_page(request).await.into_response();
    response.extensions_mut().insert(FallbackRoute("not_found"));
    response
}
