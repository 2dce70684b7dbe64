use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    error::AppError,
    i18n::{t, use_i18n},
};

/// What a user sees when a page cannot be shown: a translated explanation, never a stack trace.
#[component]
pub fn ErrorPage(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(
            axum::http::StatusCode::from_u16(error.status()).unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    let (key, args) = (error.message_key(), error.message_args());
    view! {
        <Title text=t("error-page-title")/>
        <section class="status-page" role="alert">
            <p class="status-code" aria-hidden="true">{error.status()}</p>
            <h1>{t("error-page-title")}</h1>
            <p>{move || i18n.t_args(&key, &args)}</p>
            <a class="button" href="/">{t("action-go-home")}</a>
        </section>
    }
}
