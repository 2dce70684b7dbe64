//! The notification centre: what happened, newest first; mark read, delete. New ones appear
//! without a reload (the header's live count triggers a refresh). Below the list, the settings:
//! per kind, in the app and/or by e-mail.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_query_map};

use super::error::ErrorPage;
use crate::{
    components::{date_time::DateTime, field::SuccessAlert, header::use_live_unread, loading::loading},
    dto::{NotificationDto, PreferenceDto},
    error::AppError,
    i18n::{t, use_i18n},
    rpc::notifications::{DeleteNotification, MarkRead, SavePreferences, list_notifications, notification_preferences},
};

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let changed = RwSignal::new(0u32);
    let live = use_live_unread();
    let data = Resource::new(move || (changed.get(), live.and_then(|l| l.0.get())), |_| list_notifications());
    let mark_all = ServerAction::<MarkRead>::new();
    Effect::new(move |_| {
        if matches!(mark_all.value().get(), Some(Ok(()))) {
            changed.update(|v| *v += 1);
        }
    });
    view! {
        <Title text=t("notifications-title")/>
        <div class="page-heading list-toolbar">
            <h1>{t("notifications-title")}</h1>
            <ActionForm action=mark_all>
                <button type="submit" class="button button-ghost">{t("notifications-mark-all")}</button>
            </ActionForm>
        </div>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(list) if list.is_empty() => view! { <p class="card muted empty">{t("notifications-none")}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="card notification-list">
                            {list.into_iter().map(|n| view! { <Item notification=n changed/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <Redirect path="/signin"/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
        <Settings/>
    }
}

#[component]
fn Settings() -> impl IntoView {
    let data = Resource::new(|| (), |_| notification_preferences());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                data.await.ok().map(|preferences| view! { <SettingsForm preferences/> })
            })}
        </Suspense>
    }
}

#[component]
fn SettingsForm(preferences: Vec<PreferenceDto>) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SavePreferences>::new();
    let saved_before = use_query_map().get_untracked().get("saved").is_some_and(|s| s == "settings");
    let show_saved =
        move || matches!(save.value().get(), Some(Ok(_))) || (save.value().get().is_none() && saved_before);
    view! {
        <section class="card" id="settings" aria-labelledby="settings-heading">
            <h2 id="settings-heading">{t("notification-settings-heading")}</h2>
            <p class="muted">{t("notification-settings-lead")}</p>
            <SuccessAlert when=show_saved message="notification-settings-saved"/>
            <ActionForm action=save>
                <table class="settings-table">
                    <thead>
                        <tr>
                            <th scope="col">{t("notification-settings-kind")}</th>
                            <th scope="col" id="in-app-heading">{t("notification-settings-in-app")}</th>
                            <th scope="col" id="email-heading">{t("notification-settings-email")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {preferences.into_iter().map(|p| {
                            let label = format!("notification-kind-{}", p.kind);
                            let row_id = format!("kind-{}", p.kind);
                            let name = |channel: &str| format!("choices[{}][{channel}]", p.kind);
                            view! {
                                <tr>
                                    <th scope="row" id=row_id.clone()>
                                        {move || i18n.t(&label)}
                                        // Names the kind in the post even when both boxes are left unticked.
                                        <input type="hidden" name=name("listed") value="true"/>
                                    </th>
                                    <td>
                                        <input type="checkbox" name=name("in_app") value="true" checked=p.in_app
                                            aria-labelledby=format!("{row_id} in-app-heading")/>
                                    </td>
                                    <td>
                                        <input type="checkbox" name=name("email") value="true" checked=p.email
                                            aria-labelledby=format!("{row_id} email-heading")/>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <button type="submit" class="button">{t("notification-settings-save")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn Item(notification: NotificationDto, changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let mark = ServerAction::<MarkRead>::new();
    let delete = ServerAction::<DeleteNotification>::new();
    Effect::new(move |_| {
        if matches!(mark.value().get(), Some(Ok(()))) || matches!(delete.value().get(), Some(Ok(()))) {
            changed.update(|v| *v += 1);
        }
    });
    let key = format!("notification-{}", notification.kind);
    let args: Vec<(&'static str, String)> =
        notification.params.iter().filter(|(k, _)| k == "name").map(|(_, v)| ("name", v.clone())).collect();
    let link = match notification.kind.as_str() {
        "export_ready" => Some("/profile#data-export".to_owned()),
        _ => notification.params.iter().find(|(k, _)| k == "file_id").map(|(_, id)| format!("/files/{id}")),
    };
    let (mark_id, delete_id) = (notification.id.clone(), notification.id.clone());
    let read = notification.read;
    view! {
        <li class="notification" class:unread=!read>
            <p>
                {match link {
                    Some(href) => view! { <a href=href>{move || i18n.t_args(&key, &args)}</a> }.into_any(),
                    None => view! { <span>{move || i18n.t_args(&key, &args)}</span> }.into_any(),
                }}
                {(!read).then(|| view! { " " <span class="badge">{t("notifications-new")}</span> })}
            </p>
            <span class="muted"><DateTime at=notification.created_at.clone() relative=true/></span>
            <div class="row-actions">
                {(!read).then(|| view! {
                    <ActionForm action=mark>
                        <input type="hidden" name="id" value=mark_id.clone()/>
                        <button type="submit" class="button button-ghost">{t("notifications-mark-read")}</button>
                    </ActionForm>
                })}
                <ActionForm action=delete>
                    <input type="hidden" name="id" value=delete_id.clone()/>
                    <button type="submit" class="button button-ghost danger">{t("notifications-delete")}</button>
                </ActionForm>
            </div>
        </li>
    }
}
