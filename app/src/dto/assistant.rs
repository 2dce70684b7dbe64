//! The assistant: conversations, their messages and sources, the answer stream, the day's usage
//! and the help pages it cites.

use serde::{Deserialize, Serialize};

/// A conversation with the assistant, as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationDto {
    pub id: String,
    pub title: String,
    /// RFC 3339, UTC: when the last question was asked.
    pub updated_at: String,
}

/// Where part of an answer came from: a link within the app (a file or a help page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceDto {
    pub title: String,
    /// `/files/<id>` or `/help/<slug>`.
    pub url: String,
    pub snippet: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageDto {
    pub id: String,
    /// Asked by the user (else answered by the assistant).
    pub from_user: bool,
    /// Markdown, for the assistant's answers.
    pub content: String,
    pub sources: Vec<SourceDto>,
    /// The user stopped this answer before it was complete.
    pub stopped: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// Today's use of the assistant against the daily limits (UTC day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageDto {
    pub messages: u32,
    pub messages_limit: u32,
    pub tokens: u64,
    pub tokens_limit: u64,
}

/// One line of the answer stream of `/rpc/assistant/ask` (newline-delimited JSON), in this order:
/// `started`, `sources`, any number of `delta`s, then exactly one of `done` or `failed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AnswerEventDto {
    /// The conversation (new when the question started one) and the stored question.
    Started {
        conversation: ConversationDto,
        question_id: String,
    },
    Sources {
        sources: Vec<SourceDto>,
    },
    /// The next piece of the answer's Markdown.
    Delta {
        text: String,
    },
    /// The answer is complete and stored.
    Done {
        message_id: String,
        usage: UsageDto,
    },
    /// The provider failed; what arrived so far is stored. The UI shows its own words.
    Failed,
}

/// A page of the built-in help, which the assistant cites as a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpPageDto {
    pub slug: String,
    pub title: String,
    pub markdown: String,
}

#[cfg(feature = "ssr")]
mod ssr {
    use domain::assistant::{AnswerEvent, ConversationInfo, MessageInfo, Source, Speaker, Usage};

    use super::{AnswerEventDto, ConversationDto, MessageDto, SourceDto, UsageDto};
    use crate::dto::rfc3339;

    impl From<&ConversationInfo> for ConversationDto {
        fn from(c: &ConversationInfo) -> Self {
            Self { id: c.id.to_string(), title: c.title.clone(), updated_at: rfc3339(c.updated_at) }
        }
    }

    impl From<&Source> for SourceDto {
        fn from(s: &Source) -> Self {
            Self { title: s.title.clone(), url: s.url.clone(), snippet: s.snippet.clone() }
        }
    }

    impl From<&MessageInfo> for MessageDto {
        fn from(m: &MessageInfo) -> Self {
            Self {
                id: m.id.to_string(),
                from_user: m.speaker == Speaker::User,
                content: m.content.clone(),
                sources: m.sources.iter().map(SourceDto::from).collect(),
                stopped: m.stopped,
                created_at: rfc3339(m.created_at),
            }
        }
    }

    impl From<Usage> for UsageDto {
        fn from(u: Usage) -> Self {
            Self {
                messages: u.messages,
                messages_limit: u.messages_limit,
                tokens: u.tokens,
                tokens_limit: u.tokens_limit,
            }
        }
    }

    impl From<AnswerEvent> for AnswerEventDto {
        fn from(event: AnswerEvent) -> Self {
            match event {
                AnswerEvent::Started { conversation, question_id } => {
                    Self::Started { conversation: (&conversation).into(), question_id: question_id.to_string() }
                }
                AnswerEvent::Sources { sources } => {
                    Self::Sources { sources: sources.iter().map(SourceDto::from).collect() }
                }
                AnswerEvent::Delta { text } => Self::Delta { text },
                AnswerEvent::Done { message_id, usage } => {
                    Self::Done { message_id: message_id.to_string(), usage: usage.into() }
                }
                AnswerEvent::Failed { reason } => {
                    // For people, but in the provider's words and language: the log keeps it, the
                    // UI says it its own way.
                    tracing::warn!(%reason, "the assistant's provider failed");
                    Self::Failed
                }
            }
        }
    }
}
