//! `/help` and `/help/:slug`: the built-in help, in Markdown rendered by the same safe renderer as
//! the assistant's answers (the assistant cites these pages as sources).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::error::ErrorPage;
use crate::{
    components::loading::loading,
    i18n::t,
    markdown::to_safe_html,
    rpc::assistant::{help_page, help_pages},
};

#[component]
pub fn HelpIndexPage() -> impl IntoView {
    let pages = Resource::new(|| (), |_| help_pages());
    view! {
        <Title text=t("help-title")/>
        <div class="page-heading">
            <h1>{t("help-title")}</h1>
            <p class="muted">{t("help-lead")}</p>
        </div>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match pages.await {
                    Ok(list) if list.is_empty() => view! { <p class="card muted empty">{t("help-none")}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="card help-list">
                            {list.into_iter().map(|p| view! { <li><a href=format!("/help/{}", p.slug)>{p.title}</a></li> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn HelpPage() -> impl IntoView {
    let params = use_params_map();
    let page = Resource::new(move || params.with(|p| p.get("slug").unwrap_or_default()), help_page);
    view! {
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        let html = to_safe_html(&page.markdown);
                        view! {
                            <Title text=page.title.clone()/>
                            <p><a href="/help">{t("help-back")}</a></p>
                            <article class="card markdown" inner_html=html></article>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
