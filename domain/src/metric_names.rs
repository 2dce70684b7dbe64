//! Every Prometheus metric name, recorded here in `domain` or in `server` (which describes them all
//! at `/metrics`). Dashboards and alert rules in `deploy/` query these exact strings: renaming one
//! breaks them.

// HTTP, counted by the server's middleware.
/// Labelled `method`, `route` (the route template) and `status`.
pub const HTTP_REQUESTS_TOTAL: &str = "http_requests_total";
/// Labelled `method`, `route` and `status`.
pub const HTTP_REQUEST_DURATION_SECONDS: &str = "http_request_duration_seconds";
pub const CSRF_REFUSED_TOTAL: &str = "http_csrf_refused_total";
/// Labelled `group` and `scope`.
pub const RATE_LIMITED_TOTAL: &str = "http_rate_limited_total";
pub const RATE_LIMIT_STORE_ERRORS_TOTAL: &str = "http_rate_limit_store_errors_total";

// Sign-in, counted in `accounts::throttle`.
/// Labelled `reason` (bad_credentials, throttled).
pub const AUTH_FAILURES_TOTAL: &str = "auth_failures_total";
/// Labelled `scope` (account, ip).
pub const AUTH_LOCKOUTS_TOTAL: &str = "auth_lockouts_total";

// Jobs, counted in `jobs` and its worker; the gauges are measured by the server at each scrape.
/// Labelled `queue` and `kind`.
pub const JOBS_ENQUEUED_TOTAL: &str = "jobs_enqueued_total";
/// Labelled `queue` and `kind`, as are the other counters of a job's run below.
pub const JOBS_STARTED_TOTAL: &str = "jobs_started_total";
pub const JOBS_SUCCEEDED_TOTAL: &str = "jobs_succeeded_total";
pub const JOBS_FAILED_TOTAL: &str = "jobs_failed_total";
pub const JOBS_RETRIED_TOTAL: &str = "jobs_retried_total";
pub const JOBS_DEAD_TOTAL: &str = "jobs_dead_total";
/// Labelled `queue` and `kind`.
pub const JOB_DURATION_SECONDS: &str = "job_duration_seconds";
/// Labelled `queue`.
pub const JOBS_QUEUE_DEPTH: &str = "jobs_queue_depth";
pub const JOBS_DEAD: &str = "jobs_dead";

// The assistant, counted in `assistant`.
/// Labelled `provider` and `outcome` (done, stopped, failed).
pub const ASSISTANT_REQUESTS_TOTAL: &str = "assistant_requests_total";
/// Labelled `provider`: from the question to the answer's end.
pub const ASSISTANT_REQUEST_DURATION_SECONDS: &str = "assistant_request_duration_seconds";
/// Labelled `provider` and `direction` (in, out).
pub const ASSISTANT_TOKENS_TOTAL: &str = "assistant_tokens_total";
/// Labelled `provider` and `kind` (unavailable, refused, interrupted, storage).
pub const ASSISTANT_ERRORS_TOTAL: &str = "assistant_errors_total";

// Storage, measured by the server at each scrape (only when storage is a local folder, not S3).
/// Bytes of the local storage folder's file system still usable by the app.
pub const STORAGE_LOCAL_FREE_BYTES: &str = "storage_local_free_bytes";
pub const STORAGE_LOCAL_TOTAL_BYTES: &str = "storage_local_total_bytes";

// Backups, set in `backup` after each scheduled backup.
pub const BACKUP_LAST_SUCCESS_TIMESTAMP_SECONDS: &str = "backup_last_success_timestamp_seconds";
pub const BACKUP_DURATION_SECONDS: &str = "backup_duration_seconds";

// Accounts, exports, mail and feature flags.
/// Counted in `deletion`.
pub const ACCOUNTS_ERASED_TOTAL: &str = "accounts_erased_total";
/// Counted in `exports`.
pub const DATA_EXPORTS_REQUESTED_TOTAL: &str = "data_exports_requested_total";
/// Recorded in `exports`.
pub const DATA_EXPORT_SECONDS: &str = "data_export_seconds";
/// Counted in `mail`, labelled `transport`.
pub const MAIL_SENT_TOTAL: &str = "mail_sent_total";
/// Counted in `flags`, labelled `flag` and `result` (on, off).
pub const FEATURE_FLAG_EVALUATIONS_TOTAL: &str = "feature_flag_evaluations_total";
