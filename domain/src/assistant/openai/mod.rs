//! The provider for OpenAI-compatible endpoints (OpenAI, Ollama, vLLM, llama.cpp's server):
//! one streamed `POST {base_url}/chat/completions`, read as server-sent events.
//!
//!
//! The event stream is parsed here rather than by a crate: it is a few lines of framing
//! (`events`), and owning it lets the idle timeout and the "cut off or finished?" decision sit
//! next to it, where an answer is read (`answer`).

mod answer;
mod events;

use std::{error::Error as _, fmt::Write as _, time::Duration};

use futures_util::{FutureExt, StreamExt, future::BoxFuture, stream};
use reqwest::{StatusCode, header};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::time::timeout;
use url::Url;

pub use events::sse_events;

use super::{
    AssistantConfig, Prompt, Provider, ProviderError, Token, TokenStream,
    prompt::{self, Budget},
};
use answer::{Answer, ErrorBody, ReadError, Usage, usage_or_estimate};

const ATTEMPTS: u32 = 3;
/// The longest wait between two attempts, whatever the endpoint's Retry-After says: the user
/// is watching a spinner.
const MAX_WAIT: Duration = Duration::from_secs(10);
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

#[cfg(test)]
mod tests {
    use super::*;
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
}
