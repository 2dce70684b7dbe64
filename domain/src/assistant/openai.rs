//! The provider for OpenAI-compatible endpoints (OpenAI, Ollama, vLLM, llama.cpp's server):
//! one streamed `POST {base_url}/chat/completions`, read as server-sent events.
//!
//! The event stream is parsed here rather than by a crate: it is a few lines of framing, and
//! owning it lets the idle timeout and the "cut off or finished?" decision sit next to it.

use std::{collections::VecDeque, error::Error as _, fmt::Write as _, time::Duration};

use futures_util::{FutureExt, StreamExt, future::BoxFuture, stream};
use reqwest::{StatusCode, header};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::time::timeout;
use url::Url;

use super::{
    AssistantConfig, Prompt, Provider, ProviderError, Token, TokenStream,
    prompt::{self, Budget},
};

const ATTEMPTS: u32 = 3;
/// The longest wait between two attempts, whatever the endpoint's Retry-After says: the user
/// is watching a spinner.
const MAX_WAIT: Duration = Duration::from_secs(10);
/// An event longer than this is not a chat-completions chunk; stops a broken endpoint from
/// filling memory.
const MAX_EVENT_BYTES: usize = 1 << 20;
/// Enough of an error body to find its message.
const MAX_ERROR_BYTES: usize = 64 << 10;

pub struct OpenAiProvider {
    client: reqwest::Client,
    endpoint: Url,
    /// The endpoint as errors and logs name it: without any credentials in the URL.
    shown: String,
    model: String,
    api_key: Option<SecretString>,
    timeout: Duration,
    budget: Budget,
    first_wait: Duration,
}

impl OpenAiProvider {
    pub fn new(config: &AssistantConfig) -> anyhow::Result<Self> {
        let base = config
            .base_url
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("the assistant's OpenAI-compatible provider needs AI_BASE_URL"))?;
        anyhow::ensure!(
            matches!(base.scheme(), "http" | "https"),
            "AI_BASE_URL must be an http(s) URL, not {}",
            base.scheme()
        );
        anyhow::ensure!(!config.timeout.is_zero(), "AI_TIMEOUT must be more than zero");
        let endpoint = completions_url(base);
        let mut shown = endpoint.clone();
        let _ = shown.set_password(None);
        let _ = shown.set_username("");
        let client = reqwest::Client::builder()
            .connect_timeout(config.timeout)
            // A redirect would resend the question (and the key) somewhere not configured.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("SmartAIPlatForm/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| anyhow::anyhow!("building the HTTP client for {shown}: {e}"))?;
        Ok(Self {
            client,
            endpoint,
            shown: shown.to_string(),
            model: config.model.clone(),
            api_key: config.api_key.clone(),
            timeout: config.timeout,
            budget: Budget::default(),
            first_wait: Duration::from_millis(250),
        })
    }

    /// How much of the documents a prompt may carry (smaller for models with a small context).
    pub fn with_budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    /// The wait before the second attempt; it doubles before each further one.
    pub fn with_first_wait(mut self, wait: Duration) -> Self {
        self.first_wait = wait;
        self
    }

    async fn start(&self, prompt: Prompt) -> Result<TokenStream, ProviderError> {
        let chat = prompt::build(&prompt, self.budget);
        let body = serde_json::json!({
            "model": self.model,
            "messages": chat.messages,
            "stream": true,
            "stream_options": { "include_usage": true },
        });
        let body = serde_json::to_vec(&body).expect("a JSON value always serialises");
        let prompt_chars = chat.chars() as u64;

        let mut attempt = 1;
        loop {
            match self.attempt(&body, prompt_chars).await {
                Ok(stream) => return Ok(stream),
                Err(Failure::Final(error)) => return Err(error),
                Err(Failure::Retry { reason, retry_after }) if attempt < ATTEMPTS => {
                    let wait = retry_after.unwrap_or(self.first_wait * 2u32.pow(attempt - 1)).min(MAX_WAIT);
                    tracing::warn!(endpoint = %self.shown, attempt, ?wait, %reason, "retrying the assistant's provider");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err(Failure::Retry { reason, .. }) => {
                    return Err(ProviderError::Unavailable(format!(
                        "{}: {reason} (gave up after {attempt} attempts)",
                        self.shown
                    )));
                }
            }
        }
    }

    /// One request, up to its first token: until then a failure may still be retried.
    async fn attempt(&self, body: &[u8], prompt_chars: u64) -> Result<TokenStream, Failure> {
        let mut request = self
            .client
            .post(self.endpoint.clone())
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "text/event-stream")
            .body(body.to_vec());
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key.expose_secret());
        }
        let response = match timeout(self.timeout, request.send()).await {
            // Not retried: a silent endpoint would keep the user waiting three times as long.
            Err(_) => return Err(self.unavailable(format!("did not answer within {:?}", self.timeout))),
            Ok(Err(e)) if e.is_builder() => return Err(self.unavailable(chain(&e))),
            Ok(Err(e)) => {
                return Err(Failure::Retry { reason: chain(&e), retry_after: None });
            }
            Ok(Ok(response)) => response,
        };

        let status = response.status();
        if !status.is_success() {
            let retry_after = retry_after(&response);
            let message = self.error_message(response).await;
            let reason = format!("answered {status}: {message}");
            return Err(if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
                Failure::Retry { reason, retry_after }
            } else {
                Failure::Final(ProviderError::Refused(format!("{}: {reason}", self.shown)))
            });
        }

        let is_json = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if is_json {
            // Some proxies and older servers ignore `stream: true` and send the whole answer.
            return self.whole_answer(response, prompt_chars).await;
        }

        let mut answer = Answer::new(response, self.timeout, prompt_chars);
        let first = match answer.next().await {
            Some(Ok(token)) => token,
            None => return Ok(stream::empty().boxed()),
            Some(Err(ReadError::Connection(reason))) => {
                return Err(Failure::Retry { reason, retry_after: None });
            }
            Some(Err(ReadError::Refused(message))) => {
                return Err(Failure::Final(ProviderError::Refused(format!("{}: {message}", self.shown))));
            }
            Some(Err(other)) => return Err(self.unavailable(other.to_string())),
        };
        let shown = self.shown.clone();
        let rest = stream::unfold(answer, move |mut answer| {
            let shown = shown.clone();
            async move {
                let item = answer.next().await?;
                Some((item.map_err(|e| ProviderError::Interrupted(format!("{shown}: {e}"))), answer))
            }
        });
        Ok(stream::once(async move { Ok(first) }).chain(rest).boxed())
    }

    async fn whole_answer(&self, response: reqwest::Response, prompt_chars: u64) -> Result<TokenStream, Failure> {
        #[derive(Deserialize)]
        struct Completion {
            #[serde(default)]
            choices: Vec<Choice>,
            usage: Option<Usage>,
        }
        #[derive(Deserialize)]
        struct Choice {
            message: Message,
        }
        #[derive(Deserialize)]
        struct Message {
            #[serde(default)]
            content: Option<String>,
        }
        let bytes = match timeout(self.timeout, response.bytes()).await {
            Err(_) => return Err(self.unavailable(format!("went silent for {:?}", self.timeout))),
            Ok(Err(e)) => {
                return Err(Failure::Retry { reason: chain(&e), retry_after: None });
            }
            Ok(Ok(bytes)) => bytes,
        };
        let completion: Completion = serde_json::from_slice(&bytes)
            .map_err(|e| self.unavailable(format!("sent a completion that does not parse: {e}")))?;
        let text = completion.choices.into_iter().next().and_then(|c| c.message.content).unwrap_or_default();
        let usage = usage_or_estimate(completion.usage, prompt_chars, text.chars().count() as u64);
        let tokens = (!text.is_empty()).then_some(Token::Text(text)).into_iter().chain([usage]);
        Ok(stream::iter(tokens.map(Ok)).boxed())
    }

    /// The message of an error response: OpenAI's `{"error": {"message": …}}`, Ollama's
    /// `{"error": "…"}`, or the start of whatever else was sent.
    async fn error_message(&self, mut response: reqwest::Response) -> String {
        let mut body = Vec::new();
        while body.len() < MAX_ERROR_BYTES {
            match timeout(self.timeout, response.chunk()).await {
                Ok(Ok(Some(chunk))) => body.extend_from_slice(&chunk),
                _ => break,
            }
        }
        if let Ok(ErrorBody { error }) = serde_json::from_slice(&body) {
            return error.message();
        }
        let text = String::from_utf8_lossy(&body);
        let text = text.trim();
        if text.is_empty() { "no error message".to_owned() } else { text.chars().take(300).collect() }
    }

    fn unavailable(&self, reason: String) -> Failure {
        Failure::Final(ProviderError::Unavailable(format!("{}: {reason}", self.shown)))
    }
}

impl Provider for OpenAiProvider {
    fn name(&self) -> &'static str {
        "openai"
    }

    fn answer(&self, prompt: Prompt) -> BoxFuture<'_, Result<TokenStream, ProviderError>> {
        self.start(prompt).boxed()
    }
}

/// `{base}/chat/completions`, whether or not the base ends with a slash (a plain `Url::join`
/// would drop the base's last segment, `/v1`, when it does not).
fn completions_url(base: &Url) -> Url {
    let mut url = base.clone();
    let path = format!("{}/chat/completions", base.path().trim_end_matches('/'));
    url.set_path(&path);
    url
}

enum Failure {
    Retry { reason: String, retry_after: Option<Duration> },
    Final(ProviderError),
}

fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let seconds: u64 = response.headers().get(header::RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(seconds))
}

/// An error with its causes: reqwest's own message ("error sending request") says nothing
/// about why. Without the URL, which the caller names once.
fn chain(error: &reqwest::Error) -> String {
    let mut text = if error.is_connect() {
        "could not connect".to_owned()
    } else if error.is_timeout() {
        "timed out".to_owned()
    } else {
        "the connection failed".to_owned()
    };
    let mut source = error.source();
    while let Some(cause) = source {
        let _ = write!(text, ": {cause}");
        source = cause.source();
    }
    text
}

fn usage_or_estimate(usage: Option<Usage>, prompt_chars: u64, completion_chars: u64) -> Token {
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
struct Usage {
    prompt_tokens: u64,
    completion_tokens: u64,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorObject,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorObject {
    Described { message: String },
    Plain(String),
}

impl ErrorObject {
    fn message(self) -> String {
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
enum ReadError {
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
struct Answer {
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
    fn new(response: reqwest::Response, idle: Duration, prompt_chars: u64) -> Self {
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
    async fn next(&mut self) -> Option<Result<Token, ReadError>> {
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

/// Server-sent events framing: lines ended by LF, CRLF or CR; `data:` lines joined; comments
/// and other fields skipped; a blank line ends an event.
#[derive(Default)]
struct EventReader {
    buffer: Vec<u8>,
    data: Option<String>,
}

impl EventReader {
    fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The next complete event's data, if the buffer holds one.
    fn next_event(&mut self) -> Result<Option<String>, ReadError> {
        while let Some(line) = self.next_line() {
            let line = String::from_utf8(line).map_err(|_| ReadError::Malformed("not UTF-8".to_owned()))?;
            if line.is_empty() {
                if let Some(data) = self.data.take() {
                    return Ok(Some(data));
                }
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((&line, ""));
            if field == "data" {
                let value = value.strip_prefix(' ').unwrap_or(value);
                match &mut self.data {
                    Some(data) => {
                        data.push('\n');
                        data.push_str(value);
                    }
                    None => self.data = Some(value.to_owned()),
                }
            }
        }
        let pending = self.buffer.len() + self.data.as_ref().map_or(0, String::len);
        if pending > MAX_EVENT_BYTES {
            return Err(ReadError::Malformed(format!("an event longer than {MAX_EVENT_BYTES} bytes")));
        }
        Ok(None)
    }

    fn next_line(&mut self) -> Option<Vec<u8>> {
        let end = self.buffer.iter().position(|&b| b == b'\n' || b == b'\r')?;
        let mut skip = 1;
        if self.buffer[end] == b'\r' {
            match self.buffer.get(end + 1) {
                // A CR at the end of what arrived: its LF may be in the next chunk.
                None => return None,
                Some(b'\n') => skip = 2,
                Some(_) => {}
            }
        }
        let line = self.buffer[..end].to_vec();
        self.buffer.drain(..end + skip);
        Some(line)
    }

    /// At the end of the stream: an event whose blank line never came still counts.
    fn end(&mut self) -> Option<String> {
        if !self.buffer.is_empty() {
            self.buffer.push(b'\n');
        }
        self.buffer.push(b'\n');
        self.next_event().ok().flatten()
    }
}

/// The events `chunks` frame, read as an answer reads them: each chunk as it arrives, then the end
/// of the stream; a malformed event ends the reading with its reason. For the fuzz target
/// `fuzz/fuzz_targets/sse.rs`, which checks that where the chunks are cut does not matter.
#[doc(hidden)]
pub fn sse_events<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> (Vec<String>, Option<String>) {
    let mut reader = EventReader::default();
    let mut events = Vec::new();
    for chunk in chunks {
        reader.push(chunk);
        loop {
            match reader.next_event() {
                Ok(Some(data)) => events.push(data),
                Ok(None) => break,
                Err(error) => return (events, Some(error.to_string())),
            }
        }
    }
    events.extend(reader.end());
    (events, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(chunks: &[&[u8]]) -> Vec<String> {
        let mut reader = EventReader::default();
        let mut out = Vec::new();
        for chunk in chunks {
            reader.push(chunk);
            while let Some(data) = reader.next_event().unwrap() {
                out.push(data);
            }
        }
        out.extend(reader.end());
        out
    }

    #[test]
    fn the_endpoint_is_joined_with_or_without_a_trailing_slash() {
        for base in ["http://localhost:11434/v1", "http://localhost:11434/v1/"] {
            let url = completions_url(&Url::parse(base).unwrap());
            assert_eq!(url.as_str(), "http://localhost:11434/v1/chat/completions");
        }
        let root = completions_url(&Url::parse("https://api.example.com").unwrap());
        assert_eq!(root.as_str(), "https://api.example.com/chat/completions");
        let query = completions_url(&Url::parse("https://x.example/openai?api-version=1").unwrap());
        assert_eq!(query.as_str(), "https://x.example/openai/chat/completions?api-version=1");
    }

    #[test]
    fn events_split_anywhere_come_out_whole() {
        let stream = b": keep-alive\n\ndata: {\"a\":1}\n\ndata: {\"b\":2}\r\n\r\nevent: x\ndata: [DONE]\n\n";
        let whole = events(&[stream]);
        assert_eq!(whole, ["{\"a\":1}", "{\"b\":2}", "[DONE]"]);
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(events(&bytes), whole);
        for cut in 0..stream.len() {
            assert_eq!(events(&[&stream[..cut], &stream[cut..]]), whole, "cut at {cut}");
        }
    }

    #[test]
    fn multi_line_data_is_joined_and_a_last_event_without_blank_line_counts() {
        assert_eq!(events(&[b"data: one\ndata:two\r\rdata: last"]), ["one\ntwo", "last"]);
    }

    #[test]
    fn a_runaway_event_is_refused() {
        let mut reader = EventReader::default();
        reader.push(&vec![b'x'; MAX_EVENT_BYTES + 1]);
        assert!(matches!(reader.next_event(), Err(ReadError::Malformed(_))));
    }

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
