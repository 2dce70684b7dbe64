//! Sign-in throttling: counts per e-mail address and per network, growing lock-outs, resets and
//! purges, on a temp SQLite file and on a fresh PostgreSQL database at TEST_DATABASE_URL. The clock
//! is an argument, so the rules are checked to the millisecond without waiting.

use std::time::Duration;

use domain::{
    Error,
    accounts::{Throttle, ThrottleConfig, throttle::Attempt},
};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use time::OffsetDateTime;

use crate::harness::{Backend, database_url};

crate::on_both_databases!(
    multi_thread;
    lock_outs_start_at_the_threshold_and_double_up_to_the_cap,
    a_refused_attempt_counts_nothing,
    a_success_resets_the_account_but_not_the_network,
    unknown_and_malformed_addresses_are_counted_like_real_ones,
    failures_are_forgotten_after_a_quiet_window,
    parallel_attempts_cannot_outrun_the_lock,
    the_nightly_purge_removes_idle_counters_only,
    sign_in_is_refused_while_locked_even_with_the_right_password,
);

const IP: Option<&str> = Some("203.0.113.7");

struct TestDb {
    db: DatabaseConnection,
    _dir: tempfile::TempDir,
}

async fn database(backend: Backend) -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(backend, dir.path()).await;
    let db = Database::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    TestDb { db, _dir: dir }
}

fn config(args: &[&str]) -> ThrottleConfig {
    domain::config::Config::from_flags(args).unwrap().throttle
}

async fn throttle(backend: Backend, args: &[&str]) -> (Throttle, TestDb) {
    let db = database(backend).await;
    (Throttle::new(db.db.clone(), &config(args)), db)
}

fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
}

fn at(ms: i64) -> OffsetDateTime {
    t0() + time::Duration::milliseconds(ms)
}

/// One wrong password for `email` at `now`.
async fn fail(throttle: &Throttle, email: &str, ip: Option<&str>, now: OffsetDateTime) {
    let attempt = throttle.admit(email, ip, now).await.expect("the attempt is let in");
    throttle.failed(&attempt);
}

async fn refused(throttle: &Throttle, email: &str, ip: Option<&str>, now: OffsetDateTime) -> Duration {
    match throttle.admit(email, ip, now).await {
        Err(Error::TooManyAttempts { retry_after }) => retry_after,
        Ok(_) => panic!("{email} was let in at {now}"),
        Err(other) => panic!("unexpected error: {other}"),
    }
}

async fn admitted(throttle: &Throttle, email: &str, ip: Option<&str>, now: OffsetDateTime) -> Attempt {
    throttle.admit(email, ip, now).await.unwrap_or_else(|err| panic!("{email} was refused at {now}: {err}"))
}

async fn lock_outs_start_at_the_threshold_and_double_up_to_the_cap(backend: Backend) {
    let args = ["--auth-throttle-account-threshold", "3", "--auth-throttle-base-delay", "1s"];
    let (throttle, _db) = throttle(backend, &[&args[..], &["--auth-throttle-max-delay", "5s"]].concat()).await;
    let email = "ada@example.com";

    // Three attempts are free; the third failure locks for the base delay.
    for _ in 0..3 {
        fail(&throttle, email, IP, t0()).await;
    }
    assert_eq!(refused(&throttle, email, IP, t0()).await, Duration::from_secs(1));
    assert_eq!(refused(&throttle, email, IP, at(400)).await, Duration::from_millis(600));

    // Each further failure doubles the lock-out, counted from that failure, up to the cap.
    let mut now: i64 = 1000;
    for expected in [2000, 4000, 5000, 5000] {
        fail(&throttle, email, IP, at(now)).await;
        assert_eq!(refused(&throttle, email, IP, at(now)).await, Duration::from_millis(expected as u64));
        assert_eq!(refused(&throttle, email, IP, at(now + expected - 1)).await, Duration::from_millis(1));
        now += expected;
    }
    admitted(&throttle, email, IP, at(now)).await;

    // Another address from the same network is not locked (its threshold is 20 by default).
    admitted(&throttle, "grace@example.com", IP, t0()).await;
}

async fn a_refused_attempt_counts_nothing(backend: Backend) {
    let (throttle, _db) = throttle(backend, &["--auth-throttle-account-threshold", "2"]).await;
    let email = "ada@example.com";
    fail(&throttle, email, IP, t0()).await;
    fail(&throttle, email, IP, t0()).await;

    for ms in (0..1000).step_by(100) {
        refused(&throttle, email, IP, at(ms)).await;
    }

    // The next failure doubles the lock once, as if the refused attempts never happened.
    fail(&throttle, email, IP, at(1000)).await;
    assert_eq!(refused(&throttle, email, IP, at(1000)).await, Duration::from_secs(2));
}

async fn a_success_resets_the_account_but_not_the_network(backend: Backend) {
    let args = ["--auth-throttle-account-threshold", "3", "--auth-throttle-ip-threshold", "5"];
    let (throttle, _db) = throttle(backend, &args).await;
    let ada = "ada@example.com";
    fail(&throttle, ada, IP, t0()).await;
    fail(&throttle, ada, IP, t0()).await;

    let attempt = admitted(&throttle, ada, IP, t0()).await;
    throttle.succeeded(attempt).await.unwrap();

    // The account starts afresh: two more failures do not lock it.
    fail(&throttle, ada, IP, at(1)).await;
    fail(&throttle, ada, IP, at(1)).await;
    admitted(&throttle, ada, IP, at(1)).await;
    // That attempt failed too: the network has 5 failures (the success is not one of them) and is
    // locked for every address.
    assert_eq!(refused(&throttle, "grace@example.com", IP, at(1)).await, Duration::from_secs(1));
    assert_eq!(refused(&throttle, ada, IP, at(1)).await, Duration::from_secs(1));
    // Another network is not.
    admitted(&throttle, "grace@example.com", Some("198.51.100.1"), at(1)).await;
}

async fn unknown_and_malformed_addresses_are_counted_like_real_ones(backend: Backend) {
    let (throttle, _db) = throttle(backend, &["--auth-throttle-account-threshold", "2"]).await;
    for (first, second) in [("  Nobody@Example.COM", "nobody@example.com"), ("not an address", "NOT an address ")] {
        fail(&throttle, first, None, t0()).await;
        fail(&throttle, second, None, t0()).await;
        assert_eq!(refused(&throttle, first, None, t0()).await, Duration::from_secs(1));
        assert_eq!(refused(&throttle, second, None, t0()).await, Duration::from_secs(1));
    }
}

async fn failures_are_forgotten_after_a_quiet_window(backend: Backend) {
    let args = ["--auth-throttle-account-threshold", "2", "--auth-throttle-window", "1m"];
    let (throttle, _db) = throttle(backend, &args).await;
    let email = "ada@example.com";
    fail(&throttle, email, IP, t0()).await;
    fail(&throttle, email, IP, t0()).await;
    refused(&throttle, email, IP, t0()).await;

    // A minute after the last failure the count starts again at one: one failure locks nothing.
    fail(&throttle, email, IP, at(60_001)).await;
    admitted(&throttle, email, IP, at(60_001)).await;
}

async fn parallel_attempts_cannot_outrun_the_lock(backend: Backend) {
    let (throttle, _db) = throttle(backend, &["--auth-throttle-account-threshold", "3"]).await;
    let attempts = (0..20).map(|_| {
        let throttle = throttle.clone();
        tokio::spawn(async move { throttle.admit("ada@example.com", None, t0()).await })
    });
    let results = futures_util::future::join_all(attempts).await;

    let let_in = results.iter().filter(|r| r.as_ref().unwrap().is_ok()).count();
    assert_eq!(let_in, 3, "a burst got past the lock-out");
    assert!(results.iter().all(|r| matches!(r.as_ref().unwrap(), Ok(_) | Err(Error::TooManyAttempts { .. }))));
}

async fn the_nightly_purge_removes_idle_counters_only(backend: Backend) {
    let args =
        ["--auth-throttle-account-threshold", "1", "--auth-throttle-window", "1h", "--auth-throttle-max-delay", "2h"];
    let (throttle, db) = throttle(backend, &[&args[..], &["--auth-throttle-base-delay", "2h"]].concat()).await;
    fail(&throttle, "old@example.com", None, t0()).await;
    fail(&throttle, "recent@example.com", None, at(3_000_000)).await;
    let count = || async {
        let row = db.db.query_one(sea_orm::Statement::from_string(
            db.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM auth_throttle",
        ));
        row.await.unwrap().unwrap().try_get::<i64>("", "n").unwrap()
    };

    // The old counter is idle for longer than the window but still locked; then it is not; the
    // recent one goes once its own lock and window have passed.
    assert_eq!(throttle.purge(at(5_400_000)).await.unwrap(), 0);
    assert_eq!(throttle.purge(at(7_200_001)).await.unwrap(), 1);
    assert_eq!(count().await, 1);
    assert_eq!(throttle.purge(at(10_200_001)).await.unwrap(), 1);
    assert_eq!(count().await, 0);
}

async fn sign_in_is_refused_while_locked_even_with_the_right_password(backend: Backend) {
    use domain::{
        Actor,
        accounts::{AccountService, Locale, SignUp},
        config::SessionConfig,
        sessions::{ClientInfo, SessionStore},
    };
    let db = database(backend).await;
    let config = config(&["--auth-throttle-account-threshold", "2", "--auth-throttle-base-delay", "1s"]);
    let sessions = SessionStore::new(
        db.db.clone(),
        &SessionConfig {
            idle_timeout: Duration::from_secs(3600),
            max_age: Duration::from_secs(3600),
            cache_ttl: Duration::from_secs(10),
        },
        domain::events::Events::local(),
    );
    let audit = domain::audit::AuditLog::new(db.db.clone(), domain::keys::Keyring::ephemeral());
    let links = domain::accounts::AccountLinks::new(
        db.db.clone(),
        domain::jobs::Queue::sql(db.db.clone(), Duration::from_secs(60)),
        sessions.clone(),
        url::Url::parse("http://localhost:3000/").unwrap(),
        &domain::accounts::LinksConfig {
            verification_ttl: Duration::from_secs(3600),
            reset_ttl: Duration::from_secs(3600),
        },
        audit.clone(),
    );
    let accounts = AccountService::new(db.db.clone(), sessions, Throttle::new(db.db.clone(), &config), links, audit);
    let password = "correct horse battery staple";
    let client = ClientInfo { user_agent: None, ip: IP.map(str::to_owned), request_id: None };
    let input = SignUp { email: "ada@example.com", password, display_name: None, locale: Locale::En };
    accounts.sign_up(input, &client).await.unwrap();

    for _ in 0..2 {
        let wrong = accounts.sign_in(&Actor::Anonymous, "ada@example.com", "not the password", &client).await;
        assert!(matches!(wrong, Err(Error::InvalidCredentials)));
    }
    let locked = accounts.sign_in(&Actor::Anonymous, "Ada@Example.com", password, &client).await;
    let Err(Error::TooManyAttempts { retry_after }) = locked else { panic!("signed in while locked out") };
    assert!(retry_after <= Duration::from_secs(1));

    tokio::time::sleep(retry_after).await;
    accounts.sign_in(&Actor::Anonymous, "ada@example.com", password, &client).await.expect("signed in after the wait");
    // The success reset the account: the next failure is a first one again.
    let wrong = accounts.sign_in(&Actor::Anonymous, "ada@example.com", "not the password", &client).await;
    assert!(matches!(wrong, Err(Error::InvalidCredentials)));
    accounts.sign_in(&Actor::Anonymous, "ada@example.com", password, &client).await.unwrap();
}
