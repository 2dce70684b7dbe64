//! The dialog: focus kept inside while it is open, Escape closes it, and the question box sends
//! with Enter.

use leptos::{html, prelude::*};
use wasm_bindgen::JsCast;

use super::{Assistant, conversations::Conversations, messages::Messages};
use crate::i18n::{t, use_i18n};

/// The selector of what Tab moves between inside the panel.
const FOCUSABLE: &str =
    "a[href], button:not([disabled]), textarea:not([disabled]), input:not([disabled]), [tabindex]:not([tabindex='-1'])";

#[component]
pub(super) fn Panel(state: Assistant, close: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let panel = NodeRef::<html::Div>::new();
    let question = NodeRef::<html::Textarea>::new();
    Effect::new(move |_| {
        if let Some(question) = question.get() {
            let _ = question.focus();
        }
    });
    // Keeps focus inside the dialog while it is open; Escape closes it.
    let on_keydown = move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            close();
        }
        "Tab" => {
            let Some(panel) = panel.get_untracked() else { return };
            let Ok(nodes) = panel.query_selector_all(FOCUSABLE) else { return };
            let items: Vec<web_sys::HtmlElement> =
                (0..nodes.length()).filter_map(|i| nodes.item(i)?.dyn_into::<web_sys::HtmlElement>().ok()).collect();
            let (Some(first), Some(last)) = (items.first(), items.last()) else { return };
            let active = document().active_element();
            let at = |el: &web_sys::HtmlElement| {
                active.as_ref().is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>())
            };
            let outside = active.as_ref().is_none_or(|a| !panel.contains(Some(a.unchecked_ref())));
            if ev.shift_key() && (at(first) || outside) {
                ev.prevent_default();
                let _ = last.focus();
            } else if !ev.shift_key() && (at(last) || outside) {
                ev.prevent_default();
                let _ = first.focus();
            }
        }
        _ => {}
    };
    let submit = move || {
        let Some(area) = question.get_untracked() else { return };
        let text = area.value();
        if text.trim().is_empty() {
            return;
        }
        area.set_value("");
        state.send(text);
    };
    let usage = move || {
        state.usage.get().map(|u| {
            i18n.t_args(
                "assistant-usage",
                &[("count", u.messages.to_string()), ("limit", u.messages_limit.to_string())],
            )
        })
    };
    view! {
        <div class="assistant-backdrop" on:click=move |_| close()></div>
        <div class="assistant-panel" role="dialog" aria-modal="true" aria-labelledby="assistant-title"
            node_ref=panel on:keydown=on_keydown>
            <div class="assistant-head">
                <h2 id="assistant-title">{t("assistant-title")}</h2>
                <p class="assistant-usage muted">{usage}</p>
                <button type="button" class="button button-ghost assistant-close" aria-label=t("assistant-close")
                    on:click=move |_| close()>
                    <span aria-hidden="true">"×"</span>
                </button>
            </div>
            <div class="assistant-body">
                <Conversations state/>
                <section class="assistant-chat" aria-labelledby="assistant-title">
                    <Messages state/>
                    <div class="visually-hidden" aria-live="polite" aria-atomic="true">{move || state.announcement.get()}</div>
                    {move || state.error.get().map(|err| view! {
                        <p class="alert alert-error" role="alert">{i18n.t_args(&err.key, &err.args)}</p>
                    })}
                    <form class="assistant-ask" on:submit=move |ev| {
                        ev.prevent_default();
                        submit();
                    }>
                        <label class="visually-hidden" for="assistant-question">{t("assistant-question")}</label>
                        <textarea id="assistant-question" name="question" rows="2" node_ref=question
                            placeholder=t("assistant-question-placeholder")
                            on:keydown=move |ev: web_sys::KeyboardEvent| {
                                // Enter sends; Shift+Enter (or an input method composing) adds a line.
                                if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                                    ev.prevent_default();
                                    submit();
                                }
                            }></textarea>
                        <Show when=move || state.streaming()
                            fallback=|| view! { <button type="submit" class="button">{t("assistant-send")}</button> }>
                            <button type="button" class="button button-ghost danger" on:click=move |_| {
                                if let Some(stop) = state.stop.get_value() {
                                    stop.abort();
                                }
                            }>{t("assistant-stop")}</button>
                        </Show>
                    </form>
                </section>
            </div>
        </div>
    }
}
