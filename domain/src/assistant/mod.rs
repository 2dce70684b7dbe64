//! The assistant: conversations per user, answered by a [`Provider`] from the passages of the
//! user's own documents (and the platform's help pages) that best match the question.
//!
//! Passages live in the database (the source of truth, shared by every process and carried by
//! backups); the full-text index over them is derived and rebuilt when it is missing or stale.

pub mod builtin;
pub mod chunking;
mod help;
pub mod openai;
pub mod prompt;
pub mod provider;
pub mod retrieval;
mod service;

use std::time::Duration;

use futures_util::stream::BoxStream;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

pub use provider::{Passage, Prompt, Provider, ProviderError, Token, TokenStream};
pub use service::{AssistantService, store_passages};

/// The settings `AI_*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssistantConfig {
    /// An OpenAI-compatible endpoint. Unset: the built-in provider answers from the documents alone.
    #[serde(default, deserialize_with = "base_url")]
    pub base_url: Option<url::Url>,
    /// The model the endpoint is asked for.
    #[serde(deserialize_with = "crate::config::parse::from_str")]
    pub model: String,
    /// The endpoint's API key, sent as a bearer token when set.
    #[serde(default, deserialize_with = "crate::config::parse::secret")]
    pub api_key: Option<secrecy::SecretString>,
    /// How long the endpoint may take to start answering, and between two parts of an answer.
    #[serde(deserialize_with = "timeout")]
    pub timeout: Duration,
    /// Questions each user may ask per day (UTC).
    #[serde(deserialize_with = "crate::config::parse::from_str")]
    pub daily_messages: u32,
    /// Tokens (in and out) each user may spend per day (UTC).
    #[serde(deserialize_with = "crate::config::parse::from_str")]
    pub daily_tokens: u64,
}

fn base_url<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<url::Url>, D::Error> {
    crate::config::parse::with(deserializer, http_url).map(Some)
}

fn timeout<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    crate::config::parse::with(deserializer, positive_duration)
}

fn http_url(value: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(value).map_err(|e| format!("not a URL: {e}"))?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        other => Err(format!("must be an http:// or https:// URL, not {other}://")),
    }
}

fn positive_duration(value: &str) -> Result<Duration, String> {
    match humantime::parse_duration(value).map_err(|e| e.to_string())? {
        d if d.is_zero() => Err("must be more than zero".into()),
        d => Ok(d),
    }
}

/// A conversation, as its owner sees it in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationInfo {
    pub id: Uuid,
    pub title: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    User,
    Assistant,
}

/// Where part of an answer came from: a passage of one of the user's files, or a help page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The file, when the passage is from one of the user's files.
    pub file_id: Option<Uuid>,
    /// The file's name or the help page's title.
    pub title: String,
    /// A path within the app (`/files/<id>` or `/help/<slug>`).
    pub url: String,
    /// The passage, shortened.
    pub snippet: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageInfo {
    pub id: Uuid,
    pub speaker: Speaker,
    /// Markdown, for the assistant's messages.
    pub content: String,
    pub sources: Vec<Source>,
    /// The user stopped this answer before it was complete.
    pub stopped: bool,
    pub created_at: OffsetDateTime,
}

/// Today's use against the daily limits (UTC day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub messages: u32,
    pub messages_limit: u32,
    pub tokens: u64,
    pub tokens_limit: u64,
}

/// What an answer streams, in this order: `Started`, `Sources`, any number of `Delta`s, then
/// exactly one of `Done` or `Failed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AnswerEvent {
    /// The conversation (new when the question started one) and the stored question.
    Started {
        conversation: ConversationInfo,
        question_id: Uuid,
    },
    Sources {
        sources: Vec<Source>,
    },
    /// The next piece of the answer's text.
    Delta {
        text: String,
    },
    /// The answer is complete and stored.
    Done {
        message_id: Uuid,
        usage: Usage,
    },
    /// The provider failed; what was received so far is stored. `reason` is for people.
    Failed {
        reason: String,
    },
}

/// An answer in progress. Dropping it stops the answer: what was received so far is stored,
/// marked as stopped.
pub type AnswerStream = BoxStream<'static, AnswerEvent>;

/// A help page, shown at `/help/<slug>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpPage {
    pub slug: String,
    pub title: String,
    pub markdown: String,
}
