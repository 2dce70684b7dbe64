use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_navigate;

use crate::{
    components::{
        assistant::AssistantLauncher,
        icon::{Icon, IconSvg},
    },
    i18n::{Lang, t, use_i18n},
    rpc::{account::SetLanguage, auth::SignOut},
    session::use_current_user,
};

/// The top bar: brand, navigation, language switcher and the user menu.
#[component]
pub fn Header() -> impl IntoView {
    let current = use_current_user();
    provide_context(LiveUnread(RwSignal::new(None)));
    view! {
        <header class="site-header">
            <a class="skip-link" href="#main">{t("nav-skip")}</a>
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                <span>{t("app-name")}</span>
            </a>
            <nav class="site-nav" aria-label=t("nav-label")>
                <a href="/">{t("nav-home")}</a>
                <a href="/help">{t("nav-help")}</a>
                <Transition fallback=|| ()>
                    {move || current.get().map(|user| view! {
                        <a href="/files">{t("nav-files")}</a>
                        <a href="/notifications">{t("nav-notifications")}</a>
                        <a href="/profile">{t("nav-profile")}</a>
                        {user.is_admin.then(|| view! { <a href="/admin">{t("nav-admin")}</a> })}
                    })}
                </Transition>
            </nav>
            <div class="header-actions">
                <Transition fallback=|| ()>
                    {move || current.get().map(|user| view! {
                        {user.assistant.then(|| view! { <AssistantLauncher/> })}
                        <Bell initial=user.unread_notifications/>
                    })}
                </Transition>
                <LanguageSwitcher/>
                <Transition fallback=|| ()>
                    {move || match current.get() {
                        Some(user) => view! { <UserMenu name=user.display_name avatar=user.avatar_url/> }.into_any(),
                        None => view! {
                            <a class="button button-ghost" href="/signin">{t("nav-sign-in")}</a>
                            <a class="button" href="/signup">{t("nav-sign-up")}</a>
                        }.into_any(),
                    }}
                </Transition>
            </div>
        </header>
    }
}

/// The unread count, kept live by the server's event stream.
#[derive(Clone, Copy)]
pub struct LiveUnread(pub RwSignal<Option<u64>>);

/// Provided by the header: the live unread count (`None` until the first event).
pub fn use_live_unread() -> Option<LiveUnread> {
    use_context::<LiveUnread>()
}

/// A link to the notification centre with the unread count. Once hydrated it listens to
/// `GET /events` (server-sent events; the browser reconnects by itself).
#[component]
fn Bell(initial: u64) -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live_unread().map_or_else(|| RwSignal::new(None), |l| l.0);
    Effect::new(move |_| listen(live));
    let count = move || live.get().unwrap_or(initial);
    view! {
        <a class="bell" href="/notifications"
            aria-label=move || i18n.t_args("notifications-bell", &[("count", count().to_string())])>
            <IconSvg icon=Icon::Bell/>
            <Show when=move || { count() > 0 }>
                <span class="bell-count" aria-hidden="true">{count}</span>
            </Show>
        </a>
    }
}

/// Opens the event stream once per page and feeds the unread count into `live`.
fn listen(live: RwSignal<Option<u64>>) {
    use wasm_bindgen::{JsCast, closure::Closure};

    thread_local! {
        static OPEN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    if OPEN.with(|open| open.replace(true)) {
        return;
    }
    let Ok(source) = web_sys::EventSource::new("/events") else { return };
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        let data = ev.data().as_string().unwrap_or_default();
        if let Some(unread) = serde_json::from_str::<serde_json::Value>(&data).ok().and_then(|v| v["unread"].as_u64()) {
            live.set(Some(unread));
        }
    });
    source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The stream lives as long as the page.
    on_message.forget();
    std::mem::forget(source);
}

/// One button per language; a plain form post without JavaScript, an instant switch with it.
#[component]
fn LanguageSwitcher() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SetLanguage>::new();
    view! {
        <details class="menu">
            <summary aria-label=t("lang-switch")>
                <IconSvg icon=Icon::Globe/>
                {move || i18n.lang().code().to_uppercase()}
            </summary>
            <form class="menu-panel" method="post" action=SetLanguage::url()>
                {Lang::ALL.into_iter().map(|lang| view! {
                    <button
                        type="submit"
                        name="lang"
                        value=lang.code()
                        lang=lang.code()
                        aria-current=move || (i18n.lang() == lang).then_some("true")
                        on:click=move |ev| {
                            ev.prevent_default();
                            i18n.set(lang);
                            action.dispatch(SetLanguage { lang: lang.code().to_owned() });
                        }
                    >
                        {lang.tr("lang-native")}
                    </button>
                }).collect_view()}
            </form>
        </details>
    }
}

#[component]
fn UserMenu(name: String, avatar: Option<String>) -> impl IntoView {
    let current = use_current_user();
    let sign_out = ServerAction::<SignOut>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(logout)) = sign_out.value().get() {
            current.refresh();
            match logout {
                // Signed out at the provider too, which then sends the browser back home.
                Some(url) => {
                    let _ = window().location().set_href(&url);
                }
                None => navigate("/", Default::default()),
            }
        }
    });
    view! {
        <details class="menu user-menu">
            <summary>
                {match avatar {
                    Some(src) => view! { <img class="avatar" src=src alt="" width="32" height="32"/> }.into_any(),
                    None => view! {
                        <span class="avatar" aria-hidden="true">{name.chars().next().unwrap_or('?').to_uppercase().to_string()}</span>
                    }.into_any(),
                }}
                <span class="user-name">{name.clone()}</span>
            </summary>
            <div class="menu-panel">
                <a href="/profile">{t("nav-profile")}</a>
                <ActionForm action=sign_out>
                    <button type="submit">{t("nav-sign-out")}</button>
                </ActionForm>
            </div>
        </details>
    }
}
