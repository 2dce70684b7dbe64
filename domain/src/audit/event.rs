//! The kinds of security event the log records, and their stored codes.

/// A kind of security event. The codes are stored and translated (`audit-event-<code>`): they
/// never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    SignUp,
    SignIn,
    SignInFailed,
    SignOut,
    PasswordChanged,
    PasswordReset,
    SessionRevoked,
    RoleChanged,
    TwoFactorEnabled,
    TwoFactorDisabled,
    ProviderLinked,
    ProviderUnlinked,
    EmailVerified,
    PasskeyAdded,
    PasskeyRemoved,
    TokenCreated,
    TokenRevoked,
    /// The app appended its first keyed event after ones from before SECRET_KEYS.
    AuditKeyed,
    /// The owner asked for the account to be deleted after the grace period.
    DeletionRequested,
    /// The owner signed in during the grace period: the account stays.
    DeletionCancelled,
    /// The account and everything it owned were erased; its events lost their personal data.
    AccountErased,
    /// The retention removed the oldest events; the details say through which one, and its hash.
    AuditPruned,
    /// The owner asked for a copy of their data.
    ExportRequested,
    /// The owner downloaded their export.
    ExportDownloaded,
    /// An administrator set a feature flag.
    FlagChanged,
    /// An administrator suspended the account: its sessions and tokens stopped working.
    AccountSuspended,
    /// An administrator lifted the account's suspension.
    AccountReactivated,
    /// An administrator put a dead job back in its queue.
    JobRetried,
    /// An administrator dropped a dead job.
    JobDiscarded,
    /// An administrator had a password reset link e-mailed to the account.
    PasswordResetSent,
}

impl Event {
    pub const ALL: [Event; 30] = [
        Self::SignUp,
        Self::SignIn,
        Self::SignInFailed,
        Self::SignOut,
        Self::PasswordChanged,
        Self::PasswordReset,
        Self::SessionRevoked,
        Self::RoleChanged,
        Self::TwoFactorEnabled,
        Self::TwoFactorDisabled,
        Self::ProviderLinked,
        Self::ProviderUnlinked,
        Self::EmailVerified,
        Self::PasskeyAdded,
        Self::PasskeyRemoved,
        Self::TokenCreated,
        Self::TokenRevoked,
        Self::AuditKeyed,
        Self::DeletionRequested,
        Self::DeletionCancelled,
        Self::AccountErased,
        Self::AuditPruned,
        Self::ExportRequested,
        Self::ExportDownloaded,
        Self::FlagChanged,
        Self::AccountSuspended,
        Self::AccountReactivated,
        Self::JobRetried,
        Self::JobDiscarded,
        Self::PasswordResetSent,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::SignUp => "sign_up",
            Self::SignIn => "sign_in",
            Self::SignInFailed => "sign_in_failed",
            Self::SignOut => "sign_out",
            Self::PasswordChanged => "password_changed",
            Self::PasswordReset => "password_reset",
            Self::SessionRevoked => "session_revoked",
            Self::RoleChanged => "role_changed",
            Self::TwoFactorEnabled => "two_factor_enabled",
            Self::TwoFactorDisabled => "two_factor_disabled",
            Self::ProviderLinked => "provider_linked",
            Self::ProviderUnlinked => "provider_unlinked",
            Self::EmailVerified => "email_verified",
            Self::PasskeyAdded => "passkey_added",
            Self::PasskeyRemoved => "passkey_removed",
            Self::TokenCreated => "token_created",
            Self::TokenRevoked => "token_revoked",
            Self::AuditKeyed => "audit_keyed",
            Self::DeletionRequested => "deletion_requested",
            Self::DeletionCancelled => "deletion_cancelled",
            Self::AccountErased => "account_erased",
            Self::AuditPruned => "audit_pruned",
            Self::ExportRequested => "export_requested",
            Self::ExportDownloaded => "export_downloaded",
            Self::FlagChanged => "flag_changed",
            Self::AccountSuspended => "account_suspended",
            Self::AccountReactivated => "account_reactivated",
            Self::JobRetried => "job_retried",
            Self::JobDiscarded => "job_discarded",
            Self::PasswordResetSent => "password_reset_sent",
        }
    }

    /// Whether the owner is e-mailed when this happens to their account.
    pub fn notifies_owner(self) -> bool {
        matches!(
            self,
            Self::PasswordChanged
                | Self::PasswordReset
                | Self::TwoFactorEnabled
                | Self::TwoFactorDisabled
                | Self::PasskeyAdded
                | Self::ProviderLinked
                | Self::TokenCreated
                | Self::DeletionRequested
                | Self::DeletionCancelled
        )
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn codes_round_trip() {
        for event in Event::ALL {
            assert_eq!(Event::parse(event.code()), Some(event));
        }
    }
}
