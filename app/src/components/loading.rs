//! What a part of a page shows while its data is on the way.

use leptos::prelude::*;

use crate::i18n::t;

/// The fallback of a `Suspense` or `Transition`: "Loading…", marked busy for screen readers.
pub fn loading() -> impl IntoView {
    view! { <p class="muted" aria-busy="true">{t("loading")}</p> }
}
