use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::form_action;
use crate::{
    components::{
        field::{Field, FormAlert, server_error_for},
        form::{hydrated_form_ref, use_validated_form},
    },
    dto::SignInDto,
    error::AppError,
    i18n::t,
    rpc::auth::{SignIn, SignInCode},
    session::go_to_profile_once_signed_in,
    validate,
};

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = form_action::<SignIn>();
    let result = action.value();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    go_to_profile_once_signed_in(Signal::derive(move || {
        result.get().map(|r| {
            r.and_then(|outcome| match outcome {
                SignInDto::SignedIn(user) => Ok(user),
                SignInDto::SecondFactorDue { .. } => Err(AppError::Unauthenticated),
            })
        })
    }));
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        // The challenge went into a cookie for the code step; it stays out of the URL.
        if let Some(Ok(SignInDto::SecondFactorDue { .. })) = result.get() {
            navigate("/signin/code", Default::default());
        }
    });
    let (_, on_submit) = use_validated_form(action, move || {
        let (email, password) = (email.get_untracked(), password.get_untracked());
        (validate::email(&email).is_none() && validate::password_present(&password).is_none())
            .then_some(SignIn { email, password })
    });
    let pending = action.pending();
    let query = use_query_map().get_untracked();
    let after_reset = query.get("reset").is_some();
    let deletion_scheduled = query.get("deletion").as_deref() == Some("scheduled");
    view! {
        <Title text=t("sign-in-title")/>
        <section class="auth card">
            <h1>{t("sign-in-title")}</h1>
            <p class="muted">{t("sign-in-lead")}</p>
            {after_reset.then(|| view! { <p class="alert alert-success" role="status">{t("sign-in-reset-done")}</p> })}
            {deletion_scheduled.then(|| view! { <p class="alert alert-success" role="status">{t("deletion-scheduled")}</p> })}
            <FormAlert result/>
            <form node_ref=hydrated_form_ref() method="post" action=SignIn::url() on:submit=on_submit>
                <Field label="field-email" name="email" kind="email" autocomplete="email" required=true
                    value=email check=validate::email server_error=server_error_for(result, "email")/>
                <Field label="field-password" name="password" kind="password" autocomplete="current-password"
                    required=true value=password check=validate::password_present/>
                <button type="submit" class="button button-block" disabled=move || pending.get()>
                    {move || if pending.get() { t("sign-in-pending")() } else { t("sign-in-submit")() }}
                </button>
            </form>
            <div class="passkey-sign-in">
                <p class="muted">{t("sign-in-or")}</p>
                <button type="button" class="button button-ghost button-block" data-passkey="sign-in"
                    data-status="passkey-sign-in-status">{t("sign-in-passkey")}</button>
                <p id="passkey-sign-in-status" class="alert alert-error" role="alert" hidden=true
                    data-failed=t("sign-in-passkey-failed")></p>
            </div>
            <super::providers::ProviderButtons/>
            <p class="auth-switch"><a href="/forgot-password">{t("sign-in-forgot")}</a></p>
            <p class="auth-switch">{t("sign-in-no-account")} " " <a href="/signup">{t("nav-sign-up")}</a></p>
        </section>
    }
}

/// The second step of a sign-in with two-factor on: a code from the authenticator app, or a
/// recovery code. The challenge from the password step travels in an HttpOnly cookie.
#[component]
pub fn SignInCodePage() -> impl IntoView {
    let action = form_action::<SignInCode>();
    let result = action.value();
    let code = RwSignal::new(String::new());
    go_to_profile_once_signed_in(result);
    let (_, on_submit) = use_validated_form(action, move || {
        let code = code.get_untracked();
        validate::code(&code).is_none().then_some(SignInCode { challenge: None, code })
    });
    let pending = action.pending();
    let expired = move || matches!(result.get(), Some(Err(err)) if err.field() == Some("challenge"));
    view! {
        <Title text=t("sign-in-code-title")/>
        <section class="auth card">
            <h1>{t("sign-in-code-title")}</h1>
            <p class="muted">{t("sign-in-code-lead")}</p>
            <FormAlert result/>
            <Show when=expired>
                <div class="alert alert-error" role="alert">
                    {t("error-challenge-expired")} " " <a href="/signin">{t("sign-in-code-again")}</a>
                </div>
            </Show>
            <form node_ref=hydrated_form_ref() method="post" action=SignInCode::url() on:submit=on_submit>
                <Field label="field-code" name="code" autocomplete="one-time-code" required=true value=code
                    check=validate::code hint="sign-in-code-hint" server_error=server_error_for(result, "code")/>
                <button type="submit" class="button button-block" disabled=move || pending.get()>
                    {move || if pending.get() { t("sign-in-pending")() } else { t("sign-in-code-submit")() }}
                </button>
            </form>
            <p class="auth-switch"><a href="/signin">{t("sign-in-code-again")}</a></p>
        </section>
    }
}
