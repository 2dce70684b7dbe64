//! The domain's settings, as data: for each, its key in [`Config`](super::Config), its environment
//! variable, its flag, its default and its help. The loader reads the layers through this table,
//! the server builds its flags and `--help` from it, and a test holds the README's table to it.

use super::{Kind, Setting};

const DATABASE: &str = "Database";
const SESSIONS: &str = "Sessions";
const THROTTLING: &str = "Sign-in throttling";
const STORAGE: &str = "Storage";
const FILES: &str = "Files";
const JOBS: &str = "Jobs";
const MAIL: &str = "E-mail";
const ACCOUNTS: &str = "Accounts";
const RETENTION: &str = "Retention";
const ASSISTANT: &str = "Assistant";
const BACKUPS: &str = "Backups";
const KEYS: &str = "Secret keys";

/// Every setting of [`Config`](super::Config), in the order `--help` lists them.
pub const SETTINGS: &[Setting] = &[
    Setting::new(
        "public_url",
        "PUBLIC_URL",
        "public-url",
        "The URL users reach the app at: links in e-mails start with it, and with https:// session \
         cookies are marked Secure. Defaults to http://localhost:3000/",
    ),
    // Database
    Setting::new(
        "database.url",
        "DATABASE_URL",
        "database-url",
        "Database URL: postgres://user:pass@host/db, or sqlite://path?mode=rwc. Defaults to a SQLite file in \
         DATA_DIR",
    )
    .secret()
    .under(DATABASE),
    Setting::new(
        "database.data_dir",
        "DATA_DIR",
        "data-dir",
        "Folder for embedded data (the SQLite database when DATABASE_URL is unset)",
    )
    .default("./data")
    .under(DATABASE),
    Setting::new(
        "database.max_connections",
        "DATABASE_MAX_CONNECTIONS",
        "database-max-connections",
        "Maximum open database connections",
    )
    .default("10")
    .under(DATABASE),
    Setting::new(
        "database.connect_timeout",
        "DATABASE_CONNECT_TIMEOUT",
        "database-connect-timeout",
        "How long to wait at start-up for the database to accept a connection before giving up (e.g. 5s)",
    )
    .default("5s")
    .under(DATABASE),
    Setting::new(
        "database.acquire_timeout",
        "DATABASE_ACQUIRE_TIMEOUT",
        "database-acquire-timeout",
        "How long a request waits for a connection from the pool (opening one if needed) before it fails with \
         503 and Retry-After: while the database is down, requests fail this fast instead of hanging (e.g. 2s)",
    )
    .default("2s")
    .under(DATABASE),
    // Sessions
    Setting::new(
        "sessions.idle_timeout",
        "SESSION_IDLE_TIMEOUT",
        "session-idle-timeout",
        "A session unused for this long ends (e.g. 30m, 7d)",
    )
    .default("7d")
    .under(SESSIONS),
    Setting::new(
        "sessions.max_age",
        "SESSION_MAX_AGE",
        "session-max-age",
        "A session ends this long after sign-in, however active (e.g. 30d)",
    )
    .default("30d")
    .under(SESSIONS),
    Setting::new(
        "sessions.cache_ttl",
        "SESSION_CACHE_TTL",
        "session-cache-ttl",
        "How long a resolved session may be answered from memory without the database (0 turns the cache off). \
         Sign-out and account changes reach every instance at once regardless",
    )
    .default("10s")
    .under(SESSIONS),
    // Sign-in throttling
    Setting::new(
        "throttle.account_threshold",
        "AUTH_THROTTLE_ACCOUNT_THRESHOLD",
        "auth-throttle-account-threshold",
        "Sign-in attempts to one e-mail address let through before each further failure locks it for a growing \
         time; 0 turns the per-account limit off",
    )
    .default("5")
    .under(THROTTLING),
    Setting::new(
        "throttle.ip_threshold",
        "AUTH_THROTTLE_IP_THRESHOLD",
        "auth-throttle-ip-threshold",
        "The same, per client IP address (per /64 network for IPv6); 0 turns it off",
    )
    .default("20")
    .under(THROTTLING),
    Setting::new(
        "throttle.base_delay",
        "AUTH_THROTTLE_BASE_DELAY",
        "auth-throttle-base-delay",
        "The first lock-out; each further failure doubles it",
    )
    .default("1s")
    .under(THROTTLING),
    Setting::new("throttle.max_delay", "AUTH_THROTTLE_MAX_DELAY", "auth-throttle-max-delay", "The longest lock-out")
        .default("15m")
        .under(THROTTLING),
    Setting::new(
        "throttle.window",
        "AUTH_THROTTLE_WINDOW",
        "auth-throttle-window",
        "Failures are forgotten after this long without one",
    )
    .default("1h")
    .under(THROTTLING),
    // Storage
    Setting::new(
        "storage.url",
        "STORAGE_URL",
        "storage-url",
        "Where files go: file:///absolute/folder or s3://bucket. Defaults to DATA_DIR/objects",
    )
    .under(STORAGE),
    Setting::new(
        "storage.endpoint",
        "S3_ENDPOINT",
        "s3-endpoint",
        "S3 endpoint for S3-compatible servers (MinIO and the like); AWS when unset",
    )
    .under(STORAGE),
    Setting::new("storage.region", "S3_REGION", "s3-region", "S3 region").default("us-east-1").under(STORAGE),
    Setting::new("storage.access_key_id", "S3_ACCESS_KEY_ID", "s3-access-key-id", "S3 access key id").under(STORAGE),
    Setting::new("storage.secret_access_key", "S3_SECRET_ACCESS_KEY", "s3-secret-access-key", "S3 secret access key")
        .secret()
        .under(STORAGE),
    Setting::new(
        "storage.presigned_downloads",
        "STORAGE_PRESIGNED_DOWNLOADS",
        "storage-presigned-downloads",
        "On S3, send downloads to a short-lived presigned URL of the bucket instead of streaming them through \
         this server",
    )
    .kind(Kind::Switch)
    .under(STORAGE),
    // Files
    Setting::new("files.max_size", "FILES_MAX_SIZE", "files-max-size", "Largest file a user may upload (e.g. 100MiB)")
        .default("100MiB")
        .under(FILES),
    Setting::new("files.quota", "FILES_QUOTA", "files-quota", "Storage each user may fill in total (e.g. 1GiB)")
        .default("1GiB")
        .under(FILES),
    Setting::new(
        "files.upload_expiry",
        "FILES_UPLOAD_EXPIRY",
        "files-upload-expiry",
        "How long an unfinished resumable upload is kept after its last chunk (e.g. 24h)",
    )
    .default("24h")
    .under(FILES),
    // Jobs
    Setting::new(
        "jobs.redis_url",
        "REDIS_URL",
        "redis-url",
        "Redis for the job queue and live events (redis://host:6379); the SQL database otherwise",
    )
    .secret()
    .under(JOBS),
    Setting::new(
        "jobs.redis_prefix",
        "REDIS_PREFIX",
        "redis-prefix",
        "Prefix of every Redis key and channel, so that several deployments can share one Redis",
    )
    .default("smartai:")
    .under(JOBS),
    Setting::new(
        "jobs.concurrency",
        "JOBS_CONCURRENCY",
        "jobs-concurrency",
        "Jobs one worker process runs at the same time",
    )
    .default("4")
    .under(JOBS),
    Setting::new(
        "jobs.visibility_timeout",
        "JOBS_VISIBILITY_TIMEOUT",
        "jobs-visibility-timeout",
        "A job claimed but not finished within this time (its worker died) is delivered again",
    )
    .default("5m")
    .under(JOBS),
    Setting::new(
        "jobs.no_in_process_worker",
        "JOBS_NO_IN_PROCESS_WORKER",
        "no-in-process-worker",
        "Run no workers inside `smartai serve` (separate `smartai worker` processes run the jobs)",
    )
    .kind(Kind::Switch)
    .under(JOBS),
    // E-mail
    Setting::new(
        "mail.smtp_url",
        "SMTP_URL",
        "smtp-url",
        "SMTP server for outgoing e-mail: smtp://host:25 (plain), smtp://user:pass@host:587?tls=required \
         (STARTTLS) or smtps://user:pass@host:465. Unset: e-mails are kept in the database outbox",
    )
    .secret()
    .under(MAIL),
    Setting::new("mail.from", "MAIL_FROM", "mail-from", "Sender of every e-mail")
        .default("SmartAIPlatForm <noreply@localhost>")
        .under(MAIL),
    // Accounts
    Setting::new(
        "links.verification_ttl",
        "EMAIL_VERIFICATION_TTL",
        "email-verification-ttl",
        "How long the link confirming an e-mail address works",
    )
    .default("24h")
    .under(ACCOUNTS),
    Setting::new("links.reset_ttl", "PASSWORD_RESET_TTL", "password-reset-ttl", "How long a password reset link works")
        .default("1h")
        .under(ACCOUNTS),
    // Retention
    Setting::new(
        "retention.notifications",
        "NOTIFICATIONS_RETENTION",
        "notifications-retention",
        "Notifications older than this are removed by the nightly job",
    )
    .default("90d")
    .under(RETENTION),
    Setting::new(
        "retention.outbox",
        "OUTBOX_RETENTION",
        "outbox-retention",
        "Outbox e-mails (kept when no SMTP_URL is set) older than this are removed by the nightly job. Shorter \
         than notifications: the outbox is a delivery buffer, whose copies hold the message, the address and any \
         link in it, and a month is long enough to look into a delivery question",
    )
    .default("30d")
    .under(RETENTION),
    Setting::new(
        "retention.assistant_conversations",
        "ASSISTANT_CONVERSATIONS_RETENTION",
        "assistant-conversations-retention",
        "Assistant conversations whose last message is older than this are removed, with their messages, by \
         the nightly job (`forever` or `0` keeps them)",
    )
    .default("365d")
    .under(RETENTION),
    Setting::new(
        "retention.audit",
        "AUDIT_RETENTION",
        "audit-retention",
        "Audit events older than this are removed by the nightly job, which records in the log where the kept \
         chain starts so that it still verifies (`forever` or `0`, the default, keeps them)",
    )
    .default("forever")
    .under(RETENTION),
    Setting::new(
        "retention.exports",
        "EXPORTS_RETENTION",
        "exports-retention",
        "How long a data export can be downloaded after it is ready; the nightly job then removes it",
    )
    .default("24h")
    .under(RETENTION),
    Setting::new(
        "retention.dead_jobs",
        "DEAD_JOBS_RETENTION",
        "dead-jobs-retention",
        "Dead jobs older than this are removed by the nightly job",
    )
    .default("30d")
    .under(RETENTION),
    Setting::new(
        "retention.account_deletion_grace",
        "ACCOUNT_DELETION_GRACE",
        "account-deletion-grace",
        "How long after its owner asks an account is erased; signing in before cancels",
    )
    .default("7d")
    .under(RETENTION),
    // Assistant
    Setting::new(
        "assistant.base_url",
        "AI_BASE_URL",
        "ai-base-url",
        "An OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp's server), e.g. \
         http://localhost:11434/v1. Unset: the built-in provider answers from the documents alone",
    )
    .under(ASSISTANT),
    Setting::new("assistant.model", "AI_MODEL", "ai-model", "The model the endpoint is asked for")
        .default("gpt-4o-mini")
        .under(ASSISTANT),
    Setting::new(
        "assistant.api_key",
        "AI_API_KEY",
        "ai-api-key",
        "The endpoint's API key, sent as a bearer token when set",
    )
    .secret()
    .under(ASSISTANT),
    Setting::new(
        "assistant.timeout",
        "AI_TIMEOUT",
        "ai-timeout",
        "How long the endpoint may take to start answering, and between two parts of an answer",
    )
    .default("60s")
    .under(ASSISTANT),
    Setting::new(
        "assistant.daily_messages",
        "AI_DAILY_MESSAGES",
        "ai-daily-messages",
        "Questions each user may ask per day (UTC)",
    )
    .default("200")
    .under(ASSISTANT),
    Setting::new(
        "assistant.daily_tokens",
        "AI_DAILY_TOKENS",
        "ai-daily-tokens",
        "Tokens (in and out) each user may spend per day (UTC)",
    )
    .default("200000")
    .under(ASSISTANT),
    // Backups
    Setting::new(
        "backup.url",
        "BACKUP_URL",
        "backup-url",
        "Where backup archives go: a folder (path or file:///folder), or s3://bucket/prefix (with the S3_* \
         settings of storage). Defaults to DATA_DIR/backups",
    )
    .under(BACKUPS),
    Setting::new(
        "backup.schedule",
        "BACKUP_SCHEDULE",
        "backup-schedule",
        "When the scheduled backup runs: a cron expression with seconds, in UTC; empty turns it off. The \
         default, 02:30 nightly, is after the day's traffic and before the 03:00 retention job, so the two do \
         not compete for the database",
    )
    .default("0 30 2 * * *")
    .under(BACKUPS),
    Setting::new(
        "backup.keep",
        "BACKUP_KEEP",
        "backup-keep",
        "How many archives the scheduled backup keeps; older ones are deleted",
    )
    .default("7")
    .under(BACKUPS),
    // Secret keys
    Setting::new(
        "keys.secret_keys",
        "SECRET_KEYS",
        "secret-keys",
        "The app's secret keys: comma-separated `id:base64` entries of 32 random bytes each, newest first \
         (`smartai keys generate` prints one). The first seals TOTP secrets and keys new recovery codes and \
         audit events; all of them open what older ones made. Unset: a key generated once into \
         DATA_DIR/secret-keys",
    )
    .secret()
    .under(KEYS),
];
