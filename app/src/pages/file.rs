//! One file: its preview, its details, and the links that share it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::Redirect,
    hooks::{use_navigate, use_params_map},
};

use super::{error::ErrorPage, url_error};
use crate::{
    components::{date_time::DateTime, loading::loading},
    dto::{FileDetailsDto, Preview, ShareDto},
    error::AppError,
    format,
    i18n::{t, use_i18n},
    rpc::files::{DeleteFile, RenameFile, RevokeShare, SHARE_LIFETIMES, ShareFile, file_details},
};

#[derive(Clone, Copy)]
struct Changed(RwSignal<u32>);

#[component]
pub fn FilePage() -> impl IntoView {
    let params = use_params_map();
    let changed = Changed(RwSignal::new(0));
    provide_context(changed);
    let data = Resource::new(
        move || (params.get().get("id").unwrap_or_default(), changed.0.get()),
        |(id, _)| file_details(id),
    );
    view! {
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(details) => view! { <File details/> }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <Redirect path="/signin"/> }.into_any(),
                    Err(error) => view! { <Title text=t("error-page-title")/><ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn File(details: FileDetailsDto) -> impl IntoView {
    let i18n = use_i18n();
    let file = details.file.clone();
    let name = file.name.clone();
    let error = url_error();
    view! {
        <Title text=name.clone()/>
        <p class="breadcrumb"><a href="/files">{t("files-back")}</a></p>
        <div class="page-heading">
            <h1 class="file-title">{name.clone()}</h1>
            <p class="muted">
                {format::file_type(i18n, &file.content_type)} " · " {format::size(i18n, file.size)} " · "
                <DateTime at=file.uploaded_at.clone()/>
            </p>
        </div>
        {error.map(|err| view! {
            <p class="alert alert-error" role="alert">{move || i18n.t_args(&err.message_key(), &err.message_args())}</p>
        })}
        <div class="file-layout">
            <section class="card preview" aria-labelledby="preview-heading">
                <h2 id="preview-heading">{t("file-preview")}</h2>
                {match file.preview() {
                    Preview::Image => view! { <img class="preview-image" src=file.content_url(false) alt=name.clone()/> }.into_any(),
                    Preview::Pdf => view! {
                        <iframe class="preview-pdf" src=file.content_url(false) title=name.clone()></iframe>
                    }.into_any(),
                    Preview::Text => view! {
                        <pre class="preview-text" tabindex="0">{details.text_preview.clone().unwrap_or_default()}</pre>
                    }.into_any(),
                    Preview::None => view! { <p class="muted">{t("file-no-preview")}</p> }.into_any(),
                }}
            </section>
            <div class="file-side">
                <section class="card" aria-labelledby="actions-heading">
                    <h2 id="actions-heading">{t("file-actions")}</h2>
                    <a class="button button-block" href=file.content_url(true) download=name.clone()>{t("files-download")}</a>
                    <RenameForm id=file.id.clone() name=name.clone()/>
                    <DeleteForm id=file.id.clone() name=name.clone()/>
                </section>
                <Shares id=file.id.clone() shares=details.shares.clone() posted=details.fresh_share.clone()/>
                <section class="card" aria-labelledby="checksum-heading">
                    <h2 id="checksum-heading">{t("file-details")}</h2>
                    <dl class="details">
                        <dt>{t("files-col-type")}</dt><dd><code>{file.content_type.clone()}</code></dd>
                        <dt>{t("files-col-size")}</dt><dd>{i18n.t_args("size-bytes", &[("size", file.size.to_string())])}</dd>
                    </dl>
                </section>
            </div>
        </div>
    }
}

#[component]
fn RenameForm(id: String, name: String) -> impl IntoView {
    let i18n = use_i18n();
    let changed = expect_context::<Changed>();
    let rename = ServerAction::<RenameFile>::new();
    Effect::new(move |_| {
        if matches!(rename.value().get(), Some(Ok(_))) {
            changed.0.update(|v| *v += 1);
        }
    });
    let error = move || match rename.value().get() {
        Some(Err(err)) => Some(i18n.t_args(&err.message_key(), &err.message_args())),
        _ => None,
    };
    view! {
        <ActionForm action=rename attr:class="stacked-form">
            <input type="hidden" name="id" value=id.clone()/>
            <div class="field">
                <label for="rename-name">{t("files-new-name")}</label>
                <input id="rename-name" name="name" value=name.clone() required=true maxlength="255"
                    aria-describedby="rename-error"/>
                <p class="field-error" id="rename-error" aria-live="polite">{error}</p>
            </div>
            <button type="submit" class="button button-ghost">{t("files-rename-submit")}</button>
        </ActionForm>
    }
}

#[component]
fn DeleteForm(id: String, name: String) -> impl IntoView {
    let i18n = use_i18n();
    let delete = ServerAction::<DeleteFile>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if matches!(delete.value().get(), Some(Ok(()))) {
            navigate("/files?deleted=1", Default::default());
        }
    });
    view! {
        <details class="inline-dialog">
            <summary class="button button-ghost danger">{t("files-delete")}</summary>
            <ActionForm action=delete>
                <input type="hidden" name="id" value=id.clone()/>
                <p>{
                    let name = name.clone();
                    move || i18n.t_args("files-delete-confirm", &[("name", name.clone())])
                }</p>
                <button type="submit" class="button button-danger">{t("files-delete-submit")}</button>
            </ActionForm>
        </details>
    }
}

/// Share links. The list is kept here rather than reloaded, so that the link just made (shown
/// once) stays on screen.
#[component]
fn Shares(id: String, shares: Vec<ShareDto>, posted: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let list = RwSignal::new(shares);
    let share = ServerAction::<ShareFile>::new();
    // After a plain form post the new link comes back with the page's data, shown this once.
    let made = Signal::derive(move || match share.value().get() {
        Some(Ok(new)) => Some(new.url),
        _ => posted.clone(),
    });
    Effect::new(move |_| {
        if let Some(Ok(new)) = share.value().get() {
            list.update(|l| l.insert(0, new.share));
        }
    });
    let on_revoked = Callback::new(move |id: String| list.update(|l| l.retain(|s| s.id != id)));
    let error = move || match share.value().get() {
        Some(Err(err)) => Some(i18n.t_args(&err.message_key(), &err.message_args())),
        _ => None,
    };
    let copy = move |_| {
        if let Some(url) = made.get_untracked() {
            let _ = window().navigator().clipboard().write_text(&url);
        }
    };
    view! {
        <section class="card" aria-labelledby="share-heading">
            <h2 id="share-heading">{t("share-heading")}</h2>
            <p class="muted">{t("share-lead")}</p>
            <ActionForm action=share attr:class="stacked-form">
                <input type="hidden" name="id" value=id.clone()/>
                <div class="field">
                    <label for="share-expires">{t("share-expires-in")}</label>
                    <select id="share-expires" name="expires_in">
                        {SHARE_LIFETIMES.into_iter().map(|lifetime| view! {
                            <option value=lifetime selected=lifetime == "7d">{move || i18n.t(&format!("share-lifetime-{lifetime}"))}</option>
                        }).collect_view()}
                    </select>
                </div>
                <p class="field-error" aria-live="polite">{error}</p>
                <button type="submit" class="button">{t("share-create")}</button>
            </ActionForm>
            <Show when=move || made.get().is_some()>
                <div class="share-made" role="status">
                    <label for="share-url">{t("share-made")}</label>
                    <input id="share-url" readonly=true value=move || made.get().unwrap_or_default()/>
                    <button type="button" class="button button-ghost" on:click=copy>{t("share-copy")}</button>
                </div>
            </Show>
            <Show when=move || list.with(|l| !l.is_empty())>
                <h3>{t("share-active")}</h3>
                <ul class="share-list">
                    <For each=move || list.get() key=|s| s.id.clone() let:share>
                        <ShareRow share on_revoked/>
                    </For>
                </ul>
            </Show>
        </section>
    }
}

#[component]
fn ShareRow(share: ShareDto, on_revoked: Callback<String>) -> impl IntoView {
    let i18n = use_i18n();
    let revoke = ServerAction::<RevokeShare>::new();
    let share_id = share.id.clone();
    Effect::new(move |_| {
        if matches!(revoke.value().get(), Some(Ok(()))) {
            on_revoked.run(share_id.clone());
        }
    });
    let expires = share.expires_at.clone();
    let share_id = share.id;
    view! {
        <li>
            <span>
                {move || i18n.t_args("share-expires-at", &[("at", format::date_time(i18n.lang(), &expires))])}
            </span>
            <ActionForm action=revoke>
                <input type="hidden" name="id" value=share_id.clone()/>
                <button type="submit" class="button button-ghost danger">{t("share-revoke")}</button>
            </ActionForm>
        </li>
    }
}
