//! The error every server function returns: typed, so the UI can match on it, and carrying only
//! stable codes (the UI translates them). How a request a server function cannot read becomes one
//! (`FromServerFnError`) is with the server functions, in `rpc`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AppError {
    /// A field was refused; `field` and `problem` are stable wire names.
    #[error("{field} is {problem}")]
    Invalid { field: String, problem: String },
    /// An upload was refused; names the file so a user uploading several knows which.
    #[error("{name}: {problem}")]
    FileRejected { name: String, problem: String },
    #[error("email already registered")]
    EmailTaken,
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("wrong current password")]
    WrongPassword,
    /// Sign-in is locked out after too many failures; `retry_after` is in whole seconds.
    #[error("too many attempts; retry in {retry_after} s")]
    TooManyAttempts { retry_after: u64 },
    #[error("not signed in")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// The change was based on a version of the row that is no longer the stored one: another
    /// change came first, and nothing was written.
    #[error("version conflict: changed since it was read")]
    VersionConflict,
    #[error("service unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal,
    /// The request never reached the function, or its answer could not be read.
    #[error("request failed: {message}")]
    Request { message: String },
}

impl AppError {
    /// The translation key of the message a user should read.
    pub fn message_key(&self) -> String {
        match self {
            AppError::Invalid { field, problem } => format!("error-{field}-{problem}"),
            AppError::FileRejected { problem, .. } => format!("error-upload-{problem}"),
            AppError::EmailTaken => "error-email-taken".into(),
            AppError::InvalidCredentials => "error-invalid-credentials".into(),
            AppError::WrongPassword => "error-wrong-password".into(),
            AppError::TooManyAttempts { .. } => "error-too-many-attempts".into(),
            AppError::Unauthenticated => "error-unauthenticated".into(),
            AppError::Forbidden => "error-forbidden".into(),
            AppError::NotFound => "error-not-found".into(),
            AppError::VersionConflict => "error-version-conflict".into(),
            AppError::Unavailable => "error-unavailable".into(),
            AppError::Internal => "error-internal".into(),
            AppError::Request { .. } => "error-request".into(),
        }
    }

    /// The values the message refers to.
    pub fn message_args(&self) -> Vec<(&'static str, String)> {
        match self {
            AppError::FileRejected { name, .. } => vec![("name", name.clone())],
            AppError::TooManyAttempts { retry_after } => vec![("count", retry_after.to_string())],
            _ => Vec::new(),
        }
    }

    /// The field this error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => Some(field),
            AppError::EmailTaken => Some("email"),
            AppError::WrongPassword => Some("current_password"),
            _ => None,
        }
    }

    /// The HTTP status a program calling the RPC endpoint sees. The browser needs it too, so it
    /// cannot call into the domain; `server/tests/api/errors.rs` checks it against
    /// `domain::error::Class`, the one table.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid { .. } | AppError::FileRejected { .. } | AppError::WrongPassword => 422,
            AppError::EmailTaken => 409,
            AppError::InvalidCredentials | AppError::Unauthenticated => 401,
            AppError::TooManyAttempts { .. } => 429,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::VersionConflict => 412,
            AppError::Unavailable => 503,
            AppError::Internal => 500,
            AppError::Request { .. } => 400,
        }
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use domain::{
        Error,
        error::{Class, Field},
    };

    use super::AppError;

    impl AppError {
        /// The `Retry-After` seconds to send with this error, from the domain's table.
        pub fn retry_after(&self) -> Option<u64> {
            match self {
                AppError::TooManyAttempts { retry_after } => Some(*retry_after),
                AppError::Unavailable => Class::Unavailable.retry_after(),
                _ => None,
            }
        }

        /// As `From<Error>`, for an upload: a refusal names the file.
        pub fn for_upload(err: Error, name: &str) -> Self {
            match err {
                Error::Invalid { field: Field::File | Field::FileName | Field::Avatar, problem } => {
                    AppError::FileRejected { name: name.to_owned(), problem: problem.as_str().into() }
                }
                other => other.into(),
            }
        }
    }

    impl From<Error> for AppError {
        fn from(err: Error) -> Self {
            match err {
                Error::Invalid { field, problem } => {
                    AppError::Invalid { field: field.as_str().into(), problem: problem.as_str().into() }
                }
                Error::EmailTaken => AppError::EmailTaken,
                Error::InvalidCredentials => AppError::InvalidCredentials,
                Error::WrongPassword => AppError::WrongPassword,
                Error::TooManyAttempts { .. } => {
                    AppError::TooManyAttempts { retry_after: err.class().retry_after().unwrap_or(1) }
                }
                Error::Unauthenticated => AppError::Unauthenticated,
                Error::Forbidden => AppError::Forbidden,
                Error::NotFound => AppError::NotFound,
                Error::StaleVersion => AppError::VersionConflict,
                Error::Unavailable(cause) => {
                    tracing::error!(error = %cause, "dependency unavailable");
                    AppError::Unavailable
                }
                Error::Unexpected(cause) => {
                    tracing::error!(error = ?cause, "unexpected error");
                    AppError::Internal
                }
            }
        }
    }
}
