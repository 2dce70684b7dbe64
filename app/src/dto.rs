//! What travels between the server and the UI. Built from domain types in one explicit step.

use serde::{Deserialize, Serialize};

/// The signed-in user, as the shell needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDto {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub is_admin: bool,
    pub locale: String,
    /// The small avatar image, when the user has set one.
    pub avatar_url: Option<String>,
    /// Notifications not read yet (the bell's badge).
    pub unread_notifications: u64,
    /// Whether the assistant's feature flag is on for this user (decided by the server, so the
    /// rendered page and the hydrated one agree).
    pub assistant: bool,
}

/// What a right password gets: the user, signed in, or (with two-factor on) the challenge a code
/// must answer at `auth/sign_in_code`. The first is the plain user, as before two-factor existed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SignInDto {
    SignedIn(UserDto),
    SecondFactorDue { challenge: String },
}

/// Where the user's two-factor authentication stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorDto {
    pub enabled: bool,
    /// Recovery codes not used yet.
    pub recovery_codes_left: u64,
}

/// A new authenticator secret, shown once while two-factor is being turned on.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentDto {
    /// Base32, for typing into the app by hand.
    pub secret: String,
    pub otpauth_url: String,
    /// The QR code, a `data:image/png;base64,…` URL.
    pub qr_code: String,
}

impl std::fmt::Debug for EnrolmentDto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EnrolmentDto(***)")
    }
}

/// Everything the profile page shows and edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileDto {
    pub email: String,
    pub display_name: String,
    pub locale: String,
    pub time_zone: String,
    pub role: String,
    /// Whether the user followed the link sent to `email`.
    pub email_verified: bool,
    /// `YYYY-MM-DD`, in UTC.
    pub member_since: String,
    /// The large avatar image, when the user has set one.
    pub avatar_url: Option<String>,
    /// Days between asking for the account's deletion and its erasure.
    pub deletion_grace_days: u64,
    /// Hours a ready data export can be downloaded.
    pub export_hours: u64,
}

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

/// A data export, as the profile lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportDto {
    pub id: String,
    /// `pending`, `ready`, `failed` or `expired`.
    pub status: String,
    pub size: Option<u64>,
    /// RFC 3339, in the viewer's time zone.
    pub created_at: String,
    pub expires_at: Option<String>,
}

impl ExportDto {
    /// Where its zip is downloaded (signed in as its owner).
    pub fn download_url(&self) -> String {
        format!("/account/exports/{}/download", self.id)
    }
}

/// A stored file, as lists and the file page show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDto {
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// RFC 3339, UTC.
    pub uploaded_at: String,
}

impl FileDto {
    /// Where the bytes are, shown in the browser (`download = false`) or saved.
    pub fn content_url(&self, download: bool) -> String {
        if download { format!("/files/{}/content?download", self.id) } else { format!("/files/{}/content", self.id) }
    }

    /// How the file page previews it.
    pub fn preview(&self) -> Preview {
        match self.content_type.as_str() {
            t if t.starts_with("image/") => Preview::Image,
            "application/pdf" => Preview::Pdf,
            t if t.starts_with("text/") => Preview::Text,
            _ => Preview::None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preview {
    Image,
    Pdf,
    Text,
    None,
}

/// One page of the file list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilePageDto {
    pub items: Vec<FileDto>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub used: u64,
    pub quota: u64,
    pub max_size: u64,
}

/// A file with what its own page shows: a text preview and its share links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDetailsDto {
    pub file: FileDto,
    /// The beginning of a text file, for the preview.
    pub text_preview: Option<String>,
    pub shares: Vec<ShareDto>,
    /// The link a plain form post (no JavaScript) just made, shown once on the page it returned to.
    pub fresh_share: Option<String>,
}

/// A share link, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareDto {
    pub id: String,
    /// RFC 3339, UTC.
    pub expires_at: String,
    pub created_at: String,
}

/// A share link just made: its URL is shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewShareDto {
    pub share: ShareDto,
    pub url: String,
}

/// A notification as the list shows it; the UI words it from `kind` and `params`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationDto {
    pub id: String,
    pub kind: String,
    /// The values the message names, as strings (`name`, `file_id`).
    pub params: Vec<(String, String)>,
    pub read: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// A signed-in session in the user's sessions list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionDto {
    pub id: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub last_seen_at: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub current: bool,
}

/// A passkey in its owner's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyDto {
    pub id: String,
    pub name: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub last_used_at: Option<String>,
}

/// A personal access token in its owner's list: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenDto {
    pub id: String,
    pub name: String,
    /// `read`, `write`, `admin`.
    pub scopes: Vec<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub expires_at: String,
    pub last_used_at: Option<String>,
    pub last_used_ip: Option<String>,
    /// Past its expiry: it no longer works (and is purged a week later).
    pub expired: bool,
}

/// A token just created: its secret (`sat_…`) is shown this once.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTokenDto {
    pub token: TokenDto,
    pub secret: String,
}

impl std::fmt::Debug for NewTokenDto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewTokenDto").field("token", &self.token).field("secret", &"***").finish()
    }
}

/// How one kind of notification reaches the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreferenceDto {
    pub kind: String,
    pub in_app: bool,
    pub email: bool,
}

/// One kind's channels as a settings form posts them: a box left unticked is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelsDto {
    #[serde(default)]
    pub in_app: bool,
    #[serde(default)]
    pub email: bool,
}

/// A security event on the user's own account, as the profile lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEventDto {
    /// Stable code (`sign_in`); the UI words it with `audit-event-<event>`.
    pub event: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The `x-request-id` of the request that caused it.
    pub request_id: Option<String>,
}

/// An OpenID Connect provider one can sign in with ("Sign in with {display_name}").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderDto {
    pub name: String,
    pub display_name: String,
}

/// The providers of the signed-in user's account: those linked and those one could link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedProvidersDto {
    pub linked: Vec<LinkedProviderDto>,
    pub available: Vec<ProviderDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedProviderDto {
    pub name: String,
    pub display_name: String,
    /// The e-mail address the provider gave.
    pub email: Option<String>,
    /// RFC 3339, UTC.
    pub linked_at: String,
}

/// A conversation with the assistant, as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationDto {
    pub id: String,
    pub title: String,
    /// RFC 3339, UTC: when the last question was asked.
    pub updated_at: String,
}

/// Where part of an answer came from: a link within the app (a file or a help page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceDto {
    pub title: String,
    /// `/files/<id>` or `/help/<slug>`.
    pub url: String,
    pub snippet: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageDto {
    pub id: String,
    /// Asked by the user (else answered by the assistant).
    pub from_user: bool,
    /// Markdown, for the assistant's answers.
    pub content: String,
    pub sources: Vec<SourceDto>,
    /// The user stopped this answer before it was complete.
    pub stopped: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// Today's use of the assistant against the daily limits (UTC day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageDto {
    pub messages: u32,
    pub messages_limit: u32,
    pub tokens: u64,
    pub tokens_limit: u64,
}

/// One line of the answer stream of `/rpc/assistant/ask` (newline-delimited JSON), in this order:
/// `started`, `sources`, any number of `delta`s, then exactly one of `done` or `failed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AnswerEventDto {
    /// The conversation (new when the question started one) and the stored question.
    Started {
        conversation: ConversationDto,
        question_id: String,
    },
    Sources {
        sources: Vec<SourceDto>,
    },
    /// The next piece of the answer's Markdown.
    Delta {
        text: String,
    },
    /// The answer is complete and stored.
    Done {
        message_id: String,
        usage: UsageDto,
    },
    /// The provider failed; what arrived so far is stored. The UI shows its own words.
    Failed,
}

/// A page of the built-in help, which the assistant cites as a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpPageDto {
    pub slug: String,
    pub title: String,
    pub markdown: String,
}

/// Where a provider sign-in starts: a plain link, so it works without JavaScript.
pub fn provider_start_url(name: &str) -> String {
    format!("/auth/oidc/{name}/start")
}

/// The avatar image URL of a given size.
pub fn avatar_url(avatar_id: &str, size: u32) -> String {
    format!("/avatars/{avatar_id}/{size}.png")
}

#[cfg(feature = "ssr")]
pub use ssr::rfc3339;

#[cfg(feature = "ssr")]
mod assistant_ssr {
    use domain::assistant::{AnswerEvent, ConversationInfo, MessageInfo, Source, Speaker, Usage};

    use super::{AnswerEventDto, ConversationDto, MessageDto, SourceDto, UsageDto, rfc3339};

    impl From<&ConversationInfo> for ConversationDto {
        fn from(c: &ConversationInfo) -> Self {
            Self { id: c.id.to_string(), title: c.title.clone(), updated_at: rfc3339(c.updated_at) }
        }
    }

    impl From<&Source> for SourceDto {
        fn from(s: &Source) -> Self {
            Self { title: s.title.clone(), url: s.url.clone(), snippet: s.snippet.clone() }
        }
    }

    impl From<&MessageInfo> for MessageDto {
        fn from(m: &MessageInfo) -> Self {
            Self {
                id: m.id.to_string(),
                from_user: m.speaker == Speaker::User,
                content: m.content.clone(),
                sources: m.sources.iter().map(SourceDto::from).collect(),
                stopped: m.stopped,
                created_at: rfc3339(m.created_at),
            }
        }
    }

    impl From<Usage> for UsageDto {
        fn from(u: Usage) -> Self {
            Self {
                messages: u.messages,
                messages_limit: u.messages_limit,
                tokens: u.tokens,
                tokens_limit: u.tokens_limit,
            }
        }
    }

    impl From<AnswerEvent> for AnswerEventDto {
        fn from(event: AnswerEvent) -> Self {
            match event {
                AnswerEvent::Started { conversation, question_id } => {
                    Self::Started { conversation: (&conversation).into(), question_id: question_id.to_string() }
                }
                AnswerEvent::Sources { sources } => {
                    Self::Sources { sources: sources.iter().map(SourceDto::from).collect() }
                }
                AnswerEvent::Delta { text } => Self::Delta { text },
                AnswerEvent::Done { message_id, usage } => {
                    Self::Done { message_id: message_id.to_string(), usage: usage.into() }
                }
                AnswerEvent::Failed { reason } => {
                    // For people, but in the provider's words and language: the log keeps it, the
                    // UI says it its own way.
                    tracing::warn!(%reason, "the assistant's provider failed");
                    Self::Failed
                }
            }
        }
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use domain::{
        accounts::Account,
        files::{FileInfo, ShareInfo},
    };
    use time::{OffsetDateTime, format_description::well_known::Rfc3339};

    use super::{FileDto, ProfileDto, ShareDto, UserDto, avatar_url};

    /// A time for the page, in the time zone of the signed-in account that asked (UTC for a
    /// visitor), so the server and the hydrated page show the same clock and programs still read
    /// the same instant: `2026-12-06T14:05:09+01:00`.
    pub fn rfc3339(at: OffsetDateTime) -> String {
        let local = match crate::rpc::ssr::viewer_time_zone() {
            Some(zone) => domain::accounts::TimeZone::local(&zone, at),
            None => at,
        };
        local.format(&Rfc3339).unwrap_or_default()
    }

    impl From<&FileInfo> for FileDto {
        fn from(f: &FileInfo) -> Self {
            Self {
                id: f.id.to_string(),
                name: f.name.clone(),
                content_type: f.content_type.clone(),
                size: f.size,
                uploaded_at: rfc3339(f.created_at),
            }
        }
    }

    impl From<&domain::notifications::NotificationInfo> for super::NotificationDto {
        fn from(n: &domain::notifications::NotificationInfo) -> Self {
            let params = n
                .params
                .as_object()
                .map(|map| {
                    map.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                        .collect()
                })
                .unwrap_or_default();
            Self { id: n.id.to_string(), kind: n.kind.clone(), params, read: n.read, created_at: rfc3339(n.created_at) }
        }
    }

    impl From<&Account> for super::AdminUserDto {
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

    impl From<&domain::jobs::JobRecord> for super::DeadJobDto {
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

    impl From<&domain::jobs::PendingJob> for super::PendingJobDto {
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

    impl From<&domain::audit::Report> for super::AuditVerificationDto {
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

    impl From<&domain::exports::ExportInfo> for super::ExportDto {
        fn from(e: &domain::exports::ExportInfo) -> Self {
            Self {
                id: e.id.to_string(),
                status: e.status.as_str().to_owned(),
                size: e.size,
                created_at: rfc3339(e.created_at),
                expires_at: e.expires_at.map(rfc3339),
            }
        }
    }

    impl From<&domain::sessions::SessionInfo> for super::SessionDto {
        fn from(s: &domain::sessions::SessionInfo) -> Self {
            Self {
                id: s.id.clone(),
                created_at: rfc3339(s.created_at),
                last_seen_at: rfc3339(s.last_seen_at),
                ip: s.ip.clone(),
                user_agent: s.user_agent.clone(),
                current: s.current,
            }
        }
    }

    impl From<&domain::accounts::PasskeyInfo> for super::PasskeyDto {
        fn from(p: &domain::accounts::PasskeyInfo) -> Self {
            Self {
                id: p.id.to_string(),
                name: p.name.clone(),
                created_at: rfc3339(p.created_at),
                last_used_at: p.last_used_at.map(rfc3339),
            }
        }
    }

    impl From<&domain::accounts::TokenInfo> for super::TokenDto {
        fn from(t: &domain::accounts::TokenInfo) -> Self {
            Self {
                id: t.id.to_string(),
                name: t.name.clone(),
                scopes: t.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
                created_at: rfc3339(t.created_at),
                expires_at: rfc3339(t.expires_at),
                last_used_at: t.last_used_at.map(rfc3339),
                last_used_ip: t.last_used_ip.clone(),
                expired: OffsetDateTime::now_utc() >= t.expires_at,
            }
        }
    }

    impl From<&domain::notifications::Preference> for super::PreferenceDto {
        fn from(p: &domain::notifications::Preference) -> Self {
            Self { kind: p.kind.to_owned(), in_app: p.in_app, email: p.email }
        }
    }

    impl From<&domain::audit::AuditEntry> for super::AuditEventDto {
        fn from(e: &domain::audit::AuditEntry) -> Self {
            Self {
                event: e.event.clone(),
                at: rfc3339(e.created_at),
                ip: e.ip.clone(),
                user_agent: e.user_agent.clone(),
                request_id: e.request_id.clone(),
            }
        }
    }

    impl From<&ShareInfo> for ShareDto {
        fn from(s: &ShareInfo) -> Self {
            Self { id: s.id.to_string(), expires_at: rfc3339(s.expires_at), created_at: rfc3339(s.created_at) }
        }
    }

    impl From<&Account> for UserDto {
        fn from(a: &Account) -> Self {
            Self {
                id: a.id.to_string(),
                email: a.email.clone(),
                display_name: a.display_name.clone(),
                is_admin: a.role == domain::Role::Admin,
                locale: a.locale.clone(),
                avatar_url: a.avatar_id.map(|id| avatar_url(&id.to_string(), 64)),
                unread_notifications: 0,
                assistant: false,
            }
        }
    }

    impl From<&Account> for ProfileDto {
        fn from(a: &Account) -> Self {
            let date = a.created_at.date();
            Self {
                email: a.email.clone(),
                display_name: a.display_name.clone(),
                locale: a.locale.clone(),
                time_zone: a.time_zone.clone(),
                role: a.role.as_str().into(),
                email_verified: a.email_verified,
                member_since: format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day()),
                avatar_url: a.avatar_id.map(|id| avatar_url(&id.to_string(), 256)),
                deletion_grace_days: 0,
                export_hours: 0,
            }
        }
    }
}
