//! The admin console (`/admin`, administrators only; anyone else gets the 403 page): accounts
//! (search, role, pages; change a role, suspend, delete) and feature flags here; one account's
//! page, the job queue and the audit log beside. Every change goes through the same services as
//! `/api/v1/admin` and is audited there.

mod account;
mod audit;
mod jobs;

pub use account::AdminAccountPage;
pub use audit::AdminAuditPage;
pub use jobs::AdminJobsPage;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_query_map};

use super::{error::ErrorPage, urlencode};
use crate::{
    components::{
        date_time::DateTime,
        field::SuccessAlert,
        loading::loading,
        table::{Column, DataTable},
    },
    dto::{AdminUserDto, FlagDto},
    error::AppError,
    i18n::{t, use_i18n},
    rpc::admin::{DeleteUser, SendPasswordReset, SetFlag, SetRole, SignOutUser, SuspendUser, admin_flags, admin_users},
};

#[component]
pub fn AdminPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.with(|q| q.get(name).unwrap_or_default());
    let actions = UserActions::new();
    let users = Resource::new(
        move || (param("q"), param("role"), param("state"), param("after"), actions.version()),
        |(search, role, state, after, _)| admin_users(search, role, state, after),
    );
    view! {
        <Title text=t("admin-title")/>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match users.await {
                    Err(error) => refused(error),
                    Ok(page) => view! {
                        <div class="page-heading">
                            <h1>{t("admin-title")}</h1>
                            <p class="muted">{t("admin-lead")}</p>
                        </div>
                        <AdminNav current=AdminSection::Accounts/>
                        <section class="card" id="users" aria-labelledby="users-heading">
                            <h2 id="users-heading">{t("admin-users-heading")}</h2>
                            <SearchForm search=param("q") role=param("role") state=param("state")/>
                            <ActionResults actions/>
                            {if page.items.is_empty() {
                                view! { <p class="muted">{t("admin-users-none")}</p> }.into_any()
                            } else {
                                view! { <UsersTable users=page.items you=page.you actions/> }.into_any()
                            }}
                            {page.next.map(|next| {
                                let href = format!(
                                    "/admin?q={}&role={}&state={}&after={next}",
                                    urlencode(&param("q")),
                                    urlencode(&param("role")),
                                    urlencode(&param("state")),
                                );
                                view! { <p><a class="button button-ghost" href=href>{t("admin-users-next")}</a></p> }
                            })}
                        </section>
                        <Flags/>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The role a row's button gives its account, and the button's label.
fn role_switch(role: &str) -> (&'static str, &'static str) {
    match role {
        "admin" => ("user", "admin-make-user"),
        _ => ("admin", "admin-make-admin"),
    }
}

/// Any refusal of an action, fielded or not, as an alert (the console's forms have no field of
/// their own to show it under).
#[component]
fn ActionAlert<S>(result: S) -> impl IntoView
where
    S: Get<Value = Option<Result<(), AppError>>> + Send + Sync + 'static,
{
    let i18n = use_i18n();
    move || match result.get() {
        Some(Err(err)) => Some(view! {
            <p class="alert alert-error" role="alert">{i18n.t_args(&err.message_key(), &err.message_args())}</p>
        }),
        _ => None,
    }
}

#[component]
fn SearchForm(search: String, role: String, state: String) -> impl IntoView {
    view! {
        <form class="filter-bar" method="get" action="/admin" role="search">
            <div class="filter-field">
                <label for="admin-search">{t("admin-users-search")}</label>
                <input id="admin-search" type="search" name="q" value=search/>
            </div>
            <div class="filter-field">
                <label for="admin-role">{t("admin-users-role")}</label>
                <select id="admin-role" name="role">
                    <option value="" selected=role.is_empty()>{t("admin-role-any")}</option>
                    <option value="user" selected=role == "user">{t("admin-role-user")}</option>
                    <option value="admin" selected=role == "admin">{t("admin-role-admin")}</option>
                </select>
            </div>
            <div class="filter-field">
                <label for="admin-state">{t("admin-state")}</label>
                <select id="admin-state" name="state">
                    <option value="" selected=state.is_empty()>{t("admin-state-any")}</option>
                    <option value="active" selected=state == "active">{t("admin-active")}</option>
                    <option value="suspended" selected=state == "suspended">{t("admin-suspended")}</option>
                </select>
            </div>
            <button type="submit" class="button">{t("admin-users-filter")}</button>
        </form>
    }
}

/// What an administrator does to one account, from its row.
#[derive(Clone, Copy)]
struct UserActions {
    set_role: ServerAction<SetRole>,
    delete: ServerAction<DeleteUser>,
    suspend: ServerAction<SuspendUser>,
    sign_out: ServerAction<SignOutUser>,
    reset: ServerAction<SendPasswordReset>,
}

impl UserActions {
    fn new() -> Self {
        Self {
            set_role: ServerAction::new(),
            delete: ServerAction::new(),
            suspend: ServerAction::new(),
            sign_out: ServerAction::new(),
            reset: ServerAction::new(),
        }
    }

    /// Changes whenever one of them is done: the list is read again.
    fn version(self) -> usize {
        self.set_role.version().get()
            + self.delete.version().get()
            + self.suspend.version().get()
            + self.sign_out.version().get()
            + self.reset.version().get()
    }
}

const USER_COLUMNS: &[Column] = &[
    Column::text("admin-col-email"),
    Column::text("admin-col-name"),
    Column::text("admin-col-role"),
    Column::text("admin-col-since"),
    Column::actions("admin-col-actions"),
];

#[component]
fn UsersTable(users: Vec<AdminUserDto>, you: String, actions: UserActions) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <DataTable caption=t("admin-users-heading") columns=USER_COLUMNS>
            {users.into_iter().map(|user| {
                let role_key = format!("admin-role-{}", user.role);
                let own = user.id == you;
                let href = format!("/admin/users/{}", user.id);
                view! {
                    <tr>
                        <td><a href=href>{user.email.clone()}</a></td>
                        <td>{user.display_name.clone()}</td>
                        <td>
                            {move || i18n.t(&role_key)}
                            {user.suspended.then(|| view! { " " <span class="badge">{t("admin-suspended")}</span> })}
                        </td>
                        <td><DateTime at=user.created_at.clone()/></td>
                        <td class="row-actions">
                            {if own {
                                view! { <span class="muted">{t("admin-you")}</span> }.into_any()
                            } else {
                                view! { <AccountActions user actions/> }.into_any()
                            }}
                        </td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
    }
}

/// The buttons that act on one account (not the administrator's own).
#[component]
fn AccountActions(user: AdminUserDto, actions: UserActions) -> impl IntoView {
    let i18n = use_i18n();
    let (other_role, make) = role_switch(&user.role);
    let suspended = user.suspended;
    let id = user.id;
    let (role_id, suspend_id, out_id, reset_id, delete_id) = (id.clone(), id.clone(), id.clone(), id.clone(), id);
    // Each button names the account for screen readers, as the rows all look alike otherwise.
    let email = user.email;
    let confirm_email = email.clone();
    let named = move |label: &'static str| {
        let email = email.clone();
        view! { {t(label)}<span class="visually-hidden">" " {email}</span> }
    };
    let (role_label, suspend_label, out_label, reset_label, delete_label) = (
        named(make),
        named(if suspended { "admin-reactivate" } else { "admin-suspend" }),
        named("admin-sign-out"),
        named("admin-send-reset"),
        named("admin-delete"),
    );
    let confirm = move || i18n.t_args("admin-delete-confirm", &[("email", confirm_email.clone())]);
    view! {
        <ActionForm action=actions.set_role>
            <input type="hidden" name="id" value=role_id/>
            <input type="hidden" name="role" value=other_role/>
            <button type="submit" class="button button-ghost">{role_label}</button>
        </ActionForm>
        <ActionForm action=actions.suspend>
            <input type="hidden" name="id" value=suspend_id/>
            <input type="hidden" name="suspend" value=(!suspended).to_string()/>
            <button type="submit" class="button button-ghost">{suspend_label}</button>
        </ActionForm>
        <ActionForm action=actions.sign_out>
            <input type="hidden" name="id" value=out_id/>
            <button type="submit" class="button button-ghost">{out_label}</button>
        </ActionForm>
        <ActionForm action=actions.reset>
            <input type="hidden" name="id" value=reset_id/>
            <button type="submit" class="button button-ghost">{reset_label}</button>
        </ActionForm>
        <details class="inline-dialog">
            <summary class="button button-ghost danger">{delete_label}</summary>
            <ActionForm action=actions.delete>
                <input type="hidden" name="id" value=delete_id/>
                <p>{confirm}</p>
                <button type="submit" class="button button-danger">{t("admin-delete-submit")}</button>
            </ActionForm>
        </details>
    }
}

/// What became of the last action on an account: its refusal, or a word where the page itself
/// does not show the change.
#[component]
fn ActionResults(actions: UserActions) -> impl IntoView {
    view! {
        <ActionAlert result=actions.set_role.value()/>
        <ActionAlert result=actions.delete.value()/>
        <ActionAlert result=actions.suspend.value()/>
        <ActionAlert result=Signal::derive(move || actions.sign_out.value().get().map(|r| r.map(|_| ())))/>
        <ActionAlert result=actions.reset.value()/>
        <SuccessAlert when=move || matches!(actions.sign_out.value().get(), Some(Ok(_))) message="admin-signed-out"/>
        <SuccessAlert when=move || matches!(actions.reset.value().get(), Some(Ok(()))) message="admin-reset-sent"/>
    }
}

/// The console's parts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AdminSection {
    Accounts,
    Jobs,
    Audit,
}

/// Links between the console's pages; the current one is marked for screen readers too.
#[component]
fn AdminNav(current: AdminSection) -> impl IntoView {
    let link = move |section: AdminSection, href: &'static str, label: &'static str| {
        let here = section == current;
        view! {
            <li><a href=href aria-current=here.then_some("page") class:active=here>{t(label)}</a></li>
        }
    };
    view! {
        <nav class="tabs" aria-label=t("admin-nav")>
            <ul>
                {link(AdminSection::Accounts, "/admin", "admin-nav-accounts")}
                {link(AdminSection::Jobs, "/admin/jobs", "admin-nav-jobs")}
                {link(AdminSection::Audit, "/admin/audit", "admin-nav-audit")}
                <li><a href="/admin#flags">{t("admin-flags-heading")}</a></li>
            </ul>
        </nav>
    }
}

/// The page's content for an answer of the console's server functions: a visitor is sent to
/// sign in, anyone else who may not see it gets the error page.
fn refused(error: AppError) -> AnyView {
    match error {
        AppError::Unauthenticated => view! { <Redirect path="/signin"/> }.into_any(),
        error => view! { <ErrorPage error/> }.into_any(),
    }
}

#[component]
fn Flags() -> impl IntoView {
    let save = ServerAction::<SetFlag>::new();
    let flags = Resource::new(move || save.version().get(), |_| admin_flags());
    let saved_before = use_query_map().get_untracked().get("saved").is_some_and(|s| s == "flags");
    let saved = move || match save.value().get() {
        Some(outcome) => outcome.is_ok(),
        None => saved_before,
    };
    view! {
        <section class="card" id="flags" aria-labelledby="flags-heading">
            <h2 id="flags-heading">{t("admin-flags-heading")}</h2>
            <p class="muted">{t("admin-flags-lead")}</p>
            <SuccessAlert when=saved message="admin-flags-saved"/>
            <ActionAlert result=save.value()/>
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    flags.await.ok().map(|list| list.into_iter().map(|flag| view! { <FlagForm flag save/> }).collect_view())
                })}
            </Transition>
        </section>
    }
}

#[component]
fn FlagForm(flag: FlagDto, save: ServerAction<SetFlag>) -> impl IntoView {
    let key = flag.key.clone();
    let id = move |part: &str| format!("flag-{key}-{part}");
    let roles = |chosen: &[String], name: &'static str| {
        ["user", "admin"]
            .into_iter()
            .map(|role| {
                let checked = chosen.iter().any(|r| r == role);
                view! {
                    <label class="checkbox">
                        <input type="checkbox" name=format!("{name}[]") value=role checked=checked/>
                        {t(match role { "admin" => "admin-role-admin", _ => "admin-role-user" })}
                    </label>
                }
            })
            .collect_view()
    };
    view! {
        <ActionForm action=save attr:class="flag-form">
            <fieldset>
                <legend><code>{flag.key.clone()}</code></legend>
                <p class="muted">{flag.description.clone()}</p>
                <input type="hidden" name="key" value=flag.key.clone()/>
                <label class="checkbox">
                    <input type="checkbox" name="enabled" value="on" checked=flag.enabled/>
                    {t("admin-flag-enabled")}
                </label>
                <label for=id("rollout")>{t("admin-flag-rollout")}</label>
                <input id=id("rollout") type="number" name="rollout" min="0" max="100" required=true
                    value=flag.rollout.to_string()/>
                <label for=id("allow")>{t("admin-flag-allow-users")}</label>
                <textarea id=id("allow") name="allow_users" rows="2">{flag.allow_users.join("\n")}</textarea>
                <label for=id("deny")>{t("admin-flag-deny-users")}</label>
                <textarea id=id("deny") name="deny_users" rows="2">{flag.deny_users.join("\n")}</textarea>
                <p class="hint">{t("admin-flag-users-hint")}</p>
                <fieldset class="inline-choices">
                    <legend>{t("admin-flag-allow-roles")}</legend>
                    {roles(&flag.allow_roles, "allow_roles")}
                </fieldset>
                <fieldset class="inline-choices">
                    <legend>{t("admin-flag-deny-roles")}</legend>
                    {roles(&flag.deny_roles, "deny_roles")}
                </fieldset>
                {flag.updated_at.clone().map(|at| view! {
                    <p class="muted">{t("admin-flag-updated")} " " <DateTime at/></p>
                })}
                <button type="submit" class="button">{t("admin-flag-save")}</button>
            </fieldset>
        </ActionForm>
    }
}
