//! `smartai worker`: a process that runs jobs, and, if asked, serves its own metrics.

use anyhow::Context;

use super::shutdown_signal;
use crate::{settings::ServerConfig, startup::open_services};

/// Runs jobs until SIGTERM or Ctrl+C, then lets the running ones finish within the shutdown
/// timeout and hands the rest back to the queue.
pub(super) async fn run(config: &domain::config::Config, server: &ServerConfig) -> anyhow::Result<()> {
    let services = open_services(config).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let metrics = match server.worker.metrics_addr {
        Some(address) => Some(serve_metrics(address, stopped.clone()).await?),
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
async fn serve_metrics(
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
