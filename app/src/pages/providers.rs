//! Sign-in through OpenID Connect providers: the "Sign in with …" links, the page asking for the
//! password before a provider is linked to an existing account, and the profile's list of linked
//! providers.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::url_error;
use crate::{
    components::{
        date_time::DateTime,
        field::{Field, FormAttempt, SuccessAlert},
        loading::loading,
    },
    dto::{LinkedProviderDto, ProviderDto, provider_start_url},
    i18n::{t, use_i18n},
    rpc::{
        account::{UnlinkProvider, linked_providers},
        auth::providers,
    },
    validate,
};

/// Where the link-with-password form posts (an axum door: it reads the link cookie).
const LINK_URL: &str = "/auth/oidc/link";

/// What went wrong on the way back from a provider (`/signin?oidc_error=…`), then one link per
/// configured provider. Plain links: they work without JavaScript.
#[component]
pub fn ProviderButtons() -> impl IntoView {
    let i18n = use_i18n();
    let error = use_query_map().get_untracked().get("oidc_error");
    let list = Resource::new(|| (), |_| providers());
    view! {
        {error.map(|code| {
            let key = format!("oidc-error-{code}");
            view! { <p class="alert alert-error" role="alert">{move || i18n.t(&key)}</p> }
        })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = list.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <div class="provider-buttons">
                        {list.into_iter().map(|provider| view! { <ProviderLink provider/> }).collect_view()}
                    </div>
                })
            })}
        </Suspense>
    }
}

#[component]
fn ProviderLink(provider: ProviderDto) -> impl IntoView {
    let i18n = use_i18n();
    let name = provider.display_name.clone();
    let label = move || i18n.t_args("sign-in-with", &[("provider", name.clone())]);
    view! {
        <a class="button button-ghost button-block" href=provider_start_url(&provider.name)>{label}</a>
    }
}

/// `/signin/link`: an account already uses the provider's (verified) e-mail address; its password
/// proves the visitor owns it before the provider is linked.
#[component]
pub fn LinkProviderPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map().get_untracked();
    let provider = query.get("provider").unwrap_or_default();
    let error = query.get("error").map(|code| format!("oidc-link-error-{code}"));
    let password = RwSignal::new(String::new());
    provide_context(FormAttempt(RwSignal::new(false)));
    view! {
        <Title text=t("oidc-link-title")/>
        <section class="auth card">
            <h1>{t("oidc-link-title")}</h1>
            <p class="muted">{t("oidc-link-lead")}</p>
            {error.map(|key| view! { <p class="alert alert-error" role="alert">{move || i18n.t(&key)}</p> })}
            <form method="post" action=LINK_URL>
                <input type="hidden" name="provider" value=provider/>
                <Field label="field-password" name="password" kind="password" autocomplete="current-password"
                    required=true value=password check=validate::password_present/>
                <button type="submit" class="button button-block">{t("oidc-link-submit")}</button>
            </form>
            <p class="auth-switch"><a href="/forgot-password">{t("sign-in-forgot")}</a></p>
        </section>
    }
}

/// The profile's card: providers linked to the account (each can be unlinked while another way to
/// sign in remains) and the others, to link.
#[component]
pub fn LinkedProvidersCard(saved: Option<String>) -> impl IntoView {
    let unlink = ServerAction::<UnlinkProvider>::new();
    let saved_linked = saved.as_deref() == Some("linked");
    let list = Resource::new(move || unlink.version().get(), |_| linked_providers());
    let refused =
        url_error().filter(|_| use_query_map().get_untracked().get("__path").as_deref() == Some(UnlinkProvider::PATH));
    let error = move || match unlink.value().get() {
        Some(Err(err)) => Some(err),
        Some(Ok(())) => None,
        None => refused.clone(),
    };
    let done = move || {
        matches!(unlink.value().get(), Some(Ok(())))
            || (unlink.value().get().is_none() && saved.as_deref() == Some("unlinked"))
    };
    let i18n = use_i18n();
    view! {
        <section class="card" id="providers" aria-labelledby="providers-heading">
            <h2 id="providers-heading">{t("providers-heading")}</h2>
            <p class="muted">{t("providers-lead")}</p>
            {(saved_linked).then(|| view! { <p class="alert alert-success" role="status">{t("providers-linked")}</p> })}
            <SuccessAlert when=done message="providers-unlinked"/>
            {move || error().map(|err| {
                let key = err.message_key();
                view! { <p class="alert alert-error" role="alert">{move || i18n.t(&key)}</p> }
            })}
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    let Ok(list) = list.await else {
                        return view! { <p class="muted">{t("providers-none")}</p> }.into_any();
                    };
                    view! {
                        {list.linked.is_empty().then(|| view! { <p class="muted">{t("providers-none")}</p> })}
                        <ul class="session-list">
                            {list.linked.into_iter().map(|provider| view! { <LinkedRow provider unlink/> }).collect_view()}
                        </ul>
                        {list.available.into_iter().map(|provider| {
                            let name = provider.display_name.clone();
                            let label = move || i18n.t_args("providers-link", &[("provider", name.clone())]);
                            // A form post, not a link: only this page may start linking (the CSRF
                            // check), so a link planted elsewhere cannot attach someone's provider.
                            view! {
                                <form class="inline-form" method="post" action=provider_start_url(&provider.name)>
                                    <button type="submit" class="button button-ghost">{label}</button>
                                </form>
                                " "
                            }
                        }).collect_view()}
                    }
                    .into_any()
                })}
            </Transition>
        </section>
    }
}

#[component]
fn LinkedRow(provider: LinkedProviderDto, unlink: ServerAction<UnlinkProvider>) -> impl IntoView {
    view! {
        <li class="session">
            <div>
                <p><strong>{provider.display_name.clone()}</strong></p>
                <p class="muted">
                    {provider.email.clone().map(|email| view! { <span>{email}</span> " · " })}
                    <span>{t("providers-linked-at")} " " <DateTime at=provider.linked_at.clone()/></span>
                </p>
            </div>
            <ActionForm action=unlink>
                <input type="hidden" name="provider" value=provider.name.clone()/>
                <button type="submit" class="button button-ghost">{t("providers-unlink")}</button>
            </ActionForm>
        </li>
    }
}
