//! Each user's daily allowance (`AI_DAILY_MESSAGES`, `AI_DAILY_TOKENS`): what was used today,
//! a question taken before it is answered, and the tokens spent once it is.

use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, Set,
    sea_query::{Expr, OnConflict},
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::AssistantService;
use crate::{Actor, Result, assistant::Usage, entities::assistant_usage};

impl AssistantService {
    pub async fn usage(&self, actor: &Actor) -> Result<Usage> {
        self.usage_of(actor.user_id()?).await
    }

    pub(super) async fn usage_of(&self, owner: Uuid) -> Result<Usage> {
        let today = assistant_usage::Entity::find_by_id((owner, today())).one(&self.db).await?;
        Ok(Usage {
            messages: today.as_ref().map_or(0, |u| u32::try_from(u.messages).unwrap_or_default()),
            messages_limit: self.config.daily_messages,
            tokens: today.as_ref().map_or(0, |u| u64::try_from(u.tokens).unwrap_or_default()),
            tokens_limit: self.config.daily_tokens,
        })
    }

    /// Adds to today's use, creating the day's row when it is the first use of the day.
    pub(super) async fn spend(&self, owner: Uuid, messages: i32, tokens: u64) -> Result<()> {
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
    pub(super) async fn take_question(&self, owner: Uuid) -> Result<bool> {
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
}

/// The UTC day, as the usage table keys it.
fn today() -> String {
    OffsetDateTime::now_utc().date().to_string()
}
