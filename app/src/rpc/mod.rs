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

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

use crate::error::AppError;

/// The stable URL prefix of every server function.
pub const PREFIX: &str = "/rpc";

/// The server functions' typed error, for a request a function could not even read.
impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let err = AppError::Request { message: value.to_string() };
        // A request the function could not even read (a missing field, say) is the caller's fault.
        #[cfg(feature = "ssr")]
        ssr::set_status_for(&err);
        err
    }
}

#[cfg(feature = "ssr")]
pub mod ssr;
