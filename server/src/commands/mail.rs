//! `smartai mail`: a test e-mail through the configured transport, and the outbox's e-mails.

use std::fmt;

use anyhow::Context;
use domain::{entities::mail_outbox, mail::Mail};

use crate::{cli::MailAction, startup::open_services};

pub(super) async fn run(config: &domain::config::Config, action: MailAction) -> anyhow::Result<()> {
    let services = open_services(config).await?;
    let mailer = services.notifications.mailer();
    match action {
        MailAction::Test { to } => {
            let to = to.parse().map_err(|e| anyhow::anyhow!("--to: not an e-mail address ({e})"))?;
            let body = "This is a test e-mail from SmartAIPlatForm: outgoing mail works.\n".to_owned();
            let mail = Mail { id: uuid::Uuid::now_v7(), to, subject: "SmartAIPlatForm test e-mail".into(), body };
            mailer.send(mail).await.context("sending the test e-mail failed")?;
            println!("test e-mail sent through the {}", mailer.describe());
        }
        MailAction::List { to, limit, full } => {
            for mail in &mailer.outbox(to.as_deref(), limit).await? {
                println!("{}", Kept { mail, full });
            }
        }
    }
    services.close().await;
    Ok(())
}

/// One e-mail of the outbox: when, to whom and its subject, then with `--full` its body between
/// blank lines.
struct Kept<'a> {
    mail: &'a mail_outbox::Model,
    full: bool,
}

impl fmt::Display for Kept<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mail = self.mail;
        write!(f, "{}  {}  {}", mail.created_at, mail.to_address, mail.subject)?;
        if self.full {
            write!(f, "\n\n{}\n", mail.body)?;
        }
        Ok(())
    }
}
