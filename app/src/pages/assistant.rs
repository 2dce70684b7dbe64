//! `/assistant`: the user's conversations with the assistant, for reading without JavaScript (the
//! header's button opens the interactive panel instead once the page is hydrated).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_query_map};

use super::error::ErrorPage;
use crate::{
    components::{assistant::MessageItem, loading::loading},
    error::AppError,
    i18n::t,
    rpc::assistant::{conversation_messages, list_conversations},
};

#[component]
pub fn AssistantPage() -> impl IntoView {
    let query = use_query_map();
    let selected = Memo::new(move |_| query.with(|q| q.get("c")));
    let conversations = Resource::new(|| (), |_| list_conversations());
    let messages = Resource::new(
        move || selected.get(),
        |id| async move {
            match id {
                Some(id) => conversation_messages(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text=t("assistant-title")/>
        <div class="page-heading">
            <h1>{t("assistant-title")}</h1>
            <p class="muted">{t("assistant-page-lead")}</p>
        </div>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match conversations.await {
                    Err(AppError::Unauthenticated) => view! { <Redirect path="/signin"/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="card muted empty">{t("assistant-none")}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="assistant-page">
                            <nav class="card assistant-conversations" aria-label=t("assistant-conversations")>
                                <ul>
                                    {list.into_iter().map(|c| {
                                        let href = format!("/assistant?c={}", c.id);
                                        let current = move || (selected.get().as_deref() == Some(c.id.as_str())).then_some("page");
                                        view! { <li><a href=href aria-current=current>{c.title}</a></li> }
                                    }).collect_view()}
                                </ul>
                            </nav>
                            <section class="card assistant-chat">
                                {move || Suspend::new(async move {
                                    match messages.await {
                                        Ok(Some(list)) => view! {
                                            <ol class="assistant-messages">
                                                {list.into_iter().map(|message| view! { <MessageItem message/> }).collect_view()}
                                            </ol>
                                        }.into_any(),
                                        Ok(None) => view! { <p class="muted">{t("assistant-pick")}</p> }.into_any(),
                                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                                    }
                                })}
                            </section>
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
