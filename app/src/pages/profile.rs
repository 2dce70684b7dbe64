use leptos::{ev::SubmitEvent, prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_query_map};

use super::{error::ErrorPage, form_action, two_factor::TwoFactorCard, url_error};
use crate::{
    components::{
        date_time::DateTime,
        field::{Field, FormAlert, FormAttempt, server_error_for},
        form::hydrated_form_ref,
        header::use_live_unread,
    },
    dto::{AuditEventDto, ExportDto, PasskeyDto, ProfileDto, SessionDto},
    error::AppError,
    format,
    i18n::{I18n, Lang, t, use_i18n},
    rpc::account::{
        AVATAR_UPLOAD_URL, ChangePassword, DeleteAccount, EndOtherSessions, EndSession, RemoveAvatar, RequestExport,
        UpdateProfile, activity, exports, profile, sessions, time_zones,
    },
    rpc::auth::ResendVerification,
    rpc::passkeys::{DeletePasskey, list_passkeys},
    session::use_current_user,
    validate,
};

#[component]
pub fn ProfilePage() -> impl IntoView {
    let data = Resource::new(|| (), |_| async { Ok::<_, AppError>((profile().await?, time_zones().await?)) });
    view! {
        <Title text=t("profile-title")/>
        <Suspense fallback=|| view! { <p class="muted" aria-busy="true">{t("loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((profile, zones)) => view! { <Profile profile zones/> }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <Redirect path="/signin"/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Profile(profile: ProfileDto, zones: Vec<String>) -> impl IntoView {
    let saved = use_query_map().get_untracked().get("saved");
    // Bumped when the password changes here, so the new event shows without a reload.
    let activity_changed = RwSignal::new(0u32);
    let (email, grace_days) = (profile.email.clone(), profile.deletion_grace_days);
    let export_hours = profile.export_hours;
    view! {
        <div class="page-heading">
            <h1>{t("profile-title")}</h1>
            <p class="muted">
                {t("profile-member-since")} " " <time datetime=profile.member_since.clone()>{profile.member_since.clone()}</time>
                {(profile.role == "admin").then(|| view! { " " <span class="badge">{t("role-admin")}</span> })}
            </p>
        </div>
        {(!profile.email_verified || saved.as_deref() == Some("verified")).then(|| view! { <EmailCheck verified=profile.email_verified saved=saved.clone()/> })}
        <div class="profile-grid">
            <AvatarForm avatar=profile.avatar_url.clone() name=profile.display_name.clone() saved=saved.clone()/>
            <DetailsForm profile zones saved=saved.clone()/>
            <PasswordForm saved=saved.clone() changed=activity_changed/>
            <TwoFactorCard saved=saved.clone() changed=activity_changed/>
            <ActivityCard changed=activity_changed/>
        </div>
        <Passkeys saved=saved.clone()/>
        <super::tokens::AccessTokens saved=saved.clone()/>
        <super::providers::LinkedProvidersCard saved=saved.clone()/>
        <Sessions saved=saved.clone()/>
        <DataExportCard hours=export_hours saved/>
        <DeleteAccountCard email grace_days/>
    }
}

/// A copy of the user's data: asked for here, built by a job, listed with its state. The list
/// is read again when a notification arrives (the export's own "ready" one among them).
#[component]
fn DataExportCard(hours: u64, saved: Option<String>) -> impl IntoView {
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
            <Show when=asked>
                <p class="alert alert-success" role="status">{t("export-requested")}</p>
            </Show>
            <FormAlert result/>
            <ActionForm action=request>
                <button type="submit" class="button" disabled=move || pending.get()>{t("export-request")}</button>
            </ActionForm>
            <Transition fallback=|| view! { <p class="muted" aria-busy="true">{t("loading")}</p> }>
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

/// Deleting the account: the password (unless signed in moments ago) and the address typed out.
/// On success every session has ended, this one too: a full load of the sign-in page follows.
#[component]
fn DeleteAccountCard(email: String, grace_days: u64) -> impl IntoView {
    let i18n = use_i18n();
    let action = form_action::<DeleteAccount>();
    let result = action.value();
    let password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let attempted = RwSignal::new(false);
    provide_context(FormAttempt(attempted));
    Effect::new(move |_| {
        if let Some(Ok(())) = result.get() {
            let _ = window().location().set_href("/signin?deletion=scheduled");
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        attempted.set(true);
        let confirmation = confirmation.get_untracked();
        if validate::deletion_confirmation(&confirmation).is_none() {
            action.dispatch(DeleteAccount { password: password.get_untracked(), confirmation });
        }
    };
    let pending = action.pending();
    let days = grace_days.to_string();
    view! {
        <section class="card" aria-labelledby="deletion-heading">
            <h2 id="deletion-heading">{t("deletion-heading")}</h2>
            <p class="muted">{move || i18n.t_args("deletion-lead", &[("days", days.clone())])}</p>
            <p>{move || i18n.t_args("deletion-confirm-lead", &[("email", email.clone())])}</p>
            <FormAlert result/>
            <form node_ref=hydrated_form_ref() method="post" action=DeleteAccount::url() on:submit=on_submit>
                <Field label="field-current-password" name="password" kind="password"
                    autocomplete="current-password" value=password hint="deletion-password-hint"
                    server_error=server_error_for(result, "current_password")/>
                <Field label="deletion-confirm-label" name="confirmation" kind="text" autocomplete="off"
                    required=true value=confirmation check=validate::deletion_confirmation
                    server_error=server_error_for(result, "confirmation")/>
                <button type="submit" class="button button-danger" disabled=move || pending.get()>
                    {t("deletion-submit")}
                </button>
            </form>
        </section>
    }
}

#[component]
fn DetailsForm(profile: ProfileDto, zones: Vec<String>, saved: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let current = use_current_user();
    let action = form_action::<UpdateProfile>();
    let result = action.value();
    let display_name = RwSignal::new(profile.display_name.clone());
    let locale = RwSignal::new(profile.locale.clone());
    let time_zone = RwSignal::new(profile.time_zone.clone());
    let attempted = RwSignal::new(false);
    provide_context(FormAttempt(attempted));
    // The header's language switcher changes the same preference: keep the select in step, or
    // saving the form would switch the user back.
    Effect::new(move |_| {
        locale.set(i18n.lang().code().to_owned());
    });
    Effect::new(move |_| {
        if let Some(Ok(saved)) = result.get() {
            if let Some(lang) = Lang::from_code(&saved.locale) {
                i18n.set(lang);
            }
            current.refresh();
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        attempted.set(true);
        if validate::display_name(&display_name.get_untracked()).is_none() {
            action.dispatch(UpdateProfile {
                display_name: display_name.get_untracked(),
                locale: locale.get_untracked(),
                time_zone: time_zone.get_untracked(),
            });
        }
    };
    let show_saved =
        move || matches!(result.get(), Some(Ok(_))) || (result.get().is_none() && saved.as_deref() == Some("profile"));
    let email = RwSignal::new(profile.email.clone());
    let pending = action.pending();
    view! {
        <section class="card" aria-labelledby="details-heading">
            <h2 id="details-heading">{t("profile-details-heading")}</h2>
            <Show when=show_saved>
                <p class="alert alert-success" role="status">{t("profile-saved")}</p>
            </Show>
            <FormAlert result/>
            <form node_ref=hydrated_form_ref() method="post" action=UpdateProfile::url() on:submit=on_submit>
                <Field label="field-display-name" name="display_name" autocomplete="name" required=true
                    value=display_name check=validate::display_name server_error=server_error_for(result, "display_name")/>
                <Field label="field-email" name="email_shown" kind="email" value=email readonly=true/>
                <div class="field">
                    <label for="field-locale">{t("field-language")}</label>
                    <select id="field-locale" name="locale" prop:value=move || locale.get()
                        on:change=move |ev| locale.set(event_target_value(&ev))>
                        {Lang::ALL.into_iter().map(|lang| {
                            let selected = lang.code() == profile.locale;
                            view! { <option value=lang.code() selected=selected lang=lang.code()>{lang.tr("lang-native")}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="field-time-zone">{t("field-time-zone")}</label>
                    <select id="field-time-zone" name="time_zone" on:change=move |ev| time_zone.set(event_target_value(&ev))>
                        {zones.into_iter().map(|zone| {
                            let selected = zone == profile.time_zone;
                            let label = zone.clone();
                            view! { <option value=zone selected=selected>{label}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button" disabled=move || pending.get()>{t("profile-save")}</button>
            </form>
        </section>
    }
}

#[component]
fn PasswordForm(saved: Option<String>, changed: RwSignal<u32>) -> impl IntoView {
    let action = form_action::<ChangePassword>();
    let result = action.value();
    let current_password = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    let attempted = RwSignal::new(false);
    provide_context(FormAttempt(attempted));
    Effect::new(move |_| {
        if let Some(Ok(())) = result.get() {
            current_password.set(String::new());
            new_password.set(String::new());
            attempted.set(false);
            changed.update(|n| *n += 1);
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        attempted.set(true);
        let (current, new) = (current_password.get_untracked(), new_password.get_untracked());
        if validate::current_password_present(&current).is_none() && validate::new_password(&new).is_none() {
            action.dispatch(ChangePassword { current_password: current, new_password: new });
        }
    };
    let show_saved = move || {
        matches!(result.get(), Some(Ok(()))) || (result.get().is_none() && saved.as_deref() == Some("password"))
    };
    let pending = action.pending();
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">{t("password-heading")}</h2>
            <p class="muted">{t("password-lead")}</p>
            <Show when=show_saved>
                <p class="alert alert-success" role="status">{t("password-changed")}</p>
            </Show>
            <FormAlert result/>
            <form node_ref=hydrated_form_ref() method="post" action=ChangePassword::url() on:submit=on_submit>
                <Field label="field-current-password" name="current_password" kind="password"
                    autocomplete="current-password" required=true value=current_password
                    check=validate::current_password_present server_error=server_error_for(result, "current_password")/>
                <Field label="field-new-password" name="new_password" kind="password" autocomplete="new-password"
                    required=true value=new_password check=validate::new_password
                    server_error=server_error_for(result, "new_password") hint="field-password-hint"/>
                <button type="submit" class="button" disabled=move || pending.get()>{t("password-submit")}</button>
            </form>
        </section>
    }
}

/// The avatar: a plain multipart form (a full page load is fine for a photo), and a remove button.
#[component]
fn AvatarForm(avatar: Option<String>, name: String, saved: Option<String>) -> impl IntoView {
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

/// The user's own recent security events: what happened, when, from which address and device.
#[component]
fn ActivityCard(changed: RwSignal<u32>) -> impl IntoView {
    let events = Resource::new(move || changed.get(), |_| activity());
    view! {
        <section class="card activity-card" aria-labelledby="activity-heading">
            <h2 id="activity-heading">{t("activity-heading")}</h2>
            <p class="muted">{t("activity-lead")}</p>
            <Transition fallback=|| view! { <p class="muted" aria-busy="true">{t("loading")}</p> }>
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

#[component]
fn ActivityTable(list: Vec<AuditEventDto>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-scroll">
            <table class="file-table activity-table">
                <caption class="visually-hidden">{t("activity-heading")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t("activity-col-event")}</th>
                        <th scope="col">{t("activity-col-time")}</th>
                        <th scope="col">{t("activity-col-ip")}</th>
                        <th scope="col">{t("activity-col-device")}</th>
                    </tr>
                </thead>
                <tbody>
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
                </tbody>
            </table>
        </div>
    }
}

/// Where the user is signed in: one row per session, each but this one can be signed out.
#[component]
fn Sessions(saved: Option<String>) -> impl IntoView {
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
            <Show when=done>
                <p class="alert alert-success" role="status">{t("sessions-ended")}</p>
            </Show>
            <Transition fallback=|| view! { <p class="muted" aria-busy="true">{t("loading")}</p> }>
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

/// Whether the e-mail address is confirmed, and a way to get a fresh link while it is not.
#[component]
fn EmailCheck(verified: bool, saved: Option<String>) -> impl IntoView {
    let resend = ServerAction::<ResendVerification>::new();
    let resent = move || {
        matches!(resend.value().get(), Some(Ok(())))
            || (resend.value().get().is_none() && saved.as_deref() == Some("verification"))
    };
    if verified {
        return view! { <p class="alert alert-success" role="status">{t("verify-done")}</p> }.into_any();
    }
    view! {
        <div class="alert alert-info email-check">
            <p>{t("verify-pending")}</p>
            <Show when=resent fallback=move || view! {
                <ActionForm action=resend>
                    <button type="submit" class="button button-ghost">{t("verify-resend")}</button>
                </ActionForm>
            }>
                <p><strong>{t("verify-resent")}</strong></p>
            </Show>
        </div>
    }
    .into_any()
}

/// The account's passkeys: add one (the browser asks the authenticator; `public/passkeys.js`),
/// remove one.
#[component]
fn Passkeys(saved: Option<String>) -> impl IntoView {
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
            <Show when=changed>
                <p class="alert alert-success" role="status">{t("passkeys-saved")}</p>
            </Show>
            <Transition fallback=|| view! { <p class="muted" aria-busy="true">{t("loading")}</p> }>
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
