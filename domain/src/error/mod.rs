use std::time::Duration;

mod invalid;

pub use invalid::{Field, Problem};

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
    TooManyAttempts { retry_after: Duration },
    #[error("not signed in")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// The caller based a change on a version of the row that is no longer the stored one:
    /// another change came first, and nothing was written (see `crate::concurrency`).
    #[error("{field}: the row changed since this version was read", field = Field::Version)]
    StaleVersion,
    /// A dependency (the database, Redis) cannot be reached right now: retrying soon may work.
    #[error("{0:#}")]
    Unavailable(anyhow::Error),
    #[error(transparent)]
    Unexpected(anyhow::Error),
}

/// An unexpected error, unless it is (or was caused by) the database or Redis being unreachable:
/// code that adds context to such an error with `anyhow` still answers 503, not 500.
impl From<anyhow::Error> for Error {
    fn from(err: anyhow::Error) -> Self {
        let unavailable = err.chain().any(|cause| {
            cause.downcast_ref::<sea_orm::DbErr>().is_some_and(is_unavailable)
                || cause.downcast_ref::<redis::RedisError>().is_some_and(is_redis_unavailable)
        });
        if unavailable { Self::Unavailable(err) } else { Self::Unexpected(err) }
    }
}

impl From<redis::RedisError> for Error {
    fn from(err: redis::RedisError) -> Self {
        let unavailable = is_redis_unavailable(&err);
        let err = anyhow::Error::new(err).context("Redis");
        if unavailable { Self::Unavailable(err) } else { Self::Unexpected(err) }
    }
}

/// Whether Redis could not be reached (refused, dropped, timed out), rather than refused a command.
pub fn is_redis_unavailable(err: &redis::RedisError) -> bool {
    err.is_io_error() || err.is_connection_refusal() || err.is_connection_dropped() || err.is_timeout()
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: Field, problem: Problem) -> Self {
        Self::Invalid { field, problem }
    }

    /// The stable, machine-readable name every door sends (the REST API's `error.code`).
    pub fn code(&self) -> &'static str {
        match self {
            // A wrong current password is a refused field, like any other.
            Self::Invalid { .. } | Self::WrongPassword => "validation_failed",
            Self::EmailTaken => "email_taken",
            Self::InvalidCredentials => "invalid_credentials",
            Self::TooManyAttempts { .. } => "too_many_attempts",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::StaleVersion => "precondition_failed",
            Self::Unavailable(_) => "unavailable",
            Self::Unexpected(_) => "internal",
        }
    }

    /// How every door answers this error.
    pub fn class(&self) -> Class {
        match self {
            Self::Invalid { .. } | Self::WrongPassword => Class::Invalid,
            Self::EmailTaken => Class::Conflict,
            Self::InvalidCredentials | Self::Unauthenticated => Class::Unauthenticated,
            Self::TooManyAttempts { retry_after } => Class::RateLimited { retry_after: *retry_after },
            Self::Forbidden => Class::Forbidden,
            Self::NotFound => Class::NotFound,
            Self::StaleVersion => Class::Stale,
            Self::Unavailable(_) => Class::Unavailable,
            Self::Unexpected(_) => Class::Internal,
        }
    }
}

/// The one table of how an error is answered: the server functions, the byte doors and the REST
/// API all take their status and `Retry-After` from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// The caller's input was refused (422).
    Invalid,
    /// The request conflicts with what is stored (409).
    Conflict,
    /// Not signed in, or the credentials are wrong (401).
    Unauthenticated,
    /// Signed in, but not allowed (403).
    Forbidden,
    /// Nothing the caller may see has this name (404).
    NotFound,
    /// The change was based on a version that is no longer the stored one (412, as the REST
    /// API's `If-Match` asks).
    Stale,
    /// Too many attempts; the caller may retry after the delay (429).
    RateLimited { retry_after: Duration },
    /// A dependency (the database) is down; retrying soon may work (503).
    Unavailable,
    /// A bug or an unexpected failure (500).
    Internal,
}

/// What a 503 asks the client to wait: long enough for a load balancer to route elsewhere or a
/// database to fail over, short enough that a person retrying by hand is not kept waiting.
pub const UNAVAILABLE_RETRY_AFTER: Duration = Duration::from_secs(2);

impl Class {
    pub fn status(self) -> u16 {
        match self {
            Self::Invalid => 422,
            Self::Conflict => 409,
            Self::Unauthenticated => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Stale => 412,
            Self::RateLimited { .. } => 429,
            Self::Unavailable => 503,
            Self::Internal => 500,
        }
    }

    /// The `Retry-After` value in whole seconds, if the caller should retry: rounded up and at
    /// least one, so a retry on the dot never finds the lock still on.
    pub fn retry_after(self) -> Option<u64> {
        let wait = match self {
            Self::RateLimited { retry_after } => retry_after,
            Self::Unavailable => UNAVAILABLE_RETRY_AFTER,
            _ => return None,
        };
        Some(whole_seconds(wait))
    }
}

/// A wait as `Retry-After` counts it: whole seconds, rounded up and at least one, so a retry on
/// the dot never finds the lock still on.
pub fn whole_seconds(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

impl From<sea_orm::DbErr> for Error {
    fn from(err: sea_orm::DbErr) -> Self {
        if is_unavailable(&err) {
            Self::Unavailable(anyhow::Error::new(err).context("database unavailable"))
        } else {
            Self::Unexpected(anyhow::Error::new(err).context("database query failed"))
        }
    }
}

/// Whether a database error means the database cannot be reached right now (so a retry soon may
/// work: 503), rather than that the query or the data is wrong (500): no connection from the
/// pool within DATABASE_ACQUIRE_TIMEOUT, a connection that broke (I/O), or the server shutting
/// down or refusing connections (SQLSTATE classes 08 and 57P).
pub fn is_unavailable(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr, sqlx};

    let sqlx_error = match err {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
        DbErr::Conn(_) => return true,
        _ => return false,
    };
    match sqlx_error {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_rounds_up_to_whole_seconds_and_is_never_zero() {
        let limited = |millis| Class::RateLimited { retry_after: Duration::from_millis(millis) }.retry_after();
        assert_eq!(limited(0), Some(1));
        assert_eq!(limited(1), Some(1));
        assert_eq!(limited(1000), Some(1));
        assert_eq!(limited(1001), Some(2));
        assert_eq!(limited(59_500), Some(60));
        assert_eq!(Class::Unavailable.retry_after(), Some(2));
        assert_eq!(Class::NotFound.retry_after(), None);
    }

    #[test]
    fn an_unreachable_database_is_unavailable_and_a_bad_query_is_internal() {
        use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr, sqlx};

        let io = || sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionReset));
        let unreachable = [
            DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
            DbErr::Conn(RuntimeErr::SqlxError(sqlx::Error::PoolTimedOut)),
            DbErr::Query(RuntimeErr::SqlxError(io())),
            DbErr::Exec(RuntimeErr::SqlxError(io())),
        ];
        for err in unreachable {
            assert_eq!(Error::from(err).class(), Class::Unavailable);
        }
        let wrong = DbErr::Query(RuntimeErr::SqlxError(sqlx::Error::RowNotFound));
        assert_eq!(Error::from(wrong).class(), Class::Internal);
        assert_eq!(Error::from(DbErr::RecordNotInserted).class(), Class::Internal);

        // With context added on the way (anyhow), still 503.
        let wrapped = anyhow::Error::new(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)).context("loading the file");
        let err = Error::from(wrapped);
        assert_eq!((err.class(), err.code()), (Class::Unavailable, "unavailable"));
        assert_eq!(Error::from(anyhow::anyhow!("a bug")).class(), Class::Internal);
    }

    #[test]
    fn an_unreachable_redis_is_unavailable_and_a_refused_command_is_internal() {
        use redis::{ErrorKind, RedisError};

        let refused = RedisError::from(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        let err = Error::from(anyhow::Error::new(refused).context("enqueueing a job"));
        assert_eq!((err.class(), err.code()), (Class::Unavailable, "unavailable"));
        let dropped = RedisError::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert_eq!(Error::from(dropped).class(), Class::Unavailable);
        let wrong = RedisError::from((ErrorKind::TypeError, "WRONGTYPE"));
        assert_eq!(Error::from(wrong).class(), Class::Internal);
    }
}
