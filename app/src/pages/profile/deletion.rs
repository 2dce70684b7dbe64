//! The profile's "Delete account" card: the password and the address typed out, then the
//! account is deleted after the grace period.

use leptos::{prelude::*, server_fn::ServerFn};

use crate::{
    components::{
        field::{Field, FormAlert, server_error_for},
        form::{hydrated_form_ref, use_validated_form},
    },
    i18n::{t, use_i18n},
    pages::form_action,
    rpc::account::DeleteAccount,
    validate,
};

/// Deleting the account: the password (unless signed in moments ago) and the address typed out.
/// On success every session has ended, this one too: a full load of the sign-in page follows.
#[component]
pub(super) fn DeleteAccountCard(email: String, grace_days: u64) -> impl IntoView {
    let i18n = use_i18n();
    let action = form_action::<DeleteAccount>();
    let result = action.value();
    let password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(())) = result.get() {
            let _ = window().location().set_href("/signin?deletion=scheduled");
        }
    });
    let (_, on_submit) = use_validated_form(action, move || {
        let confirmation = confirmation.get_untracked();
        validate::deletion_confirmation(&confirmation)
            .is_none()
            .then(|| DeleteAccount { password: password.get_untracked(), confirmation })
    });
    let pending = action.pending();
    let days = grace_days.to_string();
    view! {
        <section class="card" aria-labelledby="deletion-heading">
            <h2 id="deletion-heading">{t("deletion-heading")}</h2>
            <p class="muted">{move || i18n.t_args("deletion-lead", &[("days", days.clone())])}</p>
            <p>{move || i18n.t_args("deletion-confirm-lead", &[("email", email.clone())])}</p>
            <FormAlert result/>
            <form node_ref=hydrated_form_ref() method="post" action=DeleteAccount::url() on:submit=on_submit>
                <Field label="field-current-password" name="password" kind="password"
                    autocomplete="current-password" value=password hint="deletion-password-hint"
                    server_error=server_error_for(result, "current_password")/>
                <Field label="deletion-confirm-label" name="confirmation" kind="text" autocomplete="off"
                    required=true value=confirmation check=validate::deletion_confirmation
                    server_error=server_error_for(result, "confirmation")/>
                <button type="submit" class="button button-danger" disabled=move || pending.get()>
                    {t("deletion-submit")}
                </button>
            </form>
        </section>
    }
}
