//! The server's rows of the settings table: its HTTP, logging, rate-limit and hardening settings.

use domain::config::{Kind, Setting};

const HTTP: &str = "HTTP";
const LOGGING: &str = "Logging";
const RATE_LIMITS: &str = "Rate limits (N/PERIOD, e.g. 600/min; 0 or off for none)";
const HARDENING: &str = "HTTP hardening";

/// The server's settings, keyed from the root of [`ServerConfig`], in the order `--help` lists them.
pub const SETTINGS: &[Setting] = &[
    Setting::new("listen", "LISTEN_ADDR", "listen", "Address and port to listen on")
        .default("127.0.0.1:3000")
        .under(HTTP),
    Setting::new(
        "allow_plain_http",
        "ALLOW_PLAIN_HTTP",
        "allow-plain-http",
        "Serve plain http on an address other machines can reach (LISTEN_ADDR) although PUBLIC_URL is not \
         https: session cookies then cross the network unencrypted. For trials on a private network only; every \
         start logs a warning",
    )
    .kind(Kind::Switch)
    .under(HTTP),
    Setting::new(
        "site_root",
        "LEPTOS_SITE_ROOT",
        "site-root",
        "Serve the front end (wasm, JS, CSS, public/) from this folder instead of the copy inside the binary",
    )
    .under(HTTP),
    Setting::new(
        "shutdown_timeout",
        "SHUTDOWN_TIMEOUT",
        "shutdown-timeout",
        "How long to let running requests and jobs finish on shutdown, once new connections are refused (e.g. \
         30s); what still runs then is abandoned (jobs are delivered again)",
    )
    .default("30s")
    .under(HTTP),
    Setting::new(
        "shutdown_readiness_delay",
        "SHUTDOWN_READINESS_DELAY",
        "shutdown-readiness-delay",
        "On shutdown, how long to keep serving after readiness turns 503, so that load balancers stop sending \
         before connections are refused (0s when nothing balances this instance)",
    )
    .default("5s")
    .under(HTTP),
    Setting::new(
        "migrate_on_start",
        "MIGRATE_ON_START",
        "migrate-on-start",
        "Whether `serve` applies pending migrations when it starts (under the same lock as `smartai migrate \
         up`). Default: on for the embedded SQLite database (one process), off for PostgreSQL, where `smartai \
         migrate up` runs once per release before new processes start; without it a `serve` on a schema that is \
         behind refuses to start, naming what is pending",
    )
    .kind(Kind::Boolean)
    .under(HTTP),
    // Logging
    Setting::new("log.format", "LOG_FORMAT", "log-format", "Log line format")
        .kind(Kind::Choice(super::LogFormat::CHOICES))
        .default("text")
        .under(LOGGING),
    Setting::new("log.filter", "RUST_LOG", "log", "Which logs to keep, as a tracing filter (e.g. info,server=debug)")
        .default("info,sqlx=warn,sea_orm=warn")
        .under(LOGGING),
    Setting::new(
        "log.personal_data",
        "LOG_PERSONAL_DATA",
        "log-personal-data",
        "Whether logs show IP and e-mail addresses whole (`keep`) or masked (`mask`: an IPv4 address's /24, an \
         IPv6 address's /48, an e-mail address's first character and domain)",
    )
    .kind(Kind::Choice(domain::log_privacy::LogPersonalData::CHOICES))
    .default("mask")
    .under(LOGGING),
    // Rate limits
    Setting::new(
        "rate_limit.api_ip",
        "RATE_LIMIT_API_IP",
        "rate-limit-api-ip",
        "Requests to the REST API (/api/) per client address",
    )
    .default("1200/min")
    .under(RATE_LIMITS),
    Setting::new(
        "rate_limit.api_user",
        "RATE_LIMIT_API_USER",
        "rate-limit-api-user",
        "Requests to the REST API (/api/) per account",
    )
    .default("600/min")
    .under(RATE_LIMITS),
    Setting::new(
        "rate_limit.auth_ip",
        "RATE_LIMIT_AUTH_IP",
        "rate-limit-auth-ip",
        "Sign-in, sign-up, password reset and other /rpc/auth/ calls, passkey sign-in and the /auth/ routes, per \
         client address",
    )
    .default("60/min")
    .under(RATE_LIMITS),
    Setting::new(
        "rate_limit.auth_user",
        "RATE_LIMIT_AUTH_USER",
        "rate-limit-auth-user",
        "The same routes per account (for those already signed in)",
    )
    .default("60/min")
    .under(RATE_LIMITS),
    Setting::new(
        "rate_limit.rpc_ip",
        "RATE_LIMIT_RPC_IP",
        "rate-limit-rpc-ip",
        "Other server functions (/rpc/) per client address",
    )
    .default("1200/min")
    .under(RATE_LIMITS),
    Setting::new(
        "rate_limit.rpc_user",
        "RATE_LIMIT_RPC_USER",
        "rate-limit-rpc-user",
        "Other server functions (/rpc/) per account",
    )
    .default("600/min")
    .under(RATE_LIMITS),
    Setting::new(
        "rate_limit.pages_ip",
        "RATE_LIMIT_PAGES_IP",
        "rate-limit-pages-ip",
        "Everything else (pages, files, avatars, events) per client address",
    )
    .default("1200/min")
    .under(RATE_LIMITS),
    Setting::new(
        "rate_limit.pages_user",
        "RATE_LIMIT_PAGES_USER",
        "rate-limit-pages-user",
        "Everything else per account",
    )
    .default("off")
    .under(RATE_LIMITS),
    // HTTP hardening
    Setting::new(
        "hardening.body_limit",
        "BODY_LIMIT",
        "body-limit",
        "Largest request body of forms, JSON and server functions (e.g. 1MiB). Streamed uploads are limited by \
         FILES_MAX_SIZE instead",
    )
    .default("1MiB")
    .under(HARDENING),
    Setting::new(
        "hardening.request_timeout",
        "REQUEST_TIMEOUT",
        "request-timeout",
        "How long a request may take until its response starts (e.g. 30s; 0 turns it off). Streamed uploads, \
         downloads and /events are exempt",
    )
    .default("30s")
    .under(HARDENING),
    Setting::new(
        "hardening.cors_origins",
        "CORS_ORIGINS",
        "cors-origins",
        "Origins whose pages may call /api/ from the browser (CORS), comma-separated, e.g. \
         https://a.example,https://b.example. None by default",
    )
    .kind(Kind::List)
    .under(HARDENING),
    Setting::new(
        "hardening.ip_allow",
        "IP_ALLOW",
        "ip-allow",
        "Only clients in these networks are served (comma-separated CIDRs or addresses, e.g. \
         10.0.0.0/8,2001:db8::/32). Everyone by default. Judges the TCP peer",
    )
    .kind(Kind::List)
    .under(HARDENING),
    Setting::new(
        "hardening.ip_deny",
        "IP_DENY",
        "ip-deny",
        "Clients in these networks are refused, even when IP_ALLOW lists them (comma-separated CIDRs or \
         addresses)",
    )
    .kind(Kind::List)
    .under(HARDENING),
    // `smartai worker`
    Setting::new(
        "worker.metrics_addr",
        "WORKER_METRICS_ADDR",
        "metrics-listen",
        "Serve this worker's metrics (jobs run, their durations, backups) at /metrics on this address, e.g. \
         0.0.0.0:9464, for Prometheus. Unset: no HTTP at all",
    )
    .only_for("worker"),
];
