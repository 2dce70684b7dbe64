use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;

use super::form_action;
use crate::{
    components::{
        field::{Field, FormAlert, server_error_for},
        form::{hydrated_form_ref, use_validated_form},
    },
    i18n::t,
    rpc::auth::SignUp,
    session::go_to_profile_once_signed_in,
    validate,
};

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = form_action::<SignUp>();
    let result = action.value();
    let display_name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    go_to_profile_once_signed_in(result);
    let (_, on_submit) = use_validated_form(action, move || {
        let (name, email, password) = (display_name.get_untracked(), email.get_untracked(), password.get_untracked());
        let valid = validate::optional_display_name(&name).is_none()
            && validate::email(&email).is_none()
            && validate::new_password(&password).is_none();
        valid.then_some(SignUp { email, password, display_name: Some(name) })
    });
    let pending = action.pending();
    view! {
        <Title text=t("sign-up-title")/>
        <section class="auth card">
            <h1>{t("sign-up-title")}</h1>
            <p class="muted">{t("sign-up-lead")}</p>
            <FormAlert result/>
            <form node_ref=hydrated_form_ref() method="post" action=SignUp::url() on:submit=on_submit>
                <Field label="field-display-name" name="display_name" autocomplete="name" value=display_name
                    check=validate::optional_display_name server_error=server_error_for(result, "display_name")
                    hint="field-display-name-hint"/>
                <Field label="field-email" name="email" kind="email" autocomplete="email" required=true
                    value=email check=validate::email server_error=server_error_for(result, "email")/>
                <Field label="field-password" name="password" kind="password" autocomplete="new-password"
                    required=true value=password check=validate::new_password
                    server_error=server_error_for(result, "password") hint="field-password-hint"/>
                <button type="submit" class="button button-block" disabled=move || pending.get()>
                    {move || if pending.get() { t("sign-up-pending")() } else { t("sign-up-submit")() }}
                </button>
            </form>
            <p class="auth-switch">{t("sign-up-have-account")} " " <a href="/signin">{t("nav-sign-in")}</a></p>
        </section>
    }
}
