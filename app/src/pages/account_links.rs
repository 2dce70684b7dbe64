//! The pages the e-mailed links open, and the one that sends a reset link: each a plain form that
//! works without JavaScript.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::form_action;
use crate::{
    components::{
        field::{Field, FormAlert, SuccessAlert, server_error_for},
        form::{hydrated_form_ref, use_validated_form},
    },
    i18n::t,
    rpc::auth::{ForgotPassword, ResetPassword, VerifyEmail},
    validate,
};

fn token_from_query() -> String {
    use_query_map().get_untracked().get("token").unwrap_or_default()
}

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let action = form_action::<VerifyEmail>();
    let result = action.value();
    let token = token_from_query();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = result.get() {
            navigate("/profile?saved=verified", Default::default());
        }
    });
    view! {
        <Title text=t("verify-title")/>
        <section class="auth card">
            <h1>{t("verify-title")}</h1>
            <p class="muted">{t("verify-lead")}</p>
            <FormAlert result field="token"/>
            <ActionForm action>
                <input type="hidden" name="token" value=token/>
                <button type="submit" class="button button-block">{t("verify-submit")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = form_action::<ForgotPassword>();
    let result = action.value();
    let sent_before = use_query_map().get_untracked().get("sent").is_some();
    let email = RwSignal::new(String::new());
    let (_, on_submit) = use_validated_form(action, move || {
        let email = email.get_untracked();
        validate::email(&email).is_none().then_some(ForgotPassword { email })
    });
    let sent = move || matches!(result.get(), Some(Ok(()))) || (result.get().is_none() && sent_before);
    let pending = action.pending();
    view! {
        <Title text=t("forgot-title")/>
        <section class="auth card">
            <h1>{t("forgot-title")}</h1>
            <p class="muted">{t("forgot-lead")}</p>
            <SuccessAlert when=sent message="forgot-sent"/>
            <FormAlert result/>
            <form node_ref=hydrated_form_ref() method="post" action=ForgotPassword::url() on:submit=on_submit>
                <Field label="field-email" name="email" kind="email" autocomplete="email" required=true
                    value=email check=validate::email server_error=server_error_for(result, "email")/>
                <button type="submit" class="button button-block" disabled=move || pending.get()>{t("forgot-submit")}</button>
            </form>
            <p class="auth-switch"><a href="/signin">{t("nav-sign-in")}</a></p>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = form_action::<ResetPassword>();
    let result = action.value();
    let token = token_from_query();
    let new_password = RwSignal::new(String::new());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = result.get() {
            navigate("/signin?reset=1", Default::default());
        }
    });
    let submitted_token = token.clone();
    let (_, on_submit) = use_validated_form(action, move || {
        let new_password = new_password.get_untracked();
        validate::new_password(&new_password)
            .is_none()
            .then(|| ResetPassword { token: submitted_token.clone(), new_password })
    });
    let pending = action.pending();
    view! {
        <Title text=t("reset-title")/>
        <section class="auth card">
            <h1>{t("reset-title")}</h1>
            <p class="muted">{t("reset-lead")}</p>
            <FormAlert result field="token"/>
            <FormAlert result/>
            <form node_ref=hydrated_form_ref() method="post" action=ResetPassword::url() on:submit=on_submit>
                <input type="hidden" name="token" value=token/>
                <Field label="field-new-password" name="new_password" kind="password" autocomplete="new-password"
                    required=true value=new_password check=validate::new_password
                    server_error=server_error_for(result, "new_password") hint="field-password-hint"/>
                <button type="submit" class="button button-block" disabled=move || pending.get()>{t("reset-submit")}</button>
            </form>
            <p class="auth-switch"><a href="/forgot-password">{t("reset-ask-again")}</a></p>
        </section>
    }
}
