//! `/rpc/auth/*`: sign up, sign in, sign out, and the links sent by e-mail (confirm the address,
//! reset a forgotten password).

use leptos::prelude::*;

use crate::{
    dto::{ProviderDto, SignInDto, UserDto},
    error::AppError,
};

/// The OpenID Connect providers one can sign in with (the buttons on the sign-in page).
#[server(prefix = "/rpc", endpoint = "auth/providers", input = leptos::server_fn::codec::GetUrl)]
pub async fn providers() -> Result<Vec<ProviderDto>, AppError> {
    use crate::rpc::ssr::*;

    let providers = services()?.oidc.providers();
    Ok(providers.into_iter().map(|p| ProviderDto { name: p.name, display_name: p.display_name }).collect())
}

/// Creates an account and signs it in.
#[server(prefix = "/rpc", endpoint = "auth/sign_up")]
pub async fn sign_up(email: String, password: String, display_name: Option<String>) -> Result<UserDto, AppError> {
    use domain::accounts::{Locale, SignUp};

    use crate::rpc::ssr::*;

    let services = services()?;
    let locale = Locale::parse(request_lang().code()).unwrap_or(Locale::En);
    let input = SignUp { email: &email, password: &password, display_name: display_name.as_deref(), locale };
    let (account, token) = services.accounts.sign_up(input, &client_info()).await.map_err(fail)?;
    set_session_cookie(token.expose(), services.sessions.max_age());
    redirect_form_post("/profile");
    Ok(UserDto::from(&account))
}

/// Signs in with e-mail and password. A wrong password and an unknown e-mail get the same answer.
/// With two-factor on, a right password gets a challenge instead of a session (a plain form post
/// goes on to the page that asks for the code).
#[server(prefix = "/rpc", endpoint = "auth/sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<SignInDto, AppError> {
    use domain::accounts::SignIn;

    use crate::{cookies::Flash, rpc::ssr::*};

    let services = services()?;
    match services.accounts.sign_in(&actor(), &email, &password, &client_info()).await.map_err(fail)? {
        SignIn::Done(account, token) => {
            set_session_cookie(token.expose(), services.sessions.max_age());
            redirect_form_post("/profile");
            Ok(SignInDto::SignedIn(UserDto::from(&account)))
        }
        SignIn::NeedsSecondFactor(challenge) => {
            let challenge = challenge.expose().to_owned();
            set_flash(Flash::Challenge, &challenge);
            redirect_form_post("/signin/code");
            Ok(SignInDto::SecondFactorDue { challenge })
        }
    }
}

/// The second step of a sign-in with two-factor on: the challenge from `auth/sign_in` and a code
/// from the authenticator app (or a recovery code).
#[server(prefix = "/rpc", endpoint = "auth/sign_in_code")]
pub async fn sign_in_code(challenge: Option<String>, code: String) -> Result<UserDto, AppError> {
    use crate::{cookies::Flash, rpc::ssr::*};

    let services = services()?;
    let accounts = &services.accounts;
    // The browser carries the challenge in a cookie (`Flash::Challenge`); programs may send it from
    // the answer of `auth/sign_in` instead.
    let challenge = challenge.filter(|c| !c.is_empty()).or_else(|| read_flash(Flash::Challenge)).unwrap_or_default();
    let (account, token) =
        accounts.sign_in_second_factor(&actor(), &challenge, &code, &client_info()).await.map_err(fail)?;
    clear_flash(Flash::Challenge);
    set_session_cookie(token.expose(), services.sessions.max_age());
    redirect_form_post("/profile");
    Ok(UserDto::from(&account))
}

/// Ends the current session. When it came from a provider that supports RP-initiated logout,
/// answers the provider's end-session URL, where the browser goes next (and comes back home).
#[server(prefix = "/rpc", endpoint = "auth/sign_out")]
pub async fn sign_out() -> Result<Option<String>, AppError> {
    use crate::rpc::ssr::*;

    let (services, actor) = (services()?, actor());
    let logout = services.oidc.logout_url(&actor).await.map(String::from);
    services.accounts.sign_out(&actor, &client_info()).await.map_err(fail)?;
    clear_session_cookie();
    redirect_form_post(logout.as_deref().unwrap_or("/"));
    Ok(logout)
}

/// Follows the link that confirms the account's e-mail address.
#[server(prefix = "/rpc", endpoint = "auth/verify_email")]
pub async fn verify_email(token: String) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    services()?.links.verify_email(&token, &client_info()).await.map_err(fail)?;
    redirect_form_post("/profile?saved=verified");
    Ok(())
}

/// Sends the signed-in user a fresh confirmation link.
#[server(prefix = "/rpc", endpoint = "auth/resend_verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    services()?.links.resend_verification(&actor()).await.map_err(fail)?;
    redirect_form_post("/profile?saved=verification");
    Ok(())
}

/// "Forgot password": the same answer whether or not the address has an account.
#[server(prefix = "/rpc", endpoint = "auth/forgot_password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    services()?.links.request_password_reset(&email).await.map_err(fail)?;
    redirect_form_post("/forgot-password?sent=1");
    Ok(())
}

/// Follows a reset link with the new password; every session of the account ends.
#[server(prefix = "/rpc", endpoint = "auth/reset_password")]
pub async fn reset_password(token: String, new_password: String) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    services()?.links.reset_password(&token, &new_password, &client_info()).await.map_err(fail)?;
    clear_session_cookie();
    redirect_form_post("/signin?reset=1");
    Ok(())
}
