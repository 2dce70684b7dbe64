//! The `smartai` binary's parts: command line, configuration, HTTP wiring, telemetry.

// Release builds keep the full view types (no `erase_components`); the deepest pages need more
// than the default 128 levels to lay them out.
#![recursion_limit = "256"]

pub mod api;
pub mod assets;
pub mod byte_doors;
pub mod cli;
pub mod commands;
pub mod csrf;
pub mod event_stream;
pub mod hardening;
pub mod health;
pub mod metrics;
pub mod migrate;
pub mod oidc_sign_in;
pub mod rate_limit;
pub mod request_context;
pub mod settings;
pub mod startup;
pub mod state;
pub mod telemetry;
