//! The assistant's use cases: conversations for their owner only, questions within the daily
//! allowance, answers streamed from a provider over the owner's passages and the help pages.
//!
//! The conversations are in `conversations`, the daily allowance in `allowance`, asking and
//! answering in `answer`, and storing a file's passages in `passages`.

mod allowance;
mod answer;
mod conversations;
mod passages;

use std::sync::Arc;

use sea_orm::DatabaseConnection;

pub use passages::store_passages;

use super::{AssistantConfig, HelpPage, Provider, builtin, help, retrieval::Retriever};

#[derive(Clone)]
pub struct AssistantService {
    db: DatabaseConnection,
    config: AssistantConfig,
    provider: Arc<dyn Provider>,
    retriever: Retriever,
}

impl AssistantService {
    pub fn new(db: sea_orm::DatabaseConnection, config: &AssistantConfig) -> Self {
        let provider = provider_for(config);
        Self { retriever: Retriever::new(db.clone()), db, config: config.clone(), provider }
    }

    /// The same service answering with `provider` (tests, or a provider chosen by the caller).
    pub fn with_provider(mut self, provider: Arc<dyn Provider>) -> Self {
        self.provider = provider;
        self
    }

    /// The help pages, as (slug, title), in table-of-contents order.
    pub fn help_pages() -> Vec<(String, String)> {
        help::PAGES.iter().map(|p| (p.slug.to_owned(), p.title().to_owned())).collect()
    }

    pub fn help_page(slug: &str) -> Option<HelpPage> {
        help::PAGES.iter().find(|p| p.slug == slug).map(|p| HelpPage {
            slug: p.slug.to_owned(),
            title: p.title().to_owned(),
            markdown: p.markdown.to_owned(),
        })
    }
}

/// The provider the configuration asks for.
fn provider_for(config: &AssistantConfig) -> Arc<dyn Provider> {
    if config.base_url.is_some() {
        // The settings were checked when parsed (an http(s) URL, a timeout above zero), so only
        // the TLS back end failing to start is left, which no configuration can fix.
        return Arc::new(super::openai::OpenAiProvider::new(config).expect("the OpenAI-compatible provider starts"));
    }
    Arc::new(builtin::Builtin::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn help_pages_are_listed_and_found_by_slug() {
        let pages = AssistantService::help_pages();
        assert!(pages.len() >= 5);
        for (slug, title) in pages {
            let page = AssistantService::help_page(&slug).unwrap();
            assert_eq!(page.title, title);
            assert!(page.markdown.starts_with("# "));
        }
        assert!(AssistantService::help_page("nope").is_none());
    }
}
