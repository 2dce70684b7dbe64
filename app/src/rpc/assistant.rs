//! `/rpc/assistant/*`: the AI assistant's conversations, today's usage, and `ask`, whose answer
//! streams as newline-delimited JSON ([`AnswerEventDto`], one per line). A caller stops an answer
//! by closing the request: the server then drops the answer, which the domain stores as stopped.

use leptos::{
    prelude::*,
    server_fn::codec::{ByteStream, GetUrl, Streaming},
};

use crate::{
    dto::{ConversationDto, HelpPageDto, MessageDto, UsageDto},
    error::AppError,
};

#[cfg(feature = "ssr")]
use crate::dto::AnswerEventDto;

/// The user's conversations, most recently active first.
#[server(prefix = "/rpc", endpoint = "assistant/conversations", input = GetUrl)]
pub async fn list_conversations() -> Result<Vec<ConversationDto>, AppError> {
    use crate::rpc::ssr::*;

    let list = assistant().await?.conversations(&actor()).await.map_err(fail)?;
    Ok(list.iter().map(ConversationDto::from).collect())
}

/// A conversation's messages, oldest first.
#[server(prefix = "/rpc", endpoint = "assistant/messages", input = GetUrl)]
pub async fn conversation_messages(id: String) -> Result<Vec<MessageDto>, AppError> {
    use crate::rpc::ssr::*;

    let list = assistant().await?.messages(&actor(), parse_id(&id)?).await.map_err(fail)?;
    Ok(list.iter().map(MessageDto::from).collect())
}

#[server(prefix = "/rpc", endpoint = "assistant/rename")]
pub async fn rename_conversation(id: String, title: String) -> Result<ConversationDto, AppError> {
    use crate::rpc::ssr::*;

    let info = assistant().await?.rename(&actor(), parse_id(&id)?, &title).await.map_err(fail)?;
    redirect_form_post_back();
    Ok(ConversationDto::from(&info))
}

/// Deletes a conversation and its messages.
#[server(prefix = "/rpc", endpoint = "assistant/delete")]
pub async fn delete_conversation(id: String) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    assistant().await?.delete(&actor(), parse_id(&id)?).await.map_err(fail)?;
    redirect_form_post("/assistant");
    Ok(())
}

/// Today's questions and tokens against the daily limits.
#[server(prefix = "/rpc", endpoint = "assistant/usage", input = GetUrl)]
pub async fn assistant_usage() -> Result<UsageDto, AppError> {
    use crate::rpc::ssr::*;

    let usage = assistant().await?.usage(&actor()).await.map_err(fail)?;
    Ok(usage.into())
}

/// Asks `question`, in the conversation `conversation` or (without one) a new one. The answer
/// streams as newline-delimited JSON: the browser gets it in chunks that need not end at a line,
/// nor at a character. Refusals (a daily limit, an empty question) come before the stream, as a
/// plain error with its status code.
#[server(prefix = "/rpc", endpoint = "assistant/ask", output = Streaming)]
pub async fn ask(conversation: Option<String>, question: String) -> Result<ByteStream<AppError>, AppError> {
    use futures::StreamExt;

    use crate::rpc::ssr::*;

    let conversation = conversation.filter(|id| !id.is_empty()).map(|id| parse_id(&id)).transpose()?;
    let answer = assistant().await?.ask(&actor(), conversation, &question).await.map_err(fail)?;
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        use axum::http::{HeaderValue, header};
        // Each line should reach the browser as soon as it is written: no cache, and no proxy
        // (nor this server's compression, see `server::startup`) may hold it back.
        response.insert_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response.insert_header(header::HeaderName::from_static(UNBUFFERED.0), HeaderValue::from_static(UNBUFFERED.1));
        response.insert_header(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson"));
    }
    // Lives as long as the answer does: when the browser goes away mid-answer, the server drops
    // the response body, this guard with it, and the domain's stream (storing what it had).
    let guard = StopLog { finished: false };
    let lines = answer.scan(guard, |guard, event| {
        let dto = AnswerEventDto::from(event);
        guard.finished |= matches!(dto, AnswerEventDto::Done { .. } | AnswerEventDto::Failed);
        let mut line = serde_json::to_vec(&dto).unwrap_or_default();
        line.push(b'\n');
        futures::future::ready(Some(Ok::<_, AppError>(line)))
    });
    Ok(ByteStream::new(lines))
}

/// The header (and its value) that marks a response as a live stream: reverse proxies such as
/// nginx pass it on unbuffered, and the server leaves it uncompressed.
pub const UNBUFFERED: (&str, &str) = ("x-accel-buffering", "no");

/// Notes in the log when an answer ends because its caller left.
#[cfg(feature = "ssr")]
struct StopLog {
    finished: bool,
}

#[cfg(feature = "ssr")]
impl Drop for StopLog {
    fn drop(&mut self) {
        if !self.finished {
            tracing::info!("the caller stopped the answer");
        }
    }
}

/// The help pages, in their order (slug and title; the text comes with `help_page`).
#[server(prefix = "/rpc", endpoint = "assistant/help_pages", input = GetUrl)]
pub async fn help_pages() -> Result<Vec<HelpPageDto>, AppError> {
    use domain::assistant::AssistantService;

    Ok(AssistantService::help_pages()
        .into_iter()
        .map(|(slug, title)| HelpPageDto { slug, title, markdown: String::new() })
        .collect())
}

/// One help page, by its slug.
#[server(prefix = "/rpc", endpoint = "assistant/help_page", input = GetUrl)]
pub async fn help_page(slug: String) -> Result<HelpPageDto, AppError> {
    use domain::assistant::AssistantService;

    let page = AssistantService::help_page(&slug).ok_or_else(|| crate::rpc::ssr::fail(AppError::NotFound))?;
    Ok(HelpPageDto { slug: page.slug, title: page.title, markdown: page.markdown })
}
