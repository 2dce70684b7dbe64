//! What a validation error is about (`Field`) and what is wrong with it (`Problem`): the pairs
//! `Error::Invalid` carries, with wire names the forms and the REST API rely on.

use std::fmt;

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
    /// The version of a row a change was based on (a conditional request's `If-Match`): it
    /// changed since it was read.
    Version,
    /// A question to the assistant.
    Question,
    /// A conversation's title.
    Title,
    /// What the user typed to confirm something that cannot be undone (their address, to delete
    /// their account).
    Confirmation,
    /// A feature flag's rollout percentage.
    Rollout,
    /// The kind of audit event to list.
    AuditEvent,
    /// A span of dates to list (its end before its start).
    Period,
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
            Self::Confirmation => "confirmation",
            Self::Rollout => "rollout",
            Self::AuditEvent => "event",
            Self::Period => "period",
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
    /// The account's e-mail address is not confirmed yet, and this needs it to be.
    Unconfirmed,
    /// Would leave the platform without an administrator.
    LastAdmin,
    /// The account is suspended by an administrator.
    Suspended,
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
            Self::Unconfirmed => "unconfirmed",
            Self::LastAdmin => "last_admin",
            Self::Suspended => "suspended",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
