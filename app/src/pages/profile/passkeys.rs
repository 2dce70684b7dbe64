//! The profile's "Passkeys" card.

use leptos::prelude::*;

use crate::{
    components::{date_time::DateTime, field::SuccessAlert, loading::loading},
    dto::PasskeyDto,
    i18n::t,
    rpc::passkeys::{DeletePasskey, list_passkeys},
};

/// The account's passkeys: add one (the browser asks the authenticator; `public/passkeys.js`),
/// remove one.
#[component]
pub(super) fn Passkeys(saved: Option<String>) -> impl IntoView {
    let delete = ServerAction::<DeletePasskey>::new();
    let list = Resource::new(move || delete.version().get(), |_| list_passkeys());
    let changed = move || {
        matches!(delete.value().get(), Some(Ok(())))
            || (delete.value().get().is_none() && saved.as_deref() == Some("passkeys"))
    };
    view! {
        <section class="card" id="passkeys" aria-labelledby="passkeys-heading">
            <h2 id="passkeys-heading">{t("passkeys-heading")}</h2>
            <p class="muted">{t("passkeys-lead")}</p>
            <SuccessAlert when=changed message="passkeys-saved"/>
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    let keys = list.await.unwrap_or_default();
                    if keys.is_empty() {
                        return view! { <p class="muted">{t("passkeys-none")}</p> }.into_any();
                    }
                    view! {
                        <ul class="session-list">
                            {keys.into_iter().map(|key| view! { <PasskeyRow key delete/> }).collect_view()}
                        </ul>
                    }.into_any()
                })}
            </Transition>
            <div class="passkey-add">
                <div class="field">
                    <label for="passkey-name">{t("passkeys-name")}</label>
                    <input id="passkey-name" type="text" maxlength="80" placeholder=t("passkeys-name-placeholder")/>
                </div>
                <div class="field">
                    <label for="passkey-password">{t("passkeys-password")}</label>
                    <input id="passkey-password" type="password" autocomplete="current-password"
                        aria-describedby="passkey-password-hint"/>
                    <p id="passkey-password-hint" class="field-hint">{t("passkeys-password-hint")}</p>
                </div>
                <button type="button" class="button" data-passkey="register" data-status="passkey-register-status">
                    {t("passkeys-add")}
                </button>
            </div>
            <p id="passkey-register-status" class="alert alert-error" role="alert" hidden=true
                data-failed=t("passkeys-add-failed")></p>
        </section>
    }
}

#[component]
fn PasskeyRow(key: PasskeyDto, delete: ServerAction<DeletePasskey>) -> impl IntoView {
    view! {
        <li class="session">
            <div>
                <p><strong>{key.name.clone()}</strong></p>
                <p class="muted">
                    <span>{t("passkeys-added")} " " <DateTime at=key.created_at.clone()/></span>
                    {key.last_used_at.clone().map(|at| view! {
                        " · " <span>{t("passkeys-last-used")} " " <DateTime at=at.clone() relative=true/></span>
                    })}
                </p>
            </div>
            <ActionForm action=delete>
                <input type="hidden" name="id" value=key.id.clone()/>
                <button type="submit" class="button button-ghost danger">{t("passkeys-remove")}</button>
            </ActionForm>
        </li>
    }
}
