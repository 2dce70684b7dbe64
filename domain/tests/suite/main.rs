//! The domain's integration tests, one binary: the services against real databases (a temp SQLite
//! file, or a fresh PostgreSQL database at TEST_DATABASE_URL), real stores and real queues.

mod assistant;
mod assistant_openai;
mod audit;
mod backup;
mod concurrency;
mod database;
mod exports;
mod files;
mod harness;
mod jobs;
mod mail;
mod passkeys;
mod retention;
mod secret_keys;
mod storage;
mod throttle;
mod two_factor;

/// Runs each listed test once on SQLite and once on PostgreSQL: `mod sqlite` and `mod postgres`,
/// each with a `#[tokio::test]` per name that calls `super::name(Backend)`. Start the list with
/// `multi_thread;` for tests that need the multi-threaded runtime (2 workers).
#[macro_export]
macro_rules! on_both_databases {
    (multi_thread; $($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::harness::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::harness::Backend::Postgres).await
                }
            )*
        }
    };
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::harness::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::harness::Backend::Postgres).await
                }
            )*
        }
    };
}
