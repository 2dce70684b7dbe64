//! The profile's "Avatar" card: upload a picture (a plain multipart form), or remove it.

use leptos::prelude::*;

use crate::{
    error::AppError,
    i18n::{t, use_i18n},
    pages::url_error,
    rpc::account::{AVATAR_UPLOAD_URL, RemoveAvatar},
    session::use_current_user,
};

/// The avatar: a plain multipart form (a full page load is fine for a photo), and a remove button.
#[component]
pub(super) fn AvatarForm(avatar: Option<String>, name: String, saved: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let remove = ServerAction::<RemoveAvatar>::new();
    let current = use_current_user();
    let shown = RwSignal::new(avatar);
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            shown.set(None);
            current.refresh();
        }
    });
    let error = url_error().filter(|err| matches!(err, AppError::FileRejected { .. } | AppError::Invalid { .. }));
    let initial = name.chars().next().unwrap_or('?').to_uppercase().to_string();
    view! {
        <section class="card" aria-labelledby="avatar-heading">
            <h2 id="avatar-heading">{t("avatar-heading")}</h2>
            {(saved.as_deref() == Some("avatar")).then(|| view! {
                <p class="alert alert-success" role="status">{t("avatar-saved")}</p>
            })}
            {error.map(|err| view! {
                <p class="alert alert-error" role="alert">{move || i18n.t_args(&err.message_key(), &err.message_args())}</p>
            })}
            <div class="avatar-row">
                {move || match shown.get() {
                    Some(src) => view! { <img class="avatar-large" src=src alt=t("avatar-alt") width="128" height="128"/> }.into_any(),
                    None => view! { <span class="avatar avatar-large" aria-hidden="true">{initial.clone()}</span> }.into_any(),
                }}
                <form method="post" action=AVATAR_UPLOAD_URL enctype="multipart/form-data" class="stacked-form">
                    <div class="field">
                        <label for="avatar-input">{t("avatar-choose")}</label>
                        <input id="avatar-input" type="file" name="avatar" required=true
                            accept="image/png,image/jpeg,image/gif,image/webp" aria-describedby="avatar-hint"/>
                        <p class="field-hint" id="avatar-hint">{t("avatar-hint")}</p>
                    </div>
                    <button type="submit" class="button">{t("avatar-upload")}</button>
                </form>
            </div>
            <Show when=move || shown.get().is_some()>
                <ActionForm action=remove>
                    <button type="submit" class="button button-ghost danger">{t("avatar-remove")}</button>
                </ActionForm>
            </Show>
        </section>
    }
}
