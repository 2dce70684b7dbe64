//! The assistant panel: a button in the header of every signed-in page opens a modal dialog with
//! the user's conversations, the chosen one's messages and a question box. Answers stream in as
//! they are written and can be stopped. Without JavaScript the button is a link to `/assistant`,
//! which lists the same conversations for reading.

use leptos::{html, prelude::*, task::spawn_local};
use wasm_bindgen::JsCast;

use crate::{
    components::icon::{Icon, IconSvg},
    dto::{AnswerEventDto, ConversationDto, MessageDto, SourceDto, UsageDto},
    error::AppError,
    i18n::{I18n, t, use_i18n},
    markdown::{safe_link, to_safe_html},
    rpc::assistant::{
        ask, assistant_usage, conversation_messages, delete_conversation, list_conversations, rename_conversation,
    },
};

/// The answer being written: the question it answers and what arrived so far.
#[derive(Debug, Clone, Default)]
struct Pending {
    question: String,
    question_id: Option<String>,
    text: String,
    sources: Vec<SourceDto>,
}

/// What went wrong, as a translation key and its values.
#[derive(Debug, Clone, PartialEq)]
struct Problem {
    key: String,
    args: Vec<(&'static str, String)>,
}

impl From<AppError> for Problem {
    fn from(err: AppError) -> Self {
        Self { key: err.message_key(), args: err.message_args() }
    }
}

/// Everything the panel shows, kept by the header so it survives closing and reopening.
#[derive(Clone, Copy)]
struct Assistant {
    open: RwSignal<bool>,
    conversations: RwSignal<Vec<ConversationDto>>,
    current: RwSignal<Option<String>>,
    messages: RwSignal<Vec<MessageDto>>,
    pending: RwSignal<Option<Pending>>,
    usage: RwSignal<Option<UsageDto>>,
    error: RwSignal<Option<Problem>>,
    /// Said by screen readers: that an answer is complete (not each piece of it).
    announcement: RwSignal<String>,
    renaming: RwSignal<Option<String>>,
    confirming_delete: RwSignal<Option<String>>,
    /// Stops the answer in progress: dropping the request closes it, and the server stops too.
    stop: StoredValue<Option<futures::future::AbortHandle>>,
    i18n: I18n,
}

impl Assistant {
    fn new() -> Self {
        Self {
            open: RwSignal::new(false),
            conversations: RwSignal::new(Vec::new()),
            current: RwSignal::new(None),
            messages: RwSignal::new(Vec::new()),
            pending: RwSignal::new(None),
            usage: RwSignal::new(None),
            error: RwSignal::new(None),
            announcement: RwSignal::new(String::new()),
            renaming: RwSignal::new(None),
            confirming_delete: RwSignal::new(None),
            stop: StoredValue::new(None),
            i18n: use_i18n(),
        }
    }

    fn streaming(self) -> bool {
        self.pending.with(Option::is_some)
    }

    fn refresh_list(self) {
        spawn_local(async move {
            match list_conversations().await {
                Ok(list) => self.conversations.set(list),
                Err(err) => self.error.set(Some(err.into())),
            }
            if let Ok(usage) = assistant_usage().await {
                self.usage.set(Some(usage));
            }
        });
    }

    fn select(self, id: Option<String>) {
        self.current.set(id.clone());
        self.messages.set(Vec::new());
        self.error.set(None);
        let Some(id) = id else { return };
        spawn_local(async move {
            match conversation_messages(id.clone()).await {
                Ok(list) if self.current.get_untracked().as_deref() == Some(&id) => self.messages.set(list),
                Ok(_) => {}
                Err(err) => self.error.set(Some(err.into())),
            }
        });
    }

    fn send(self, question: String) {
        use futures::{StreamExt, future::Abortable};

        if question.trim().is_empty() || self.streaming() {
            return;
        }
        let (handle, registration) = futures::future::AbortHandle::new_pair();
        self.stop.set_value(Some(handle));
        self.error.set(None);
        self.pending.set(Some(Pending { question: question.clone(), ..Default::default() }));
        let conversation = self.current.get_untracked();
        spawn_local(async move {
            let run = async move {
                let stream = ask(conversation, question).await?;
                let mut chunks = std::pin::pin!(stream.into_inner());
                // Lines may arrive split across chunks (even inside a character): split on bytes.
                let mut buffer: Vec<u8> = Vec::new();
                while let Some(chunk) = chunks.next().await {
                    buffer.extend_from_slice(&chunk?);
                    while let Some(end) = buffer.iter().position(|b| *b == b'\n') {
                        let line: Vec<u8> = buffer.drain(..=end).collect();
                        if let Ok(event) = serde_json::from_slice::<AnswerEventDto>(&line) {
                            self.apply(event);
                        }
                    }
                }
                Ok::<(), AppError>(())
            };
            let stopped = match Abortable::new(run, registration).await {
                Ok(Ok(())) => false,
                Ok(Err(err)) => {
                    self.error.set(Some(err.into()));
                    false
                }
                Err(_aborted) => true,
            };
            self.finish(stopped, None);
        });
    }

    fn apply(self, event: AnswerEventDto) {
        match event {
            AnswerEventDto::Started { conversation, question_id } => {
                self.current.set(Some(conversation.id.clone()));
                self.conversations.update(|list| {
                    list.retain(|c| c.id != conversation.id);
                    list.insert(0, conversation);
                });
                self.pending.update(|p| {
                    if let Some(p) = p {
                        p.question_id = Some(question_id);
                    }
                });
            }
            AnswerEventDto::Sources { sources } => self.pending.update(|p| {
                if let Some(p) = p {
                    p.sources = sources;
                }
            }),
            AnswerEventDto::Delta { text } => self.pending.update(|p| {
                if let Some(p) = p {
                    p.text.push_str(&text);
                }
            }),
            AnswerEventDto::Done { message_id, usage } => {
                self.usage.set(Some(usage));
                self.finish(false, Some(message_id));
            }
            AnswerEventDto::Failed => {
                self.error.set(Some(Problem { key: "assistant-failed".into(), args: Vec::new() }));
                self.finish(false, None);
            }
        }
    }

    /// Moves the answer in progress into the list, as the server has stored it.
    fn finish(self, stopped: bool, message_id: Option<String>) {
        self.stop.set_value(None);
        let Some(pending) = self.pending.get_untracked() else { return };
        self.pending.set(None);
        self.messages.update(|list| {
            if let Some(id) = pending.question_id.clone() {
                list.push(MessageDto {
                    id,
                    from_user: true,
                    content: pending.question.clone(),
                    sources: Vec::new(),
                    stopped: false,
                    created_at: String::new(),
                });
            }
            if !pending.text.is_empty() || message_id.is_some() {
                list.push(MessageDto {
                    id: message_id.clone().unwrap_or_else(|| format!("pending-{}", list.len())),
                    from_user: false,
                    content: pending.text.clone(),
                    sources: pending.sources.clone(),
                    stopped,
                    created_at: String::new(),
                });
            }
        });
        let key = if stopped { "assistant-stopped" } else { "assistant-answered" };
        self.announcement.set(self.i18n.t(key));
        self.refresh_list();
    }
}

/// The header's button; it owns the panel.
#[component]
pub fn AssistantLauncher() -> impl IntoView {
    let state = Assistant::new();
    let button = NodeRef::<html::A>::new();
    let close = move || {
        state.open.set(false);
        state.renaming.set(None);
        state.confirming_delete.set(None);
        // Back where the user was before opening it.
        if let Some(button) = button.get_untracked() {
            let _ = button.focus();
        }
    };
    view! {
        <a class="assistant-toggle" href="/assistant" node_ref=button aria-haspopup="dialog"
            aria-expanded=move || if state.open.get() { "true" } else { "false" }
            aria-label=t("assistant-open")
            on:click=move |ev| {
                ev.prevent_default();
                if !state.open.get_untracked() {
                    state.open.set(true);
                    state.refresh_list();
                }
            }>
            <IconSvg icon=Icon::Assistant/>
        </a>
        <Show when=move || state.open.get()>
            <Panel state close/>
        </Show>
    }
}

/// The selector of what Tab moves between inside the panel.
const FOCUSABLE: &str =
    "a[href], button:not([disabled]), textarea:not([disabled]), input:not([disabled]), [tabindex]:not([tabindex='-1'])";

#[component]
fn Panel(state: Assistant, close: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
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

#[component]
fn Conversations(state: Assistant) -> impl IntoView {
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

#[component]
fn Messages(state: Assistant) -> impl IntoView {
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
