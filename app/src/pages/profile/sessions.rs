//! The profile's "Where you’re signed in" card: the user's sessions, each but this one can be
//! signed out.

use leptos::prelude::*;

use crate::{
    components::{date_time::DateTime, field::SuccessAlert, loading::loading},
    dto::SessionDto,
    format,
    i18n::{I18n, t, use_i18n},
    rpc::account::{EndOtherSessions, EndSession, sessions},
};

/// Where the user is signed in: one row per session, each but this one can be signed out.
#[component]
pub(super) fn Sessions(saved: Option<String>) -> impl IntoView {
    let end = ServerAction::<EndSession>::new();
    let end_others = ServerAction::<EndOtherSessions>::new();
    let list = Resource::new(move || (end.version().get(), end_others.version().get()), |_| sessions());
    let done = move || {
        matches!(end.value().get(), Some(Ok(())))
            || matches!(end_others.value().get(), Some(Ok(_)))
            || (end.value().get().is_none()
                && end_others.value().get().is_none()
                && saved.as_deref() == Some("sessions"))
    };
    view! {
        <section class="card" id="sessions" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">{t("sessions-heading")}</h2>
            <p class="muted">{t("sessions-lead")}</p>
            <SuccessAlert when=done message="sessions-ended"/>
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    let list = list.await.unwrap_or_default();
                    let others = list.iter().any(|s| !s.current);
                    view! {
                        <ul class="session-list">
                            {list.into_iter().map(|session| view! { <SessionRow session end/> }).collect_view()}
                        </ul>
                        {others.then(|| view! {
                            <ActionForm action=end_others>
                                <button type="submit" class="button button-ghost danger">{t("sessions-end-others")}</button>
                            </ActionForm>
                        })}
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn SessionRow(session: SessionDto, end: ServerAction<EndSession>) -> impl IntoView {
    let i18n = use_i18n();
    let agent = session.user_agent.clone().unwrap_or_default();
    let name = move || device_name(i18n, &agent);
    view! {
        <li class="session" class:current=session.current>
            <div>
                <p class="session-device" title=session.user_agent.clone()>
                    <strong>{name}</strong>
                    {session.current.then(|| view! { " " <span class="badge">{t("sessions-this-device")}</span> })}
                </p>
                <p class="muted">
                    {session.ip.clone().map(|ip| view! { <span>{t("sessions-ip")} " " {ip}</span> " · " })}
                    <span>{t("sessions-last-seen")} " " <DateTime at=session.last_seen_at.clone() relative=true/></span>
                    " · "
                    <span>{t("sessions-signed-in")} " " <DateTime at=session.created_at.clone()/></span>
                </p>
            </div>
            {(!session.current).then(|| view! {
                <ActionForm action=end>
                    <input type="hidden" name="id" value=session.id.clone()/>
                    <button type="submit" class="button button-ghost">{t("sessions-end")}</button>
                </ActionForm>
            })}
        </li>
    }
}

pub(crate) fn device_name(i18n: I18n, user_agent: &str) -> String {
    match user_agent.trim() {
        "" => i18n.t("sessions-unknown-device"),
        agent => format::device(agent),
    }
}
