//! `smartai user`: creating an account (the first administrator, typically).

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use domain::{
    Actor, Role,
    accounts::{Locale, SignUp},
};

use crate::{cli::UserAction, startup::open_services};

pub(super) async fn run(config: &domain::config::Config, action: UserAction) -> anyhow::Result<()> {
    match action {
        UserAction::Create { email, name, admin, password_stdin } => {
            let password = read_password(password_stdin)?;
            let services = open_services(config).await?;
            let role = if admin { Role::Admin } else { Role::User };
            let input =
                SignUp { email: &email, password: &password, display_name: name.as_deref(), locale: Locale::En };
            let account = services
                .accounts
                .create_user(&Actor::System, input, role, &Default::default())
                .await
                .map_err(|e| anyhow::anyhow!("cannot create the account: {e}"))?;
            println!("created {} account {} ({})", role.as_str(), account.email, account.id);
            services.close().await;
            Ok(())
        }
    }
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    if let Ok(password) = std::env::var("SMARTAI_USER_PASSWORD") {
        return Ok(password);
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password("Password: ").context("cannot read the password");
    }
    bail!("no password given: use --password-stdin, SMARTAI_USER_PASSWORD, or run at a terminal")
}
