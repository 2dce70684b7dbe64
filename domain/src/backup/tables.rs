//! The tables a backup carries, in an order where every foreign key points at a table earlier in
//! the list (the migrations' order), and how one table is exported and imported.
//!
//! Rows travel through each entity's typed `Model` and its serde form, never through the driver's
//! raw values: SQLite and PostgreSQL store uuids, timestamps and booleans differently, and the
//! typed round trip is what makes an export from one loadable into the other.

use std::{
    io::{BufRead, Write},
    marker::PhantomData,
};

use anyhow::Context;
use futures_util::{TryStreamExt, future::BoxFuture};
use sea_orm::{
    ActiveModelTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, IntoActiveModel, Iterable, PaginatorTrait,
    PrimaryKeyToColumn, QueryOrder,
};
use serde::{Serialize, de::DeserializeOwned};

use crate::entities::*;

/// Rows per INSERT: well under SQLite's and PostgreSQL's limits on bound parameters for the widest
/// table, and large enough that a restore is not one round trip per row.
const BATCH: usize = 200;

/// Every table of the schema but `seaql_migrations` (which the target's own migrations write).
/// Adding a table to the schema means adding its line here; the backup tests fail until then.
/// A [`scratch`] table is emptied by a restore but its rows never leave the database: they hold
/// secrets that must not rest in archives (live links in e-mails, answers kept for replay) and
/// are worthless after a day anyway. For the same reason the jobs that carry an e-mail (its
/// body holds the link) stay out of archives while they wait: a restore loses those e-mails,
/// whose links are short-lived, and the user asks again.
pub(crate) fn all() -> Vec<Box<dyn Table>> {
    vec![
        table::<user::Entity>(),
        table::<session::Entity>(),
        table::<file::Entity>(),
        table::<file_share::Entity>(),
        table_where::<job::Entity>(|job| job.kind != <crate::mail::SendMail as crate::jobs::Job>::KIND),
        table::<job_tick::Entity>(),
        table::<job_outbox::Entity>(),
        table::<notification::Entity>(),
        table::<notification_preference::Entity>(),
        scratch::<mail_outbox::Entity>(),
        table::<audit_event::Entity>(),
        table::<audit_head::Entity>(),
        table::<auth_throttle::Entity>(),
        table::<account_token::Entity>(),
        table::<user_identity::Entity>(),
        table::<oidc_login::Entity>(),
        table::<two_factor::Entity>(),
        table::<recovery_code::Entity>(),
        table::<sign_in_challenge::Entity>(),
        table::<passkey::Entity>(),
        table::<webauthn_challenge::Entity>(),
        table::<api_token::Entity>(),
        scratch::<idempotency_key::Entity>(),
        table::<conversation::Entity>(),
        table::<message::Entity>(),
        table::<passage::Entity>(),
        table::<assistant_usage::Entity>(),
        table::<storage_usage::Entity>(),
        // An upload in progress points at parts the archive does not carry.
        scratch::<resumable_upload::Entity>(),
        table::<feature_flag::Entity>(),
        // An export is a copy of the rest, and its object is not in the archive either.
        scratch::<data_export::Entity>(),
    ]
}

/// One table, whatever its entity.
pub(crate) trait Table: Send + Sync {
    fn name(&self) -> &str;

    /// Whether archives carry its rows (see [`all`]).
    fn kept(&self) -> bool;

    /// Writes every row as one JSON line, in primary-key order; returns the number of rows.
    fn export<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        out: &'a mut (dyn Write + Send),
    ) -> BoxFuture<'a, anyhow::Result<u64>>;

    /// Inserts the JSON lines of [`Table::export`]; returns the number of rows.
    fn import<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        lines: &'a mut (dyn BufRead + Send),
    ) -> BoxFuture<'a, anyhow::Result<u64>>;

    fn wipe<'a>(&'a self, txn: &'a DatabaseTransaction) -> BoxFuture<'a, anyhow::Result<u64>>;

    fn count<'a>(&'a self, db: &'a DatabaseConnection) -> BoxFuture<'a, anyhow::Result<u64>>;
}

struct EntityTable<E: EntityTrait> {
    name: String,
    /// Whether its rows go into archives.
    kept: bool,
    /// Which of its rows go into archives.
    keep_row: fn(&E::Model) -> bool,
    entity: PhantomData<fn() -> E>,
}

fn table<E>() -> Box<dyn Table>
where
    E: EntityTrait + Default,
    E::Model: Serialize + DeserializeOwned + IntoActiveModel<E::ActiveModel> + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    table_where::<E>(|_| true)
}

/// A table whose rows go into archives when `keep_row` says so.
fn table_where<E>(keep_row: fn(&E::Model) -> bool) -> Box<dyn Table>
where
    E: EntityTrait + Default,
    E::Model: Serialize + DeserializeOwned + IntoActiveModel<E::ActiveModel> + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    Box::new(EntityTable::<E> { name: E::default().table_name().to_owned(), kept: true, keep_row, entity: PhantomData })
}

fn scratch<E>() -> Box<dyn Table>
where
    E: EntityTrait + Default,
    E::Model: Serialize + DeserializeOwned + IntoActiveModel<E::ActiveModel> + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    Box::new(EntityTable::<E> {
        name: E::default().table_name().to_owned(),
        kept: false,
        keep_row: |_| false,
        entity: PhantomData,
    })
}

impl<E> Table for EntityTable<E>
where
    E: EntityTrait + Default,
    E::Model: Serialize + DeserializeOwned + IntoActiveModel<E::ActiveModel> + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    fn name(&self) -> &str {
        &self.name
    }

    fn kept(&self) -> bool {
        self.kept
    }

    fn export<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        out: &'a mut (dyn Write + Send),
    ) -> BoxFuture<'a, anyhow::Result<u64>> {
        Box::pin(async move {
            let mut query = E::find();
            for key in E::PrimaryKey::iter() {
                query = query.order_by_asc(key.into_column());
            }
            let mut rows = query.stream(txn).await.with_context(|| format!("reading {}", self.name()))?;
            let mut count = 0;
            while let Some(model) = rows.try_next().await.with_context(|| format!("reading {}", self.name()))? {
                if !(self.keep_row)(&model) {
                    continue;
                }
                serde_json::to_writer(&mut *out, &model)?;
                out.write_all(b"\n")?;
                count += 1;
            }
            Ok(count)
        })
    }

    fn import<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        lines: &'a mut (dyn BufRead + Send),
    ) -> BoxFuture<'a, anyhow::Result<u64>> {
        Box::pin(async move {
            let name = self.name();
            let mut batch = Vec::with_capacity(BATCH);
            let mut count = 0u64;
            let mut line = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line)? == 0 {
                    break;
                }
                count += 1;
                let model: E::Model = serde_json::from_str(&line)
                    .with_context(|| format!("{name}: row {count} does not fit this version's schema"))?;
                // Every column Set, so the INSERT names them all.
                batch.push(model.into_active_model().reset_all());
                if batch.len() == BATCH {
                    insert::<E>(txn, std::mem::take(&mut batch), name).await?;
                }
            }
            if !batch.is_empty() {
                insert::<E>(txn, batch, name).await?;
            }
            Ok(count)
        })
    }

    fn wipe<'a>(&'a self, txn: &'a DatabaseTransaction) -> BoxFuture<'a, anyhow::Result<u64>> {
        Box::pin(async move {
            let result = E::delete_many().exec(txn).await.with_context(|| format!("emptying {}", self.name()))?;
            Ok(result.rows_affected)
        })
    }

    fn count<'a>(&'a self, db: &'a DatabaseConnection) -> BoxFuture<'a, anyhow::Result<u64>> {
        Box::pin(async move { E::find().count(db).await.with_context(|| format!("counting {}", self.name())) })
    }
}

async fn insert<E>(txn: &DatabaseTransaction, batch: Vec<E::ActiveModel>, name: &str) -> anyhow::Result<()>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    E::insert_many(batch).exec_without_returning(txn).await.with_context(|| format!("inserting rows into {name}"))?;
    Ok(())
}
