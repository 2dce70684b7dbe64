//! `/admin/jobs`: the job queue: each queue's ready, delayed and running jobs and the running and
//! waiting ones themselves (with why they failed before), read again every few seconds, and the
//! dead jobs with their last error, to retry or discard.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{ActionAlert, AdminNav, AdminSection, refused};
use crate::{
    components::{
        date_time::DateTime,
        field::SuccessAlert,
        loading::loading,
        table::{Column, DataTable},
    },
    dto::{DeadJobDto, JobsDto, PendingJobDto},
    i18n::{t, use_i18n},
    rpc::admin::{DeadJob, admin_jobs},
};

/// How often the open page reads the counts again.
const REFRESH_EVERY: std::time::Duration = std::time::Duration::from_secs(3);

#[component]
pub fn AdminJobsPage() -> impl IntoView {
    let act = ServerAction::<DeadJob>::new();
    let tick = RwSignal::new(0u64);
    // Only in the browser: the server renders the counts once.
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(move || tick.update(|n| *n += 1), REFRESH_EVERY) {
            on_cleanup(move || handle.clear());
        }
    });
    // The counts follow the clock; the dead list only the actions, so that a confirmation open
    // in it stays open. Until the clock first ticks, the counts are the dead list's read: one
    // query when the page opens, not two.
    let jobs = Resource::new(move || act.version().get(), |_| admin_jobs());
    let counts = Resource::new(
        move || (tick.get(), act.version().get()),
        move |(tick, _)| async move { if tick == 0 { jobs.await } else { admin_jobs().await } },
    );
    view! {
        <Title text=t("admin-jobs-title")/>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match jobs.await {
                    Err(error) => refused(error),
                    Ok(jobs) => view! {
                        <div class="page-heading">
                            <h1>{t("admin-jobs-title")}</h1>
                            <p class="muted">{t("admin-jobs-lead")}</p>
                        </div>
                        <AdminNav current=AdminSection::Jobs/>
                        <ActionAlert result=act.value()/>
                        <SuccessAlert when=move || matches!(act.value().get(), Some(Ok(()))) message="admin-jobs-done"/>
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                counts.await.ok().map(|jobs| view! { <Queues jobs=jobs.clone()/> <Pending jobs=jobs.pending/> })
                            })}
                        </Transition>
                        <DeadJobs jobs act/>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

const QUEUE_COLUMNS: &[Column] = &[
    Column::text("admin-col-queue"),
    Column::numeric("admin-col-ready"),
    Column::numeric("admin-col-delayed"),
    Column::numeric("admin-col-running"),
];

#[component]
fn Queues(jobs: JobsDto) -> impl IntoView {
    let i18n = use_i18n();
    let (backend, dead) = (jobs.backend.clone(), jobs.dead_total);
    view! {
        <section class="card" aria-labelledby="queues-heading">
            <h2 id="queues-heading">{t("admin-queues-heading")}</h2>
            <p class="muted">
                {move || i18n.t_args("admin-queues-backend", &[("backend", backend.clone())])} " · "
                {move || i18n.t_args("admin-queues-dead", &[("count", dead.to_string())])}
            </p>
            {if jobs.queues.is_empty() {
                view! { <p class="muted">{t("admin-queues-empty")}</p> }.into_any()
            } else {
                view! {
                    <DataTable caption=t("admin-queues-heading") columns=QUEUE_COLUMNS id="queues">
                        {jobs.queues.into_iter().map(|q| view! {
                            <tr>
                                <th scope="row"><code>{q.queue}</code></th>
                                <td class="numeric">{q.ready}</td>
                                <td class="numeric">{q.delayed}</td>
                                <td class="numeric">{q.running}</td>
                            </tr>
                        }).collect_view()}
                    </DataTable>
                }.into_any()
            }}
        </section>
    }
}

const PENDING_COLUMNS: &[Column] = &[
    Column::text("admin-col-kind"),
    Column::text("admin-col-queue"),
    Column::text("admin-col-state"),
    Column::numeric("admin-col-attempts"),
    Column::text("admin-col-error"),
];

/// Jobs on a worker now, and jobs waiting for their time with why they failed before.
#[component]
fn Pending(jobs: Vec<PendingJobDto>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="pending-heading">
            <h2 id="pending-heading">{t("admin-pending-heading")}</h2>
            {if jobs.is_empty() {
                view! { <p class="muted">{t("admin-pending-none")}</p> }.into_any()
            } else {
                view! {
                    <DataTable caption=t("admin-pending-heading") columns=PENDING_COLUMNS id="pending-jobs">
                        {jobs.into_iter().map(|job| view! {
                            <tr>
                                <td><code>{job.kind}</code></td>
                                <td><code>{job.queue}</code></td>
                                <td>
                                    {match job.due_at {
                                        Some(at) => view! { {t("admin-job-due")} " " <DateTime at relative=true/> }.into_any(),
                                        None => view! { {t("admin-job-running")} }.into_any(),
                                    }}
                                </td>
                                <td class="numeric">{job.attempts}</td>
                                <td class="job-error">{job.last_error.unwrap_or_default()}</td>
                            </tr>
                        }).collect_view()}
                    </DataTable>
                }.into_any()
            }}
        </section>
    }
}

const DEAD_COLUMNS: &[Column] = &[
    Column::text("admin-col-kind"),
    Column::text("admin-col-queue"),
    Column::numeric("admin-col-attempts"),
    Column::text("admin-col-error"),
    Column::text("admin-col-enqueued"),
    Column::actions("admin-col-actions"),
];

#[component]
fn DeadJobs(jobs: JobsDto, act: ServerAction<DeadJob>) -> impl IntoView {
    let i18n = use_i18n();
    let (shown, total) = (jobs.dead.len(), jobs.dead_total);
    let heading = move || i18n.t_args("admin-dead-heading", &[("count", total.to_string())]);
    view! {
        <section class="card" aria-labelledby="dead-heading">
            <h2 id="dead-heading">{heading}</h2>
            <p class="muted">{t("admin-dead-lead")}</p>
            {(u64::try_from(shown).unwrap_or(u64::MAX) < total).then(|| view! {
                <p class="muted">{move || i18n.t_args("admin-dead-more", &[("count", shown.to_string())])}</p>
            })}
            {if jobs.dead.is_empty() {
                view! { <p class="muted">{t("admin-dead-none")}</p> }.into_any()
            } else {
                view! {
                    <DataTable caption=heading columns=DEAD_COLUMNS id="dead-jobs">
                        {jobs.dead.into_iter().map(|job| view! { <DeadJobRow job act/> }).collect_view()}
                    </DataTable>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn DeadJobRow(job: DeadJobDto, act: ServerAction<DeadJob>) -> impl IntoView {
    let label = format!("{} {}", job.kind, job.id);
    let (retry_label, discard_label) = (label.clone(), label);
    let (retry_id, discard_id) = (job.id.clone(), job.id.clone());
    view! {
        <tr>
            <td><code>{job.kind.clone()}</code></td>
            <td><code>{job.queue.clone()}</code></td>
            <td class="numeric">{job.attempts}</td>
            <td class="job-error">{job.last_error.clone().unwrap_or_default()}</td>
            <td class="numeric"><DateTime at=job.created_at.clone() relative=true/></td>
            <td class="row-actions">
                <ActionForm action=act>
                    <input type="hidden" name="id" value=retry_id/>
                    <input type="hidden" name="retry" value="true"/>
                    <button type="submit" class="button button-ghost">
                        {t("admin-job-retry")}<span class="visually-hidden">" " {retry_label}</span>
                    </button>
                </ActionForm>
                <details class="inline-dialog">
                    <summary class="button button-ghost danger">
                        {t("admin-job-discard")}<span class="visually-hidden">" " {discard_label}</span>
                    </summary>
                    <ActionForm action=act>
                        <input type="hidden" name="id" value=discard_id/>
                        <input type="hidden" name="retry" value="false"/>
                        <p>{t("admin-job-discard-confirm")}</p>
                        <button type="submit" class="button button-danger">{t("admin-job-discard-submit")}</button>
                    </ActionForm>
                </details>
            </td>
        </tr>
    }
}
