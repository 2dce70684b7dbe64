//! Chaos: a real `smartai worker` process is SIGKILLed in the middle of its work again and again.
//! An observer (the notifications table: one `file_processed` per file is the job's effect)
//! checks that no job was lost and no effect happened twice.

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant, SystemTime},
};

use domain::{
    accounts::{Locale, SignUp},
    sessions::ClientInfo,
};
use sea_orm::{ConnectionTrait, Database, FromQueryResult, Statement};
use server::{cli::Cli, startup::open_services};

use crate::helpers::{drop_postgres_database, new_postgres_database};

const RUNS: usize = 20;
const FILES: usize = 60;

/// A few hundred milliseconds, different each time (no RNG crate needed for this).
fn jitter_ms(min: u64, max: u64) -> u64 {
    let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().subsec_nanos() as u64;
    min + (nanos.wrapping_mul(6_364_136_223_846_793_005) >> 33) % (max - min)
}

pub(crate) fn png(seed: u32) -> Vec<u8> {
    // Big enough that decoding and resizing it takes a while in a debug build.
    let image =
        image::RgbImage::from_fn(900, 900, |x, y| image::Rgb([(x ^ seed) as u8, (y + seed) as u8, (x * y) as u8]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[derive(FromQueryResult)]
struct Count {
    file_id: String,
    effects: i64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_workers_lose_no_job_and_repeat_no_effect() {
    let (database_url, name) = new_postgres_database().await;
    let redis_url = std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let prefix = format!("smartai-test:{}:", uuid::Uuid::new_v4().simple());
    let data_dir = tempfile::tempdir().unwrap();
    let settings = [
        ("DATABASE_URL", database_url.as_str()),
        ("REDIS_URL", redis_url.as_str()),
        ("REDIS_PREFIX", prefix.as_str()),
        ("DATA_DIR", data_dir.path().to_str().unwrap()),
        ("JOBS_VISIBILITY_TIMEOUT", "1s"),
        ("JOBS_CONCURRENCY", "3"),
        ("RUST_LOG", "error"),
    ];

    // The uploads (each commits its processing job) come from this process.
    let mut args = vec!["smartai".to_owned()];
    for (key, value) in &settings[..5] {
        args.push(format!("--{}", key.to_lowercase().replace('_', "-")));
        args.push((*value).to_owned());
    }
    let cli = Cli::try_parse_from(args).unwrap();
    server::migrate::up_at(&cli.domain.database).await.unwrap();
    let services = open_services(&cli.domain).await.unwrap();
    let input = SignUp {
        email: "chaos@example.com",
        password: "correct horse battery staple",
        display_name: None,
        locale: Locale::En,
    };
    let (_, token) = services.accounts.sign_up(input, &ClientInfo::default()).await.unwrap();
    let actor = services.sessions.resolve(&token).await.unwrap().actor;
    for i in 0..FILES {
        let bytes = bytes::Bytes::from(png(i as u32));
        let body = futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes) });
        services.files.upload(&actor, &format!("photo-{i}.png"), body).await.unwrap();
    }

    let worker = || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_smartai"));
        command.arg("worker").stdout(Stdio::null()).stderr(Stdio::null());
        for (key, value) in &settings {
            command.env(key, value);
        }
        command.spawn().expect("smartai worker runs")
    };
    let db = Database::connect(database_url.as_str()).await.unwrap();
    let processed = || async {
        let row = db
            .query_one(Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM files WHERE processed_at IS NOT NULL",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    };

    // After each kill, the jobs the dead worker held are pending in the consumer group: the
    // kill landed in the middle of them.
    let redis = redis::Client::open(redis_url.as_str()).unwrap();
    let mut redis = redis.get_multiplexed_async_connection().await.unwrap();
    let stream = format!("{prefix}jobs:stream:default:1");
    let (mut kills_mid_job, mut interrupted) = (0, 0);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..RUNS {
        let mut child = worker();
        tokio::time::sleep(Duration::from_millis(jitter_ms(1200, 2600))).await;
        child.kill().unwrap(); // SIGKILL: no chance to hand anything back
        child.wait().unwrap();
        // XPENDING's summary lists each consumer holding unacknowledged jobs; a consumer not seen
        // before is the worker just killed.
        let summary: redis::Value = redis::cmd("XPENDING")
            .arg(&stream)
            .arg("workers")
            .query_async(&mut redis)
            .await
            .unwrap_or(redis::Value::Nil);
        let redis::Value::Array(parts) = summary else { continue };
        let Some(redis::Value::Array(consumers)) = parts.get(3) else { continue };
        for consumer in consumers {
            let redis::Value::Array(pair) = consumer else { continue };
            let (Some(redis::Value::BulkString(name)), Some(redis::Value::BulkString(held))) =
                (pair.first(), pair.get(1))
            else {
                continue;
            };
            if seen.insert(name.clone()) {
                kills_mid_job += 1;
                interrupted += String::from_utf8_lossy(held).parse::<u32>().unwrap_or(0);
            }
        }
    }
    let killed_with = processed().await;

    // A last worker finishes what the killed ones left, jobs held by dead workers included.
    let mut last = worker();
    let started = Instant::now();
    while processed().await < FILES as i64 && started.elapsed() < Duration::from_secs(120) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    last.kill().unwrap();
    last.wait().unwrap();

    let counts = Count::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        "SELECT CAST(f.id AS TEXT) AS file_id, COUNT(n.id) AS effects FROM files f \
         LEFT JOIN notifications n ON n.kind = 'file_processed' AND n.params LIKE '%' || CAST(f.id AS TEXT) || '%' \
         GROUP BY f.id",
    ))
    .all(&db)
    .await
    .unwrap();
    let lost = counts.iter().filter(|c| c.effects == 0).count();
    let duplicated = counts.iter().filter(|c| c.effects > 1).count();
    println!(
        "chaos: {RUNS} SIGKILLed worker runs ({kills_mid_job} of them mid-job, {interrupted} jobs interrupted), {FILES} \
         jobs, {killed_with} done before the last worker; lost {lost}, duplicated effects {duplicated}"
    );
    assert!(kills_mid_job > 0, "no kill landed while a job was running: the test proved nothing");
    assert_eq!(counts.len(), FILES);
    assert_eq!(
        lost,
        0,
        "jobs lost: {:?}",
        counts.iter().filter(|c| c.effects == 0).map(|c| &c.file_id).collect::<Vec<_>>()
    );
    assert_eq!(duplicated, 0, "effects repeated");
    assert!(services.jobs.dead().await.unwrap().is_empty(), "no job died of the kills");

    services.close().await;
    drop_postgres_database(&name).await;
}
