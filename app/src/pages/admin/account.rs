//! `/admin/users/{id}`: one account as an administrator sees it (its sessions, tokens, second
//! factors, storage and last sign-in) with the same actions as its row in the list.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::{AccountActions, ActionResults, AdminNav, AdminSection, UserActions, refused};
use crate::{
    components::{
        date_time::DateTime,
        loading::loading,
        table::{Column, DataTable},
    },
    dto::{AdminAccountDto, SessionDto, TokenDto},
    format,
    i18n::{t, use_i18n},
    pages::{
        profile::device_name,
        tokens::{TOKEN_CELL_COLUMNS, TokenCells},
        urlencode,
    },
    rpc::admin::admin_user,
};

#[component]
pub fn AdminAccountPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let actions = UserActions::new();
    let account = Resource::new(move || (id(), actions.version()), |(id, _)| admin_user(id));
    // A deleted account has no page any more: back to the list.
    let navigate = use_navigate();
    Effect::new(move |_| {
        if matches!(actions.delete.value().get(), Some(Ok(()))) {
            navigate("/admin", Default::default());
        }
    });
    view! {
        <Title text=t("admin-account-title")/>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match account.await {
                    Err(error) => refused(error),
                    Ok(account) => view! { <AccountDetails account actions/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AccountDetails(account: AdminAccountDto, actions: UserActions) -> impl IntoView {
    let i18n = use_i18n();
    let user = account.user.clone();
    let role_key = format!("admin-role-{}", user.role);
    let (used, quota) = (account.storage_used, account.storage_quota);
    let storage = move || {
        i18n.t_args("admin-storage-of", &[("used", format::size(i18n, used)), ("quota", format::size(i18n, quota))])
    };
    let two_factor = account.two_factor.clone();
    let two_factor_text = move || {
        if two_factor.enabled {
            i18n.t_args("admin-two-factor-on", &[("count", two_factor.recovery_codes_left.to_string())])
        } else {
            i18n.t("admin-two-factor-off")
        }
    };
    let passkeys = account.passkeys;
    let passkeys_text = move || i18n.t_args("admin-passkeys-count", &[("count", passkeys.to_string())]);
    let files = account.files;
    let files_text = move || i18n.t_args("admin-files-count", &[("count", files.to_string())]);
    let audit_href = format!("/admin/audit?email={}", urlencode(&user.email));
    view! {
        <div class="page-heading">
            <p class="muted"><a href="/admin">{t("admin-title")}</a></p>
            <h1>{user.email.clone()}</h1>
            <p class="muted">{user.display_name.clone()}</p>
        </div>
        <AdminNav current=AdminSection::Accounts/>
        <section class="card" aria-labelledby="account-heading">
            <h2 id="account-heading">{t("admin-account-heading")}</h2>
            <ActionResults actions/>
            <dl class="facts">
                <dt>{t("admin-col-role")}</dt>
                <dd>{move || i18n.t(&role_key)}</dd>
                <dt>{t("admin-state")}</dt>
                <dd>{t(if user.suspended { "admin-suspended" } else { "admin-active" })}</dd>
                <dt>{t("admin-email-verified")}</dt>
                <dd>{t(if user.email_verified { "admin-yes" } else { "admin-no" })}</dd>
                <dt>{t("admin-col-since")}</dt>
                <dd><DateTime at=user.created_at.clone()/></dd>
                <dt>{t("admin-last-sign-in")}</dt>
                <dd>{match account.last_sign_in.clone() {
                    Some(at) => view! { <DateTime at relative=true/> }.into_any(),
                    None => view! { <span class="muted">{t("admin-never")}</span> }.into_any(),
                }}</dd>
                <dt>{t("admin-two-factor")}</dt>
                <dd>{two_factor_text}</dd>
                <dt>{t("admin-passkeys")}</dt>
                <dd>{passkeys_text}</dd>
                <dt>{t("admin-providers")}</dt>
                <dd>{if account.providers.is_empty() {
                    view! { <span class="muted">{t("admin-none")}</span> }.into_any()
                } else {
                    account.providers.join(", ").into_any()
                }}</dd>
                <dt>{t("admin-storage")}</dt>
                <dd>{files_text} " · " {storage}</dd>
            </dl>
            <p><a href=audit_href>{t("admin-account-audit")}</a></p>
            {if account.you {
                view! { <p class="muted">{t("admin-you")}</p> }.into_any()
            } else {
                view! { <div class="row-actions"><AccountActions user=user.clone() actions/></div> }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="account-sessions-heading">
            <h2 id="account-sessions-heading">{t("admin-sessions-heading")}</h2>
            {if account.sessions.is_empty() {
                view! { <p class="muted">{t("admin-sessions-none")}</p> }.into_any()
            } else {
                view! { <SessionsTable sessions=account.sessions.clone()/> }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="account-tokens-heading">
            <h2 id="account-tokens-heading">{t("tokens-heading")}</h2>
            {if account.tokens.is_empty() {
                view! { <p class="muted">{t("admin-tokens-none")}</p> }.into_any()
            } else {
                view! { <TokensTable tokens=account.tokens.clone()/> }.into_any()
            }}
        </section>
    }
}

#[component]
fn SessionsTable(sessions: Vec<SessionDto>) -> impl IntoView {
    const COLUMNS: &[Column] = &[
        Column::text("admin-col-device"),
        Column::text("admin-col-ip"),
        Column::text("sessions-signed-in"),
        Column::text("sessions-last-seen"),
    ];
    let i18n = use_i18n();
    view! {
        <DataTable caption=t("admin-sessions-heading") columns=COLUMNS>
            {sessions.into_iter().map(|session| {
                let agent = session.user_agent.clone().unwrap_or_default();
                view! {
                    <tr>
                        <td title=session.user_agent.clone()>{move || device_name(i18n, &agent)}</td>
                        <td>{session.ip.clone().unwrap_or_default()}</td>
                        <td class="numeric"><DateTime at=session.created_at.clone()/></td>
                        <td class="numeric"><DateTime at=session.last_seen_at.clone() relative=true/></td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
    }
}

#[component]
fn TokensTable(tokens: Vec<TokenDto>) -> impl IntoView {
    view! {
        <DataTable caption=t("tokens-heading") columns=TOKEN_CELL_COLUMNS>
            {tokens.into_iter().map(|token| {
                let expired = token.expired;
                view! { <tr class:token-expired=expired><TokenCells token/></tr> }
            }).collect_view()}
        </DataTable>
    }
}
