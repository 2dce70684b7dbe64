//! The assistant panel: a button in the header of every signed-in page opens a modal dialog with
//! the user's conversations, the chosen one's messages and a question box. Answers stream in as
//! they are written and can be stopped. Without JavaScript the button is a link to `/assistant`,
//! which lists the same conversations for reading.
//!
//! Here are the panel's state, which the header keeps, and the button that opens it; the dialog
//! is in `panel`, the conversation list in `conversations`, the messages in `messages`.

mod conversations;
mod messages;
mod panel;

use leptos::{html, prelude::*, task::spawn_local};

pub use messages::MessageItem;

use crate::{
    components::icon::{Icon, IconSvg},
    dto::{AnswerEventDto, ConversationDto, MessageDto, SourceDto, UsageDto},
    error::AppError,
    i18n::{I18n, t, use_i18n},
    rpc::assistant::{ask, assistant_usage, conversation_messages, list_conversations},
};
use panel::Panel;

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
