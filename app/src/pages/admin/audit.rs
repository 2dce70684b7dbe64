//! `/admin/audit`: the audit log, filtered by account, event and dates (days on the viewer's
//! clock), a page at a time, with the result of verifying its whole hash chain.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{AdminNav, AdminSection, refused};
use crate::{
    components::{
        date_time::DateTime,
        loading::loading,
        table::{Column, DataTable},
    },
    dto::{AdminAuditEventDto, AuditVerificationDto},
    i18n::{t, use_i18n},
    pages::urlencode,
    rpc::admin::{admin_audit, audit_verification},
};

/// The filter's fields, as the query string carries them.
const FILTERS: [&str; 4] = ["email", "event", "from", "to"];

#[component]
pub fn AdminAuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let param = move |name: &str| query.with(|q| q.get(name).unwrap_or_default());
    let log = Resource::new(
        move || (param("email"), param("event"), param("from"), param("to"), param("before")),
        |(email, event, from, to, before)| admin_audit(email, event, from, to, before),
    );
    view! {
        <Title text=t("admin-audit-title")/>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                let (page, error) = match log.await {
                    Ok(page) => (Some(page), None),
                    Err(error @ crate::error::AppError::Invalid { .. }) => (None, Some(error)),
                    Err(error) => return refused(error),
                };
                let events = page.as_ref().map(|p| p.events.clone()).unwrap_or_default();
                view! {
                    <div class="page-heading">
                        <h1>{t("admin-audit-title")}</h1>
                        <p class="muted">{t("admin-audit-lead")}</p>
                    </div>
                    <AdminNav current=AdminSection::Audit/>
                    <Verification/>
                    <section class="card" aria-labelledby="audit-heading">
                        <h2 id="audit-heading">{t("admin-audit-events")}</h2>
                        <AuditFilter events values=FILTERS.map(&param)/>
                        {error.map(|err| view! {
                            <p class="alert alert-error" role="alert">{move || i18n.t_args(&err.message_key(), &err.message_args())}</p>
                        })}
                        {page.map(|page| {
                            let next = page.next.map(|next| {
                                let filters: String = FILTERS
                                    .iter()
                                    .map(|name| format!("{name}={}&", urlencode(&param(name))))
                                    .collect();
                                format!("/admin/audit?{filters}before={next}")
                            });
                            view! {
                                {if page.items.is_empty() {
                                    view! { <p class="muted">{t("admin-audit-none")}</p> }.into_any()
                                } else {
                                    view! { <AuditTable events=page.items/> }.into_any()
                                }}
                                {next.map(|href| view! {
                                    <p><a class="button button-ghost" href=href>{t("admin-audit-older")}</a></p>
                                })}
                            }
                        })}
                    </section>
                }.into_any()
            })}
        </Transition>
    }
}

/// What verifying the chain found; walked once per visit, not per filter.
#[component]
fn Verification() -> impl IntoView {
    let report = Resource::new(|| (), |_| audit_verification());
    view! {
        <section class="card" aria-labelledby="verification-heading">
            <h2 id="verification-heading">{t("admin-audit-verification")}</h2>
            <Transition fallback=|| view! { <p class="muted" aria-busy="true">{t("admin-audit-verifying")}</p> }>
                {move || Suspend::new(async move { report.await.ok().map(|report| view! { <VerificationResult report/> }) })}
            </Transition>
        </section>
    }
}

#[component]
fn VerificationResult(report: AuditVerificationDto) -> impl IntoView {
    let i18n = use_i18n();
    let AuditVerificationDto { intact, events, head_seq, pseudonymised, pruned_through, broken_seq, broken_problem } =
        report;
    let summary = move || {
        i18n.t_args(
            "admin-audit-intact",
            &[("count", events.to_string()), ("head", head_seq.to_string()), ("erased", pseudonymised.to_string())],
        )
    };
    let broken = move || {
        let problem = broken_problem.clone().unwrap_or_default();
        i18n.t_args(&format!("admin-audit-breach-{problem}"), &[("seq", broken_seq.unwrap_or_default().to_string())])
    };
    view! {
        {if intact {
            view! { <p class="alert alert-success" role="status" id="audit-verification">{summary}</p> }.into_any()
        } else {
            view! { <p class="alert alert-error" role="alert" id="audit-verification">{broken}</p> }.into_any()
        }}
        {pruned_through.map(|through| view! {
            <p class="muted">{move || i18n.t_args("admin-audit-pruned", &[("through", through.to_string())])}</p>
        })}
    }
}

#[component]
fn AuditFilter(events: Vec<String>, values: [String; 4]) -> impl IntoView {
    let i18n = use_i18n();
    let [email, event, from, to] = values;
    view! {
        <form class="filter-bar" method="get" action="/admin/audit" role="search">
            <div class="filter-field">
                <label for="audit-email">{t("admin-audit-account")}</label>
                <input id="audit-email" type="search" name="email" value=email autocomplete="off"/>
            </div>
            <div class="filter-field">
                <label for="audit-event">{t("admin-audit-event")}</label>
                <select id="audit-event" name="event">
                    <option value="" selected=event.is_empty()>{t("admin-audit-any-event")}</option>
                    {events.into_iter().map(|code| {
                        let selected = code == event;
                        let key = format!("audit-event-{code}");
                        view! { <option value=code selected=selected>{move || i18n.t(&key)}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="filter-field">
                <label for="audit-from">{t("admin-audit-from")}</label>
                <input id="audit-from" type="date" name="from" value=from/>
            </div>
            <div class="filter-field">
                <label for="audit-to">{t("admin-audit-to")}</label>
                <input id="audit-to" type="date" name="to" value=to/>
            </div>
            <button type="submit" class="button">{t("admin-users-filter")}</button>
        </form>
    }
}

const EVENT_COLUMNS: &[Column] = &[
    Column::numeric("admin-audit-seq"),
    Column::text("admin-audit-when"),
    Column::text("admin-audit-event"),
    Column::text("admin-audit-account"),
    Column::text("admin-audit-by"),
    Column::text("admin-col-ip"),
    Column::text("admin-audit-details"),
];

#[component]
fn AuditTable(events: Vec<AdminAuditEventDto>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <DataTable caption=t("admin-audit-events") columns=EVENT_COLUMNS id="audit-events">
            {events.into_iter().map(|e| {
                let key = format!("audit-event-{}", e.event);
                let account = match (e.user_email.clone(), e.user_id.clone()) {
                    (Some(email), Some(id)) => view! { <a href=format!("/admin/users/{id}")>{email}</a> }.into_any(),
                    (None, Some(id)) => view! { <code>{id}</code> }.into_any(),
                    _ => view! { <span class="muted">"—"</span> }.into_any(),
                };
                view! {
                    <tr>
                        <td class="numeric">{e.seq}</td>
                        <td class="numeric"><DateTime at=e.at.clone()/></td>
                        <td>{move || i18n.t(&key)}</td>
                        <td>{account}</td>
                        <td>{e.actor.clone().unwrap_or_default()}</td>
                        <td>{e.ip.clone().unwrap_or_default()}</td>
                        <td><code class="audit-details">{e.details.clone()}</code></td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
    }
}
