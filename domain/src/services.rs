use std::path::PathBuf;

use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::{
    Error, Result,
    accounts::{AccountService, password},
    avatars::AvatarService,
    config::Config,
    files::FileService,
    sessions::SessionStore,
    storage::Storage,
};

/// Every service, built once at start-up and cloned into each door.
#[derive(Clone)]
pub struct Services {
    pub accounts: AccountService,
    pub sessions: SessionStore,
    pub files: FileService,
    pub avatars: AvatarService,
    pub storage: Storage,
    db: DatabaseConnection,
    sqlite_file: Option<PathBuf>,
}

impl Services {
    /// Wires the services onto an open database whose schema is current.
    pub fn new(db: DatabaseConnection, storage: Storage, config: &Config) -> Self {
        password::warm_up();
        let sessions = SessionStore::new(db.clone(), &config.sessions);
        Self {
            accounts: AccountService::new(db.clone(), sessions.clone()),
            sessions,
            files: FileService::new(db.clone(), storage.clone(), &config.files),
            avatars: AvatarService::new(db.clone(), storage.clone()),
            storage,
            sqlite_file: config.database.url().sqlite_path(),
            db,
        }
    }

    /// Whether the database answers (and, on SQLite, whether its file is still there).
    pub async fn ready(&self) -> Result<()> {
        if let Some(file) = &self.sqlite_file
            && !file.exists()
        {
            return Err(Error::Unexpected(anyhow::anyhow!("SQLite file {} is gone", file.display())));
        }
        self.db.execute_unprepared("SELECT 1").await?;
        Ok(())
    }

    pub async fn close(self) {
        if let Err(err) = self.db.close().await {
            tracing::warn!(error = %err, "closing the database pool failed");
        }
    }
}
