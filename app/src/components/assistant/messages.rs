//! The messages of the chosen conversation, and the answer being written.

use leptos::prelude::*;

use super::Assistant;
use crate::{
    dto::{MessageDto, SourceDto},
    i18n::t,
    markdown::{safe_link, to_safe_html},
};

#[component]
pub(super) fn Messages(state: Assistant) -> impl IntoView {
    view! {
        <ol class="assistant-messages">
            {move || {
                let (list, pending) = (state.messages.get(), state.pending.get());
                (list.is_empty() && pending.is_none())
                    .then(|| view! { <li class="muted assistant-empty">{t("assistant-empty")}</li> })
            }}
            <For each=move || state.messages.get() key=|m| m.id.clone() let:message>
                <MessageItem message/>
            </For>
            {move || state.pending.get().map(|p| view! {
                <li class="message message-user"><p>{p.question}</p></li>
                <li class="message message-assistant" aria-busy="true">
                    <Answer text=p.text sources=p.sources/>
                </li>
            })}
        </ol>
    }
}

/// One message of the list (also used by the `/assistant` page).
#[component]
pub fn MessageItem(message: MessageDto) -> impl IntoView {
    if message.from_user {
        return view! { <li class="message message-user"><p>{message.content}</p></li> }.into_any();
    }
    view! {
        <li class="message message-assistant">
            <Answer text=message.content sources=message.sources/>
            {message.stopped.then(|| view! { <p class="muted">{t("assistant-stopped")}</p> })}
        </li>
    }
    .into_any()
}

#[component]
fn Answer(text: String, sources: Vec<SourceDto>) -> impl IntoView {
    let html = to_safe_html(&text);
    view! {
        <div class="markdown" inner_html=html></div>
        {(!sources.is_empty()).then(|| view! {
            <div class="sources">
                <p class="sources-heading">{t("assistant-sources")}</p>
                <ul>
                    {sources.into_iter().map(|s| {
                        // The server makes these app paths; checked anyway, as the answer's links are.
                        let href = safe_link(&s.url).unwrap_or("#").to_owned();
                        view! { <li><a href=href title=s.snippet>{s.title}</a></li> }
                    }).collect_view()}
                </ul>
            </div>
        })}
    }
}
