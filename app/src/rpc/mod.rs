//! Server functions: the RPC API at stable `/rpc/<area>/<name>` endpoints, used by the UI and by
//! any other program (see docs/rpc.md). Each one is a thin door: actor and services from the
//! request, one service call, a DTO back.

pub mod account;
pub mod admin;
pub mod assistant;
pub mod auth;
pub mod files;
pub mod notifications;
pub mod passkeys;
pub mod tokens;

/// The stable URL prefix of every server function.
pub const PREFIX: &str = "/rpc";

#[cfg(feature = "ssr")]
pub mod ssr;
