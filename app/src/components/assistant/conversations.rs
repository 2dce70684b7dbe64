//! The list of conversations: choose one, start a new one, rename or delete one.

use leptos::{html, prelude::*, task::spawn_local};

use super::Assistant;
use crate::{
    dto::ConversationDto,
    i18n::t,
    rpc::assistant::{delete_conversation, rename_conversation},
};

#[component]
pub(super) fn Conversations(state: Assistant) -> impl IntoView {
    view! {
        <nav class="assistant-conversations" aria-label=t("assistant-conversations")>
            <button type="button" class="button button-ghost" disabled=move || state.streaming()
                on:click=move |_| state.select(None)>{t("assistant-new")}</button>
            <ul>
                <For each=move || state.conversations.get() key=|c| (c.id.clone(), c.title.clone()) let:conversation>
                    <ConversationItem state conversation/>
                </For>
            </ul>
        </nav>
    }
}

#[component]
fn ConversationItem(state: Assistant, conversation: ConversationDto) -> impl IntoView {
    let i18n = state.i18n;
    let ConversationDto { id, title, .. } = conversation;
    let id = StoredValue::new(id);
    let title = StoredValue::new(title);
    let is = move |signal: RwSignal<Option<String>>| id.with_value(|id| signal.with(|s| s.as_deref() == Some(id)));
    let title_input = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = title_input.get() {
            let _ = input.focus();
            input.select();
        }
    });
    let save = move || {
        let Some(input) = title_input.get_untracked() else { return };
        let (id, new_title) = (id.get_value(), input.value());
        spawn_local(async move {
            match rename_conversation(id.clone(), new_title).await {
                Ok(updated) => {
                    state.renaming.set(None);
                    state.conversations.update(|list| {
                        if let Some(c) = list.iter_mut().find(|c| c.id == id) {
                            *c = updated;
                        }
                    });
                }
                Err(err) => state.error.set(Some(err.into())),
            }
        });
    };
    let remove = move || {
        let id = id.get_value();
        spawn_local(async move {
            match delete_conversation(id.clone()).await {
                Ok(()) => {
                    state.confirming_delete.set(None);
                    state.conversations.update(|list| list.retain(|c| c.id != id));
                    if state.current.get_untracked().as_deref() == Some(&id) {
                        state.select(None);
                    }
                }
                Err(err) => state.error.set(Some(err.into())),
            }
        });
    };
    let named = move |key: &'static str| move || i18n.t_args(key, &[("title", title.get_value())]);
    let actions = move || {
        if is(state.renaming) {
            view! {
                <form class="assistant-rename" on:submit=move |ev| {
                    ev.prevent_default();
                    save();
                } on:keydown=move |ev: web_sys::KeyboardEvent| {
                    // Escape leaves the title as it was, and keeps the panel open.
                    if ev.key() == "Escape" {
                        ev.prevent_default();
                        ev.stop_propagation();
                        state.renaming.set(None);
                    }
                }>
                    <input type="text" name="title" value=title.get_value() maxlength="200" node_ref=title_input
                        aria-label=t("assistant-rename-label")/>
                    <button type="submit" class="button">{t("assistant-rename-save")}</button>
                    <button type="button" class="button button-ghost"
                        on:click=move |_| state.renaming.set(None)>{t("assistant-rename-cancel")}</button>
                </form>
            }
            .into_any()
        } else if is(state.confirming_delete) {
            view! {
                <span class="assistant-confirm" role="alert">{named("assistant-delete-confirm")}</span>
                <button type="button" class="button danger" on:click=move |_| remove()>{t("assistant-delete-yes")}</button>
                <button type="button" class="button button-ghost"
                    on:click=move |_| state.confirming_delete.set(None)>{t("assistant-delete-no")}</button>
            }
            .into_any()
        } else {
            view! {
                <button type="button" class="assistant-conversation-title"
                    aria-current=move || is(state.current).then_some("true")
                    disabled=move || state.streaming()
                    on:click=move |_| state.select(Some(id.get_value()))>{title.get_value()}</button>
                <button type="button" class="button button-ghost" aria-label=named("assistant-rename-named")
                    on:click=move |_| state.renaming.set(Some(id.get_value()))>{t("assistant-rename")}</button>
                <button type="button" class="button button-ghost danger" aria-label=named("assistant-delete-named")
                    on:click=move |_| state.confirming_delete.set(Some(id.get_value()))>{t("assistant-delete")}</button>
            }
            .into_any()
        }
    };
    view! { <li class="assistant-conversation">{actions}</li> }
}
