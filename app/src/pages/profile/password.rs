//! The profile's "Change password" card.

use leptos::{prelude::*, server_fn::ServerFn};

use crate::{
    components::{
        field::{Field, FormAlert, SuccessAlert, server_error_for},
        form::{hydrated_form_ref, use_validated_form},
    },
    i18n::t,
    pages::form_action,
    rpc::account::ChangePassword,
    validate,
};

#[component]
pub(super) fn PasswordForm(saved: Option<String>, changed: RwSignal<u32>) -> impl IntoView {
    let action = form_action::<ChangePassword>();
    let result = action.value();
    let current_password = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    let (attempted, on_submit) = use_validated_form(action, move || {
        let (current, new) = (current_password.get_untracked(), new_password.get_untracked());
        (validate::current_password_present(&current).is_none() && validate::new_password(&new).is_none())
            .then_some(ChangePassword { current_password: current, new_password: new })
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = result.get() {
            current_password.set(String::new());
            new_password.set(String::new());
            attempted.set(false);
            changed.update(|n| *n += 1);
        }
    });
    let show_saved = move || {
        matches!(result.get(), Some(Ok(()))) || (result.get().is_none() && saved.as_deref() == Some("password"))
    };
    let pending = action.pending();
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">{t("password-heading")}</h2>
            <p class="muted">{t("password-lead")}</p>
            <SuccessAlert when=show_saved message="password-changed"/>
            <FormAlert result/>
            <form node_ref=hydrated_form_ref() method="post" action=ChangePassword::url() on:submit=on_submit>
                <Field label="field-current-password" name="current_password" kind="password"
                    autocomplete="current-password" required=true value=current_password
                    check=validate::current_password_present server_error=server_error_for(result, "current_password")/>
                <Field label="field-new-password" name="new_password" kind="password" autocomplete="new-password"
                    required=true value=new_password check=validate::new_password
                    server_error=server_error_for(result, "new_password") hint="field-password-hint"/>
                <button type="submit" class="button" disabled=move || pending.get()>{t("password-submit")}</button>
            </form>
        </section>
    }
}
