//! Conversations, for their owner only: listing, reading, renaming and deleting them, and the
//! nightly removal of idle ones; and what a question is given of the conversation so far.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait, sea_query::Query,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::AssistantService;
use crate::{
    Actor, Error, Result,
    assistant::{ConversationInfo, MessageInfo, Speaker},
    entities::{conversation, message},
    error::{Field, Problem},
};

const MAX_TITLE_CHARS: usize = 120;
/// A title made from a question is cut to about this many characters.
const DERIVED_TITLE_CHARS: usize = 60;
/// Earlier messages given to the provider as the conversation so far.
const HISTORY_MESSAGES: u64 = 6;

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

pub(super) fn speaker(s: Speaker) -> &'static str {
    match s {
        Speaker::User => "user",
        Speaker::Assistant => "assistant",
    }
}

impl AssistantService {
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
    pub(super) async fn owned(&self, actor: &Actor, id: Uuid) -> Result<conversation::Model> {
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
}

/// The last messages of the conversation, oldest first, as (is the user speaking, text).
pub(super) async fn history(db: &impl ConnectionTrait, conversation: Uuid) -> Result<Vec<(bool, String)>> {
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

/// A conversation's first title: the question's first line, cut at a word.
pub(super) fn title_from(question: &str) -> String {
    let line: String = question.lines().next().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= DERIVED_TITLE_CHARS {
        return line;
    }
    let cut: String = line.chars().take(DERIVED_TITLE_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
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
}
