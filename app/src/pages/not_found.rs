use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::t;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=t("not-found-title")/>
        <section class="status-page">
            <p class="status-code" aria-hidden="true">"404"</p>
            <h1>{t("not-found-title")}</h1>
            <p>{t("not-found-body")}</p>
            <a class="button" href="/">{t("action-go-home")}</a>
        </section>
    }
}
