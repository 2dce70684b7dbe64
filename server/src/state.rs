//! The one state every handler and middleware is given: built once by `startup::Application::build`,
//! each part reachable on its own through `FromRef` (`State<Services>`, `State<CookiePolicy>`, ...).

use app::cookies::CookiePolicy;
use axum::extract::FromRef;
use domain::Services;
use leptos::prelude::LeptosOptions;

use crate::{
    assets::Assets,
    csrf::CsrfPolicy,
    event_stream::Stopping,
    hardening::Hardening,
    health::{Draining, Readiness},
    rate_limit::RateLimiter,
};

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub csrf: CsrfPolicy,
    pub services: Services,
    pub assets: Assets,
    pub cookies: CookiePolicy,
    pub stopping: Stopping,
    pub rate_limit: RateLimiter,
    pub hardening: Hardening,
    pub draining: Draining,
    pub readiness: Readiness,
}
