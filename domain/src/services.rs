use std::{path::PathBuf, sync::Arc, time::Duration};

use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde::{Deserialize, Serialize};

use crate::{
    Actor, Error, Result,
    accounts::{AccountLinks, AccountService, PasskeyService, Throttle, TokenService, password},
    assistant::AssistantService,
    audit::AuditLog,
    avatars::AvatarService,
    backup::{BackupService, ScheduledBackup},
    config::Config,
    deletion::{DeletionService, EraseAccount},
    events::Events,
    exports::{BuildExport, ExportService},
    files::{FileService, ProcessUpload},
    flags::FlagService,
    idempotency::IdempotencyKeys,
    job_admin::JobAdmin,
    jobs::{Handlers, Job, NewJob, Periodic, Queue},
    key_rotation::KeyService,
    keys::Keyring,
    mail::{Mailer, SendMail},
    notifications::{NotificationService, SecurityNotice, SendEmail},
    oidc::OidcService,
    sessions::SessionStore,
    storage::Storage,
};

/// The nightly clean-up: expired sessions, share links and data exports, old notifications, outbox
/// e-mails, assistant conversations and audit events, old dead jobs, idle sign-in attempt counters; and the
/// erasure of accounts whose deletion is due.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Retention {}

impl Job for Retention {
    const KIND: &'static str = "maintenance.retention";
    const TIMEOUT: Duration = Duration::from_secs(600);
}

/// Every service, built once at start-up and shared by each door. Cloning it is one reference
/// count: every server function, extractor and middleware clones it for each request, and a clone
/// of the services themselves (their settings, strings and maps) took a tenth of the CPU of the
/// signed-in profile page (perf, 2026-12-07).
#[derive(Clone)]
pub struct Services(Arc<ServiceSet>);

impl std::ops::Deref for Services {
    type Target = ServiceSet;

    fn deref(&self) -> &ServiceSet {
        &self.0
    }
}

/// The services themselves, reached through [`Services`].
pub struct ServiceSet {
    pub accounts: AccountService,
    pub assistant: AssistantService,
    pub oidc: OidcService,
    pub links: AccountLinks,
    pub passkeys: PasskeyService,
    pub tokens: TokenService,
    pub idempotency: IdempotencyKeys,
    pub audit: AuditLog,
    /// The app's secret keys (SECRET_KEYS) and what the database keeps under them.
    pub keys: KeyService,
    pub sessions: SessionStore,
    pub files: FileService,
    pub avatars: AvatarService,
    pub deletion: DeletionService,
    pub exports: ExportService,
    pub flags: FlagService,
    pub backups: BackupService,
    pub notifications: NotificationService,
    pub jobs: Queue,
    pub job_admin: JobAdmin,
    pub storage: Storage,
    /// Where users reach the app (PUBLIC_URL): the base of every absolute link it hands out.
    pub public_url: url::Url,
    retention: crate::config::RetentionConfig,
    db: DatabaseConnection,
    sqlite_file: Option<PathBuf>,
}

impl Services {
    /// Wires the services onto an open database whose schema is current, with the keys of
    /// `config` (for tests and tools: it panics when they cannot be read; start-up uses
    /// [`Self::with_keys`] and reports the error).
    pub fn new(db: DatabaseConnection, storage: Storage, jobs: Queue, events: Events, config: &Config) -> Self {
        let keys = config.keys.open(&config.database.data_dir).unwrap_or_else(|e| panic!("{e:#}"));
        Self::with_keys(db, storage, jobs, events, config, keys)
    }

    /// Wires the services onto an open database whose schema is current.
    pub fn with_keys(
        db: DatabaseConnection,
        storage: Storage,
        jobs: Queue,
        events: Events,
        config: &Config,
        keys: Keyring,
    ) -> Self {
        password::warm_up();
        let sessions = SessionStore::new(db.clone(), &config.sessions, events.clone());
        let mailer = Mailer::new(&config.mail, db.clone());
        let notifications =
            NotificationService::new(db.clone(), events.clone(), jobs.clone(), mailer, config.public_url());
        let audit = AuditLog::new(db.clone(), keys.clone()).with_notices(jobs.clone());
        let links = AccountLinks::new(
            db.clone(),
            jobs.clone(),
            sessions.clone(),
            config.public_url(),
            &config.links,
            audit.clone(),
        );
        let accounts = AccountService::new(
            db.clone(),
            sessions.clone(),
            Throttle::new(db.clone(), &config.throttle),
            links.clone(),
            audit.clone(),
        );
        let oidc = OidcService::new(
            db.clone(),
            accounts.clone(),
            sessions.clone(),
            audit.clone(),
            config.public_url(),
            &config.oidc,
        );
        let step_up = accounts.step_up().clone();
        let files = FileService::new(db.clone(), storage.clone(), jobs.clone(), notifications.clone(), &config.files);
        let deletion = DeletionService {
            db: db.clone(),
            sessions: sessions.clone(),
            step_up: step_up.clone(),
            audit: audit.clone(),
            files: files.clone(),
            jobs: jobs.clone(),
            grace: config.retention.account_deletion_grace,
        };
        let exports = ExportService {
            db: db.clone(),
            storage: storage.clone(),
            jobs: jobs.clone(),
            notifications: notifications.clone(),
            audit: audit.clone(),
            lifetime: config.retention.exports,
        };
        let flags = FlagService::new(db.clone(), events.clone(), audit.clone());
        Self(Arc::new(ServiceSet {
            accounts,
            assistant: AssistantService::new(db.clone(), &config.assistant),
            oidc,
            links,
            passkeys: PasskeyService::new(db.clone(), &config.public_url(), sessions.clone(), audit.clone(), step_up),
            tokens: TokenService::new(db.clone(), audit.clone(), events.clone(), config.sessions.cache_ttl),
            idempotency: IdempotencyKeys::new(db.clone()),
            keys: KeyService::new(db.clone(), keys, audit.clone()),
            job_admin: JobAdmin::new(jobs.clone(), audit.clone()),
            audit,
            files,
            deletion,
            exports,
            flags,
            avatars: AvatarService::new(db.clone(), storage.clone(), sessions.clone()),
            sessions,
            backups: BackupService::new(
                db.clone(),
                storage.clone(),
                config.backup.clone(),
                config.storage.clone(),
                config.database.data_dir.clone(),
            ),
            notifications,
            jobs,
            storage,
            public_url: config.public_url(),
            retention: config.retention.clone(),
            sqlite_file: config.database.url().sqlite_path(),
            db,
        }))
    }

    /// The handler of every kind of job.
    pub fn handlers(&self) -> Handlers {
        let mut handlers = Handlers::default();
        let files = self.files.clone();
        handlers.register::<ProcessUpload, _, _>(move |job| {
            let files = files.clone();
            async move { files.process(job.file_id).await }
        });
        let files = self.files.clone();
        handlers.on_dead::<ProcessUpload, _, _>(move |job| {
            let files = files.clone();
            async move { files.processing_failed(job.file_id).await }
        });
        let notifications = self.notifications.clone();
        handlers.register::<SendEmail, _, _>(move |job| {
            let notifications = notifications.clone();
            async move { notifications.send_email(job).await }
        });
        let notifications = self.notifications.clone();
        handlers.register::<SecurityNotice, _, _>(move |job| {
            let notifications = notifications.clone();
            async move { notifications.send_security_notice(job).await }
        });
        let mailer = self.notifications.mailer().clone();
        handlers.register::<SendMail, _, _>(move |job| {
            let mailer = mailer.clone();
            async move { mailer.send(job.into_mail()?).await }
        });
        let services = self.clone();
        handlers.register::<Retention, _, _>(move |_| {
            let services = services.clone();
            async move { services.retain().await }
        });
        let deletion = self.deletion.clone();
        handlers.register::<EraseAccount, _, _>(move |job| {
            let deletion = deletion.clone();
            async move { Ok(deletion.erase(job.user_id).await.map(|_| ())?) }
        });
        let exports = self.exports.clone();
        handlers.register::<BuildExport, _, _>(move |job| {
            let exports = exports.clone();
            async move { exports.build(job).await }
        });
        let exports = self.exports.clone();
        handlers.on_dead::<BuildExport, _, _>(move |job| {
            let exports = exports.clone();
            async move { exports.build_failed(job).await }
        });
        let backups = self.backups.clone();
        handlers.register::<ScheduledBackup, _, _>(move |_| {
            let backups = backups.clone();
            async move { backups.run_scheduled(&Actor::System).await }
        });
        handlers
    }

    /// The jobs that run on a schedule.
    pub fn periodic(&self) -> Vec<Periodic> {
        let nightly =
            Periodic::new("retention", "0 0 3 * * *", || NewJob::of(&Retention {})).expect("a valid cron expression");
        let mut periodic = vec![nightly];
        let schedule = &self.backups.config().schedule;
        if !schedule.is_empty() {
            // BACKUP_SCHEDULE was checked when the settings were parsed.
            periodic.push(
                Periodic::new("backup", schedule, || NewJob::of(&ScheduledBackup {})).expect("a valid cron expression"),
            );
        }
        periodic
    }

    /// The nightly clean-up (the `maintenance.retention` job, at 03:00 UTC); each kind's age is
    /// its setting in [`crate::config::RetentionConfig`].
    pub async fn retain(&self) -> anyhow::Result<()> {
        let sessions = self.sessions.purge_expired().await?;
        let shares = self.files.purge_expired_shares().await?;
        let uploads = self.files.purge_expired_uploads().await?;
        let links = self.links.purge_expired().await?
            + self.passkeys.purge_expired().await?
            + self.oidc.purge_expired().await?;
        let notifications = self.notifications.purge_older_than(self.retention.notifications).await?;
        let emails = self.notifications.mailer().purge_outbox(self.retention.outbox).await?;
        let conversations = match self.retention.assistant_conversations.limit() {
            Some(age) => self.assistant.purge_idle_before(time::OffsetDateTime::now_utc() - age).await?,
            None => 0,
        };
        // A chain that does not verify is not pruned (see `audit::retention`); the rest still runs,
        // and the job fails at the end, naming the break.
        let pruned = match self.retention.audit.limit() {
            Some(age) => self.audit.prune_older_than(age).await,
            None => Ok(None),
        };
        let audit_events = pruned.as_ref().ok().and_then(|anchor| anchor.as_ref()).map_or(0, |anchor| anchor.removed);
        let dead_jobs = self.jobs.purge_dead(self.retention.dead_jobs).await?;
        let ticks = self.jobs.purge_ticks(Duration::from_secs(7 * 24 * 3600)).await?;
        let sign_in_counters = self.accounts.throttle().purge(time::OffsetDateTime::now_utc()).await?;
        let sign_in_challenges = self.accounts.two_factor().purge_expired().await?;
        let tokens = self.tokens.purge_expired().await?;
        let idempotency_keys = self.idempotency.purge_expired().await?;
        let exports = self.exports.purge_expired().await?;
        let accounts_to_erase = self.deletion.enqueue_due().await?;
        tracing::info!(
            accounts_to_erase,
            sessions,
            shares,
            uploads,
            links,
            notifications,
            emails,
            conversations,
            audit_events,
            dead_jobs,
            ticks,
            sign_in_counters,
            sign_in_challenges,
            tokens,
            idempotency_keys,
            exports,
            "retention: old records removed"
        );
        pruned?;
        Ok(())
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

    /// Closes the database pool (every clone of these services shares it).
    pub async fn close(self) {
        if let Err(err) = self.db.clone().close().await {
            tracing::warn!(error = %err, "closing the database pool failed");
        }
    }
}
