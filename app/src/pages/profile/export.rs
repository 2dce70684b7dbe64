//! The profile's "Export your data" card: ask for a copy of the account's data, and download it
//! once a job has built it.

use leptos::prelude::*;

use crate::{
    components::{
        date_time::DateTime,
        field::{FormAlert, SuccessAlert},
        header::use_live_unread,
        loading::loading,
    },
    dto::ExportDto,
    format,
    i18n::{t, use_i18n},
    pages::form_action,
    rpc::account::{RequestExport, exports},
};

/// A copy of the user's data: asked for here, built by a job, listed with its state. The list
/// is read again when a notification arrives (the export's own "ready" one among them).
#[component]
pub(super) fn DataExportCard(hours: u64, saved: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let request = form_action::<RequestExport>();
    let result = request.value();
    let live = use_live_unread().map(|live| live.0);
    let list = Resource::new(move || (request.version().get(), live.map(|l| l.get())), |_| exports());
    let asked = move || match result.get() {
        Some(outcome) => outcome.is_ok(),
        None => saved.as_deref() == Some("export"),
    };
    let pending = request.pending();
    view! {
        <section class="card" id="data-export" aria-labelledby="export-heading">
            <h2 id="export-heading">{t("export-heading")}</h2>
            <p class="muted">{move || i18n.t_args("export-lead", &[("hours", hours.to_string())])}</p>
            <SuccessAlert when=asked message="export-requested"/>
            <FormAlert result/>
            <ActionForm action=request>
                <button type="submit" class="button" disabled=move || pending.get()>{t("export-request")}</button>
            </ActionForm>
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">{t("export-none")}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="session-list export-list">
                                {list.into_iter().map(|export| view! { <ExportRow export/> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(_) => view! { <p class="alert alert-error" role="alert">{t("export-unavailable")}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ExportRow(export: ExportDto) -> impl IntoView {
    let i18n = use_i18n();
    let status = format!("export-status-{}", export.status);
    let size = export.size.map(|bytes| move || format::size(i18n, bytes));
    let ready = export.status == "ready";
    let url = export.download_url();
    view! {
        <li class="session">
            <div>
                <p>
                    <strong>{move || i18n.t(&status)}</strong>
                    {size.map(|size| view! { " · " <span class="numeric">{size}</span> })}
                </p>
                <p class="muted">
                    <span>{t("export-asked")} " " <DateTime at=export.created_at.clone() relative=true/></span>
                    {export.expires_at.clone().filter(|_| ready).map(|at| view! {
                        " · " <span>{t("export-expires")} " " <DateTime at/></span>
                    })}
                </p>
            </div>
            {ready.then(|| view! {
                <a class="button" href=url rel="external" download="">{t("export-download")}</a>
            })}
        </li>
    }
}
