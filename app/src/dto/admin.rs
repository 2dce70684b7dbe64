//! The admin console: accounts, the job queue, the audit log and the feature flags.

use serde::{Deserialize, Serialize};

use super::{SessionDto, TokenDto, TwoFactorDto};

/// An account, as the admin console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUserDto {
    pub id: String,
    pub email: String,
    pub display_name: String,
    /// `user` or `admin`.
    pub role: String,
    pub email_verified: bool,
    pub suspended: bool,
    /// RFC 3339, in the viewer's time zone.
    pub created_at: String,
}

/// One page of accounts; `next` is where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUsersDto {
    pub items: Vec<AdminUserDto>,
    pub next: Option<String>,
    /// The administrator's own id: their row offers no actions (they have the profile for that).
    pub you: String,
}

/// One account in the admin console, with what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminAccountDto {
    pub user: AdminUserDto,
    /// The administrator looking at it: their own account offers no actions.
    pub you: bool,
    pub sessions: Vec<SessionDto>,
    pub tokens: Vec<TokenDto>,
    pub two_factor: TwoFactorDto,
    pub passkeys: u64,
    /// Linked sign-in providers, by their configured names.
    pub providers: Vec<String>,
    pub files: u64,
    pub storage_used: u64,
    pub storage_quota: u64,
    /// RFC 3339, in the viewer's time zone.
    pub last_sign_in: Option<String>,
}

/// The jobs of one queue that are not dead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueDepthDto {
    pub queue: String,
    pub ready: u64,
    pub delayed: u64,
    pub running: u64,
}

/// A dead job, as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadJobDto {
    pub id: String,
    pub queue: String,
    pub kind: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// RFC 3339, in the viewer's time zone.
    pub created_at: String,
}

/// A job running on a worker, or waiting for its time, as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingJobDto {
    pub id: String,
    pub queue: String,
    pub kind: String,
    pub running: bool,
    /// RFC 3339, in the viewer's time zone: when a waiting job is due.
    pub due_at: Option<String>,
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// The job queue at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobsDto {
    /// `redis` or `sql`.
    pub backend: String,
    pub queues: Vec<QueueDepthDto>,
    /// Running jobs, then those waiting for their time.
    pub pending: Vec<PendingJobDto>,
    /// The most recently buried first.
    pub dead: Vec<DeadJobDto>,
    pub dead_total: u64,
}

/// An event of the audit log, as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminAuditEventDto {
    pub seq: i64,
    /// Stable code; the UI words it with `audit-event-<event>`.
    pub event: String,
    /// RFC 3339, in the viewer's time zone.
    pub at: String,
    /// The account it is about: its id, and its address while the account exists.
    pub user_id: Option<String>,
    pub user_email: Option<String>,
    /// Who caused it, when someone else: their address, or their id once the account is gone.
    pub actor: Option<String>,
    pub ip: Option<String>,
    /// The details, as compact JSON (empty when there are none).
    pub details: String,
}

/// One page of the audit log; `next` is where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogDto {
    pub items: Vec<AdminAuditEventDto>,
    pub next: Option<String>,
    /// Every event code there is, for the filter.
    pub events: Vec<String>,
}

/// What verifying the audit log's hash chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditVerificationDto {
    pub intact: bool,
    pub events: u64,
    pub head_seq: i64,
    pub pseudonymised: u64,
    /// Events up to this number were removed by the retention.
    pub pruned_through: Option<i64>,
    /// Where the chain breaks first, and how (`admin-audit-breach-<problem>`).
    pub broken_seq: Option<i64>,
    pub broken_problem: Option<String>,
}

/// A feature flag, as the admin console shows and edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagDto {
    pub key: String,
    pub description: String,
    pub enabled: bool,
    pub rollout: u8,
    /// E-mail addresses.
    pub allow_users: Vec<String>,
    pub deny_users: Vec<String>,
    /// `user`, `admin`.
    pub allow_roles: Vec<String>,
    pub deny_roles: Vec<String>,
    /// RFC 3339, in the viewer's time zone; none while the flag is at its default.
    pub updated_at: Option<String>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use domain::accounts::Account;

    use super::{AdminUserDto, AuditVerificationDto, DeadJobDto, PendingJobDto};
    use crate::dto::rfc3339;

    impl From<&Account> for AdminUserDto {
        fn from(a: &Account) -> Self {
            Self {
                id: a.id.to_string(),
                email: a.email.clone(),
                display_name: a.display_name.clone(),
                role: a.role.as_str().to_owned(),
                email_verified: a.email_verified,
                suspended: a.suspended,
                created_at: rfc3339(a.created_at),
            }
        }
    }

    impl From<&domain::jobs::JobRecord> for DeadJobDto {
        fn from(j: &domain::jobs::JobRecord) -> Self {
            Self {
                id: j.id.to_string(),
                queue: j.queue.clone(),
                kind: j.kind.clone(),
                attempts: j.attempts,
                last_error: j.last_error.clone(),
                created_at: rfc3339(j.enqueued_at()),
            }
        }
    }

    impl From<&domain::jobs::PendingJob> for PendingJobDto {
        fn from(p: &domain::jobs::PendingJob) -> Self {
            let due_at = p.due_at.map(rfc3339);
            Self {
                id: p.job.id.to_string(),
                queue: p.job.queue.clone(),
                kind: p.job.kind.clone(),
                running: p.running,
                due_at,
                attempts: p.job.attempts,
                last_error: p.job.last_error.clone(),
            }
        }
    }

    impl From<&domain::audit::Report> for AuditVerificationDto {
        fn from(r: &domain::audit::Report) -> Self {
            Self {
                intact: r.broken.is_none(),
                events: r.events,
                head_seq: r.head_seq,
                pseudonymised: r.pseudonymised,
                pruned_through: r.pruned.as_ref().map(|anchor| anchor.through),
                broken_seq: r.broken.as_ref().map(|b| b.seq),
                broken_problem: r.broken.as_ref().map(|b| b.problem.code().to_owned()),
            }
        }
    }
}
