//! What travels between the server and the UI. Built from domain types in one explicit step.
//!
//! One module per area; every type is re-exported here, so it is `crate::dto::X` wherever it
//! lives. Each module converts from the domain's types in its own `ssr` module.

mod accounts;
mod admin;
mod assistant;
mod files;
mod notifications;
mod sign_in;
mod tokens;

pub use accounts::{AuditEventDto, ExportDto, ProfileDto, UserDto, avatar_url};
pub use admin::{
    AdminAccountDto, AdminAuditEventDto, AdminUserDto, AdminUsersDto, AuditLogDto, AuditVerificationDto, DeadJobDto,
    FlagDto, JobsDto, PendingJobDto, QueueDepthDto,
};
pub use assistant::{AnswerEventDto, ConversationDto, HelpPageDto, MessageDto, SourceDto, UsageDto};
pub use files::{FileDetailsDto, FileDto, FilePageDto, NewShareDto, Preview, ShareDto};
pub use notifications::{ChannelsDto, NotificationDto, PreferenceDto};
pub use sign_in::{
    EnrolmentDto, LinkedProviderDto, LinkedProvidersDto, PasskeyDto, ProviderDto, SessionDto, SignInDto, TwoFactorDto,
    provider_start_url,
};
pub use tokens::{NewTokenDto, TokenDto};

#[cfg(feature = "ssr")]
pub use ssr::{rfc3339, viewer_time_zone};

#[cfg(feature = "ssr")]
mod ssr {
    use axum::http::request::Parts;
    use domain::accounts::Account;
    use leptos::prelude::with_context;
    use time::{OffsetDateTime, format_description::well_known::Rfc3339};

    /// The signed-in account's time zone, for the times sent back (without cloning the request,
    /// as this runs once per time in a list).
    pub fn viewer_time_zone() -> Option<String> {
        with_context::<Parts, _>(|p| p.extensions.get::<Account>().map(|a| a.time_zone.clone())).flatten()
    }

    /// A time for the page, in the time zone of the signed-in account that asked (UTC for a
    /// visitor), so the server and the hydrated page show the same clock and programs still read
    /// the same instant: `2026-12-06T14:05:09+01:00`.
    pub fn rfc3339(at: OffsetDateTime) -> String {
        let local = match viewer_time_zone() {
            Some(zone) => domain::accounts::TimeZone::local(&zone, at),
            None => at,
        };
        local.format(&Rfc3339).unwrap_or_default()
    }
}
