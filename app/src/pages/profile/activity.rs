//! The profile's "Security activity" card: the user's own recent security events.

use leptos::prelude::*;

use crate::{
    components::{
        date_time::DateTime,
        loading::loading,
        table::{Column, DataTable},
    },
    dto::AuditEventDto,
    format,
    i18n::{t, use_i18n},
    rpc::account::activity,
};

/// The user's own recent security events: what happened, when, from which address and device.
#[component]
pub(super) fn ActivityCard(changed: RwSignal<u32>) -> impl IntoView {
    let events = Resource::new(move || changed.get(), |_| activity());
    view! {
        <section class="card activity-card" aria-labelledby="activity-heading">
            <h2 id="activity-heading">{t("activity-heading")}</h2>
            <p class="muted">{t("activity-lead")}</p>
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    match events.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">{t("activity-none")}</p> }.into_any(),
                        Ok(list) => view! { <ActivityTable list/> }.into_any(),
                        Err(_) => view! { <p class="alert alert-error" role="alert">{t("activity-unavailable")}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

const ACTIVITY_COLUMNS: &[Column] = &[
    Column::text("activity-col-event"),
    Column::text("activity-col-time"),
    Column::text("activity-col-ip"),
    Column::text("activity-col-device"),
];

#[component]
fn ActivityTable(list: Vec<AuditEventDto>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <DataTable caption=t("activity-heading") columns=ACTIVITY_COLUMNS class="activity-table">
            {list.into_iter().map(|event| {
                let key = format!("audit-event-{}", event.event);
                let failed = event.event == "sign_in_failed";
                let device = event.user_agent.as_deref().map(format::device);
                view! {
                    <tr class:activity-warning=failed>
                        <td>{move || i18n.t(&key)}</td>
                        <td class="numeric">
                            <DateTime at=event.at.clone()/>
                        </td>
                        <td class="numeric">{event.ip.unwrap_or_else(|| "–".into())}</td>
                        <td title=event.user_agent.clone()>{device.unwrap_or_else(|| "–".into())}</td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
    }
}
