use leptos::{ev::SubmitEvent, prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::form_action;
use crate::{
    components::{
        field::{Field, FormAlert, FormAttempt},
        form::hydrated_form_ref,
    },
    i18n::t,
    rpc::auth::SignIn,
    session::go_to_profile_once_signed_in,
    validate,
};

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = form_action::<SignIn>();
    let result = action.value();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let attempted = RwSignal::new(false);
    provide_context(FormAttempt(attempted));
    go_to_profile_once_signed_in(result);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        attempted.set(true);
        let (email, password) = (email.get_untracked(), password.get_untracked());
        if validate::email(&email).is_none() && validate::password_present(&password).is_none() {
            action.dispatch(SignIn { email, password });
        }
    };
    let pending = action.pending();
    let after_reset = use_query_map().get_untracked().get("reset").is_some();
    view! {
        <Title text=t("sign-in-title")/>
        <section class="auth card">
            <h1>{t("sign-in-title")}</h1>
            <p class="muted">{t("sign-in-lead")}</p>
            {after_reset.then(|| view! { <p class="alert alert-success" role="status">{t("sign-in-reset-done")}</p> })}
            <FormAlert result/>
            <form node_ref=hydrated_form_ref() method="post" action=SignIn::url() on:submit=on_submit>
                <Field label="field-email" name="email" kind="email" autocomplete="email" required=true
                    value=email check=validate::email/>
                <Field label="field-password" name="password" kind="password" autocomplete="current-password"
                    required=true value=password check=validate::password_present/>
                <button type="submit" class="button button-block" disabled=move || pending.get()>
                    {move || if pending.get() { t("sign-in-pending")() } else { t("sign-in-submit")() }}
                </button>
            </form>
            <super::providers::ProviderButtons/>
            <p class="auth-switch"><a href="/forgot-password">{t("sign-in-forgot")}</a></p>
            <p class="auth-switch">{t("sign-in-no-account")} " " <a href="/signup">{t("nav-sign-up")}</a></p>
        </section>
    }
}
