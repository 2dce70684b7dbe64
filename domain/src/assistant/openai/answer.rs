//! Reading a streamed answer: each `data:` payload is a chat-completions chunk, whose text
//! becomes tokens; the stream ends with the usage (reported, or estimated), and a stream that
//! stops before `[DONE]`, a finish reason or the usage was cut off.

use std::{collections::VecDeque, time::Duration};

use serde::Deserialize;
use tokio::time::timeout;

use super::{chain, events::EventReader};
use crate::assistant::Token;

pub(super) fn usage_or_estimate(usage: Option<Usage>, prompt_chars: u64, completion_chars: u64) -> Token {
    match usage {
        Some(Usage { prompt_tokens, completion_tokens }) => {
            Token::Usage { prompt: prompt_tokens, completion: completion_tokens }
        }
        // About four characters a token for the languages we serve; counts against the daily
        // limit, so rounding up.
        None => Token::Usage { prompt: prompt_chars.div_ceil(4), completion: completion_chars.div_ceil(4) },
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct Usage {
    prompt_tokens: u64,
    completion_tokens: u64,
}

#[derive(Deserialize)]
pub(super) struct ErrorBody {
    pub(super) error: ErrorObject,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum ErrorObject {
    Described { message: String },
    Plain(String),
}

impl ErrorObject {
    pub(super) fn message(self) -> String {
        match self {
            Self::Described { message } | Self::Plain(message) => message,
        }
    }
}

/// One `data:` payload of the stream.
#[derive(Deserialize)]
struct Chunk {
    // vLLM sends `"choices": null` on the usage chunk.
    #[serde(default)]
    choices: Option<Vec<ChunkChoice>>,
    #[serde(default)]
    usage: Option<Usage>,
    #[serde(default)]
    error: Option<ErrorObject>,
}

#[derive(Deserialize)]
struct ChunkChoice {
    #[serde(default)]
    delta: Option<Delta>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Delta {
    #[serde(default)]
    content: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub(super) enum ReadError {
    #[error("the connection failed: {0}")]
    Connection(String),
    #[error("went silent for {0:?}")]
    Silent(Duration),
    #[error("sent an event that is not a chat-completions chunk: {0}")]
    Malformed(String),
    #[error("reported an error: {0}")]
    Refused(String),
}

/// An answer being read. Owns the response, so dropping it closes the connection.
pub(super) struct Answer {
    response: reqwest::Response,
    events: EventReader,
    pending: VecDeque<Token>,
    idle: Duration,
    prompt_chars: u64,
    completion_chars: u64,
    usage: Option<Usage>,
    /// `[DONE]`, a finish reason or the usage chunk: an end of stream after it is no cut.
    complete: bool,
    done: bool,
    finished: bool,
}

impl Answer {
    pub(super) fn new(response: reqwest::Response, idle: Duration, prompt_chars: u64) -> Self {
        Self {
            response,
            events: EventReader::default(),
            pending: VecDeque::new(),
            idle,
            prompt_chars,
            completion_chars: 0,
            usage: None,
            complete: false,
            done: false,
            finished: false,
        }
    }

    /// The next token; after an error or the usage, nothing more.
    pub(super) async fn next(&mut self) -> Option<Result<Token, ReadError>> {
        loop {
            if let Some(token) = self.pending.pop_front() {
                return Some(Ok(token));
            }
            if self.finished {
                return None;
            }
            if self.done {
                self.finish();
                continue;
            }
            match self.events.next_event() {
                Ok(Some(data)) => {
                    if let Err(error) = self.handle(&data) {
                        return Some(Err(self.fail(error)));
                    }
                    continue;
                }
                Ok(None) => {}
                Err(error) => return Some(Err(self.fail(error))),
            }
            match timeout(self.idle, self.response.chunk()).await {
                Err(_) => return Some(Err(self.fail(ReadError::Silent(self.idle)))),
                Ok(Err(e)) => return Some(Err(self.fail(ReadError::Connection(chain(&e))))),
                Ok(Ok(Some(bytes))) => self.events.push(&bytes),
                Ok(Ok(None)) => {
                    if let Some(data) = self.events.end()
                        && let Err(error) = self.handle(&data)
                    {
                        return Some(Err(self.fail(error)));
                    }
                    if !(self.complete || self.done) {
                        return Some(Err(
                            self.fail(ReadError::Connection("closed before the answer was complete".to_owned()))
                        ));
                    }
                    self.done = true;
                }
            }
        }
    }

    fn handle(&mut self, data: &str) -> Result<(), ReadError> {
        if data.trim() == "[DONE]" {
            self.done = true;
            return Ok(());
        }
        let chunk: Chunk = serde_json::from_str(data).map_err(|e| ReadError::Malformed(e.to_string()))?;
        if let Some(error) = chunk.error {
            return Err(ReadError::Refused(error.message()));
        }
        if let Some(choice) = chunk.choices.unwrap_or_default().into_iter().next() {
            if let Some(text) = choice.delta.and_then(|d| d.content).filter(|t| !t.is_empty()) {
                self.completion_chars += text.chars().count() as u64;
                self.pending.push_back(Token::Text(text));
            }
            self.complete |= choice.finish_reason.is_some();
        }
        if chunk.usage.is_some() {
            self.usage = chunk.usage;
            self.complete = true;
        }
        Ok(())
    }

    fn finish(&mut self) {
        self.finished = true;
        let usage = usage_or_estimate(self.usage.take(), self.prompt_chars, self.completion_chars);
        self.pending.push_back(usage);
    }

    fn fail(&mut self, error: ReadError) -> ReadError {
        self.finished = true;
        self.pending.clear();
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn error_bodies_of_openai_and_ollama_give_their_message() {
        let openai: ErrorBody = serde_json::from_str(r#"{"error":{"message":"bad key","type":"x"}}"#).unwrap();
        assert_eq!(openai.error.message(), "bad key");
        let ollama: ErrorBody = serde_json::from_str(r#"{"error":"model not found"}"#).unwrap();
        assert_eq!(ollama.error.message(), "model not found");
    }

    #[test]
    fn usage_is_estimated_when_not_reported() {
        assert_eq!(usage_or_estimate(None, 10, 3), Token::Usage { prompt: 3, completion: 1 });
    }
}
