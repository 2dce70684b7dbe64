//! The `smartai` binary's parts: command line, configuration, HTTP wiring, telemetry.

pub mod assets;
pub mod cli;
pub mod commands;
pub mod config_file;
pub mod events;
pub mod files;
pub mod health;
pub mod metrics;
pub mod migrate;
pub mod request_context;
pub mod startup;
pub mod telemetry;
