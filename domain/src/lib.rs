//! The back end's heart: configuration, entities, and one service per area.
//!
//! Every use case is a method on a service that takes an explicit [`Actor`], so no door
//! (server function, REST handler, job, CLI) can forget to authorise.

pub mod account;
pub mod accounts;
pub mod actor;
pub mod assistant;
pub mod audit;
pub mod avatars;
pub mod backup;
pub mod concurrency;
pub mod config;
pub mod db;
pub mod deletion;
pub mod email_address;
pub mod entities;
pub mod error;
pub mod events;
pub mod exports;
pub mod files;
pub mod flags;
pub mod heavy;
pub mod idempotency;
pub mod job_admin;
pub mod jobs;
pub mod key_rotation;
pub mod keys;
pub mod log_privacy;
pub mod mail;
pub mod metric_names;
pub mod notifications;
pub mod oidc;
pub mod pagination;
pub mod secret;
pub mod sessions;
pub mod storage;

mod services;

pub use actor::{Actor, Credential, Role, Scope, Scopes};
pub use error::{Error, Result};
pub use services::{ServiceSet, Services};
