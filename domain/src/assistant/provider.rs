//! What answers a question: the built-in retrieval provider or an OpenAI-compatible endpoint,
//! behind one trait so the service does not care which.

use futures_util::{future::BoxFuture, stream::BoxStream};

use super::Source;

/// One retrieved passage given to the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    pub source: Source,
    /// The passage's full text.
    pub text: String,
}

/// Everything a provider is given: the conversation so far, the question, and the passages
/// that best match it, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// Earlier turns, oldest first: (is the user speaking, text).
    pub history: Vec<(bool, String)>,
    pub question: String,
    pub passages: Vec<Passage>,
    /// The user's language (a BCP 47 tag such as "de"), so the answer can be in it.
    pub locale: String,
}

/// A piece of the answer, with what it cost when the provider says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Text(String),
    /// Tokens spent, reported once at the end (estimated when the provider does not say).
    Usage {
        prompt: u64,
        completion: u64,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider could not be reached or kept failing (after retries).
    #[error("the assistant's provider is unavailable: {0}")]
    Unavailable(String),
    /// The provider answered with an error that retrying will not fix (bad key, unknown model).
    #[error("the assistant's provider refused the request: {0}")]
    Refused(String),
    /// The connection dropped or the provider went silent in the middle of an answer.
    #[error("the answer was cut off: {0}")]
    Interrupted(String),
}

/// An answer arriving piece by piece; dropping it cancels the request.
pub type TokenStream = BoxStream<'static, Result<Token, ProviderError>>;

pub trait Provider: Send + Sync + 'static {
    /// A short stable name for metrics and logs ("builtin", "openai").
    fn name(&self) -> &'static str;

    /// Starts answering. Errors before the first token come back here; errors after it as the
    /// stream's last item.
    fn answer(&self, prompt: Prompt) -> BoxFuture<'_, Result<TokenStream, ProviderError>>;
}
