//! The assistant's use cases: conversations for their owner only, questions within the daily
//! allowance, answers streamed from a provider over the owner's passages and the help pages.

use std::{sync::Arc, time::Instant};

use futures_util::{StreamExt, stream};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
    sea_query::{Expr, OnConflict, Query},
};
use time::OffsetDateTime;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{
    AnswerEvent, AnswerStream, AssistantConfig, ConversationInfo, HelpPage, MessageInfo, Passage, Prompt, Provider,
    ProviderError, Source, Speaker, Token, Usage, builtin, chunking, help, retrieval::Retriever,
};
use crate::{
    Actor, Error, Result,
    entities::{assistant_usage, conversation, message, passage, user},
    error::{Field, Problem},
    metric_names::*,
};

const MAX_TITLE_CHARS: usize = 120;
/// A title made from a question is cut to about this many characters.
const DERIVED_TITLE_CHARS: usize = 60;
const MAX_QUESTION_CHARS: usize = 4000;
/// Passages given to the provider.
const PASSAGES: usize = 5;
/// Earlier messages given to the provider as the conversation so far.
const HISTORY_MESSAGES: u64 = 6;
/// Passages written per statement (SQLite allows a limited number of bound values).
const INSERT_BATCH: usize = 100;

#[derive(Clone)]
pub struct AssistantService {
    db: DatabaseConnection,
    config: AssistantConfig,
    provider: Arc<dyn Provider>,
    retriever: Retriever,
}

impl From<conversation::Model> for ConversationInfo {
    fn from(m: conversation::Model) -> Self {
        Self { id: m.id, title: m.title, created_at: m.created_at, updated_at: m.updated_at }
    }
}

impl From<message::Model> for MessageInfo {
    fn from(m: message::Model) -> Self {
        Self {
            id: m.id,
            speaker: if m.speaker == "assistant" { Speaker::Assistant } else { Speaker::User },
            content: m.content,
            sources: serde_json::from_str(&m.sources).unwrap_or_default(),
            stopped: m.stopped,
            created_at: m.created_at,
        }
    }
}

fn speaker(s: Speaker) -> &'static str {
    match s {
        Speaker::User => "user",
        Speaker::Assistant => "assistant",
    }
}

/// How an answer ended, for the stored message, the metrics and the last event.
enum Outcome {
    Done,
    /// The asker went away (stopped the answer, or left).
    Stopped,
    Failed(ProviderError),
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

    /// The user's conversations, most recently active first.
    pub async fn conversations(&self, actor: &Actor) -> Result<Vec<ConversationInfo>> {
        let owner = actor.user_id()?;
        let rows = conversation::Entity::find()
            .filter(conversation::Column::OwnerId.eq(owner))
            .order_by_desc(conversation::Column::UpdatedAt)
            .order_by_desc(conversation::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(ConversationInfo::from).collect())
    }

    /// One of the user's conversations; anyone else's is `NotFound` (its existence is not told).
    async fn owned(&self, actor: &Actor, id: Uuid) -> Result<conversation::Model> {
        let owner = actor.user_id()?;
        conversation::Entity::find_by_id(id)
            .filter(conversation::Column::OwnerId.eq(owner))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)
    }

    /// A conversation's messages, oldest first.
    pub async fn messages(&self, actor: &Actor, conversation: Uuid) -> Result<Vec<MessageInfo>> {
        let conversation = self.owned(actor, conversation).await?;
        let rows = message::Entity::find()
            .filter(message::Column::ConversationId.eq(conversation.id))
            .order_by_asc(message::Column::CreatedAt)
            .order_by_asc(message::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(MessageInfo::from).collect())
    }

    pub async fn rename(&self, actor: &Actor, conversation: Uuid, title: &str) -> Result<ConversationInfo> {
        let title = title.trim();
        if title.is_empty() {
            return Err(Error::invalid(Field::Title, Problem::Required));
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(Error::invalid(Field::Title, Problem::TooLong));
        }
        let row = self.owned(actor, conversation).await?;
        let mut model: conversation::ActiveModel = row.into();
        model.title = Set(title.to_owned());
        Ok(model.update(&self.db).await?.into())
    }

    /// Deletes the conversation and its messages.
    pub async fn delete(&self, actor: &Actor, conversation: Uuid) -> Result<()> {
        let row = self.owned(actor, conversation).await?;
        // Explicitly, not only by the foreign key: the messages go even where a database does not
        // enforce it.
        let txn = self.db.begin().await?;
        message::Entity::delete_many().filter(message::Column::ConversationId.eq(row.id)).exec(&txn).await?;
        conversation::Entity::delete_by_id(row.id).exec(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Removes the conversations whose last message was written before `before` (an empty one:
    /// that was started before it), with their messages (the nightly retention job). A renamed
    /// conversation is judged by its messages: renaming is not using it.
    pub async fn purge_idle_before(&self, before: OffsetDateTime) -> Result<u64> {
        let recent = Query::select()
            .column(message::Column::ConversationId)
            .from(message::Entity)
            .and_where(message::Column::CreatedAt.gte(before))
            .to_owned();
        let idle = Query::select()
            .column(conversation::Column::Id)
            .from(conversation::Entity)
            .and_where(conversation::Column::CreatedAt.lt(before))
            .and_where(conversation::Column::Id.not_in_subquery(recent.clone()))
            .to_owned();
        // Explicitly, as in `delete`: the messages go even where a database does not enforce the
        // foreign key. A question asked meanwhile makes its conversation recent for both.
        let txn = self.db.begin().await?;
        message::Entity::delete_many().filter(message::Column::ConversationId.in_subquery(idle)).exec(&txn).await?;
        let removed = conversation::Entity::delete_many()
            .filter(conversation::Column::CreatedAt.lt(before))
            .filter(conversation::Column::Id.not_in_subquery(recent))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(removed.rows_affected)
    }

    pub async fn usage(&self, actor: &Actor) -> Result<Usage> {
        self.usage_of(actor.user_id()?).await
    }

    async fn usage_of(&self, owner: Uuid) -> Result<Usage> {
        let today = assistant_usage::Entity::find_by_id((owner, today())).one(&self.db).await?;
        Ok(Usage {
            messages: today.as_ref().map_or(0, |u| u32::try_from(u.messages).unwrap_or_default()),
            messages_limit: self.config.daily_messages,
            tokens: today.as_ref().map_or(0, |u| u64::try_from(u.tokens).unwrap_or_default()),
            tokens_limit: self.config.daily_tokens,
        })
    }

    /// Adds to today's use, creating the day's row when it is the first use of the day.
    async fn spend(&self, owner: Uuid, messages: i32, tokens: u64) -> Result<()> {
        let tokens = i64::try_from(tokens).unwrap_or(i64::MAX);
        let row = assistant_usage::ActiveModel {
            owner_id: Set(owner),
            day: Set(today()),
            messages: Set(messages),
            tokens: Set(tokens),
        };
        // One statement, so concurrent questions add up instead of overwriting each other.
        assistant_usage::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([assistant_usage::Column::OwnerId, assistant_usage::Column::Day])
                    // Qualified: PostgreSQL finds a bare name ambiguous (the row, or `excluded`).
                    .value(
                        assistant_usage::Column::Messages,
                        Expr::col((assistant_usage::Entity, assistant_usage::Column::Messages)).add(messages),
                    )
                    .value(
                        assistant_usage::Column::Tokens,
                        Expr::col((assistant_usage::Entity, assistant_usage::Column::Tokens)).add(tokens),
                    )
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }

    /// Takes one of today's questions when today's limits leave one: a single conditional
    /// statement, so questions asked at once cannot together pass `AI_DAILY_MESSAGES` or start
    /// after `AI_DAILY_TOKENS` is spent. `false` when the day's allowance is used up.
    async fn take_question(&self, owner: Uuid) -> Result<bool> {
        let day = today();
        let first = assistant_usage::ActiveModel {
            owner_id: Set(owner),
            day: Set(day.clone()),
            messages: Set(0),
            tokens: Set(0),
        };
        assistant_usage::Entity::insert(first)
            .on_conflict(
                OnConflict::columns([assistant_usage::Column::OwnerId, assistant_usage::Column::Day])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        let messages_limit = i32::try_from(self.config.daily_messages).unwrap_or(i32::MAX);
        let tokens_limit = i64::try_from(self.config.daily_tokens).unwrap_or(i64::MAX);
        let taken = assistant_usage::Entity::update_many()
            .col_expr(assistant_usage::Column::Messages, Expr::col(assistant_usage::Column::Messages).add(1))
            .filter(assistant_usage::Column::OwnerId.eq(owner))
            .filter(assistant_usage::Column::Day.eq(day))
            .filter(assistant_usage::Column::Messages.lt(messages_limit))
            .filter(assistant_usage::Column::Tokens.lt(tokens_limit))
            .exec(&self.db)
            .await?;
        Ok(taken.rows_affected == 1)
    }

    /// Asks a question, in a new conversation when `conversation` is `None`. Errors before the
    /// stream starts: unknown conversation, empty or too long question, a daily limit reached
    /// (`Error::Invalid` naming the field), no session.
    #[tracing::instrument(skip_all, fields(provider = self.provider.name()), err(level = "info"))]
    pub async fn ask(&self, actor: &Actor, conversation: Option<Uuid>, question: &str) -> Result<AnswerStream> {
        let owner = actor.user_id()?;
        let question = question.trim();
        if question.is_empty() {
            return Err(Error::invalid(Field::Question, Problem::Required));
        }
        if question.chars().count() > MAX_QUESTION_CHARS {
            return Err(Error::invalid(Field::Question, Problem::TooLong));
        }
        let existing = match conversation {
            Some(id) => Some(self.owned(actor, id).await?),
            None => None,
        };
        // Counted as soon as it is asked, in the same statement that checks the limits: a user
        // cannot get past them by asking many at once.
        if !self.take_question(owner).await? {
            return Err(Error::invalid(Field::Question, Problem::DailyLimit));
        }
        let asked = async {
            let locale =
                user::Entity::find_by_id(owner).one(&self.db).await?.map_or_else(|| "en".to_owned(), |u| u.locale);

            let now = OffsetDateTime::now_utc();
            let txn = self.db.begin().await?;
            let (conversation, history) = match existing {
                Some(row) => {
                    let history = history(&txn, row.id).await?;
                    let mut model: conversation::ActiveModel = row.into();
                    model.updated_at = Set(now);
                    (model.update(&txn).await?, history)
                }
                None => {
                    let row = conversation::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        owner_id: Set(owner),
                        title: Set(title_from(question)),
                        created_at: Set(now),
                        updated_at: Set(now),
                    };
                    (row.insert(&txn).await?, Vec::new())
                }
            };
            let asked = message::ActiveModel {
                id: Set(Uuid::now_v7()),
                conversation_id: Set(conversation.id),
                speaker: Set(speaker(Speaker::User).to_owned()),
                content: Set(question.to_owned()),
                sources: Set("[]".to_owned()),
                stopped: Set(false),
                tokens: Set(i64::try_from(builtin::estimate_tokens(question.len())).unwrap_or(i64::MAX)),
                created_at: Set(now),
            }
            .insert(&txn)
            .await?;
            txn.commit().await?;
            Ok::<_, Error>((locale, conversation, history, asked))
        };
        let (locale, conversation, history, asked) = match asked.await {
            Ok(asked) => asked,
            Err(err) => {
                // Not asked after all: the question taken is given back.
                if let Err(refund) = self.spend(owner, -1, 0).await {
                    tracing::warn!(error = %refund, "could not give back a question that was not asked");
                }
                return Err(err);
            }
        };

        let passages = self.retriever.search(owner, question, PASSAGES).await?;
        let mut sources: Vec<Source> = Vec::new();
        for p in &passages {
            if !sources.iter().any(|s| s.url == p.source.url) {
                sources.push(p.source.clone());
            }
        }
        let prompt = Prompt { history, question: question.to_owned(), passages, locale };

        // Room for every event of the shortest answer before anyone reads: `ask` returns at once.
        let (events, receiver) = mpsc::channel(64);
        let started = AnswerEvent::Started { conversation: conversation.clone().into(), question_id: asked.id };
        let _ = events.try_send(started);
        let _ = events.try_send(AnswerEvent::Sources { sources: sources.clone() });
        let service = self.clone();
        tokio::spawn(async move { service.answer(owner, conversation.id, prompt, sources, events).await });
        let answer = stream::unfold(receiver, |mut receiver| async move {
            let event = receiver.recv().await?;
            Some((event, receiver))
        });
        Ok(answer.boxed())
    }

    /// Runs the provider, forwarding its text as it comes, until it ends, fails or nobody listens
    /// any more; then stores what was said and what it cost.
    async fn answer(
        self,
        owner: Uuid,
        conversation: Uuid,
        prompt: Prompt,
        sources: Vec<Source>,
        events: mpsc::Sender<AnswerEvent>,
    ) {
        let started = Instant::now();
        let provider = self.provider.name();
        let locale = prompt.locale.clone();
        let read = prompt_len(&prompt);
        let mut text = String::new();
        let mut reported = None;
        let outcome = tokio::select! {
            biased;
            () = events.closed() => Outcome::Stopped,
            tokens = self.provider.answer(prompt) => match tokens {
                Err(err) => Outcome::Failed(err),
                Ok(mut tokens) => loop {
                    // Dropping `tokens` when the listener is gone cancels the provider's request.
                    let next = tokio::select! {
                        biased;
                        () = events.closed() => break Outcome::Stopped,
                        next = tokens.next() => next,
                    };
                    match next {
                        None => break Outcome::Done,
                        Some(Ok(Token::Text(piece))) => {
                            text.push_str(&piece);
                            if events.send(AnswerEvent::Delta { text: piece }).await.is_err() {
                                break Outcome::Stopped;
                            }
                        }
                        Some(Ok(Token::Usage { prompt, completion })) => reported = Some((prompt, completion)),
                        Some(Err(err)) => break Outcome::Failed(err),
                    }
                },
            },
        };
        let (tokens_in, tokens_out) =
            reported.unwrap_or_else(|| (builtin::estimate_tokens(read), builtin::estimate_tokens(text.len())));

        let label = match &outcome {
            Outcome::Done => "done",
            Outcome::Stopped => "stopped",
            Outcome::Failed(_) => "failed",
        };
        metrics::counter!(ASSISTANT_REQUESTS_TOTAL, "provider" => provider, "outcome" => label).increment(1);
        metrics::histogram!(ASSISTANT_REQUEST_DURATION_SECONDS, "provider" => provider)
            .record(started.elapsed().as_secs_f64());
        metrics::counter!(ASSISTANT_TOKENS_TOTAL, "provider" => provider, "direction" => "in").increment(tokens_in);
        metrics::counter!(ASSISTANT_TOKENS_TOTAL, "provider" => provider, "direction" => "out").increment(tokens_out);
        if let Outcome::Failed(err) = &outcome {
            metrics::counter!(ASSISTANT_ERRORS_TOTAL, "provider" => provider, "kind" => error_kind(err)).increment(1);
            tracing::warn!(error = %err, provider, "the assistant's provider failed");
        }

        let stored = self
            .store_answer(owner, conversation, &text, &sources, !matches!(outcome, Outcome::Done), tokens_out)
            .await;
        let spent = self.spend(owner, 0, tokens_in + tokens_out).await;
        let last = match (outcome, stored, spent) {
            (Outcome::Stopped, ..) => None,
            (Outcome::Done, Ok(Some(message_id)), Ok(())) => match self.usage_of(owner).await {
                Ok(usage) => Some(AnswerEvent::Done { message_id, usage }),
                Err(err) => Some(storage_failed(provider, &locale, &err)),
            },
            (Outcome::Failed(err), Ok(_), Ok(())) => Some(AnswerEvent::Failed { reason: reason(&locale, &err) }),
            (_, Err(err), _) | (_, _, Err(err)) => Some(storage_failed(provider, &locale, &err)),
            (Outcome::Done, Ok(None), Ok(())) => {
                Some(storage_failed(provider, &locale, &Error::Unexpected(anyhow::anyhow!("answer not stored"))))
            }
        };
        if let Some(last) = last {
            let _ = events.send(last).await;
        }
    }

    /// Stores the answer (unless nothing came of a failed or stopped one) and marks the
    /// conversation active.
    async fn store_answer(
        &self,
        owner: Uuid,
        conversation: Uuid,
        text: &str,
        sources: &[Source],
        stopped: bool,
        tokens: u64,
    ) -> Result<Option<Uuid>> {
        let now = OffsetDateTime::now_utc();
        let txn = self.db.begin().await?;
        let mut stored = None;
        if !stopped || !text.is_empty() {
            let row = message::ActiveModel {
                id: Set(Uuid::now_v7()),
                conversation_id: Set(conversation),
                speaker: Set(speaker(Speaker::Assistant).to_owned()),
                content: Set(text.to_owned()),
                sources: Set(serde_json::to_string(sources).map_err(anyhow::Error::from)?),
                stopped: Set(stopped),
                tokens: Set(i64::try_from(tokens).unwrap_or(i64::MAX)),
                created_at: Set(now),
            }
            .insert(&txn)
            .await?;
            stored = Some(row.id);
        }
        // Scoped to the owner like every write here; a conversation deleted meanwhile took its
        // question with it, and the insert above failed on the foreign key.
        conversation::Entity::update_many()
            .col_expr(conversation::Column::UpdatedAt, Expr::value(now))
            .filter(conversation::Column::Id.eq(conversation))
            .filter(conversation::Column::OwnerId.eq(owner))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(stored)
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

/// The last messages of the conversation, oldest first, as (is the user speaking, text).
async fn history(db: &impl ConnectionTrait, conversation: Uuid) -> Result<Vec<(bool, String)>> {
    let mut rows = message::Entity::find()
        .filter(message::Column::ConversationId.eq(conversation))
        .order_by_desc(message::Column::CreatedAt)
        .order_by_desc(message::Column::Id)
        .limit(HISTORY_MESSAGES)
        .all(db)
        .await?;
    rows.reverse();
    Ok(rows
        .into_iter()
        .filter(|m| !m.content.is_empty())
        .map(|m| (m.speaker == speaker(Speaker::User), m.content))
        .collect())
}

fn prompt_len(prompt: &Prompt) -> usize {
    prompt.history.iter().map(|(_, t)| t.len()).sum::<usize>()
        + prompt.question.len()
        + prompt.passages.iter().map(|p: &Passage| p.text.len()).sum::<usize>()
}

/// The UTC day, as the usage table keys it.
fn today() -> String {
    OffsetDateTime::now_utc().date().to_string()
}

/// A conversation's first title: the question's first line, cut at a word.
fn title_from(question: &str) -> String {
    let line: String = question.lines().next().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= DERIVED_TITLE_CHARS {
        return line;
    }
    let cut: String = line.chars().take(DERIVED_TITLE_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

fn error_kind(err: &ProviderError) -> &'static str {
    match err {
        ProviderError::Unavailable(_) => "unavailable",
        ProviderError::Refused(_) => "refused",
        ProviderError::Interrupted(_) => "interrupted",
    }
}

fn reason(locale: &str, err: &ProviderError) -> String {
    crate::mail::text(locale, &format!("assistant-failed-{}", error_kind(err))).unwrap_or_else(|| err.to_string())
}

fn storage_failed(provider: &'static str, locale: &str, err: &Error) -> AnswerEvent {
    tracing::error!(error = ?err, "the assistant's answer could not be stored");
    metrics::counter!(ASSISTANT_ERRORS_TOTAL, "provider" => provider, "kind" => "storage").increment(1);
    AnswerEvent::Failed { reason: reason(locale, &ProviderError::Unavailable(String::new())) }
}

/// Replaces the passages of a file with those of `text` (its extracted text). Running it again
/// with the same text leaves the same passages, so the at-least-once processing job may.
pub async fn store_passages<C>(db: &C, owner: Uuid, file_id: Uuid, text: &str) -> Result<usize>
where
    C: ConnectionTrait + TransactionTrait,
{
    let passages = chunking::passages(text);
    let txn = db.begin().await?;
    passage::Entity::delete_many().filter(passage::Column::FileId.eq(file_id)).exec(&txn).await?;
    for (batch_number, batch) in passages.chunks(INSERT_BATCH).enumerate() {
        let rows = batch.iter().enumerate().map(|(i, text)| passage::ActiveModel {
            owner_id: Set(owner),
            file_id: Set(file_id),
            ordinal: Set(i32::try_from(batch_number * INSERT_BATCH + i).unwrap_or(i32::MAX)),
            text: Set(text.clone()),
            ..Default::default()
        });
        passage::Entity::insert_many(rows).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    Ok(passages.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_the_questions_first_line_cut_at_a_word() {
        assert_eq!(title_from("  What is the   budget?\nMore details"), "What is the budget?");
        let long = "word ".repeat(30);
        let title = title_from(&long);
        assert!(title.ends_with("word…") && title.chars().count() <= DERIVED_TITLE_CHARS + 1, "{title}");
    }

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
