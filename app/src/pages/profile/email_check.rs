//! The notice at the top of the profile while the e-mail address is not confirmed.

use leptos::prelude::*;

use crate::{i18n::t, rpc::auth::ResendVerification};

/// Whether the e-mail address is confirmed, and a way to get a fresh link while it is not.
#[component]
pub(super) fn EmailCheck(verified: bool, saved: Option<String>) -> impl IntoView {
    let resend = ServerAction::<ResendVerification>::new();
    let resent = move || {
        matches!(resend.value().get(), Some(Ok(())))
            || (resend.value().get().is_none() && saved.as_deref() == Some("verification"))
    };
    if verified {
        return view! { <p class="alert alert-success" role="status">{t("verify-done")}</p> }.into_any();
    }
    view! {
        <div class="alert alert-info email-check">
            <p>{t("verify-pending")}</p>
            <Show when=resent fallback=move || view! {
                <ActionForm action=resend>
                    <button type="submit" class="button button-ghost">{t("verify-resend")}</button>
                </ActionForm>
            }>
                <p><strong>{t("verify-resent")}</strong></p>
            </Show>
        </div>
    }
    .into_any()
}
