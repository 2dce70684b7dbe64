//! The notification centre: what happened, newest first; mark read, delete. New ones appear
//! without a reload (the header's live count triggers a refresh).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use super::error::ErrorPage;
use crate::{
    components::header::use_live_unread,
    dto::NotificationDto,
    error::AppError,
    format,
    i18n::{t, use_i18n},
    rpc::notifications::{DeleteNotification, MarkRead, list_notifications},
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
        <Transition fallback=|| view! { <p class="muted" aria-busy="true">{t("loading")}</p> }>
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
    let link = notification.params.iter().find(|(k, _)| k == "file_id").map(|(_, id)| format!("/files/{id}"));
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
            <time class="muted" datetime=notification.created_at.clone()>{format::date_time(&notification.created_at)}</time>
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
