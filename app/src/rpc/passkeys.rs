//! `/rpc/passkeys/*`: adding and removing passkeys, and signing in with one. The browser's half
//! is `public/passkeys.js`: `navigator.credentials` needs JavaScript.

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::{
    dto::{PasskeyDto, UserDto},
    error::AppError,
};

/// What to hand to `navigator.credentials.create()`/`.get()` (`options`, JSON), and the id to
/// send back with the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CeremonyDto {
    pub challenge: String,
    pub options: String,
}

#[cfg(feature = "ssr")]
fn ceremony(c: domain::accounts::Ceremony) -> CeremonyDto {
    CeremonyDto { challenge: c.challenge.to_string(), options: c.options.to_string() }
}

#[cfg(feature = "ssr")]
fn challenge_id(raw: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(raw.trim())
        .map_err(|_| AppError::Invalid { field: "passkey".into(), problem: "expired".into() })
}

#[server(prefix = "/rpc", endpoint = "passkeys/list", input = GetUrl)]
pub async fn list_passkeys() -> Result<Vec<PasskeyDto>, AppError> {
    use crate::rpc::ssr::*;

    let list = services()?.passkeys.list(&actor()).await.map_err(fail)?;
    Ok(list.iter().map(PasskeyDto::from).collect())
}

/// Starts adding a passkey. A session that signed in more than a few minutes ago gives the
/// account's `password` again.
#[server(prefix = "/rpc", endpoint = "passkeys/register_start")]
pub async fn register_start(password: Option<String>) -> Result<CeremonyDto, AppError> {
    use crate::rpc::ssr::*;

    let services = services()?;
    Ok(ceremony(
        services.passkeys.start_registration(&actor(), password.as_deref(), &client_info()).await.map_err(fail)?,
    ))
}

/// `credential` is the authenticator's answer as JSON (binary fields base64url).
#[server(prefix = "/rpc", endpoint = "passkeys/register_finish")]
pub async fn register_finish(challenge: String, credential: String, name: String) -> Result<PasskeyDto, AppError> {
    use crate::rpc::ssr::*;

    let challenge = challenge_id(&challenge).map_err(fail)?;
    let services = services()?;
    let added = services
        .passkeys
        .finish_registration(&actor(), challenge, &credential, &name, &client_info())
        .await
        .map_err(fail)?;
    Ok(PasskeyDto::from(&added))
}

#[server(prefix = "/rpc", endpoint = "passkeys/delete")]
pub async fn delete_passkey(id: String) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    let id = parse_id(&id)?;
    services()?.passkeys.delete(&actor(), id, &client_info()).await.map_err(fail)?;
    redirect_form_post("/profile?saved=passkeys#passkeys");
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "passkeys/sign_in_start")]
pub async fn sign_in_start() -> Result<CeremonyDto, AppError> {
    use crate::rpc::ssr::*;

    Ok(ceremony(services()?.passkeys.start_sign_in().await.map_err(fail)?))
}

/// Signs in with the passkey that answered; the session cookie comes back as with a password.
#[server(prefix = "/rpc", endpoint = "passkeys/sign_in_finish")]
pub async fn sign_in_finish(challenge: String, credential: String) -> Result<UserDto, AppError> {
    use crate::rpc::ssr::*;

    let challenge = challenge_id(&challenge).map_err(fail)?;
    let services = services()?;
    let (account, token) =
        services.passkeys.finish_sign_in(&actor(), challenge, &credential, &client_info()).await.map_err(fail)?;
    set_session_cookie(token.expose(), services.sessions.max_age());
    Ok(UserDto::from(&account))
}
