//! The command-line doors: each is a thin call onto the same services the web app uses.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use domain::{
    Actor, Role,
    accounts::{Locale, SignUp},
    db,
    mail::Mail,
};

use crate::{
    cli::{
        ApiAction, AuditAction, BackupAction, Cli, Command, JobsAction, KeysAction, MailAction, MigrateAction,
        StorageAction, UserAction,
    },
    migrate,
    startup::{Application, open_services},
};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve);
    // The operator's one-shot commands migrate first where `serve` would (the embedded SQLite
    // database by default, or MIGRATE_ON_START); `serve` does it in `Application::build`, `worker`
    // never (a fleet's workers wait for `smartai migrate up`), and restore and migrate-data always.
    let one_shot = !matches!(
        command,
        Command::Serve
            | Command::Worker { .. }
            | Command::Migrate { .. }
            | Command::MigrateData { .. }
            | Command::Api { .. }
            | Command::Keys { action: KeysAction::Generate }
            | Command::Backup { action: BackupAction::Restore { .. } }
    );
    if one_shot && cli.server.migrates_on_start(&cli.domain.database) {
        migrate::up_at(&cli.domain.database).await?;
    }
    match command {
        Command::Serve => serve(cli.domain, cli.server).await,
        Command::Migrate { action } => migrate(&cli.domain, action).await,
        Command::User { action } => user(&cli.domain, action).await,
        Command::Storage { action: StorageAction::Check { fix } } => storage_check(&cli.domain, fix).await,
        Command::Storage { action: StorageAction::Reindex } => storage_reindex(&cli.domain).await,
        Command::Worker { metrics_listen } => worker(&cli.domain, &cli.server, metrics_listen).await,
        Command::Jobs { action } => jobs(&cli.domain, action).await,
        Command::Mail { action } => mail(&cli.domain, action).await,
        Command::Audit { action } => audit(&cli.domain, action).await,
        Command::Keys { action } => keys(&cli.domain, action).await,
        Command::Backup { action } => backup(&cli.domain, action).await,
        Command::MigrateData { from, to, force } => migrate_data(&cli.domain, from, to, force).await,
        Command::Api { action } => api(action),
    }
}

async fn keys(config: &domain::config::Config, action: KeysAction) -> anyhow::Result<()> {
    match action {
        KeysAction::Generate => {
            println!("{}", domain::keys::Keyring::generate_line());
            eprintln!(
                "put it first in SECRET_KEYS (comma-separated, newest first), keep the older keys after it, \
                       restart, then run `smartai keys rotate`"
            );
            Ok(())
        }
        KeysAction::Rotate => {
            let services = open_services(config).await?;
            let result = services.keys.rotate(&Actor::System).await;
            let keyring = services.keys.keyring().clone();
            services.close().await;
            let rotation = result.context("keys rotate")?;
            let (newest, upgrade) = (keyring.newest(), &rotation.upgrade);
            println!(
                "newest key {newest}: {} TOTP secrets re-sealed ({} of them were in clear), {} recovery codes keyed \
                 that were plain SHA-256{}",
                rotation.resealed_totp_secrets + upgrade.sealed_totp_secrets,
                upgrade.sealed_totp_secrets,
                upgrade.rehashed_recovery_codes,
                upgrade.audit_anchor.map(|seq| format!(", audit log anchored at event {seq}")).unwrap_or_default(),
            );
            for (id, used) in &rotation.in_use {
                let keep = if id.as_str() == newest.as_ref() { "" } else { ": keep it in SECRET_KEYS" };
                println!(
                    "key {id}: {} TOTP secrets, {} recovery codes, {} audit events{keep}",
                    used.totp_secrets, used.recovery_codes, used.audit_events
                );
            }
            for id in keyring.ids().skip(1).filter(|id| !rotation.in_use.contains_key(id.as_ref())) {
                println!("key {id}: nothing stored needs it any more; it may leave SECRET_KEYS");
            }
            Ok(())
        }
    }
}

async fn audit(config: &domain::config::Config, action: AuditAction) -> anyhow::Result<()> {
    let services = open_services(config).await?;
    let log = &services.audit;
    let result = match action {
        AuditAction::Verify => match log.verify(&Actor::System).await {
            Ok(report) => match report.broken {
                None => {
                    println!("audit log intact: {} events", report.events);
                    println!("head: event {}, hash {}", report.head_seq, report.head_hash);
                    if let Some(anchor) = &report.pruned {
                        println!(
                            "events 1 to {} removed by retention (AUDIT_RETENTION), as event {} records: the chain \
                             starts after it",
                            anchor.through, anchor.seq
                        );
                    }
                    Ok(())
                }
                Some(broken) => {
                    Err(anyhow::anyhow!("audit log broken: {broken} ({} events before it are intact)", report.events))
                }
            },
            Err(e) => Err(anyhow::anyhow!("audit verify failed: {e}")),
        },
        AuditAction::List { user, limit } => match log.list(&Actor::System, user.as_deref(), limit).await {
            Ok(events) => {
                for e in events {
                    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
                    println!(
                        "{:>6}  {}  {:<18}  user {}  actor {}  ip {}  request {}  {}  {}",
                        e.seq,
                        utc(e.created_at),
                        e.event,
                        or_dash(e.user_id.map(|id| id.to_string())),
                        or_dash(e.actor_id.map(|id| id.to_string())),
                        or_dash(e.ip),
                        or_dash(e.request_id),
                        e.details,
                        e.user_agent.unwrap_or_default(),
                    );
                }
                Ok(())
            }
            Err(domain::Error::Invalid { field: domain::error::Field::Email, .. }) => {
                Err(anyhow::anyhow!("--user: no account has this e-mail address"))
            }
            Err(e) => Err(anyhow::anyhow!("audit list failed: {e}")),
        },
    };
    services.close().await;
    result
}

async fn backup(config: &domain::config::Config, action: BackupAction) -> anyhow::Result<()> {
    if matches!(action, BackupAction::Restore { .. }) {
        // A restore rebuilds the database, often a fresh one: it brings the schema up first.
        migrate::up_at(&config.database).await.context("backup restore: migrating the target")?;
    }
    let services = open_services(config).await?;
    let backups = &services.backups;
    let fail = |e: domain::backup::BackupError| anyhow::anyhow!("backup: {e}");
    let result = match action {
        BackupAction::Create { with_objects } => backups
            .create(with_objects)
            .await
            .map(|created| {
                println!("{}", created.name);
                println!(
                    "{} tables, {} rows, {} objects ({} bytes, {}), archive {} bytes, {:.2}s",
                    created.tables,
                    created.rows,
                    created.objects,
                    created.object_bytes,
                    if created.objects_included { "included" } else { "listed with checksums" },
                    created.bytes,
                    created.elapsed.as_secs_f64()
                );
            })
            .map_err(fail),
        BackupAction::List => backups
            .list()
            .await
            .map(|archives| {
                for archive in &archives {
                    println!("{:>14}  {}", archive.bytes, archive.name);
                }
                println!("{} archive(s)", archives.len());
            })
            .map_err(fail),
        BackupAction::Prune => backups
            .prune()
            .await
            .map(|deleted| {
                for name in &deleted {
                    println!("deleted {name}");
                }
                println!("{} archive(s) deleted, {} kept at most", deleted.len(), backups.config().keep);
            })
            .map_err(fail),
        BackupAction::Verify { archive, archive_only } => match backups.verify(&archive, !archive_only).await {
            Ok(verified) => {
                let manifest = &verified.manifest;
                println!(
                    "archive {archive}: written {} by smartai {} from {}, {} tables, {} rows, {} objects",
                    manifest.created_at,
                    manifest.app_version,
                    manifest.source,
                    manifest.tables.len(),
                    manifest.rows(),
                    manifest.objects.len()
                );
                if verified.problems.is_empty() {
                    println!(
                        "{}",
                        if archive_only { "the archive is intact" } else { "the archive and storage are intact" }
                    );
                    Ok(())
                } else {
                    for problem in &verified.problems {
                        eprintln!("problem: {problem}");
                    }
                    Err(anyhow::anyhow!("{} problem(s) found in {archive}", verified.problems.len()))
                }
            }
            Err(e) => Err(fail(e)),
        },
        BackupAction::Restore { archive, force } => match backups.restore(&archive, force).await {
            Ok(restored) => {
                // Running instances (told through Redis) must not trust what they cached before.
                services.sessions.forget_everything().await;
                if restored.wiped_rows > 0 {
                    println!("wiped {} rows that were in the database (--force)", restored.wiped_rows);
                }
                println!(
                    "restored {} rows into {} tables and {} objects from {archive} in {:.2}s",
                    restored.rows,
                    restored.manifest.tables.len(),
                    restored.objects_restored,
                    restored.elapsed.as_secs_f64()
                );
                if restored.problems.is_empty() {
                    println!(
                        "all {} objects of the archive are in storage with their checksums",
                        restored.manifest.objects.len()
                    );
                    Ok(())
                } else {
                    for problem in &restored.problems {
                        eprintln!("problem: {problem}");
                    }
                    Err(anyhow::anyhow!(
                        "the database is restored, but {} object(s) are missing or differ in storage",
                        restored.problems.len()
                    ))
                }
            }
            Err(e) => Err(fail(e)),
        },
    };
    services.close().await;
    result
}

async fn migrate_data(
    config: &domain::config::Config,
    from: domain::config::DatabaseUrl,
    to: domain::config::DatabaseUrl,
    force: bool,
) -> anyhow::Result<()> {
    if from == to {
        bail!("--from and --to are the same database");
    }
    let open = |url: domain::config::DatabaseUrl| {
        let mut database = config.database.clone();
        database.url = Some(url);
        async move { db::connect(&database).await }
    };
    let source = open(from.clone()).await.context("--from")?;
    let target = open(to.clone()).await.context("--to")?;
    // The source must be at this binary's schema for its rows to fit the entities.
    migrate::up(&source).await.context("--from: migrating")?;
    migrate::up(&target).await.context("--to: migrating")?;
    let started = std::time::Instant::now();
    let counts = domain::backup::copy_database(&source, &target, force)
        .await
        .map_err(|e| anyhow::anyhow!("migrate-data: {e}"))?;
    let mut mismatches = 0;
    println!("{:<28} {:>10} {:>10}", "table", "source", "target");
    for table in &counts {
        let mark = if table.source_rows == table.target_rows { "" } else { "  MISMATCH" };
        mismatches += usize::from(!mark.is_empty());
        println!("{:<28} {:>10} {:>10}{mark}", table.name, table.source_rows, table.target_rows);
    }
    let rows: u64 = counts.iter().map(|t| t.target_rows).sum();
    println!(
        "copied {rows} rows in {} tables from {from} to {to} in {:.2}s",
        counts.len(),
        started.elapsed().as_secs_f64()
    );
    let _ = source.close().await;
    let _ = target.close().await;
    if mismatches > 0 {
        bail!("{mismatches} table(s) have different row counts");
    }
    Ok(())
}

fn api(action: ApiAction) -> anyhow::Result<()> {
    let spec = crate::api::spec_json();
    match action {
        ApiAction::Spec => {
            println!("{spec}");
            Ok(())
        }
        ApiAction::CheckCompat { against } => {
            let old =
                std::fs::read_to_string(&against).with_context(|| format!("cannot read {}", against.display()))?;
            let old: serde_json::Value =
                serde_json::from_str(&old).with_context(|| format!("{} is not JSON", against.display()))?;
            let new: serde_json::Value = serde_json::from_str(&spec)?;
            let breaking = crate::api::compat::breaking_changes(&old, &new);
            if breaking.is_empty() {
                println!("no breaking changes against {}", against.display());
                return Ok(());
            }
            for change in &breaking {
                eprintln!("breaking: {change}");
            }
            bail!("{} breaking API changes against {} (see docs/api.md)", breaking.len(), against.display())
        }
    }
}

fn utc(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// Runs jobs until SIGTERM or Ctrl+C, then lets the running ones finish within the shutdown
/// timeout and hands the rest back to the queue.
async fn worker(
    config: &domain::config::Config,
    server: &crate::cli::ServerConfig,
    metrics_listen: Option<std::net::SocketAddr>,
) -> anyhow::Result<()> {
    let services = open_services(config).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let metrics = match metrics_listen {
        Some(address) => Some(worker_metrics(address, stopped.clone()).await?),
        None => None,
    };
    let worker = crate::startup::worker(&services, &config.jobs, server.shutdown_timeout);
    let running = tokio::spawn(worker.run(stopped));
    println!("worker running on the {} queue (Ctrl+C stops it)", services.jobs.backend_name());
    shutdown_signal().await;
    let _ = stop.send(true);
    running.await.context("the worker task failed")?;
    if let Some(metrics) = metrics {
        let _ = metrics.await;
    }
    services.close().await;
    Ok(())
}

/// The worker's own counters and timings for Prometheus: the jobs it ran and the backups it
/// made happen in this process, so only it can report them. Queue gauges come from `serve`.
async fn worker_metrics(
    address: std::net::SocketAddr,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    use axum::{http::header, routing::get};

    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address} (WORKER_METRICS_ADDR)"))?;
    let handle = crate::metrics::handle();
    let router = axum::Router::new()
        .route(
            "/metrics",
            get(move || {
                let text = handle.render();
                async move { ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text) }
            }),
        )
        .route("/health/live", get(|| async { "ok" }));
    println!("worker metrics on http://{address}/metrics");
    Ok(tokio::spawn(async move {
        let stop = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        if let Err(err) = axum::serve(listener, router).with_graceful_shutdown(stop).await {
            tracing::warn!(error = %err, "the worker's metrics endpoint failed");
        }
    }))
}

async fn jobs(config: &domain::config::Config, action: JobsAction) -> anyhow::Result<()> {
    let services = open_services(config).await?;
    let queue = &services.jobs;
    let fail = |e: domain::Error| anyhow::anyhow!("job queue: {e}");
    match action {
        JobsAction::Status => {
            println!("backend: {}", queue.backend_name());
            for depth in queue.depth().await.map_err(fail)? {
                println!(
                    "queue {:<20} {} ready, {} delayed, {} running",
                    depth.queue, depth.ready, depth.delayed, depth.running
                );
            }
            let dead = queue.dead().await.map_err(fail)?;
            println!("dead: {}", dead.len());
            for job in dead {
                println!(
                    "  {}  {}  attempts {}  {}",
                    job.id,
                    job.kind,
                    job.attempts,
                    job.last_error.as_deref().unwrap_or("")
                );
            }
        }
        JobsAction::Retry { id } => {
            if !queue.revive(id).await.map_err(fail)? {
                bail!("no dead job {id}");
            }
            println!("job {id} is queued again");
        }
        JobsAction::Discard { id } => {
            if !queue.discard(id).await.map_err(fail)? {
                bail!("no dead job {id}");
            }
            println!("job {id} discarded");
        }
        JobsAction::Bench { count, concurrency } => bench(queue, count, concurrency).await?,
    }
    services.close().await;
    Ok(())
}

async fn mail(config: &domain::config::Config, action: MailAction) -> anyhow::Result<()> {
    let services = open_services(config).await?;
    let mailer = services.notifications.mailer();
    match action {
        MailAction::Test { to } => {
            let to = to.parse().map_err(|e| anyhow::anyhow!("--to: not an e-mail address ({e})"))?;
            let body = "This is a test e-mail from SmartAIPlatForm: outgoing mail works.\n".to_owned();
            let mail = Mail { id: uuid::Uuid::now_v7(), to, subject: "SmartAIPlatForm test e-mail".into(), body };
            mailer.send(mail).await.context("sending the test e-mail failed")?;
            println!("test e-mail sent through the {}", mailer.describe());
        }
        MailAction::List { to, limit, full } => {
            for mail in mailer.outbox(to.as_deref(), limit).await? {
                println!("{}  {}  {}", mail.created_at, mail.to_address, mail.subject);
                if full {
                    println!("\n{}\n", mail.body);
                }
            }
        }
    }
    services.close().await;
    Ok(())
}

async fn storage_reindex(config: &domain::config::Config) -> anyhow::Result<()> {
    let services = open_services(config).await?;
    let result = services.files.reindex_passages(&Actor::System).await;
    services.close().await;
    let (files, passages) = result.map_err(|e| anyhow::anyhow!("reindexing failed: {e}"))?;
    println!("{files} files, {passages} passages");
    Ok(())
}

async fn storage_check(config: &domain::config::Config, fix: bool) -> anyhow::Result<()> {
    let services = open_services(config).await?;
    let report =
        services.files.check(&Actor::System, fix).await.map_err(|e| anyhow::anyhow!("storage check failed: {e}"))?;
    services.close().await;
    for key in &report.orphan_objects {
        println!("orphan object   {key}");
    }
    for (id, key) in &report.missing_objects {
        println!("missing object  {key}  (file {id})");
    }
    for user in &report.missing_avatars {
        println!("missing avatar  (user {user})");
    }
    let found = report.orphan_objects.len() + report.missing_objects.len() + report.missing_avatars.len();
    match (found, fix) {
        (0, _) => println!("storage is consistent"),
        (_, true) => println!(
            "removed {} orphan object(s), {} file(s) without bytes and {} avatar(s) without images",
            report.orphan_objects.len(),
            report.missing_objects.len(),
            report.missing_avatars.len()
        ),
        (_, false) => bail!("{found} inconsistencies; `smartai storage check --fix` removes them"),
    }
    Ok(())
}

async fn serve(domain: domain::config::Config, server: crate::cli::ServerConfig) -> anyhow::Result<()> {
    let app = Application::build(&domain, &server).await?;
    // Start-up hashes a dummy password (argon2 takes 19 MiB); give that memory back now rather
    // than idle on it.
    // SAFETY: mi_collect has no preconditions; it only returns free pages to the OS.
    unsafe { libmimalloc_sys::mi_collect(true) };
    let url = match &domain.public_url {
        Some(url) => url.to_string(),
        None => format!("http://{}/", app.address()),
    };
    tracing::info!(%url, database = %domain.database.url(), "listening");
    println!("SmartAIPlatForm is running at {url}  (Ctrl+C stops it)");
    app.run_until_stopped(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

async fn migrate(config: &domain::config::Config, action: MigrateAction) -> anyhow::Result<()> {
    let connection = db::connect(&config.database).await?;
    let result = match action {
        MigrateAction::Up => migrate::up(&connection).await.map(|before| {
            for name in &before.pending {
                println!("applied  {name}");
            }
            println!("database is up to date ({} migration(s) applied now)", before.pending.len());
        }),
        MigrateAction::Down { steps } => {
            migrate::down(&connection, steps).await.map(|()| println!("reverted {steps} migration(s)"))
        }
        MigrateAction::Status => migrate::schema(&connection).await.map(|schema| {
            // `unknown`: recorded in the database by a newer smartai (the schema is ahead).
            let mut lines: Vec<(&str, &str)> = schema
                .applied
                .iter()
                .map(|n| ("applied", n.as_str()))
                .chain(schema.pending.iter().map(|n| ("pending", n.as_str())))
                .chain(schema.unknown.iter().map(|n| ("unknown", n.as_str())))
                .collect();
            lines.sort_by_key(|(_, name)| *name);
            for (state, name) in lines {
                println!("{state}  {name}");
            }
        }),
    };
    let _ = connection.close().await;
    result
}

async fn user(config: &domain::config::Config, action: UserAction) -> anyhow::Result<()> {
    match action {
        UserAction::Create { email, name, admin, password_stdin } => {
            let password = read_password(password_stdin)?;
            let services = open_services(config).await?;
            let role = if admin { Role::Admin } else { Role::User };
            let input =
                SignUp { email: &email, password: &password, display_name: name.as_deref(), locale: Locale::En };
            let account = services
                .accounts
                .create_user(&Actor::System, input, role, &Default::default())
                .await
                .map_err(|e| anyhow::anyhow!("cannot create the account: {e}"))?;
            println!("created {} account {} ({})", role.as_str(), account.email, account.id);
            services.close().await;
            Ok(())
        }
    }
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    if let Ok(password) = std::env::var("SMARTAI_USER_PASSWORD") {
        return Ok(password);
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password("Password: ").context("cannot read the password");
    }
    bail!("no password given: use --password-stdin, SMARTAI_USER_PASSWORD, or run at a terminal")
}

/// Enqueues `count` no-op jobs, then runs them all, and prints both rates.
async fn bench(queue: &domain::jobs::Queue, count: u32, concurrency: usize) -> anyhow::Result<()> {
    use std::{
        sync::{
            Arc,
            atomic::{AtomicU32, Ordering},
        },
        time::Instant,
    };

    use domain::jobs::{Handlers, Job, NewJob, Worker, WorkerOptions};

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Noop {
        n: u32,
    }
    impl Job for Noop {
        const KIND: &'static str = "bench.noop";
        const QUEUE: &'static str = "bench";
    }

    let started = Instant::now();
    let mut enqueueing = tokio::task::JoinSet::new();
    for chunk in 0..concurrency as u32 {
        let queue = queue.clone();
        enqueueing.spawn(async move {
            let mut n = chunk;
            while n < count {
                queue.enqueue(NewJob::of(&Noop { n })).await?;
                n += concurrency as u32;
            }
            Ok::<_, domain::Error>(())
        });
    }
    while let Some(done) = enqueueing.join_next().await {
        done?.map_err(|e| anyhow::anyhow!("enqueueing failed: {e}"))?;
    }
    let enqueued = started.elapsed();

    let done = Arc::new(AtomicU32::new(0));
    let mut handlers = Handlers::default();
    let counter = done.clone();
    handlers.register::<Noop, _, _>(move |_| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
    });
    let mut options = WorkerOptions::new(concurrency);
    options.queues = vec!["bench".into()];
    options.max_idle_poll = std::time::Duration::from_millis(20);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let worker = tokio::spawn(Worker::new(queue.clone(), handlers, options).run(stopped));
    while done.load(Ordering::Relaxed) < count {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let ran = started.elapsed();
    let _ = stop.send(true);
    worker.await?;
    let rate = |d: std::time::Duration| f64::from(count) / d.as_secs_f64();
    println!(
        "{count} jobs on {}: enqueued at {:.0} jobs/s, completed at {:.0} jobs/s (concurrency {concurrency})",
        queue.backend_name(),
        rate(enqueued),
        rate(ran)
    );
    Ok(())
}

/// Ctrl+C or SIGTERM (what `docker stop` and Kubernetes send).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested");
}
