//! `/rpc/tokens/*`: personal access tokens, for programs calling the REST API as the user. The
//! secret comes back once, from `create`; nothing lists it again (only its SHA-256 is kept).

use leptos::{prelude::*, server_fn::codec::GetUrl};

use crate::{
    dto::{NewTokenDto, TokenDto},
    error::AppError,
};

/// The lifetimes the profile offers, in days.
pub const LIFETIME_DAYS: [u32; 4] = [7, 30, 90, 365];
pub const DEFAULT_LIFETIME_DAYS: u32 = 30;

/// The user's tokens, newest first, expired ones included (`expired`).
#[server(prefix = "/rpc", endpoint = "tokens/list", input = GetUrl)]
pub async fn list_tokens() -> Result<Vec<TokenDto>, AppError> {
    use crate::rpc::ssr::*;

    let list = services()?.tokens.list(&actor()).await.map_err(fail)?;
    Ok(list.iter().map(TokenDto::from).collect())
}

/// Creates a token: `scopes` any of `read`, `write`, `admin` (administrators only), posted as
/// `scopes[]=read&scopes[]=write` (a form's ticked boxes) or `scopes[0]=read`. The answer holds
/// the secret, the only time it is shown. A plain form post gets it on the profile instead (never
/// in a URL: see [`fresh_token_after_form_post`]).
#[server(prefix = "/rpc", endpoint = "tokens/create")]
pub async fn create_token(
    name: String,
    #[server(default)] scopes: Vec<String>,
    expires_in_days: u32,
) -> Result<NewTokenDto, AppError> {
    use std::time::Duration;

    use domain::{Scope, Scopes, accounts::TokenRequest};

    use crate::{cookies::Flash, rpc::ssr::*};

    let scopes = scopes
        .iter()
        .map(|s| Scope::parse(s.trim()))
        .collect::<Option<Scopes>>()
        .ok_or_else(|| fail(AppError::Invalid { field: "scopes".into(), problem: "unsupported".into() }))?;
    let lifetime = Duration::from_secs(u64::from(expires_in_days) * 24 * 3600);
    let request = TokenRequest { name: &name, scopes, lifetime };
    let new = services()?.tokens.create(&actor(), request, &client_info()).await.map_err(fail)?;
    let dto = NewTokenDto { token: TokenDto::from(&new.info), secret: new.secret };
    if is_form_post() {
        set_flash(Flash::NewToken, &format!("{}.{}", dto.token.id, dto.secret));
        redirect_form_post("/profile#tokens");
    }
    Ok(dto)
}

/// Revokes one of the user's tokens; programs using it are refused from then on. Another user's
/// token is `404`.
#[server(prefix = "/rpc", endpoint = "tokens/revoke")]
pub async fn revoke_token(id: String) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    let id = parse_id(id.trim())?;
    services()?.tokens.revoke(&actor(), id, &client_info()).await.map_err(fail)?;
    redirect_form_post("/profile?saved=tokens#tokens");
    Ok(())
}

/// The token a plain form post just made, with its secret, on the first load of the profile after
/// it (later loads have nothing). Only a token of the signed-in user still there is shown.
pub async fn fresh_token_after_form_post() -> Option<NewTokenDto> {
    #[cfg(feature = "ssr")]
    {
        use crate::{cookies::Flash, rpc::ssr::*};

        let flash = take_flash(Flash::NewToken)?;
        let (id, secret) = flash.split_once('.')?;
        let tokens = services().ok()?.tokens.list(&actor()).await.ok()?;
        let info = tokens.iter().find(|t| t.id.to_string() == id)?;
        Some(NewTokenDto { token: TokenDto::from(info), secret: secret.to_owned() })
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}
