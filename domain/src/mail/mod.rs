//! Outgoing e-mail. With `SMTP_URL` set it goes to that server through lettre; otherwise it is
//! written to the `mail_outbox` table, so the embedded default loses no message and needs no
//! server (`smartai mail list` shows them).

mod templates;

use std::{fmt, str::FromStr};

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait, sea_query::OnConflict,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

pub use templates::{Rendered, render, text};

use crate::{
    entities::{mail_outbox, user},
    jobs::Job,
};

/// The settings `SMTP_URL` and `MAIL_FROM`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// SMTP server for outgoing e-mail. Unset: e-mails are kept in the database outbox.
    #[serde(default, deserialize_with = "crate::config::parse::some")]
    pub smtp_url: Option<SmtpUrl>,
    /// Sender of every e-mail.
    #[serde(deserialize_with = "mailbox")]
    pub from: Mailbox,
}

fn mailbox<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Mailbox, D::Error> {
    crate::config::parse::with(deserializer, parse_mailbox)
}

fn parse_mailbox(raw: &str) -> Result<Mailbox, String> {
    raw.parse().map_err(|e| format!("not an e-mail address such as `Name <name@example.com>` ({e})"))
}

/// An SMTP server URL that lettre accepts. Parsed at the boundary; never printed with its password.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl(String);

impl FromStr for SmtpUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let url = url::Url::parse(s).map_err(|e| format!("not a URL ({e})"))?;
        if !matches!(url.scheme(), "smtp" | "smtps") {
            return Err(format!("unsupported scheme `{}` (use smtp:// or smtps://)", url.scheme()));
        }
        AsyncSmtpTransport::<Tokio1Executor>::from_url(s).map_err(|e| e.to_string())?;
        Ok(Self(s.to_owned()))
    }
}

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match url::Url::parse(&self.0) {
            Ok(mut url) if url.password().is_some() => {
                let _ = url.set_password(Some("***"));
                f.write_str(url.as_str())
            }
            _ => f.write_str(&self.0),
        }
    }
}

/// One e-mail to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// Stable across deliveries of the same job: the outbox row's key and the `Message-ID`.
    pub id: Uuid,
    pub to: Mailbox,
    pub subject: String,
    pub body: String,
}

/// Sends an e-mail already written (in the recipient's language) when it was asked for: the
/// account links. Enqueued in the transaction that creates the link, so neither exists alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendMail {
    pub message_id: Uuid,
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl Job for SendMail {
    const KIND: &'static str = "mail.send";
    const MAX_ATTEMPTS: u32 = 8;
}

impl SendMail {
    pub fn into_mail(self) -> anyhow::Result<Mail> {
        Ok(Mail { id: self.message_id, to: self.to.parse()?, subject: self.subject, body: self.body })
    }
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox,
}

#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    db: DatabaseConnection,
}

impl Mailer {
    pub fn new(config: &MailConfig, db: DatabaseConnection) -> Self {
        let transport = match &config.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(&url.0).expect("checked when parsed").build(),
            ),
            None => Transport::Outbox,
        };
        Self { transport, from: config.from.clone(), db }
    }

    /// Where mail goes, for the start-up log.
    pub fn describe(&self) -> &'static str {
        match self.transport {
            Transport::Smtp(_) => "smtp",
            Transport::Outbox => "database outbox",
        }
    }

    pub async fn send(&self, mail: Mail) -> anyhow::Result<()> {
        match &self.transport {
            Transport::Smtp(smtp) => {
                let domain = self.from.email.domain().to_owned();
                let message = Message::builder()
                    .message_id(Some(format!("<{}@{domain}>", mail.id)))
                    .from(self.from.clone())
                    .to(mail.to)
                    .subject(mail.subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(mail.body)?;
                // An SMTP server's refusal often quotes the recipient; the error goes to the logs
                // (and the dead-letter set), so it says as much of the address as they may keep.
                smtp.send(message).await.map_err(|err| {
                    let chain = std::iter::successors(Some(&err as &dyn std::error::Error), |e| e.source())
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(": ");
                    anyhow::anyhow!("{}", crate::log_privacy::text(&chain))
                })?;
            }
            Transport::Outbox => Self::keep(&self.db, mail).await?,
        }
        self.count_sent();
        Ok(())
    }

    /// Sends a mail about an account to its owner. The outbox keeps it only while the account
    /// exists: an erasure that ran while the mail was on its way deletes the account's outbox
    /// e-mails, and must not find one written after it. The account's row is read in the
    /// transaction that writes the mail (shared-locked on PostgreSQL; on SQLite the write fails
    /// if an erasure committed since the read, and the job's retry finds no account).
    pub async fn send_to_account(&self, account: Uuid, mail: Mail) -> anyhow::Result<()> {
        if matches!(self.transport, Transport::Smtp(_)) {
            return self.send(mail).await;
        }
        let txn = self.db.begin().await?;
        // SQLite: write first. A transaction that has read cannot start writing once another
        // connection has committed since (SQLITE_BUSY_SNAPSHOT at once, whatever the busy
        // timeout); writing first takes the lock, and dropping the transaction takes the mail
        // back. PostgreSQL: lock the owner's row first, as an erasure takes it to delete the mail.
        let sqlite = txn.get_database_backend() == DatabaseBackend::Sqlite;
        if sqlite {
            Self::keep(&txn, mail.clone()).await?;
        }
        let owner = user::Entity::find_by_id(account);
        let owner = if sqlite { owner } else { owner.lock_shared() };
        if owner.one(&txn).await?.is_none() {
            return Ok(());
        }
        if !sqlite {
            Self::keep(&txn, mail).await?;
        }
        txn.commit().await?;
        self.count_sent();
        Ok(())
    }

    fn count_sent(&self) {
        metrics::counter!(crate::metric_names::MAIL_SENT_TOTAL, "transport" => self.describe()).increment(1);
    }

    /// Writes the mail to the outbox; a repeated delivery of its job writes nothing new.
    async fn keep(db: &impl ConnectionTrait, mail: Mail) -> anyhow::Result<()> {
        let row = mail_outbox::ActiveModel {
            id: Set(mail.id),
            to_address: Set(mail.to.to_string()),
            subject: Set(mail.subject),
            body: Set(mail.body),
            created_at: Set(OffsetDateTime::now_utc()),
        };
        mail_outbox::Entity::insert(row)
            .on_conflict(OnConflict::column(mail_outbox::Column::Id).do_nothing().to_owned())
            .do_nothing()
            .exec(db)
            .await?;
        Ok(())
    }

    /// The newest e-mails in the outbox, to `to` if given.
    pub async fn outbox(&self, to: Option<&str>, limit: u64) -> anyhow::Result<Vec<mail_outbox::Model>> {
        let mut query = mail_outbox::Entity::find();
        if let Some(to) = to {
            query = query.filter(mail_outbox::Column::ToAddress.contains(to));
        }
        Ok(query
            .order_by_desc(mail_outbox::Column::CreatedAt)
            .order_by_desc(mail_outbox::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// Removes outbox e-mails older than `age` (the nightly retention job).
    pub async fn purge_outbox(&self, age: std::time::Duration) -> anyhow::Result<u64> {
        let before = OffsetDateTime::now_utc() - age;
        let result =
            mail_outbox::Entity::delete_many().filter(mail_outbox::Column::CreatedAt.lt(before)).exec(&self.db).await?;
        Ok(result.rows_affected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_are_checked_and_never_print_their_password() {
        let url: SmtpUrl = "smtp://mailer:hunter2@mail.example.com:587?tls=required".parse().unwrap();
        assert!(!format!("{url:?}").contains("hunter2"));
        assert!("smtps://mail.example.com".parse::<SmtpUrl>().is_ok());
        assert!("http://mail.example.com".parse::<SmtpUrl>().unwrap_err().contains("http"));
        assert!("smtp://mail.example.com?tls=sometimes".parse::<SmtpUrl>().is_err());
        assert!("not a url".parse::<SmtpUrl>().is_err());
    }

    #[test]
    fn the_sender_must_be_an_address() {
        assert!(parse_mailbox("SmartAI <noreply@example.com>").is_ok());
        assert!(parse_mailbox("noreply").is_err());
    }
}
