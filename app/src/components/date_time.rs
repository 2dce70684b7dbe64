//! Every time a page shows, one way: in the reader's time zone (the server sent it so) and
//! language, following the language switcher.

use leptos::prelude::*;

use crate::{format, i18n::use_i18n};

/// `<time>` for an RFC 3339 time. `relative` says a recent one as "3 minutes ago" (the date and
/// time in its tooltip), for times whose age matters more than their date: last seen, last used,
/// a notification.
#[component]
pub fn DateTime(at: String, #[prop(optional)] relative: bool) -> impl IntoView {
    let i18n = use_i18n();
    let absolute = {
        let at = at.clone();
        move || format::date_time(i18n.lang(), &at)
    };
    let shown = {
        let (at, absolute) = (at.clone(), absolute.clone());
        move || {
            relative.then(|| format::ago(i18n.lang(), &at, format::now())).flatten().unwrap_or_else(absolute.clone())
        }
    };
    let title = move || relative.then(absolute.clone());
    view! { <time datetime=at title=title>{shown}</time> }
}
