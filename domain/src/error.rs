use std::fmt;

/// What went wrong, in domain words. Each door maps these once to its own wire format.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{field}: {problem}")]
    Invalid { field: Field, problem: Problem },
    #[error("email already registered")]
    EmailTaken,
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("wrong current password")]
    WrongPassword,
    /// Sign-in is locked out for a while after too many failures (of this account or network).
    #[error("too many sign-in attempts; retry after {retry_after:?}")]
    TooManyAttempts { retry_after: std::time::Duration },
    #[error("not signed in")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("database unavailable")]
    Unavailable(#[source] sea_orm::DbErr),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: Field, problem: Problem) -> Self {
        Self::Invalid { field, problem }
    }
}

impl From<sea_orm::DbErr> for Error {
    fn from(err: sea_orm::DbErr) -> Self {
        match err {
            sea_orm::DbErr::Conn(_) | sea_orm::DbErr::ConnectionAcquire(_) => Self::Unavailable(err),
            other => Self::Unexpected(anyhow::Error::new(other).context("database query failed")),
        }
    }
}

/// The input field a validation problem is about; the wire name is stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Email,
    Password,
    NewPassword,
    DisplayName,
    Locale,
    TimeZone,
    File,
    FileName,
    Avatar,
    ExpiresIn,
    NotificationKind,
    /// The secret of a link sent by e-mail.
    Token,
    /// A passkey's answer to a challenge, or its name.
    Passkey,
    /// A one-time code from an authenticator app, or a recovery code.
    Code,
    /// The pending sign-in that waits for its second factor.
    Challenge,
    /// Two-factor authentication as a whole (on, off, being set up).
    TwoFactor,
    /// A linked OpenID Connect provider.
    Provider,
    /// A personal access token's name.
    TokenName,
    /// A personal access token's scopes.
    Scopes,
    /// An account's role.
    Role,
    /// A conditional request's `If-Match` (the resource changed since it was read).
    Version,
    /// A question to the assistant.
    Question,
    /// A conversation's title.
    Title,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Password => "password",
            Self::NewPassword => "new_password",
            Self::DisplayName => "display_name",
            Self::Locale => "locale",
            Self::TimeZone => "time_zone",
            Self::File => "file",
            Self::FileName => "file_name",
            Self::Avatar => "avatar",
            Self::ExpiresIn => "expires_in",
            Self::NotificationKind => "notification_kind",
            Self::Token => "token",
            Self::Passkey => "passkey",
            Self::Code => "code",
            Self::Challenge => "challenge",
            Self::TwoFactor => "two_factor",
            Self::Provider => "provider",
            Self::TokenName => "token_name",
            Self::Scopes => "scopes",
            Self::Version => "version",
            Self::Role => "role",
            Self::Question => "question",
            Self::Title => "title",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a field was refused; the wire code is stable and is a translation key suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Required,
    TooShort,
    TooLong,
    Malformed,
    TooCommon,
    Unsupported,
    /// Bigger than the largest file allowed.
    TooLarge,
    /// Would take the owner over their storage quota.
    OverQuota,
    /// A name the system keeps for itself (a device name such as `CON`).
    Reserved,
    /// An image larger (in pixels) than allowed.
    Dimensions,
    /// A link past its expiry, already used, or never issued.
    Expired,
    /// A code that is wrong, or was already used.
    Incorrect,
    /// Would leave the account with no way to sign in.
    LastSignInMethod,
    /// A daily allowance (the assistant's questions or tokens) is used up until midnight UTC.
    DailyLimit,
}

impl Problem {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::TooShort => "too_short",
            Self::TooLong => "too_long",
            Self::Malformed => "malformed",
            Self::TooCommon => "too_common",
            Self::Unsupported => "unsupported",
            Self::TooLarge => "too_large",
            Self::OverQuota => "over_quota",
            Self::Reserved => "reserved",
            Self::Dimensions => "dimensions",
            Self::Expired => "expired",
            Self::Incorrect => "incorrect",
            Self::LastSignInMethod => "last_sign_in_method",
            Self::DailyLimit => "daily_limit",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
