pub mod account_links;
pub mod admin;
pub mod assistant;
pub mod error;
pub mod file;
pub mod files;
pub mod help;
pub mod landing;
pub mod not_found;
pub mod notifications;
pub mod profile;
pub mod providers;
pub mod sign_in;
pub mod sign_up;
pub mod tokens;
pub mod two_factor;

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

use crate::error::AppError;

/// Percent-encodes a query value (a search may hold `&`, `#`, spaces).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A server action that also shows the error of a plain form post (no JavaScript), which the
/// server hands back in the query string of the redirect.
pub fn form_action<S>() -> ServerAction<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let query = use_query_map().get_untracked();
    if let (Some(path), Some(err)) = (query.get("__path"), query.get("__err"))
        && path == S::PATH
    {
        provide_context(ServerActionError::new(&path, &err));
    }
    ServerAction::<S>::new()
}

/// The error a plain form post (no JavaScript) brought back in the query string, whichever door
/// it posted to.
pub fn url_error() -> Option<AppError> {
    use leptos::server_fn::error::ServerFnUrlError;

    let query = use_query_map().get_untracked();
    query.get("__err").map(|err| ServerFnUrlError::<AppError>::decode_err(&err))
}
