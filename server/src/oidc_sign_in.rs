//! The doors of sign-in through OpenID Connect providers: top-level browser navigations (to the
//! provider and back) and a plain form post, so they are axum handlers, not server functions.
//! Every failure lands on a page that says what happened in the user's language, never a 500.

use app::{
    cookies::{self, CookiePolicy, Flash},
    i18n::Lang,
};
use axum::{
    Extension, Form,
    extract::{Path, Query, State},
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
};
use domain::{
    Actor, Error, Services,
    accounts::Locale,
    oidc::{Callback, Finished, OidcError, Started},
    sessions::ClientInfo,
};
use serde::Deserialize;

use crate::state::AppState;

#[derive(Deserialize)]
pub struct StartQuery {
    return_to: Option<String>,
}

/// `POST /auth/oidc/{provider}/start` from the profile: links another provider to the signed-in
/// account (bound to this session; see `OidcService::start_connect`).
pub async fn connect(
    State(services): State<Services>,
    State(policy): State<CookiePolicy>,
    Extension(actor): Extension<Actor>,
    Path(provider): Path<String>,
) -> Response {
    if actor.session_id().is_none() {
        return Redirect::to("/signin").into_response();
    }
    match services.oidc.start_connect(&actor, &provider).await {
        Ok(started) => to_provider(policy, &started),
        Err(err) => refused(&err),
    }
}

/// `GET /auth/oidc/{provider}/start`: to the provider's sign-in page.
pub async fn start(
    State(services): State<Services>,
    State(policy): State<CookiePolicy>,
    Path(provider): Path<String>,
    Query(query): Query<StartQuery>,
) -> Response {
    match services.oidc.start(&provider, query.return_to.as_deref()).await {
        Ok(started) => to_provider(policy, &started),
        Err(err) => refused(&err),
    }
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /auth/oidc/{provider}/callback`: back from the provider, signed in (or asked for the
/// password of the account that has the same e-mail address).
pub async fn callback(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    Extension(client): Extension<ClientInfo>,
    Extension(lang): Extension<Lang>,
    Path(provider): Path<String>,
    Query(query): Query<CallbackQuery>,
    headers: HeaderMap,
) -> Response {
    let callback = Callback {
        code: query.code.as_deref(),
        state: query.state.as_deref(),
        error: query.error.as_deref(),
        kept_state: cookies::read(&headers, cookies::OIDC_STATE),
    };
    let (services, policy) = (state.services, state.cookies);
    let locale = Locale::parse(lang.code()).unwrap_or(Locale::En);
    let mut response = match services.oidc.finish(&actor, &provider, callback, locale, &client).await {
        Ok(Finished::SignedIn { token, return_to, .. }) => {
            let mut response = Redirect::to(return_to.as_deref().unwrap_or("/profile")).into_response();
            set_session(&mut response, &services, policy, token.expose());
            response
        }
        Ok(Finished::Connected { .. }) => Redirect::to("/profile?saved=linked").into_response(),
        Ok(Finished::NeedsSecondFactor(challenge)) => {
            // As after a right password: the code page, with the challenge in a cookie.
            let mut response = Redirect::to("/signin/code").into_response();
            cookies::append(response.headers_mut(), &policy.flash(Flash::Challenge, challenge.expose()));
            response
        }
        Ok(Finished::LinkNeeded { secret, provider }) => {
            let mut response = Redirect::to(&format!("/signin/link?provider={provider}")).into_response();
            cookies::append(response.headers_mut(), &policy.oidc_link(&secret));
            response
        }
        Err(err) => refused(&err),
    };
    cookies::append(response.headers_mut(), &policy.clear_oidc_state());
    response
}

#[derive(Deserialize)]
pub struct LinkForm {
    password: String,
    provider: Option<String>,
}

/// `POST /auth/oidc/link`: the password of the account with the provider's e-mail address; right,
/// the provider is linked and the account signed in.
pub async fn link(
    State(services): State<Services>,
    State(policy): State<CookiePolicy>,
    Extension(actor): Extension<Actor>,
    Extension(client): Extension<ClientInfo>,
    headers: HeaderMap,
    Form(form): Form<LinkForm>,
) -> Response {
    let Some(secret) = cookies::read(&headers, cookies::OIDC_LINK) else {
        return Redirect::to("/signin?oidc_error=state").into_response();
    };
    match services.oidc.link(&actor, secret, &form.password, &client).await {
        Ok((_, token, return_to)) => {
            let mut response = Redirect::to(return_to.as_deref().unwrap_or("/profile?saved=linked")).into_response();
            set_session(&mut response, &services, policy, token.expose());
            cookies::append(response.headers_mut(), &policy.clear_oidc_link());
            response
        }
        Err(OidcError::State) => {
            let mut response = Redirect::to("/signin?oidc_error=state").into_response();
            cookies::append(response.headers_mut(), &policy.clear_oidc_link());
            response
        }
        Err(err) => {
            let problem = match err {
                OidcError::Domain(Error::TooManyAttempts { .. }) => "throttled",
                OidcError::Domain(Error::InvalidCredentials) => "password",
                other => return refused(&other),
            };
            let provider =
                form.provider.filter(|p| p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
            Redirect::to(&format!("/signin/link?provider={}&error={problem}", provider.unwrap_or_default()))
                .into_response()
        }
    }
}

/// The sign-in page, with what went wrong.
/// To the provider, with the flow's state in a cookie the callback checks.
fn to_provider(policy: CookiePolicy, started: &Started) -> Response {
    let mut response = Redirect::to(started.url.as_str()).into_response();
    cookies::append(response.headers_mut(), &policy.oidc_state(&started.state));
    response
}

fn refused(err: &OidcError) -> Response {
    match err {
        OidcError::Domain(_) | OidcError::Failed(_) => {
            tracing::warn!(error = format!("{err:#}"), "provider sign-in failed")
        }
        _ => tracing::info!(error = %err, "provider sign-in refused"),
    }
    Redirect::to(&format!("/signin?oidc_error={}", err.code())).into_response()
}

fn set_session(response: &mut Response, services: &Services, policy: CookiePolicy, token: &str) {
    cookies::append(response.headers_mut(), &policy.session(token, services.sessions.max_age()));
}
