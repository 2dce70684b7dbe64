//! Asking a question and answering it: the question is stored and counted at once, then the
//! provider's answer is streamed to the asker as it comes and stored when it ends.

use std::time::Instant;

use futures_util::{StreamExt, stream};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait, sea_query::Expr};
use time::OffsetDateTime;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{
    AssistantService,
    conversations::{history, speaker, title_from},
};
use crate::{
    Actor, Error, Result,
    assistant::{AnswerEvent, AnswerStream, Passage, Prompt, ProviderError, Source, Speaker, Token, builtin},
    entities::{conversation, message, user},
    error::{Field, Problem},
};

const MAX_QUESTION_CHARS: usize = 4000;
/// Passages given to the provider.
const PASSAGES: usize = 5;

/// How an answer ended, for the stored message, the metrics and the last event.
enum Outcome {
    Done,
    /// The asker went away (stopped the answer, or left).
    Stopped,
    Failed(ProviderError),
}

impl AssistantService {
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
        metrics::counter!(crate::metric_names::ASSISTANT_REQUESTS_TOTAL, "provider" => provider, "outcome" => label)
            .increment(1);
        metrics::histogram!(crate::metric_names::ASSISTANT_REQUEST_DURATION_SECONDS, "provider" => provider)
            .record(started.elapsed().as_secs_f64());
        metrics::counter!(crate::metric_names::ASSISTANT_TOKENS_TOTAL, "provider" => provider, "direction" => "in")
            .increment(tokens_in);
        metrics::counter!(crate::metric_names::ASSISTANT_TOKENS_TOTAL, "provider" => provider, "direction" => "out")
            .increment(tokens_out);
        if let Outcome::Failed(err) = &outcome {
            metrics::counter!(crate::metric_names::ASSISTANT_ERRORS_TOTAL, "provider" => provider, "kind" => error_kind(err)).increment(1);
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

fn prompt_len(prompt: &Prompt) -> usize {
    prompt.history.iter().map(|(_, t)| t.len()).sum::<usize>()
        + prompt.question.len()
        + prompt.passages.iter().map(|p: &Passage| p.text.len()).sum::<usize>()
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
    metrics::counter!(crate::metric_names::ASSISTANT_ERRORS_TOTAL, "provider" => provider, "kind" => "storage")
        .increment(1);
    AnswerEvent::Failed { reason: reason(locale, &ProviderError::Unavailable(String::new())) }
}
