//! The user interface: pages and components rendered on the server and hydrated in the browser,
//! and the server functions they call. Server-only code sits behind the `ssr` feature.

// Release builds keep the full view types (no `erase_components`); the deepest pages need more
// than the default 128 levels to lay them out.
#![recursion_limit = "256"]

#[cfg(feature = "ssr")]
pub mod cookies;
pub mod dto;
pub mod error;
pub mod format;
pub mod i18n;
pub mod markdown;
pub mod rpc;
pub mod session;
pub mod validate;

mod components;
mod pages;

use leptos::prelude::*;
use leptos_meta::{Meta, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

use crate::{
    components::header::Header,
    error::AppError,
    i18n::{Lang, provide_i18n, t},
    pages::{
        account_links::{ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage},
        assistant::AssistantPage,
        error::ErrorPage,
        file::FilePage,
        files::FilesPage,
        help::{HelpIndexPage, HelpPage},
        landing::Landing,
        not_found::NotFound,
        notifications::NotificationsPage,
        profile::ProfilePage,
        sign_in::{SignInCodePage, SignInPage},
        sign_up::SignUpPage,
    },
    session::provide_current_user,
};

/// The name cargo-leptos gives the wasm, JS and CSS bundles (`/pkg/smartai.*`).
pub const OUTPUT_NAME: &str = "smartai";

/// The HTML document around the app; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = initial_lang();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code() dir=lang.dir()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.ico"/>
                <script src="/passkeys.js" defer=true></script>
                <script src="/uploads.js" defer=true></script>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The language of this page: decided by the server per request, and read back from `<html lang>`
/// when the browser hydrates, so both render the same words.
fn initial_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        rpc::ssr::request_lang()
    }
    #[cfg(not(feature = "ssr"))]
    {
        leptos::prelude::document()
            .document_element()
            .and_then(|html| html.get_attribute("lang"))
            .and_then(|code| Lang::from_code(&code))
            .unwrap_or_default()
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = provide_i18n(initial_lang());
    provide_current_user();
    let app_name = t("app-name");

    // Runs only in the browser: keep <html lang dir> in step with the switcher, and tell tests
    // (and curious users) that the page is interactive.
    Effect::new(move |_| {
        let lang = i18n.lang();
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", lang.code());
            let _ = html.set_attribute("dir", lang.dir());
            let _ = html.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="leptos" href=format!("/pkg/{OUTPUT_NAME}.css")/>
        <Title formatter=move |page: String| format!("{page} · {}", app_name())/>
        // What a search result shows under the title (Lighthouse's SEO audit wants one on every page).
        <Meta name="description" content=t("meta-description")/>
        <Router>
            <Header/>
            <main id="main" class="container" tabindex="-1">
                <ErrorBoundary fallback=|errors| {
                    let error = errors
                        .get_untracked()
                        .into_iter()
                        .next()
                        .and_then(|(_, e)| e.downcast_ref::<AppError>().cloned())
                        .unwrap_or(AppError::Internal);
                    view! { <ErrorPage error/> }
                }>
                    <Routes fallback=NotFound>
                        <Route path=path!("") view=Landing ssr=SsrMode::Async/>
                        <Route path=path!("signin") view=SignInPage ssr=SsrMode::Async/>
                        <Route path=path!("signin/code") view=SignInCodePage ssr=SsrMode::Async/>
                        <Route path=path!("signin/link") view=pages::providers::LinkProviderPage ssr=SsrMode::Async/>
                        <Route path=path!("signup") view=SignUpPage ssr=SsrMode::Async/>
                        <Route path=path!("profile") view=ProfilePage ssr=SsrMode::Async/>
                        <Route path=path!("files") view=FilesPage ssr=SsrMode::Async/>
                        <Route path=path!("files/:id") view=FilePage ssr=SsrMode::Async/>
                        <Route path=path!("notifications") view=NotificationsPage ssr=SsrMode::Async/>
                        <Route path=path!("assistant") view=AssistantPage ssr=SsrMode::Async/>
                        <Route path=path!("admin") view=pages::admin::AdminPage ssr=SsrMode::Async/>
                        <Route path=path!("admin/users/:id") view=pages::admin::AdminAccountPage ssr=SsrMode::Async/>
                        <Route path=path!("admin/jobs") view=pages::admin::AdminJobsPage ssr=SsrMode::Async/>
                        <Route path=path!("admin/audit") view=pages::admin::AdminAuditPage ssr=SsrMode::Async/>
                        <Route path=path!("help") view=HelpIndexPage ssr=SsrMode::Async/>
                        <Route path=path!("help/:slug") view=HelpPage ssr=SsrMode::Async/>
                        <Route path=path!("verify-email") view=VerifyEmailPage ssr=SsrMode::Async/>
                        <Route path=path!("forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async/>
                        <Route path=path!("reset-password") view=ResetPasswordPage ssr=SsrMode::Async/>
                    </Routes>
                </ErrorBoundary>
            </main>
            <footer class="site-footer">
                <p>{t("footer-text")}</p>
            </footer>
        </Router>
    }
}
